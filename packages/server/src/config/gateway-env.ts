import { createAnthropic } from '@ballast/anthropic';
import { resolveScoreWeights, type StrategyName, strategyNames } from '@ballast/balancer';
import { type ChatModel, ConfigError } from '@ballast/core';
import { createGroq } from '@ballast/groq';
import { createOllama } from '@ballast/ollama';
import { createOpenAI } from '@ballast/openai';
import type { GatewayTarget } from '../gateway/model-catalog';
import type { PassThroughUpstream } from '../gateway/pass-through-upstream';
import { type ApiKeyRecord, hashApiKey } from '../http/api-keys';
import { createNodeFetch } from '../http/node-fetch';
import { EnvReader } from './env-reader';

/** The AI load-balancer seed's strategy names and the balancer's own. */
export const routingStrategyAliases: Record<string, StrategyName> = {
  round_robin: 'round-robin',
  cost_optimized: 'cost',
  latency_optimized: 'latency',
  load_balanced: 'least-busy',
  failover: 'failover',
  random: 'random',
  weighted: 'weighted',
};

/** Maps `ROUTING_STRATEGY` (seed or balancer spelling) to a balancer strategy. */
export function toStrategyName(value: string): StrategyName | undefined {
  const key = value.trim().toLowerCase();
  return (
    routingStrategyAliases[key] ??
    ((strategyNames as readonly string[]).find((name) => name === key) as StrategyName | undefined)
  );
}

/** Everything the CLI needs to start a gateway, read from environment variables and a config file. */
export interface GatewayEnvironment {
  httpPort: number;
  host: string;
  /** `undefined`: no gRPC server. */
  grpcPort: number | undefined;
  moduleId: string;
  strategy: StrategyName;
  enableMemory: boolean;
  enableRag: boolean;
  ragCollections: string[] | undefined;
  targets: GatewayTarget[];
  aliases: Record<string, string[]>;
  apiKeys: ApiKeyRecord[];
  requestsPerMinute: number | undefined;
  maxBodyBytes: number | undefined;
  corsOrigins: '*' | string[] | undefined;
  timeoutMs: number | undefined;
  maxAttempts: number | undefined;
  /** Provider keys, for scrubbing from logs and errors. */
  secrets: string[];
  /** One line per provider: name, models, where. */
  providers: Array<{ provider: string; models: string[]; endpoint: string }>;
}

/** Names read by {@link loadGatewayEnvironment} (for docs and `--help`). */
export const gatewayEnvironmentVariables = {
  HTTP_PORT: 'HTTP port (default 8080)',
  HOST: 'interface to listen on (default 0.0.0.0)',
  GRPC_PORT: 'gRPC ModuleService port (unset: no gRPC)',
  MODULE_ID: 'module id reported by /healthz and GetStatus (default ballast-gateway)',
  ROUTING_STRATEGY:
    'round_robin | cost_optimized | latency_optimized | load_balanced | failover | random | weighted (default weighted)',
  ENABLE_MEMORY: 'true/false: session memory for session_id (default false)',
  ENABLE_RAG: 'true/false: RAG for rag_collection (default false)',
  RAG_COLLECTIONS: 'comma list of allowed collections (unset: any)',
  OPENAI_API_KEY: 'OpenAI (or compatible) key',
  OPENAI_BASE_URL: 'OpenAI-compatible base URL (vLLM, LM Studio, xAI…)',
  OPENAI_MODELS: 'comma list of model ids to serve (required with OPENAI_API_KEY or OPENAI_BASE_URL)',
  ANTHROPIC_API_KEY: 'Anthropic key',
  ANTHROPIC_BASE_URL: 'Anthropic base URL (optional)',
  ANTHROPIC_MODELS: 'comma list of model ids (required with ANTHROPIC_API_KEY)',
  OLLAMA_BASE_URL: 'Ollama URL, e.g. http://127.0.0.1:11434',
  OLLAMA_MODELS: 'comma list of model ids (required with OLLAMA_BASE_URL)',
  GROQ_API_KEY: 'Groq key',
  GROQ_MODELS: 'comma list of model ids (required with GROQ_API_KEY)',
  MODEL_ALIASES:
    'alias=model[|model…] entries separated by ";", e.g. "fast=gpt-4o-mini|llama3.2;smart=claude-sonnet-4-5"',
  GATEWAY_API_KEYS: 'comma list of id:key or id:sha256:<hex> (unset: open gateway)',
  REDIS_URL:
    'redis:// URL of the state shared by gateway replicas (breakers, concurrency, windows); --shared-state wins; "off" disables',
  GATEWAY_ADMIN_KEYS: 'same format; these keys may also change settings',
  RATE_LIMIT_RPM: 'requests per minute per key',
  MAX_BODY_BYTES: 'largest request body (default 1048576)',
  CORS_ORIGINS: '* or a comma list of origins',
  LOAD_BALANCER_WEIGHT_COST: 'score weight (Next.js seed); also _LATENCY, _RELIABILITY',
  LOAD_BALANCER_TIMEOUT_MS: 'deadline of one call, all attempts included',
  LOAD_BALANCER_MAX_ATTEMPTS: 'attempts per call across targets',
} as const;

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads the gateway settings from environment variables (the AI load-balancer seed's names and
 * the Next.js seed's `LOAD_BALANCER_*`), with an optional JSON file of the same keys underneath,
 * and builds the provider models. Every problem is collected before failing.
 *
 * @throws {ConfigError} listing every problem (never a secret's value).
 * @example
 * ```ts
 * const settings = loadGatewayEnvironment({ env: process.env, file: 'gateway.json' });
 * const gateway = createGateway({ targets: settings.targets, strategy: settings.strategy });
 * ```
 */
export function loadGatewayEnvironment(
  options: {
    env?: Env;
    file?: string;
    /**
     * The `fetch` the OpenAI, Anthropic and Ollama SDKs use (default {@link createNodeFetch}: keep-alive
     * `node:http`, cheaper per call than Node 20's built-in fetch). Pass `globalThis.fetch` to opt out.
     */
    fetch?: typeof globalThis.fetch;
  } = {},
): GatewayEnvironment {
  const read = new EnvReader(options.env ?? process.env, options.file);
  const httpPort = read.integer('HTTP_PORT', 0, 65_535) ?? 8080;
  const grpcPort = read.integer('GRPC_PORT', 0, 65_535);
  const strategy = readStrategy(read);
  try {
    resolveScoreWeights(undefined, read.env);
  } catch (error) {
    if (ConfigError.isInstance(error)) read.issues.push(...error.issues);
  }
  const secrets: string[] = [];
  const { targets, providers } = readProviders(read, options.fetch ?? createNodeFetch(), secrets);
  const aliases = readAliases(read);
  const apiKeys = [
    ...readApiKeys(read, 'GATEWAY_API_KEYS', false, secrets),
    ...readApiKeys(read, 'GATEWAY_ADMIN_KEYS', true, secrets),
  ];
  const ids = apiKeys.map((key) => key.id);
  for (const id of new Set(ids.filter((id, index) => ids.indexOf(id) !== index)))
    read.issue('GATEWAY_API_KEYS', `duplicate key id "${id}"`);

  const cors = read.text('CORS_ORIGINS');
  const result: GatewayEnvironment = {
    httpPort,
    host: read.text('HOST') ?? '0.0.0.0',
    grpcPort,
    moduleId: read.text('MODULE_ID') ?? 'ballast-gateway',
    strategy,
    enableMemory: read.bool('ENABLE_MEMORY'),
    enableRag: read.bool('ENABLE_RAG'),
    ragCollections: read.text('RAG_COLLECTIONS') ? read.list('RAG_COLLECTIONS') : undefined,
    targets,
    aliases,
    apiKeys,
    requestsPerMinute: read.integer('RATE_LIMIT_RPM', 1, 1_000_000),
    maxBodyBytes: read.integer('MAX_BODY_BYTES', 1024, 100 * 1_048_576),
    corsOrigins: cors === undefined ? undefined : cors === '*' ? '*' : read.list('CORS_ORIGINS'),
    timeoutMs: read.integer('LOAD_BALANCER_TIMEOUT_MS', 1, 3_600_000),
    maxAttempts: read.integer('LOAD_BALANCER_MAX_ATTEMPTS', 1, 20),
    secrets,
    providers,
  };
  if (read.issues.length)
    throw new ConfigError({
      message: `Invalid gateway configuration:\n${read.issues.map((issue) => `  - ${issue.path}: ${issue.message}`).join('\n')}`,
      issues: read.issues,
    });
  return result;
}

function readStrategy(read: EnvReader): StrategyName {
  const strategyText = read.text('ROUTING_STRATEGY');
  if (strategyText === undefined) return 'weighted';
  const found = toStrategyName(strategyText);
  if (found) return found;
  read.issue(
    'ROUTING_STRATEGY',
    `must be one of ${[...Object.keys(routingStrategyAliases), ...strategyNames].join(', ')}`,
  );
  return 'weighted';
}

/** How one provider is configured from the environment. */
interface ProviderSetting {
  provider: string;
  /** The provider is on when any of these is set; then its models variable is required. */
  enabledBy: string[];
  modelsVar: string;
  endpoint: string;
  create: () => (modelId: string) => ChatModel;
  /** OpenAI wire format upstream: served by the gateway's pass-through fast path. */
  passThrough?: PassThroughUpstream;
}

/** OpenAI (or compatible), Anthropic, Ollama and Groq, each on when its key or URL is set. */
function readProviders(
  read: EnvReader,
  upstreamFetch: typeof globalThis.fetch,
  secrets: string[],
): { targets: GatewayTarget[]; providers: GatewayEnvironment['providers'] } {
  const targets: GatewayTarget[] = [];
  const providers: GatewayEnvironment['providers'] = [];
  for (const setting of providerSettings(read, upstreamFetch, secrets)) {
    if (!setting.enabledBy.some((name) => read.text(name) !== undefined)) continue;
    const models = read.list(setting.modelsVar);
    if (!models.length) {
      read.issue(
        setting.modelsVar,
        `is required with ${setting.enabledBy.filter((name) => read.text(name)).join(' and ')} (Ballast has no default model)`,
      );
      continue;
    }
    try {
      const chatModel = setting.create();
      for (const modelId of models)
        targets.push({
          model: chatModel(modelId),
          ...(setting.passThrough ? { passThrough: setting.passThrough } : {}),
        });
      providers.push({ provider: setting.provider, models, endpoint: setting.endpoint });
    } catch (error) {
      if (ConfigError.isInstance(error))
        read.issues.push(
          ...error.issues.map((issue) => ({ ...issue, path: `${setting.provider}.${issue.path}` })),
        );
      else read.issue(setting.provider, 'cannot be configured');
    }
  }
  if (!targets.length && !read.issues.some((issue) => issue.path.endsWith('_MODELS')))
    read.issue(
      '(providers)',
      'no provider configured: set OPENAI_API_KEY + OPENAI_MODELS, ANTHROPIC_API_KEY + ANTHROPIC_MODELS, OLLAMA_BASE_URL + OLLAMA_MODELS or GROQ_API_KEY + GROQ_MODELS (or run with --fake)',
    );
  return { targets, providers };
}

/** Each provider's setting; keys are added to `secrets` (for scrubbing) as they are read. */
function providerSettings(
  read: EnvReader,
  upstreamFetch: typeof globalThis.fetch,
  secrets: string[],
): ProviderSetting[] {
  const openaiKey = read.text('OPENAI_API_KEY');
  const openaiBase = read.url('OPENAI_BASE_URL');
  const anthropicKey = read.text('ANTHROPIC_API_KEY');
  const anthropicBase = read.url('ANTHROPIC_BASE_URL');
  const ollamaBase = read.url('OLLAMA_BASE_URL');
  const groqKey = read.text('GROQ_API_KEY');
  const groqBase = read.url('GROQ_BASE_URL');
  for (const key of [openaiKey, anthropicKey, groqKey]) if (key) secrets.push(key);
  return [
    {
      provider: 'openai',
      enabledBy: ['OPENAI_API_KEY', 'OPENAI_BASE_URL'],
      modelsVar: 'OPENAI_MODELS',
      endpoint: openaiBase ?? 'https://api.openai.com/v1',
      create: () => {
        const client = createOpenAI(
          {
            apiKey: openaiKey ?? 'unused',
            ...(openaiBase ? { baseURL: openaiBase } : {}),
            fetch: upstreamFetch,
          },
          {},
        );
        return (modelId) => client.chatModel(modelId);
      },
      passThrough: {
        baseURL: openaiBase ?? 'https://api.openai.com/v1',
        ...(openaiKey ? { apiKey: openaiKey } : {}),
      },
    },
    {
      provider: 'anthropic',
      enabledBy: ['ANTHROPIC_API_KEY'],
      modelsVar: 'ANTHROPIC_MODELS',
      endpoint: anthropicBase ?? 'https://api.anthropic.com',
      create: () => {
        const client = createAnthropic(
          {
            apiKey: anthropicKey!,
            ...(anthropicBase ? { baseURL: anthropicBase } : {}),
            fetch: upstreamFetch,
          },
          {},
        );
        return (modelId) => client.chatModel(modelId);
      },
    },
    {
      provider: 'ollama',
      enabledBy: ['OLLAMA_BASE_URL'],
      modelsVar: 'OLLAMA_MODELS',
      endpoint: ollamaBase ?? '',
      create: () => {
        const client = createOllama({ host: ollamaBase!, fetch: upstreamFetch }, {});
        return (modelId) => client.chatModel(modelId);
      },
    },
    {
      provider: 'groq',
      enabledBy: ['GROQ_API_KEY'],
      modelsVar: 'GROQ_MODELS',
      endpoint: read.text('GROQ_BASE_URL') ?? 'https://api.groq.com',
      create: () => {
        const client = createGroq({ apiKey: groqKey!, ...(groqBase ? { baseURL: groqBase } : {}) }, {});
        return (modelId) => client.chatModel(modelId);
      },
      // Groq's OpenAI-compatible endpoint (what groq-sdk itself calls).
      passThrough: {
        baseURL: `${(groqBase ?? 'https://api.groq.com').replace(/\/+$/, '')}/openai/v1`,
        ...(groqKey ? { apiKey: groqKey } : {}),
      },
    },
  ];
}

/** `MODEL_ALIASES`: `alias=model|model` entries separated by `;`. */
function readAliases(read: EnvReader): Record<string, string[]> {
  const aliases: Record<string, string[]> = {};
  for (const entry of (read.text('MODEL_ALIASES') ?? '')
    .split(';')
    .map((item) => item.trim())
    .filter(Boolean)) {
    const [name, models] = entry.split('=', 2);
    const references = (models ?? '')
      .split('|')
      .map((item) => item.trim())
      .filter(Boolean);
    if (!name?.trim() || !references.length)
      read.issue('MODEL_ALIASES', `"${entry.slice(0, 60)}" is not alias=model|model`);
    else aliases[name.trim()] = references;
  }
  return aliases;
}

/** `id:key` (the key is hashed at once, and kept only as a secret to scrub) or `id:sha256:<hex>`. */
function readApiKeys(read: EnvReader, name: string, admin: boolean, secrets: string[]): ApiKeyRecord[] {
  const apiKeys: ApiKeyRecord[] = [];
  for (const entry of read.list(name)) {
    const colon = entry.indexOf(':');
    const id = colon > 0 ? entry.slice(0, colon) : '';
    const value = colon > 0 ? entry.slice(colon + 1) : '';
    if (!id || !value) {
      read.issue(name, 'entries must look like id:key or id:sha256:<hex>');
      continue;
    }
    if (value.startsWith('sha256:')) {
      if (!/^sha256:[0-9a-f]{64}$/.test(value))
        read.issue(`${name}.${id}`, 'sha256 hash must be 64 hex digits');
      else apiKeys.push({ id, hash: value, admin });
    } else {
      secrets.push(value);
      apiKeys.push({ id, hash: hashApiKey(value), admin });
    }
  }
  return apiKeys;
}
