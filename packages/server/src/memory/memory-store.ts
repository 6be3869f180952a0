import { cosineSimilarity } from './embedder';

/** One remembered turn of a session. */
export interface MemoryEntry {
  role: 'user' | 'assistant';
  content: string;
  /** Epoch milliseconds. */
  createdAt: number;
  /** Vector of `content` in the store's embedding space, when an embedder is configured. */
  embedding?: number[];
}

/** A recalled entry with its cosine similarity to the query. */
export interface ScoredMemoryEntry extends MemoryEntry {
  score: number;
}

/**
 * Session memory behind the gateway's `session_id`. Async so SQLite, PostgreSQL (pgvector) or
 * Redis can implement it; `sessionId` is already namespaced by the caller's API key, so stores
 * never see one tenant's id in another's space.
 */
export interface MemoryStore {
  append(sessionId: string, entries: readonly MemoryEntry[]): Promise<void>;
  /** The last `limit` entries, oldest first. */
  recent(sessionId: string, limit: number): Promise<MemoryEntry[]>;
  /** Entries most similar to `embedding` (cosine), best first, at least `minScore`. */
  search(
    sessionId: string,
    embedding: readonly number[],
    options: { topK: number; minScore: number; excludeRecent?: number },
  ): Promise<ScoredMemoryEntry[]>;
  clear(sessionId: string): Promise<void>;
  /** Number of sessions held (for health). */
  size(): Promise<number>;
}

/** Options of {@link createInMemoryMemoryStore}. */
export interface InMemoryMemoryStoreOptions {
  /** Entries kept per session (oldest dropped). Default 200. */
  maxEntriesPerSession?: number;
  /** Sessions kept (least recently used dropped). Default 10 000. */
  maxSessions?: number;
  /** Entries older than this are forgotten. Default 24 h. */
  ttlMs?: number;
  now?: () => number;
}

/**
 * The default {@link MemoryStore}: bounded, TTL'd, in this process only (lost on restart, not
 * shared across replicas: use a durable store for that).
 *
 * @example
 * ```ts
 * const store = createInMemoryMemoryStore({ ttlMs: 3_600_000 });
 * await store.append('key:session-1', [{ role: 'user', content: 'hi', createdAt: Date.now() }]);
 * ```
 */
export function createInMemoryMemoryStore(options: InMemoryMemoryStoreOptions = {}): MemoryStore {
  const maxEntries = options.maxEntriesPerSession ?? 200;
  const maxSessions = options.maxSessions ?? 10_000;
  const ttlMs = options.ttlMs ?? 86_400_000;
  const now = options.now ?? (() => Date.now());
  const sessions = new Map<string, MemoryEntry[]>();
  const live = (sessionId: string): MemoryEntry[] => {
    const entries = sessions.get(sessionId);
    if (!entries) return [];
    const cutoff = now() - ttlMs;
    const kept = entries.filter((entry) => entry.createdAt >= cutoff);
    if (kept.length !== entries.length) sessions.set(sessionId, kept);
    return kept;
  };
  return {
    async append(sessionId, entries) {
      const current = live(sessionId);
      sessions.delete(sessionId); // re-insert: map order is least recently used first
      const next = [...current, ...entries.map((entry) => ({ ...entry }))].slice(-maxEntries);
      sessions.set(sessionId, next);
      while (sessions.size > maxSessions) sessions.delete(sessions.keys().next().value as string);
    },
    async recent(sessionId, limit) {
      return limit <= 0 ? [] : live(sessionId).slice(-limit);
    },
    async search(sessionId, embedding, { topK, minScore, excludeRecent = 0 }) {
      const entries = live(sessionId);
      const pool =
        excludeRecent > 0 ? entries.slice(0, Math.max(0, entries.length - excludeRecent)) : entries;
      return pool
        .filter((entry) => entry.embedding !== undefined)
        .map((entry) => ({ ...entry, score: cosineSimilarity(embedding, entry.embedding!) }))
        .filter((entry) => entry.score >= minScore)
        .sort((a, b) => b.score - a.score)
        .slice(0, topK);
    },
    async clear(sessionId) {
      sessions.delete(sessionId);
    },
    async size() {
      return sessions.size;
    },
  };
}
