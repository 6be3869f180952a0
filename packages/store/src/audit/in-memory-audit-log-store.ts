import {
  type AuditEntry,
  type AuditLogOptions,
  type AuditLogStore,
  auditLimit,
  auditOptionsWithDefaults,
} from './audit-log-store';
import { prepareAuditEntry } from './prepare-audit-entry';

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
  const prune = async () => {
    const before = entries.length;
    const cutoff = settings.now() - settings.retentionMs;
    entries = entries.filter((entry) => entry.at >= cutoff).slice(-settings.maxEntries);
    return before - entries.length;
  };
  return {
    async append(input) {
      const entry = {
        id: nextId++,
        ...prepareAuditEntry(input, {
          backend: 'memory',
          knownSecrets: settings.knownSecrets,
          now: settings.now(),
        }),
      };
      entries.push(entry);
      if (entries.length > settings.maxEntries || entry.id % 100 === 0) await prune();
      return structuredClone(entry);
    },
    async list(query = {}) {
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
}
