import type { ClusterSnapshot, GuestSnapshot, HaRule, MigrationRecommendation } from '@ballast/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  GiB,
  localStorage,
  makeCluster,
  makeGuest,
  makeNode,
  sharedStorage,
} from './__fixtures__/build-cluster';
import { type MigrationValidationOptions, validateMigrationAdvice } from './validate-migration-advice';

// ---------------------------------------------------------------------------------------------
// An independent checker: what must hold for any accepted set, written without the validator's
// data structures (plain loops over the snapshot).
// ---------------------------------------------------------------------------------------------

function violations(
  snapshot: ClusterSnapshot,
  accepted: readonly MigrationRecommendation[],
  options: MigrationValidationOptions,
): string[] {
  const problems: string[] = [];
  const ratio = options.maxMemoryRatio ?? 0.9;
  const guestOf = (vmid: number) => snapshot.guests.find((guest) => guest.vmid === vmid);
  const nodeOf = (name: string) => snapshot.nodes.find((node) => node.name === name);
  const seen = new Set<number>();
  const final = new Map<number, string>(snapshot.guests.map((guest) => [guest.vmid, guest.node]));

  for (const move of accepted) {
    const guest = guestOf(move.vmid);
    const target = nodeOf(move.targetNode);
    if (seen.has(move.vmid)) problems.push(`${move.vmid} moved twice`);
    seen.add(move.vmid);
    if (guest === undefined || target === undefined) {
      problems.push(`${move.vmid} → ${move.targetNode}: unknown guest or node`);
      continue;
    }
    const where = `${move.vmid} → ${move.targetNode}`;
    if (move.sourceNode !== guest.node) problems.push(`${where}: wrong source`);
    if (move.targetNode === guest.node) problems.push(`${where}: self move`);
    if (target.status !== 'online') problems.push(`${where}: target not online`);
    if (
      target.maintenance ||
      snapshot.constraints.maintenanceNodes.some((entry) => entry.node === target.name)
    ) {
      problems.push(`${where}: target in maintenance`);
    }
    if (snapshot.constraints.ignoredGuests.some((entry) => entry.vmid === guest.vmid))
      problems.push(`${where}: ignored`);
    if (guest.template) problems.push(`${where}: template`);
    if (guest.lock) problems.push(`${where}: locked`);
    if (guest.haManaged && !options.allowHaManaged) problems.push(`${where}: HA-managed`);
    if (guest.localDisks.length > 0 && !options.allowLocalDisks) problems.push(`${where}: local disks`);
    for (const pin of snapshot.constraints.pins) {
      if (pin.vmid !== guest.vmid) continue;
      if ((pin.strict || options.enforceNonStrictPins !== false) && !pin.nodes.includes(move.targetNode)) {
        problems.push(`${where}: pinned elsewhere`);
      }
    }
    for (const storage of guest.storages) {
      const present = snapshot.storages.some(
        (entry) => entry.node === move.targetNode && entry.id === storage && entry.status !== 'unknown',
      );
      if (!present) problems.push(`${where}: storage ${storage} missing`);
    }
    if (move.confidence !== undefined && !(move.confidence >= 0 && move.confidence <= 1)) {
      problems.push(`${where}: confidence`);
    }
    if (move.riskScore !== undefined && !(move.riskScore >= 0 && move.riskScore <= 100))
      problems.push(`${where}: risk`);
    if (!['low', 'medium', 'high', 'critical'].includes(move.priority)) problems.push(`${where}: priority`);
    final.set(move.vmid, move.targetNode);
  }

  for (const group of snapshot.constraints.antiAffinityGroups) {
    const members = group.members.filter((vmid) => final.has(vmid));
    for (const move of accepted) {
      if (!members.includes(move.vmid)) continue;
      const clash = members.find((other) => other !== move.vmid && final.get(other) === move.targetNode);
      if (clash !== undefined)
        problems.push(`${move.vmid} shares ${move.targetNode} with ${clash} (${group.id})`);
    }
  }
  for (const group of snapshot.constraints.affinityGroups) {
    const members = group.members.filter((vmid) => final.has(vmid));
    const before = new Set(members.map((vmid) => guestOf(vmid)!.node)).size;
    const after = new Set(members.map((vmid) => final.get(vmid))).size;
    if (after > before) problems.push(`${group.id} spread from ${before} to ${after} nodes`);
  }

  const running = (guest: GuestSnapshot) => guest.status === 'running' || guest.status === 'paused';
  for (const node of snapshot.nodes) {
    if (!accepted.some((move) => move.targetNode === node.name)) continue;
    let memory = node.memory.usedBytes;
    let cpu = node.cpu.usageCores;
    for (const move of accepted) {
      const guest = guestOf(move.vmid)!;
      if (!running(guest)) continue;
      if (move.sourceNode === node.name) {
        memory -= guest.memory.usedBytes;
        cpu -= guest.cpu.usageCores;
      }
      if (move.targetNode === node.name) {
        memory += options.memoryBasis === 'used' ? guest.memory.usedBytes : guest.memory.maxBytes;
        cpu += guest.cpu.usageCores;
      }
    }
    if (memory > ratio * node.memory.totalBytes + 1)
      problems.push(`${node.name} memory ${memory} over the limit`);
    if (options.maxCpuRatio !== undefined && cpu > options.maxCpuRatio * node.cpu.cores + 1e-9) {
      problems.push(`${node.name} cpu ${cpu} over the limit`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Random clusters and random (mostly wrong) advice.
// ---------------------------------------------------------------------------------------------

const tagPool = [
  'plb_anti_affinity_a',
  'exclude_b',
  'plb_affinity_c',
  'affinity_d',
  'plb_pin_n0',
  'plb_pin_n1',
  'ignore',
  'plb_ignore_backup',
];

const nodeArbitrary = fc.record({
  status: fc.oneof(
    { weight: 8, arbitrary: fc.constant('online') },
    { weight: 1, arbitrary: fc.constant('offline') },
    { weight: 1, arbitrary: fc.constant('unknown') },
  ),
  maintenance: fc.integer({ min: 0, max: 9 }).map((value) => value === 0),
  memoryGiB: fc.integer({ min: 16, max: 128 }),
  usedPercent: fc.integer({ min: 0, max: 85 }),
  cores: fc.integer({ min: 4, max: 32 }),
  cpuPercent: fc.integer({ min: 0, max: 60 }),
});

const guestArbitrary = (nodeCount: number) =>
  fc.record({
    node: fc.integer({ min: 0, max: nodeCount - 1 }),
    kind: fc.constantFrom('vm' as const, 'ct' as const),
    running: fc.integer({ min: 0, max: 3 }).map((value) => value > 0),
    template: fc.integer({ min: 0, max: 19 }).map((value) => value === 0),
    locked: fc.integer({ min: 0, max: 29 }).map((value) => value === 0),
    haManaged: fc.integer({ min: 0, max: 9 }).map((value) => value === 0),
    tags: fc.oneof(
      { weight: 2, arbitrary: fc.constant<string[]>([]) },
      { weight: 3, arbitrary: fc.subarray(tagPool.slice(0, 4), { maxLength: 2 }) },
      { weight: 1, arbitrary: fc.subarray(tagPool, { maxLength: 2 }) },
    ),
    maxGiB: fc.integer({ min: 1, max: 12 }),
    usedPercent: fc.integer({ min: 0, max: 100 }),
    cpuUsage: fc.integer({ min: 0, max: 800 }).map((value) => value / 100),
    storages: fc.oneof(
      { weight: 6, arbitrary: fc.constant<string[]>(['ceph']) },
      { weight: 2, arbitrary: fc.constant<string[]>(['ceph', 'nfs']) },
      { weight: 2, arbitrary: fc.constant<string[]>(['ceph', 'local-lvm']) },
    ),
  });

const clusterArbitrary = fc
  .record({
    nodes: fc.array(nodeArbitrary, { minLength: 3, maxLength: 6 }),
    nfsMask: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
  })
  .chain(({ nodes, nfsMask }) =>
    fc.record({
      nodes: fc.constant(nodes),
      nfsMask: fc.constant(nfsMask),
      guests: fc.array(guestArbitrary(nodes.length), { minLength: 5, maxLength: 30 }),
      haRules: fc.array(
        fc.record({
          type: fc.constantFrom('node-affinity' as const, 'resource-affinity' as const),
          affinity: fc.constantFrom('positive' as const, 'negative' as const),
          resources: fc.subarray([100, 101, 102, 103, 104, 105, 106, 107], { minLength: 1, maxLength: 3 }),
          nodes: fc.subarray([0, 1, 2, 3, 4, 5], { minLength: 1, maxLength: 3 }),
          strict: fc.boolean(),
        }),
        { maxLength: 3 },
      ),
    }),
  )
  .map(({ nodes, nfsMask, guests, haRules }) => {
    const names = nodes.map((_, index) => `n${index}`);
    const snapshotNodes = nodes.map((node, index) =>
      makeNode(names[index]!, {
        status: node.status as 'online' | 'offline' | 'unknown',
        maintenance: node.maintenance,
        cpu: { cores: node.cores, usageCores: (node.cores * node.cpuPercent) / 100 },
        memory: {
          totalBytes: node.memoryGiB * GiB,
          usedBytes: Math.floor((node.memoryGiB * GiB * node.usedPercent) / 100),
        },
      }),
    );
    const snapshotGuests = guests.map((guest, index) => {
      const node = names[guest.node]!;
      const usedBytes = Math.floor((guest.maxGiB * GiB * guest.usedPercent) / 100);
      return makeGuest(100 + index, node, {
        kind: guest.kind,
        status: guest.running ? 'running' : 'stopped',
        template: guest.template,
        ...(guest.locked ? { lock: 'backup' } : {}),
        haManaged: guest.haManaged,
        tags: guest.tags,
        memory: { maxBytes: guest.maxGiB * GiB, usedBytes },
        cpu: { cores: 8, usageCores: guest.cpuUsage },
        storages: guest.storages,
        localDisks: guest.storages.includes('local-lvm')
          ? [{ volumeId: `local-lvm:vm-${100 + index}-disk-0`, storage: 'local-lvm', sizeBytes: 8 * GiB }]
          : [],
      });
    });
    const rules: HaRule[] = haRules.map((rule, index) => ({
      id: `rule-${index}`,
      type: rule.type,
      affinity: rule.affinity,
      resources: rule.resources,
      nodes: rule.nodes.filter((node) => node < names.length).map((node) => ({ node: `n${node}` })),
      strict: rule.strict,
      disabled: false,
    }));
    const storages = [
      ...sharedStorage('ceph', names),
      ...sharedStorage(
        'nfs',
        names.filter((_, index) => nfsMask[index]),
      ),
      ...localStorage('local-lvm', names),
    ];
    return makeCluster({ nodes: snapshotNodes, guests: snapshotGuests, storages, haRules: rules });
  });

const adviceArbitrary = (snapshot: ClusterSnapshot) => {
  const names = snapshot.nodes.map((node) => node.name);
  const elsewhere = (vmid: number) => {
    const home = snapshot.guests.find((guest) => guest.vmid === vmid)?.node;
    const others = names.filter((name) => name !== home);
    return others.length > 0 ? others : names;
  };
  const itemArbitrary = (vmid: number) =>
    fc
      .record({
        vmidAsString: fc.boolean(),
        sourceIsReal: fc.integer({ min: 0, max: 9 }).map((value) => value > 0),
        otherSource: fc.constantFrom(...names),
        target: fc.oneof(
          { weight: 16, arbitrary: fc.constantFrom(...elsewhere(vmid)) },
          { weight: 3, arbitrary: fc.constantFrom(...names) },
          { weight: 1, arbitrary: fc.constant('ghost') },
        ),
        priority: fc.oneof(
          { weight: 12, arbitrary: fc.constantFrom('low', 'medium', 'HIGH', 'critical', 'high') },
          { weight: 1, arbitrary: fc.constant('urgent') },
        ),
        confidence: fc.option(
          fc.oneof(
            { weight: 9, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }) },
            { weight: 1, arbitrary: fc.double({ min: -0.5, max: 1.5, noNaN: true }) },
          ),
          { nil: undefined },
        ),
        risk: fc.option(
          fc.oneof(
            { weight: 9, arbitrary: fc.integer({ min: 0, max: 100 }) },
            { weight: 1, arbitrary: fc.integer({ min: -10, max: 120 }) },
          ),
          { nil: undefined },
        ),
      })
      .map((draft) => {
        const guest = snapshot.guests.find((entry) => entry.vmid === vmid);
        return {
          vmid: draft.vmidAsString ? String(vmid) : vmid,
          source_node: draft.sourceIsReal && guest ? guest.node : draft.otherSource,
          target_node: draft.target,
          priority: draft.priority,
          reasoning: 'random',
          ...(draft.confidence === undefined ? {} : { confidence: draft.confidence }),
          ...(draft.risk === undefined ? {} : { risk_score: draft.risk }),
        };
      });
  // Mostly one item per guest, in random order, plus a few repeats and unknown guests.
  const vmids = snapshot.guests.map((guest) => guest.vmid);
  return fc
    .tuple(
      fc.shuffledSubarray(vmids),
      fc.array(fc.constantFrom(...vmids, 999), { maxLength: 3 }),
      fc.integer({ min: 0, max: 40 }),
    )
    .chain(([unique, extra, at]) => {
      const order = [...unique];
      for (const vmid of extra) order.splice(at % (order.length + 1), 0, vmid);
      return fc.tuple(...order.map(itemArbitrary));
    });
};

const optionsArbitrary: fc.Arbitrary<MigrationValidationOptions> = fc.record(
  {
    maxMemoryRatio: fc.double({ min: 0.5, max: 1, noNaN: true }),
    maxCpuRatio: fc.double({ min: 0.3, max: 1, noNaN: true }),
    memoryBasis: fc.constantFrom('max' as const, 'used' as const),
    allowLocalDisks: fc.boolean(),
    allowHaManaged: fc.boolean(),
    enforceNonStrictPins: fc.boolean(),
  },
  { requiredKeys: [] },
);

describe('validateMigrationAdvice properties', () => {
  it('never accepts a move that breaks a constraint', () => {
    fc.assert(
      fc.property(
        clusterArbitrary.chain((snapshot) =>
          fc.tuple(fc.constant(snapshot), adviceArbitrary(snapshot), optionsArbitrary),
        ),
        ([snapshot, recommendations, options]) => {
          const result = validateMigrationAdvice(snapshot, { recommendations }, options);
          expect(violations(snapshot, result.accepted, options)).toEqual([]);
          expect(result.accepted.length + result.rejected.length).toBe(recommendations.length);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('accepts every move of a feasible plan, in any order', () => {
    // Ten roomy nodes. Anti-affinity members start on distinct nodes n0..n4 and move to distinct
    // fresh nodes n5..n9; affinity groups move as a whole; plain guests may be pinned (tag or HA
    // rule) to their current and target nodes.
    const planArbitrary = fc
      .record({
        antiGroups: fc.array(fc.array(fc.boolean(), { minLength: 2, maxLength: 5 }), { maxLength: 3 }),
        affinityGroups: fc.array(
          fc.record({
            size: fc.integer({ min: 2, max: 4 }),
            home: fc.integer({ min: 0, max: 4 }),
            target: fc.option(fc.integer({ min: 5, max: 9 }), { nil: undefined }),
          }),
          { maxLength: 3 },
        ),
        plain: fc.array(
          fc.record({
            home: fc.integer({ min: 0, max: 9 }),
            shift: fc.option(fc.integer({ min: 1, max: 9 }), { nil: undefined }),
            pin: fc.constantFrom('none', 'tag', 'ha-rule'),
          }),
          { maxLength: 20 },
        ),
      })
      .chain((plan) => {
        const guests: GuestSnapshot[] = [];
        const moves: Array<Record<string, unknown>> = [];
        const rules: HaRule[] = [];
        let vmid = 100;
        const add = (home: number, target: number | undefined, tags: string[]) => {
          const guest = makeGuest(vmid++, `n${home}`, {
            tags,
            memory: { maxBytes: 2 * GiB, usedBytes: GiB },
          });
          guests.push(guest);
          if (target !== undefined && target !== home) {
            moves.push({
              vmid: guest.vmid,
              source_node: guest.node,
              target_node: `n${target}`,
              priority: 'medium',
              reasoning: 'plan',
            });
          }
          return guest;
        };
        plan.antiGroups.forEach((members, group) => {
          members.forEach((moves, index) => {
            add(index, moves ? 5 + index : undefined, [`plb_anti_affinity_g${group}`]);
          });
        });
        plan.affinityGroups.forEach((group, index) => {
          for (let member = 0; member < group.size; member++)
            add(group.home, group.target, [`affinity_k${index}`]);
        });
        for (const entry of plan.plain) {
          const target = entry.shift === undefined ? undefined : (entry.home + entry.shift) % 10;
          const pinNodes = [entry.home, target ?? entry.home];
          const tags = entry.pin === 'tag' ? pinNodes.map((node) => `plb_pin_n${node}`) : [];
          const guest = add(entry.home, target, tags);
          if (entry.pin === 'ha-rule') {
            rules.push({
              id: `pin-${guest.vmid}`,
              type: 'node-affinity',
              resources: [guest.vmid],
              nodes: pinNodes.map((node) => ({ node: `n${node}` })),
              strict: true,
              disabled: false,
            });
          }
        }
        const nodes = Array.from({ length: 10 }, (_, index) =>
          makeNode(`n${index}`, { memory: { totalBytes: 1024 * GiB, usedBytes: 64 * GiB } }),
        );
        const snapshot = makeCluster({ nodes, guests, haRules: rules });
        return fc.tuple(fc.constant(snapshot), fc.shuffledSubarray(moves, { minLength: moves.length }));
      });

    fc.assert(
      fc.property(planArbitrary, ([snapshot, moves]) => {
        const result = validateMigrationAdvice(snapshot, { recommendations: moves });
        expect(result.rejected).toEqual([]);
        expect(result.accepted.map((move) => move.vmid)).toEqual(moves.map((move) => move.vmid));
      }),
      { numRuns: 150 },
    );
  });
});
