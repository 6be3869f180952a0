import type { SqlDatabase, SqlExecutor, SqlValue } from '../sql/sql-database';
import { toNullableNumber, toNumber, valuesPlaceholders } from '../sql/sql-database';
import { tokenize } from '../text/tokenize';
import {
  CollectionVectorIndex,
  describeInProcessIndexes,
  parseVectorIndexOption,
} from './collection-vector-index';
import { collectionFull, parseCollection, prepareChunks, resolveMode } from './prepare-vector-input';
import { runSearch } from './run-search';
import { encodeVector, float32View } from './vector-math';
import {
  type VectorChunk,
  type VectorStore,
  type VectorStoreOptions,
  vectorOptionsWithDefaults,
} from './vector-store';

const rowsPerInsert = 200;

interface CollectionRow {
  dimensions: number | string | null;
  version: number | string;
}

/**
 * The durable {@link VectorStore} over SQLite or PostgreSQL.
 *
 * - Vector search: with pgvector installed on PostgreSQL, `ORDER BY embedding_vector <=> query`
 *   runs in the database. Otherwise in process, over a float32 matrix per collection (exact scan,
 *   or IVF-flat with `vectorIndex`), loaded from the database on the first search, updated in
 *   place by this store's own writes, and reloaded when the collection's `version` (bumped by
 *   every write, from any replica) moved by a write of another process. At most
 *   `maxCachedCollections` matrices are kept. `describe().vectorSearch` and `.vectorIndex` say which.
 * - Lexical search: SQLite FTS5 `bm25()`; PostgreSQL full-text search (`ts_rank_cd` over a
 *   generated `tsvector` with a GIN index).
 * - Hybrid: both fused by reciprocal rank.
 *
 * @example
 * ```ts
 * const vectors = createSqlVectorStore(await openSqliteDatabase({ path: 'ballast.db' }));
 * ```
 */
export function createSqlVectorStore(database: SqlDatabase, options: VectorStoreOptions = {}): VectorStore {
  const settings = vectorOptionsWithDefaults(options);
  const backend = database.dialect;
  const usePgvector = database.hasPgvector;
  const vectorIndex = parseVectorIndexOption(settings.vectorIndex, backend);
  /** In-process vectors per collection, labelled with the collection version they reflect. */
  const cache = new Map<string, { version: number; index: CollectionVectorIndex<number> }>();
  let pgvectorColumnReady: Promise<unknown> | undefined;
  const ensurePgvectorColumn = () => {
    pgvectorColumnReady ??= database.run(
      'ALTER TABLE vector_chunks ADD COLUMN IF NOT EXISTS embedding_vector vector',
    );
    return pgvectorColumnReady;
  };
  const vectorLiteral = (vector: readonly number[]) => `[${vector.join(',')}]`;

  const collectionRow = async (executor: SqlExecutor, name: string) =>
    (
      await executor.query<CollectionRow>(
        'SELECT dimensions, version FROM vector_collections WHERE name = ?',
        [name],
      )
    )[0];

  /** Inserts or replaces chunks; returns the row id of each (by chunk id). */
  const insertChunks = async (executor: SqlExecutor, name: string, chunks: readonly VectorChunk[]) => {
    const columns = usePgvector ? 7 : 6;
    const ids = new Map<string, number>();
    for (let start = 0; start < chunks.length; start += rowsPerInsert) {
      const slice = chunks.slice(start, start + rowsPerInsert);
      const values: SqlValue[] = [];
      for (const chunk of slice) {
        values.push(
          name,
          chunk.id,
          chunk.documentId,
          chunk.text,
          JSON.stringify(chunk.metadata ?? {}),
          chunk.embedding ? encodeVector(chunk.embedding) : null,
        );
        if (usePgvector) values.push(chunk.embedding ? vectorLiteral(chunk.embedding) : null);
      }
      const placeholders = usePgvector
        ? slice.map(() => '(?, ?, ?, ?, ?, ?, ?::vector)').join(', ')
        : valuesPlaceholders(slice.length, columns);
      const rows = await executor.query<{ id: number | string; chunk_id: string }>(
        `INSERT INTO vector_chunks (collection, chunk_id, document_id, text, metadata, embedding${usePgvector ? ', embedding_vector' : ''})
          VALUES ${placeholders}
          ON CONFLICT (collection, chunk_id) DO UPDATE SET document_id = excluded.document_id, text = excluded.text,
            metadata = excluded.metadata, embedding = excluded.embedding${usePgvector ? ', embedding_vector = excluded.embedding_vector' : ''}
          RETURNING id, chunk_id`,
        values,
      );
      for (const row of rows) ids.set(row.chunk_id, toNumber(row.id));
    }
    return ids;
  };

  /** Keeps `cache` in LRU order and within its bound. */
  const touch = (name: string, entry: { version: number; index: CollectionVectorIndex<number> }) => {
    cache.delete(name);
    cache.set(name, entry);
    while (cache.size > settings.maxCachedCollections) cache.delete(cache.keys().next().value as string);
  };

  /**
   * After this store's own committed write moved the collection from `newVersion - 1` to
   * `newVersion`: applies it to the cached matrix when the matrix reflects `newVersion - 1`
   * (nobody else wrote in between), otherwise drops the matrix (the next search reloads it).
   */
  const applyOwnWrite = (
    name: string,
    newVersion: number,
    apply: (index: CollectionVectorIndex<number>) => void,
  ) => {
    const entry = cache.get(name);
    if (!entry) return;
    if (entry.version !== newVersion - 1) {
      cache.delete(name);
      return;
    }
    apply(entry.index);
    entry.version = newVersion;
  };

  const inProcessSearch = async (
    name: string,
    version: number,
    dimensions: number,
    query: readonly number[],
    k: number,
  ) => {
    let entry = cache.get(name);
    if (!entry || entry.version !== version || entry.index.dimensions !== dimensions) {
      const rows = await database.query<{ id: number | string; embedding: Uint8Array }>(
        'SELECT id, embedding FROM vector_chunks WHERE collection = ? AND embedding IS NOT NULL ORDER BY id',
        [name],
      );
      // Labelled with the version read before the rows: the rows are at least that new, so a
      // later write can only make the label look older than the data (a reload), never newer.
      const index = new CollectionVectorIndex<number>(dimensions, vectorIndex);
      index.reserve(rows.length);
      for (const row of rows) index.set(toNumber(row.id), float32View(row.embedding));
      entry = { version, index };
    }
    touch(name, entry);
    return entry.index.search(query, k);
  };

  const pgvectorSearch = async (name: string, query: readonly number[], k: number) => {
    await ensurePgvectorColumn();
    const literal = vectorLiteral(query);
    const rows = await database.query<{ id: number | string; score: number }>(
      `SELECT id, 1 - (embedding_vector <=> ?::vector) AS score FROM vector_chunks
        WHERE collection = ? AND embedding_vector IS NOT NULL ORDER BY embedding_vector <=> ?::vector, id LIMIT ?`,
      [literal, name, literal, k],
    );
    return rows.map((row) => ({ key: toNumber(row.id), score: toNumber(row.score) }));
  };

  const lexicalSearch = async (name: string, text: string, k: number) => {
    const tokens = [...new Set(tokenize(text))].slice(0, 64);
    if (tokens.length === 0) return [];
    const rows =
      backend === 'sqlite'
        ? await database.query<{ id: number; score: number }>(
            `SELECT c.id AS id, -bm25(vector_chunks_fts) AS score FROM vector_chunks_fts
              JOIN vector_chunks c ON c.id = vector_chunks_fts.rowid
              WHERE vector_chunks_fts MATCH ? AND c.collection = ? ORDER BY bm25(vector_chunks_fts), c.id LIMIT ?`,
            [tokens.map((token) => `"${token}"`).join(' OR '), name, k],
          )
        : await database.query<{ id: string; score: number }>(
            `SELECT id, ts_rank_cd(tsv, query) AS score FROM vector_chunks, to_tsquery('simple', ?) AS query
              WHERE collection = ? AND tsv @@ query ORDER BY score DESC, id LIMIT ?`,
            [tokens.map((token) => `'${token}'`).join(' | '), name, k],
          );
    return rows.map((row) => ({ key: toNumber(row.id), score: toNumber(row.score) }));
  };

  return {
    async upsert(name, chunks) {
      parseCollection(name, backend);
      if (usePgvector) await ensurePgvectorColumn();
      const written = await database.transaction(async (executor) => {
        let row = await collectionRow(executor, name);
        if (!row) {
          const [count] = await executor.query<{ count: number | string }>(
            'SELECT count(*) AS count FROM vector_collections',
          );
          if (toNumber(count?.count) >= settings.maxCollections)
            throw collectionFull(name, settings.maxCollections, backend);
          await executor.run(
            'INSERT INTO vector_collections (name, dimensions, embedding_space, version, created_at) VALUES (?, NULL, NULL, ?, ?)',
            // A recreated collection must not match a version another replica cached for the old one.
            [name, Date.now(), Date.now()],
          );
          row = { dimensions: null, version: 0 };
        }
        const prepared = prepareChunks(chunks, {
          backend,
          knownSecrets: settings.knownSecrets,
          dimensions: toNullableNumber(row.dimensions),
        });
        // One row per id within a statement (PostgreSQL refuses to upsert a row twice): last wins.
        const unique = [...new Map(prepared.chunks.map((chunk) => [chunk.id, chunk])).values()];
        const ids = await insertChunks(executor, name, unique);
        const [count] = await executor.query<{ count: number | string }>(
          'SELECT count(*) AS count FROM vector_chunks WHERE collection = ?',
          [name],
        );
        if (toNumber(count?.count) > settings.maxChunksPerCollection)
          throw collectionFull(name, settings.maxChunksPerCollection, backend);
        const [bumped] = await executor.query<{ version: number | string }>(
          'UPDATE vector_collections SET dimensions = ?, version = version + 1 WHERE name = ? RETURNING version',
          [prepared.dimensions, name],
        );
        return { version: toNumber(bumped?.version), ids, chunks: unique };
      });
      applyOwnWrite(name, written.version, (index) => {
        for (const chunk of written.chunks) {
          const id = written.ids.get(chunk.id);
          if (id === undefined) continue;
          if (chunk.embedding) index.set(id, chunk.embedding);
          else index.delete(id);
        }
      });
    },
    async search(name, query) {
      const mode = resolveMode(query, backend);
      const row = await collectionRow(database, name);
      if (!row) return { mode, hits: [] };
      const dimensions = toNullableNumber(row.dimensions);
      const ranked = await runSearch(mode, query.topK, {
        vector: async (k) => {
          if (dimensions === null || query.embedding!.length !== dimensions) return [];
          return usePgvector
            ? pgvectorSearch(name, query.embedding!, k)
            : inProcessSearch(name, toNumber(row.version), dimensions, query.embedding!, k);
        },
        lexical: (k) => lexicalSearch(name, query.text!, k),
      });
      if (ranked.length === 0) return { mode, hits: [] };
      const rows = await database.query<{
        id: number | string;
        chunk_id: string;
        document_id: string;
        text: string;
        metadata: string;
      }>(
        `SELECT id, chunk_id, document_id, text, metadata FROM vector_chunks WHERE id IN (${ranked.map(() => '?').join(', ')})`,
        ranked.map((hit) => hit.key),
      );
      const byId = new Map(rows.map((chunk) => [toNumber(chunk.id), chunk]));
      return {
        mode,
        hits: ranked.flatMap(({ key, score }) => {
          const chunk = byId.get(key);
          return chunk
            ? [
                {
                  id: chunk.chunk_id,
                  documentId: chunk.document_id,
                  text: chunk.text,
                  metadata: JSON.parse(chunk.metadata) as Record<string, string>,
                  score,
                },
              ]
            : [];
        }),
      };
    },
    async collections() {
      const rows = await database.query<{ name: string; dimensions: number | null; chunks: number | string }>(
        `SELECT c.name AS name, c.dimensions AS dimensions, (SELECT count(*) FROM vector_chunks v WHERE v.collection = c.name) AS chunks
          FROM vector_collections c ORDER BY c.name`,
      );
      return rows.map((row) => ({
        name: row.name,
        chunks: toNumber(row.chunks),
        dimensions: toNullableNumber(row.dimensions),
      }));
    },
    async deleteDocument(name, documentId) {
      const deleted = await database.transaction(async (executor) => {
        const rows = await executor.query<{ id: number | string }>(
          'DELETE FROM vector_chunks WHERE collection = ? AND document_id = ? RETURNING id',
          [name, documentId],
        );
        if (rows.length === 0) return { ids: [], version: null };
        const [bumped] = await executor.query<{ version: number | string }>(
          'UPDATE vector_collections SET version = version + 1 WHERE name = ? RETURNING version',
          [name],
        );
        return { ids: rows.map((row) => toNumber(row.id)), version: toNullableNumber(bumped?.version) };
      });
      if (deleted.version !== null)
        applyOwnWrite(name, deleted.version, (index) => {
          for (const id of deleted.ids) index.delete(id);
        });
      return deleted.ids.length;
    },
    async deleteCollection(name) {
      await database.transaction(async (executor) => {
        await executor.run('DELETE FROM vector_chunks WHERE collection = ?', [name]);
        await executor.run('DELETE FROM vector_collections WHERE name = ?', [name]);
      });
      cache.delete(name);
    },
    async describe() {
      return {
        backend,
        location: database.location,
        schemaVersion: await database.schemaVersion(),
        ...(usePgvector
          ? {
              vectorSearch: 'pgvector' as const,
              vectorIndex: {
                location: 'database' as const,
                engine: 'pgvector' as const,
                cachedCollections: 0,
                cachedBytes: 0,
              },
            }
          : describeInProcessIndexes(
              vectorIndex,
              [...cache.values()].map((entry) => entry.index),
            )),
        lexicalSearch: backend === 'sqlite' ? 'sqlite-fts5-bm25' : 'postgres-full-text',
      };
    },
    async close() {
      cache.clear();
    },
  };
}
