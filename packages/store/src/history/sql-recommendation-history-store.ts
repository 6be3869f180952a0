import type { SqlDatabase, SqlValue } from '../sql/sql-database';
import { toNullableNumber, toNumber, valuesPlaceholders } from '../sql/sql-database';
import { assertFiniteQuery } from '../validate-input';
import {
  prepareAppliedAt,
  prepareFeedback,
  prepareOutcome,
  prepareRecommendation,
  unknownRecommendation,
} from './prepare-recommendation';
import {
  historyOptionsWithDefaults,
  type RecommendationHistoryOptions,
  type RecommendationHistoryStore,
  recentLimit,
} from './recommendation-history-store';
import type { RecommendationRecord } from './recommendation-record';

const columns =
  'id, kind, created_at, snapshot_fingerprint, source, subject, action, payload, verdict, applied, applied_at, outcome, feedback';

function recordFromRow(row: Record<string, unknown>): RecommendationRecord {
  const json = <T>(value: unknown): T | null => (value == null ? null : (JSON.parse(String(value)) as T));
  return {
    id: String(row.id),
    kind: row.kind as RecommendationRecord['kind'],
    createdAt: toNumber(row.created_at),
    snapshotFingerprint: String(row.snapshot_fingerprint),
    source: row.source as RecommendationRecord['source'],
    subject: String(row.subject),
    action: String(row.action),
    payload: json<Record<string, unknown>>(row.payload) ?? {},
    verdict: json(row.verdict),
    applied: toNumber(row.applied) === 1,
    appliedAt: toNullableNumber(row.applied_at),
    outcome: json(row.outcome),
    feedback: json(row.feedback),
  };
}

/**
 * The durable {@link RecommendationHistoryStore} over SQLite or PostgreSQL. JSON parts (payload,
 * verdict, outcome, feedback) are stored as text, redacted first.
 *
 * @example
 * ```ts
 * const history = createSqlRecommendationHistoryStore(await openSqliteDatabase({ path: 'ballast.db' }));
 * ```
 */
export function createSqlRecommendationHistoryStore(
  database: SqlDatabase,
  options: RecommendationHistoryOptions = {},
): RecommendationHistoryStore {
  const settings = historyOptionsWithDefaults(options);
  const backend = database.dialect;
  const context = { backend, knownSecrets: settings.knownSecrets };
  const get = async (id: string) => {
    const [row] = await database.query(`SELECT ${columns} FROM recommendations WHERE id = ?`, [id]);
    return row ? recordFromRow(row) : undefined;
  };
  const update = async (id: string, assignments: string, values: SqlValue[]) => {
    const changed = await database.run(`UPDATE recommendations SET ${assignments} WHERE id = ?`, [
      ...values,
      id,
    ]);
    if (changed === 0) throw unknownRecommendation(id, backend);
    return (await get(id))!;
  };
  const prune = () =>
    database.transaction(async (executor) => {
      let deleted = await executor.run('DELETE FROM recommendations WHERE created_at < ?', [
        settings.now() - settings.retentionMs,
      ]);
      const [row] = await executor.query<{ count: number | string }>(
        'SELECT count(*) AS count FROM recommendations',
      );
      const excess = toNumber(row?.count) - settings.maxRecords;
      if (excess > 0)
        deleted += await executor.run(
          'DELETE FROM recommendations WHERE id IN (SELECT id FROM recommendations ORDER BY created_at ASC, id ASC LIMIT ?)',
          [excess],
        );
      return deleted;
    });
  return {
    async record(input) {
      const record = prepareRecommendation(input, { ...context, now: settings.now() });
      await database.run(`INSERT INTO recommendations (${columns}) VALUES ${valuesPlaceholders(1, 13)}`, [
        record.id,
        record.kind,
        record.createdAt,
        record.snapshotFingerprint,
        record.source,
        record.subject,
        record.action,
        JSON.stringify(record.payload),
        record.verdict ? JSON.stringify(record.verdict) : null,
        0,
        null,
        null,
        null,
      ]);
      await prune();
      return record;
    },
    markApplied: async (id, appliedAt) =>
      update(id, 'applied = 1, applied_at = ?', [prepareAppliedAt(appliedAt, backend) ?? settings.now()]),
    recordOutcome: (id, outcome) =>
      update(id, 'outcome = ?', [JSON.stringify(prepareOutcome(outcome, context))]),
    recordFeedback: (id, feedback) =>
      update(id, 'feedback = ?', [JSON.stringify(prepareFeedback(feedback, context))]),
    get,
    async recent(query = {}) {
      assertFiniteQuery({ since: query.since, limit: query.limit }, backend);
      const conditions: string[] = [];
      const values: SqlValue[] = [];
      if (query.kind !== undefined) {
        conditions.push('kind = ?');
        values.push(query.kind);
      }
      if (query.subject !== undefined) {
        conditions.push('subject = ?');
        values.push(query.subject);
      }
      if (query.since !== undefined) {
        conditions.push('created_at >= ?');
        values.push(query.since);
      }
      const where = conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
      const rows = await database.query(
        `SELECT ${columns} FROM recommendations ${where} ORDER BY created_at DESC, id DESC LIMIT ?`,
        [...values, recentLimit(query.limit)],
      );
      return rows.map(recordFromRow);
    },
    prune,
    async describe() {
      return { backend, location: database.location, schemaVersion: await database.schemaVersion() };
    },
    async close() {},
  };
}
