import { refuseAfterClose } from '../refuse-after-close';
import { assertFiniteQuery } from '../validate-input';
import {
  type AuditEntry,
  type AuditLogOptions,
  type AuditLogStore,
  auditLimit,
  auditOptionsWithDefaults,
} from './audit-log-store';
import { prepareAuditEntries, prepareAuditEntry } from './prepare-audit-entry';

/**
 * An {@link AuditLogStore} in this process (bounded, lost on restart).
 *
 * @example
 * ```ts
 * const audit = createInMemoryAuditLogStore({ maxEntries: 10_000 });
 * ```
 */
export function createInMemoryAuditLogStore(options: AuditLogOptions = {}): AuditLogStore {
  const settings = auditOptionsWithDefaults(options);
  let entries: AuditEntry[] = [];
  let nextId = 1;
  /**
   * The append path trims only the front of the log: entries arrive in time order, so the expired
   * and the overflowing ones are the oldest. This keeps an append O(1) amortised (a full filter on
   * every 100th append cost up to a few hundred µs at 500 000 entries, on the gateway's hot path);
   * `prune()` still filters everything, out-of-order entries included.
   */
  const trimFront = () => {
    const cutoff = settings.now() - settings.retentionMs;
    let drop = Math.max(0, entries.length - settings.maxEntries);
    while (drop < entries.length && entries[drop]!.at < cutoff) drop++;
    if (drop > 0) entries.splice(0, drop);
  };
  const prune = async () => {
    const before = entries.length;
    const cutoff = settings.now() - settings.retentionMs;
    entries = entries.filter((entry) => entry.at >= cutoff).slice(-settings.maxEntries);
    return before - entries.length;
  };
  const store = (entry: AuditEntry) => {
    entries.push(entry);
    // Over the bound: drop a slice of the oldest at once (1 % of the bound, at least one), so the
    // splice that shifts the array runs once per many appends rather than on every one.
    if (entries.length > settings.maxEntries) {
      entries.splice(0, Math.min(entries.length, Math.max(1, Math.ceil(settings.maxEntries / 100))));
    }
    if (entry.id % 100 === 0) trimFront();
  };
  const context = () => ({
    backend: 'memory' as const,
    knownSecrets: settings.knownSecrets,
    now: settings.now(),
  });
  const log: AuditLogStore = {
    async append(input) {
      const entry = { id: nextId++, ...prepareAuditEntry(input, context()) };
      store(entry);
      return structuredClone(entry);
    },
    async appendMany(inputs) {
      // Validated first, so a bad entry appends nothing; no copies are returned (the caller keeps
      // its inputs), which saves a structured clone per entry.
      for (const prepared of prepareAuditEntries(inputs, context())) store({ id: nextId++, ...prepared });
      return inputs.length;
    },
    async list(query = {}) {
      assertFiniteQuery({ since: query.since, limit: query.limit }, 'memory');
      return entries
        .filter(
          (entry) =>
            (query.kind === undefined || entry.kind === query.kind) &&
            (query.since === undefined || entry.at >= query.since),
        )
        .sort((a, b) => b.at - a.at || b.id - a.id)
        .slice(0, auditLimit(query.limit))
        .map((entry) => structuredClone(entry));
    },
    prune,
    async describe() {
      return { backend: 'memory', location: 'process memory', schemaVersion: 0 };
    },
    async close() {},
  };
  return refuseAfterClose(log, { backend: 'memory', name: 'audit log' });
}
