/**
 * Test helpers that build ClusterSnapshots tersely. Node usage defaults to the sum of its running
 * guests' usage (plus an optional host overhead), as in the PVE HA simulator.
 */
import type { ClusterSnapshot, GuestSnapshot, NodeSnapshot, Series, StorageSnapshot } from '@ballast/core';

export const GiB = 2 ** 30;
export const HOUR = 3_600_000;
export const T0 = Date.UTC(2026, 4, 1);

export interface NodeSpec {
  cores: number;
  memGiB: number;
  status?: NodeSnapshot['status'];
  maintenance?: boolean;
  /** Host overhead added on top of the guests. */
  baseCpu?: number;
  baseMemGiB?: number;
  series?: NodeSnapshot['series'];
}

export interface GuestSpec {
  node: string;
  cores?: number;
  cpu?: number;
  memGiB?: number;
  memUsedGiB?: number;
  kind?: GuestSnapshot['kind'];
  status?: GuestSnapshot['status'];
  template?: boolean;
  lock?: string;
  haManaged?: boolean;
  storages?: string[];
  localDiskGiB?: number;
  localStorage?: string;
  series?: GuestSnapshot['series'];
  name?: string;
}

export function makeGuest(vmid: number, spec: GuestSpec): GuestSnapshot {
  const guest: GuestSnapshot = {
    vmid,
    name: spec.name ?? `vm${vmid}`,
    kind: spec.kind ?? 'vm',
    node: spec.node,
    status: spec.status ?? 'running',
    template: spec.template ?? false,
    tags: [],
    haManaged: spec.haManaged ?? false,
    cpu: { cores: spec.cores ?? 2, usageCores: spec.cpu ?? 1 },
    memory: { maxBytes: (spec.memGiB ?? 8) * GiB, usedBytes: (spec.memUsedGiB ?? 4) * GiB },
    storages: spec.storages ?? [],
    localDisks:
      spec.localDiskGiB === undefined
        ? []
        : [
            {
              volumeId: `${spec.localStorage ?? 'local-lvm'}:vm-${vmid}-disk-0`,
              storage: spec.localStorage ?? 'local-lvm',
              sizeBytes: spec.localDiskGiB * GiB,
            },
          ],
  };
  if (spec.lock !== undefined) guest.lock = spec.lock;
  if (spec.series !== undefined) guest.series = spec.series;
  return guest;
}

export function makeCluster(
  nodeSpecs: Record<string, NodeSpec>,
  guestSpecs: Record<number, GuestSpec>,
  extras: Partial<Pick<ClusterSnapshot, 'constraints' | 'storages' | 'collectedAt'>> = {},
): ClusterSnapshot {
  const guests = Object.entries(guestSpecs).map(([vmid, spec]) => makeGuest(Number(vmid), spec));
  const nodes: NodeSnapshot[] = Object.entries(nodeSpecs).map(([name, spec]) => {
    const running = guests.filter((guest) => guest.node === name && guest.status === 'running');
    const node: NodeSnapshot = {
      name,
      status: spec.status ?? 'online',
      maintenance: spec.maintenance ?? false,
      cpu: {
        cores: spec.cores,
        usageCores: (spec.baseCpu ?? 0) + running.reduce((sum, guest) => sum + guest.cpu.usageCores, 0),
      },
      memory: {
        totalBytes: spec.memGiB * GiB,
        usedBytes: (spec.baseMemGiB ?? 0) * GiB + running.reduce((sum, guest) => sum + guest.memory.usedBytes, 0),
      },
      rootDisk: { totalBytes: 100 * GiB, usedBytes: 10 * GiB },
    };
    if (spec.series !== undefined) node.series = spec.series;
    return node;
  });
  return {
    collectedAt: extras.collectedAt ?? T0,
    source: { kind: 'fixture' },
    nodes,
    guests,
    storages: extras.storages ?? [],
    constraints: extras.constraints ?? {
      affinityGroups: [],
      antiAffinityGroups: [],
      pins: [],
      ignoredGuests: [],
      maintenanceNodes: [],
    },
  };
}

export function emptyConstraints(): ClusterSnapshot['constraints'] {
  return { affinityGroups: [], antiAffinityGroups: [], pins: [], ignoredGuests: [], maintenanceNodes: [] };
}

export function storage(id: string, node: string, shared: boolean, totalGiB = 1000, usedGiB = 0): StorageSnapshot {
  return {
    id,
    node,
    shared,
    status: 'available',
    totalBytes: totalGiB * GiB,
    usedBytes: usedGiB * GiB,
    content: ['images'],
  };
}

/** Hourly series ending at `end`, from a value generator. */
export function hourly(hours: number, value: (hour: number) => number, end = T0): Series {
  const timestamps: number[] = [];
  const values: number[] = [];
  for (let hour = 0; hour < hours; hour++) {
    timestamps.push(end - (hours - 1 - hour) * HOUR);
    values.push(value(hour));
  }
  return { timestamps, values };
}

/**
 * Scenarios re-expressed from the PVE HA manager simulator tests
 * (proxmox/pve-ha-manager `src/test/test-crs-{dynamic,static}-auto-rebalance{1,2}`, AGPL-3.0: the
 * numbers are restated here, the files are not copied). Imbalance in those logs is the raw CV.
 */
export const crsScenarios = {
  /** dynamic-auto-rebalance1: one 1-core/4 GiB guest on node1 of three 4-core/16 GiB nodes → no move helps. */
  dynamicSingle: () =>
    makeCluster(
      { node1: { cores: 4, memGiB: 16 }, node2: { cores: 4, memGiB: 16 }, node3: { cores: 4, memGiB: 16 } },
      { 101: { node: 'node1', cores: 2, cpu: 1, memGiB: 8, memUsedGiB: 4 } },
    ),
  /** dynamic-auto-rebalance2: four 1-core/4 GiB guests on node1 of three 24-core/32 GiB nodes. */
  dynamicFour: () =>
    makeCluster(
      { node1: { cores: 24, memGiB: 32 }, node2: { cores: 24, memGiB: 32 }, node3: { cores: 24, memGiB: 32 } },
      Object.fromEntries(
        [101, 102, 103, 104].map((vmid) => [vmid, { node: 'node1', cores: 2, cpu: 1, memGiB: 8, memUsedGiB: 4 }]),
      ),
    ),
  /** static-auto-rebalance2: the same with static usage (maxcpu 2, maxmem 8 GiB counted in full). */
  staticFour: () =>
    makeCluster(
      { node1: { cores: 24, memGiB: 32 }, node2: { cores: 24, memGiB: 32 }, node3: { cores: 24, memGiB: 32 } },
      Object.fromEntries(
        [101, 102, 103, 104].map((vmid) => [vmid, { node: 'node1', cores: 2, cpu: 2, memGiB: 8, memUsedGiB: 8 }]),
      ),
    ),
};
