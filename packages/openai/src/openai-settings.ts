import {
  type ChatModelCapabilities,
  ConfigError,
  type PricingTable,
  type SdkLogger,
  type SdkLogLevel,
  sdkLoggingSettingsSchema,
} from '@ballast/core';
import { z } from 'zod';

/** Settings of {@link createOpenAI}. */
export interface OpenAISettings {
  /** Defaults to `OPENAI_API_KEY` for OpenAI itself. Local OpenAI-compatible servers may omit it. */
  apiKey?: string;
  /** API root, e.g. `https://api.x.ai/v1` or `http://127.0.0.1:8000/v1`. Defaults to OpenAI's. */
  baseURL?: string;
  /** Provider name reported on results and used for pricing, e.g. `xai`, `vllm`. Default `openai`. */
  name?: string;
  organization?: string;
  project?: string;
  /** Headers sent with every request. */
  headers?: Record<string, string>;
  /** Retries inside the SDK. Default 0: retries belong to Ballast's balancer, which sees every attempt. */
  maxRetries?: number;
  /** Prices used for `costUsd` (merged over nothing: pass `createPricingTable(...)` to extend the defaults). */
  pricing?: PricingTable;
  /** Which field carries `maxTokens`. Default `max_completion_tokens` for OpenAI, `max_tokens` elsewhere. */
  maxTokensField?: 'max_tokens' | 'max_completion_tokens';
  /** Ask for usage in streams (`stream_options.include_usage`). Default true; turn off for servers that reject it. */
  includeStreamUsage?: boolean;
  /** Capabilities every model of this provider has unless a model overrides them. */
  capabilities?: Partial<ChatModelCapabilities>;
  /**
   * Where the SDK logs its own diagnostics (a stream event it cannot parse, retries when
   * `maxRetries` > 0). Default: the console. Ballast reports every failure as a typed error anyway.
   */
  logger?: SdkLogger;
  /** Most verbose SDK messages logged. Default: the SDK's (`OPENAI_LOG`, else `warn`); `off` for none. */
  logLevel?: SdkLogLevel;
  /** Custom fetch (for proxies or tracing). */
  fetch?: typeof globalThis.fetch;
}

const settingsSchema = z
  .object({
    apiKey: z.string().min(1, 'must not be empty').optional(),
    baseURL: z.url({ protocol: /^https?$/, message: 'must be an absolute http(s) URL' }).optional(),
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._-]*$/i, 'letters, digits, ".", "_" or "-"')
      .optional(),
    organization: z.string().optional(),
    project: z.string().optional(),
    headers: z.record(z.string(), z.string()).optional(),
    maxRetries: z.number().int().min(0).max(10).optional(),
    pricing: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
    maxTokensField: z.enum(['max_tokens', 'max_completion_tokens']).optional(),
    includeStreamUsage: z.boolean().optional(),
    capabilities: z.record(z.string(), z.boolean()).optional(),
    ...sdkLoggingSettingsSchema,
    fetch: z
      .custom<typeof globalThis.fetch>((value) => typeof value === 'function', 'must be a function')
      .optional(),
  })
  // A misspelt key (`baseUrl`, `host` vs `baseURL`) must not fall back to the default endpoint silently.
  .strict();

/**
 * Validates settings and fills in defaults. Throws {@link ConfigError} naming every bad key;
 * values are never echoed, so an API key pasted into the wrong field does not leak.
 */
export function resolveOpenAISettings(settings: OpenAISettings, env: NodeJS.ProcessEnv = process.env) {
  const parsed = settingsSchema.safeParse(settings);
  if (!parsed.success) throw ConfigError.fromZod('OpenAI settings', parsed.error);
  const name = settings.name ?? 'openai';
  const isOpenAI = settings.baseURL === undefined;
  // OPENAI_API_KEY belongs to OpenAI (or a proxy in front of it), never to a differently named server.
  const apiKey = settings.apiKey ?? (name === 'openai' ? env.OPENAI_API_KEY : undefined);
  if (isOpenAI && !apiKey) {
    throw new ConfigError({
      message: 'OpenAI API key missing: pass `apiKey` or set OPENAI_API_KEY',
      issues: [{ path: 'apiKey', message: 'required when no baseURL is given' }],
    });
  }
  return {
    ...settings,
    name,
    // Local OpenAI-compatible servers (vLLM, LM Studio) ignore the key, but the SDK requires one.
    apiKey: apiKey ?? 'not-needed',
    maxRetries: settings.maxRetries ?? 0,
    maxTokensField: settings.maxTokensField ?? (isOpenAI ? 'max_completion_tokens' : 'max_tokens'),
    includeStreamUsage: settings.includeStreamUsage ?? true,
  };
}

/** Settings after validation, with defaults applied. */
export type ResolvedOpenAISettings = ReturnType<typeof resolveOpenAISettings>;
