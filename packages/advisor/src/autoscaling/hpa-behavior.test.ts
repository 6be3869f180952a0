import { describe, expect, it } from 'vitest';
import {
  emptyHpaControllerState,
  type HpaBehavior,
  type HpaControllerState,
  normalizeHpaReplicas,
  resolveHpaBehavior,
  scaleDownLimit,
  scaleUpLimit,
} from './hpa-behavior';

const now = 1_760_000_000_000;
const ago = (seconds: number) => now - seconds * 1000;
const state = (partial: Partial<HpaControllerState>): HpaControllerState => ({
  ...emptyHpaControllerState(),
  ...partial,
});

describe('resolveHpaBehavior (defaults.go)', () => {
  it('fills the documented defaults: up 0 s / Max / [Pods 4, Percent 100] per 15 s; down 300 s / Max / [Percent 100] per 15 s', () => {
    expect(resolveHpaBehavior({})).toEqual({
      scaleUp: {
        stabilizationWindowSeconds: 0,
        selectPolicy: 'Max',
        policies: [
          { type: 'Pods', value: 4, periodSeconds: 15 },
          { type: 'Percent', value: 100, periodSeconds: 15 },
        ],
        tolerance: undefined,
      },
      scaleDown: {
        stabilizationWindowSeconds: 300,
        selectPolicy: 'Max',
        policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
        tolerance: undefined,
      },
    });
  });

  it('copies set fields one by one (copyHPAScalingRules) and takes the scale-down window from the controller flag', () => {
    const resolved = resolveHpaBehavior(
      { scaleUp: { selectPolicy: 'Min' }, scaleDown: { policies: [] } },
      120,
    );
    expect(resolved.scaleUp.selectPolicy).toBe('Min');
    expect(resolved.scaleUp.policies).toHaveLength(2);
    expect(resolved.scaleDown.policies).toEqual([]);
    expect(resolved.scaleDown.stabilizationWindowSeconds).toBe(120);
  });
});

describe('scaleUpLimit / scaleDownLimit (policies over periodSeconds)', () => {
  const up = resolveHpaBehavior({}).scaleUp;
  const down = resolveHpaBehavior({}).scaleDown;
  const cases = [
    // [what it checks, actual, expected]
    [
      'default up from 3: max(3 + 4, ceil(3 × 2)) = 7',
      scaleUpLimit(3, emptyHpaControllerState(), up, now),
      7,
    ],
    ['default up from 10: max(14, 20) = 20', scaleUpLimit(10, emptyHpaControllerState(), up, now), 20],
    [
      'selectPolicy Min up from 10: min(14, 20) = 14',
      scaleUpLimit(10, emptyHpaControllerState(), { ...up, selectPolicy: 'Min' }, now),
      14,
    ],
    [
      'selectPolicy Disabled: current',
      scaleUpLimit(10, emptyHpaControllerState(), { ...up, selectPolicy: 'Disabled' }, now),
      10,
    ],
    [
      'period start subtracts pods added within the period: 5 − 2 + 2 = 5',
      scaleUpLimit(
        5,
        state({ scaleUpEvents: [{ timestamp: ago(30), replicas: 2 }] }),
        { ...up, policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }] },
        now,
      ),
      5,
    ],
    [
      'events older than the period are not counted',
      scaleUpLimit(
        5,
        state({ scaleUpEvents: [{ timestamp: ago(60), replicas: 2 }] }),
        { ...up, policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }] },
        now,
      ),
      7,
    ],
    ['default down: 100 % per 15 s → 0', scaleDownLimit(10, emptyHpaControllerState(), down, now), 0],
    [
      'Percent down truncates: trunc(9 × 0.5) = 4',
      scaleDownLimit(
        9,
        emptyHpaControllerState(),
        { ...down, policies: [{ type: 'Percent', value: 50, periodSeconds: 60 }] },
        now,
      ),
      4,
    ],
    [
      'period start adds pods removed within the period: trunc((9 + 3) × 0.5) = 6',
      scaleDownLimit(
        9,
        state({ scaleDownEvents: [{ timestamp: ago(30), replicas: 3 }] }),
        { ...down, policies: [{ type: 'Percent', value: 50, periodSeconds: 60 }] },
        now,
      ),
      6,
    ],
    [
      'down Max (largest change) → min(10 − 1, trunc(10 × 0.5)) = 5',
      scaleDownLimit(
        10,
        emptyHpaControllerState(),
        {
          ...down,
          policies: [
            { type: 'Pods', value: 1, periodSeconds: 60 },
            { type: 'Percent', value: 50, periodSeconds: 60 },
          ],
        },
        now,
      ),
      5,
    ],
    [
      'down Min (smallest change) → max(9, 5) = 9',
      scaleDownLimit(
        10,
        emptyHpaControllerState(),
        {
          ...down,
          selectPolicy: 'Min',
          policies: [
            { type: 'Pods', value: 1, periodSeconds: 60 },
            { type: 'Percent', value: 50, periodSeconds: 60 },
          ],
        },
        now,
      ),
      9,
    ],
  ] as const;
  it.each(cases)('%s', (_name, actual, expected) => {
    expect(actual).toBe(expected);
  });
});

describe('normalizeHpaReplicas: legacy path (no behavior)', () => {
  const base = { now, minReplicas: 1, maxReplicas: 30 };

  it('caps scale-up at max(2 × current, 4) with reason ScaleUpLimit', () => {
    const result = normalizeHpaReplicas({ ...base, currentReplicas: 3, desiredReplicas: 20 });
    expect(result.desiredReplicas).toBe(6);
    expect(result.scalingLimited).toMatchObject({ status: 'True', reason: 'ScaleUpLimit' });
    expect(normalizeHpaReplicas({ ...base, currentReplicas: 1, desiredReplicas: 20 }).desiredReplicas).toBe(
      4,
    );
  });

  it('reports TooManyReplicas when maxReplicas is below the rate limit', () => {
    const result = normalizeHpaReplicas({ ...base, maxReplicas: 5, currentReplicas: 3, desiredReplicas: 20 });
    expect(result.desiredReplicas).toBe(5);
    expect(result.scalingLimited.reason).toBe('TooManyReplicas');
  });

  it('clamps to minReplicas with TooFewReplicas', () => {
    const result = normalizeHpaReplicas({ ...base, minReplicas: 2, currentReplicas: 3, desiredReplicas: 1 });
    expect(result.desiredReplicas).toBe(2);
    expect(result.scalingLimited.reason).toBe('TooFewReplicas');
  });

  it('stabilizes scale-down to the max recommendation of the last 300 s, the cutoff itself included', () => {
    const recent = state({ recommendations: [{ timestamp: ago(300), replicas: 8 }] });
    const result = normalizeHpaReplicas({ ...base, currentReplicas: 8, desiredReplicas: 3, state: recent });
    expect(result.desiredReplicas).toBe(8);
    expect(result.ableToScale.reason).toBe('ScaleDownStabilized');
    const old = state({ recommendations: [{ timestamp: ago(301), replicas: 8 }] });
    expect(
      normalizeHpaReplicas({ ...base, currentReplicas: 8, desiredReplicas: 3, state: old }).desiredReplicas,
    ).toBe(3);
  });

  it('records the unstabilized recommendation and no scale events', () => {
    const result = normalizeHpaReplicas({ ...base, currentReplicas: 3, desiredReplicas: 5 });
    expect(result.state.recommendations).toEqual([{ timestamp: now, replicas: 5 }]);
    expect(result.state.scaleUpEvents).toEqual([]);
  });
});

describe('normalizeHpaReplicas: behavior path', () => {
  const base = { now, minReplicas: 1, maxReplicas: 100, behavior: {} as HpaBehavior };

  it('default behavior: scale-up from 3 to 20 is limited to 7 per 15 s (ScaleUpLimit)', () => {
    const result = normalizeHpaReplicas({ ...base, currentReplicas: 3, desiredReplicas: 20 });
    expect(result.desiredReplicas).toBe(7);
    expect(result.scalingLimited.reason).toBe('ScaleUpLimit');
    expect(result.state.scaleUpEvents).toEqual([{ timestamp: now, replicas: 4 }]);
  });

  it('default behavior: the next sync inside 15 s may not add more (period start = 7 − 4 = 3)', () => {
    const first = normalizeHpaReplicas({ ...base, currentReplicas: 3, desiredReplicas: 20 });
    const second = normalizeHpaReplicas({
      ...base,
      now: now + 10_000,
      currentReplicas: 7,
      desiredReplicas: 20,
      state: first.state,
    });
    expect(second.desiredReplicas).toBe(7);
    const third = normalizeHpaReplicas({
      ...base,
      now: now + 15_000,
      currentReplicas: 7,
      desiredReplicas: 20,
      state: second.state,
    });
    expect(third.desiredReplicas).toBe(14);
  });

  it('default scale-down window 300 s holds the highest recent recommendation; samples exactly at the cutoff are out', () => {
    const recent = state({ recommendations: [{ timestamp: ago(200), replicas: 10 }] });
    const held = normalizeHpaReplicas({ ...base, currentReplicas: 10, desiredReplicas: 4, state: recent });
    expect(held.desiredReplicas).toBe(10);
    expect(held.ableToScale.reason).toBe('ScaleDownStabilized');
    const atCutoff = state({ recommendations: [{ timestamp: ago(300), replicas: 10 }] });
    expect(
      normalizeHpaReplicas({ ...base, currentReplicas: 10, desiredReplicas: 4, state: atCutoff })
        .desiredReplicas,
    ).toBe(4);
  });

  it('scale-up stabilization window takes the lowest recent recommendation (ScaleUpStabilized)', () => {
    const recent = state({ recommendations: [{ timestamp: ago(30), replicas: 5 }] });
    const result = normalizeHpaReplicas({
      ...base,
      behavior: { scaleUp: { stabilizationWindowSeconds: 60 } },
      currentReplicas: 3,
      desiredReplicas: 8,
      state: recent,
    });
    expect(result.stabilizedReplicas).toBe(5);
    expect(result.desiredReplicas).toBe(5);
    expect(result.ableToScale.reason).toBe('ScaleUpStabilized');
  });

  it('Disabled scale-down keeps current (ScaleDownLimit)', () => {
    const result = normalizeHpaReplicas({
      ...base,
      behavior: { scaleDown: { selectPolicy: 'Disabled', stabilizationWindowSeconds: 0 } },
      currentReplicas: 10,
      desiredReplicas: 2,
    });
    expect(result.desiredReplicas).toBe(10);
    expect(result.scalingLimited.reason).toBe('ScaleDownLimit');
  });

  it('scale-down limited by a Pods policy, and minReplicas wins when higher (TooFewReplicas)', () => {
    const behavior: HpaBehavior = {
      scaleDown: { stabilizationWindowSeconds: 0, policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }] },
    };
    const limited = normalizeHpaReplicas({ ...base, behavior, currentReplicas: 10, desiredReplicas: 2 });
    expect(limited.desiredReplicas).toBe(8);
    expect(limited.scalingLimited.reason).toBe('ScaleDownLimit');
    const floored = normalizeHpaReplicas({
      ...base,
      behavior,
      minReplicas: 9,
      currentReplicas: 10,
      desiredReplicas: 2,
    });
    expect(floored.desiredReplicas).toBe(9);
    expect(floored.scalingLimited.reason).toBe('TooFewReplicas');
  });

  it('maxReplicas caps below the rate limit (TooManyReplicas)', () => {
    const result = normalizeHpaReplicas({
      ...base,
      maxReplicas: 12,
      currentReplicas: 10,
      desiredReplicas: 30,
    });
    expect(result.desiredReplicas).toBe(12);
    expect(result.scalingLimited.reason).toBe('TooManyReplicas');
  });
});
