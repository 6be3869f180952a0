import { StoreError } from '../errors/store-error';
import type { SqlDatabase, SqlExecutor, SqlValue } from '../sql/sql-database';
import { toNullableNumber, toNumber, valuesPlaceholders } from '../sql/sql-database';
import { assertFiniteQuery, parseStoreInput, redactForStorage } from '../validate-input';
import { type CallRecord, callRecordSchema } from './call-record';
import { addStoredToDense, parseHistogram, serializeHistogram } from './latency-histogram';
import type { MetricsStore, MetricsStoreOptions } from './metrics-store';
import { metricsOptionsWithDefaults } from './metrics-store';
import { emptyRollup, type MinuteRollup, mergeRollup, rollupCalls, rollupKey } from './minute-rollup';
import { firstMinuteOf, performanceFromAggregates } from './performance-report';
import { addFailureCodes, emptyAggregate, type WindowAggregate } from './window-aggregate';
import { createWriteBuffer } from './write-buffer';

interface RollupRow {
  minute: number | string;
  provider: string;
  model: string;
  requests: number | string;
  successes: number | string;
  failures: number | string;
  latency_count: number | string;
  latency_sum: number;
  latency_hist: string;
  ttft_count: number | string;
  ttft_sum: number;
  ttft_hist: string;
  input_tokens: number | string;
  output_tokens: number | string;
  cost_usd: number;
  failures_by_code: string;
}

const rollupColumns =
  'minute, provider, model, requests, successes, failures, latency_count, latency_sum, latency_hist, ttft_count, ttft_sum, ttft_hist, input_tokens, output_tokens, cost_usd, failures_by_code';

function rollupFromRow(row: RollupRow): MinuteRollup {
  return {
    minute: toNumber(row.minute),
    provider: row.provider,
    model: row.model,
    requests: toNumber(row.requests),
    successes: toNumber(row.successes),
    failures: toNumber(row.failures),
    latencyCount: toNumber(row.latency_count),
    latencySumMs: toNumber(row.latency_sum),
    latencyHistogram: parseHistogram(row.latency_hist),
    timeToFirstTokenCount: toNumber(row.ttft_count),
    timeToFirstTokenSumMs: toNumber(row.ttft_sum),
    timeToFirstTokenHistogram: parseHistogram(row.ttft_hist),
    inputTokens: toNumber(row.input_tokens),
    outputTokens: toNumber(row.output_tokens),
    costUsd: toNumber(row.cost_usd),
    failuresByCode: JSON.parse(row.failures_by_code) as Record<string, number>,
  };
}

function rollupValues(rollup: MinuteRollup): SqlValue[] {
  return [
    rollup.minute,
    rollup.provider,
    rollup.model,
    rollup.requests,
    rollup.successes,
    rollup.failures,
    rollup.latencyCount,
    rollup.latencySumMs,
    serializeHistogram(rollup.latencyHistogram),
    rollup.timeToFirstTokenCount,
    rollup.timeToFirstTokenSumMs,
    serializeHistogram(rollup.timeToFirstTokenHistogram),
    rollup.inputTokens,
    rollup.outputTokens,
    rollup.costUsd,
    JSON.stringify(rollup.failuresByCode),
  ];
}

/** One provider and model summed over a window by {@link windowQuery}. */
interface WindowRow {
  provider: string;
  model: string;
  requests: number | string;
  successes: number | string;
  failures: number | string;
  latency_count: number | string;
  latency_sum: number | string;
  latency_hists: string;
  ttft_count: number | string;
  ttft_sum: number | string;
  ttft_hists: string;
  input_tokens: number | string;
  output_tokens: number | string;
  cost_usd: number | string;
  failures_by_code: string;
}

/**
 * One statement answers a window: the database sums every counter per provider and model and
 * joins the stored histograms (JSON arrays) and failure maps with commas, so the client receives
 * one row per pair (a dozen, not a thousand) and parses each list with a single `JSON.parse`.
 * Parameters: hourly range `[?, ?)`, then minute ranges `[?, ?)` and `[?, ?]`; each range is a
 * primary-key range scan.
 */
function windowQuery(backend: 'sqlite' | 'postgres'): string {
  const joined = (column: string) =>
    backend === 'postgres' ? `string_agg(${column}, ',')` : `group_concat(${column}, ',')`;
  const columns =
    'provider, model, requests, successes, failures, latency_count, latency_sum, latency_hist, ttft_count, ttft_sum, ttft_hist, input_tokens, output_tokens, cost_usd, failures_by_code';
  return `SELECT provider, model, sum(requests) AS requests, sum(successes) AS successes,
      sum(failures) AS failures, sum(latency_count) AS latency_count, sum(latency_sum) AS latency_sum,
      ${joined('latency_hist')} AS latency_hists, sum(ttft_count) AS ttft_count, sum(ttft_sum) AS ttft_sum,
      ${joined('ttft_hist')} AS ttft_hists, sum(input_tokens) AS input_tokens,
      sum(output_tokens) AS output_tokens, sum(cost_usd) AS cost_usd,
      ${joined('failures_by_code')} AS failures_by_code
    FROM (
      SELECT ${columns} FROM metric_rollups_hourly WHERE minute >= ? AND minute < ?
      UNION ALL
      SELECT ${columns} FROM metric_rollups WHERE (minute >= ? AND minute < ?) OR (minute >= ? AND minute <= ?)
    ) AS window_rows
    GROUP BY provider, model`;
}

/** Parses a comma-joined list of JSON values (as {@link windowQuery} returns it); bad text is empty. */
function parseJoined(text: string | null): unknown[] {
  if (!text) return [];
  try {
    return JSON.parse(`[${text}]`) as unknown[];
  } catch {
    return [];
  }
}

function aggregateFromWindowRow(row: WindowRow): WindowAggregate {
  const aggregate = emptyAggregate(row.provider, row.model);
  aggregate.requests = toNumber(row.requests);
  aggregate.successes = toNumber(row.successes);
  aggregate.failures = toNumber(row.failures);
  aggregate.latencyCount = toNumber(row.latency_count);
  aggregate.latencySumMs = toNumber(row.latency_sum);
  for (const stored of parseJoined(row.latency_hists)) addStoredToDense(aggregate.latencyHistogram, stored);
  aggregate.timeToFirstTokenCount = toNumber(row.ttft_count);
  aggregate.timeToFirstTokenSumMs = toNumber(row.ttft_sum);
  for (const stored of parseJoined(row.ttft_hists))
    addStoredToDense(aggregate.timeToFirstTokenHistogram, stored);
  aggregate.inputTokens = toNumber(row.input_tokens);
  aggregate.outputTokens = toNumber(row.output_tokens);
  aggregate.costUsd = toNumber(row.cost_usd);
  for (const codes of parseJoined(row.failures_by_code))
    if (codes && typeof codes === 'object' && !Array.isArray(codes))
      addFailureCodes(aggregate.failuresByCode, codes as Record<string, number>);
  return aggregate;
}

type RollupTable = 'metric_rollups' | 'metric_rollups_hourly';

/** First minute of the hour holding `minute`. */
function hourStart(minute: number): number {
  return Math.floor(minute / 60) * 60;
}

/** Minute rollups folded into hour rollups (`minute` = first minute of the hour). */
function hourlyRollups(minutes: readonly MinuteRollup[]): MinuteRollup[] {
  const hours = new Map<string, MinuteRollup>();
  for (const rollup of minutes) {
    const hour = { ...emptyRollup(hourStart(rollup.minute), rollup.provider, rollup.model) };
    const key = rollupKey(hour);
    const existing = hours.get(key) ?? hour;
    mergeRollup(existing, rollup);
    hours.set(key, existing);
  }
  return [...hours.values()];
}

const callColumns =
  'at, provider, model, target, outcome, error_code, stream, latency_ms, ttft_ms, input_tokens, output_tokens, cost_usd';
/** Rows per INSERT: 12 columns × 400 rows stays under PostgreSQL's 65 535 parameters. */
const rowsPerInsert = 400;

/**
 * The durable {@link MetricsStore} over SQLite or PostgreSQL (see `openSqliteDatabase`,
 * `connectPostgresDatabase`). Each flush is one transaction that appends the raw calls and merges
 * their per-minute rollups (read, add, write back; `SELECT … FOR UPDATE` on PostgreSQL so
 * replicas sharing the database never lose each other's counts). A crash therefore loses at most
 * the buffered batch, and the database never holds raw calls without their rollups.
 *
 * @example
 * ```ts
 * const metrics = createSqlMetricsStore(await connectPostgresDatabase({ connectionString: process.env.DATABASE_URL! }));
 * ```
 */
export function createSqlMetricsStore(
  database: SqlDatabase,
  options: MetricsStoreOptions = {},
): MetricsStore {
  const settings = metricsOptionsWithDefaults(options);
  const backend = database.dialect;
  let lastPrune = 0;

  const insertCalls = async (executor: SqlExecutor, calls: readonly CallRecord[]) => {
    if (backend === 'postgres') {
      // One statement per batch: 12 arrays unnested server-side (far fewer bytes and parses than VALUES lists).
      const column = <T>(pick: (call: CallRecord) => T) => calls.map(pick) as unknown as SqlValue;
      await executor.run(
        `INSERT INTO metric_calls (${callColumns}) SELECT * FROM unnest(?::bigint[], ?::text[], ?::text[], ?::text[],
          ?::text[], ?::text[], ?::int[], ?::float8[], ?::float8[], ?::bigint[], ?::bigint[], ?::float8[])`,
        [
          column((call) => call.at),
          column((call) => call.provider),
          column((call) => call.model),
          column((call) => call.target ?? `${call.provider}/${call.model}`),
          column((call) => call.outcome),
          column((call) => call.errorCode ?? null),
          column((call) => (call.stream ? 1 : 0)),
          column((call) => call.latencyMs ?? null),
          column((call) => call.timeToFirstTokenMs ?? null),
          column((call) => call.inputTokens),
          column((call) => call.outputTokens),
          column((call) => call.costUsd),
        ],
      );
      return;
    }
    for (let start = 0; start < calls.length; start += rowsPerInsert) {
      const slice = calls.slice(start, start + rowsPerInsert);
      const params: SqlValue[] = [];
      for (const call of slice)
        params.push(
          call.at,
          call.provider,
          call.model,
          call.target ?? `${call.provider}/${call.model}`,
          call.outcome,
          call.errorCode ?? null,
          call.stream ? 1 : 0,
          call.latencyMs ?? null,
          call.timeToFirstTokenMs ?? null,
          call.inputTokens,
          call.outputTokens,
          call.costUsd,
        );
      await executor.run(
        `INSERT INTO metric_calls (${callColumns}) VALUES ${valuesPlaceholders(slice.length, 12)}`,
        params,
      );
    }
  };
  const mergeRollups = async (
    executor: SqlExecutor,
    rollups: readonly MinuteRollup[],
    table: RollupTable,
  ) => {
    const lock = backend === 'postgres' ? ' FOR UPDATE' : '';
    for (const rollup of rollups) {
      const key = [rollup.minute, rollup.provider, rollup.model];
      const [existing] = await executor.query<RollupRow>(
        `SELECT ${rollupColumns} FROM ${table} WHERE minute = ? AND provider = ? AND model = ?${lock}`,
        key,
      );
      if (existing) {
        const merged = rollupFromRow(existing);
        mergeRollup(merged, rollup);
        const values = rollupValues(merged);
        await executor.run(
          `UPDATE ${table} SET requests = ?, successes = ?, failures = ?, latency_count = ?, latency_sum = ?,
            latency_hist = ?, ttft_count = ?, ttft_sum = ?, ttft_hist = ?, input_tokens = ?, output_tokens = ?,
            cost_usd = ?, failures_by_code = ? WHERE minute = ? AND provider = ? AND model = ?`,
          [...values.slice(3), ...key],
        );
        continue;
      }
      const inserted = await executor.run(
        `INSERT INTO ${table} (${rollupColumns}) VALUES ${valuesPlaceholders(1, 16)}
          ON CONFLICT (minute, provider, model) DO NOTHING`,
        rollupValues(rollup),
      );
      // Another replica inserted the same minute between our SELECT and INSERT: merge into it.
      if (inserted === 0) await mergeRollups(executor, [rollup], table);
    }
  };
  const prune = async () => {
    const now = settings.now();
    lastPrune = now;
    return database.transaction(async (executor) => {
      let rawCallsDeleted = await executor.run('DELETE FROM metric_calls WHERE at < ?', [
        now - settings.rawRetentionMs,
      ]);
      const [newest] = await executor.query<{ id: number | string | null }>(
        'SELECT max(id) AS id FROM metric_calls',
      );
      const newestId = toNullableNumber(newest?.id);
      if (newestId !== null)
        rawCallsDeleted += await executor.run('DELETE FROM metric_calls WHERE id <= ?', [
          newestId - settings.maxRawCalls,
        ]);
      const oldestMinute = Math.floor((now - settings.rollupRetentionMs) / 60_000);
      const rollupsDeleted = await executor.run('DELETE FROM metric_rollups WHERE minute < ?', [
        oldestMinute,
      ]);
      // An hour row goes when its whole hour is past the retention.
      await executor.run('DELETE FROM metric_rollups_hourly WHERE minute < ?', [hourStart(oldestMinute)]);
      return { rawCallsDeleted, rollupsDeleted };
    });
  };
  const buffer = createWriteBuffer<CallRecord>({
    batchSize: settings.batchSize,
    flushIntervalMs: settings.flushIntervalMs,
    maxBuffered: settings.maxBufferedCalls,
    write: async (batch) => {
      await database.transaction(async (executor) => {
        await insertCalls(executor, batch);
        const minutes = rollupCalls(batch);
        await mergeRollups(executor, minutes, 'metric_rollups');
        await mergeRollups(executor, hourlyRollups(minutes), 'metric_rollups_hourly');
      });
      if (settings.now() - lastPrune >= settings.pruneIntervalMs) await prune();
    },
  });
  let closed = false;
  return {
    record(input) {
      if (closed) throw new StoreError({ message: 'The metrics store is closed', backend, reason: 'closed' });
      const call = parseStoreInput(callRecordSchema, input, 'call record', backend);
      buffer.add({
        ...call,
        provider: redactForStorage(call.provider),
        model: redactForStorage(call.model),
        ...(call.target === undefined ? {} : { target: redactForStorage(call.target) }),
      });
    },
    flush: () => buffer.flush(),
    async performance({ hours }) {
      assertFiniteQuery({ hours }, backend);
      const now = settings.now();
      const first = firstMinuteOf(hours, now);
      const last = Math.floor(now / 60_000);
      // Whole hours from the hourly table, the partial hours at both ends from the minute table;
      // a window without a whole hour reads minutes only (an empty hour range).
      let wholeStart = hourStart(first + 59);
      let wholeEnd = hourStart(last + 1);
      if (wholeStart >= wholeEnd) wholeStart = wholeEnd = last + 1;
      const rows = await database.query<WindowRow>(windowQuery(backend), [
        wholeStart,
        wholeEnd,
        first,
        wholeStart,
        wholeEnd,
        last,
      ]);
      return performanceFromAggregates(rows.map(aggregateFromWindowRow), { hours, now });
    },
    async recentCalls({ limit }) {
      assertFiniteQuery({ limit }, backend);
      const rows = await database.query<Record<string, unknown>>(
        `SELECT ${callColumns} FROM metric_calls ORDER BY id DESC LIMIT ?`,
        [Math.max(0, Math.floor(limit))],
      );
      return rows.map((row) => ({
        at: toNumber(row.at),
        provider: String(row.provider),
        model: String(row.model),
        target: String(row.target),
        outcome: row.outcome as CallRecord['outcome'],
        ...(row.error_code == null ? {} : { errorCode: String(row.error_code) }),
        stream: toNumber(row.stream) === 1,
        ...(row.latency_ms == null ? {} : { latencyMs: toNumber(row.latency_ms) }),
        ...(row.ttft_ms == null ? {} : { timeToFirstTokenMs: toNumber(row.ttft_ms) }),
        inputTokens: toNumber(row.input_tokens),
        outputTokens: toNumber(row.output_tokens),
        costUsd: toNumber(row.cost_usd),
      }));
    },
    prune,
    async describe() {
      return {
        backend,
        location: database.location,
        schemaVersion: await database.schemaVersion(),
        buffer: buffer.stats(),
      };
    },
    async close() {
      if (closed) return;
      await buffer.close();
      closed = true;
    },
  };
}
