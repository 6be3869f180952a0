import type { SqlDatabase, SqlValue } from '../sql/sql-database';
import { toNumber, valuesPlaceholders } from '../sql/sql-database';
import { assertFiniteQuery } from '../validate-input';
import { decodeVector, encodeVector } from '../vectors/vector-math';
import {
  type MemoryEntry,
  type MemoryStore,
  type MemoryStoreOptions,
  memoryOptionsWithDefaults,
} from './memory-store';
import { prepareMemoryEntries } from './prepare-memory-entries';
import { rankMemory } from './rank-memory';

interface EntryRow {
  role: string;
  content: string;
  created_at: number | string;
  embedding: Uint8Array | null;
}

function entryFromRow(row: EntryRow): MemoryEntry {
  return {
    role: row.role as MemoryEntry['role'],
    content: row.content,
    createdAt: toNumber(row.created_at),
    ...(row.embedding ? { embedding: Array.from(decodeVector(row.embedding)) } : {}),
  };
}

/**
 * The durable {@link MemoryStore} over SQLite or PostgreSQL, shared by every replica that opens
 * the same database. Bounds are enforced in the append transaction; embeddings are stored as
 * float32 bytes and ranked in process (a session holds at most `maxEntriesPerSession` entries).
 *
 * @example
 * ```ts
 * const memory = createSqlMemoryStore(await openSqliteDatabase({ path: 'ballast.db' }), { ttlMs: 86_400_000 });
 * ```
 */
export function createSqlMemoryStore(database: SqlDatabase, options: MemoryStoreOptions = {}): MemoryStore {
  const settings = memoryOptionsWithDefaults(options);
  const backend = database.dialect;
  const context = { backend, knownSecrets: settings.knownSecrets };
  const cutoff = () => settings.now() - settings.ttlMs;
  const liveEntries = async (sessionId: string, limit: number) => {
    const rows = await database.query<EntryRow>(
      'SELECT role, content, created_at, embedding FROM memory_entries WHERE session_id = ? AND created_at >= ? ORDER BY id DESC LIMIT ?',
      [sessionId, cutoff(), limit],
    );
    return rows.reverse().map(entryFromRow);
  };
  return {
    async append(sessionId, entries) {
      const clean = prepareMemoryEntries(sessionId, entries, context);
      const now = settings.now();
      await database.transaction(async (executor) => {
        if (clean.length) {
          const values: SqlValue[] = [];
          for (const entry of clean)
            values.push(
              sessionId,
              entry.role,
              entry.content,
              entry.createdAt,
              entry.embedding ? encodeVector(entry.embedding) : null,
            );
          await executor.run(
            `INSERT INTO memory_entries (session_id, role, content, created_at, embedding) VALUES ${valuesPlaceholders(clean.length, 5)}`,
            values,
          );
        }
        await executor.run(
          'INSERT INTO memory_sessions (session_id, last_active) VALUES (?, ?) ON CONFLICT (session_id) DO UPDATE SET last_active = excluded.last_active',
          [sessionId, now],
        );
        // Per-session bound, then expired entries of this session.
        await executor.run(
          `DELETE FROM memory_entries WHERE session_id = ? AND id <= (
            SELECT id FROM memory_entries WHERE session_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?)`,
          [sessionId, sessionId, settings.maxEntriesPerSession],
        );
        await executor.run('DELETE FROM memory_entries WHERE session_id = ? AND created_at < ?', [
          sessionId,
          now - settings.ttlMs,
        ]);
        // Session bound and expiry: the least recently active sessions go, with their entries.
        const [count] = await executor.query<{ count: number | string }>(
          'SELECT count(*) AS count FROM memory_sessions',
        );
        const excess = toNumber(count?.count) - settings.maxSessions;
        const stale = await executor.query<{ session_id: string }>(
          'SELECT session_id FROM memory_sessions WHERE last_active < ? OR session_id IN (SELECT session_id FROM memory_sessions ORDER BY last_active ASC, session_id ASC LIMIT ?)',
          [now - settings.ttlMs, Math.max(0, excess)],
        );
        for (const { session_id } of stale) {
          await executor.run('DELETE FROM memory_entries WHERE session_id = ?', [session_id]);
          await executor.run('DELETE FROM memory_sessions WHERE session_id = ?', [session_id]);
        }
      });
    },
    async recent(sessionId, limit) {
      assertFiniteQuery({ limit }, backend);
      return limit <= 0 ? [] : liveEntries(sessionId, Math.floor(limit));
    },
    async search(sessionId, embedding, query) {
      assertFiniteQuery({ topK: query.topK, minScore: query.minScore }, backend);
      return rankMemory(await liveEntries(sessionId, settings.maxEntriesPerSession), embedding, query);
    },
    async clear(sessionId) {
      await database.transaction(async (executor) => {
        await executor.run('DELETE FROM memory_entries WHERE session_id = ?', [sessionId]);
        await executor.run('DELETE FROM memory_sessions WHERE session_id = ?', [sessionId]);
      });
    },
    async size() {
      const [row] = await database.query<{ count: number | string }>(
        'SELECT count(*) AS count FROM memory_sessions WHERE last_active >= ?',
        [cutoff()],
      );
      return toNumber(row?.count);
    },
    async describe() {
      return { backend, location: database.location, schemaVersion: await database.schemaVersion() };
    },
    async close() {},
  };
}
