import { type ChatModelCapabilities, ConfigError, type PricingTable } from '@ballast/core';
import { z } from 'zod';

/**
 * Settings of {@link createOllama}.
 *
 * @example
 * ```ts
 * const settings: OllamaSettings = { host: 'http://gpu-box:11434', keepAlive: '10m' };
 * ```
 */
export interface OllamaSettings {
  /**
   * Where Ollama listens: `http://gpu-box:11434`, `gpu-box:11434` or `:11434`. Defaults to the
   * `OLLAMA_HOST` environment variable, then `http://127.0.0.1:11434`.
   */
  host?: string;
  /**
   * Bearer token for an Ollama behind an authenticating proxy (or `https://ollama.com`, where
   * `OLLAMA_API_KEY` is read by default). A plain Ollama needs none.
   */
  apiKey?: string;
  /** Headers sent with every request. */
  headers?: Record<string, string>;
  /** Prices used for `costUsd`. Default `defaultPricing`, where every Ollama model costs 0. */
  pricing?: PricingTable;
  /** Capabilities every model of this host has unless a model overrides them. Default: all true. */
  capabilities?: Partial<ChatModelCapabilities>;
  /** How long Ollama keeps the model loaded after a call (`keep_alive`): `'10m'`, `3600` (seconds), `-1`. */
  keepAlive?: string | number;
  /** Extra Ollama runtime options sent with every call (`num_ctx`, `top_k`, ...). Request fields win. */
  options?: Record<string, unknown>;
  /** Custom fetch (for proxies or tracing). Ballast still adds each call's abort signal. */
  fetch?: typeof globalThis.fetch;
}

/**
 * Options of one model, given to `chatModel(modelId, options)`.
 *
 * @example
 * ```ts
 * const options: OllamaChatModelOptions = { capabilities: { tools: false }, options: { num_ctx: 8192 } };
 * createOllama().chatModel('gemma:2b', options);
 * ```
 */
export interface OllamaChatModelOptions {
  /** What this model can do; overrides the provider's capabilities (e.g. `{ vision: false }`). */
  capabilities?: Partial<ChatModelCapabilities>;
  /** `keep_alive` for this model; overrides the provider's. */
  keepAlive?: string | number;
  /** Runtime options for this model (`num_ctx`, ...), merged over the provider's. */
  options?: Record<string, unknown>;
}

const defaultHost = 'http://127.0.0.1:11434';

const settingsSchema = z
  .object({
    host: z.string().min(1, 'must not be empty').optional(),
    apiKey: z.string().min(1, 'must not be empty').optional(),
    headers: z.record(z.string(), z.string()).optional(),
    pricing: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
    capabilities: z.record(z.string(), z.boolean()).optional(),
    keepAlive: z.union([z.string().min(1), z.number()]).optional(),
    options: z.record(z.string(), z.unknown()).optional(),
    fetch: z
      .custom<typeof globalThis.fetch>((value) => typeof value === 'function', 'must be a function')
      .optional(),
  })
  // A misspelt key (`baseUrl`, `host` vs `baseURL`) must not fall back to the default endpoint silently.
  .strict();

/**
 * Settings after validation, with defaults applied.
 *
 * @internal
 */
export interface ResolvedOllamaSettings extends Omit<OllamaSettings, 'host' | 'headers'> {
  /** Normalized origin and path, without credentials or a trailing slash. */
  host: string;
  /** Headers of every request, including `Authorization` when a key or URL credentials were given. */
  headers: Record<string, string>;
  /** Every credential the settings hold, for redaction from errors. */
  secrets: string[];
}

/**
 * Validates settings and fills in defaults. Throws {@link ConfigError} naming every bad key;
 * values are never echoed, so a key pasted into the wrong field does not leak.
 *
 * @example
 * ```ts
 * resolveOllamaSettings({ host: 'gpu-box' }).host; // 'http://gpu-box:11434'
 * ```
 * @internal
 */
export function resolveOllamaSettings(
  settings: OllamaSettings,
  env: NodeJS.ProcessEnv = process.env,
): ResolvedOllamaSettings {
  const parsed = settingsSchema.safeParse(settings);
  if (!parsed.success) throw ConfigError.fromZod('Ollama settings', parsed.error);
  const fromEnv = env.OLLAMA_HOST?.trim();
  const source = settings.host !== undefined ? 'host' : 'OLLAMA_HOST';
  const url = parseHost(settings.host ?? (fromEnv || defaultHost), source);

  const headers: Record<string, string> = { ...settings.headers };
  const secrets: string[] = [];
  if (url.username || url.password) {
    // fetch refuses URLs with credentials: send them as Basic auth instead.
    const user = decodeURIComponent(url.username);
    const password = decodeURIComponent(url.password);
    const basic = Buffer.from(`${user}:${password}`).toString('base64');
    headers.Authorization = `Basic ${basic}`;
    secrets.push(basic, password);
    url.username = '';
    url.password = '';
  }
  // Like ollama-js, send OLLAMA_API_KEY only to Ollama's own cloud, never to an arbitrary host.
  const apiKey =
    settings.apiKey ??
    (url.protocol === 'https:' && url.hostname === 'ollama.com' ? env.OLLAMA_API_KEY : undefined);
  if (apiKey) {
    headers.Authorization = `Bearer ${apiKey}`;
    secrets.push(apiKey);
  }
  const { host: _host, headers: _headers, apiKey: _apiKey, ...rest } = settings;
  return {
    ...rest,
    ...(apiKey === undefined ? {} : { apiKey }),
    host: `${url.origin}${url.pathname}`.replace(/\/+$/, ''),
    headers,
    secrets,
  };
}

/** Parses a host the way the Ollama CLI and ollama-js do: scheme and port are optional. */
function parseHost(raw: string, source: string): URL {
  let text = raw.trim();
  const explicitScheme = text.includes('://');
  if (text.startsWith(':')) text = `http://127.0.0.1${text}`;
  else if (!explicitScheme) text = `http://${text}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalidHost(source);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname || url.search || url.hash) {
    throw invalidHost(source);
  }
  if (!url.port && !explicitScheme) url.port = '11434';
  return url;
}

function invalidHost(source: string): ConfigError {
  return new ConfigError({
    message: `Invalid Ollama settings: ${source} must be an http(s) URL or host[:port], e.g. http://127.0.0.1:11434`,
    issues: [
      {
        path: source === 'host' ? 'host' : '(env) OLLAMA_HOST',
        message: 'must be an http(s) URL or host[:port]',
      },
    ],
  });
}
