import { ConfigError } from '@ballast/core';
import { describe, expect, it } from 'vitest';
import type { ForecastPoint } from '../forecast/forecast-types';
import { type PredictiveScalingInput, predictiveReplicas } from './predictive-scaling';

// Bad input: a typed error naming the field, never a NaN replica count or a count outside the bounds.
// biome-ignore lint/suspicious/noExplicitAny: JavaScript callers pass anything
type Loose = any;

const point: ForecastPoint = { step: 1, mean: 1, lower: 0, upper: 2 };
const base: PredictiveScalingInput = {
  currentReplicas: 4,
  observedDemand: 1,
  points: [point],
  targetPerPod: 0.5,
  minReplicas: 1,
  maxReplicas: 10,
  settings: { leadSteps: 1 },
};

describe('predictiveReplicas: bad input', () => {
  it.each<{ name: string; patch: Loose; path: string }>([
    {
      name: 'observed demand NaN (desired NaN, "scale_down")',
      patch: { observedDemand: Number.NaN },
      path: 'observedDemand',
    },
    { name: 'negative observed demand', patch: { observedDemand: -1 }, path: 'observedDemand' },
    {
      name: 'a NaN forecast point (desired NaN)',
      patch: { points: [{ step: 1, mean: Number.NaN, lower: Number.NaN, upper: Number.NaN }] },
      path: 'points.0.mean',
    },
    {
      name: 'current replicas NaN ("scaling NaN → 4")',
      patch: { currentReplicas: Number.NaN },
      path: 'currentReplicas',
    },
    {
      name: 'minReplicas above maxReplicas (answer outside both)',
      patch: { minReplicas: 8, maxReplicas: 3 },
      path: 'maxReplicas',
    },
    {
      name: 'negative headroom',
      patch: { settings: { leadSteps: 1, scaleUpHeadroom: -5 } },
      path: 'settings.scaleUpHeadroom',
    },
    {
      name: 'tolerance NaN',
      patch: { settings: { leadSteps: 1, tolerance: Number.NaN } },
      path: 'settings.tolerance',
    },
    { name: 'stepHours 0', patch: { settings: { leadSteps: 1, stepHours: 0 } }, path: 'settings.stepHours' },
    {
      name: 'level as a string',
      patch: { settings: { leadSteps: 1, level: '0.8' } },
      path: 'settings.level',
    },
  ])('$name → ConfigError at $path', ({ patch, path }) => {
    let thrown: unknown;
    try {
      predictiveReplicas({ ...base, ...patch });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).issues.map((issue) => issue.path)).toContain(path);
  });

  it('an infinite upper bound still scales to maxReplicas', () => {
    const decision = predictiveReplicas({
      ...base,
      points: [{ step: 1, mean: 1, lower: 0, upper: Number.POSITIVE_INFINITY }],
    });
    expect(decision.desiredReplicas).toBe(10);
  });
});
