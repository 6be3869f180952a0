import type { EmbeddingModel } from '@ballast/core';
import type { VectorStore } from '@ballast/store';
import type { Embedder } from './embedder';
import type { RagStore } from './rag-store';

/**
 * The gateway's {@link RagStore} over a durable `@ballast/store` {@link VectorStore} (SQLite,
 * PostgreSQL or in memory): chunks survive restarts and are shared by replicas, and a query with
 * its text runs in hybrid mode (cosine + BM25-style, fused by reciprocal rank).
 *
 * @example
 * ```ts
 * const stores = await openStores('sqlite:ballast.db');
 * createGateway({ ...config, rag: { store: ragStoreFromVectorStore(stores.vectors) } });
 * ```
 */
export function ragStoreFromVectorStore(vectors: VectorStore): RagStore {
  return {
    async upsert(collection, chunks) {
      await vectors.upsert(
        collection,
        chunks.map((chunk) => ({
          id: chunk.id,
          documentId: chunk.documentId,
          text: chunk.text,
          embedding: chunk.embedding,
          ...(chunk.metadata ? { metadata: chunk.metadata } : {}),
        })),
      );
    },
    async query(collection, embedding, topK, text) {
      const { hits } = await vectors.search(collection, {
        embedding,
        topK,
        ...(text && text.trim() !== '' ? { text } : {}),
      });
      // The gateway's chunks carry their vector; the store returns hits without it (not needed downstream).
      return hits.map((hit) => ({
        id: hit.id,
        documentId: hit.documentId,
        text: hit.text,
        embedding: [],
        metadata: hit.metadata,
        score: hit.score,
      }));
    },
    async collections() {
      return (await vectors.collections()).map(({ name, chunks }) => ({ name, chunks }));
    },
    deleteCollection: (collection) => vectors.deleteCollection(collection),
  };
}

/**
 * An {@link Embedder} over an `EmbeddingModel` (OpenAI, Ollama…), for semantic memory recall and
 * RAG instead of the hashed bag-of-words default.
 *
 * @example
 * ```ts
 * createGateway({ ...config, rag: { embedder: embedderFromModel(createOpenAI().embeddingModel('text-embedding-3-small')) } });
 * ```
 */
export function embedderFromModel(model: EmbeddingModel): Embedder {
  return {
    id: `${model.provider}:${model.modelId}`,
    dimensions: model.dimensions ?? 0,
    async embed(texts) {
      const out: number[][] = [];
      const batch = Math.max(1, model.maxValuesPerCall);
      for (let start = 0; start < texts.length; start += batch)
        out.push(...(await model.embed({ values: texts.slice(start, start + batch) })).embeddings);
      return out;
    },
  };
}
