import { refuseAfterClose } from '../refuse-after-close';
import { assertFiniteQuery, parseStoreInput, redactForStorage } from '../validate-input';
import { type CallRecord, callRecordSchema } from './call-record';
import type { MetricsStore, MetricsStoreOptions } from './metrics-store';
import { metricsOptionsWithDefaults } from './metrics-store';
import { addCallToRollup, emptyRollup, type MinuteRollup, rollupKey } from './minute-rollup';
import { firstMinuteOf, performanceFromRollups } from './performance-report';

/**
 * A {@link MetricsStore} in this process: same rollups, bounds and answers as the durable stores,
 * lost on restart. Writes apply at once (there is no database to batch for), so `flush()` is a
 * no-op.
 *
 * @example
 * ```ts
 * const metrics = createInMemoryMetricsStore({ maxRawCalls: 10_000 });
 * ```
 */
export function createInMemoryMetricsStore(options: MetricsStoreOptions = {}): MetricsStore {
  const settings = metricsOptionsWithDefaults(options);
  const rollups = new Map<string, MinuteRollup>();
  let raw: CallRecord[] = [];
  const prune = async () => {
    const now = settings.now();
    const before = raw.length;
    raw = raw.filter((call) => call.at >= now - settings.rawRetentionMs).slice(-settings.maxRawCalls);
    const oldestMinute = Math.floor((now - settings.rollupRetentionMs) / 60_000);
    let rollupsDeleted = 0;
    for (const [key, rollup] of rollups)
      if (rollup.minute < oldestMinute) {
        rollups.delete(key);
        rollupsDeleted += 1;
      }
    return { rawCallsDeleted: before - raw.length, rollupsDeleted };
  };
  let written = 0;
  const store: MetricsStore = {
    record(input) {
      const call = parseStoreInput(callRecordSchema, input, 'call record', 'memory');
      const clean = {
        ...call,
        model: redactForStorage(call.model),
        provider: redactForStorage(call.provider),
      };
      const minute = Math.floor(clean.at / 60_000);
      const key = rollupKey({ minute, provider: clean.provider, model: clean.model });
      let rollup = rollups.get(key);
      if (!rollup) {
        rollup = emptyRollup(minute, clean.provider, clean.model);
        rollups.set(key, rollup);
      }
      addCallToRollup(rollup, clean);
      raw.push(clean);
      written += 1;
      if (raw.length > settings.maxRawCalls * 1.1) raw = raw.slice(-settings.maxRawCalls);
    },
    async flush() {},
    async performance({ hours }) {
      assertFiniteQuery({ hours }, 'memory');
      const now = settings.now();
      const first = firstMinuteOf(hours, now);
      const last = Math.floor(now / 60_000);
      return performanceFromRollups(
        [...rollups.values()].filter((rollup) => rollup.minute >= first && rollup.minute <= last),
        { hours, now },
      );
    },
    async recentCalls({ limit }) {
      assertFiniteQuery({ limit }, 'memory');
      return raw
        .slice(-Math.max(0, limit))
        .reverse()
        .map((call) => ({ ...call }));
    },
    prune,
    async describe() {
      return {
        backend: 'memory',
        location: 'process memory',
        schemaVersion: 0,
        buffer: { buffered: 0, written, dropped: 0, failedWrites: 0 },
      };
    },
    async close() {},
  };
  return refuseAfterClose(store, { backend: 'memory', name: 'metrics store', synchronous: ['record'] });
}
