import { describe, expect, it } from 'vitest';
import { makeCluster } from './__fixtures__/snapshots';
import { planMigrations } from './plan-migrations';

// Two equal nodes, memory only (no CPU use). a holds 20 + 12 GiB, b holds 8 + 16 GiB: every single
// move overshoots (a 32 / b 24 becomes 20 / 36, 12 / 44, 40 / 16 or 48 / 8), but 12 ↔ 8 trading
// places gives 28 / 28.
const stalled = () =>
  makeCluster(
    { a: { cores: 16, memGiB: 64 }, b: { cores: 16, memGiB: 64 } },
    {
      101: { node: 'a', cpu: 0, memGiB: 20, memUsedGiB: 20 },
      102: { node: 'a', cpu: 0, memGiB: 12, memUsedGiB: 12 },
      201: { node: 'b', cpu: 0, memGiB: 8, memUsedGiB: 8 },
      202: { node: 'b', cpu: 0, memGiB: 16, memUsedGiB: 16 },
    },
  );
const open = { cpuThreshold: 100, memThreshold: 100, memoryReservePercent: 0, targetImbalance: 0 };

describe('planMigrations pairs when no single move helps', () => {
  it('trades two guests between nodes when every single move overshoots', () => {
    const plan = planMigrations(stalled(), { ...open, minGain: 0.1 });
    expect(
      plan.recommendations.map((move) => `${move.vmid}:${move.sourceNode}>${move.targetNode}`).sort(),
    ).toEqual(['102:a>b', '201:b>a']);
    expect(plan.summary.imbalanceAfter).toBeCloseTo(0, 9);
    // The curve has a point per migration and ends where the summary does.
    expect(plan.curve.map((point) => point.migrations)).toEqual([0, 1, 2]);
    expect(plan.curve.at(-1)!.imbalance).toBeCloseTo(plan.summary.imbalanceAfter, 12);
  });

  it('does not trade once the imbalance is at the target, nor when the cap leaves no room', () => {
    const atTarget = planMigrations(stalled(), { ...open, targetImbalance: 0.5 });
    expect(atTarget.recommendations).toEqual([]);
    expect(atTarget.summary.stopReason).toBe('target-reached');
    const capped = planMigrations(stalled(), { ...open, maxMigrations: 1 });
    expect(capped.recommendations).toEqual([]);
  });

  it('does not trade when the pair gains less than minGain per migration', () => {
    // From 32 / 24 to 28 / 28 gains all of the imbalance: a pair is refused only above 50 % per move.
    const plan = planMigrations(stalled(), { ...open, minGain: 0.6 });
    expect(plan.recommendations).toEqual([]);
  });
});
