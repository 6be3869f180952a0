import { type Balancer, type BalancerConfig, RetryBudget, type StrategyName } from '@ballast/balancer';
import {
  defaultPricing,
  findModelPrice,
  type ModelPrice,
  type PricingTable,
  type SharedState,
} from '@ballast/core';
import type { Stores } from '@ballast/store';
import type { EventEmitter } from 'eventemitter3';
import type { Logger } from 'pino';
import type { SettingsStore } from '../config/settings-store';
import { type BallastHandlersOptions, type BallastServerEvents, createBallastRoutes } from '../handlers';
import { type ApiKeyRecord, createApiKeyVerifier } from '../http/api-keys';
import { type CorsOptions, createCors } from '../http/cors';
import { createFetchApp } from '../http/fetch-app';
import { defaultMaxBodyBytes } from '../http/json';
import { createRateLimiter, type RateLimiter } from '../http/rate-limiter';
import type { FetchHandler, RouteInfo } from '../http/router';
import type { NodeRequestHandler } from '../http/serve-node';
import { createLogger } from '../logging/logger';
import type { MemoryOptions, RagOptions } from '../memory/context';
import { createHashedBagOfWordsEmbedder } from '../memory/embedder';
import { createInMemoryMemoryStore } from '../memory/memory-store';
import { createInMemoryRagStore } from '../memory/rag-store';
import { ragStoreFromVectorStore } from '../memory/vector-rag-store';
import { createGatewayMetrics, type GatewayMetrics } from '../metrics/gateway-metrics';
import type { AlertMonitor } from '../monitoring/alert-monitor';
import { createChatCompletionsHandler, type RoutingDecision } from './chat-completions';
import { createChatCompletionsPassThrough } from './chat-completions-pass-through';
import { createGatewayBalancer } from './gateway-balancer';
import { createGatewayBookkeeping } from './gateway-bookkeeping';
import type { GatewayBooks, GatewayBooksOptions } from './gateway-books';
import { gatewayRoutes, healthReport, routingStats } from './gateway-routes';
import {
  createModelCatalog,
  type GatewayTarget,
  type ModelCatalog,
  type TargetSettings,
} from './model-catalog';
import { createPassThroughClient, type PassThroughClient } from './pass-through-upstream';

/** Configuration of {@link createGateway}. */
export interface GatewayConfig
  extends Omit<BallastHandlersOptions, 'balancer' | 'targetSettings' | 'configureTarget' | 'logger'> {
  /** Upstream models. */
  targets: GatewayTarget[];
  /** Client-facing names → model ids, target ids or `provider/model` names. `auto` = every target. */
  aliases?: Record<string, string[]>;
  /** Routing strategy (default `weighted`). */
  strategy?: StrategyName;
  /** Everything else of the balancer (retries, breaker, timeouts, weights, pricing…). */
  balancer?: Omit<BalancerConfig, 'targets' | 'strategy'>;
  /** Reported by `/healthz` and gRPC `GetStatus` (`MODULE_ID`). Default `ballast-gateway`. */
  moduleId?: string;
  apiKeys?: ApiKeyRecord[];
  /** Default per-key limit; a key's own wins. */
  requestsPerMinute?: number;
  /** Largest accepted request body. Default 1 MiB. */
  maxBodyBytes?: number;
  cors?: CorsOptions;
  /** Session memory (`session_id`): `true` for the in-memory store with the hashed bag-of-words embedder. */
  memory?: boolean | Partial<MemoryOptions>;
  /** RAG (`rag_collection`, `rag_top_k`): `true` for the in-memory store. */
  rag?: boolean | Partial<RagOptions>;
  /**
   * Durable stores (`openStores('sqlite:ballast.db')` from `@ballast/store`): memory and RAG
   * default to them (unless given explicitly), every upstream attempt is recorded in its
   * MetricsStore (`/api/monitoring/performance` answers from it), routing decisions and target
   * settings changes go to its audit log, and `/healthz` reports its kind and vector search mode.
   * The caller owns it: close it after the gateway.
   *
   * The per-call rows and audit entries are batched off the request path (see `books`):
   * `/api/monitoring/performance` flushes them before it reads; read the store directly only after
   * `await gateway.flush()`.
   */
  store?: Stores;
  /**
   * Batching of the per-call books: store rows and audit entries, and the Prometheus series
   * (default: 256 records or 100 ms, whichever first; reads apply what is pending first).
   */
  books?: GatewayBooksOptions;
  logger?: Logger;
  /** `/metrics` without a key (default true: scrapers rarely carry one). */
  publicMetrics?: boolean;
  /** Environment for `LOAD_BALANCER_WEIGHT_*` (default `process.env`). */
  env?: Record<string, string | undefined>;
  /**
   * Live state shared with the other replicas of this gateway (e.g. `createRedisSharedState` of
   * `@ballast/store`): breakers, concurrency slots, outcome windows and per-key rate limits, scoped
   * by `moduleId`, so N replicas behave as one balancer. The caller owns it (and closes it after `close()`).
   */
  sharedState?: SharedState;
  now?: () => number;
}

/** A running gateway: a Fetch handler plus what operators and the gRPC service need. */
export interface Gateway {
  /** The Web-standard handler of every endpoint. */
  fetch: FetchHandler;
  /**
   * The `/v1/chat/completions` fast path on `node:http` for targets with a `passThrough`
   * endpoint: `serveNode(gateway.fetch, { nodeHandler: gateway.nodeHandler })` (what `ballast
   * gateway` runs). Everything else, and any request it cannot relay, goes to {@link Gateway.fetch}.
   */
  nodeHandler: NodeRequestHandler;
  routes: RouteInfo[];
  /** The current balancer (rebuilt by {@link Gateway.configureTarget} and {@link Gateway.reload}). */
  readonly balancer: Balancer;
  readonly catalog: ModelCatalog;
  readonly metrics: GatewayMetrics;
  readonly events: EventEmitter<BallastServerEvents>;
  readonly alerts: AlertMonitor;
  readonly settings: SettingsStore;
  readonly rateLimiter: RateLimiter;
  readonly logger: Logger;
  readonly moduleId: string;
  readonly strategy: StrategyName;
  /** The hashed API keys (the gRPC service checks the same keys). */
  readonly apiKeys: readonly ApiKeyRecord[];
  /** Changes a target's weight, priority or concurrency cap (the balancer is rebuilt; circuits restart closed). */
  configureTarget(target: string, settings: TargetSettings): void;
  /** Per-target settings in effect. */
  targetSettings(): Record<string, TargetSettings>;
  /** Rebuilds the balancer from the configuration (gRPC `Reload`); run-time settings are kept unless `reset`. */
  reload(options?: { reset?: boolean; strategy?: StrategyName }): void;
  /** Health report (`/healthz`). */
  health(): ReturnType<typeof healthReport>;
  /** Routing statistics (`/api/routing/stats`). */
  stats(sinceMs?: number): ReturnType<typeof routingStats>;
  /** Streams being written right now. */
  openStreams(): number;
  /**
   * Writes the books batched so far (the Prometheus series, the store's metrics rows and audit
   * entries) and waits for the store: run it before reading `store.metrics` or `store.audit`
   * directly.
   */
  flush(): Promise<void>;
  /** The store books' counters: buffered, pending, written, failed and dropped records. */
  bookStats(): ReturnType<GatewayBooks['stats']> | undefined;
  /** Starts draining: non-public routes answer 503, `/healthz` reports `draining`; the books are flushed. */
  drain(): void;
  /**
   * Stops timers and closes the pass-through connection pools; the books are handed to the store
   * (await {@link Gateway.flush} before closing the store to know they are written).
   */
  close(): void;
}

/**
 * The OpenAI-compatible gateway: `/v1/chat/completions` (JSON and SSE, tools, `response_format`,
 * `session_id` memory, `rag_collection` RAG), `/v1/models`, `/healthz`, `/metrics`,
 * `/api/routing/stats`, plus every endpoint of {@link createBallastHandlers}, all routed through one
 * `@ballast/balancer`. Serve it with `serveNode(gateway.fetch)` or mount `gateway.fetch` anywhere.
 *
 * @throws {ConfigError} on an invalid configuration, listing every problem.
 * @example
 * ```ts
 * const gateway = createGateway({
 *   targets: [{ model: createOpenAI().chatModel('gpt-4o-mini') }, { model: createOllama().chatModel('llama3.2') }],
 *   aliases: { fast: ['gpt-4o-mini', 'llama3.2'] },
 *   apiKeys: [{ id: 'app', hash: hashApiKey(process.env.GATEWAY_KEY!) }],
 *   memory: true,
 * });
 * const server = await serveNode(gateway.fetch, { port: 8080 });
 * ```
 */
export function createGateway(config: GatewayConfig): Gateway {
  const now = config.now ?? (() => Date.now());
  const knownSecrets = config.knownSecrets ?? [];
  const logger = config.logger ?? createLogger({ knownSecrets });
  const catalog = createModelCatalog(config.targets, config.aliases);
  const moduleId = config.moduleId ?? 'ballast-gateway';
  const store = config.store;
  // The metrics read the balancer only when scraped, so they can exist before it.
  const current = () => gatewayBalancer.current();
  const metrics = createGatewayMetrics(current, config.books ? { batch: config.books } : {});
  const bookkeeping = createGatewayBookkeeping({ store, books: config.books, catalog, metrics, logger, now });
  const gatewayBalancer = createGatewayBalancer({
    balancer: config.balancer,
    strategy: config.strategy,
    sharedState: config.sharedState,
    env: config.env,
    catalog,
    moduleId,
    bookkeeping,
    logger,
  });
  const { books } = bookkeeping;

  const memory = resolveMemory(config.memory, store);
  const rag = resolveRag(config.rag, store);
  const maxBodyBytes = config.maxBodyBytes ?? defaultMaxBodyBytes;
  const streams = { open: 0 };
  let draining = false;
  const isDraining = () => draining;
  // Per-key limits count across replicas through the shared state when there is one (issue 14).
  const rateLimiter = createRateLimiter({ sharedState: config.sharedState, scope: moduleId });

  const shared = createBallastRoutes(
    {
      ...config,
      // Its `flush()` (run by the performance route before it reads) writes the books first.
      ...(store && !config.metricsStore
        ? { metricsStore: bookkeeping.flushingBooksFirst(store.metrics) }
        : {}),
      ...(store && !config.recommendationHistory ? { recommendationHistory: store.history } : {}),
      balancer: current,
      targetSettings: gatewayBalancer.targetSettings,
      configureTarget: gatewayBalancer.configureTarget,
      knownSecrets,
    },
    logger,
  );
  const auditDecision = (decision: RoutingDecision) => {
    shared.events.emit('routing-decision', decision);
    // The entry (summary, details, validation, redaction) is built with its batch.
    books?.decision(decision, Math.floor(now()));
  };
  const passThrough = passThroughTargets(catalog, config.balancer?.pricing ?? defaultPricing);
  const nodeHandler = createChatCompletionsPassThrough({
    balancer: current,
    catalog,
    clients: passThrough.clients,
    prices: passThrough.prices,
    keys: createApiKeyVerifier(config.apiKeys ?? []),
    rateLimiter,
    requestsPerMinute: config.requestsPerMinute,
    cors: createCors(config.cors),
    basePath: config.basePath?.replace(/\/+$/, '') ?? '',
    maxBodyBytes,
    isDraining,
    retry: passThroughRetry(config.balancer?.retry),
    budget:
      config.balancer?.retry?.budget === false
        ? undefined
        : new RetryBudget(config.balancer?.retry?.budget ?? {}, now),
    metrics,
    observeCall: bookkeeping.callMetrics.observeCall,
    attemptFailed: bookkeeping.attemptFailed,
    failedOver: bookkeeping.failedOver,
    retried: bookkeeping.retried,
    decisions: {
      wanted: () => store !== undefined || shared.events.listenerCount('routing-decision') > 0,
      record: auditDecision,
    },
    logger,
    knownSecrets,
    streams,
  });
  const routeDeps = {
    balancer: current,
    catalog,
    metrics,
    moduleId,
    strategy: gatewayBalancer.strategy,
    memory: { enabled: memory !== undefined, sessions: () => memory?.store.size() ?? Promise.resolve(0) },
    rag,
    describeStore: store ? () => store.describe() : undefined,
    isDraining,
    maxBodyBytes,
    publicMetrics: config.publicMetrics ?? true,
    sharedState: config.sharedState,
    startedAt: now(),
    now,
  };
  const app = createFetchApp({
    routes: [
      {
        method: 'POST',
        path: '/v1/chat/completions',
        summary:
          'OpenAI-compatible chat completions (JSON or SSE; tools; response_format; session_id; rag_collection)',
        handler: createChatCompletionsHandler({
          balancer: current,
          catalog,
          metrics: bookkeeping.callMetrics,
          maxBodyBytes,
          memory,
          rag,
          knownSecrets,
          onDecision: (decision) => {
            logger.info({ decision }, 'routing decision');
            auditDecision(decision);
          },
          streams,
          now,
        }),
      },
      ...gatewayRoutes(routeDeps),
      ...shared.routes,
    ],
    logger,
    ...(config.apiKeys ? { apiKeys: config.apiKeys } : {}),
    ...(config.requestsPerMinute === undefined ? {} : { requestsPerMinute: config.requestsPerMinute }),
    rateLimiter,
    ...(config.cors ? { cors: config.cors } : {}),
    ...(config.basePath ? { basePath: config.basePath } : {}),
    knownSecrets,
    onResponse: ({ route, method, status, seconds }) => metrics.observeHttp(route, method, status, seconds),
    onInFlight: (delta) => metrics.httpInFlight.inc(delta),
    isDraining,
  });

  return {
    fetch: app.fetch,
    nodeHandler,
    routes: app.routes,
    get balancer() {
      return gatewayBalancer.current();
    },
    catalog,
    metrics,
    events: shared.events,
    alerts: shared.alerts,
    settings: shared.settings,
    rateLimiter,
    logger,
    moduleId,
    apiKeys: config.apiKeys ?? [],
    get strategy() {
      return gatewayBalancer.strategy();
    },
    configureTarget: gatewayBalancer.configureTarget,
    targetSettings: gatewayBalancer.targetSettings,
    reload(options = {}) {
      gatewayBalancer.reload(options);
      logger.info({ strategy: gatewayBalancer.strategy() }, 'gateway reloaded');
    },
    health: () => healthReport(routeDeps),
    stats: (sinceMs) => routingStats(routeDeps, sinceMs),
    openStreams: () => streams.open,
    flush: async () => {
      metrics.flush();
      await books?.flush();
    },
    bookStats: () => books?.stats(),
    drain() {
      draining = true;
      void books?.flush();
    },
    close() {
      void books?.close();
      shared.close();
      gatewayBalancer.dispose();
      for (const client of passThrough.clients.values()) void client.close().catch(() => {});
    },
  };
}

/** A connection pool per pass-through target, and each target's price (configured, else the table's). */
function passThroughTargets(
  catalog: ModelCatalog,
  pricing: PricingTable,
): { clients: Map<string, PassThroughClient>; prices: Map<string, ModelPrice | undefined> } {
  const clients = new Map<string, PassThroughClient>();
  const prices = new Map<string, ModelPrice | undefined>();
  for (const id of catalog.targetIds) {
    const target = catalog.target(id)!;
    if (target.passThrough) clients.set(id, createPassThroughClient(target.passThrough));
    prices.set(
      id,
      target.price ??
        findModelPrice(pricing, target.model.provider, target.model.modelId, { onWarning: () => {} }),
    );
  }
  return { clients, prices };
}

/** The balancer's retry defaults, for the pass-through path that retries on its own. */
function passThroughRetry(retry: BalancerConfig['retry']) {
  return {
    maxAttempts: retry?.maxAttempts ?? 5,
    maxRetriesPerTarget: retry?.maxRetriesPerTarget ?? 2,
    baseDelayMs: retry?.baseDelayMs ?? 200,
    maxDelayMs: retry?.maxDelayMs ?? 8_000,
    maxRetryAfterMs: retry?.maxRetryAfterMs ?? 60_000,
  };
}

function resolveMemory(
  option: GatewayConfig['memory'],
  store: Stores | undefined,
): MemoryOptions | undefined {
  if (!option) return undefined;
  const given = option === true ? {} : option;
  return {
    store: given.store ?? store?.memory ?? createInMemoryMemoryStore(),
    embedder: given.embedder ?? createHashedBagOfWordsEmbedder(),
    ...(given.recentTurns === undefined ? {} : { recentTurns: given.recentTurns }),
    ...(given.recallTopK === undefined ? {} : { recallTopK: given.recallTopK }),
    ...(given.minScore === undefined ? {} : { minScore: given.minScore }),
  };
}

function resolveRag(option: GatewayConfig['rag'], store: Stores | undefined): RagOptions | undefined {
  if (!option) return undefined;
  const given = option === true ? {} : option;
  return {
    store: given.store ?? (store ? ragStoreFromVectorStore(store.vectors) : createInMemoryRagStore()),
    embedder: given.embedder ?? createHashedBagOfWordsEmbedder(),
    ...(given.collections ? { collections: given.collections } : {}),
    ...(given.defaultTopK === undefined ? {} : { defaultTopK: given.defaultTopK }),
  };
}
