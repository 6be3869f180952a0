import {
  AbortedError,
  apiCallErrorFromResponse,
  type BallastError,
  type ChatModel,
  type ChatModelCapabilities,
  ConfigError,
  createOpenAIFormatChatModel,
  describeNetworkFailure,
  invalidResponseError,
  isNetworkFailure,
  type PricingTable,
  sanitizeCause,
} from '@ballast/core';
import Groq from 'groq-sdk';
import { z } from 'zod';

/** Settings of {@link createGroq}. */
export interface GroqSettings {
  /** Defaults to `GROQ_API_KEY`. */
  apiKey?: string;
  /** API root; defaults to Groq's (`https://api.groq.com`). */
  baseURL?: string;
  headers?: Record<string, string>;
  /** Custom fetch (for proxies, tracing, or a shared connection pool). */
  fetch?: typeof globalThis.fetch;
  /** Retries inside the SDK. Default 0: retries belong to Ballast's balancer. */
  maxRetries?: number;
  pricing?: PricingTable;
  /** Capabilities every model has unless a model overrides them. */
  capabilities?: Partial<ChatModelCapabilities>;
}

/** Creates chat models for one Groq account. */
export interface GroqProvider {
  readonly name: 'groq';
  /**
   * A chat model by id (`llama-3.3-70b-versatile`, `openai/gpt-oss-20b`, ...). Groq retires models
   * often, so ids are configuration: a decommissioned one fails with `model_not_found`.
   * Models with native JSON Schema output or vision should say so in `capabilities`.
   */
  chatModel(modelId: string, options?: { capabilities?: Partial<ChatModelCapabilities> }): ChatModel;
}

const settingsSchema = z
  .object({
    apiKey: z.string().min(1, 'must not be empty').optional(),
    baseURL: z.url({ protocol: /^https?$/, message: 'must be an absolute http(s) URL' }).optional(),
    headers: z.record(z.string(), z.string()).optional(),
    fetch: z
      .custom<typeof globalThis.fetch>((value) => typeof value === 'function', 'must be a function')
      .optional(),
    maxRetries: z.number().int().min(0).max(10).optional(),
    pricing: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
    capabilities: z.record(z.string(), z.boolean()).optional(),
  })
  // A misspelt key (`baseUrl`, `host` vs `baseURL`) must not fall back to the default endpoint silently.
  .strict();

// Groq's json_schema support and vision vary by model; JSON mode and tools are broadly available.
const defaultCapabilities: ChatModelCapabilities = {
  tools: true,
  vision: false,
  jsonMode: true,
  jsonSchema: false,
  streaming: true,
};

/**
 * Creates a Groq provider over the official `groq-sdk`.
 *
 * Groq-specific failures are normalized: a broken tool-call generation (HTTP 400
 * `tool_use_failed`) is a retryable `model_tool_error`; a decommissioned model is
 * `model_not_found` and marks the target unavailable.
 *
 * @throws {ConfigError} on invalid settings or a missing key.
 * @example
 * ```ts
 * const groq = createGroq(); // reads GROQ_API_KEY
 * const model = groq.chatModel('llama-3.3-70b-versatile');
 * const { text } = await model.chat({ messages: [{ role: 'user', content: 'Hello' }] });
 * ```
 */
export function createGroq(settings: GroqSettings = {}, env: NodeJS.ProcessEnv = process.env): GroqProvider {
  const parsed = settingsSchema.safeParse(settings);
  if (!parsed.success) throw ConfigError.fromZod('Groq settings', parsed.error);
  const apiKey = settings.apiKey ?? env.GROQ_API_KEY;
  if (!apiKey) {
    throw new ConfigError({
      message: 'Groq API key missing: pass `apiKey` or set GROQ_API_KEY',
      issues: [{ path: 'apiKey', message: 'required' }],
    });
  }
  const client = new Groq({
    apiKey,
    maxRetries: settings.maxRetries ?? 0,
    ...(settings.baseURL === undefined ? {} : { baseURL: settings.baseURL }),
    ...(settings.headers === undefined ? {} : { defaultHeaders: settings.headers }),
    ...(settings.fetch === undefined ? {} : { fetch: settings.fetch }),
  });
  return {
    name: 'groq',
    chatModel(modelId, options = {}) {
      if (typeof modelId !== 'string' || modelId.trim() === '') {
        throw new ConfigError({
          message: 'groq: a model id is required (for example llama-3.3-70b-versatile)',
          issues: [{ path: 'modelId', message: 'must be a non-empty string' }],
        });
      }
      return createOpenAIFormatChatModel({
        provider: 'groq',
        modelId,
        capabilities: { ...defaultCapabilities, ...settings.capabilities, ...options.capabilities },
        create: (body, requestOptions) => client.chat.completions.create(body as never, requestOptions),
        toError: (error) => toGroqError(error, { modelId, apiKey }),
        pricing: settings.pricing,
        maxTokensField: 'max_completion_tokens',
        // Groq reports stream usage in `x_groq.usage` of the last chunk.
        includeStreamUsage: false,
      });
    },
  };
}

/** Converts anything `groq-sdk` throws into a Ballast error. */
export function toGroqError(error: unknown, context: { modelId: string; apiKey: string }): BallastError {
  const base = { provider: 'groq', modelId: context.modelId, cause: error, secrets: [context.apiKey] };
  if (error instanceof Groq.APIUserAbortError)
    return new AbortedError({ cause: sanitizeCause(error, base.secrets) });
  if (
    error instanceof Groq.APIConnectionError ||
    (!(error instanceof Groq.APIError) && isNetworkFailure(error))
  ) {
    return apiCallErrorFromResponse({ ...base, message: describeNetworkFailure(error) });
  }
  if (error instanceof Groq.APIError) {
    return apiCallErrorFromResponse({
      ...base,
      statusCode: error.status,
      headers: error.headers,
      body: error.error,
      message: error.message,
    });
  }
  return invalidResponseError({ ...base, detail: error instanceof Error ? error.message : String(error) });
}
