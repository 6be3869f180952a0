import { describe, expect, it } from 'vitest';
import { GiB, makeCluster, storage } from './__fixtures__/snapshots';
import { planMigrations } from './plan-migrations';

const moves = (plan: ReturnType<typeof planMigrations>) =>
  plan.recommendations.map((move) => `${move.vmid}:${move.sourceNode}>${move.targetNode}`);

/** `count` 32-core/128 GiB nodes, each with eight 8 GiB guests using `memUsed` GiB and `cpu` cores. */
function evenCluster(count: number, memUsed: number, cpu: number) {
  const nodes = Object.fromEntries(
    Array.from({ length: count }, (_, index) => [
      `n${String(index + 1).padStart(2, '0')}`,
      { cores: 32, memGiB: 128 },
    ]),
  );
  const guests: Record<number, Parameters<typeof makeCluster>[1][number]> = {};
  let vmid = 100;
  for (const name of Object.keys(nodes)) {
    for (let slot = 0; slot < 8; slot++)
      guests[vmid++] = { node: name, cores: 4, cpu, memGiB: 8, memUsedGiB: memUsed };
  }
  return makeCluster(nodes, guests);
}

describe('planMigrations triggers that see single nodes', () => {
  it('relieves one hot node of a 37-node cluster although the normalised imbalance is below the target', () => {
    const snapshot = evenCluster(37, 7, 1.5); // every node at 44 % memory, 38 % CPU
    const hot = snapshot.nodes[0]!;
    hot.memory.usedBytes = 0.95 * hot.memory.totalBytes; // one node at 95 % memory
    const plan = planMigrations(snapshot);
    expect(plan.summary.imbalanceBefore).toBeLessThan(0.05);
    expect(plan.recommendations.length).toBeGreaterThan(0);
    expect(plan.recommendations.every((move) => move.sourceNode === 'n01')).toBe(true);
    expect(plan.recommendations[0]!.priority).toBe('high');
    const after = plan.nodeLoads.after.find((load) => load.node === 'n01')!;
    expect(after.memory).toBeLessThan(0.95);
  });

  it('relieves a node above the thresholds on a small cluster even when the gain is below minGain', () => {
    const snapshot = evenCluster(5, 7, 1.5);
    snapshot.nodes[2]!.cpu.usageCores = 30; // 94 % CPU
    const plan = planMigrations(snapshot, { minGain: 0.5 });
    expect(plan.recommendations.length).toBeGreaterThan(0);
    expect(plan.recommendations[0]!.sourceNode).toBe('n03');
  });

  it('names the real stop cause: thresholds, no feasible target, cap', () => {
    // Every target would pass the 60 % CPU threshold; without relief the cause is the threshold.
    const snapshot = makeCluster(
      {
        a: { cores: 4, memGiB: 64, baseCpu: 3.5 },
        b: { cores: 4, memGiB: 64, baseCpu: 2.2 },
        c: { cores: 4, memGiB: 64, baseCpu: 2.2 },
      },
      { 101: { node: 'a', cores: 2, cpu: 0.5, memGiB: 8, memUsedGiB: 6 } },
    );
    expect(planMigrations(snapshot, { reliefAboveThresholds: false }).summary.stopReason).toBe('thresholds');
    // A guest pinned to its own node has nowhere to go.
    const pinned = makeCluster(
      { a: { cores: 16, memGiB: 64 }, b: { cores: 16, memGiB: 64 } },
      { 101: { node: 'a', memUsedGiB: 16 }, 102: { node: 'a', memUsedGiB: 16 } },
    );
    for (const vmid of [101, 102]) {
      pinned.constraints.pins.push({ vmid, nodes: ['a'], strict: true, origin: { kind: 'config' } });
    }
    expect(planMigrations(pinned).summary.stopReason).toBe('no-feasible-target');
    const capped = makeCluster(
      { a: { cores: 16, memGiB: 64 }, b: { cores: 16, memGiB: 64 } },
      { 101: { node: 'a', memUsedGiB: 16 }, 102: { node: 'a', memUsedGiB: 16 } },
    );
    expect(planMigrations(capped, { maxMigrations: 0 }).summary.stopReason).toBe('cap');
  });
});

describe('planMigrations evacuation phase', () => {
  it('evacuates every movable guest outside maxMigrations and the thresholds', () => {
    const guests = Object.fromEntries(
      Array.from({ length: 6 }, (_, index) => [101 + index, { node: 'a', memGiB: 8, memUsedGiB: 6, cpu: 2 }]),
    );
    const snapshot = makeCluster(
      {
        a: { cores: 16, memGiB: 64, maintenance: true },
        b: { cores: 16, memGiB: 64, baseMemGiB: 30 },
        c: { cores: 16, memGiB: 64, baseMemGiB: 30 },
      },
      guests,
    );
    const plan = planMigrations(snapshot, { maxMigrations: 1 });
    expect(plan.recommendations.filter((move) => move.kind === 'evacuation')).toHaveLength(6);
    expect(plan.unplaced).toEqual([]);
    expect(plan.summary.evacuations).toBe(6);
  });

  it('lists guests left on a node in maintenance with the reason: local disks, pins, capacity', () => {
    const snapshot = makeCluster(
      { a: { cores: 16, memGiB: 64, maintenance: true }, b: { cores: 16, memGiB: 64 } },
      {
        101: { node: 'a', storages: ['local-lvm'], localDiskGiB: 40 },
        102: { node: 'a', storages: ['ceph'] },
        103: { node: 'a', storages: ['ceph'], memGiB: 80 },
        104: { node: 'a', storages: ['ceph'] },
      },
      {
        storages: [storage('ceph', 'a', true), storage('ceph', 'b', true), storage('local-lvm', 'a', false)],
      },
    );
    snapshot.constraints.pins.push({ vmid: 102, nodes: ['a'], strict: true, origin: { kind: 'config' } });
    const plan = planMigrations(snapshot);
    expect(moves(plan)).toEqual(['104:a>b']);
    expect(plan.unplaced).toEqual([
      { vmid: 101, reason: expect.stringContaining('local disk') },
      { vmid: 102, reason: expect.stringContaining('pinned to a') },
      { vmid: 103, reason: expect.stringContaining('no capacity') },
    ]);
    // With local disks allowed but no local-lvm on b: no path.
    const withDisks = planMigrations(snapshot, { allowLocalDisks: true });
    expect(withDisks.unplaced.find((entry) => entry.vmid === 101)?.reason).toMatch(/storage|local disks/);
    expect(GiB).toBeGreaterThan(0);
  });
});
