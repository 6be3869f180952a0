import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { CallObservation, HttpObservation } from './observation-batch';

const latencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/**
 * The HTTP series. Batched series run `applyPending` before every read, so a scrape never misses
 * an observation still waiting in its batch.
 */
export function createHttpSeries(registry: Registry, prefix: string, applyPending: () => void) {
  const requests = new Counter({
    name: `${prefix}http_requests_total`,
    collect: applyPending,
    help: 'HTTP requests by route, method and status',
    labelNames: ['route', 'method', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: `${prefix}http_request_duration_seconds`,
    collect: applyPending,
    help: 'HTTP request duration until the response headers (streams: until the first token)',
    labelNames: ['route', 'method'],
    buckets: latencyBuckets,
    registers: [registry],
  });
  const inFlight = new Gauge({
    name: `${prefix}http_in_flight_requests`,
    help: 'HTTP requests being handled, streams included',
    registers: [registry],
  });
  return { requests, duration, inFlight };
}

/** The per-call LLM series (all batched but `errors`, which counts attempts as they fail). */
export function createCallSeries(registry: Registry, prefix: string, applyPending: () => void) {
  const requests = new Counter({
    name: `${prefix}llm_requests_total`,
    collect: applyPending,
    help: 'LLM calls through the gateway by final provider and model',
    labelNames: ['provider', 'model', 'outcome'],
    registers: [registry],
  });
  const errors = new Counter({
    name: `${prefix}llm_errors_total`,
    help: 'Failed upstream attempts by provider, model and error code',
    labelNames: ['provider', 'model', 'code'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: `${prefix}llm_request_duration_seconds`,
    collect: applyPending,
    help: 'Duration of successful LLM calls',
    labelNames: ['provider', 'model', 'stream'],
    buckets: latencyBuckets,
    registers: [registry],
  });
  const ttft = new Histogram({
    name: `${prefix}llm_time_to_first_token_seconds`,
    collect: applyPending,
    help: 'Time to first token of streamed LLM calls',
    labelNames: ['provider', 'model'],
    buckets: latencyBuckets,
    registers: [registry],
  });
  const tokens = new Counter({
    name: `${prefix}llm_tokens_total`,
    collect: applyPending,
    help: 'Tokens reported by providers',
    labelNames: ['provider', 'model', 'kind'],
    registers: [registry],
  });
  const cost = new Counter({
    name: `${prefix}llm_cost_usd_total`,
    collect: applyPending,
    help: 'Cost in USD computed from the pricing table',
    labelNames: ['provider', 'model'],
    registers: [registry],
  });
  return { requests, errors, duration, ttft, tokens, cost };
}

/** Failovers, retries and the books the store could not keep, counted as they happen (not batched). */
export function createEventCounters(registry: Registry, prefix: string) {
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
  return { failovers, retries, bookFailures };
}

/**
 * Applies a batch: counters summed per label set first (one prom-client update per series and
 * batch instead of one per call), histograms observed value by value.
 */
export function applyObservations(
  series: { http: ReturnType<typeof createHttpSeries>; calls: ReturnType<typeof createCallSeries> },
  calls: readonly CallObservation[],
  http: readonly HttpObservation[],
): void {
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
      (value) => series.http.requests.inc({ route: item.route, method: item.method, status }, value),
      1,
    );
    series.http.duration.observe({ route: item.route, method: item.method }, item.seconds);
  }
  for (const call of calls) addCall(series.calls, call, add);
  for (const sum of sums.values()) sum.inc(sum.value);
}

/** One call's share of a batch: its outcome, and for a success its latency, TTFT, tokens and cost. */
function addCall(
  series: ReturnType<typeof createCallSeries>,
  call: CallObservation,
  add: (key: string, inc: (value: number) => void, value: number) => void,
): void {
  const { provider, model } = call;
  const outcome = call.ok ? 'success' : 'failure';
  add(
    `r\0${provider}\0${model}\0${outcome}`,
    (value) => series.requests.inc({ provider, model, outcome }, value),
    1,
  );
  if (!call.ok) return;
  if (call.latencyMs !== undefined)
    series.duration.observe({ provider, model, stream: String(call.stream) }, call.latencyMs / 1000);
  if (call.ttftMs !== undefined) series.ttft.observe({ provider, model }, call.ttftMs / 1000);
  if (call.inputTokens)
    add(
      `i\0${provider}\0${model}`,
      (value) => series.tokens.inc({ provider, model, kind: 'input' }, value),
      call.inputTokens,
    );
  if (call.outputTokens)
    add(
      `o\0${provider}\0${model}`,
      (value) => series.tokens.inc({ provider, model, kind: 'output' }, value),
      call.outputTokens,
    );
  if (call.costUsd)
    add(`c\0${provider}\0${model}`, (value) => series.cost.inc({ provider, model }, value), call.costUsd);
}
