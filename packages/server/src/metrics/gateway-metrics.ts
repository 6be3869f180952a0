import type { Balancer } from '@ballast/balancer';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

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
export function createGatewayMetrics(balancer: () => Balancer, options: { prefix?: string } = {}) {
  const prefix = options.prefix ?? 'ballast_';
  const registry = new Registry();
  const latencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
  const httpRequests = new Counter({
    name: `${prefix}http_requests_total`,
    help: 'HTTP requests by route, method and status',
    labelNames: ['route', 'method', 'status'],
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: `${prefix}http_request_duration_seconds`,
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
    help: 'Duration of successful LLM calls',
    labelNames: ['provider', 'model', 'stream'],
    buckets: latencyBuckets,
    registers: [registry],
  });
  const llmTtft = new Histogram({
    name: `${prefix}llm_time_to_first_token_seconds`,
    help: 'Time to first token of streamed LLM calls',
    labelNames: ['provider', 'model'],
    buckets: latencyBuckets,
    registers: [registry],
  });
  const llmTokens = new Counter({
    name: `${prefix}llm_tokens_total`,
    help: 'Tokens reported by providers',
    labelNames: ['provider', 'model', 'kind'],
    registers: [registry],
  });
  const llmCost = new Counter({
    name: `${prefix}llm_cost_usd_total`,
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

  return {
    registry,
    httpInFlight,
    observeHttp(route: string, method: string, status: number, seconds: number) {
      httpRequests.inc({ route, method, status: String(status) });
      httpDuration.observe({ route, method }, seconds);
    },
    observeCall(call: {
      provider: string;
      model: string;
      ok: boolean;
      stream: boolean;
      latencyMs?: number | undefined;
      ttftMs?: number | undefined;
      inputTokens?: number | undefined;
      outputTokens?: number | undefined;
      costUsd?: number | undefined;
    }) {
      const labels = { provider: call.provider, model: call.model };
      llmRequests.inc({ ...labels, outcome: call.ok ? 'success' : 'failure' });
      if (!call.ok) return;
      if (call.latencyMs !== undefined)
        llmDuration.observe({ ...labels, stream: String(call.stream) }, call.latencyMs / 1000);
      if (call.ttftMs !== undefined) llmTtft.observe(labels, call.ttftMs / 1000);
      if (call.inputTokens) llmTokens.inc({ ...labels, kind: 'input' }, call.inputTokens);
      if (call.outputTokens) llmTokens.inc({ ...labels, kind: 'output' }, call.outputTokens);
      if (call.costUsd) llmCost.inc(labels, call.costUsd);
    },
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
