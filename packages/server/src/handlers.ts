import type { BallastConfig, BallastConfigKey, RecommendationHistory } from '@ballast/advisor';
import type { Balancer } from '@ballast/balancer';
import type { ChatModel } from '@ballast/core';
import type { MetricsStore } from '@ballast/store';
import { EventEmitter } from 'eventemitter3';
import type { Logger } from 'pino';
import {
  adviceRoutes,
  type MigrationAdviceSource,
  type MigrationExecutor,
  type ScalingAdviceSource,
} from './advice/advice-routes';
import { type AviRouteSource, aviRoutes } from './avi/avi-routes';
import { configRoutes } from './config/config-routes';
import { createSettingsStore, type SettingsStore } from './config/settings-store';
import type { RoutingDecision } from './gateway/chat-completions';
import type { ApiKeyRecord } from './http/api-keys';
import type { CorsOptions } from './http/cors';
import { createFetchApp, type FetchApp } from './http/fetch-app';
import type { Route } from './http/router';
import { createLogger } from './logging/logger';
import {
  type AlertEvent,
  type AlertMonitor,
  type AlertRuleInput,
  createAlertMonitor,
} from './monitoring/alert-monitor';
import { monitoringRoutes } from './monitoring/monitoring-routes';
import { loadBalancingRoutes, type SelectionDecision } from './routing/load-balancing-routes';

/** Events of the server: every routing decision (audit) and every alert state change. */
export interface BallastServerEvents {
  'routing-decision': (decision: RoutingDecision | SelectionDecision) => void;
  alert: (event: AlertEvent) => void;
}

/** Options shared by {@link createBallastHandlers} and the gateway. */
export interface BallastHandlersOptions {
  /** The balancer behind the routing and monitoring endpoints (or a getter, if it is rebuilt). */
  balancer: Balancer | (() => Balancer);
  /**
   * Durable call history (`@ballast/store`): `GET /api/monitoring/performance?hours=N` answers
   * from it, across restarts, instead of from the balancer's in-process windows.
   */
  metricsStore?: MetricsStore;
  logger?: Logger;
  /** Hashed API keys (see `hashApiKey`); none → open endpoints. */
  apiKeys?: ApiKeyRecord[];
  requestsPerMinute?: number;
  cors?: CorsOptions;
  /** Mount prefix stripped before routing (`/ballast` → `/ballast/api/config`). */
  basePath?: string;
  /** Alert rules (default {@link defaultAlertRules}) and how often they are evaluated (default 30 s; 0 = only on read). */
  alerts?: { rules?: AlertRuleInput[]; intervalMs?: number };
  /** Initial settings for `GET/PUT /api/config` (ProxBalance keys). */
  settings?: Partial<Record<BallastConfigKey, unknown>>;
  onSettingsChange?: (config: BallastConfig) => void;
  /** Migration advice (`POST /api/ai-recommendations`) is served when a source is given. */
  migrations?: MigrationAdviceSource;
  /** Moves advised guests (`POST /api/migrations/execute`, admin; a dry run unless confirmed). */
  executor?: MigrationExecutor;
  /** Autoscaling advice (`GET /api/autoscaling/recommendations/:cluster`) is served when a source is given. */
  scaling?: ScalingAdviceSource;
  /**
   * Recommendation history (e.g. `openStores(...).history` of `@ballast/store`): the migration and
   * autoscaling advice read it for hysteresis, cite it in the prompt and record their answers.
   * The gateway defaults it to its `store`'s history.
   */
  recommendationHistory?: RecommendationHistory;
  /** VMware Avi advice, chat and confirm (`/api/avi/*`) are served when a source is given (`createAviRouteSource`). */
  avi?: AviRouteSource;
  /** The LLM for advice when `ai_enabled` is on. Default: the balancer. */
  adviceModel?: (settings: BallastConfig) => ChatModel | undefined;
  /** Secrets to scrub from errors and logs. */
  knownSecrets?: string[];
  /** Per-target settings and how to change them (the gateway supplies both). */
  targetSettings?: () => Record<string, { weight?: number; priority?: number; maxConcurrent?: number }>;
  configureTarget?: (
    target: string,
    settings: { weight?: number; priority?: number; maxConcurrent?: number },
  ) => void;
}

/** What {@link createBallastHandlers} returns. */
export interface BallastHandlers extends FetchApp {
  events: EventEmitter<BallastServerEvents>;
  alerts: AlertMonitor;
  settings: SettingsStore;
  /** Stops the alert timer. */
  close(): void;
}

/** The routes and state shared by the handlers and the gateway. */
export function createBallastRoutes(
  options: BallastHandlersOptions,
  logger: Logger,
): {
  routes: Route[];
  events: EventEmitter<BallastServerEvents>;
  alerts: AlertMonitor;
  settings: SettingsStore;
  close(): void;
} {
  const balancer =
    typeof options.balancer === 'function' ? options.balancer : () => options.balancer as Balancer;
  const events = new EventEmitter<BallastServerEvents>();
  const audit = logger.child({ component: 'routing' });
  const onDecision = (decision: RoutingDecision | SelectionDecision) => {
    audit.info({ decision }, 'routing decision');
    events.emit('routing-decision', decision);
  };
  const alerts = createAlertMonitor(balancer, {
    ...(options.alerts?.rules ? { rules: options.alerts.rules } : {}),
    onEvent: (event) => {
      (event.state === 'firing' ? logger.warn.bind(logger) : logger.info.bind(logger))(
        { alert: event },
        `alert ${event.state}`,
      );
      events.emit('alert', event);
    },
  });
  const intervalMs = options.alerts?.intervalMs ?? 30_000;
  const timer = intervalMs > 0 ? setInterval(() => alerts.evaluate(), intervalMs) : undefined;
  timer?.unref();
  const settings = createSettingsStore(options.settings ?? {}, {
    ...(options.onSettingsChange ? { onChange: options.onSettingsChange } : {}),
  });
  const routes: Route[] = [
    ...loadBalancingRoutes({
      balancer,
      onDecision,
      targetSettings: options.targetSettings ?? (() => ({})),
      ...(options.configureTarget ? { configureTarget: options.configureTarget } : {}),
    }),
    ...monitoringRoutes({ balancer, alerts, metricsStore: options.metricsStore }),
    ...adviceRoutes({
      migrations: options.migrations,
      executor: options.executor,
      scaling: options.scaling,
      settings: settings.unsafeRead,
      model: options.adviceModel ?? (() => balancer()),
      history: options.recommendationHistory,
    }),
    ...configRoutes(settings),
    ...(options.avi ? aviRoutes(options.avi) : []),
  ];
  return {
    routes,
    events,
    alerts,
    settings,
    close: () => {
      if (timer) clearInterval(timer);
    },
  };
}

/**
 * Web-standard handlers over a balancer: the Next.js seed's load-balancing and monitoring API,
 * alerts, ProxBalance's `POST /api/ai-recommendations`, autoscaling advice and `GET/PUT /api/config`,
 * as one `fetch(request): Promise<Response>` plus a route table. Mount it in Next.js, Hono, Express,
 * Fastify or `node:http` (see `serveNode`, `toNodeListener`).
 *
 * @example
 * ```ts
 * const handlers = createBallastHandlers({ balancer, apiKeys: [{ id: 'ui', hash: hashApiKey(key), admin: true }] });
 * // app/api/[...ballast]/route.ts (Next.js App Router)
 * export const GET = handlers.fetch;
 * export const POST = handlers.fetch;
 * export const PUT = handlers.fetch;
 * ```
 */
export function createBallastHandlers(options: BallastHandlersOptions): BallastHandlers {
  const logger = options.logger ?? createLogger({ knownSecrets: options.knownSecrets ?? [] });
  const built = createBallastRoutes(options, logger);
  const app = createFetchApp({
    routes: built.routes,
    logger,
    ...(options.apiKeys ? { apiKeys: options.apiKeys } : {}),
    ...(options.requestsPerMinute === undefined ? {} : { requestsPerMinute: options.requestsPerMinute }),
    ...(options.cors ? { cors: options.cors } : {}),
    ...(options.basePath ? { basePath: options.basePath } : {}),
    knownSecrets: options.knownSecrets ?? [],
  });
  return { ...app, events: built.events, alerts: built.alerts, settings: built.settings, close: built.close };
}
