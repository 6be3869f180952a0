import { readFileSync } from 'node:fs';
import { ConfigError } from '@ballast/core';
import { z } from 'zod';
import { analysisPeriodSchema } from './analysis-period';

/**
 * Model providers a Ballast deployment can use for advice (`ai_provider`).
 *
 * @example
 * ```ts
 * const provider: AiProvider = aiProviderSchema.parse('ollama');
 * ```
 */
export const aiProviderSchema = z.enum(['openai', 'anthropic', 'ollama', 'groq', 'openai-compatible']);

/**
 * An `ai_provider` value.
 *
 * @example
 * ```ts
 * const provider: AiProvider = 'anthropic';
 * ```
 */
export type AiProvider = z.infer<typeof aiProviderSchema>;

/** Providers that need `ai_api_key`. */
const hostedProviders: ReadonlySet<AiProvider> = new Set(['openai', 'anthropic', 'groq']);

/**
 * Keys whose values are credentials: never printed, never in error messages.
 *
 * @example
 * ```ts
 * ballastSecretKeys.includes('ai_api_key'); // true
 * ```
 */
export const ballastSecretKeys = ['proxmox_api_token_secret', 'ai_api_key'] as const;

/**
 * A secret configuration key.
 *
 * @example
 * ```ts
 * const key: BallastSecretKey = 'ai_api_key';
 * ```
 */
export type BallastSecretKey = (typeof ballastSecretKeys)[number];

const percent = z.number().gt(0, 'must be above 0').max(100, 'must be at most 100');

// A DNS name, an IPv4 address or a bracket-less IPv6 address; nothing that could carry a scheme,
// a port or a path, which a host field would otherwise drop or misread silently.
const hostPattern =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)$/;

const proxmoxHostSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(253, 'must be at most 253 characters')
  .superRefine((host, context) => {
    const problem = /^[a-z][a-z0-9+.-]*:\/\//i.test(host)
      ? 'must be a host name without a scheme (https:// is implied)'
      : /^[^:]+:\d+$/.test(host) || /^\[.*\]:\d+$/.test(host)
        ? 'must not carry a port: set proxmox_port instead'
        : /[/?#@\s]/.test(host)
          ? 'must be a bare host name or address (no path, user or spaces)'
          : hostPattern.test(host.replace(/^\[(.*)\]$/, '$1'))
            ? undefined
            : 'must be a host name or an IP address';
    if (problem) context.addIssue({ code: 'custom', message: problem });
  })
  .transform((host) => host.replace(/^\[(.*)\]$/, '$1'));

// Model endpoints are reached with fetch: only http(s) makes sense, and `file:` or `data:` URLs
// would turn a config value into a way to read local files or inject answers.
const httpUrlSchema = z
  .url('must be a URL')
  .refine((value) => /^https?:$/.test(new URL(value).protocol), 'must be an http:// or https:// URL');

/**
 * Ballast's deployment configuration with ProxBalance's flat `config.json` keys. Unknown keys are
 * ignored (so a ProxBalance file can be reused); cross-field rules: `ai_enabled: true` needs
 * `ai_provider` and `ai_model` (there is no default model id), `ai_api_key` for hosted providers
 * (`openai`, `anthropic`, `groq`) and `ai_base_url` for `openai-compatible`; the Proxmox token id
 * and secret come together.
 *
 * @example
 * ```ts
 * const config = ballastConfigSchema.parse({ proxmox_host: 'pve1.lan', ai_enabled: true, ai_provider: 'ollama', ai_model: 'qwen2.5:7b' });
 * config.proxmox_port; // 8006
 * ```
 */
export const ballastConfigSchema = z
  .object({
    /** Proxmox host name or address: no scheme, no port (that is `proxmox_port`), no path. */
    proxmox_host: proxmoxHostSchema.optional(),
    proxmox_port: z.number().int('must be an integer').min(1).max(65_535).default(8006),
    /** `user@realm!tokenid`. */
    proxmox_api_token_id: z
      .string()
      .regex(/^[^@\s]+@[^!\s]+![^\s]+$/, 'must look like user@realm!tokenid')
      .optional(),
    proxmox_api_token_secret: z.string().min(1, 'must not be empty').optional(),
    proxmox_verify_ssl: z.boolean().default(true),
    /**
     * The explicit opt-in that `proxmox_verify_ssl: false` needs without a `proxmox_fingerprint`:
     * anyone on the path can then read the API token. Prefer pinning the certificate.
     */
    proxmox_allow_insecure_tls: z.boolean().default(false),
    /** SHA-256 certificate fingerprint to pin (`AA:BB:…`, 32 pairs) for self-signed clusters. */
    proxmox_fingerprint: z
      .string()
      .regex(
        /^([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$/,
        'must be a SHA-256 fingerprint (32 hex pairs joined by ":")',
      )
      .optional(),
    ai_enabled: z.boolean().default(false),
    ai_provider: aiProviderSchema.optional(),
    ai_api_key: z.string().min(1, 'must not be empty').optional(),
    /** The model id. Never defaulted. */
    ai_model: z.string().trim().min(1, 'must not be empty').optional(),
    ai_base_url: httpUrlSchema.optional(),
    ai_analysis_period: analysisPeriodSchema.default('24h'),
    /** Deadline of each model call, seconds. */
    ai_timeout_seconds: z.number().gt(0).max(600).default(30),
    collection_interval_minutes: z.number().int('must be an integer').min(1).max(1440).default(60),
    cpu_threshold: percent.default(60),
    mem_threshold: percent.default(70),
  })
  .superRefine((config, context) => {
    for (const issue of crossFieldIssues(config)) {
      context.addIssue({ code: 'custom', path: [issue.path], message: issue.message });
    }
  });

/** Rules between keys; also run on raw input so every problem is reported in one error. */
function crossFieldIssues(config: Record<string, unknown>): Array<{ path: string; message: string }> {
  const issues: Array<{ path: string; message: string }> = [];
  const provider = config.ai_provider as AiProvider | undefined;
  if (config.ai_enabled === true) {
    if (provider === undefined)
      issues.push({ path: 'ai_provider', message: 'is required when ai_enabled is true' });
    if (config.ai_model === undefined)
      issues.push({
        path: 'ai_model',
        message: 'is required when ai_enabled is true (Ballast has no default model)',
      });
    if (provider !== undefined && hostedProviders.has(provider) && config.ai_api_key === undefined)
      issues.push({ path: 'ai_api_key', message: `is required for ai_provider "${provider}"` });
    if (provider === 'openai-compatible' && config.ai_base_url === undefined)
      issues.push({ path: 'ai_base_url', message: 'is required for ai_provider "openai-compatible"' });
  }
  if (
    config.proxmox_verify_ssl === false &&
    config.proxmox_fingerprint === undefined &&
    config.proxmox_allow_insecure_tls !== true
  ) {
    issues.push({
      path: 'proxmox_verify_ssl',
      message:
        'false turns TLS verification off, so anyone on the path can read the API token: pin the ' +
        'certificate with proxmox_fingerprint instead, or set proxmox_allow_insecure_tls: true to accept the risk',
    });
  }
  if ((config.proxmox_api_token_id === undefined) !== (config.proxmox_api_token_secret === undefined)) {
    issues.push({
      path: config.proxmox_api_token_id === undefined ? 'proxmox_api_token_id' : 'proxmox_api_token_secret',
      message: 'proxmox_api_token_id and proxmox_api_token_secret must be given together',
    });
  }
  return issues;
}

/**
 * A validated Ballast configuration (defaults applied).
 *
 * @example
 * ```ts
 * const timeoutMs = (config: BallastConfig) => config.ai_timeout_seconds * 1000;
 * ```
 */
export type BallastConfig = z.output<typeof ballastConfigSchema>;

/**
 * A configuration key.
 *
 * @example
 * ```ts
 * const key: BallastConfigKey = 'cpu_threshold';
 * ```
 */
export type BallastConfigKey = keyof BallastConfig;

const keyTypes: Record<BallastConfigKey, 'string' | 'number' | 'boolean'> = {
  proxmox_host: 'string',
  proxmox_port: 'number',
  proxmox_api_token_id: 'string',
  proxmox_api_token_secret: 'string',
  proxmox_verify_ssl: 'boolean',
  proxmox_allow_insecure_tls: 'boolean',
  proxmox_fingerprint: 'string',
  ai_enabled: 'boolean',
  ai_provider: 'string',
  ai_api_key: 'string',
  ai_model: 'string',
  ai_base_url: 'string',
  ai_analysis_period: 'string',
  ai_timeout_seconds: 'number',
  collection_interval_minutes: 'number',
  cpu_threshold: 'number',
  mem_threshold: 'number',
};

/**
 * Every configuration key, in table order.
 *
 * @example
 * ```ts
 * ballastConfigKeys.map((key) => ballastEnvVar(key)); // ['BALLAST_PROXMOX_HOST', …]
 * ```
 */
export const ballastConfigKeys = Object.keys(keyTypes) as BallastConfigKey[];

/**
 * The environment variable that sets a key: `BALLAST_` + the key in upper case.
 *
 * @example
 * ```ts
 * ballastEnvVar('cpu_threshold'); // 'BALLAST_CPU_THRESHOLD'
 * ```
 */
export function ballastEnvVar(key: BallastConfigKey): string {
  return `BALLAST_${key.toUpperCase()}`;
}

/**
 * Options of {@link loadBallastConfig}.
 *
 * @example
 * ```ts
 * const options: LoadBallastConfigOptions = { file: '/etc/ballast/config.json', env: process.env, overrides: { ai_enabled: false } };
 * ```
 */
export interface LoadBallastConfigOptions {
  /** Path of a JSON file with the flat keys (a ProxBalance `config.json` works). */
  file?: string;
  /** Environment to read `BALLAST_*` variables from. Default: none (pass `process.env` explicitly). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Values that win over the file and the environment. */
  overrides?: Partial<Record<BallastConfigKey, unknown>>;
}

type Origin = 'file' | 'env' | 'override';

/**
 * Loads and validates the configuration. Precedence: defaults < `file` < `env` (`BALLAST_<KEY>`,
 * strings coerced: numbers, `true/false/1/0/yes/no/on/off`) < `overrides`. Throws a
 * {@link ConfigError} listing every bad key with where it came from; secret values never appear in
 * messages (not even inside a broken JSON file).
 *
 * @example
 * ```ts
 * const config = loadBallastConfig({ file: 'config.json', env: process.env });
 * console.log(redactConfig(config));
 * ```
 */
export function loadBallastConfig(options: LoadBallastConfigOptions = {}): BallastConfig {
  const merged: Record<string, unknown> = {};
  const origins = new Map<string, { origin: Origin; name: string }>();
  const knownSecrets: string[] = [];

  if (options.file !== undefined) {
    const fromFile = readConfigFile(options.file);
    for (const key of ballastConfigKeys) {
      if (fromFile[key] === undefined) continue;
      merged[key] = fromFile[key];
      origins.set(key, { origin: 'file', name: options.file });
    }
  }
  for (const key of ballastConfigKeys) {
    const name = ballastEnvVar(key);
    const raw = options.env?.[name];
    if (raw === undefined || raw.trim() === '') continue;
    merged[key] = coerce(raw, keyTypes[key]);
    origins.set(key, { origin: 'env', name });
  }
  for (const [key, value] of Object.entries(options.overrides ?? {})) {
    if (value === undefined || !(key in keyTypes)) continue;
    merged[key] = value;
    origins.set(key, { origin: 'override', name: key });
  }
  for (const key of ballastSecretKeys) {
    const value = merged[key];
    if (typeof value === 'string') knownSecrets.push(value);
  }

  const parsed = ballastConfigSchema.safeParse(merged);
  if (parsed.success) return parsed.data;
  const raw = [
    ...parsed.error.issues.map((issue) => ({
      path: String(issue.path[0] ?? '(root)'),
      message: issue.message,
    })),
    ...crossFieldIssues(merged),
  ].filter(
    (issue, index, all) =>
      all.findIndex((other) => other.path === issue.path && other.message === issue.message) === index,
  );
  const issues = raw.map((issue) => {
    const key = issue.path;
    const origin = origins.get(key);
    const where =
      origin === undefined
        ? ''
        : ` (from ${origin.origin === 'file' ? 'file' : origin.origin} ${origin.name})`;
    return { path: key, message: withoutSecrets(`${key}${where}: ${issue.message}`, knownSecrets) };
  });
  throw new ConfigError({
    message: `Invalid Ballast configuration: ${issues.map((issue) => issue.message).join('; ')}`,
    issues,
  });
}

/**
 * The risks a loaded configuration accepts, one sentence each, for a program to print on every
 * start (the demo and the server do): TLS verification off, a model endpoint over plain HTTP to
 * another machine. Empty when there are none.
 *
 * @example
 * ```ts
 * for (const warning of configWarnings(config)) console.warn(`warning: ${warning}`);
 * ```
 */
export function configWarnings(config: BallastConfig): string[] {
  const warnings: string[] = [];
  if (!config.proxmox_verify_ssl && config.proxmox_fingerprint === undefined)
    warnings.push(
      'TLS verification of the Proxmox API is OFF (proxmox_allow_insecure_tls): the API token can be read by anyone on the path',
    );
  if (config.ai_base_url !== undefined) {
    const url = new URL(config.ai_base_url);
    if (url.protocol === 'http:' && !isLoopbackHost(url.hostname))
      warnings.push(
        `the model endpoint ${url.origin} is plain HTTP: prompts and the API key travel unencrypted`,
      );
  }
  return warnings;
}

function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[(.*)\]$/, '$1');
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * A copy of the configuration safe to print or log: secret values replaced by `[redacted]`.
 *
 * @example
 * ```ts
 * redactConfig(config).ai_api_key; // '[redacted]' (or undefined when not set)
 * ```
 */
export function redactConfig(config: BallastConfig): BallastConfig {
  const copy: BallastConfig = { ...config };
  for (const key of ballastSecretKeys) if (copy[key] !== undefined) copy[key] = '[redacted]';
  return copy;
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError({
      message: `Cannot read config file ${path}${code === undefined ? '' : ` (${code})`}`,
      issues: [{ path: '(file)', message: `cannot read ${path}` }],
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    // V8's message quotes the text around the error, which may hold a secret: report a position only.
    const position = /position (\d+)/.exec(error instanceof Error ? error.message : '')?.[1];
    const at = position === undefined ? '' : ` ${lineColumn(text, Number(position))}`;
    throw new ConfigError({
      message: `Config file ${path} is not valid JSON${at}`,
      issues: [{ path: '(file)', message: `not valid JSON${at}` }],
    });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError({
      message: `Config file ${path} must hold a JSON object`,
      issues: [{ path: '(file)', message: 'must hold a JSON object' }],
    });
  }
  return value as Record<string, unknown>;
}

/** Removes known secret values (key names such as `ai_api_key` stay readable). */
function withoutSecrets(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) if (secret.length >= 4) result = result.split(secret).join('[redacted]');
  return result;
}

function lineColumn(text: string, position: number): string {
  const before = text.slice(0, position).split('\n');
  return `at line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
}

function coerce(raw: string, type: 'string' | 'number' | 'boolean'): unknown {
  const value = raw.trim();
  if (type === 'number') {
    const number = Number(value);
    return value !== '' && Number.isFinite(number) ? number : raw;
  }
  if (type === 'boolean') {
    const lower = value.toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(lower)) return true;
    if (['false', '0', 'no', 'off'].includes(lower)) return false;
    return raw;
  }
  return value;
}
