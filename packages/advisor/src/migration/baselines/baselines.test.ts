import { describe, expect, it } from 'vitest';
import { crsScenarios, makeCluster } from '../__fixtures__/snapshots';
import { planCrsBruteForce } from './crs-bruteforce';
import { planProxLBGreedy } from './proxlb-greedy';

describe('baselines', () => {
  it('CRS brute force reproduces the PVE HA simulator decisions (pve-ha-manager test-crs-*-auto-rebalance*)', () => {
    const plan = planCrsBruteForce(crsScenarios.dynamicFour());
    expect(plan.moves).toEqual([
      { vmid: 101, sourceNode: 'node1', targetNode: 'node2' },
      { vmid: 102, sourceNode: 'node1', targetNode: 'node3' },
    ]);
    expect(plan.curve.map((point) => (point.imbalance * Math.SQRT2).toFixed(2))).toEqual([
      '1.41',
      '0.94',
      '0.35',
    ]);
    expect(planCrsBruteForce(crsScenarios.dynamicSingle()).moves).toEqual([]);
  });

  it('ProxLB greedy moves smallest guests from the most loaded to the most free node until the spread ≤ 10 pp', () => {
    const snapshot = makeCluster(
      { a: { cores: 16, memGiB: 100 }, b: { cores: 16, memGiB: 100 } },
      {
        101: { node: 'a', memUsedGiB: 20 },
        102: { node: 'a', memUsedGiB: 10 },
        103: { node: 'a', memUsedGiB: 30 },
      },
    );
    const plan = planProxLBGreedy(snapshot);
    // a 60 % / b 0 %: 102 (10) → a 50 / b 10; 101 (20) → a 30 / b 30: spread 0.
    expect(plan.moves.map((move) => move.vmid)).toEqual([102, 101]);
    expect(plan.imbalanceAfter).toBeLessThan(plan.imbalanceBefore);
    expect(plan.gibMoved).toBe(16);
  });
});
