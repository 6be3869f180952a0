import { CollectorError, ValidationError } from '@ballast/core';
import {
  createWorkloadSimulator,
  type FakeKubernetes,
  loadTrace,
  scaleTrace,
  startFakeKubernetes,
} from '@ballast/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { shopWebWorkload } from './__fixtures__/shop';
import { collectWorkloadSnapshot } from './collector';
import { patchHpaBounds, scaleDeployment } from './executor';

let fake: FakeKubernetes | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function start() {
  fake = await startFakeKubernetes({ workloads: [shopWebWorkload()] });
  return fake;
}

describe('scaleDeployment', () => {
  it('is a dry run by default: returns the merge patch and sends nothing', async () => {
    const server = await start();
    const result = await scaleDeployment({
      kubeConfig: server.kubeConfigYaml,
      namespace: 'shop',
      deployment: 'web',
      replicas: 8,
    });
    expect(result).toEqual({
      mode: 'dry_run',
      sent: false,
      patch: {
        method: 'PATCH',
        path: '/apis/apps/v1/namespaces/shop/deployments/web/scale',
        contentType: 'application/merge-patch+json',
        query: {},
        body: { spec: { replicas: 8 } },
      },
    });
    expect(server.requests).toHaveLength(0);
    expect(server.state.workload('shop', 'web')?.deployment().spec.replicas).toBe(5);
  });

  it('with apply: true patches the scale subresource with a merge patch', async () => {
    const server = await start();
    const result = await scaleDeployment({
      kubeConfig: server.kubeConfigYaml,
      namespace: 'shop',
      deployment: 'web',
      replicas: 8,
      apply: true,
    });
    expect(result).toMatchObject({ mode: 'applied', sent: true, previousReplicas: 5, replicas: 8 });
    expect(server.state.workload('shop', 'web')?.deployment().spec.replicas).toBe(8);
    const patch = server.requests.find((request) => request.method === 'PATCH');
    expect(patch).toMatchObject({
      path: '/apis/apps/v1/namespaces/shop/deployments/web/scale',
      contentType: 'application/merge-patch+json',
      body: { spec: { replicas: 8 } },
      query: {},
    });
  });

  it("with dryRun: 'All' asks the server to validate without persisting", async () => {
    const server = await start();
    const result = await scaleDeployment({
      kubeConfig: server.kubeConfigYaml,
      namespace: 'shop',
      deployment: 'web',
      replicas: 9,
      apply: true,
      dryRun: 'All',
    });
    expect(result).toMatchObject({
      mode: 'server_dry_run',
      sent: true,
      replicas: 9,
      patch: { query: { dryRun: 'All' } },
    });
    expect(server.requests.find((request) => request.method === 'PATCH')?.query).toEqual({ dryRun: 'All' });
    expect(server.state.workload('shop', 'web')?.deployment().spec.replicas).toBe(5);
  });

  it.each([
    [{ replicas: 2.5 }, 'replicas'],
    [{ replicas: 0 }, 'replicas'],
    [{ replicas: -1, allowZero: true }, 'replicas'],
    [{ replicas: Number.NaN }, 'replicas'],
    [{ replicas: 3, deployment: 'Not_A_Name' }, 'deployment'],
  ])('rejects %j before sending anything', async (overrides, path) => {
    const server = await start();
    const error = await scaleDeployment({
      kubeConfig: server.kubeConfigYaml,
      namespace: 'shop',
      deployment: 'web',
      apply: true,
      ...overrides,
    }).catch((caught: unknown) => caught);
    expect(ValidationError.isInstance(error)).toBe(true);
    expect((error as ValidationError).issues.map((issue) => issue.path)).toContain(path);
    expect(server.requests).toHaveLength(0);
  });

  it('allows 0 replicas only when asked', async () => {
    const result = await scaleDeployment({
      namespace: 'shop',
      deployment: 'web',
      replicas: 0,
      allowZero: true,
    });
    expect(result.patch.body).toEqual({ spec: { replicas: 0 } });
  });

  it('reports RBAC 403 on the scale subresource as a CollectorError', async () => {
    const server = await start();
    server.injectFault({ method: 'PATCH', path: /\/scale$/, fault: { type: 'status', status: 403 } });
    const error = await scaleDeployment({
      kubeConfig: server.kubeConfigYaml,
      namespace: 'shop',
      deployment: 'web',
      replicas: 6,
      apply: true,
    }).catch((caught: unknown) => caught);
    expect(CollectorError.isInstance(error)).toBe(true);
    expect((error as CollectorError).message).toMatch(/patch.*deployments\.apps\/scale "web"/);
    expect(server.state.workload('shop', 'web')?.deployment().spec.replicas).toBe(5);
  });
});

describe('patchHpaBounds', () => {
  it('plans a merge patch of only the given bounds without sending', async () => {
    const server = await start();
    const result = await patchHpaBounds({
      kubeConfig: server.kubeConfigYaml,
      namespace: 'shop',
      hpa: 'web',
      maxReplicas: 20,
    });
    expect(result).toMatchObject({
      mode: 'dry_run',
      sent: false,
      patch: {
        path: '/apis/autoscaling/v2/namespaces/shop/horizontalpodautoscalers/web',
        body: { spec: { maxReplicas: 20 } },
      },
    });
    expect(server.requests).toHaveLength(0);
  });

  it('applies both bounds and the fake HPA changes', async () => {
    const server = await start();
    const result = await patchHpaBounds({
      kubeConfig: server.kubeConfigYaml,
      namespace: 'shop',
      hpa: 'web',
      minReplicas: 3,
      maxReplicas: 20,
      apply: true,
    });
    expect(result).toMatchObject({
      mode: 'applied',
      previous: { minReplicas: 2, maxReplicas: 12 },
      bounds: { minReplicas: 3, maxReplicas: 20 },
    });
    expect(server.state.workload('shop', 'web')?.hpa()?.spec).toMatchObject({
      minReplicas: 3,
      maxReplicas: 20,
    });
    expect(server.requests.find((request) => request.method === 'PATCH')?.contentType).toBe(
      'application/merge-patch+json',
    );
  });

  it('checks min ≤ max against the live HPA before patching one bound', async () => {
    const server = await start();
    await expect(
      patchHpaBounds({
        kubeConfig: server.kubeConfigYaml,
        namespace: 'shop',
        hpa: 'web',
        minReplicas: 15,
        apply: true,
      }),
    ).rejects.toThrow(/must not exceed maxReplicas \(12\) of the live HPA/);
    expect(server.requests.filter((request) => request.method === 'PATCH')).toHaveLength(0);
    expect(server.state.workload('shop', 'web')?.hpa()?.spec.minReplicas).toBe(2);
  });

  it.each([
    [{}, 'minReplicas'],
    [{ minReplicas: 0 }, 'minReplicas'],
    [{ minReplicas: 1.5 }, 'minReplicas'],
    [{ maxReplicas: 0 }, 'maxReplicas'],
    [{ minReplicas: 5, maxReplicas: 4 }, 'minReplicas'],
  ])('rejects %j', async (bounds, path) => {
    const error = await patchHpaBounds({ namespace: 'shop', hpa: 'web', ...bounds }).catch(
      (caught: unknown) => caught,
    );
    expect(ValidationError.isInstance(error)).toBe(true);
    expect((error as ValidationError).issues.map((issue) => issue.path)).toContain(path);
  });

  it('allows minReplicas 0 only with allowZeroMinReplicas', async () => {
    const result = await patchHpaBounds({
      namespace: 'shop',
      hpa: 'web',
      minReplicas: 0,
      allowZeroMinReplicas: true,
    });
    expect(result.patch.body).toEqual({ spec: { minReplicas: 0 } });
  });
});

describe('collector and executor against the workload simulator', () => {
  it('scales a trace-driven workload: new pods start unready without metrics, then serve', async () => {
    const trace = scaleTrace(loadTrace('alibaba-2018-cpu').values, { peak: 6 });
    const simulator = createWorkloadSimulator({
      name: 'web',
      namespace: 'shop',
      trace,
      requestsPerPod: { cpuCores: 0.5, memoryBytes: 256 * 2 ** 20 },
      startReplicas: 3,
      podStartupSteps: 2,
      noise: 0.05,
      seed: 42,
      hpa: { minReplicas: 2, maxReplicas: 10, targetCpuUtilizationPercent: 70 },
    });
    fake = await startFakeKubernetes({ workloads: [simulator] });
    const options = {
      kubeConfig: fake.kubeConfigYaml,
      namespace: 'shop',
      deployment: 'web',
      now: simulator.now,
    };

    const before = await collectWorkloadSnapshot(options);
    expect(before.state).toMatchObject({
      hpa: 'found',
      metrics: 'available',
      readyPods: 3,
      podsWithoutMetrics: [],
    });
    const used = before.podMetrics.reduce((sum, sample) => sum + sample.cpuCores, 0);
    expect(used).toBeCloseTo(simulator.current().usedCores, 6);

    await scaleDeployment({ ...options, replicas: 5, apply: true });
    const starting = await collectWorkloadSnapshot(options);
    expect(starting.deployment.replicas).toMatchObject({ desired: 5, current: 5, ready: 3 });
    expect(starting.state.notReadyPods).toBe(2);
    expect(starting.state.podsWithoutMetrics).toHaveLength(2);
    expect(
      starting.pods.filter((pod) => !pod.ready).every((pod) => pod.phase === 'Pending' && !pod.hasMetrics),
    ).toBe(true);

    simulator.step();
    simulator.step();
    const ready = await collectWorkloadSnapshot(options);
    expect(ready.state).toMatchObject({ readyPods: 5, notReadyPods: 0, podsWithoutMetrics: [] });
    expect(ready.podMetrics).toHaveLength(5);
    expect(ready.hpa?.status.currentReplicas).toBe(5);
  });
});
