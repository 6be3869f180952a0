/**
 * A fast-check generator of small clusters with every kind of constraint, strict and not: HA
 * node-affinity pins (strict and non-strict), anti-affinity and affinity groups (strict and not),
 * maintenance and offline nodes, stopped / paused / locked / ignored / HA-managed guests, local disks.
 */
import type { ClusterSnapshot } from '@ballast/core';
import fc from 'fast-check';
import { makeCluster, storage, T0 } from './snapshots';

const nodeNames = ['n1', 'n2', 'n3', 'n4', 'n5', 'n6'];

/** A generated cluster with the recent migrations to feed the planner's hysteresis. */
export interface GeneratedCluster {
  snapshot: ClusterSnapshot;
  recent: Record<number, { at: number; fromNode: string }>;
}

export const constrainedClusterArbitrary: fc.Arbitrary<GeneratedCluster> = fc
  .record({
    nodes: fc.array(
      fc.record({
        cores: fc.constantFrom(4, 8, 16, 32),
        memGiB: fc.constantFrom(16, 32, 64, 128),
        state: fc.constantFrom('online', 'online', 'online', 'online', 'maintenance', 'offline'),
        baseCpu: fc.double({ min: 0, max: 2, noNaN: true }),
      }),
      { minLength: 2, maxLength: 6 },
    ),
    guests: fc.array(
      fc.record({
        node: fc.nat(5),
        cores: fc.constantFrom(1, 2, 4, 8),
        cpuShare: fc.double({ min: 0, max: 1, noNaN: true }),
        memGiB: fc.constantFrom(2, 4, 8, 16, 32),
        memShare: fc.double({ min: 0.1, max: 1, noNaN: true }),
        flag: fc.constantFrom(
          'none',
          'none',
          'none',
          'none',
          'ignored',
          'locked',
          'ha',
          'ha',
          'stopped',
          'paused',
          'local',
          'nfs',
        ),
      }),
      { maxLength: 30 },
    ),
    pins: fc.array(
      fc.record({
        guest: fc.nat(29),
        nodes: fc.subarray(nodeNames, { minLength: 1, maxLength: 3 }),
        strict: fc.boolean(),
      }),
      { maxLength: 5 },
    ),
    anti: fc.array(
      fc.record({ members: fc.uniqueArray(fc.nat(29), { minLength: 2, maxLength: 3 }), strict: fc.boolean() }),
      { maxLength: 2 },
    ),
    affinity: fc.array(
      fc.record({ members: fc.uniqueArray(fc.nat(29), { minLength: 2, maxLength: 3 }), strict: fc.boolean() }),
      { maxLength: 2 },
    ),
    recent: fc.array(fc.record({ guest: fc.nat(29), hoursAgo: fc.integer({ min: 0, max: 12 }) }), {
      maxLength: 3,
    }),
  })
  .map((input): GeneratedCluster => {
    const names = input.nodes.map((_, index) => nodeNames[index]!);
    const nodes = Object.fromEntries(
      input.nodes.map((node, index) => [
        names[index]!,
        {
          cores: node.cores,
          memGiB: node.memGiB,
          baseCpu: node.baseCpu,
          maintenance: node.state === 'maintenance',
          status: node.state === 'offline' ? ('offline' as const) : ('online' as const),
        },
      ]),
    );
    const guests = Object.fromEntries(
      input.guests.map((guest, index) => [
        100 + index,
        {
          node: names[guest.node % names.length]!,
          cores: guest.cores,
          cpu: guest.cores * guest.cpuShare,
          memGiB: guest.memGiB,
          memUsedGiB: guest.memGiB * guest.memShare,
          ...(guest.flag === 'locked' ? { lock: 'backup' } : {}),
          haManaged: guest.flag === 'ha',
          status:
            guest.flag === 'stopped'
              ? ('stopped' as const)
              : guest.flag === 'paused'
                ? ('paused' as const)
                : ('running' as const),
          storages: guest.flag === 'local' ? ['local-lvm'] : guest.flag === 'nfs' ? ['nfs'] : ['ceph'],
          ...(guest.flag === 'local' ? { localDiskGiB: 20 } : {}),
        },
      ]),
    );
    const snapshot = makeCluster(nodes, guests, {
      storages: names.flatMap((name, index) => [
        storage('ceph', name, true),
        storage('local-lvm', name, false, 100, 50),
        ...(index % 2 === 0 ? [storage('nfs', name, true)] : []),
      ]),
    });
    const exists = (vmid: number) => snapshot.guests.some((guest) => guest.vmid === vmid);
    input.guests.forEach((guest, index) => {
      if (guest.flag === 'ignored')
        snapshot.constraints.ignoredGuests.push({ vmid: 100 + index, origin: { kind: 'config' } });
    });
    for (const [index, pin] of input.pins.entries()) {
      if (!exists(100 + pin.guest)) continue;
      snapshot.constraints.pins.push({
        vmid: 100 + pin.guest,
        nodes: pin.nodes,
        strict: pin.strict,
        origin: { kind: 'ha-rule', rule: `pin${index}` },
      });
    }
    for (const [index, group] of input.anti.entries()) {
      snapshot.constraints.antiAffinityGroups.push({
        id: `anti${index}`,
        name: `anti${index}`,
        members: group.members.map((member) => 100 + member),
        strict: group.strict,
        origin: { kind: 'ha-rule', rule: `anti${index}` },
      });
    }
    for (const [index, group] of input.affinity.entries()) {
      snapshot.constraints.affinityGroups.push({
        id: `aff${index}`,
        name: `aff${index}`,
        members: group.members.map((member) => 100 + member),
        strict: group.strict,
        origin: { kind: 'ha-rule', rule: `aff${index}` },
      });
    }
    for (const node of snapshot.nodes) {
      if (node.maintenance) snapshot.constraints.maintenanceNodes.push({ node: node.name, origin: { kind: 'node-status' } });
    }
    const recent = Object.fromEntries(
      input.recent.map((entry) => [
        100 + entry.guest,
        { at: T0 - entry.hoursAgo * 3_600_000, fromNode: names[(entry.guest + 1) % names.length]! },
      ]),
    );
    return { snapshot, recent };
  });
