import { refuseAfterClose } from '../refuse-after-close';
import { Bm25Index } from '../text/bm25-index';
import {
  CollectionVectorIndex,
  describeInProcessIndexes,
  parseVectorIndexOption,
} from './collection-vector-index';
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
  /** Kept in step with every write (never rebuilt). */
  vectors?: CollectionVectorIndex<string>;
  lexicalIndex?: { index: Bm25Index; ids: string[] };
}

/**
 * A {@link VectorStore} in this process: cosine search over a float32 matrix per collection that
 * every write updates in place (exact, or IVF-flat with `vectorIndex`), and in-process BM25
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
  const vectorIndex = parseVectorIndexOption(settings.vectorIndex, backend);
  const collections = new Map<string, Collection>();
  const withoutEmbedding = (chunk: VectorChunk) => ({
    id: chunk.id,
    documentId: chunk.documentId,
    text: chunk.text,
    metadata: { ...(chunk.metadata ?? {}) },
  });
  const store: VectorStore = {
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
      if (prepared.dimensions !== null) {
        collection.vectors ??= new CollectionVectorIndex(prepared.dimensions, vectorIndex);
        for (const chunk of prepared.chunks)
          if (chunk.embedding) collection.vectors.set(chunk.id, chunk.embedding);
          else collection.vectors.delete(chunk.id);
      }
      delete collection.lexicalIndex;
      collections.set(name, collection);
    },
    async search(name, query) {
      const mode = resolveMode(query, backend);
      const collection = collections.get(name);
      if (!collection) return { mode, hits: [] };
      const ranked = await runSearch(mode, query.topK, {
        vector: async (k) => {
          if (!collection.vectors || query.embedding!.length !== collection.vectors.dimensions) return [];
          return collection.vectors.search(query.embedding!, k);
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
          collection.vectors?.delete(id);
          deleted += 1;
        }
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
        ...describeInProcessIndexes(
          vectorIndex,
          [...collections.values()].flatMap((collection) => (collection.vectors ? [collection.vectors] : [])),
        ),
        lexicalSearch: 'bm25',
      };
    },
    async close() {},
  };
  return refuseAfterClose(store, { backend: 'memory', name: 'vector store' });
}
