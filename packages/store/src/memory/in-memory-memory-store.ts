import { refuseAfterClose } from '../refuse-after-close';
import { assertFiniteQuery } from '../validate-input';
import {
  type MemoryEntry,
  type MemoryStore,
  type MemoryStoreOptions,
  memoryOptionsWithDefaults,
} from './memory-store';
import { prepareMemoryEntries } from './prepare-memory-entries';
import { rankMemory } from './rank-memory';

/**
 * A {@link MemoryStore} in this process: bounded, TTL'd, lost on restart and not shared across
 * replicas (use the SQLite or PostgreSQL store for that).
 *
 * @example
 * ```ts
 * const memory = createInMemoryMemoryStore({ ttlMs: 3_600_000 });
 * ```
 */
export function createInMemoryMemoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  const settings = memoryOptionsWithDefaults(options);
  const context = { backend: 'memory' as const, knownSecrets: settings.knownSecrets };
  // Map order is least recently active first.
  const sessions = new Map<string, { lastActive: number; entries: MemoryEntry[] }>();
  const live = (sessionId: string): MemoryEntry[] => {
    const session = sessions.get(sessionId);
    if (!session) return [];
    const cutoff = settings.now() - settings.ttlMs;
    session.entries = session.entries.filter((entry) => entry.createdAt >= cutoff);
    return session.entries;
  };
  const copy = (entry: MemoryEntry): MemoryEntry => ({
    ...entry,
    ...(entry.embedding ? { embedding: [...entry.embedding] } : {}),
  });
  const store: MemoryStore = {
    async append(sessionId, entries) {
      const clean = prepareMemoryEntries(sessionId, entries, context);
      const current = live(sessionId);
      sessions.delete(sessionId);
      sessions.set(sessionId, {
        lastActive: settings.now(),
        entries: [...current, ...clean].slice(-settings.maxEntriesPerSession),
      });
      while (sessions.size > settings.maxSessions) sessions.delete(sessions.keys().next().value as string);
    },
    async recent(sessionId, limit) {
      assertFiniteQuery({ limit }, 'memory');
      return limit <= 0 ? [] : live(sessionId).slice(-limit).map(copy);
    },
    async search(sessionId, embedding, query) {
      assertFiniteQuery({ topK: query.topK, minScore: query.minScore }, 'memory');
      return rankMemory(live(sessionId), embedding, query);
    },
    async clear(sessionId) {
      sessions.delete(sessionId);
    },
    async size() {
      const cutoff = settings.now() - settings.ttlMs;
      return [...sessions.values()].filter((session) => session.lastActive >= cutoff).length;
    },
    async describe() {
      return { backend: 'memory', location: 'process memory', schemaVersion: 0 };
    },
    async close() {},
  };
  return refuseAfterClose(store, { backend: 'memory', name: 'memory store' });
}
