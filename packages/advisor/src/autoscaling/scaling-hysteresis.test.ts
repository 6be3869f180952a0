import { describe, expect, it } from 'vitest';
import { type ScalingHistoryItem, type ScalingHoldInput, scalingHold } from './scaling-hysteresis';

// The hysteresis rules of adviseScaling, one row per case: what the history holds, what the
// advisor would do without it, and which rule (if any) holds the change back.

const now = Date.UTC(2026, 5, 1, 12);
const minutes = (count: number) => count * 60_000;
const holdMs = minutes(30);
const bounds = { minReplicas: 2, maxReplicas: 10 };

function entry(
  from: number,
  to: number,
  status: ScalingHistoryItem['status'],
  minutesAgo: number,
  reason?: string,
) {
  return { from, to, status, at: now - minutes(minutesAgo), ...(reason ? { reason } : {}) };
}

interface Row {
  name: string;
  current: number;
  target: number;
  scaleUpNeeded?: boolean;
  recent: ScalingHistoryItem[];
  expected: { rule: string; held: boolean } | undefined;
  message?: RegExp;
}

const rows: Row[] = [
  { name: 'no history', current: 5, target: 3, recent: [], expected: undefined },
  {
    name: 'no change proposed',
    current: 5,
    target: 5,
    recent: [entry(3, 5, 'applied', 5)],
    expected: undefined,
  },
  {
    name: 'scale-down right after an applied scale-up (flapping)',
    current: 5,
    target: 3,
    recent: [entry(3, 5, 'applied', 10)],
    expected: { rule: 'reverses_applied', held: true },
    message: /3 → 5 was applied 10 min ago, within the 30 min hold; 5 → 3 would reverse it/,
  },
  {
    name: 'scale-up right after an applied scale-down, not needed by the metrics',
    current: 3,
    target: 5,
    recent: [entry(5, 3, 'applied', 10)],
    expected: { rule: 'reverses_applied', held: true },
  },
  {
    name: 'scale-up right after an applied scale-down, needed by the metrics (safety first)',
    current: 3,
    target: 5,
    scaleUpNeeded: true,
    recent: [entry(5, 3, 'applied', 10)],
    expected: { rule: 'reverses_applied', held: false },
    message: /overridden: the HPA-parity answer scales up now/,
  },
  {
    name: 'the applied change is older than the hold',
    current: 5,
    target: 3,
    recent: [entry(3, 5, 'applied', 31)],
    expected: undefined,
  },
  {
    name: 'only advised, never applied: no reversal',
    current: 5,
    target: 3,
    recent: [entry(3, 5, 'proposed', 10), entry(3, 5, 'accepted', 12)],
    expected: undefined,
  },
  {
    name: 'the same change was applied and the deployment is back where it was',
    current: 3,
    target: 5,
    recent: [entry(3, 5, 'applied', 10)],
    expected: { rule: 'repeats_applied', held: true },
    message: /something reverts it/,
  },
  {
    name: 'a rejected scale-down from the same count holds any scale-down from it',
    current: 4,
    target: 3,
    recent: [entry(4, 2, 'rejected', 5, 'peak season')],
    expected: { rule: 'rejected_recently', held: true },
    message:
      /4 → 2 was rejected 5 min ago, within the 30 min hold \(peak season\); not proposing to scale down from 4/,
  },
  {
    name: 'a rejection from another replica count does not hold',
    current: 5,
    target: 3,
    recent: [entry(4, 2, 'rejected', 5)],
    expected: undefined,
  },
  {
    name: 'a rejected scale-up does not hold a scale-down',
    current: 4,
    target: 3,
    recent: [entry(4, 6, 'rejected', 5)],
    expected: undefined,
  },
  {
    name: 'a rejected scale-up yields to metrics that need the pods',
    current: 4,
    target: 5,
    scaleUpNeeded: true,
    recent: [entry(4, 6, 'rejected', 5)],
    expected: { rule: 'rejected_recently', held: false },
  },
  {
    name: 'a change into the bounds is never held',
    current: 12,
    target: 10,
    recent: [entry(10, 12, 'applied', 5)],
    expected: undefined,
  },
  {
    name: 'the newest applied change decides the direction',
    current: 4,
    target: 6,
    recent: [entry(6, 4, 'applied', 3), entry(4, 6, 'applied', 20)],
    expected: { rule: 'reverses_applied', held: true },
  },
];

describe('scalingHold', () => {
  it.each(rows)('$name', (row) => {
    const input: ScalingHoldInput = {
      currentReplicas: row.current,
      targetReplicas: row.target,
      bounds,
      scaleUpNeeded: row.scaleUpNeeded ?? false,
      recent: row.recent,
      now,
      holdMs,
    };
    const verdict = scalingHold(input);
    if (row.expected === undefined) {
      expect(verdict).toBeUndefined();
      return;
    }
    expect(verdict).toMatchObject(row.expected);
    if (row.message) expect(verdict?.message).toMatch(row.message);
  });
});
