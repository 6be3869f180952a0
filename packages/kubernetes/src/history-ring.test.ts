import { ValidationError, type WorkloadSnapshot } from '@ballast/core';
import { describe, expect, it } from 'vitest';
import { createHistoryRing } from './history-ring';

function snapshot(collectedAt: number, replicas: number, cpu: number[]): WorkloadSnapshot {
  return {
    collectedAt,
    source: { kind: 'manual' },
    deployment: {
      namespace: 'shop',
      name: 'web',
      replicas: { desired: replicas, current: replicas, ready: replicas },
      selector: { matchLabels: { app: 'web' } },
      containers: [{ name: 'app', requests: { cpuCores: 0.5, memoryBytes: 1000 }, limits: {} }],
    },
    podMetrics: cpu.map((cores, index) => ({
      pod: `web-${index}`,
      cpuCores: cores,
      memoryBytes: 500,
      timestamp: collectedAt,
      windowSeconds: 15,
    })),
    history: {},
    events: [],
  };
}

describe('createHistoryRing', () => {
  it('aligns samples to the step, keeps the latest within a step and drops the oldest past capacity', () => {
    const ring = createHistoryRing({ capacity: 3, stepMs: 1000 });
    ring.push(snapshot(1000, 2, [0.2, 0.2]));
    ring.push(snapshot(1999, 2, [0.3, 0.3])); // same step: replaces
    ring.push(snapshot(2500, 3, [0.25, 0.25, 0.25]));
    ring.push(snapshot(3000, 3, [0.5, 0.5, 0.5]));
    ring.push(snapshot(4100, 2, [0.4, 0.4]));
    expect(ring.size).toBe(3);
    expect(ring.series()).toEqual({
      cpuCores: { timestamps: [2000, 3000, 4000], values: [0.75, 1.5, 0.8] },
      memoryBytes: { timestamps: [2000, 3000, 4000], values: [1500, 1500, 1000] },
      replicas: { timestamps: [2000, 3000, 4000], values: [3, 3, 2] },
    });
    expect(ring.utilization().cpuPercent.values).toEqual([50, 100, 80]);
    expect(ring.utilization().memoryPercent.values).toEqual([50, 50, 50]);
    expect(ring.events()).toEqual([
      { timestamp: 4000, fromReplicas: 3, toReplicas: 2, reason: 'ObservedReplicaChange' },
    ]);
    expect(ring.push(snapshot(500, 1, []))).toBeUndefined(); // older than the newest step
  });

  it('leaves usage missing (not 0) when metrics were unavailable', () => {
    const ring = createHistoryRing({ capacity: 5, stepMs: 1000 });
    ring.push(snapshot(1000, 2, [0.2, 0.2]));
    ring.push({ ...snapshot(2000, 2, []), state: { metrics: 'metrics_unavailable' } } as WorkloadSnapshot);
    expect(ring.series().cpuCores).toEqual({ timestamps: [1000], values: [0.4] });
    expect(ring.series().replicas.values).toEqual([2, 2]);
  });

  it('validates its options', () => {
    expect(() => createHistoryRing({ capacity: 0, stepMs: 1000 })).toThrow(ValidationError);
    expect(() => createHistoryRing({ capacity: 2.5, stepMs: 1000 })).toThrow(ValidationError);
    expect(() => createHistoryRing({ capacity: 2, stepMs: 0 })).toThrow(ValidationError);
  });
});

describe('createHistoryRing.push with a broken snapshot', () => {
  it('refuses a snapshot whose collectedAt is not a finite time instead of storing a NaN timestamp', () => {
    const ring = createHistoryRing({ capacity: 5, stepMs: 1000 });
    ring.push(snapshot(10_000, 2, [0.25]));
    for (const at of [Number.NaN, Number.POSITIVE_INFINITY, '12' as unknown as number]) {
      expect(() => ring.push(snapshot(at, 3, [0.25]))).toThrow(ValidationError);
    }
    expect(ring.samples().map((sample) => sample.timestamp)).toEqual([10_000]);
    expect(ring.series().replicas.timestamps.every(Number.isFinite)).toBe(true);
  });
});
