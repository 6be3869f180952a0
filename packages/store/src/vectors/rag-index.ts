import type { EmbeddingModel } from '@ballast/core';
import { chunkText } from '../text/chunk-text';
import type { RetrievalMode, VectorSearchResult, VectorStore } from './vector-store';

/** A document to index. */
export interface RagDocument {
  id: string;
  text: string;
  metadata?: Record<string, string>;
}

/** Options of {@link createRagIndex}. */
export interface RagIndexOptions {
  vectors: VectorStore;
  /** Without one, documents are indexed for lexical (BM25-style) retrieval only. */
  embeddingModel?: EmbeddingModel;
  /** Characters per chunk (default 800) and carried over between chunks (default 100). */
  chunkSize?: number;
  chunkOverlap?: number;
}

/** Documents chunked, embedded and stored; queries embedded and searched (see {@link createRagIndex}). */
export interface RagIndex {
  /** Chunks, embeds (when a model is configured) and stores documents, replacing earlier versions. */
  addDocuments(
    collection: string,
    documents: readonly RagDocument[],
    options?: { signal?: AbortSignal },
  ): Promise<{ documents: number; chunks: number; embeddingTokens: number }>;
  /** Top-k chunks for a question: hybrid with a model, lexical without. */
  query(
    collection: string,
    question: string,
    options: { topK: number; signal?: AbortSignal },
  ): Promise<VectorSearchResult>;
  /** What retrieval runs: `hybrid` with an embedding model, `lexical` without. */
  readonly mode: RetrievalMode;
}

/** Embeds values in batches no larger than the model accepts. */
export async function embedAll(
  model: EmbeddingModel,
  values: readonly string[],
  signal?: AbortSignal,
): Promise<{ embeddings: number[][]; inputTokens: number }> {
  const embeddings: number[][] = [];
  let inputTokens = 0;
  const batch = Math.max(1, model.maxValuesPerCall);
  for (let start = 0; start < values.length; start += batch) {
    const result = await model.embed({
      values: values.slice(start, start + batch),
      ...(signal ? { signal } : {}),
    });
    embeddings.push(...result.embeddings);
    inputTokens += result.usage.inputTokens;
  }
  return { embeddings, inputTokens };
}

/**
 * RAG over a {@link VectorStore}: documents are split with `chunkText`, embedded with the
 * configured `EmbeddingModel` (OpenAI, Ollama…) and upserted as `<documentId>#<n>`; a question is
 * embedded and searched in hybrid mode (vector + BM25 fused), or lexically when no model is set.
 * Re-adding a document first deletes its old chunks, so a shorter version leaves no orphans.
 *
 * @example
 * ```ts
 * const rag = createRagIndex({ vectors, embeddingModel: createOllama().embeddingModel('nomic-embed-text') });
 * await rag.addDocuments('runbooks', [{ id: 'evacuate', text: runbook }]);
 * const { hits } = await rag.query('runbooks', 'how do I empty a node?', { topK: 5 });
 * ```
 */
export function createRagIndex(options: RagIndexOptions): RagIndex {
  const { vectors, embeddingModel } = options;
  return {
    mode: embeddingModel ? 'hybrid' : 'lexical',
    async addDocuments(collection, documents, callOptions = {}) {
      const chunks = documents.flatMap((document) =>
        chunkText(document.text, {
          ...(options.chunkSize === undefined ? {} : { size: options.chunkSize }),
          ...(options.chunkOverlap === undefined ? {} : { overlap: options.chunkOverlap }),
        }).map((text, index) => ({
          id: `${document.id}#${index}`,
          documentId: document.id,
          text,
          ...(document.metadata ? { metadata: document.metadata } : {}),
        })),
      );
      const embedded = embeddingModel
        ? await embedAll(
            embeddingModel,
            chunks.map((chunk) => chunk.text),
            callOptions.signal,
          )
        : { embeddings: [], inputTokens: 0 };
      for (const document of documents) await vectors.deleteDocument(collection, document.id).catch(() => 0);
      await vectors.upsert(
        collection,
        chunks.map((chunk, index) => {
          const embedding = embedded.embeddings[index];
          return embedding ? { ...chunk, embedding } : chunk;
        }),
      );
      return { documents: documents.length, chunks: chunks.length, embeddingTokens: embedded.inputTokens };
    },
    async query(collection, question, callOptions) {
      if (!embeddingModel) return vectors.search(collection, { text: question, topK: callOptions.topK });
      const { embeddings } = await embedAll(embeddingModel, [question], callOptions.signal);
      return vectors.search(collection, {
        text: question,
        embedding: embeddings[0]!,
        topK: callOptions.topK,
      });
    },
  };
}
