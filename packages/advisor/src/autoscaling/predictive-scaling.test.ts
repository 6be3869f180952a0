import { ConfigError } from '@ballast/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ForecastPoint } from '../forecast/forecast-types';
import { predictiveReplicas } from './predictive-scaling';
import { scalingOutlook } from './scaling-outlook';

/** Points whose upper bound (80 % interval) is `uppers[i]` cores. */
const points = (uppers: readonly number[]): ForecastPoint[] =>
  uppers.map((upper, index) => ({
    step: index + 1,
    mean: upper * 0.9,
    lower: upper * 0.8,
    upper: upper * 1.1,
    intervals: [{ level: 0.8, lower: upper * 0.85, upper }],
  }));

const base = { targetPerPod: 1, minReplicas: 2, maxReplicas: 60, settings: { leadSteps: 1 } };

describe('predictiveReplicas', () => {
  it.each([
    {
      // The upper bound needs 12; the point forecast (10.8) needs 11, plus the 10 % band: 13.
      name: 'scales up now when the lead time needs more (one margin: the point forecast plus 10 %)',
      current: 10,
      uppers: [12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12],
      expected: { desiredReplicas: 13, rule: 'scale_up_now', timing: 'immediate' },
    },
    {
      name: 'pre-scales ahead of a forecast peak inside the look-ahead',
      current: 10,
      uppers: [9, 9, 15, 9, 9, 9, 9, 9, 9, 9, 9, 9],
      expected: { desiredReplicas: 16, rule: 'pre_scale', timing: 'scheduled' },
    },
    {
      name: 'holds when the next hour still needs the pods (stabilisation)',
      current: 10,
      uppers: [5, 5, 5, 5, 5, 5, 5, 5, 5, 10, 5, 5],
      expected: { desiredReplicas: 10, rule: 'hold_stabilized' },
    },
    {
      name: 'scales down gradually when the whole next hour (and beyond) needs fewer',
      current: 20,
      uppers: Array.from({ length: 72 }, () => 5),
      expected: { desiredReplicas: 6, rule: 'scale_down', timing: 'gradual' },
    },
    {
      name: 'holds a change within the tolerance',
      current: 20,
      uppers: Array.from({ length: 72 }, () => 17),
      expected: { desiredReplicas: 20, rule: 'hold_within_tolerance' },
    },
  ])('$name', ({ current, uppers, expected }) => {
    const decision = predictiveReplicas({
      ...base,
      currentReplicas: current,
      observedDemand: 4,
      points: points(uppers),
    });
    expect(decision).toMatchObject(expected);
    expect(decision.reason).toMatch(/^predictive: /);
  });

  it('pre-scales for a peak the point forecast expects, not for the interval growing with the horizon', () => {
    // A flat point forecast of 9.5 cores whose 80 % upper bound widens as a random walk's (√h).
    const widening: ForecastPoint[] = Array.from({ length: 12 }, (_, index) => ({
      step: index + 1,
      mean: 9.5,
      lower: 9.5 - 0.4 * Math.sqrt(index + 1),
      upper: 9.5 + 0.6 * Math.sqrt(index + 1),
      intervals: [
        { level: 0.8, lower: 9.5 - 0.3 * Math.sqrt(index + 1), upper: 9.5 + 0.4 * Math.sqrt(index + 1) },
      ],
    }));
    // The lead step needs ceil(9.9) = 10 pods; the interval's growth alone (step 4: 9.5 + 0.4·2 =
    // 10.3, 11 pods as an upper-bound need) is no reason to pre-scale from 10.
    const atTen = predictiveReplicas({ ...base, currentReplicas: 10, observedDemand: 9.5, points: widening });
    expect(atTen.rule).not.toBe('pre_scale');
    expect(atTen).toMatchObject({ desiredReplicas: 10, neededForRamp: 10 });
    // A rise of the point forecast to 11 at step 3 is pre-scaled for, with the lead time's margin (0.4).
    const rising = widening.map((point, index) => (index === 2 ? { ...point, mean: 11 } : point));
    const peak = predictiveReplicas({ ...base, currentReplicas: 10, observedDemand: 9.5, points: rising });
    expect(peak).toMatchObject({ rule: 'pre_scale', timing: 'scheduled', neededForRamp: 12 });
  });

  it('is cost-aware: no scale-down when the pods are needed back before the saving reaches the threshold', () => {
    const uppers = [5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 30];
    const decision = predictiveReplicas({
      ...base,
      currentReplicas: 20,
      observedDemand: 4,
      points: points(uppers),
      settings: { leadSteps: 1, minimumSavingPodHours: 20 },
    });
    expect(decision.rule).toBe('hold_saving_too_small');
    expect(decision.desiredReplicas).toBe(20);
  });

  it('property: the answer stays in bounds, and a need within the lead time is always met', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 60 }),
        fc.array(fc.double({ min: 0, max: 80, noNaN: true }), { minLength: 1, maxLength: 24 }),
        fc.double({ min: 0, max: 80, noNaN: true }),
        (current, uppers, observed) => {
          const decision = predictiveReplicas({
            ...base,
            currentReplicas: current,
            observedDemand: observed,
            points: points(uppers),
          });
          const needNow = Math.min(60, Math.ceil(Math.max(observed, uppers[0]!) - 1e-9));
          return (
            Number.isInteger(decision.desiredReplicas) &&
            decision.desiredReplicas >= 2 &&
            decision.desiredReplicas <= 60 &&
            (needNow <= current || decision.desiredReplicas >= needNow)
          );
        },
      ),
    );
  });

  it('property: one margin: a scale-up lands at least on the upper bound, never above the upper bound plus the band', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 40 }),
        fc.array(
          fc.record({
            upper: fc.double({ min: 0, max: 50, noNaN: true }),
            share: fc.double({ min: 0, max: 1, noNaN: true }),
          }),
          { minLength: 4, maxLength: 24 },
        ),
        (current, rows) => {
          // Point forecasts anywhere at or below their upper bound.
          const forecast: ForecastPoint[] = rows.map(({ upper, share }, index) => ({
            step: index + 1,
            mean: upper * share,
            lower: 0,
            upper: upper * 1.2,
            intervals: [{ level: 0.8, lower: 0, upper }],
          }));
          const decision = predictiveReplicas({
            ...base,
            currentReplicas: current,
            observedDemand: 0,
            points: forecast,
          });
          if (decision.desiredReplicas <= current) return true;
          const bounded = Math.min(60, decision.neededForRamp);
          return (
            decision.desiredReplicas >= bounded &&
            decision.desiredReplicas <= Math.min(60, Math.ceil(decision.neededForRamp * 1.1 - 1e-9))
          );
        },
      ),
    );
  });

  it('rejects an unusable input with a ConfigError', () => {
    expect(() => predictiveReplicas({ ...base, currentReplicas: 3, observedDemand: 1, points: [] })).toThrow(
      ConfigError,
    );
    expect(() =>
      predictiveReplicas({
        ...base,
        targetPerPod: 0,
        currentReplicas: 3,
        observedDemand: 1,
        points: points([1]),
      }),
    ).toThrow(ConfigError);
  });
});

describe('scalingOutlook', () => {
  it('summarises six hours per hour with the peak and trough, in replicas', () => {
    const uppers = Array.from({ length: 72 }, (_, index) => 10 + (index === 40 ? 20 : 0));
    const outlook = scalingOutlook(
      {
        status: 'ok',
        model: 'ensemble',
        points: points(uppers),
        level: 0.9,
        parameters: {},
        residualStandardDeviation: 1,
        historyUsed: 300,
      },
      { stepSeconds: 300, targetPerPod: 2 },
    );
    if (outlook.status !== 'ok') throw new Error('expected an outlook');
    expect(outlook.hourly).toHaveLength(6);
    expect(outlook.horizonHours).toBe(6);
    expect(outlook.peak.inHours).toBeCloseTo(41 / 12, 2);
    expect(outlook.peak.replicasNeeded).toBe(Math.ceil((30 * 1.1) / 2));
  });

  it('says why there is no outlook instead of inventing one', () => {
    expect(scalingOutlook(undefined, { stepSeconds: 300, targetPerPod: 1 })).toMatchObject({
      status: 'unavailable',
    });
    expect(
      scalingOutlook(
        { status: 'insufficient_data', model: 'auto', needed: 3, have: 1, message: 'short' },
        { stepSeconds: 300, targetPerPod: 1 },
      ),
    ).toMatchObject({ status: 'unavailable', reason: 'insufficient history: need 3 samples, have 1' });
  });
});
