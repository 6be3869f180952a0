import { describe, expect, it } from 'vitest';
import { makeCluster } from './__fixtures__/snapshots';
import { planMigrations } from './plan-migrations';

// Two nodes where the move that balances best (vmid 101: memory 90/10 → 50/50) would leave its
// target at 70 % CPU. The CPU threshold alone must stop it: memory stays under its threshold.
const cluster = () =>
  makeCluster(
    {
      pveA: { cores: 10, memGiB: 100, baseCpu: 2.5, baseMemGiB: 40 },
      pveB: { cores: 10, memGiB: 100 },
    },
    {
      101: { node: 'pveA', cores: 8, cpu: 6, memGiB: 40, memUsedGiB: 40 },
      102: { node: 'pveA', cores: 2, cpu: 0.5, memGiB: 12, memUsedGiB: 10 },
      201: { node: 'pveB', cores: 2, cpu: 1, memGiB: 12, memUsedGiB: 10 },
    },
  );

describe('planMigrations CPU threshold on the target', () => {
  it('refuses the best-balancing move when it would leave the target above cpuThreshold', () => {
    const plan = planMigrations(cluster(), { cpuThreshold: 60, memThreshold: 70, maxMigrations: 1 });
    expect(plan.recommendations.map((move) => move.vmid)).toEqual([102]);
  });

  it('makes that move once the CPU threshold allows it', () => {
    const plan = planMigrations(cluster(), { cpuThreshold: 75, memThreshold: 70, maxMigrations: 1 });
    expect(plan.recommendations.map((move) => `${move.vmid}:${move.targetNode}`)).toEqual(['101:pveB']);
  });
});
