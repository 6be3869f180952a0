import { AbortedError, ConfigError, type EmbeddingModel, invalidResponseError } from '@ballast/core';
import { Ollama } from 'ollama';
import { toOllamaError } from './ollama-error';
import type { ResolvedOllamaSettings } from './ollama-settings';

/** Options of an Ollama embedding model. */
export interface OllamaEmbeddingOptions {
  /** Vector length to ask for (models that support truncation); also tells stores the length up front. */
  dimensions?: number;
  /** Largest batch per request. Default 512. */
  maxValuesPerCall?: number;
}

/**
 * An {@link EmbeddingModel} over the official `ollama` client's `embed` (`POST /api/embed`). Each
 * call gets its own client whose fetch carries the call's abort signal (ollama-js has no
 * per-request signal); errors become Ballast errors without credentials.
 *
 * @throws {ConfigError} on an empty model id or invalid dimensions.
 */
export function createOllamaEmbeddingModel(
  resolved: ResolvedOllamaSettings,
  modelId: string,
  options: OllamaEmbeddingOptions = {},
): EmbeddingModel {
  if (typeof modelId !== 'string' || modelId.trim() === '')
    throw new ConfigError({
      message: 'ollama: an embedding model id is required (e.g. nomic-embed-text)',
      issues: [{ path: 'modelId', message: 'must be a non-empty string' }],
    });
  if (options.dimensions !== undefined && (!Number.isInteger(options.dimensions) || options.dimensions < 1))
    throw new ConfigError({
      message: 'ollama: dimensions must be a positive integer',
      issues: [{ path: 'dimensions', message: 'must be a positive integer' }],
    });
  const url = `${resolved.host}/api/embed`;
  return {
    provider: 'ollama',
    modelId,
    dimensions: options.dimensions,
    maxValuesPerCall: options.maxValuesPerCall ?? 512,
    async embed({ values, signal }) {
      if (values.length === 0) return { embeddings: [], usage: { inputTokens: 0 } };
      if (signal?.aborted) throw new AbortedError({});
      const state: { headers?: Headers } = {};
      const baseFetch = resolved.fetch ?? globalThis.fetch;
      const client = new Ollama({
        host: resolved.host,
        headers: resolved.headers,
        fetch: async (input, init) => {
          const combined =
            signal && init?.signal ? AbortSignal.any([init.signal, signal]) : (signal ?? init?.signal);
          const response = await baseFetch(input, { ...init, ...(combined ? { signal: combined } : {}) });
          state.headers = response.headers;
          return response;
        },
      });
      let response: Awaited<ReturnType<Ollama['embed']>>;
      try {
        response = await client.embed({
          model: modelId,
          input: [...values],
          ...(options.dimensions === undefined ? {} : { dimensions: options.dimensions }),
        });
      } catch (error) {
        if (signal?.aborted) throw new AbortedError({ cause: undefined });
        throw toOllamaError(error, {
          modelId,
          url,
          ...(state.headers ? { headers: state.headers } : {}),
          secrets: resolved.secrets,
          midStream: false,
        });
      }
      if (!Array.isArray(response.embeddings) || response.embeddings.length !== values.length)
        throw invalidResponseError({
          provider: 'ollama',
          modelId,
          url,
          secrets: resolved.secrets,
          detail: `expected ${values.length} embeddings, got ${response.embeddings?.length ?? 0}`,
        });
      return { embeddings: response.embeddings, usage: { inputTokens: response.prompt_eval_count ?? 0 } };
    },
  };
}
