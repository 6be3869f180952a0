import { cosineSimilarity } from './embedder';

/** One stored chunk of a document. */
export interface RagChunk {
  /** Unique in its collection (`<documentId>#<n>`). */
  id: string;
  documentId: string;
  text: string;
  embedding: number[];
  metadata?: Record<string, string>;
}

/** A retrieved chunk with its cosine similarity to the query. */
export interface ScoredRagChunk extends RagChunk {
  score: number;
}

/**
 * Document retrieval behind the gateway's `rag_collection` / `rag_top_k`. Async so SQLite,
 * PostgreSQL (pgvector) or Redis can implement it.
 */
export interface RagStore {
  /** Adds or replaces chunks (by id). */
  upsert(collection: string, chunks: readonly RagChunk[]): Promise<void>;
  /**
   * The `topK` chunks most similar to `embedding` (cosine), best first. Stores that also index
   * words (the `@ballast/store` vector stores) fuse a lexical ranking of `text` when it is given.
   */
  query(
    collection: string,
    embedding: readonly number[],
    topK: number,
    text?: string,
  ): Promise<ScoredRagChunk[]>;
  /** Collections and their chunk counts. */
  collections(): Promise<Array<{ name: string; chunks: number }>>;
  deleteCollection(collection: string): Promise<void>;
}

/**
 * The default {@link RagStore}: exact cosine search over chunks held in this process.
 *
 * @example
 * ```ts
 * const store = createInMemoryRagStore();
 * await store.upsert('runbooks', chunks);
 * const hits = await store.query('runbooks', queryVector, 3);
 * ```
 */
export function createInMemoryRagStore(options: { maxChunksPerCollection?: number } = {}): RagStore {
  const maxChunks = options.maxChunksPerCollection ?? 50_000;
  const collections = new Map<string, Map<string, RagChunk>>();
  return {
    async upsert(collection, chunks) {
      const store = collections.get(collection) ?? new Map<string, RagChunk>();
      for (const chunk of chunks) store.set(chunk.id, { ...chunk });
      while (store.size > maxChunks) store.delete(store.keys().next().value as string);
      collections.set(collection, store);
    },
    async query(collection, embedding, topK) {
      const store = collections.get(collection);
      if (!store) return [];
      return [...store.values()]
        .map((chunk) => ({ ...chunk, score: cosineSimilarity(embedding, chunk.embedding) }))
        .sort((a, b) => b.score - a.score)
        .slice(0, topK);
    },
    async collections() {
      return [...collections].map(([name, chunks]) => ({ name, chunks: chunks.size }));
    },
    async deleteCollection(collection) {
      collections.delete(collection);
    },
  };
}

/** The chunker of `@ballast/store`'s RAG index, so both stores cut documents the same way. */
export { chunkText } from '@ballast/store';
