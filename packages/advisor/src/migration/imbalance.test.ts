import { describe, expect, it } from 'vitest';
import { crsScenarios, GiB, makeCluster } from './__fixtures__/snapshots';
import { computeImbalance, nodeLoadsFromSnapshot, normalizeWeights } from './imbalance';

// Golden values from the PVE HA simulator scenarios test-crs-{dynamic,static}-auto-rebalance2
// (proxmox/pve-ha-manager): raw CV 1.41 → 0.94 → 0.35 after migrating vm:101 to node2 and vm:102 to node3.
describe('computeImbalance', () => {
  it.each([
    ['dynamic', 1, 4],
    ['static', 2, 8],
  ])('reproduces the CRS %s auto-rebalance log (1.41 → 0.94 → 0.35)', (_label, cpu, mem) => {
    const load = (guests: number) => ({ cpu: (guests * cpu) / 24, memory: (guests * mem) / 32 });
    const steps = [
      [4, 0, 0],
      [3, 1, 0],
      [2, 1, 1],
    ].map((counts) =>
      computeImbalance(counts.map((guests, index) => ({ node: `node${index + 1}`, ...load(guests) }))),
    );
    expect(steps.map((step) => step.cv.toFixed(2))).toEqual(['1.41', '0.94', '0.35']);
    expect(steps[0]!.normalized).toBeCloseTo(1, 10);
    expect(steps[2]!.normalized).toBeCloseTo(0.35355 / Math.SQRT2, 4);
  });

  it('computes the same from a snapshot', () => {
    const imbalance = computeImbalance(crsScenarios.dynamicFour());
    expect(imbalance.cv).toBeCloseTo(Math.SQRT2, 10);
    expect(imbalance.nodeLoads.map((load) => load.node)).toEqual(['node1', 'node2', 'node3']);
    expect(imbalance.nodeLoads[0]!.load).toBeCloseTo((4 / 24 + 16 / 32) / 2, 10);
    expect(imbalance.perResource.memory.max).toBeCloseTo(0.5, 10);
    expect(imbalance.perResource.memory.mean).toBeCloseTo(0.5 / 3, 10);
    expect(imbalance.perResource.cpu.cv).toBeCloseTo(Math.SQRT2, 10);
  });

  it('single guest scenario (dynamic-auto-rebalance1) is at CV 1.41 as well', () => {
    expect(computeImbalance(crsScenarios.dynamicSingle()).cv).toBeCloseTo(Math.SQRT2, 10);
  });

  it('leaves out nodes in maintenance and offline nodes', () => {
    const snapshot = makeCluster(
      {
        a: { cores: 8, memGiB: 32, baseMemGiB: 16 },
        b: { cores: 8, memGiB: 32, baseMemGiB: 16 },
        c: { cores: 8, memGiB: 32, maintenance: true },
        d: { cores: 8, memGiB: 32, status: 'offline' },
      },
      {},
    );
    snapshot.constraints.maintenanceNodes.push({ node: 'b', origin: { kind: 'config' } });
    expect(nodeLoadsFromSnapshot(snapshot).map((load) => load.node)).toEqual(['a']);
    expect(computeImbalance(snapshot).normalized).toBe(0);
  });

  it('is 0 for an idle or single-node cluster and weights are normalised', () => {
    expect(computeImbalance([]).cv).toBe(0);
    expect(computeImbalance([{ node: 'a', cpu: 0, memory: 0 }]).normalized).toBe(0);
    expect(normalizeWeights({ cpu: 1, memory: 3 })).toEqual({ cpu: 0.25, memory: 0.75 });
    expect(normalizeWeights({ cpu: 0, memory: 0 })).toEqual({ cpu: 0.5, memory: 0.5 });
    const memoryOnly = computeImbalance(
      [
        { node: 'a', cpu: 1, memory: 0.5 },
        { node: 'b', cpu: 0, memory: 0.5 },
      ],
      { weights: { cpu: 0, memory: 1 } },
    );
    expect(memoryOnly.cv).toBe(0);
    expect(memoryOnly.perResource.cpu.cv).toBe(1);
    expect(GiB).toBe(2 ** 30);
  });
});
