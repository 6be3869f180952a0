import { describe, expect, it } from 'vitest';
import {
  type WorkloadSnapshot,
  workloadCollectionStateSchema,
  workloadPodSchema,
  workloadSnapshotSchema,
} from './workload-snapshot';

const base = {
  collectedAt: 1_772_444_700_000,
  source: { kind: 'kubernetes' },
  deployment: {
    namespace: 'shop',
    name: 'web',
    replicas: { desired: 3, current: 3, ready: 2 },
    selector: { matchLabels: { 'app.kubernetes.io/name': 'web' } },
    containers: [{ name: 'app', requests: { cpuCores: 0.5, memoryBytes: 268_435_456 } }],
  },
};

describe('workloadSnapshotSchema pods and state', () => {
  it('keeps snapshots without pods/state valid (existing producers)', () => {
    const workload = workloadSnapshotSchema.parse(base);
    expect(workload.pods).toBeUndefined();
    expect(workload.state).toBeUndefined();
    expect(workload.podMetrics).toEqual([]);
  });

  it('parses per-pod readiness and the collection state', () => {
    const workload: WorkloadSnapshot = workloadSnapshotSchema.parse({
      ...base,
      pods: [
        {
          name: 'web-a',
          phase: 'Running',
          ready: true,
          startTime: 1_772_440_000_000,
          readyTransitionTime: 1_772_440_030_000,
          requests: { cpuCores: 0.5, memoryBytes: 268_435_456 },
          hasMetrics: true,
        },
        { name: 'web-b', phase: 'Pending', ready: false, hasMetrics: false },
        { name: 'web-c', phase: 'Running', ready: true, ignored: true, hasMetrics: true },
      ],
      state: { hpa: 'no_hpa', metrics: 'available', podsWithoutMetrics: ['web-b'], readyPods: 1 },
    });
    expect(workload.pods?.map((pod) => [pod.name, pod.ready, pod.ignored ?? false])).toEqual([
      ['web-a', true, false],
      ['web-b', false, false],
      ['web-c', true, true],
    ]);
    expect(workload.pods?.[1]?.requests).toEqual({});
    expect(workload.state).toEqual({
      hpa: 'no_hpa',
      metrics: 'available',
      podsWithoutMetrics: ['web-b'],
      readyPods: 1,
      notReadyPods: 0,
      ignoredPods: 0,
      warnings: [],
    });
  });

  it('rejects malformed pods and states', () => {
    expect(
      workloadPodSchema.safeParse({ name: '', phase: 'Running', ready: true, hasMetrics: true }).success,
    ).toBe(false);
    expect(
      workloadPodSchema.safeParse({ name: 'a', phase: 'Running', ready: 'yes', hasMetrics: true }).success,
    ).toBe(false);
    expect(workloadCollectionStateSchema.safeParse({ hpa: 'maybe', metrics: 'available' }).success).toBe(
      false,
    );
    expect(
      workloadSnapshotSchema.safeParse({
        ...base,
        state: { hpa: 'found', metrics: 'metrics_unavailable', readyPods: -1 },
      }).success,
    ).toBe(false);
  });

  it('accepts what the kubernetes collector produces (metrics-server down)', () => {
    const workload = workloadSnapshotSchema.parse({
      ...base,
      pods: [
        { name: 'web-a', phase: 'Running', ready: true, ignored: false, requests: {}, hasMetrics: false },
      ],
      state: {
        hpa: 'found',
        metrics: 'metrics_unavailable',
        metricsReason: 'metrics.k8s.io answered 503 (metrics-server is unavailable)',
        podsWithoutMetrics: ['web-a'],
        readyPods: 1,
        notReadyPods: 0,
        ignoredPods: 0,
        warnings: [],
      },
    });
    expect(workload.state?.metrics).toBe('metrics_unavailable');
  });
});
