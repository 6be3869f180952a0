import { CollectorError, ValidationError } from '@ballast/core';
import { createStaticWorkload, type FakeKubernetes, startFakeKubernetes } from '@ballast/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { shopWeb } from './__fixtures__/shop';
import { type CollectWorkloadSnapshotOptions, collectWorkloadSnapshot } from './collector';
import { patchHpaBounds } from './executor';

// A skeptical user's inputs and a broken cluster's bodies: each is a typed error or a sample left
// out with a warning, never a crash, a silent default or a double count.

let fake: FakeKubernetes | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function collect(
  mutate: (workload: ReturnType<typeof shopWeb>) => void,
  options: Partial<CollectWorkloadSnapshotOptions> = {},
) {
  const workload = shopWeb();
  mutate(workload);
  fake = await startFakeKubernetes({ workloads: [createStaticWorkload(workload)] });
  return collectWorkloadSnapshot({
    kubeConfig: fake.kubeConfigYaml,
    namespace: 'shop',
    deployment: 'web',
    ...options,
  } as CollectWorkloadSnapshotOptions);
}

const failure = (work: Promise<unknown>) =>
  work.then(
    () => undefined,
    (error: unknown) => error,
  );

describe('collectWorkloadSnapshot with a broken metrics sample', () => {
  it.each([
    ['an unparseable cpu usage', (usage: Record<string, string>) => (usage.cpu = 'lots')],
    ['a negative cpu usage', (usage: Record<string, string>) => (usage.cpu = '-5')],
    ['an unparseable memory usage', (usage: Record<string, string>) => (usage.memory = '12 GB')],
  ])('leaves a sample with %s out (with a warning) and keeps the others', async (_, spoil) => {
    let name = '';
    const snapshot = await collect(({ podMetrics }) => {
      name = podMetrics[0]!.metadata.name;
      spoil(podMetrics[0]!.containers[0]!.usage as Record<string, string>);
    });
    expect(snapshot.podMetrics.map((sample) => sample.pod)).not.toContain(name);
    expect(snapshot.podMetrics).toHaveLength(2);
    expect(snapshot.state.podsWithoutMetrics).toContain(name);
    expect(snapshot.state.warnings.join('\n')).toMatch(
      new RegExp(`pod "${name}": metrics sample has an invalid usage for container "app".*sample ignored`),
    );
  });

  it('leaves a sample with an unparseable window out (with a warning)', async () => {
    let name = '';
    const snapshot = await collect(({ podMetrics }) => {
      name = podMetrics[0]!.metadata.name;
      (podMetrics[0] as { window: string }).window = 'forever';
    });
    expect(snapshot.podMetrics.map((sample) => sample.pod)).not.toContain(name);
    expect(snapshot.state.warnings).toContain(
      `pod "${name}": metrics sample has no valid timestamp or window; sample ignored`,
    );
  });

  it('counts a pod listed twice by metrics.k8s.io once (the newest sample), with a warning', async () => {
    let name = '';
    const snapshot = await collect(({ podMetrics }) => {
      const copy = structuredClone(podMetrics[0]!);
      name = copy.metadata.name;
      copy.timestamp = new Date(Date.parse(copy.timestamp!) + 30_000).toISOString();
      for (const container of copy.containers) (container.usage as Record<string, string>).cpu = '1';
      podMetrics.push(copy);
    });
    const samples = snapshot.podMetrics.filter((sample) => sample.pod === name);
    expect(samples).toHaveLength(1);
    expect(samples[0]!.cpuCores).toBe(2);
    expect(snapshot.podMetrics).toHaveLength(3);
    expect(snapshot.state.warnings).toContain(
      `pod "${name}": metrics.k8s.io listed it 2 times; the newest sample is used`,
    );
  });
});

describe('collectWorkloadSnapshot with a malformed HPA', () => {
  it('refuses an HPA without maxReplicas instead of reading it as 1', async () => {
    const error = await failure(
      collect(({ hpa }) => delete (hpa as { spec: { maxReplicas?: number } }).spec.maxReplicas),
    );
    expect(CollectorError.isInstance(error), String(error)).toBe(true);
    expect((error as CollectorError).message).toMatch(/HPA "web".*maxReplicas/);
    expect((error as CollectorError).endpoint).toBe(
      '/apis/autoscaling/v2/namespaces/shop/horizontalpodautoscalers',
    );
  });

  it('refuses an HPA whose minReplicas exceeds its maxReplicas', async () => {
    const error = await failure(
      collect(({ hpa }) => ((hpa as { spec: { minReplicas: number } }).spec.minReplicas = 50)),
    );
    expect(CollectorError.isInstance(error), String(error)).toBe(true);
    expect((error as CollectorError).message).toMatch(/minReplicas \(50\) exceeds maxReplicas \(12\)/);
  });
});

describe('collectWorkloadSnapshot options', () => {
  it.each([
    ['namespace', { namespace: '' }],
    ['namespace', { namespace: undefined }],
    ['namespace', { namespace: 'Shop' }],
    ['deployment', { deployment: undefined }],
    ['deployment', { deployment: '../web' }],
    ['hpa', { hpa: '' }],
    ['history', { history: {} }],
    ['now', { now: 5 }],
  ])('refuses a bad %s with a ValidationError before any request (%j)', async (path, options) => {
    const error = await failure(collect(() => {}, options as Partial<CollectWorkloadSnapshotOptions>));
    expect(ValidationError.isInstance(error), String(error)).toBe(true);
    expect((error as ValidationError).issues.map((issue) => issue.path)).toEqual([path]);
    expect((error as ValidationError).isRetryable).toBe(false);
    expect(fake!.requests).toHaveLength(0);
  });
});

describe('patchHpaBounds against a live HPA without maxReplicas', () => {
  it('refuses to patch (CollectorError) instead of checking against, and reporting, maxReplicas 1', async () => {
    const workload = shopWeb();
    delete (workload.hpa as { spec: { maxReplicas?: number } }).spec.maxReplicas;
    fake = await startFakeKubernetes({ workloads: [createStaticWorkload(workload)] });
    const error = await failure(
      patchHpaBounds({
        kubeConfig: fake.kubeConfigYaml,
        namespace: 'shop',
        hpa: 'web',
        minReplicas: 1,
        apply: true,
      }),
    );
    expect(CollectorError.isInstance(error), String(error)).toBe(true);
    expect((error as CollectorError).message).toMatch(/HPA "web".*maxReplicas/);
    expect(fake.requests.filter((request) => request.method === 'PATCH')).toHaveLength(0);
  });
});
