import { describe, expect, it } from 'vitest';
import {
  type HpaScaleEvents,
  hpaScaleEventsFromHistory,
  replicasChangedInPeriod,
  resolveHpaBehavior,
  scaleDownLimit,
  scaleUpLimit,
  stabilizeRecommendation,
} from './hpa-behavior';

// The advisor's hpa-behavior.test.ts covers the defaults and the policy arithmetic through its
// re-exports; these cases pin the edges both the advisor and the validator rely on.
const now = 1_760_000_000_000;
const ago = (seconds: number) => now - seconds * 1000;
const none: HpaScaleEvents = { scaleUpEvents: [], scaleDownEvents: [] };

describe('resolveHpaBehavior', () => {
  it('keeps a set but empty policies list (copyHPAScalingRules copies any non-nil field)', () => {
    const resolved = resolveHpaBehavior({ scaleUp: { policies: [] } });
    expect(resolved.scaleUp.policies).toEqual([]);
    expect(resolved.scaleDown.policies).toEqual([{ type: 'Percent', value: 100, periodSeconds: 15 }]);
    expect(resolved.scaleDown.stabilizationWindowSeconds).toBe(300);
  });
});

describe('replicasChangedInPeriod', () => {
  it('counts events strictly newer than now − period, and events after now', () => {
    const events = [
      { timestamp: ago(15), replicas: 1 },
      { timestamp: ago(14), replicas: 2 },
      { timestamp: now + 5_000, replicas: 4 },
    ];
    expect(replicasChangedInPeriod(events, 15, now)).toBe(6);
  });
});

describe('hpaScaleEventsFromHistory', () => {
  it('splits replica changes into pods added and pods removed, dropping no-ops', () => {
    expect(
      hpaScaleEventsFromHistory([
        { timestamp: ago(30), fromReplicas: 3, toReplicas: 5 },
        { timestamp: ago(20), fromReplicas: 5, toReplicas: 5 },
        { timestamp: ago(10), fromReplicas: 5, toReplicas: 2 },
      ]),
    ).toEqual({
      scaleUpEvents: [{ timestamp: ago(30), replicas: 2 }],
      scaleDownEvents: [{ timestamp: ago(10), replicas: 3 }],
    });
  });
});

describe('scaleUpLimit / scaleDownLimit without policies', () => {
  const { scaleUp, scaleDown } = resolveHpaBehavior({
    scaleUp: { policies: [] },
    scaleDown: { policies: [] },
  });
  it('Max starts from MinInt32 (up) / MaxInt32 (down), so no policy allows no change', () => {
    expect(scaleUpLimit(5, none, scaleUp, now)).toBe(Number.NEGATIVE_INFINITY);
    expect(scaleDownLimit(5, none, scaleDown, now)).toBe(Number.POSITIVE_INFINITY);
  });
  it('Min starts from the other end, so no policy means no limit', () => {
    expect(scaleUpLimit(5, none, { ...scaleUp, selectPolicy: 'Min' }, now)).toBe(Number.POSITIVE_INFINITY);
    expect(scaleDownLimit(5, none, { ...scaleDown, selectPolicy: 'Min' }, now)).toBe(
      Number.NEGATIVE_INFINITY,
    );
  });
});

describe('stabilizeRecommendation', () => {
  const windows = resolveHpaBehavior({ scaleUp: { stabilizationWindowSeconds: 60 } });
  it('holds a scale-down at the highest recommendation of the scale-down window', () => {
    expect(stabilizeRecommendation(3, 8, [{ timestamp: ago(100), replicas: 6 }], windows, now)).toBe(6);
  });
  it('holds a scale-up at the lowest recommendation of the scale-up window', () => {
    expect(stabilizeRecommendation(9, 4, [{ timestamp: ago(30), replicas: 5 }], windows, now)).toBe(5);
  });
  it('ignores recommendations at or before each cutoff', () => {
    const history = [
      { timestamp: ago(60), replicas: 5 },
      { timestamp: ago(300), replicas: 6 },
    ];
    expect(stabilizeRecommendation(9, 4, history, windows, now)).toBe(9);
    expect(stabilizeRecommendation(3, 8, history, windows, now)).toBe(5);
  });
  it('never goes beyond current: a higher recent recommendation holds a scale-down at current', () => {
    expect(stabilizeRecommendation(3, 4, [{ timestamp: ago(10), replicas: 8 }], windows, now)).toBe(4);
  });
});
