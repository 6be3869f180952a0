import type { Balancer } from '@ballast/balancer';
import { Registry } from 'prom-client';
import { applyObservations, createCallSeries, createEventCounters, createHttpSeries } from './gateway-series';
import {
  type CallObservation,
  createObservationBatch,
  type ObservationBatchOptions,
} from './observation-batch';
import { registerTargetGauges } from './target-gauges';

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
  const pending = createObservationBatch(
    (calls, http) => applyObservations({ http: httpSeries, calls: callSeries }, calls, http),
    options.batch,
  );
  const applyPending = () => pending.apply();
  // Registration order is the order of the exposition.
  const httpSeries = createHttpSeries(registry, prefix, applyPending);
  const callSeries = createCallSeries(registry, prefix, applyPending);
  const { failovers, retries, bookFailures } = createEventCounters(registry, prefix);
  registerTargetGauges(registry, prefix, balancer);

  return {
    registry,
    httpInFlight: httpSeries.inFlight,
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
      callSeries.errors.inc({ provider, model, code });
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
