import { createBalancer } from '@ballast/balancer';
import { createOpenAI } from '@ballast/openai';
import { describe, expect, it } from 'vitest';
import { createGatewayMetrics } from './gateway-metrics';

// Nothing here calls a model: the balancer only reports its targets' health at scrape time.
const balancer = createBalancer(
  {
    targets: [
      {
        id: 'a',
        model: createOpenAI({ apiKey: 'k', baseURL: 'http://127.0.0.1:9/v1' }).chatModel('gpt-4o-mini'),
      },
      { id: 'b', model: createOpenAI({ apiKey: 'k', baseURL: 'http://127.0.0.1:9/v1' }).chatModel('gpt-4o') },
    ],
  },
  {},
);

function observeSome(metrics: ReturnType<typeof createGatewayMetrics>) {
  metrics.httpInFlight.inc(3);
  metrics.observeHttp('/v1/chat/completions', 'POST', 200, 0.02);
  metrics.observeHttp('/v1/chat/completions', 'POST', 200, 0.3);
  metrics.observeHttp('/v1/models', 'GET', 404, 0.001);
  const call = { provider: 'openai', model: 'gpt-4o-mini' };
  metrics.observeCall({
    ...call,
    ok: true,
    stream: false,
    latencyMs: 120,
    inputTokens: 10,
    outputTokens: 5,
    costUsd: 0.25,
  });
  metrics.observeCall({
    ...call,
    ok: true,
    stream: true,
    latencyMs: 800,
    ttftMs: 90,
    inputTokens: 7,
    costUsd: 0.5,
  });
  metrics.observeCall({ ...call, ok: true, stream: true, latencyMs: 40, inputTokens: 0, outputTokens: 0 });
  metrics.observeCall({ ...call, ok: false, stream: false, latencyMs: 5, inputTokens: 99, costUsd: 9 });
  metrics.observeCall({ provider: 'none', model: 'none', ok: false, stream: true });
  metrics.observeAttemptFailure('openai', 'gpt-4o-mini', 'rate_limited');
  metrics.observeAttemptFailure('openai', 'gpt-4o-mini', 'rate_limited');
  metrics.observeBookFailure('audit', 'write_failed', 2);
  metrics.observeBookFailure('metrics', 'dropped', 5);
  metrics.observeFailover();
  metrics.observeRetry();
  metrics.observeRetry();
}

describe('createGatewayMetrics', () => {
  // Pins the exposition (names, help, types, labels, values; buckets left out for length) so the
  // series stay exactly what dashboards and alerts read.
  it('exposes every series with its help, type, labels and values', async () => {
    const metrics = createGatewayMetrics(() => balancer);
    observeSome(metrics);
    const text = await metrics.registry.metrics();
    const lines = text.split('\n').filter((line) => line !== '' && !line.includes('_bucket{'));
    expect(lines).toEqual([
      '# HELP ballast_http_requests_total HTTP requests by route, method and status',
      '# TYPE ballast_http_requests_total counter',
      'ballast_http_requests_total{route="/v1/chat/completions",method="POST",status="200"} 2',
      'ballast_http_requests_total{route="/v1/models",method="GET",status="404"} 1',
      '# HELP ballast_http_request_duration_seconds HTTP request duration until the response headers (streams: until the first token)',
      '# TYPE ballast_http_request_duration_seconds histogram',
      'ballast_http_request_duration_seconds_sum{route="/v1/chat/completions",method="POST"} 0.32',
      'ballast_http_request_duration_seconds_count{route="/v1/chat/completions",method="POST"} 2',
      'ballast_http_request_duration_seconds_sum{route="/v1/models",method="GET"} 0.001',
      'ballast_http_request_duration_seconds_count{route="/v1/models",method="GET"} 1',
      '# HELP ballast_http_in_flight_requests HTTP requests being handled, streams included',
      '# TYPE ballast_http_in_flight_requests gauge',
      'ballast_http_in_flight_requests 3',
      '# HELP ballast_llm_requests_total LLM calls through the gateway by final provider and model',
      '# TYPE ballast_llm_requests_total counter',
      'ballast_llm_requests_total{provider="openai",model="gpt-4o-mini",outcome="success"} 3',
      'ballast_llm_requests_total{provider="openai",model="gpt-4o-mini",outcome="failure"} 1',
      'ballast_llm_requests_total{provider="none",model="none",outcome="failure"} 1',
      '# HELP ballast_llm_errors_total Failed upstream attempts by provider, model and error code',
      '# TYPE ballast_llm_errors_total counter',
      'ballast_llm_errors_total{provider="openai",model="gpt-4o-mini",code="rate_limited"} 2',
      '# HELP ballast_llm_request_duration_seconds Duration of successful LLM calls',
      '# TYPE ballast_llm_request_duration_seconds histogram',
      'ballast_llm_request_duration_seconds_sum{provider="openai",model="gpt-4o-mini",stream="false"} 0.12',
      'ballast_llm_request_duration_seconds_count{provider="openai",model="gpt-4o-mini",stream="false"} 1',
      'ballast_llm_request_duration_seconds_sum{provider="openai",model="gpt-4o-mini",stream="true"} 0.8400000000000001',
      'ballast_llm_request_duration_seconds_count{provider="openai",model="gpt-4o-mini",stream="true"} 2',
      '# HELP ballast_llm_time_to_first_token_seconds Time to first token of streamed LLM calls',
      '# TYPE ballast_llm_time_to_first_token_seconds histogram',
      'ballast_llm_time_to_first_token_seconds_sum{provider="openai",model="gpt-4o-mini"} 0.09',
      'ballast_llm_time_to_first_token_seconds_count{provider="openai",model="gpt-4o-mini"} 1',
      '# HELP ballast_llm_tokens_total Tokens reported by providers',
      '# TYPE ballast_llm_tokens_total counter',
      'ballast_llm_tokens_total{provider="openai",model="gpt-4o-mini",kind="input"} 17',
      'ballast_llm_tokens_total{provider="openai",model="gpt-4o-mini",kind="output"} 5',
      '# HELP ballast_llm_cost_usd_total Cost in USD computed from the pricing table',
      '# TYPE ballast_llm_cost_usd_total counter',
      'ballast_llm_cost_usd_total{provider="openai",model="gpt-4o-mini"} 0.75',
      '# HELP ballast_llm_failovers_total Failovers from one target to another',
      '# TYPE ballast_llm_failovers_total counter',
      'ballast_llm_failovers_total 1',
      '# HELP ballast_llm_retries_total Retries of the same target',
      '# TYPE ballast_llm_retries_total counter',
      'ballast_llm_retries_total 2',
      '# HELP ballast_books_failed_total Per-call store records (metrics rows, audit entries) the store refused or failed to write, or that were dropped while too many were pending',
      '# TYPE ballast_books_failed_total counter',
      'ballast_books_failed_total{book="audit",reason="write_failed"} 2',
      'ballast_books_failed_total{book="metrics",reason="dropped"} 5',
      '# HELP ballast_llm_circuit_state Circuit breaker state per target: 0 closed, 1 half-open, 2 open',
      '# TYPE ballast_llm_circuit_state gauge',
      'ballast_llm_circuit_state{target="a",provider="openai",model="gpt-4o-mini"} 0',
      'ballast_llm_circuit_state{target="b",provider="openai",model="gpt-4o"} 0',
      '# HELP ballast_llm_upstream_in_flight Upstream calls in flight per target',
      '# TYPE ballast_llm_upstream_in_flight gauge',
      'ballast_llm_upstream_in_flight{target="a",provider="openai",model="gpt-4o-mini"} 0',
      'ballast_llm_upstream_in_flight{target="b",provider="openai",model="gpt-4o"} 0',
    ]);
    const buckets = text
      .split('\n')
      .filter(
        (line) =>
          line.startsWith('ballast_http_request_duration_seconds_bucket{') &&
          line.includes('route="/v1/models"'),
      )
      .map((line) => /le="([^"]+)"/.exec(line)?.[1]);
    expect(buckets).toEqual([
      '0.005',
      '0.01',
      '0.025',
      '0.05',
      '0.1',
      '0.25',
      '0.5',
      '1',
      '2.5',
      '5',
      '10',
      '30',
      '60',
      '120',
      '+Inf',
    ]);
  });

  it('names every series with the given prefix', async () => {
    const metrics = createGatewayMetrics(() => balancer, { prefix: 'gw_' });
    observeSome(metrics);
    const names = (await metrics.registry.getMetricsAsJSON()).map((metric) => metric.name);
    expect(names).toEqual([
      'gw_http_requests_total',
      'gw_http_request_duration_seconds',
      'gw_http_in_flight_requests',
      'gw_llm_requests_total',
      'gw_llm_errors_total',
      'gw_llm_request_duration_seconds',
      'gw_llm_time_to_first_token_seconds',
      'gw_llm_tokens_total',
      'gw_llm_cost_usd_total',
      'gw_llm_failovers_total',
      'gw_llm_retries_total',
      'gw_books_failed_total',
      'gw_llm_circuit_state',
      'gw_llm_upstream_in_flight',
    ]);
  });
});
