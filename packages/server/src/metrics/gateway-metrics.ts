import type { Balancer } from '@ballast/balancer';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import {
  type CallObservation,
  createObservationBatch,
  type HttpObservation,
  type ObservationBatchOptions,
} from './observation-batch';

const circuitValue = { closed: 0, 'half-open': 1, open: 2 } as const;

/**
 * Prometheus metrics of the gateway (prom-client), in a registry of its own so two gateways in one
 * process never collide. Breaker state and upstream in-flight are read from the balancer at
 * scrape time.
 *
 * Series: `ballast_http_requests_total{route,method,status}`, `ballast_http_request_duration_seconds`,
 * `ballast_http_in_flight_requests`, `ballast_llm_requests_total{provider,model,outcome}`,
 * `ballast_llm_errors_total{provider,model,code}`, `ballast_llm_request_duration_seconds{provider,model,stream}`,
 * `ballast_llm_time_to_first_token_seconds{provider,model}`, `ballast_llm_tokens_total{provider,model,kind}`,
 * `ballast_llm_cost_usd_total{provider,model}`, `ballast_llm_circuit_state{target,provider,model}`
 * (0 closed, 1 half-open, 2 open), `ballast_llm_upstream_in_flight{target,provider,model}`,
 * `ballast_llm_failovers_total`, `ballast_llm_retries_total`, `ballast_books_failed_total{book,reason}`
 * (store rows and audit entries not kept).
 *
 * @example
 * ```ts
 * const metrics = createGatewayMetrics(() => balancer);
 * metrics.registry.metrics(); // Prometheus text
 * ```
 */
export function createGatewayMetrics(
  balancer: () => Balancer,
  options: { prefix?: string; batch?: ObservationBatchOptions } = {},
) {
  const prefix = options.prefix ?? 'ballast_';
  const registry = new Registry();
  // Per-request series are applied in batches (see ObservationBatch); every read of a batched
  // series (`registry.metrics()`, `/metrics`) applies what is pending first.
  const pending = createObservationBatch((calls, http) => applyBatch(calls, http), options.batch);
  const latencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
  const httpRequests = new Counter({
    name: `${prefix}http_requests_total`,
    collect: () => pending.apply(),
    help: 'HTTP requests by route, method and status',
    labelNames: ['route', 'method', 'status'],
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: `${prefix}http_request_duration_seconds`,
    collect: () => pending.apply(),
    help: 'HTTP request duration until the response headers (streams: until the first token)',
    labelNames: ['route', 'method'],
    buckets: latencyBuckets,
    registers: [registry],
  });
  const httpInFlight = new Gauge({
    name: `${prefix}http_in_flight_requests`,
    help: 'HTTP requests being handled, streams included',
    registers: [registry],
  });
  const llmRequests = new Counter({
    name: `${prefix}llm_requests_total`,
    collect: () => pending.apply(),
    help: 'LLM calls through the gateway by final provider and model',
    labelNames: ['provider', 'model', 'outcome'],
    registers: [registry],
  });
  const llmErrors = new Counter({
    name: `${prefix}llm_errors_total`,
    help: 'Failed upstream attempts by provider, model and error code',
    labelNames: ['provider', 'model', 'code'],
    registers: [registry],
  });
  const llmDuration = new Histogram({
    name: `${prefix}llm_request_duration_seconds`,
    collect: () => pending.apply(),
    help: 'Duration of successful LLM calls',
    labelNames: ['provider', 'model', 'stream'],
    buckets: latencyBuckets,
    registers: [registry],
  });
  const llmTtft = new Histogram({
    name: `${prefix}llm_time_to_first_token_seconds`,
    collect: () => pending.apply(),
    help: 'Time to first token of streamed LLM calls',
    labelNames: ['provider', 'model'],
    buckets: latencyBuckets,
    registers: [registry],
  });
  const llmTokens = new Counter({
    name: `${prefix}llm_tokens_total`,
    collect: () => pending.apply(),
    help: 'Tokens reported by providers',
    labelNames: ['provider', 'model', 'kind'],
    registers: [registry],
  });
  const llmCost = new Counter({
    name: `${prefix}llm_cost_usd_total`,
    collect: () => pending.apply(),
    help: 'Cost in USD computed from the pricing table',
    labelNames: ['provider', 'model'],
    registers: [registry],
  });
  const failovers = new Counter({
    name: `${prefix}llm_failovers_total`,
    help: 'Failovers from one target to another',
    registers: [registry],
  });
  const retries = new Counter({
    name: `${prefix}llm_retries_total`,
    help: 'Retries of the same target',
    registers: [registry],
  });
  const bookFailures = new Counter({
    name: `${prefix}books_failed_total`,
    help: 'Per-call store records (metrics rows, audit entries) the store refused or failed to write, or that were dropped while too many were pending',
    labelNames: ['book', 'reason'],
    registers: [registry],
  });
  new Gauge({
    name: `${prefix}llm_circuit_state`,
    help: 'Circuit breaker state per target: 0 closed, 1 half-open, 2 open',
    labelNames: ['target', 'provider', 'model'],
    registers: [registry],
    collect() {
      this.reset();
      for (const health of balancer().health())
        this.set(
          { target: health.target, provider: health.provider, model: health.modelId },
          circuitValue[health.state],
        );
    },
  });
  new Gauge({
    name: `${prefix}llm_upstream_in_flight`,
    help: 'Upstream calls in flight per target',
    labelNames: ['target', 'provider', 'model'],
    registers: [registry],
    collect() {
      this.reset();
      for (const health of balancer().health())
        this.set(
          { target: health.target, provider: health.provider, model: health.modelId },
          health.inFlight,
        );
    },
  });

  /**
   * Applies a batch: counters summed per label set first (one prom-client update per series and
   * batch instead of one per call), histograms observed value by value.
   */
  const applyBatch = (calls: readonly CallObservation[], http: readonly HttpObservation[]) => {
    const sums = new Map<string, { inc: (value: number) => void; value: number }>();
    const add = (key: string, inc: (value: number) => void, value: number) => {
      const sum = sums.get(key);
      if (sum) sum.value += value;
      else sums.set(key, { inc, value });
    };
    for (const item of http) {
      const status = String(item.status);
      add(
        `h\0${item.route}\0${item.method}\0${status}`,
        (value) => httpRequests.inc({ route: item.route, method: item.method, status }, value),
        1,
      );
      httpDuration.observe({ route: item.route, method: item.method }, item.seconds);
    }
    for (const call of calls) {
      const { provider, model } = call;
      const outcome = call.ok ? 'success' : 'failure';
      add(
        `r\0${provider}\0${model}\0${outcome}`,
        (value) => llmRequests.inc({ provider, model, outcome }, value),
        1,
      );
      if (!call.ok) continue;
      if (call.latencyMs !== undefined)
        llmDuration.observe({ provider, model, stream: String(call.stream) }, call.latencyMs / 1000);
      if (call.ttftMs !== undefined) llmTtft.observe({ provider, model }, call.ttftMs / 1000);
      if (call.inputTokens)
        add(
          `i\0${provider}\0${model}`,
          (value) => llmTokens.inc({ provider, model, kind: 'input' }, value),
          call.inputTokens,
        );
      if (call.outputTokens)
        add(
          `o\0${provider}\0${model}`,
          (value) => llmTokens.inc({ provider, model, kind: 'output' }, value),
          call.outputTokens,
        );
      if (call.costUsd)
        add(`c\0${provider}\0${model}`, (value) => llmCost.inc({ provider, model }, value), call.costUsd);
    }
    for (const sum of sums.values()) sum.inc(sum.value);
  };

  return {
    registry,
    httpInFlight,
    /** An HTTP request's status and duration (applied with the next batch). */
    observeHttp(route: string, method: string, status: number, seconds: number) {
      pending.http({ route, method, status, seconds });
    },
    /** A finished LLM call (applied with the next batch). */
    observeCall(call: CallObservation) {
      pending.call(call);
    },
    /** Applies every pending observation now (reads of the registry do it themselves). */
    flush: () => pending.apply(),
    observeAttemptFailure(provider: string, model: string, code: string) {
      llmErrors.inc({ provider, model, code });
    },
    observeBookFailure(book: 'metrics' | 'audit', reason: 'write_failed' | 'dropped', count: number) {
      bookFailures.inc({ book, reason }, count);
    },
    observeFailover: () => failovers.inc(),
    observeRetry: () => retries.inc(),
  };
}

/** The metrics object {@link createGatewayMetrics} returns. */
export type GatewayMetrics = ReturnType<typeof createGatewayMetrics>;
