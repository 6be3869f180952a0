import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminKey, clientKey, type GatewayFixture, startGatewayFixture } from './gateway.test-helper';

let fixture: GatewayFixture;
const get = (path: string, key = clientKey) =>
  fetch(`${fixture.url}${path}`, { headers: { authorization: `Bearer ${key}` } });

beforeAll(async () => {
  fixture = await startGatewayFixture();
  const client = new OpenAI({ apiKey: clientKey, baseURL: `${fixture.url}/v1`, maxRetries: 0 });
  fixture.openai.setResponder(() => ({ text: 'fine', usage: { inputTokens: 10, outputTokens: 2 } }));
  await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'a' }] });
  const stream = await client.chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'b' }],
    stream: true,
  });
  for await (const _ of stream) {
    // drain
  }
});
afterAll(async () => {
  await fixture.close();
});

describe('/metrics', () => {
  it('serves Prometheus text with requests, latency and TTFT histograms, tokens, cost, breaker and in-flight', async () => {
    const response = await fetch(`${fixture.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toMatch(
      /ballast_llm_requests_total\{provider="openai",model="gpt-4o-mini",outcome="success"\} 2/,
    );
    expect(text).toMatch(/ballast_llm_request_duration_seconds_bucket\{.*provider="openai"/);
    expect(text).toMatch(
      /ballast_llm_time_to_first_token_seconds_count\{provider="openai",model="gpt-4o-mini"\} 1/,
    );
    expect(text).toMatch(/ballast_llm_tokens_total\{provider="openai",model="gpt-4o-mini",kind="input"\} 20/);
    expect(text).toContain('ballast_llm_cost_usd_total');
    expect(text).toMatch(
      /ballast_llm_circuit_state\{target="openai:gpt-4o-mini",provider="openai",model="gpt-4o-mini"\} 0/,
    );
    expect(text).toContain('ballast_llm_upstream_in_flight');
    expect(text).toMatch(
      /ballast_http_requests_total\{route="\/v1\/chat\/completions",method="POST",status="200"\} 2/,
    );
  });
});

describe('/api/routing/stats and /healthz', () => {
  it('reports per-target counts, latency, tokens and circuit state', async () => {
    const response = await get('/api/routing/stats');
    expect(response.status).toBe(200);
    const stats = await response.json();
    expect(stats.strategy).toBe('weighted');
    const openai = stats.targets.find((target: { target: string }) => target.target === 'openai:gpt-4o-mini');
    expect(openai).toMatchObject({
      provider: 'openai',
      requests: 2,
      successes: 2,
      circuit: 'closed',
      inputTokens: 20,
    });
    expect(openai.latencyMs.p50).toBeGreaterThan(0);
    expect(stats.totals.requests).toBe(2);
  });

  it('reports overall, per-provider, memory and RAG health without a key', async () => {
    const response = await fetch(`${fixture.url}/healthz`);
    expect(response.status).toBe(200);
    const health = await response.json();
    expect(health.status).toBe('ok');
    expect(health.providers).toHaveLength(2);
    expect(health.providers[0]).toMatchObject({ status: 'up', circuit: 'closed' });
    expect(health.memory).toEqual({ enabled: false });
    expect(health.rag).toEqual({ enabled: false });
  });
});

describe('LLM routing endpoints', () => {
  it('selects a provider with a score and a reason, and audits it', async () => {
    const decisions: unknown[] = [];
    fixture.gateway.events.on('routing-decision', (decision) => decisions.push(decision));
    const response = await fetch(`${fixture.url}/api/load-balancing/select`, {
      method: 'POST',
      headers: { authorization: `Bearer ${clientKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        modelType: 'chat',
        maxTokens: 200,
        temperature: 0.2,
        preferredProvider: 'anthropic',
      }),
    });
    expect(response.status).toBe(200);
    const selection = await response.json();
    expect(selection.provider).toBe('anthropic');
    expect(selection.model).toBe('claude-3-5-haiku-latest');
    expect(selection.score).toBeGreaterThan(0);
    expect(selection.why).toContain('anthropic:claude-3-5-haiku-latest scored');
    expect(decisions).toEqual([expect.objectContaining({ kind: 'select', provider: 'anthropic' })]);
  });

  it('answers GET /api/load-balancing with query filters, and validates them', async () => {
    const response = await get(
      '/api/load-balancing?modelType=chat&preferredProvider=openai&maxLatency=60000',
    );
    const body = await response.json();
    expect(body.selected.provider).toBe('openai');
    expect(body.providers.map((provider: { target: string }) => provider.target)).toEqual([
      'openai:gpt-4o-mini',
      'anthropic:claude-3-5-haiku-latest',
    ]);
    const bad = await get('/api/load-balancing?maxCost=cheap');
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.issues[0].path).toBe('maxCost');
  });

  it('counts external load and records outcomes of calls made outside the gateway', async () => {
    const send = (body: unknown) =>
      fetch(`${fixture.url}/api/load-balancing`, {
        method: 'POST',
        headers: { authorization: `Bearer ${clientKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect(await (await send({ provider: 'anthropic', action: 'increment' })).json()).toMatchObject({
      load: 1,
    });
    // The reported call holds a balancer slot: routing and maxConcurrent see it.
    const loaded = fixture.gateway.balancer
      .health()
      .find((target) => target.target === 'anthropic:claude-3-5-haiku-latest');
    expect(loaded?.inFlight).toBe(1);
    const done = await send({
      provider: 'anthropic',
      action: 'decrement',
      outcome: { success: true, latencyMs: 420, inputTokens: 100, outputTokens: 50 },
    });
    expect(await done.json()).toMatchObject({ target: 'anthropic:claude-3-5-haiku-latest', load: 0 });
    const performance = await (await get('/api/monitoring/performance?hours=1')).json();
    expect(performance.providers.anthropic).toMatchObject({ requests: 1, successRate: 1, inputTokens: 100 });
    expect(performance.models['anthropic:claude-3-5-haiku-latest'].p50LatencyMs).toBe(420);
    expect((await send({ provider: 'nobody', action: 'increment' })).status).toBe(404);
    expect((await send({ provider: 'openai', action: 'explode' })).status).toBe(400);
  });

  it('reports performance per provider and model, and validates hours', async () => {
    const response = await get('/api/monitoring/performance?hours=24');
    const body = await response.json();
    expect(body.hours).toBe(24);
    expect(body.providers.openai).toMatchObject({
      requests: 2,
      successes: 2,
      successRate: 1,
      inputTokens: 20,
    });
    expect(body.providers.openai.p95LatencyMs).toBeGreaterThan(0);
    expect(body.models['openai:gpt-4o-mini'].p95TimeToFirstTokenMs).toBeGreaterThan(0);
    expect(body.series).toBeUndefined();
    expect((await get('/api/monitoring/performance?hours=-3')).status).toBe(400);
  });

  it('adds latency, requests and cost over time with ?points=N', async () => {
    const body = await (await get('/api/monitoring/performance?hours=24&points=24')).json();
    expect(body.series.stepMs).toBe(3_600_000);
    expect(body.series.calls).toHaveLength(24);
    const lastHour = body.series.providers.openai.at(-1);
    expect(lastHour).toMatchObject({ requests: 2, failures: 0 });
    expect(lastHour.p95LatencyMs).toBeGreaterThan(0);
    expect(Date.parse(lastHour.start)).toBeLessThanOrEqual(Date.now());
    expect((await get('/api/monitoring/performance?points=0')).status).toBe(400);
  });

  it('changes a target weight (admin only) and keeps serving', async () => {
    const put = (key: string) =>
      fetch(`${fixture.url}/api/load-balancing/providers/openai`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ weight: 3, maxConcurrent: 8 }),
      });
    expect((await put(clientKey)).status).toBe(403);
    const before = fixture.gateway.balancer;
    const requestsBefore = before.snapshot().calls.requests;
    const response = await put(adminKey);
    expect(await response.json()).toEqual({
      target: 'openai:gpt-4o-mini',
      settings: { weight: 3, maxConcurrent: 8 },
    });
    const providers = (await (await get('/api/load-balancing/providers')).json()).providers;
    expect(providers[0]).toMatchObject({ weight: 3, maxConcurrent: 8 });
    // Changed in place: the same balancer, its metrics and breakers intact.
    expect(fixture.gateway.balancer).toBe(before);
    expect(before.snapshot().calls.requests).toBe(requestsBefore);
    expect(before.health()[0]).toMatchObject({ weight: 3, maxConcurrent: 8 });
  });

  it('names the serving target in the headers of a stream, as for a plain response', async () => {
    const response = await fetch(`${fixture.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${clientKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'gpt-4o-mini',
        stream: true,
        messages: [{ role: 'user', content: 'd' }],
      }),
    });
    expect(response.headers.get('x-ballast-target')).toBe('openai:gpt-4o-mini');
    await response.text();
  });
});

describe('alerts', () => {
  it('fires a cost alert as an event and lists it', async () => {
    // Spend something in this block's own right, whatever ran before.
    const client = new OpenAI({ apiKey: clientKey, baseURL: `${fixture.url}/v1`, maxRetries: 0 });
    await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'c' }],
    });
    const events: Array<{ state: string; rule: string }> = [];
    fixture.gateway.events.on('alert', (event) => events.push(event));
    const put = await fetch(`${fixture.url}/api/monitoring/alerts`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        rules: [
          { id: 'budget', kind: 'cost-budget', budgetUsd: 0.000001 },
          { id: 'errors', kind: 'error-rate', threshold: 0.5, minRequests: 1 },
          { id: 'slow', kind: 'latency', thresholdMs: 100_000 },
        ],
      }),
    });
    expect(put.status).toBe(200);
    const listed = await (await get('/api/monitoring/alerts')).json();
    expect(listed.rules).toHaveLength(3);
    expect(listed.active.map((alert: { rule: string }) => alert.rule)).toEqual(['budget']);
    expect(events).toEqual([expect.objectContaining({ state: 'firing', rule: 'budget' })]);
    const invalid = await fetch(`${fixture.url}/api/monitoring/alerts`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ rules: [{ id: 'x', kind: 'error-rate', threshold: 7 }] }),
    });
    expect(invalid.status).toBe(400);
  });
});

describe('GET/PUT /api/config', () => {
  it('validates, keeps secrets write-only and masks them on read', async () => {
    const secret = 'sk-settings-secret-value-42';
    const put = (body: unknown) =>
      fetch(`${fixture.url}/api/config`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const saved = await put({
      ai_enabled: true,
      ai_provider: 'openai',
      ai_model: 'gpt-4o-mini',
      ai_api_key: secret,
    });
    const savedText = await saved.text();
    expect(saved.status).toBe(200);
    expect(savedText).not.toContain(secret);
    const read = await (await get('/api/config')).json();
    expect(read.config).toMatchObject({ ai_enabled: true, ai_api_key: '[redacted]', cpu_threshold: 60 });
    expect(read.secrets.ai_api_key).toBe(true);
    // Writing the mask back keeps the secret; invalid values list every problem.
    expect((await put({ ai_api_key: '[redacted]', cpu_threshold: 75 })).status).toBe(200);
    expect(fixture.gateway.settings.unsafeRead().ai_api_key).toBe(secret);
    const invalid = await put({ cpu_threshold: 500, ai_analysis_period: '2w', surprise: 1 });
    expect(invalid.status).toBe(400);
    const bad = await put({ cpu_threshold: 500, ai_analysis_period: '2w' });
    const issues = (await bad.json()).error.issues.map((issue: { path: string }) => issue.path);
    expect(issues).toEqual(expect.arrayContaining(['cpu_threshold', 'ai_analysis_period']));
    expect(fixture.logs.join('\n')).not.toContain(secret);
  });

  it('refuses a "__proto__" or "constructor" key as an unknown setting instead of dropping it', async () => {
    for (const key of ['__proto__', 'constructor']) {
      const response = await fetch(`${fixture.url}/api/config`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
        body: `{"${key}": {"cpu_threshold": 99}}`,
      });
      expect(response.status, key).toBe(400);
      const body = await response.json();
      expect(body.error.issues).toEqual([{ path: key, message: 'unknown setting' }]);
    }
    expect(fixture.gateway.settings.read().cpu_threshold).not.toBe(99);
  });
});
