import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ForecastOutcome } from '../forecast/forecast-types';
import { forecastAwareReplicas } from './forecast-aware-scaling';
import type { HpaBehavior } from './hpa-behavior';
import { type HpaDesiredReplicasInput, hpaDesiredReplicas } from './hpa-desired-replicas';

const now = 1_760_000_000_000;

function hpaInput(current: number, perPodUsage: number, options: Partial<HpaDesiredReplicasInput> = {}) {
  const pods = Array.from({ length: current }, (_, index) => ({ name: `p${index}`, requests: { cpu: 0.5 } }));
  const samples = Object.fromEntries(pods.map((pod) => [pod.name, perPodUsage]));
  return {
    now,
    currentReplicas: current,
    minReplicas: 1,
    maxReplicas: 50,
    pods,
    metrics: [
      {
        type: 'Resource' as const,
        name: 'cpu',
        target: { type: 'Utilization' as const, averageUtilization: 70 },
        samples,
      },
    ],
    ...options,
  };
}

const flat = (lower: number, upper: number, steps = 2): ForecastOutcome => ({
  status: 'ok',
  model: 'linear-trend',
  level: 0.9,
  parameters: {},
  residualStandardDeviation: 0,
  historyUsed: 10,
  points: Array.from({ length: steps }, (_, index) => ({
    step: index + 1,
    mean: (lower + upper) / 2,
    lower,
    upper,
  })),
});

// 0.5 cores request × 70 % target = 0.35 cores per pod.
describe('forecastAwareReplicas', () => {
  it('scales up ahead of demand on the forecast UPPER bound: ceil(2.1 / 0.35) = 6', () => {
    const result = forecastAwareReplicas({ hpa: hpaInput(4, 0.35), forecast: flat(1.2, 2.1), leadSteps: 2 });
    expect(result.reactiveReplicas).toBe(4);
    expect(result.predictiveReplicas).toBe(6);
    expect(result.desiredReplicas).toBe(6);
    expect(result.source).toBe('predictive');
  });

  it('derives the per-pod target from the CPU Utilization metric and pod requests', () => {
    const result = forecastAwareReplicas({ hpa: hpaInput(4, 0.35), forecast: flat(1.2, 2.1) });
    expect(result.predictiveReplicas).toBe(6);
  });

  it('uses the LOWER bound for scale-down, and the guard keeps it from going below reactive', () => {
    const behavior: HpaBehavior = { scaleDown: { stabilizationWindowSeconds: 0 } };
    // Reactive: 10 pods at 0.1 cores = 20 % vs 70 % → ceil(0.2857·10) = 3.
    const held = forecastAwareReplicas({
      hpa: hpaInput(10, 0.1, { behavior }),
      forecast: flat(2.1, 2.5),
      targetPerPod: 0.35,
    });
    expect(held.reactiveReplicas).toBe(3);
    expect(held.predictiveReplicas).toBe(6);
    expect(held.desiredReplicas).toBe(6);
    const lower = forecastAwareReplicas({
      hpa: hpaInput(10, 0.1, { behavior }),
      forecast: flat(0.3, 2.5),
      targetPerPod: 0.35,
    });
    expect(lower.predictiveReplicas).toBe(1);
    expect(lower.desiredReplicas).toBe(3);
    const unguarded = forecastAwareReplicas({
      hpa: hpaInput(10, 0.1, { behavior }),
      forecast: flat(0.3, 2.5),
      targetPerPod: 0.35,
      guard: 'none',
    });
    expect(unguarded.desiredReplicas).toBe(1);
  });

  it('applies the same limits as the HPA (legacy 2× / 4 scale-up limit, maxReplicas)', () => {
    const result = forecastAwareReplicas({
      hpa: hpaInput(4, 0.35),
      forecast: flat(5, 7),
      targetPerPod: 0.35,
    });
    expect(result.proposedReplicas).toBe(20);
    expect(result.desiredReplicas).toBe(8);
    expect(result.scalingLimited.reason).toBe('ScaleUpLimit');
  });

  it('with insufficient_data it is exactly the reactive HPA', () => {
    const input = hpaInput(4, 0.45);
    const result = forecastAwareReplicas({
      hpa: input,
      forecast: { status: 'insufficient_data', model: 'auto', needed: 3, have: 1, message: 'short' },
    });
    const reactive = hpaDesiredReplicas(input);
    expect(result.desiredReplicas).toBe(reactive.desiredReplicas);
    expect(result.state).toEqual(reactive.state);
    expect(result.source).toBe('reactive');
  });

  it('property: never below the reactive HPA (same input, same controller state)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.double({ min: 0, max: 1.5, noNaN: true }),
        fc.double({ min: 0, max: 20, noNaN: true }),
        fc.double({ min: 0, max: 20, noNaN: true }),
        fc.boolean(),
        fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 4 }),
        (current, perPodUsage, a, b, withBehavior, history) => {
          const state = {
            recommendations: history.map((replicas, index) => ({
              timestamp: now - (index + 1) * 60_000,
              replicas,
            })),
            scaleUpEvents: [],
            scaleDownEvents: [],
          };
          const input = hpaInput(current, perPodUsage, { state, ...(withBehavior ? { behavior: {} } : {}) });
          const reactive = hpaDesiredReplicas(input);
          const result = forecastAwareReplicas({
            hpa: input,
            forecast: flat(Math.min(a, b), Math.max(a, b)),
            targetPerPod: 0.35,
          });
          return result.desiredReplicas >= reactive.desiredReplicas;
        },
      ),
      { numRuns: 300 },
    );
  });
});
