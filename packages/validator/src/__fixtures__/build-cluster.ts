// Hand-built snapshots for the validator's tests (no recorded data: every value is invented).
import {
  type ClusterConstraints,
  type ClusterSnapshot,
  deriveConstraints,
  type GuestSnapshot,
  type HaRule,
  type NodeSnapshot,
  type StorageSnapshot,
} from '@ballast/core';

export const GiB = 2 ** 30;

export function makeNode(name: string, overrides: Partial<NodeSnapshot> = {}): NodeSnapshot {
  return {
    name,
    status: 'online',
    maintenance: false,
    cpu: { cores: 16, usageCores: 2 },
    memory: { totalBytes: 64 * GiB, usedBytes: 16 * GiB },
    rootDisk: { totalBytes: 100 * GiB, usedBytes: 10 * GiB },
    ...overrides,
  };
}

export function makeGuest(vmid: number, node: string, overrides: Partial<GuestSnapshot> = {}): GuestSnapshot {
  return {
    vmid,
    name: `guest-${vmid}`,
    kind: 'vm',
    node,
    status: 'running',
    template: false,
    tags: [],
    haManaged: false,
    cpu: { cores: 2, usageCores: 0.5 },
    memory: { maxBytes: 4 * GiB, usedBytes: 2 * GiB },
    storages: ['ceph'],
    localDisks: [],
    ...overrides,
  };
}

export function sharedStorage(id: string, nodes: readonly string[]): StorageSnapshot[] {
  return nodes.map((node) => ({
    id,
    node,
    shared: true,
    status: 'available' as const,
    totalBytes: 10_000 * GiB,
    usedBytes: 1_000 * GiB,
    content: ['images', 'rootdir'],
  }));
}

export function localStorage(id: string, nodes: readonly string[]): StorageSnapshot[] {
  return nodes.map((node) => ({
    id,
    node,
    shared: false,
    status: 'available' as const,
    totalBytes: 1_000 * GiB,
    usedBytes: 100 * GiB,
    content: ['images'],
  }));
}

export function makeCluster(input: {
  nodes: NodeSnapshot[];
  guests: GuestSnapshot[];
  storages?: StorageSnapshot[];
  haRules?: HaRule[];
  constraints?: ClusterConstraints;
}): ClusterSnapshot {
  return {
    collectedAt: 1_772_000_000_000,
    source: { kind: 'simulated' },
    nodes: input.nodes,
    guests: input.guests,
    storages: input.storages ?? sharedStorage(
      'ceph',
      input.nodes.map((node) => node.name),
    ),
    constraints: input.constraints ?? deriveConstraints(input.guests, input.haRules ?? [], input.nodes),
  };
}

/**
 * A small cluster with one guest per rule: pve1..pve3 online, pve4 offline, pve5 in maintenance.
 */
export function referenceCluster(): ClusterSnapshot {
  const nodeNames = ['pve1', 'pve2', 'pve3', 'pve4', 'pve5'];
  const nodes = [
    makeNode('pve1', { memory: { totalBytes: 64 * GiB, usedBytes: 40 * GiB } }),
    makeNode('pve2'),
    makeNode('pve3'),
    makeNode('pve4', { status: 'offline' }),
    makeNode('pve5', { maintenance: true, haState: 'maintenance' }),
  ];
  const guests = [
    makeGuest(101, 'pve1', { name: 'web1' }),
    makeGuest(102, 'pve2', { name: 'web2' }),
    makeGuest(103, 'pve1', { name: 'golden', template: true, status: 'stopped' }),
    makeGuest(104, 'pve1', { name: 'backing-up', lock: 'backup' }),
    makeGuest(105, 'pve1', { name: 'ha-db', haManaged: true, haState: 'started' }),
    makeGuest(106, 'pve1', { name: 'legacy', tags: ['ignore'] }),
    makeGuest(107, 'pve1', { name: 'licensed', tags: ['plb_pin_pve1', 'plb_pin_pve3'] }),
    makeGuest(108, 'pve1', {
      name: 'local',
      storages: ['local-lvm'],
      localDisks: [{ volumeId: 'local-lvm:vm-108-disk-0', storage: 'local-lvm', sizeBytes: 32 * GiB }],
    }),
    makeGuest(109, 'pve1', { name: 'ct1', kind: 'ct' }),
    makeGuest(110, 'pve1', { name: 'big', memory: { maxBytes: 50 * GiB, usedBytes: 20 * GiB } }),
    makeGuest(111, 'pve1', { name: 'nfs-user', storages: ['ceph', 'nfs-a'] }),
    makeGuest(112, 'pve1', { name: 'busy', cpu: { cores: 8, usageCores: 6 } }),
    makeGuest(120, 'pve1', { name: 'db-a', tags: ['plb_anti_affinity_db'] }),
    makeGuest(121, 'pve2', { name: 'db-b', tags: ['plb_anti_affinity_db'] }),
    makeGuest(130, 'pve1', { name: 'app-a', tags: ['affinity_app'] }),
    makeGuest(131, 'pve1', { name: 'app-b', tags: ['affinity_app'] }),
  ];
  const storages = [
    ...sharedStorage('ceph', nodeNames),
    ...sharedStorage('nfs-a', ['pve1', 'pve2']),
    ...localStorage('local-lvm', nodeNames),
  ];
  return makeCluster({ nodes, guests, storages });
}
