import {
  type ChatModel,
  type ChatModelCapabilities,
  ConfigError,
  createOpenAIFormatChatModel,
  type EmbeddingModel,
} from '@ballast/core';
import OpenAI from 'openai';
import { createOpenAIEmbeddingModel, type OpenAIEmbeddingOptions } from './openai-embedding-model';
import { toOpenAIError } from './openai-error';
import { type OpenAISettings, resolveOpenAISettings } from './openai-settings';

const defaultCapabilities: ChatModelCapabilities = {
  tools: true,
  vision: true,
  jsonMode: true,
  jsonSchema: true,
  streaming: true,
};

/** Creates chat models for one OpenAI (or OpenAI-compatible) account. */
export interface OpenAIProvider {
  /** Provider name, `openai` unless `settings.name` says otherwise. */
  readonly name: string;
  /**
   * A chat model by id. Ids are configuration (`gpt-4o-mini`, `grok-3`, `Qwen/Qwen2.5-7B-Instruct`):
   * Ballast has no default that a provider could retire.
   */
  chatModel(modelId: string, options?: { capabilities?: Partial<ChatModelCapabilities> }): ChatModel;
  /**
   * An embedding model by id (`text-embedding-3-small`…), for memory recall and RAG.
   *
   * @example
   * ```ts
   * const { embeddings } = await createOpenAI().embeddingModel('text-embedding-3-small').embed({ values: ['hi'] });
   * ```
   */
  embeddingModel(modelId: string, options?: OpenAIEmbeddingOptions): EmbeddingModel;
}

/**
 * Creates an OpenAI provider over the official `openai` SDK. With `baseURL` it serves any
 * OpenAI-compatible endpoint (xAI/Grok, Gemini's OpenAI endpoint, vLLM, LM Studio).
 *
 * @param env Where to read `OPENAI_API_KEY` (defaults to `process.env`).
 * @throws {ConfigError} on invalid settings or a missing OpenAI key.
 * @example
 * ```ts
 * const openai = createOpenAI({ apiKey: process.env.OPENAI_API_KEY });
 * const model = openai.chatModel('gpt-4o-mini');
 * const { text, costUsd } = await model.chat({ messages: [{ role: 'user', content: 'Hello' }] });
 * ```
 */
export function createOpenAI(
  settings: OpenAISettings = {},
  env: NodeJS.ProcessEnv = process.env,
): OpenAIProvider {
  const resolved = resolveOpenAISettings(settings, env);
  const client = new OpenAI({
    apiKey: resolved.apiKey,
    maxRetries: resolved.maxRetries,
    ...(resolved.baseURL === undefined ? {} : { baseURL: resolved.baseURL }),
    ...(resolved.organization === undefined ? {} : { organization: resolved.organization }),
    ...(resolved.project === undefined ? {} : { project: resolved.project }),
    ...(resolved.headers === undefined ? {} : { defaultHeaders: resolved.headers }),
    ...(resolved.fetch === undefined ? {} : { fetch: resolved.fetch }),
    ...(resolved.logger === undefined ? {} : { logger: resolved.logger }),
    ...(resolved.logLevel === undefined ? {} : { logLevel: resolved.logLevel }),
  });
  return {
    name: resolved.name,
    chatModel(modelId, options = {}) {
      if (typeof modelId !== 'string' || modelId.trim() === '') {
        throw new ConfigError({
          message: `${resolved.name}: a model id is required (for example the id your account or server serves)`,
          issues: [{ path: 'modelId', message: 'must be a non-empty string' }],
        });
      }
      return createOpenAIFormatChatModel({
        provider: resolved.name,
        modelId,
        capabilities: { ...defaultCapabilities, ...resolved.capabilities, ...options.capabilities },
        create: (body, requestOptions) => client.chat.completions.create(body as never, requestOptions),
        toError: (error) =>
          toOpenAIError(error, { provider: resolved.name, modelId, apiKey: resolved.apiKey }),
        pricing: resolved.pricing,
        maxTokensField: resolved.maxTokensField,
        includeStreamUsage: resolved.includeStreamUsage,
      });
    },
    embeddingModel: (modelId, options) =>
      createOpenAIEmbeddingModel(
        client,
        { provider: resolved.name, modelId, apiKey: resolved.apiKey },
        options,
      ),
  };
}

/** Known OpenAI-compatible services: their base URL and the environment variable holding the key. */
export const openAICompatiblePresets = {
  xai: { baseURL: 'https://api.x.ai/v1', apiKeyEnv: 'XAI_API_KEY' },
  gemini: { baseURL: 'https://generativelanguage.googleapis.com/v1beta/openai', apiKeyEnv: 'GEMINI_API_KEY' },
  vllm: { baseURL: 'http://127.0.0.1:8000/v1', apiKeyEnv: 'VLLM_API_KEY' },
  lmstudio: { baseURL: 'http://127.0.0.1:1234/v1', apiKeyEnv: 'LMSTUDIO_API_KEY' },
} as const;

/**
 * Creates a provider for an OpenAI-compatible service by preset name, reading its key from the
 * preset's environment variable unless `apiKey` is given. Any setting may be overridden.
 *
 * @example
 * ```ts
 * const grok = createOpenAICompatible('xai').chatModel('grok-3-mini');
 * const local = createOpenAICompatible('vllm', { baseURL: 'http://gpu-box:8000/v1' }).chatModel('Qwen/Qwen2.5-7B-Instruct');
 * ```
 */
export function createOpenAICompatible(
  preset: keyof typeof openAICompatiblePresets,
  settings: OpenAISettings = {},
  env: NodeJS.ProcessEnv = process.env,
): OpenAIProvider {
  // An own key only: `constructor` or `toString` must not read as a preset.
  const known = Object.hasOwn(openAICompatiblePresets, preset) ? openAICompatiblePresets[preset] : undefined;
  if (!known) {
    throw new ConfigError({
      message: `Unknown OpenAI-compatible preset "${String(preset)}"; use one of ${Object.keys(openAICompatiblePresets).join(', ')} or createOpenAI({ baseURL })`,
    });
  }
  const apiKey = settings.apiKey ?? env[known.apiKeyEnv];
  return createOpenAI(
    {
      name: preset,
      baseURL: known.baseURL,
      ...settings,
      ...(apiKey === undefined ? {} : { apiKey }),
    },
    env,
  );
}
