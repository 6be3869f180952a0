import { describe, expect, it } from 'vitest';
import { loadTrace, scaleTrace, traceNames, traceOnGrid } from './load-trace';
import { createWorkloadSimulator } from './workload-simulator';

const requestsPerPod = { cpuCores: 0.5, memoryBytes: 256 * 2 ** 20 };

describe('createWorkloadSimulator', () => {
  it('splits the demand of each step across ready pods', () => {
    const simulator = createWorkloadSimulator({
      trace: [1, 2, 3],
      requestsPerPod,
      startReplicas: 2,
      seed: 1,
    });
    expect(simulator.current()).toMatchObject({ step: 0, demandCores: 1, usedCores: 1, readyReplicas: 2 });
    expect(simulator.current().pods.map((pod) => pod.cpuCores)).toEqual([0.5, 0.5]);
    expect(simulator.podMetrics().map((sample) => sample.containers[0]?.usage.cpu)).toEqual([
      '500000000n',
      '500000000n',
    ]);
    expect(simulator.step()).toMatchObject({ step: 1, demandCores: 2 });
    expect(simulator.advanceTo(simulator.now() + 2 * 300_000)).toMatchObject({ step: 3, demandCores: 1 }); // wraps
  });

  it('reacts to scale: new pods are Pending without metrics for podStartupSteps, then take load', () => {
    const simulator = createWorkloadSimulator({
      trace: [4],
      requestsPerPod,
      startReplicas: 2,
      podStartupSteps: 2,
      seed: 7,
    });
    simulator.setReplicas(4);
    expect(simulator.deployment()).toMatchObject({
      spec: { replicas: 4 },
      status: { replicas: 4, readyReplicas: 2, unavailableReplicas: 2 },
    });
    expect(simulator.pods().filter((pod) => pod.status?.phase === 'Pending')).toHaveLength(2);
    expect(simulator.podMetrics()).toHaveLength(2);
    expect(
      simulator
        .current()
        .pods.filter((pod) => pod.ready)
        .map((pod) => pod.cpuCores),
    ).toEqual([2, 2]);

    simulator.step();
    expect(simulator.current().readyReplicas).toBe(2);
    simulator.step();
    expect(simulator.current().readyReplicas).toBe(4);
    expect(simulator.podMetrics()).toHaveLength(4);
    expect(simulator.current().pods.map((pod) => pod.cpuCores)).toEqual([1, 1, 1, 1]);

    simulator.setReplicas(1);
    expect(simulator.current()).toMatchObject({ desiredReplicas: 1, readyReplicas: 1, usedCores: 4 });
  });

  it('caps usage at the CPU limit and reports unmet demand; no ready pods means all demand is unmet', () => {
    const capped = createWorkloadSimulator({
      trace: [3],
      requestsPerPod,
      cpuLimitCores: 1,
      startReplicas: 2,
      seed: 1,
    });
    expect(capped.current()).toMatchObject({ usedCores: 2, unmetDemandCores: 1 });
    const empty = createWorkloadSimulator({ trace: [3], requestsPerPod, startReplicas: 0, seed: 1 });
    expect(empty.current()).toMatchObject({ usedCores: 0, unmetDemandCores: 3 });
    expect(empty.deployment().status).toEqual({ observedGeneration: 1 }); // zero fields omitted
  });

  it('is deterministic for a seed and noisy around the even split', () => {
    const run = (seed: number) => {
      const simulator = createWorkloadSimulator({
        trace: [2, 2, 2],
        requestsPerPod,
        startReplicas: 4,
        noise: 0.1,
        seed,
      });
      simulator.step();
      return simulator.current().pods.map((pod) => pod.cpuCores);
    };
    expect(run(3)).toEqual(run(3));
    expect(run(3)).not.toEqual(run(4));
    for (const cores of run(3)) expect(cores).toBeGreaterThan(0.2);
  });

  it('serves an HPA whose status follows the pods', () => {
    const simulator = createWorkloadSimulator({
      trace: [1.4],
      requestsPerPod,
      startReplicas: 4,
      seed: 1,
      hpa: { minReplicas: 2, maxReplicas: 8, targetCpuUtilizationPercent: 70 },
    });
    expect(simulator.hpa()).toMatchObject({
      spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, minReplicas: 2, maxReplicas: 8 },
      status: {
        currentReplicas: 4,
        desiredReplicas: 4,
        currentMetrics: [
          {
            type: 'Resource',
            resource: { name: 'cpu', current: { averageUtilization: 70, averageValue: '350m' } },
          },
        ],
      },
    });
  });
});

describe('loadTrace', () => {
  it.each(traceNames)('%s has four days of finite samples at 300 s with CC BY 4.0 attribution', (name) => {
    const trace = loadTrace(name);
    expect(trace.values.length).toBeGreaterThanOrEqual(1_091);
    expect(trace.values.every((value) => Number.isFinite(value) && value >= 0)).toBe(true);
    expect(trace.stepSeconds).toBe(300);
    expect(trace.license).toBe('CC-BY-4.0');
    expect(trace.attribution).toContain('10.5281/zenodo.14564847');
  });

  it('the Alibaba trace is 61 slots short of four days: its gap is declared, not treated as continuous', () => {
    const trace = loadTrace('alibaba-2018-cpu');
    expect(trace.values).toHaveLength(1_091);
    expect(trace.gaps).toEqual([{ afterIndex: 473, missingSamples: 61 }]);
    expect(trace.timestamps[474]! - trace.timestamps[473]!).toBe(62 * 300_000);
    expect(trace.timestamps.at(-1)).toBe((4 * 288 - 1) * 300_000);
    const grid = traceOnGrid(trace);
    expect(grid).toHaveLength(4 * 288);
    expect(grid.filter((value) => Number.isNaN(value))).toHaveLength(61);
    expect(scaleTrace(grid, { peak: 8 }).filter((value) => Number.isNaN(value))).toHaveLength(61);
    for (const name of ['google-2019-cpu', 'azure-2019-cpu'] as const) {
      const continuous = loadTrace(name);
      expect(continuous.gaps).toEqual([]);
      expect(traceOnGrid(continuous)).toEqual(continuous.values);
    }
  });

  it('keeps the real values and rescales them to a demand peak', () => {
    const trace = loadTrace('alibaba-2018-cpu');
    expect(trace.values[0]).toBe(16.127);
    const demand = scaleTrace(trace.values, { peak: 8 });
    expect(Math.max(...demand)).toBeCloseTo(8, 9);
    expect(scaleTrace([10, 20, 40], { peak: 4 })).toEqual([1, 2, 4]);
    expect(scaleTrace([10, 20, 30], { peak: 5, floor: 1 })).toEqual([1, 3, 5]);
  });
});
