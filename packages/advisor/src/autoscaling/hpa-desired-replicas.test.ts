import { describe, expect, it } from 'vitest';
import { type HpaDesiredReplicasInput, hpaDesiredReplicas } from './hpa-desired-replicas';
import type { HpaMetricSpec } from './hpa-replica-calculator';

const now = 1_760_000_000_000;
const Mi = 2 ** 20;

const cpu = (target: number, samples: Record<string, number>): HpaMetricSpec => ({
  type: 'Resource',
  name: 'cpu',
  target: { type: 'Utilization', averageUtilization: target },
  samples,
});
const podsWith = (count: number, cpuRequest = 1) =>
  Array.from({ length: count }, (_, index) => ({ name: `p${index}`, requests: { cpu: cpuRequest } }));
const even = (count: number, value: number) =>
  Object.fromEntries(Array.from({ length: count }, (_, index) => [`p${index}`, value]));

describe('hpaDesiredReplicas: the reference HPA example', () => {
  it('4 pods at 492m of 600m = 82 % vs 70 % → ceil(1.17·4) = 5; memory alone (288Mi/400Mi) → 3; the max wins', () => {
    const pods = podsWith(4, 0.6).map((pod) => ({ ...pod, requests: { cpu: 0.6, memory: 256 * Mi } }));
    const result = hpaDesiredReplicas({
      now,
      currentReplicas: 4,
      minReplicas: 2,
      maxReplicas: 12,
      pods,
      metrics: [
        cpu(70, even(4, 0.492)),
        {
          type: 'Resource',
          name: 'memory',
          target: { type: 'AverageValue', averageValue: 400 * Mi },
          samples: even(4, 288 * Mi),
        },
      ],
      behavior: {
        scaleUp: {
          stabilizationWindowSeconds: 0,
          selectPolicy: 'Max',
          policies: [
            { type: 'Pods', value: 4, periodSeconds: 15 },
            { type: 'Percent', value: 100, periodSeconds: 15 },
          ],
        },
        scaleDown: {
          stabilizationWindowSeconds: 300,
          selectPolicy: 'Max',
          policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
        },
      },
    });
    expect(result.metrics.map((metric) => metric.replicas)).toEqual([5, 3]);
    expect(result.metrics[0]?.utilization).toBe(82);
    expect(result.desiredReplicas).toBe(5);
    expect(result.metricName).toBe('cpu');
    expect(result.reason).toBe('cpu resource utilization (percentage of request) above target');
    expect(result.conditions.scalingActive.reason).toBe('ValidMetricFound');
    expect(result.conditions.scalingLimited.reason).toBe('DesiredWithinRange');
  });
});

describe('hpaDesiredReplicas: guards and invalid metrics (horizontal.go)', () => {
  const base: HpaDesiredReplicasInput = {
    now,
    currentReplicas: 4,
    minReplicas: 2,
    maxReplicas: 10,
    pods: podsWith(4),
    metrics: [cpu(50, even(4, 0.9))],
  };

  it('scale.spec.replicas = 0 with minReplicas ≠ 0 disables scaling', () => {
    const result = hpaDesiredReplicas({ ...base, currentReplicas: 0 });
    expect(result.desiredReplicas).toBe(0);
    expect(result.rescale).toBe(false);
    expect(result.conditions.scalingActive.reason).toBe('ScalingDisabled');
  });

  it('current above max → max, below min → min, without metric maths', () => {
    expect(hpaDesiredReplicas({ ...base, currentReplicas: 15 }).desiredReplicas).toBe(10);
    const below = hpaDesiredReplicas({ ...base, currentReplicas: 1 });
    expect(below.desiredReplicas).toBe(2);
    expect(below.metrics).toEqual([]);
  });

  it('every metric invalid → no change, ScalingActive=False', () => {
    const result = hpaDesiredReplicas({ ...base, metrics: [cpu(50, {})] });
    expect(result.desiredReplicas).toBe(4);
    expect(result.conditions.scalingActive).toMatchObject({
      status: 'False',
      reason: 'FailedGetResourceMetric',
    });
  });

  it('some metric invalid and the valid max is below current → no scale-down', () => {
    const result = hpaDesiredReplicas({ ...base, metrics: [cpu(50, even(4, 0.1)), cpu(50, {})] });
    expect(result.desiredReplicas).toBe(4);
    expect(result.rescale).toBe(false);
  });

  it('some metric invalid but the valid max is above current → scale-up still allowed', () => {
    const result = hpaDesiredReplicas({ ...base, metrics: [cpu(50, even(4, 0.9)), cpu(50, {})] });
    expect(result.desiredReplicas).toBe(8);
  });

  it('multiple metrics take the max proposal', () => {
    const result = hpaDesiredReplicas({ ...base, metrics: [cpu(50, even(4, 0.3)), cpu(25, even(4, 0.3))] });
    expect(result.metrics.map((metric) => metric.replicas)).toEqual([3, 5]);
    expect(result.desiredReplicas).toBe(5);
  });
});

describe('hpaDesiredReplicas: tolerance', () => {
  const base: HpaDesiredReplicasInput = {
    now,
    currentReplicas: 10,
    maxReplicas: 30,
    pods: podsWith(10),
    metrics: [cpu(50, even(10, 0.535))],
  };

  it('ratio 1.07 is within the default 0.1 tolerance', () => {
    expect(hpaDesiredReplicas(base).desiredReplicas).toBe(10);
  });

  it('the controller flag and the KEP-4951 per-direction field narrow it', () => {
    expect(hpaDesiredReplicas({ ...base, tolerance: 0.05 }).desiredReplicas).toBe(11);
    expect(hpaDesiredReplicas({ ...base, behavior: { scaleUp: { tolerance: 0.05 } } }).desiredReplicas).toBe(
      11,
    );
  });

  it('ratio exactly 1.1 (55 % vs 50 %) stays within tolerance', () => {
    expect(hpaDesiredReplicas({ ...base, metrics: [cpu(50, even(10, 0.55))] }).desiredReplicas).toBe(10);
  });
});

describe('hpaDesiredReplicas: state across syncs', () => {
  it('legacy path: a load drop scales down only once the 300 s window has passed', () => {
    const pods = podsWith(8);
    let state = hpaDesiredReplicas({
      now,
      currentReplicas: 8,
      maxReplicas: 20,
      pods,
      metrics: [cpu(50, even(8, 0.5))],
    }).state;
    const replicasAt = (seconds: number) => {
      const result = hpaDesiredReplicas({
        now: now + seconds * 1000,
        currentReplicas: 8,
        maxReplicas: 20,
        pods,
        metrics: [cpu(50, even(8, 0.1))],
        state,
      });
      state = result.state;
      return result.desiredReplicas;
    };
    expect(replicasAt(15)).toBe(8);
    expect(replicasAt(150)).toBe(8);
    expect(replicasAt(300)).toBe(8);
    expect(replicasAt(301)).toBe(2);
  });
});
