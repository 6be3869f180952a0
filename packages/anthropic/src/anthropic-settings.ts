import {
  type ChatModelCapabilities,
  ConfigError,
  type PricingTable,
  type SdkLogger,
  type SdkLogLevel,
  sdkLoggingSettingsSchema,
} from '@ballast/core';
import { z } from 'zod';

/**
 * Settings of {@link createAnthropic}.
 *
 * @example
 * ```ts
 * const settings: AnthropicSettings = { apiKey: process.env.ANTHROPIC_API_KEY, defaultMaxTokens: 2048 };
 * ```
 */
export interface AnthropicSettings {
  /** Defaults to `ANTHROPIC_API_KEY`. Required: creation fails with a `ConfigError` without one. */
  apiKey?: string;
  /** API root without `/v1` (the SDK appends `/v1/messages`). Defaults to the SDK's (`https://api.anthropic.com`). */
  baseURL?: string;
  /** Headers sent with every request (for example `anthropic-beta`). */
  headers?: Record<string, string>;
  /** Retries inside the SDK. Default 0: retries belong to Ballast's balancer, which sees every attempt. */
  maxRetries?: number;
  /** Prices used for `costUsd`. Default `defaultPricing`; extend it with `createPricingTable(...)`. */
  pricing?: PricingTable;
  /**
   * `max_tokens` sent when a request sets no `maxTokens`. Anthropic requires the field on every
   * call, so the adapter always sends one. Default 4096.
   */
  defaultMaxTokens?: number;
  /** Capabilities every model of this provider has unless a model overrides them. */
  capabilities?: Partial<ChatModelCapabilities>;
  /**
   * Where the SDK logs its own diagnostics (a stream event it cannot parse, retries when
   * `maxRetries` > 0). Default: the console. Ballast reports every failure as a typed error anyway.
   */
  logger?: SdkLogger;
  /** Most verbose SDK messages logged. Default: the SDK's (`ANTHROPIC_LOG`, else `warn`); `off` for none. */
  logLevel?: SdkLogLevel;
  /** Custom fetch (for proxies or tracing). */
  fetch?: typeof globalThis.fetch;
}

/**
 * The `max_tokens` sent when neither the request nor the settings give one.
 *
 * @example
 * ```ts
 * createAnthropic({ defaultMaxTokens: defaultAnthropicMaxTokens * 2 });
 * ```
 */
export const defaultAnthropicMaxTokens = 4096;

const settingsSchema = z
  .object({
    apiKey: z.string().min(1, 'must not be empty').optional(),
    baseURL: z.url({ protocol: /^https?$/, message: 'must be an absolute http(s) URL' }).optional(),
    headers: z.record(z.string(), z.string()).optional(),
    maxRetries: z.number().int().min(0).max(10).optional(),
    pricing: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
    defaultMaxTokens: z.number().int().positive().optional(),
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
 * values are never echoed, so a key pasted into the wrong field does not leak.
 *
 * @example
 * ```ts
 * const resolved = resolveAnthropicSettings({}, { ANTHROPIC_API_KEY: 'sk-ant-…' });
 * resolved.defaultMaxTokens; // 4096
 * ```
 */
export function resolveAnthropicSettings(settings: AnthropicSettings, env: NodeJS.ProcessEnv = process.env) {
  const parsed = settingsSchema.safeParse(settings);
  if (!parsed.success) throw ConfigError.fromZod('Anthropic settings', parsed.error);
  const apiKey = settings.apiKey ?? env.ANTHROPIC_API_KEY;
  if (!apiKey) {
    throw new ConfigError({
      message: 'Anthropic API key missing: pass `apiKey` or set ANTHROPIC_API_KEY',
      issues: [{ path: 'apiKey', message: 'required' }],
    });
  }
  return {
    ...settings,
    apiKey,
    maxRetries: settings.maxRetries ?? 0,
    defaultMaxTokens: settings.defaultMaxTokens ?? defaultAnthropicMaxTokens,
  };
}

/** Settings after validation, with defaults applied. */
export type ResolvedAnthropicSettings = ReturnType<typeof resolveAnthropicSettings>;
