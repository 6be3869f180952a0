import { describe, expect, it } from 'vitest';
import {
  crsScenarios,
  emptyConstraints,
  GiB,
  HOUR,
  hourly,
  makeCluster,
  storage,
  T0,
} from './__fixtures__/snapshots';
import { applyMigrations } from './apply-migrations';
import { planCrsBruteForce } from './baselines/crs-bruteforce';
import { computeImbalance } from './imbalance';
import { planMigrations } from './plan-migrations';

const moves = (plan: ReturnType<typeof planMigrations>) =>
  plan.recommendations.map((move) => `${move.vmid}:${move.sourceNode}>${move.targetNode}`);

/** Two 16-core/64 GiB nodes, `a` loaded with equal guests, `b` empty. */
function twoNodes(guests: Record<number, Parameters<typeof makeCluster>[1][number]>, extras = {}) {
  return makeCluster({ a: { cores: 16, memGiB: 64 }, b: { cores: 16, memGiB: 64 } }, guests, extras);
}

// Scenarios re-expressed from proxmox/pve-ha-manager src/test/test-crs-{dynamic,static}-auto-rebalance{1,2}.
describe('planMigrations on the PVE CRS auto-rebalance scenarios', () => {
  it.each([
    ['dynamic-auto-rebalance1 (no move helps)', crsScenarios.dynamicSingle, [] as string[], [Math.SQRT2]],
    [
      'dynamic-auto-rebalance2',
      crsScenarios.dynamicFour,
      ['101:node1>node2', '102:node1>node3'],
      [Math.SQRT2, 0.9354, 0.3536],
    ],
    [
      'static-auto-rebalance2',
      crsScenarios.staticFour,
      ['101:node1>node2', '102:node1>node3'],
      [Math.SQRT2, 0.9354, 0.3536],
    ],
  ])('%s', (_name, build, expectedMoves, rawCvs) => {
    const snapshot = build();
    const plan = planMigrations(snapshot, { memThreshold: 100, cpuThreshold: 100, memoryReservePercent: 0 });
    const crs = planCrsBruteForce(snapshot);
    expect(moves(plan)).toEqual(expectedMoves);
    expect(crs.moves.map((move) => `${move.vmid}:${move.sourceNode}>${move.targetNode}`)).toEqual(
      expectedMoves,
    );
    // Raw CV along the way, as the simulator logs print it.
    const sqrt2 = Math.SQRT2;
    expect(plan.curve.map((point) => point.imbalance * sqrt2)).toEqual(
      rawCvs.map((value) => expect.closeTo(value, 3)),
    );
    expect(plan.summary.imbalanceAfter).toBeLessThanOrEqual(crs.imbalanceAfter + 1e-12);
    expect(plan.summary.migrations).toBeLessThanOrEqual(crs.migrations);
    expect(plan.summary.cvAfter).toBeCloseTo(rawCvs[rawCvs.length - 1]!, 3);
  });

  it('with default headroom thresholds the static scenario still reaches 0.35', () => {
    const plan = planMigrations(crsScenarios.staticFour());
    expect(plan.summary.cvAfter).toBeCloseTo(0.3536, 3);
    expect(plan.recommendations[0]).toMatchObject({
      vmid: 101,
      name: 'vm101',
      type: 'vm',
      sourceNode: 'node1',
      targetNode: 'node2',
      priority: 'high',
      source: 'rule',
      kind: 'balance',
      withLocalDisks: false,
      step: 1,
    });
    expect(plan.recommendations[0]!.reasoning).toContain('node1 memory 100 % → 75 %');
    expect(plan.recommendations[0]!.reasoning).toContain('cluster imbalance 1.00 → 0.66');
    expect(plan.recommendations[0]!.imbalanceDelta).toBeLessThan(0);
  });
});

describe('planMigrations constraints', () => {
  const fourOnA = (extra: Record<number, object> = {}) => ({
    101: { node: 'a', memUsedGiB: 8 },
    102: { node: 'a', memUsedGiB: 8 },
    103: { node: 'a', memUsedGiB: 8 },
    104: { node: 'a', memUsedGiB: 8 },
    ...extra,
  });

  it('never moves ignored, template, locked, stopped or (optionally) HA-managed guests', () => {
    const snapshot = twoNodes({
      101: { node: 'a', memUsedGiB: 8, lock: 'backup' },
      102: { node: 'a', memUsedGiB: 8, haManaged: true },
      103: { node: 'a', memUsedGiB: 8 },
      104: { node: 'a', memUsedGiB: 8, status: 'stopped' },
      105: { node: 'a', memUsedGiB: 8, template: true, status: 'stopped' },
    });
    snapshot.constraints.ignoredGuests.push({ vmid: 103, origin: { kind: 'config' } });
    const plan = planMigrations(snapshot, { includeHaManaged: false });
    expect(plan.recommendations).toEqual([]);
    expect(plan.skipped.map((entry) => entry.vmid)).toEqual([101, 102, 103, 104, 105]);
    expect(plan.summary.stopReason).toBe('nothing-movable');
    const withHa = planMigrations(snapshot);
    expect(moves(withHa)).toEqual(['102:a>b']);
    expect(withHa.recommendations[0]!.riskScore).toBeGreaterThanOrEqual(10);
  });

  it('respects strict pins and strict anti-affinity', () => {
    const snapshot = makeCluster(
      { a: { cores: 16, memGiB: 64 }, b: { cores: 16, memGiB: 64 }, c: { cores: 16, memGiB: 64 } },
      fourOnA({ 105: { node: 'b', memUsedGiB: 2 } }),
    );
    snapshot.constraints.pins.push({ vmid: 101, nodes: ['a'], strict: true, origin: { kind: 'config' } });
    snapshot.constraints.antiAffinityGroups.push({
      id: 'x',
      name: 'db',
      members: [102, 105],
      strict: true,
      origin: { kind: 'config' },
    });
    const plan = planMigrations(snapshot, { minGain: 0.01 });
    expect(plan.recommendations.length).toBeGreaterThan(0);
    for (const move of plan.recommendations) {
      expect(move.vmid).not.toBe(101);
      if (move.vmid === 102) expect(move.targetNode).not.toBe('b');
    }
  });

  it('moves an affinity bundle as one and only when it is stationary', () => {
    const snapshot = makeCluster(
      { a: { cores: 16, memGiB: 64 }, b: { cores: 16, memGiB: 64 } },
      {
        101: { node: 'a', memUsedGiB: 6 },
        102: { node: 'a', memUsedGiB: 6 },
        103: { node: 'a', memUsedGiB: 6 },
        104: { node: 'a', memUsedGiB: 6 },
      },
    );
    snapshot.constraints.affinityGroups.push({
      id: 'web',
      name: 'web',
      members: [101, 102],
      strict: true,
      origin: { kind: 'config' },
    });
    const plan = planMigrations(snapshot, { minGain: 0.01 });
    const bundled = plan.recommendations.filter((move) => move.vmid === 101 || move.vmid === 102);
    expect(bundled).toHaveLength(2);
    expect(bundled[0]!.step).toBe(bundled[1]!.step);
    expect(bundled[0]!.targetNode).toBe(bundled[1]!.targetNode);
    expect(bundled[0]!.bundle).toEqual({ id: 'bundle:101+102', members: [101, 102], groups: ['web'] });
    expect(bundled[0]!.reasoning).toContain('Moves together with 102 (affinity group web)');
    expect(computeImbalance(applyMigrations(snapshot, plan.recommendations)).normalized).toBeCloseTo(0, 10);

    // Split bundle: frozen.
    snapshot.guests.find((guest) => guest.vmid === 102)!.node = 'b';
    const split = planMigrations(snapshot, { minGain: 0.01 });
    expect(split.recommendations.some((move) => move.vmid === 101 || move.vmid === 102)).toBe(false);
    expect(split.skipped.find((entry) => entry.vmid === 101)?.reason).toContain('split');
  });

  it('evacuates nodes in maintenance first and never targets them or offline nodes', () => {
    const snapshot = makeCluster(
      {
        a: { cores: 16, memGiB: 64, maintenance: true },
        b: { cores: 16, memGiB: 64 },
        c: { cores: 16, memGiB: 64 },
        d: { cores: 16, memGiB: 64, status: 'offline' },
        e: { cores: 16, memGiB: 64 },
      },
      {
        101: { node: 'a', memGiB: 16, memUsedGiB: 12 },
        102: { node: 'a', memGiB: 8, memUsedGiB: 4 },
        103: { node: 'b', memUsedGiB: 8 },
        104: { node: 'd', memUsedGiB: 8 },
      },
    );
    snapshot.constraints.maintenanceNodes.push({ node: 'e', origin: { kind: 'config' } });
    const plan = planMigrations(snapshot);
    expect(plan.recommendations.slice(0, 2)).toMatchObject([
      { vmid: 101, kind: 'evacuation', priority: 'critical', targetNode: 'c' },
      { vmid: 102, kind: 'evacuation', priority: 'critical' },
    ]);
    expect(plan.recommendations[0]!.reasoning).toMatch(/^a is in maintenance: evacuate\./);
    for (const move of plan.recommendations) expect(['b', 'c']).toContain(move.targetNode);
    expect(plan.skipped.find((entry) => entry.vmid === 104)?.reason).toContain('offline');
    expect(plan.summary.evacuations).toBe(2);
  });

  it('evacuates under hard capacity only and reports guests that cannot be evacuated', () => {
    const snapshot = makeCluster(
      { a: { cores: 16, memGiB: 64, maintenance: true }, b: { cores: 16, memGiB: 64, baseMemGiB: 44 } },
      { 101: { node: 'a', memGiB: 16, memUsedGiB: 12 } },
    );
    // b ends at 88 % memory, above the 70 % threshold but within the 95 % hard fit: evacuated.
    const plan = planMigrations(snapshot);
    expect(moves(plan)).toEqual(['101:a>b']);
    expect(plan.unplaced).toEqual([]);
    const full = makeCluster(
      { a: { cores: 16, memGiB: 64, maintenance: true }, b: { cores: 16, memGiB: 64, baseMemGiB: 52 } },
      { 101: { node: 'a', memGiB: 16, memUsedGiB: 12 } },
    );
    expect(planMigrations(full).unplaced).toEqual([
      { vmid: 101, reason: expect.stringContaining('no capacity') },
    ]);
  });

  it('keeps every target within the headroom thresholds and the maxmem fit', () => {
    const snapshot = twoNodes(
      fourOnA({ 105: { node: 'a', memUsedGiB: 8 }, 106: { node: 'a', memUsedGiB: 8 } }),
      {},
    );
    snapshot.nodes[1]!.memory.usedBytes = 30 * GiB; // b at 47 %: one 8 GiB guest → 59 %, a second → 72 %
    const plan = planMigrations(snapshot, { minGain: 0.01, reliefAboveThresholds: false });
    expect(moves(plan)).toEqual(['101:a>b']);
    expect(moves(planMigrations(snapshot, { minGain: 0.01, memThreshold: 100 }))).toHaveLength(2);
    const tight = planMigrations(snapshot, { minGain: 0.01, memThreshold: 55, reliefAboveThresholds: false });
    expect(tight.recommendations).toEqual([]);
    expect(tight.summary.stopReason).toBe('thresholds');
    const reserve = planMigrations(snapshot, {
      reliefAboveThresholds: false,
      minGain: 0.01,
      memThreshold: 100,
      memoryReserveBytes: 23 * GiB,
    });
    expect(reserve.recommendations).toEqual([]);
  });

  it('checks storage availability and local disks', () => {
    const guests = {
      101: { node: 'a', memUsedGiB: 8, storages: ['ceph'] },
      102: { node: 'a', memUsedGiB: 8, storages: ['local-lvm'], localDiskGiB: 40 },
      103: { node: 'a', memUsedGiB: 8, storages: ['nfs'] },
    };
    const storages = [
      storage('ceph', 'a', true),
      storage('ceph', 'b', true),
      storage('local-lvm', 'a', false),
      storage('local-lvm', 'b', false, 100, 90),
      storage('nfs', 'a', true),
    ];
    const snapshot = twoNodes(guests, { storages });
    const plan = planMigrations(snapshot, { minGain: 0.01 });
    expect(moves(plan)).toEqual(['101:a>b']);
    expect(plan.skipped.find((entry) => entry.vmid === 102)?.reason).toContain('local disk');
    // Local disks allowed, but 40 GiB do not fit in the 10 GiB free on b.
    expect(moves(planMigrations(snapshot, { minGain: 0.01, allowLocalDisks: true }))).toEqual(['101:a>b']);
    storages[3] = storage('local-lvm', 'b', false, 100, 0);
    const roomy = planMigrations(twoNodes(guests, { storages }), { minGain: 0.01, allowLocalDisks: true });
    const local = roomy.recommendations.find((move) => move.vmid === 102);
    if (local !== undefined) {
      expect(local.withLocalDisks).toBe(true);
      expect(local.cost).toBeCloseTo(4 + 8 + 4 * 40, 6);
    }
    expect(roomy.recommendations.some((move) => move.vmid === 103)).toBe(false);
  });

  it('prefers a target without another bursty guest', () => {
    const spiky = hourly(48, (hour) => (hour % 8 === 0 ? 3.5 : 0.3));
    const snapshot = makeCluster(
      { a: { cores: 16, memGiB: 64 }, b: { cores: 16, memGiB: 64 }, c: { cores: 16, memGiB: 64 } },
      {
        101: { node: 'a', memUsedGiB: 16, cores: 4, cpu: 0.3, series: { cpuCores: spiky } },
        102: { node: 'a', memUsedGiB: 16 },
        103: { node: 'b', memUsedGiB: 4, cores: 4, cpu: 0.3, series: { cpuCores: spiky } },
        104: { node: 'c', memUsedGiB: 4, cpu: 0.3 },
      },
    );
    const plain = planMigrations(snapshot, { burstyPenalty: 0, maxMigrations: 1, minGain: 0.01 });
    const penalised = planMigrations(snapshot, { maxMigrations: 1, minGain: 0.01 });
    expect(plain.recommendations[0]).toMatchObject({ vmid: 101, targetNode: 'b' });
    expect(penalised.recommendations[0]).toMatchObject({ vmid: 101, targetNode: 'c' });
    expect(penalised.recommendations[0]!.workload).toContain('bursty');
    expect(penalised.recommendations[0]!.reasoning).toContain('Workload: bursty');
  });
});

describe('planMigrations hysteresis', () => {
  const snapshot = () =>
    twoNodes({
      101: { node: 'a', memUsedGiB: 8 },
      102: { node: 'a', memUsedGiB: 8 },
      103: { node: 'b', memUsedGiB: 1 },
    });

  it('skips guests migrated within the cooldown', () => {
    const plan = planMigrations(snapshot(), { recentMigrations: { 101: T0 - HOUR, 102: T0 - 2 * HOUR } });
    expect(plan.recommendations).toEqual([]);
    expect(plan.skipped.find((entry) => entry.vmid === 101)?.reason).toContain('cooldown 6 h');
    const later = planMigrations(snapshot(), { recentMigrations: { 101: T0 - HOUR, 102: T0 - 7 * HOUR } });
    expect(moves(later)).toEqual(['102:a>b']);
    expect(
      moves(planMigrations(snapshot(), { cooldownHours: 0.5, recentMigrations: { 101: T0 - HOUR } })),
    ).toEqual(['101:a>b']);
  });

  it('never sends a guest back where it came from', () => {
    const plan = planMigrations(snapshot(), {
      recentMigrations: {
        101: { at: T0 - 48 * HOUR, fromNode: 'b' },
        102: { at: T0 - 48 * HOUR, fromNode: 'b' },
      },
    });
    expect(plan.recommendations).toEqual([]);
  });

  it('moves each guest at most once and is idempotent on its own result', () => {
    const base = makeCluster(
      { a: { cores: 16, memGiB: 64 }, b: { cores: 16, memGiB: 64 }, c: { cores: 16, memGiB: 64 } },
      Object.fromEntries(
        [...Array(12).keys()].map((index) => [200 + index, { node: 'a', memUsedGiB: 3, cpu: 1 }]),
      ),
    );
    const plan = planMigrations(base, { minGain: 0.01, maxMigrations: 50 });
    const vmids = plan.recommendations.map((move) => move.vmid);
    expect(new Set(vmids).size).toBe(vmids.length);
    const after = applyMigrations(base, plan.recommendations);
    const recentMigrations = Object.fromEntries(
      plan.recommendations.map((move) => [move.vmid, { at: T0, fromNode: move.sourceNode }]),
    );
    expect(planMigrations(after, { recentMigrations }).recommendations).toEqual([]);
  });
});

describe('planMigrations output', () => {
  it('is deterministic and independent of input order', () => {
    const snapshot = crsScenarios.dynamicFour();
    const reversed = {
      ...snapshot,
      nodes: [...snapshot.nodes].reverse(),
      guests: [...snapshot.guests].reverse(),
    };
    expect(planMigrations(reversed)).toEqual(planMigrations(snapshot));
  });

  it('uses trend-blended CPU and suggests the quietest hour when series exist', () => {
    const cpuSeries = hourly(48, (hour) => (new Date(T0 - (47 - hour) * HOUR).getUTCHours() === 3 ? 1 : 8));
    const snapshot = makeCluster(
      {
        a: { cores: 16, memGiB: 64, series: { cpuCores: cpuSeries } },
        b: { cores: 16, memGiB: 64, series: { cpuCores: hourly(48, () => 1) } },
      },
      { 101: { node: 'a', memUsedGiB: 16, cpu: 4 }, 102: { node: 'a', memUsedGiB: 16, cpu: 4 } },
    );
    const plan = planMigrations(snapshot);
    expect(plan.recommendations).toHaveLength(1);
    expect(plan.recommendations[0]!.bestTime).toMatch(/^03:00–04:00 UTC/);
    // Blended: 0.5·8 + 0.3·recent + 0.2·period ≠ current 8 cores.
    expect(plan.nodeLoads.before[0]!.cpu).not.toBeCloseTo(8 / 16, 3);
    expect(plan.nodeLoads.before[0]!.cpu).toBeLessThan(8 / 16);
    const current = planMigrations(snapshot, { loadBasis: 'current' });
    expect(current.nodeLoads.before[0]!.cpu).toBeCloseTo(8 / 16, 10);
  });

  it('summarises the plan and its curve', () => {
    const plan = planMigrations(crsScenarios.dynamicFour());
    expect(plan.summary).toMatchObject({
      migrations: 2,
      evacuations: 0,
      ramGib: 16,
      gibMoved: 16,
      stopReason: 'no-improvement',
    });
    expect(plan.curve.map((point) => point.migrations)).toEqual([0, 1, 2]);
    expect(plan.curve.map((point) => point.gibMoved)).toEqual([0, 8, 16]);
    expect(plan.recommendations[1]!.estimatedImpact).toContain('cluster imbalance 0.66 → 0.25');
    expect(planMigrations(crsScenarios.dynamicFour(), { maxMigrations: 1 }).summary.stopReason).toBe('cap');
    expect(planMigrations(crsScenarios.dynamicFour(), { targetImbalance: 0.7 }).summary).toMatchObject({
      migrations: 1,
      stopReason: 'target-reached',
    });
    expect(emptyConstraints()).toEqual(crsScenarios.dynamicFour().constraints);
  });
});
