import { z } from 'zod';
import type { StoreDescription } from '../store-description';
import { storedText } from '../validate-input';

/** One remembered turn of a conversation. */
export const memoryEntrySchema = z
  .object({
    role: z.enum(['user', 'assistant']),
    content: storedText().max(100_000),
    /** Epoch milliseconds. */
    createdAt: z.number().int().nonnegative(),
    /** Vector of `content`, when an embedding model is configured. */
    embedding: z.array(z.number().finite()).max(8_192).optional(),
  })
  .strict();

/**
 * One remembered turn (validated by {@link memoryEntrySchema}). Written out rather than inferred
 * so `embedding` is absent, never `undefined`, under `exactOptionalPropertyTypes`.
 */
export interface MemoryEntry {
  role: 'user' | 'assistant';
  content: string;
  /** Epoch milliseconds. */
  createdAt: number;
  embedding?: number[];
}

/** A recalled entry with its cosine similarity to the query. */
export interface ScoredMemoryEntry extends MemoryEntry {
  score: number;
}

/** Bounds of a memory store. */
export interface MemoryStoreOptions {
  /** Entries kept per session (oldest dropped). Default 200. */
  maxEntriesPerSession?: number;
  /** Sessions kept (least recently active dropped). Default 10 000. */
  maxSessions?: number;
  /** Entries older than this are forgotten. Default 24 h. */
  ttlMs?: number;
  /** Extra secret values to redact from stored text. */
  knownSecrets?: readonly string[];
  now?: () => number;
}

/**
 * Conversation memory per `session_id` (the gateway namespaces ids by API key, so one tenant never
 * reads another's). Bounded per session, in sessions and in time; contents are redacted before
 * they are stored.
 *
 * @example
 * ```ts
 * await memory.append('key-1:chat-7', [{ role: 'user', content: 'My name is Ada', createdAt: Date.now() }]);
 * const turns = await memory.recent('key-1:chat-7', 10);
 * ```
 */
export interface MemoryStore {
  /**
   * Appends entries to a session.
   * @throws {StoreError} `invalid_input` for an entry that does not match {@link memoryEntrySchema}.
   */
  append(sessionId: string, entries: readonly MemoryEntry[]): Promise<void>;
  /** The last `limit` entries, oldest first. */
  recent(sessionId: string, limit: number): Promise<MemoryEntry[]>;
  /** Entries most similar to `embedding` (cosine), best first, scoring at least `minScore`. */
  search(
    sessionId: string,
    embedding: readonly number[],
    options: { topK: number; minScore: number; excludeRecent?: number },
  ): Promise<ScoredMemoryEntry[]>;
  clear(sessionId: string): Promise<void>;
  /** Number of live sessions. */
  size(): Promise<number>;
  describe(): Promise<StoreDescription>;
  close(): Promise<void>;
}

/** Options with defaults applied. */
export function memoryOptionsWithDefaults(options: MemoryStoreOptions) {
  return {
    maxEntriesPerSession: options.maxEntriesPerSession ?? 200,
    maxSessions: options.maxSessions ?? 10_000,
    ttlMs: options.ttlMs ?? 86_400_000,
    knownSecrets: options.knownSecrets ?? [],
    now: options.now ?? (() => Date.now()),
  };
}
