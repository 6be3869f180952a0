import type { Stores } from '@ballast/store';
import type { Logger } from 'pino';
import type { GatewayMetrics } from '../metrics/gateway-metrics';
import { createGatewayBooks, type GatewayBooks, type GatewayBooksOptions } from './gateway-books';
import type { ModelCatalog } from './model-catalog';

type CallRow = Parameters<Stores['metrics']['record']>[0];
type AuditEntry = Parameters<Stores['audit']['append']>[0];

/**
 * What the gateway writes down about its calls: Prometheus series for every attempt, and, with a
 * store, a row per call and an audit entry per decision or change. Rows and entries are batched
 * off the request path ({@link createGatewayBooks}); a refused or failed write is logged and
 * counted (`ballast_books_failed_total`), never thrown at a request. @internal
 */
export interface GatewayBookkeeping {
  /** Undefined without a store. */
  books: GatewayBooks | undefined;
  audit(entry: AuditEntry): void;
  /** One failed upstream attempt, from the balancer's events or the pass-through path. */
  attemptFailed(target: string, code: string, durationMs: number): void;
  failedOver(from: string, code: string): void;
  /** A re-try of the same target, from the balancer's events or the pass-through path. */
  retried(target: string, attempt: number, delayMs: number, code: string): void;
  /**
   * The metrics the chat routes observe calls through: with a store, a successful call is also a
   * row (tokens, TTFT and cost are only known here; failures are rows from {@link attemptFailed},
   * one per failed attempt, so per-provider success rates count attempts as the balancer does).
   */
  callMetrics: GatewayMetrics;
  /** The store's metrics as the routes read them: a flush writes the gateway's books first. */
  flushingBooksFirst(metricsStore: Stores['metrics']): Stores['metrics'];
}

/** @internal */
export function createGatewayBookkeeping(options: {
  store: Stores | undefined;
  books: GatewayBooksOptions | undefined;
  catalog: ModelCatalog;
  metrics: GatewayMetrics;
  logger: Logger;
  now: () => number;
}): GatewayBookkeeping {
  const { store, catalog, metrics, logger, now } = options;
  const books = store
    ? createGatewayBooks({
        ...options.books,
        store,
        logger,
        onFailure: ({ book, reason, count }) => metrics.observeBookFailure(book, reason, count),
      })
    : undefined;
  const recordCall = (call: CallRow) => books?.row(call);
  const labels = (target: string) => {
    const model = catalog.target(target)?.model;
    return { provider: model?.provider ?? 'unknown', model: model?.modelId ?? target };
  };
  return {
    books,
    audit: (entry) => books?.audit(entry),
    attemptFailed(target, code, durationMs) {
      const { provider, model } = labels(target);
      metrics.observeAttemptFailure(provider, model, code);
      recordCall({
        at: now(),
        provider,
        model,
        target,
        outcome: 'failure',
        errorCode: code,
        latencyMs: Math.max(0, durationMs),
      });
      logger.debug({ target, code }, 'upstream attempt failed');
    },
    failedOver(from, code) {
      metrics.observeFailover();
      logger.debug({ from, code }, 'failover');
    },
    retried(target, attempt, delayMs, code) {
      metrics.observeRetry();
      logger.debug({ target, attempt, delayMs, code }, 'retry');
    },
    callMetrics: store ? withSuccessRows(metrics, recordCall, now) : metrics,
    flushingBooksFirst: (metricsStore) => ({
      record: (call) => metricsStore.record(call),
      flush: async () => {
        await books?.flush();
        await metricsStore.flush();
      },
      performance: (query) => metricsStore.performance(query),
      recentCalls: (query) => metricsStore.recentCalls(query),
      prune: () => metricsStore.prune(),
      describe: () => metricsStore.describe(),
      close: () => metricsStore.close(),
    }),
  };
}

function withSuccessRows(
  metrics: GatewayMetrics,
  recordCall: (call: CallRow) => void,
  now: () => number,
): GatewayMetrics {
  return {
    ...metrics,
    observeCall(call) {
      metrics.observeCall(call);
      if (!call.ok) return;
      recordCall({
        at: now(),
        provider: call.provider,
        model: call.model,
        outcome: 'success',
        stream: call.stream,
        ...(call.latencyMs === undefined ? {} : { latencyMs: Math.max(0, call.latencyMs) }),
        ...(call.ttftMs === undefined ? {} : { timeToFirstTokenMs: Math.max(0, call.ttftMs) }),
        inputTokens: call.inputTokens ?? 0,
        outputTokens: call.outputTokens ?? 0,
        costUsd: call.costUsd ?? 0,
      });
    },
  };
}
