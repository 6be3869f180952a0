import { createProxmoxClient } from '@ballast/proxmox';
import { openStores } from '@ballast/store';
import {
  createClusterSimulator,
  type FakeKubernetes,
  type FakeProxmox,
  startFakeKubernetes,
  startFakeProxmox,
} from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminKey,
  clientKey,
  type GatewayFixture,
  startGatewayFixture,
} from '../gateway/gateway.test-helper';
import { shopWebWorkload } from './__fixtures__/shop';
import { kubernetesScalingSource, proxmoxMigrationExecutor, proxmoxMigrationSource } from './sources';

const token = { tokenId: 'root@pam!ballast-test', tokenSecret: 'ballast-test-0000-4000-8000-000000000000' };
let proxmox: FakeProxmox;
let kubernetes: FakeKubernetes;
let fixture: GatewayFixture;

beforeAll(async () => {
  const simulator = createClusterSimulator({ seed: 7, nodes: 4, guests: 30, imbalance: 'severe' });
  proxmox = await startFakeProxmox({ simulator, ...token });
  kubernetes = await startFakeKubernetes({ workloads: [shopWebWorkload()] });
  const client = createProxmoxClient({ baseUrl: proxmox.url, ...token });
  fixture = await startGatewayFixture({
    migrations: proxmoxMigrationSource(client),
    executor: proxmoxMigrationExecutor(client),
    scaling: kubernetesScalingSource({ prod: kubernetes.kubeConfigYaml }),
  });
});
afterAll(async () => {
  await fixture.close();
  await proxmox.close();
  await kubernetes.close();
});

const call = (path: string, init: RequestInit = {}) =>
  fetch(`${fixture.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${clientKey}`, 'content-type': 'application/json', ...init.headers },
  });

describe('POST /api/ai-recommendations (ProxBalance)', () => {
  it('answers with ProxBalance’s response shape from the rule planner when AI is off', async () => {
    const response = await call('/api/ai-recommendations', {
      method: 'POST',
      body: JSON.stringify({ cpu_threshold: 50, mem_threshold: 60, analysis_period: '6h' }),
    });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toMatchObject({
      success: true,
      analysis_period: '6h',
      source: 'rule',
      llm: { status: expect.any(String) },
    });
    expect(typeof body.analysis).toBe('string');
    expect(Array.isArray(body.recommendations)).toBe(true);
    expect(Array.isArray(body.predicted_issues)).toBe(true);
    for (const recommendation of body.recommendations)
      expect(Object.keys(recommendation)).toEqual(
        expect.arrayContaining([
          'vmid',
          'name',
          'type',
          'source_node',
          'target_node',
          'priority',
          'reasoning',
        ]),
      );
  });

  it('adds node loads before and after the rule plan', async () => {
    const body = await (await call('/api/ai-recommendations', { method: 'POST', body: '{}' })).json();
    expect(body.node_loads.before.length).toBe(4);
    expect(body.node_loads.after.length).toBe(4);
    expect(body.node_loads.before[0]).toMatchObject({
      node: expect.any(String),
      cpu: expect.any(Number),
      memory: expect.any(Number),
    });
  });

  it('executes an advised move only with confirm: true, and only for an admin', async () => {
    const advice = await (await call('/api/ai-recommendations', { method: 'POST', body: '{}' })).json();
    const first = advice.recommendations[0];
    expect(first).toBeTruthy();
    const move = {
      vmid: first.vmid,
      type: first.type,
      source_node: first.source_node,
      target_node: first.target_node,
    };
    const execute = (body: unknown, key = adminKey) =>
      call('/api/migrations/execute', {
        method: 'POST',
        headers: { authorization: `Bearer ${key}` },
        body: JSON.stringify(body),
      });
    expect((await execute({ moves: [move], confirm: true }, clientKey)).status).toBe(403);
    expect((await execute({ moves: [] })).status).toBe(400);
    const dryRun = await (await execute({ moves: [move] })).json();
    expect(dryRun).toMatchObject({ applied: false, report: { applied: false } });
    expect(proxmox.tasks).toHaveLength(0);
    const applied = await (await execute({ moves: [move], confirm: true })).json();
    expect(applied).toMatchObject({ applied: true, report: { applied: true, summary: { succeeded: 1 } } });
  });

  it('refuses a guest named twice in one batch with 400, before anything is checked or moved', async () => {
    const move = { vmid: 100, type: 'VM', source_node: 'pve1', target_node: 'pve2' };
    const tasksBefore = proxmox.tasks.length;
    for (const second of [move, { ...move, target_node: 'pve3' }, { ...move, type: 'CT' }]) {
      const response = await call('/api/migrations/execute', {
        method: 'POST',
        headers: { authorization: `Bearer ${adminKey}` },
        body: JSON.stringify({ moves: [move, second], confirm: true }),
      });
      expect(response.status).toBe(400);
      const body = await response.json();
      expect(body.error.code).toBe('validation_failed');
      expect(body.error.issues[0]).toMatchObject({ path: 'moves.1.vmid' });
    }
    expect(proxmox.tasks.length).toBe(tasksBefore);
  });

  it('answers ProxBalance’s error shape for bad options', async () => {
    const response = await call('/api/ai-recommendations', {
      method: 'POST',
      body: JSON.stringify({ cpu_threshold: 500, analysis_period: 'forever' }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      success: false,
      error: expect.any(String),
      code: 'validation_failed',
    });
  });

  it('asks the balancer for LLM analysis once AI is switched on in the settings', async () => {
    const put = await call('/api/config', {
      method: 'PUT',
      headers: { authorization: `Bearer ${adminKey}` },
      body: JSON.stringify({
        ai_enabled: true,
        ai_provider: 'openai',
        ai_model: 'gpt-4o-mini',
        ai_api_key: 'sk-ui-key-123456',
      }),
    });
    expect(put.status).toBe(200);
    fixture.openai.setResponder(() => ({
      text: '{"analysis":"Cluster is fine","recommendations":[],"predicted_issues":[]}',
    }));
    fixture.anthropic.setResponder(() => ({
      text: '{"analysis":"Cluster is fine","recommendations":[],"predicted_issues":[]}',
    }));
    const before = fixture.openai.requests.length + fixture.anthropic.requests.length;
    const response = await call('/api/ai-recommendations', { method: 'POST', body: '{}' });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.success).toBe(true);
    expect(fixture.openai.requests.length + fixture.anthropic.requests.length).toBeGreaterThan(before);
    await call('/api/config', {
      method: 'PUT',
      headers: { authorization: `Bearer ${adminKey}` },
      body: JSON.stringify({ ai_enabled: false }),
    });
  });
});

describe('GET /api/autoscaling/recommendations/:cluster', () => {
  it('answers every source and the chosen replica count', async () => {
    const response = await call('/api/autoscaling/recommendations/prod?deployment=web&namespace=shop');
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toMatchObject({ success: true, cluster: 'prod', namespace: 'shop', deployment: 'web' });
    expect(body.sources.hpa).toBeTruthy();
    expect(body.chosen).toBeTruthy();
    expect(typeof body.why).toBe('string');
  });

  it('answers 404 for an unknown cluster or deployment, 400 without a deployment', async () => {
    expect((await call('/api/autoscaling/recommendations/staging?deployment=web')).status).toBe(404);
    expect((await call('/api/autoscaling/recommendations/prod?deployment=nope&namespace=shop')).status).toBe(
      404,
    );
    const missing = await call('/api/autoscaling/recommendations/prod');
    expect(missing.status).toBe(400);
    expect((await missing.json()).error.issues[0].path).toBe('deployment');
  });
});

describe('GET /api/autoscaling/recommendations/:cluster with the gateway store’s history', () => {
  it('records the answer once per snapshot and cites it on the next call', async () => {
    const stores = await openStores('memory');
    const withHistory = await startGatewayFixture({
      scaling: kubernetesScalingSource({ prod: kubernetes.kubeConfigYaml }),
      store: stores,
    });
    try {
      const ask = async () => {
        const response = await fetch(
          `${withHistory.url}/api/autoscaling/recommendations/prod?deployment=web&namespace=shop`,
          { headers: { authorization: `Bearer ${clientKey}` } },
        );
        expect(response.status).toBe(200);
        return response.json();
      };
      const first = await ask();
      expect(first.history).toEqual({ cited: 0, recorded: true });
      const records = await stores.history.recent({ kind: 'scaling' });
      expect(records).toHaveLength(1);
      expect(records[0]).toMatchObject({
        subject: 'deployment/shop/web',
        source: 'rule',
        action: `maintain ${first.chosen.currentReplicas}`,
      });
      // A dashboard polling the same deployment: the same advice on the same snapshot is cited, not re-recorded.
      const second = await ask();
      expect(second.history).toEqual({ cited: 1, recorded: false });
      expect(await stores.history.recent({ kind: 'scaling' })).toHaveLength(1);
    } finally {
      await withHistory.close();
      await stores.close();
    }
  });
});
