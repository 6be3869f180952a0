import { readFileSync } from 'node:fs';
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
  const upstreamFetch = options.fetch ?? createNodeFetch();
  const issues: Array<{ path: string; message: string }> = [];
  const fromFile: Record<string, string> = {};
  if (options.file !== undefined) {
    try {
      const parsed: unknown = JSON.parse(readFileSync(options.file, 'utf8'));
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
        issues.push({ path: '(file)', message: `${options.file} must hold a JSON object` });
      else
        for (const [key, value] of Object.entries(parsed))
          fromFile[key] = Array.isArray(value) ? value.join(',') : String(value);
    } catch (error) {
      issues.push({
        path: '(file)',
        message: `cannot read ${options.file} as JSON (${(error as NodeJS.ErrnoException).code ?? 'invalid JSON'})`,
      });
    }
  }
  const env: Env = {
    ...fromFile,
    ...Object.fromEntries(
      Object.entries(options.env ?? process.env).filter(([, v]) => v !== undefined && v !== ''),
    ),
  };
  const text = (name: string) => env[name]?.trim() || undefined;
  const list = (name: string) =>
    (text(name) ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
  const integer = (name: string, min: number, max: number): number | undefined => {
    const raw = text(name);
    if (raw === undefined) return undefined;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      issues.push({
        path: name,
        message: `must be an integer from ${min} to ${max}, got "${raw.slice(0, 20)}"`,
      });
      return undefined;
    }
    return value;
  };
  const bool = (name: string): boolean => {
    const raw = text(name)?.toLowerCase();
    if (raw === undefined) return false;
    if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
    if (['0', 'false', 'no', 'off'].includes(raw)) return false;
    issues.push({ path: name, message: `must be true or false, got "${raw.slice(0, 20)}"` });
    return false;
  };
  const url = (name: string): string | undefined => {
    const raw = text(name);
    if (raw === undefined) return undefined;
    try {
      const parsed = new URL(raw);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('protocol');
      return raw;
    } catch {
      issues.push({ path: name, message: 'must be an http(s) URL' });
      return undefined;
    }
  };

  const httpPort = integer('HTTP_PORT', 0, 65_535) ?? 8080;
  const grpcPort = integer('GRPC_PORT', 0, 65_535);
  const strategyText = text('ROUTING_STRATEGY');
  let strategy: StrategyName = 'weighted';
  if (strategyText !== undefined) {
    const found = toStrategyName(strategyText);
    if (found) strategy = found;
    else
      issues.push({
        path: 'ROUTING_STRATEGY',
        message: `must be one of ${[...Object.keys(routingStrategyAliases), ...strategyNames].join(', ')}`,
      });
  }
  try {
    resolveScoreWeights(undefined, env);
  } catch (error) {
    if (ConfigError.isInstance(error)) issues.push(...error.issues);
  }

  const targets: GatewayTarget[] = [];
  const providers: GatewayEnvironment['providers'] = [];
  const secrets: string[] = [];
  const addProvider = (
    provider: string,
    enabledBy: string[],
    modelsVar: string,
    endpoint: string,
    create: () => (modelId: string) => ChatModel,
    passThrough?: PassThroughUpstream,
  ) => {
    if (!enabledBy.some((name) => text(name) !== undefined)) return;
    const models = list(modelsVar);
    if (!models.length) {
      issues.push({
        path: modelsVar,
        message: `is required with ${enabledBy.filter((name) => text(name)).join(' and ')} (Ballast has no default model)`,
      });
      return;
    }
    try {
      const chatModel = create();
      for (const modelId of models)
        targets.push({ model: chatModel(modelId), ...(passThrough ? { passThrough } : {}) });
      providers.push({ provider, models, endpoint });
    } catch (error) {
      if (ConfigError.isInstance(error))
        issues.push(...error.issues.map((issue) => ({ ...issue, path: `${provider}.${issue.path}` })));
      else issues.push({ path: provider, message: 'cannot be configured' });
    }
  };
  const openaiKey = text('OPENAI_API_KEY');
  const openaiBase = url('OPENAI_BASE_URL');
  if (openaiKey) secrets.push(openaiKey);
  addProvider(
    'openai',
    ['OPENAI_API_KEY', 'OPENAI_BASE_URL'],
    'OPENAI_MODELS',
    openaiBase ?? 'https://api.openai.com/v1',
    () => {
      const client = createOpenAI(
        {
          ...(openaiKey ? { apiKey: openaiKey } : { apiKey: 'unused' }),
          ...(openaiBase ? { baseURL: openaiBase } : {}),
          fetch: upstreamFetch,
        },
        {},
      );
      return (modelId) => client.chatModel(modelId);
    },
    // The OpenAI wire format: served by the gateway's pass-through fast path.
    { baseURL: openaiBase ?? 'https://api.openai.com/v1', ...(openaiKey ? { apiKey: openaiKey } : {}) },
  );
  const anthropicKey = text('ANTHROPIC_API_KEY');
  const anthropicBase = url('ANTHROPIC_BASE_URL');
  if (anthropicKey) secrets.push(anthropicKey);
  addProvider(
    'anthropic',
    ['ANTHROPIC_API_KEY'],
    'ANTHROPIC_MODELS',
    anthropicBase ?? 'https://api.anthropic.com',
    () => {
      const client = createAnthropic(
        { apiKey: anthropicKey!, ...(anthropicBase ? { baseURL: anthropicBase } : {}), fetch: upstreamFetch },
        {},
      );
      return (modelId) => client.chatModel(modelId);
    },
  );
  const ollamaBase = url('OLLAMA_BASE_URL');
  addProvider('ollama', ['OLLAMA_BASE_URL'], 'OLLAMA_MODELS', ollamaBase ?? '', () => {
    const client = createOllama({ host: ollamaBase!, fetch: upstreamFetch }, {});
    return (modelId) => client.chatModel(modelId);
  });
  const groqKey = text('GROQ_API_KEY');
  if (groqKey) secrets.push(groqKey);
  addProvider(
    'groq',
    ['GROQ_API_KEY'],
    'GROQ_MODELS',
    text('GROQ_BASE_URL') ?? 'https://api.groq.com',
    () => {
      const base = url('GROQ_BASE_URL');
      const client = createGroq({ apiKey: groqKey!, ...(base ? { baseURL: base } : {}) }, {});
      return (modelId) => client.chatModel(modelId);
    },
    // Groq's OpenAI-compatible endpoint (what groq-sdk itself calls).
    {
      baseURL: `${(url('GROQ_BASE_URL') ?? 'https://api.groq.com').replace(/\/+$/, '')}/openai/v1`,
      ...(groqKey ? { apiKey: groqKey } : {}),
    },
  );
  if (!targets.length && !issues.some((issue) => issue.path.endsWith('_MODELS')))
    issues.push({
      path: '(providers)',
      message:
        'no provider configured: set OPENAI_API_KEY + OPENAI_MODELS, ANTHROPIC_API_KEY + ANTHROPIC_MODELS, OLLAMA_BASE_URL + OLLAMA_MODELS or GROQ_API_KEY + GROQ_MODELS (or run with --fake)',
    });

  const aliases: Record<string, string[]> = {};
  for (const entry of (text('MODEL_ALIASES') ?? '')
    .split(';')
    .map((item) => item.trim())
    .filter(Boolean)) {
    const [name, models] = entry.split('=', 2);
    const references = (models ?? '')
      .split('|')
      .map((item) => item.trim())
      .filter(Boolean);
    if (!name?.trim() || !references.length)
      issues.push({ path: 'MODEL_ALIASES', message: `"${entry.slice(0, 60)}" is not alias=model|model` });
    else aliases[name.trim()] = references;
  }

  const apiKeys: ApiKeyRecord[] = [];
  const parseKeys = (name: string, admin: boolean) => {
    for (const entry of list(name)) {
      const colon = entry.indexOf(':');
      const id = colon > 0 ? entry.slice(0, colon) : '';
      const value = colon > 0 ? entry.slice(colon + 1) : '';
      if (!id || !value) {
        issues.push({ path: name, message: 'entries must look like id:key or id:sha256:<hex>' });
        continue;
      }
      if (value.startsWith('sha256:')) {
        if (!/^sha256:[0-9a-f]{64}$/.test(value))
          issues.push({ path: `${name}.${id}`, message: 'sha256 hash must be 64 hex digits' });
        else apiKeys.push({ id, hash: value, admin });
      } else {
        secrets.push(value);
        apiKeys.push({ id, hash: hashApiKey(value), admin });
      }
    }
  };
  parseKeys('GATEWAY_API_KEYS', false);
  parseKeys('GATEWAY_ADMIN_KEYS', true);
  const ids = apiKeys.map((key) => key.id);
  for (const id of new Set(ids.filter((id, index) => ids.indexOf(id) !== index)))
    issues.push({ path: 'GATEWAY_API_KEYS', message: `duplicate key id "${id}"` });

  const cors = text('CORS_ORIGINS');
  const result: GatewayEnvironment = {
    httpPort,
    host: text('HOST') ?? '0.0.0.0',
    grpcPort,
    moduleId: text('MODULE_ID') ?? 'ballast-gateway',
    strategy,
    enableMemory: bool('ENABLE_MEMORY'),
    enableRag: bool('ENABLE_RAG'),
    ragCollections: text('RAG_COLLECTIONS') ? list('RAG_COLLECTIONS') : undefined,
    targets,
    aliases,
    apiKeys,
    requestsPerMinute: integer('RATE_LIMIT_RPM', 1, 1_000_000),
    maxBodyBytes: integer('MAX_BODY_BYTES', 1024, 100 * 1_048_576),
    corsOrigins: cors === undefined ? undefined : cors === '*' ? '*' : list('CORS_ORIGINS'),
    timeoutMs: integer('LOAD_BALANCER_TIMEOUT_MS', 1, 3_600_000),
    maxAttempts: integer('LOAD_BALANCER_MAX_ATTEMPTS', 1, 20),
    secrets,
    providers,
  };
  if (issues.length)
    throw new ConfigError({
      message: `Invalid gateway configuration:\n${issues.map((issue) => `  - ${issue.path}: ${issue.message}`).join('\n')}`,
      issues,
    });
  return result;
}
