import Anthropic from '@anthropic-ai/sdk';
import { type ChatModel, type ChatModelCapabilities, ConfigError } from '@ballast/core';
import { createAnthropicChatModel } from './anthropic-chat-model';
import { toAnthropicError } from './anthropic-error';
import { type AnthropicSettings, resolveAnthropicSettings } from './anthropic-settings';

/**
 * What Claude models can do through this adapter by default. Anthropic has no JSON mode, so
 * `jsonMode` is false; `jsonSchema` is false because native structured output
 * (`output_config.format`) exists only on Claude 4.5 and later, so `generateObject` uses tool mode
 * (a forced call of one tool whose input schema is the schema), which every Claude model supports.
 * Turn `jsonSchema` on per model to send `output_config.format` instead.
 *
 * @example
 * ```ts
 * const model = createAnthropic().chatModel('claude-opus-4-7', { capabilities: { jsonSchema: true } });
 * model.capabilities; // { ...anthropicCapabilities, jsonSchema: true }
 * ```
 */
export const anthropicCapabilities: Readonly<ChatModelCapabilities> = Object.freeze({
  tools: true,
  vision: true,
  jsonMode: false,
  jsonSchema: false,
  streaming: true,
});

/** The SDK's own request timeout. Ballast enforces `timeoutMs` per call; this is only a backstop. */
const sdkTimeoutMs = 10 * 60 * 1000;

/**
 * Creates chat models for one Anthropic account.
 *
 * @example
 * ```ts
 * const provider: AnthropicProvider = createAnthropic();
 * const model = provider.chatModel('claude-sonnet-4-6');
 * ```
 */
export interface AnthropicProvider {
  /** Always `anthropic`. */
  readonly name: 'anthropic';
  /**
   * A chat model by id (`claude-sonnet-4-6`, `claude-haiku-4-5`, …). Ids are configuration:
   * Ballast has no default model that Anthropic could retire.
   *
   * @throws {ConfigError} for an empty model id.
   */
  chatModel(modelId: string, options?: { capabilities?: Partial<ChatModelCapabilities> }): ChatModel;
}

/**
 * Creates an Anthropic provider over the official `@anthropic-ai/sdk`. Every error is a Ballast
 * error (`overloaded_error`/529 becomes a retryable `overloaded`), the SDK does not retry on its
 * own (`maxRetries` 0: the balancer owns retries), and the key never appears in an error.
 *
 * @param env Where to read `ANTHROPIC_API_KEY` (defaults to `process.env`).
 * @throws {ConfigError} on invalid settings or a missing API key.
 * @example
 * ```ts
 * const anthropic = createAnthropic({ apiKey: process.env.ANTHROPIC_API_KEY });
 * const model = anthropic.chatModel('claude-sonnet-4-6');
 * const { text, costUsd } = await model.chat({
 *   messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hello' }],
 *   maxTokens: 200,
 * });
 * ```
 */
export function createAnthropic(
  settings: AnthropicSettings = {},
  env: NodeJS.ProcessEnv = process.env,
): AnthropicProvider {
  const resolved = resolveAnthropicSettings(settings, env);
  const client = new Anthropic({
    apiKey: resolved.apiKey,
    maxRetries: resolved.maxRetries,
    // An explicit timeout also lifts the SDK's "streaming is required" refusal for a large
    // max_tokens on plain calls: Ballast callers bound calls with `timeoutMs` instead.
    timeout: sdkTimeoutMs,
    ...(resolved.baseURL === undefined ? {} : { baseURL: resolved.baseURL }),
    ...(resolved.headers === undefined ? {} : { defaultHeaders: resolved.headers }),
    ...(resolved.fetch === undefined ? {} : { fetch: resolved.fetch }),
    ...(resolved.logger === undefined ? {} : { logger: resolved.logger }),
    ...(resolved.logLevel === undefined ? {} : { logLevel: resolved.logLevel }),
  });
  return {
    name: 'anthropic',
    chatModel(modelId, options = {}) {
      if (typeof modelId !== 'string' || modelId.trim() === '') {
        throw new ConfigError({
          message: 'anthropic: a model id is required (for example claude-sonnet-4-6)',
          issues: [{ path: 'modelId', message: 'must be a non-empty string' }],
        });
      }
      return createAnthropicChatModel({
        modelId,
        client,
        capabilities: { ...anthropicCapabilities, ...resolved.capabilities, ...options.capabilities },
        toError: (error) => toAnthropicError(error, { modelId, apiKey: resolved.apiKey }),
        pricing: resolved.pricing,
        defaultMaxTokens: resolved.defaultMaxTokens,
      });
    },
  };
}
