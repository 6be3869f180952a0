import { CollectorError, workloadSnapshotSchema } from '@ballast/core';
import { createStaticWorkload, type FakeKubernetes, startFakeKubernetes } from '@ballast/testkit';
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { shopWeb, shopWebWorkload } from './__fixtures__/shop';
import { collectWorkloadSnapshot } from './collector';
import { createHistoryRing } from './history-ring';

const Mi = 2 ** 20;
let fake: FakeKubernetes | undefined;

afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function start(...args: Parameters<typeof startFakeKubernetes>) {
  fake = await startFakeKubernetes(...args);
  return fake;
}

describe('collectWorkloadSnapshot', () => {
  it('builds a valid snapshot with cores, bytes and epoch ms from the real wire format', async () => {
    const server = await start({ workloads: [shopWebWorkload()] });
    const snapshot = await collectWorkloadSnapshot({
      kubeConfig: server.kubeConfigYaml,
      namespace: 'shop',
      deployment: 'web',
      now: () => 1_772_444_700_000,
    });

    expect(workloadSnapshotSchema.safeParse(snapshot).success).toBe(true);
    expect(snapshot.collectedAt).toBe(1_772_444_700_000);
    expect(snapshot.source).toEqual({ kind: 'kubernetes', endpoint: server.url });
    expect(snapshot.deployment).toEqual({
      namespace: 'shop',
      name: 'web',
      replicas: { desired: 5, current: 5, ready: 4, available: 4 },
      selector: { matchLabels: { 'app.kubernetes.io/name': 'web' } },
      containers: [
        {
          name: 'app',
          requests: { cpuCores: 0.5, memoryBytes: 256 * Mi },
          limits: { cpuCores: 1, memoryBytes: 512 * Mi },
        },
        { name: 'envoy', requests: { cpuCores: 0.1, memoryBytes: 64 * Mi }, limits: {} },
      ],
    });

    const hpa = snapshot.hpa;
    expect(hpa?.name).toBe('web');
    expect(hpa?.spec.minReplicas).toBe(2);
    expect(hpa?.spec.maxReplicas).toBe(12);
    expect(hpa?.spec.metrics).toEqual([
      { type: 'Resource', name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
      { type: 'Resource', name: 'memory', target: { type: 'AverageValue', averageValue: 400 * Mi } },
    ]);
    expect(hpa?.spec.behavior?.scaleDown).toEqual({
      stabilizationWindowSeconds: 300,
      selectPolicy: 'Max',
      policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
    });
    expect(hpa?.status).toMatchObject({
      currentReplicas: 4,
      desiredReplicas: 5,
      lastScaleTime: Date.parse('2026-03-02T09:41:07Z'),
      currentMetrics: [
        { type: 'Resource', name: 'cpu', current: { averageValue: 0.492, averageUtilization: 82 } },
        { type: 'Resource', name: 'memory', current: { averageValue: 301_989_888 } },
      ],
    });
    expect(hpa?.status.conditions?.map((condition) => condition.reason)).toEqual([
      'SucceededRescale',
      'ValidMetricFound',
      'DesiredWithinRange',
    ]);

    expect(snapshot.podMetrics).toHaveLength(3);
    const first = snapshot.podMetrics.find((sample) => sample.pod === 'web-7c9d8f6b5d-2xk8q');
    expect(first).toEqual({
      pod: 'web-7c9d8f6b5d-2xk8q',
      cpuCores: 0.469552871,
      memoryBytes: 241_348 * 1024 + 52 * Mi,
      timestamp: Date.parse('2026-03-02T09:44:58Z'),
      windowSeconds: 15.012,
      containers: [
        { name: 'app', cpuCores: 0.431552871, memoryBytes: 241_348 * 1024 },
        { name: 'envoy', cpuCores: 0.038, memoryBytes: 52 * Mi },
      ],
    });
    const idle = snapshot.podMetrics.find((sample) => sample.pod === 'web-7c9d8f6b5d-kf7tm');
    expect(idle?.cpuCores).toBe(0.25);
    expect(idle?.windowSeconds).toBe(20.059);

    expect(snapshot.state).toEqual({
      hpa: 'found',
      metrics: 'available',
      podsWithoutMetrics: ['web-7c9d8f6b5d-m2v6p', 'web-7c9d8f6b5d-zq7rn'],
      readyPods: 4,
      notReadyPods: 1,
      ignoredPods: 0,
      warnings: [],
    });
    const pending = snapshot.pods.find((pod) => pod.name === 'web-7c9d8f6b5d-zq7rn');
    expect(pending).toEqual({
      name: 'web-7c9d8f6b5d-zq7rn',
      phase: 'Pending',
      ready: false,
      ignored: false,
      startTime: Date.parse('2026-03-02T09:41:08Z'),
      readyTransitionTime: Date.parse('2026-03-02T09:41:08Z'),
      requests: { cpuCores: 0.6, memoryBytes: 320 * Mi },
      hasMetrics: false,
    });
    expect(snapshot.pods.filter((pod) => pod.ready && !pod.hasMetrics).map((pod) => pod.name)).toEqual([
      'web-7c9d8f6b5d-m2v6p',
    ]);

    // Pods and metrics were asked for with the Deployment's own selector, with the bearer token.
    const podRequest = server.requests.find((request) => request.path === '/api/v1/namespaces/shop/pods');
    expect(podRequest?.query.labelSelector).toBe('app.kubernetes.io/name=web');
    const metricsRequest = server.requests.find((request) => request.path.startsWith('/apis/metrics.k8s.io'));
    expect(metricsRequest?.query.labelSelector).toBe('app.kubernetes.io/name=web');
    expect(
      server.requests.every((request) => request.headers.authorization === `Bearer ${server.token}`),
    ).toBe(true);
  });

  it('accepts a loaded KubeConfig and finds the HPA that targets the deployment among others', async () => {
    const { deployment: other, hpa: otherHpa } = shopWeb();
    other.metadata.name = 'api';
    other.spec.selector = { matchLabels: { 'app.kubernetes.io/name': 'api' } };
    otherHpa.metadata.name = 'aaa-api'; // sorts first; targets another deployment
    otherHpa.spec.scaleTargetRef.name = 'api';
    const server = await start({
      workloads: [createStaticWorkload({ deployment: other, hpa: otherHpa }), shopWebWorkload()],
    });
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(server.kubeConfigYaml);
    const snapshot = await collectWorkloadSnapshot({ kubeConfig, namespace: 'shop', deployment: 'web' });
    expect(snapshot.hpa?.name).toBe('web');
    expect(server.requests.map((request) => request.path)).toContain(
      '/apis/autoscaling/v2/namespaces/shop/horizontalpodautoscalers',
    );
  });

  it('builds the pod query from matchLabels and matchExpressions, not an app= guess', async () => {
    const web = shopWeb();
    web.deployment.spec.selector = {
      matchLabels: { 'app.kubernetes.io/name': 'web' },
      matchExpressions: [
        { key: 'track', operator: 'NotIn', values: ['canary'] },
        { key: 'pod-template-hash', operator: 'Exists' },
      ],
    };
    // A canary Deployment whose pods also carry app.kubernetes.io/name=web.
    const canary = shopWeb();
    canary.deployment.metadata.name = 'web-canary';
    canary.deployment.spec.selector = { matchLabels: { 'app.kubernetes.io/name': 'web', track: 'canary' } };
    canary.pods = canary.pods.slice(0, 2).map((pod, index) => ({
      ...pod,
      metadata: {
        ...pod.metadata,
        name: `web-canary-6f5d4c3b2a-${index}`,
        labels: { 'app.kubernetes.io/name': 'web', track: 'canary', 'pod-template-hash': '6f5d4c3b2a' },
      },
    }));
    canary.podMetrics = canary.podMetrics.slice(0, 2).map((sample, index) => ({
      ...sample,
      metadata: { ...sample.metadata, name: `web-canary-6f5d4c3b2a-${index}`, labels: { track: 'canary' } },
    }));
    const server = await start({
      workloads: [
        createStaticWorkload({ deployment: web.deployment, pods: web.pods, podMetrics: web.podMetrics }),
        createStaticWorkload({
          deployment: canary.deployment,
          pods: canary.pods,
          podMetrics: canary.podMetrics,
        }),
      ],
    });

    const snapshot = await collectWorkloadSnapshot({
      kubeConfig: server.kubeConfigYaml,
      namespace: 'shop',
      deployment: 'web',
    });
    const podRequest = server.requests.find((request) => request.path === '/api/v1/namespaces/shop/pods');
    expect(podRequest?.query.labelSelector).toBe(
      'app.kubernetes.io/name=web,pod-template-hash,track notin (canary)',
    );
    expect(snapshot.pods).toHaveLength(5);
    expect(snapshot.pods.some((pod) => pod.name.startsWith('web-canary'))).toBe(false);
    expect(snapshot.podMetrics.some((sample) => sample.pod.startsWith('web-canary'))).toBe(false);
    expect(snapshot.deployment.selector.matchExpressions).toEqual([
      { key: 'track', operator: 'NotIn', values: ['canary'] },
      { key: 'pod-template-hash', operator: 'Exists' },
    ]);
  });

  it('reports a missing HPA as state no_hpa with no hpa field', async () => {
    const server = await start({ workloads: [shopWebWorkload({ withHpa: false })] });
    const snapshot = await collectWorkloadSnapshot({
      kubeConfig: server.kubeConfigYaml,
      namespace: 'shop',
      deployment: 'web',
    });
    expect(snapshot.state.hpa).toBe('no_hpa');
    expect(snapshot.hpa).toBeUndefined();
    expect(workloadSnapshotSchema.parse(snapshot).hpa).toBeUndefined();
  });

  it('reads a named HPA directly and treats its 404 as no_hpa', async () => {
    const server = await start({ workloads: [shopWebWorkload({ withHpa: false })] });
    const snapshot = await collectWorkloadSnapshot({
      kubeConfig: server.kubeConfigYaml,
      namespace: 'shop',
      deployment: 'web',
      hpa: 'web',
    });
    expect(snapshot.state.hpa).toBe('no_hpa');
    expect(server.requests.map((request) => request.path)).toContain(
      '/apis/autoscaling/v2/namespaces/shop/horizontalpodautoscalers/web',
    );
  });

  it.each([
    ['missing', 404],
    ['unavailable', 503],
  ] as const)('turns a %s metrics-server (%i) into state metrics_unavailable', async (mode, status) => {
    const server = await start({ workloads: [shopWebWorkload()], metricsServer: mode });
    const snapshot = await collectWorkloadSnapshot({
      kubeConfig: server.kubeConfigYaml,
      namespace: 'shop',
      deployment: 'web',
    });
    expect(snapshot.state.metrics).toBe('metrics_unavailable');
    expect(snapshot.state.metricsReason).toContain(String(status));
    expect(snapshot.podMetrics).toEqual([]);
    expect(snapshot.state.podsWithoutMetrics).toHaveLength(5);
    expect(snapshot.hpa?.name).toBe('web');
  });

  it('turns an RBAC 403 into a CollectorError naming the resource', async () => {
    const server = await start({ workloads: [shopWebWorkload()] });
    server.injectFault({
      path: '/api/v1/namespaces/shop/pods',
      fault: { type: 'status', status: 403 },
    });
    const error = await collectWorkloadSnapshot({
      kubeConfig: server.kubeConfigYaml,
      namespace: 'shop',
      deployment: 'web',
    }).catch((caught: unknown) => caught);
    expect(CollectorError.isInstance(error)).toBe(true);
    const collectorError = error as CollectorError;
    expect(collectorError.source).toBe('kubernetes');
    expect(collectorError.statusCode).toBe(403);
    expect(collectorError.endpoint).toBe('/api/v1/namespaces/shop/pods');
    expect(collectorError.message).toContain('list');
    expect(collectorError.message).toContain('pods');
    expect(collectorError.message).toContain('cannot list resource "pods"');
    expect(collectorError.isRetryable).toBe(false);
  });

  it('turns a 403 on metrics.k8s.io into a CollectorError, not metrics_unavailable', async () => {
    const server = await start({ workloads: [shopWebWorkload()] });
    server.injectFault({ path: /metrics\.k8s\.io/, fault: { type: 'status', status: 403 } });
    await expect(
      collectWorkloadSnapshot({ kubeConfig: server.kubeConfigYaml, namespace: 'shop', deployment: 'web' }),
    ).rejects.toMatchObject({
      name: 'CollectorError',
      statusCode: 403,
      message: expect.stringContaining('pods.metrics.k8s.io'),
    });
  });

  it('turns a missing deployment (404) into a CollectorError', async () => {
    const server = await start({ workloads: [shopWebWorkload()] });
    const error = await collectWorkloadSnapshot({
      kubeConfig: server.kubeConfigYaml,
      namespace: 'shop',
      deployment: 'nope',
    }).catch((caught: unknown) => caught);
    expect(CollectorError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      statusCode: 404,
      endpoint: '/apis/apps/v1/namespaces/shop/deployments/nope',
      message: expect.stringContaining('deployments.apps "nope" in namespace "shop"'),
    });
  });

  it('rejects a wrong token with a 401 CollectorError that does not echo the token', async () => {
    const server = await start({ workloads: [shopWebWorkload()], token: 'right-token-1234' });
    const yaml = server.kubeConfigYaml.replace('right-token-1234', 'wrong-token-5678');
    const error = await collectWorkloadSnapshot({
      kubeConfig: yaml,
      namespace: 'shop',
      deployment: 'web',
    }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'CollectorError', statusCode: 401 });
    expect(JSON.stringify(error) + String((error as Error).message)).not.toContain('wrong-token-5678');
  });

  it('marks 5xx as retryable and honours timeoutMs on a hung server', async () => {
    const server = await start({ workloads: [shopWebWorkload()] });
    server.injectFault({ path: /deployments\/web$/, fault: { type: 'status', status: 500 }, times: 1 });
    await expect(
      collectWorkloadSnapshot({ kubeConfig: server.kubeConfigYaml, namespace: 'shop', deployment: 'web' }),
    ).rejects.toMatchObject({ name: 'CollectorError', statusCode: 500, isRetryable: true });

    server.injectFault({ path: /horizontalpodautoscalers/, fault: { type: 'hang' } });
    await expect(
      collectWorkloadSnapshot({
        kubeConfig: server.kubeConfigYaml,
        namespace: 'shop',
        deployment: 'web',
        timeoutMs: 200,
      }),
    ).rejects.toMatchObject({ name: 'TimeoutError' });
  });

  it('aborts through the caller signal', async () => {
    const server = await start({ workloads: [shopWebWorkload()] });
    server.injectFault({ path: /pods$/, fault: { type: 'delay', ms: 5_000 } });
    const controller = new AbortController();
    const pending = collectWorkloadSnapshot({
      kubeConfig: server.kubeConfigYaml,
      namespace: 'shop',
      deployment: 'web',
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toMatchObject({ name: 'AbortedError' });
  });

  it('fills history and events from a history ring', async () => {
    const server = await start({ workloads: [shopWebWorkload()] });
    const history = createHistoryRing({ capacity: 10, stepMs: 60_000 });
    let now = 1_772_444_700_000;
    const collect = () =>
      collectWorkloadSnapshot({
        kubeConfig: server.kubeConfigYaml,
        namespace: 'shop',
        deployment: 'web',
        history,
        now: () => now,
      });
    await collect();
    now += 60_000;
    server.state.workload('shop', 'web')?.setReplicas(7);
    const snapshot = await collect();
    expect(snapshot.history.replicas).toEqual({
      timestamps: [1_772_444_700_000, 1_772_444_760_000],
      values: [5, 7],
    });
    expect(snapshot.history.cpuCores?.values[0]).toBeCloseTo(0.469552871 + 0.502130349 + 0.25, 9);
    expect(snapshot.events).toEqual([
      { timestamp: 1_772_444_760_000, fromReplicas: 5, toReplicas: 7, reason: 'ObservedReplicaChange' },
    ]);
  });
});
