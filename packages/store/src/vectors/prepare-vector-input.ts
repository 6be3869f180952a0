import { z } from 'zod';
import { type StoreBackend, StoreError } from '../errors/store-error';
import { parseStoreInput, redactForStorage } from '../validate-input';
import type { RetrievalMode, VectorChunk, VectorSearchQuery } from './vector-store';
import { vectorChunkSchema } from './vector-store';

const collectionSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'use letters, digits, ".", "_" and "-" (at most 100)');

/** Validates a collection name. */
export function parseCollection(collection: string, backend: StoreBackend): string {
  return parseStoreInput(collectionSchema, collection, 'collection name', backend);
}

/** Validates chunks, checks one vector length, redacts texts and metadata. */
export function prepareChunks(
  chunks: readonly VectorChunk[],
  context: { backend: StoreBackend; knownSecrets: readonly string[]; dimensions: number | null },
): { chunks: VectorChunk[]; dimensions: number | null } {
  const parsed = parseStoreInput(z.array(vectorChunkSchema).max(10_000), chunks, 'chunks', context.backend);
  let dimensions = context.dimensions;
  for (const chunk of parsed) {
    if (!chunk.embedding) continue;
    dimensions ??= chunk.embedding.length;
    if (chunk.embedding.length !== dimensions)
      throw new StoreError({
        message: `Chunk ${chunk.id.slice(0, 100)} has a ${chunk.embedding.length}-dimension vector; this collection holds ${dimensions}`,
        backend: context.backend,
        reason: 'invalid_input',
      });
  }
  const redact = (text: string) => redactForStorage(text, context.knownSecrets);
  return {
    dimensions,
    chunks: parsed.map((chunk) => ({
      ...chunk,
      text: redact(chunk.text),
      ...(chunk.metadata
        ? {
            metadata: Object.fromEntries(
              Object.entries(chunk.metadata).map(([key, value]) => [key, redact(value)]),
            ),
          }
        : {}),
    })),
  };
}

/** The mode a query runs in, or a typed error when it has neither text nor embedding. */
export function resolveMode(query: VectorSearchQuery, backend: StoreBackend): RetrievalMode {
  const hasText = query.text !== undefined && query.text.trim() !== '';
  const hasEmbedding = query.embedding !== undefined && query.embedding.length > 0;
  const requested = query.mode ?? 'auto';
  const mode: RetrievalMode | undefined =
    requested !== 'auto'
      ? requested
      : hasText && hasEmbedding
        ? 'hybrid'
        : hasEmbedding
          ? 'vector'
          : hasText
            ? 'lexical'
            : undefined;
  const missing =
    mode === undefined ||
    ((mode === 'vector' || mode === 'hybrid') && !hasEmbedding) ||
    ((mode === 'lexical' || mode === 'hybrid') && !hasText);
  if (missing)
    throw new StoreError({
      message: `A ${mode ?? 'search'} query needs ${mode === 'vector' ? 'an embedding' : mode === 'lexical' ? 'a text' : 'a text and/or an embedding'}`,
      backend,
      reason: 'invalid_input',
    });
  if (!Number.isInteger(query.topK) || query.topK < 1 || query.topK > 100)
    throw new StoreError({
      message: 'topK must be an integer from 1 to 100',
      backend,
      reason: 'invalid_input',
    });
  return mode;
}

/** The error for a collection that would exceed its bound. */
export function collectionFull(collection: string, limit: number, backend: StoreBackend): StoreError {
  return new StoreError({
    message: `Collection ${collection} would exceed ${limit} chunks`,
    backend,
    reason: 'invalid_input',
  });
}
