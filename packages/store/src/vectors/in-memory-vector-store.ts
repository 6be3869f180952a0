import { Bm25Index } from '../text/bm25-index';
import { ExactVectorIndex } from './exact-vector-index';
import { collectionFull, parseCollection, prepareChunks, resolveMode } from './prepare-vector-input';
import { runSearch } from './run-search';
import {
  type VectorChunk,
  type VectorStore,
  type VectorStoreOptions,
  vectorOptionsWithDefaults,
} from './vector-store';

interface Collection {
  dimensions: number | null;
  chunks: Map<string, VectorChunk>;
  vectorIndex?: ExactVectorIndex<string>;
  lexicalIndex?: { index: Bm25Index; ids: string[] };
}

/**
 * A {@link VectorStore} in this process: exact cosine scan and in-process BM25, both indexes
 * rebuilt lazily after a write. Lost on restart.
 *
 * @example
 * ```ts
 * const vectors = createInMemoryVectorStore({ maxChunksPerCollection: 50_000 });
 * ```
 */
export function createInMemoryVectorStore(options: VectorStoreOptions = {}): VectorStore {
  const settings = vectorOptionsWithDefaults(options);
  const backend = 'memory' as const;
  const collections = new Map<string, Collection>();
  const withoutEmbedding = (chunk: VectorChunk) => ({
    id: chunk.id,
    documentId: chunk.documentId,
    text: chunk.text,
    metadata: { ...(chunk.metadata ?? {}) },
  });
  return {
    async upsert(name, chunks) {
      parseCollection(name, backend);
      let collection = collections.get(name);
      if (!collection && collections.size >= settings.maxCollections)
        throw collectionFull(name, settings.maxCollections, backend);
      const prepared = prepareChunks(chunks, {
        backend,
        knownSecrets: settings.knownSecrets,
        dimensions: collection?.dimensions ?? null,
      });
      collection ??= { dimensions: null, chunks: new Map() };
      const added = prepared.chunks.filter((chunk) => !collection!.chunks.has(chunk.id)).length;
      if (collection.chunks.size + added > settings.maxChunksPerCollection)
        throw collectionFull(name, settings.maxChunksPerCollection, backend);
      for (const chunk of prepared.chunks) collection.chunks.set(chunk.id, chunk);
      collection.dimensions = prepared.dimensions;
      delete collection.vectorIndex;
      delete collection.lexicalIndex;
      collections.set(name, collection);
    },
    async search(name, query) {
      const mode = resolveMode(query, backend);
      const collection = collections.get(name);
      if (!collection) return { mode, hits: [] };
      const ranked = await runSearch(mode, query.topK, {
        vector: async (k) => {
          if (collection.dimensions === null || query.embedding!.length !== collection.dimensions) return [];
          if (!collection.vectorIndex) {
            const embedded = [...collection.chunks.values()].filter((chunk) => chunk.embedding);
            collection.vectorIndex = new ExactVectorIndex(
              embedded.map((chunk) => chunk.id),
              embedded.map((chunk) => chunk.embedding!),
              collection.dimensions,
            );
          }
          return collection.vectorIndex.search(query.embedding!, k);
        },
        lexical: async (k) => {
          if (!collection.lexicalIndex) {
            const ids = [...collection.chunks.keys()];
            collection.lexicalIndex = {
              ids,
              index: new Bm25Index(ids.map((id) => collection.chunks.get(id)!.text)),
            };
          }
          const { index, ids } = collection.lexicalIndex;
          return index.search(query.text!, k).map((hit) => ({ key: ids[hit.document]!, score: hit.score }));
        },
      });
      return {
        mode,
        hits: ranked.map(({ key, score }) => ({ ...withoutEmbedding(collection.chunks.get(key)!), score })),
      };
    },
    async collections() {
      return [...collections]
        .map(([name, collection]) => ({
          name,
          chunks: collection.chunks.size,
          dimensions: collection.dimensions,
        }))
        .sort((a, b) => a.name.localeCompare(b.name));
    },
    async deleteDocument(name, documentId) {
      const collection = collections.get(name);
      if (!collection) return 0;
      let deleted = 0;
      for (const [id, chunk] of collection.chunks)
        if (chunk.documentId === documentId) {
          collection.chunks.delete(id);
          deleted += 1;
        }
      delete collection.vectorIndex;
      delete collection.lexicalIndex;
      return deleted;
    },
    async deleteCollection(name) {
      collections.delete(name);
    },
    async describe() {
      return {
        backend,
        location: 'process memory',
        schemaVersion: 0,
        vectorSearch: 'exact-scan',
        lexicalSearch: 'bm25',
      };
    },
    async close() {},
  };
}
