import { ConfigError, type EmbeddingModel, invalidResponseError } from '@ballast/core';
import type OpenAI from 'openai';
import { toOpenAIError } from './openai-error';

/** Options of an OpenAI embedding model. */
export interface OpenAIEmbeddingOptions {
  /** Shortens the vectors (`text-embedding-3-*` only); also tells stores the length up front. */
  dimensions?: number;
  /** Largest batch per request. Default 2 048 (OpenAI's limit). */
  maxValuesPerCall?: number;
}

/**
 * An {@link EmbeddingModel} over the official SDK's `client.embeddings.create`. Vectors come back
 * in input order (sorted by `index`); every SDK error becomes a Ballast error without the key.
 *
 * @throws {ConfigError} on an empty model id or invalid dimensions.
 */
export function createOpenAIEmbeddingModel(
  client: OpenAI,
  context: { provider: string; modelId: string; apiKey: string },
  options: OpenAIEmbeddingOptions = {},
): EmbeddingModel {
  if (typeof context.modelId !== 'string' || context.modelId.trim() === '')
    throw new ConfigError({
      message: `${context.provider}: an embedding model id is required (for example text-embedding-3-small)`,
      issues: [{ path: 'modelId', message: 'must be a non-empty string' }],
    });
  if (options.dimensions !== undefined && (!Number.isInteger(options.dimensions) || options.dimensions < 1))
    throw new ConfigError({
      message: `${context.provider}: dimensions must be a positive integer`,
      issues: [{ path: 'dimensions', message: 'must be a positive integer' }],
    });
  return {
    provider: context.provider,
    modelId: context.modelId,
    dimensions: options.dimensions,
    maxValuesPerCall: options.maxValuesPerCall ?? 2_048,
    async embed({ values, signal }) {
      if (values.length === 0) return { embeddings: [], usage: { inputTokens: 0 } };
      let response: OpenAI.CreateEmbeddingResponse;
      try {
        response = await client.embeddings.create(
          {
            model: context.modelId,
            input: [...values],
            ...(options.dimensions === undefined ? {} : { dimensions: options.dimensions }),
          },
          signal ? { signal } : {},
        );
      } catch (error) {
        throw toOpenAIError(error, context);
      }
      const data = [...(response.data ?? [])].sort((a, b) => a.index - b.index);
      if (data.length !== values.length || data.some((item) => !Array.isArray(item.embedding)))
        throw invalidResponseError({
          provider: context.provider,
          modelId: context.modelId,
          secrets: [context.apiKey],
          detail: `expected ${values.length} embeddings, got ${data.length}`,
        });
      return {
        embeddings: data.map((item) => item.embedding),
        usage: { inputTokens: response.usage?.prompt_tokens ?? 0 },
      };
    },
  };
}
