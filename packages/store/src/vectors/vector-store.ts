import { z } from 'zod';
import type { StoreDescription } from '../store-description';
import { storedText } from '../validate-input';
import type { VectorIndexOption } from './collection-vector-index';

const metadataValueSchema = storedText().max(2_000);

/** A plain object (not an array, `Map`, `Date` or class instance). */
const isPlainObject = (value: unknown): value is Record<string, unknown> => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
};

/**
 * Chunk metadata: string fields, every own key kept as data. `z.record` skipped a `__proto__` key
 * (and its value went unchecked); this schema checks and copies each own key with
 * `Object.fromEntries`, which defines fields, so `__proto__`, `constructor` and `prototype` come
 * back as ordinary fields of an ordinary object and no prototype is ever set.
 *
 * @example
 * ```ts
 * vectorMetadataSchema.parse(JSON.parse('{"__proto__":"kept","team":"sre"}')); // both keys, own fields
 * ```
 */
export const vectorMetadataSchema = z
  .custom<Record<string, string>>(isPlainObject, 'must be an object of string fields')
  .superRefine((value, context) => {
    for (const key of Object.keys(value)) {
      const parsed = metadataValueSchema.safeParse(value[key]);
      if (!parsed.success)
        for (const issue of parsed.error.issues)
          context.addIssue({ code: 'custom', message: issue.message, path: [key, ...issue.path] });
    }
  })
  .transform((value): Record<string, string> => Object.fromEntries(Object.entries(value)));

/** One chunk of a document, as stored. */
export const vectorChunkSchema = z
  .object({
    /** Unique in its collection (e.g. `<documentId>#<n>`); upserting the same id replaces it. */
    id: storedText().min(1).max(500),
    documentId: storedText().min(1).max(500),
    text: storedText().min(1).max(100_000),
    /** Vector of `text`; without one the chunk is found by lexical search only. */
    embedding: z.array(z.number().finite()).min(1).max(8_192).optional(),
    metadata: vectorMetadataSchema.optional(),
  })
  .strict();

/** One chunk (see {@link vectorChunkSchema}). */
export type VectorChunk = z.infer<typeof vectorChunkSchema>;

/** How a search ranked its hits. */
export type RetrievalMode = 'vector' | 'lexical' | 'hybrid';

/** A query: a text (lexical), an embedding (vector), or both (hybrid). */
export interface VectorSearchQuery {
  text?: string;
  embedding?: readonly number[];
  /** Hits to return, 1..100. */
  topK: number;
  /** Default `auto`: hybrid when both are given, otherwise whichever is. */
  mode?: RetrievalMode | 'auto';
}

/** A retrieved chunk (without its embedding) and its score under the mode used. */
export interface ScoredChunk {
  id: string;
  documentId: string;
  text: string;
  metadata: Record<string, string>;
  /** Cosine similarity (vector), BM25-style relevance (lexical) or reciprocal-rank fusion (hybrid). */
  score: number;
}

/** The result of {@link VectorStore.search}. */
export interface VectorSearchResult {
  mode: RetrievalMode;
  hits: ScoredChunk[];
}

/** A collection and its size. */
export interface VectorCollectionInfo {
  name: string;
  chunks: number;
  /** Vector length, fixed by the first embedding stored (`null` while none is). */
  dimensions: number | null;
}

/** How and where vectors are scored (for `/healthz`). */
export interface VectorIndexDescription {
  /**
   * `database`: pgvector in PostgreSQL. `process`: a float32 matrix per collection in this process
   * (loaded from the database on first search, kept in step with this process's writes, reloaded
   * when another replica changed the collection).
   */
  location: 'database' | 'process';
  /** `wasm-simd` or `scalar` scoring in process; `pgvector` in the database. */
  engine: 'wasm-simd' | 'scalar' | 'pgvector';
  /** Collections whose vectors are held in process now, and their bytes. */
  cachedCollections: number;
  cachedBytes: number;
  /** Settings of the IVF-flat index when `vectorSearch` is `ivf-flat`. */
  ivf?: { lists?: number; probes?: number };
}

/** What a vector store reports about its search (for `/healthz`). */
export interface VectorStoreDescription extends StoreDescription {
  /**
   * `pgvector` when PostgreSQL has the extension; otherwise in process: `exact-scan` (every
   * vector scored, recall 1.0) or `ivf-flat` (approximate, see {@link VectorStoreOptions.vectorIndex}).
   */
  vectorSearch: 'exact-scan' | 'ivf-flat' | 'pgvector';
  vectorIndex: VectorIndexDescription;
  lexicalSearch: 'bm25' | 'sqlite-fts5-bm25' | 'postgres-full-text';
}

/** Bounds of a vector store. */
export interface VectorStoreOptions {
  /** Chunks per collection; an upsert beyond it is refused. Default 200 000. */
  maxChunksPerCollection?: number;
  /** Collections; creating one more is refused. Default 1 000. */
  maxCollections?: number;
  /** Extra secret values to redact from stored text. */
  knownSecrets?: readonly string[];
  /**
   * In-process vector search: `exact` (default; every vector scored, recall 1.0) or
   * `{ kind: 'ivf-flat', lists?, probes?, recallTarget?, seed? }`, an approximate inverted-file
   * index (about √n clusters; by default each build probes as many as its recall@5 on a sample of
   * the stored vectors needs to reach `recallTarget`, 0.97; measured in `pnpm bench store`).
   * Ignored when PostgreSQL has pgvector, which searches in the database.
   */
  vectorIndex?: VectorIndexOption;
  /** Collections whose vectors a SQL store keeps in process (least recently searched dropped first). Default 8. */
  maxCachedCollections?: number;
}

/**
 * RAG collections: chunks with optional embeddings, searched by cosine similarity (top-k with
 * scores), by BM25-style lexical relevance when there is no embedding, or by both fused with
 * reciprocal ranks. Every collection has one embedding length; mixing lengths is refused.
 *
 * @example
 * ```ts
 * await vectors.upsert('runbooks', [{ id: 'evac#0', documentId: 'evac', text: 'Evacuate a node…', embedding }]);
 * const { hits } = await vectors.search('runbooks', { text: 'evacuate node', embedding: queryVector, topK: 5 });
 * ```
 */
export interface VectorStore {
  /**
   * Adds or replaces chunks (by id).
   * @throws {StoreError} `invalid_input` for a bad chunk, a wrong vector length or a full collection.
   */
  upsert(collection: string, chunks: readonly VectorChunk[]): Promise<void>;
  /** The best `topK` chunks; an unknown collection has none. */
  search(collection: string, query: VectorSearchQuery): Promise<VectorSearchResult>;
  collections(): Promise<VectorCollectionInfo[]>;
  deleteDocument(collection: string, documentId: string): Promise<number>;
  deleteCollection(collection: string): Promise<void>;
  describe(): Promise<VectorStoreDescription>;
  close(): Promise<void>;
}

/** Options with defaults applied. */
export function vectorOptionsWithDefaults(options: VectorStoreOptions) {
  return {
    maxChunksPerCollection: options.maxChunksPerCollection ?? 200_000,
    maxCollections: options.maxCollections ?? 1_000,
    knownSecrets: options.knownSecrets ?? [],
    vectorIndex: options.vectorIndex ?? ('exact' as VectorIndexOption),
    maxCachedCollections: Math.max(1, options.maxCachedCollections ?? 8),
  };
}
