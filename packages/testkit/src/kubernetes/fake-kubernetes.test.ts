import { afterEach, describe, expect, it } from 'vitest';
import { createStaticWorkload, type FakeKubernetes, startFakeKubernetes } from './fake-kubernetes';
import type { DeploymentJson, HpaJson, PodJson } from './wire';

const deployment: DeploymentJson = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } },
  spec: {
    replicas: 2,
    selector: {
      matchLabels: { app: 'web' },
      matchExpressions: [{ key: 'track', operator: 'NotIn', values: ['canary'] }],
    },
    template: { spec: { containers: [{ name: 'app', resources: { requests: { cpu: '500m' } } }] } },
  },
  status: { replicas: 2, readyReplicas: 2 },
};

const pod = (name: string, labels: Record<string, string>): PodJson => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'shop', labels },
  spec: { containers: [{ name: 'app' }] },
  status: { phase: 'Running' },
});

const hpa: HpaJson = {
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'web', namespace: 'shop' },
  spec: {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
    minReplicas: 1,
    maxReplicas: 5,
  },
  status: { desiredReplicas: 2 },
};

let fake: FakeKubernetes | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function start() {
  fake = await startFakeKubernetes({
    token: 'test-token',
    workloads: [
      createStaticWorkload({
        deployment,
        hpa,
        pods: [
          pod('web-1', { app: 'web' }),
          pod('web-2', { app: 'web', zone: 'a' }),
          pod('web-c', { app: 'web', track: 'canary' }),
        ],
        podMetrics: [
          { metadata: { name: 'web-1' }, timestamp: '2026-03-02T00:00:00Z', window: '15s', containers: [] },
        ],
      }),
    ],
  });
  const server = fake;
  const call = async (path: string, init: RequestInit = {}) => {
    const response = await fetch(`${server.url}${path}`, {
      ...init,
      headers: { authorization: 'Bearer test-token', ...(init.headers as Record<string, string>) },
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  return { server, call };
}

describe('startFakeKubernetes', () => {
  it('listens on 127.0.0.1 and writes a kubeconfig with a bearer-token user', async () => {
    const { server } = await start();
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.kubeConfigYaml).toContain(`server: ${server.url}`);
    expect(server.kubeConfigYaml).toContain('token: test-token');
  });

  it('answers 401 Status without the token and 404 Status for unknown objects', async () => {
    const { server, call } = await start();
    const anonymous = await fetch(`${server.url}/apis/apps/v1/namespaces/shop/deployments/web`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({
      kind: 'Status',
      apiVersion: 'v1',
      status: 'Failure',
      reason: 'Unauthorized',
      code: 401,
    });
    const missing = await call('/apis/apps/v1/namespaces/shop/deployments/nope');
    expect(missing).toEqual({
      status: 404,
      body: {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'deployments.apps "nope" not found',
        reason: 'NotFound',
        details: { name: 'nope', group: 'apps', kind: 'deployments' },
        code: 404,
      },
    });
  });

  it('filters pods with the full label selector syntax', async () => {
    const { call } = await start();
    const names = async (selector: string) =>
      (
        (await call(`/api/v1/namespaces/shop/pods?labelSelector=${encodeURIComponent(selector)}`)).body
          .items as PodJson[]
      ).map((item) => item.metadata.name);
    expect(await names('app=web')).toEqual(['web-1', 'web-2', 'web-c']);
    expect(await names('app=web,track notin (canary)')).toEqual(['web-1', 'web-2']);
    expect(await names('app==web,zone in (a,b)')).toEqual(['web-2']);
    expect(await names('app,!track')).toEqual(['web-1', 'web-2']);
    expect(await names('track!=canary')).toEqual(['web-1', 'web-2']);
    const list = await call('/api/v1/namespaces/shop/pods');
    expect(list.body).toMatchObject({ kind: 'PodList', apiVersion: 'v1' });
    expect((await call('/api/v1/namespaces/shop/pods?labelSelector=a%20in%20(')).status).toBe(400);
  });

  it('serves and patches the scale subresource with merge, strategic and JSON patches; dryRun persists nothing', async () => {
    const { server, call } = await start();
    const scalePath = '/apis/apps/v1/namespaces/shop/deployments/web/scale';
    expect((await call(scalePath)).body).toMatchObject({
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      spec: { replicas: 2 },
      status: { replicas: 2, selector: 'app=web,track notin (canary)' },
    });
    const patch = (contentType: string, body: unknown, query = '') =>
      call(`${scalePath}${query}`, {
        method: 'PATCH',
        headers: { 'content-type': contentType },
        body: JSON.stringify(body),
      });

    expect((await patch('application/merge-patch+json', { spec: { replicas: 4 } })).body).toMatchObject({
      spec: { replicas: 4 },
    });
    expect((await patch('application/strategic-merge-patch+json', { spec: { replicas: 5 } })).status).toBe(
      200,
    );
    expect(
      (await patch('application/json-patch+json', [{ op: 'replace', path: '/spec/replicas', value: 6 }]))
        .status,
    ).toBe(200);
    expect(server.state.workload('shop', 'web')?.deployment().spec.replicas).toBe(6);

    const dry = await patch('application/merge-patch+json', { spec: { replicas: 9 } }, '?dryRun=All');
    expect(dry.body).toMatchObject({ spec: { replicas: 9 } });
    expect(server.state.workload('shop', 'web')?.deployment().spec.replicas).toBe(6);

    expect((await patch('application/apply-patch+yaml', {})).status).toBe(415);
    expect((await patch('application/merge-patch+json', { spec: { replicas: -1 } })).body).toMatchObject({
      code: 422,
      reason: 'Invalid',
    });
    expect(
      server.requests.filter((request) => request.method === 'PATCH').map((request) => request.contentType),
    ).toContain('application/json-patch+json');
  });

  it('lists, reads and validates HPA patches', async () => {
    const { server, call } = await start();
    const list = await call('/apis/autoscaling/v2/namespaces/shop/horizontalpodautoscalers');
    expect(list.body).toMatchObject({
      kind: 'HorizontalPodAutoscalerList',
      items: [{ metadata: { name: 'web' } }],
    });
    const path = '/apis/autoscaling/v2/namespaces/shop/horizontalpodautoscalers/web';
    const bad = await call(path, {
      method: 'PATCH',
      headers: { 'content-type': 'application/merge-patch+json' },
      body: JSON.stringify({ spec: { minReplicas: 8 } }),
    });
    expect(bad.status).toBe(422);
    const good = await call(path, {
      method: 'PATCH',
      headers: { 'content-type': 'application/merge-patch+json' },
      body: JSON.stringify({ spec: { maxReplicas: 9 } }),
    });
    expect(good.body).toMatchObject({ spec: { minReplicas: 1, maxReplicas: 9 } });
    expect(server.state.workload('shop', 'web')?.hpa()?.spec.maxReplicas).toBe(9);
  });

  it('serves pod metrics until the metrics server goes missing (404) or unavailable (503)', async () => {
    const { server, call } = await start();
    const path = '/apis/metrics.k8s.io/v1beta1/namespaces/shop/pods?labelSelector=app%3Dweb';
    expect((await call(path)).body).toMatchObject({
      kind: 'PodMetricsList',
      items: [{ kind: 'PodMetrics', metadata: { name: 'web-1' } }],
    });
    server.state.metricsServer = 'missing';
    expect((await call(path)).status).toBe(404);
    server.state.metricsServer = 'unavailable';
    expect((await call(path)).body).toMatchObject({ code: 503, reason: 'ServiceUnavailable' });
  });

  it('injects status, delay and hang faults, and close() ends hung requests', async () => {
    const { server, call } = await start();
    server.injectFault({
      path: '/apis/apps/v1/namespaces/shop/deployments/web',
      fault: { type: 'status', status: 403 },
      times: 1,
    });
    const forbidden = await call('/apis/apps/v1/namespaces/shop/deployments/web');
    expect(forbidden.body).toMatchObject({ code: 403, reason: 'Forbidden' });
    expect(forbidden.body.message).toBe(
      'deployments.apps "web" is forbidden: User "system:serviceaccount:ballast:advisor" cannot get resource "deployments" in API group "apps" in the namespace "shop"',
    );
    expect((await call('/apis/apps/v1/namespaces/shop/deployments/web')).status).toBe(200);

    server.injectFault({ path: /\/pods$/, fault: { type: 'delay', ms: 60 }, times: 1 });
    const started = Date.now();
    expect((await call('/api/v1/namespaces/shop/pods')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(50);

    server.injectFault({ path: /horizontalpodautoscalers/, fault: { type: 'hang' } });
    const hung = fetch(`${server.url}/apis/autoscaling/v2/namespaces/shop/horizontalpodautoscalers`, {
      headers: { authorization: 'Bearer test-token' },
    }).then(
      () => 'answered',
      () => 'failed',
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    await server.close();
    fake = undefined;
    expect(await hung).toBe('failed');
  });
});
