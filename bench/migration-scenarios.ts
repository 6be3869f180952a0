/**
 * The issue-11 clusters for the migration bench: hot single nodes, large clusters that need 50+
 * moves, maintenance with local disks, heterogeneous node sizes. Seeds given to each builder are
 * chosen by the bench; the held-out comparison uses seeds the planner was never tuned on.
 */
import type { ClusterSnapshot, GuestSnapshot, NodeSnapshot, StorageSnapshot } from '@ballast/core';
import { random } from './migration-planner.bench';

const GiB = 2 ** 30;

interface NodeShape {
  cores: number;
  memGiB: number;
}

/** Builds a cluster where each node is filled to a target CPU / memory fraction with random guests. */
function filledCluster(
  seed: number,
  shapes: readonly NodeShape[],
  fill: (index: number) => { cpu: number; memory: number },
  options: {
    localDiskShare?: number;
    maintenance?: number[];
    hugeShare?: number;
    smallGuests?: boolean;
  } = {},
): ClusterSnapshot {
  const next = random(seed);
  const nodes: NodeSnapshot[] = [];
  const guests: GuestSnapshot[] = [];
  const storages: StorageSnapshot[] = [];
  let vmid = 100;
  shapes.forEach((shape, index) => {
    const name = `pve${String(index + 1).padStart(3, '0')}`;
    const target = fill(index);
    let cpu = 0.3;
    let memory = 2 * GiB;
    for (let attempt = 0; attempt < (options.smallGuests ? 200 : 400); attempt++) {
      const huge = next() < (options.hugeShare ?? 0);
      const sizes = options.smallGuests ? [1, 2, 2, 4, 4] : [2, 4, 8, 16, 32];
      const cores = huge ? 16 : [1, 2, 2, 4, 8][Math.floor(next() * 5)]! / (options.smallGuests ? 2 : 1);
      const maxBytes = (huge ? 128 : sizes[Math.floor(next() * 5)]!) * GiB;
      const usageCores = cores * (0.1 + 0.5 * next());
      const usedBytes = maxBytes * (0.4 + 0.5 * next());
      if (memory + usedBytes > target.memory * shape.memGiB * GiB) continue;
      if (cpu + usageCores > target.cpu * shape.cores) continue;
      cpu += usageCores;
      memory += usedBytes;
      const local = next() < (options.localDiskShare ?? 0);
      guests.push({
        vmid: vmid++,
        name: `guest${vmid}`,
        kind: next() < 0.85 ? 'vm' : 'ct',
        node: name,
        status: 'running',
        template: false,
        tags: [],
        haManaged: false,
        cpu: { cores, usageCores },
        memory: { maxBytes, usedBytes },
        storages: local ? ['local-lvm'] : ['ceph'],
        localDisks: local
          ? [{ volumeId: `local-lvm:vm-${vmid}-disk-0`, storage: 'local-lvm', sizeBytes: 32 * GiB }]
          : [],
      });
    }
    nodes.push({
      name,
      status: 'online',
      maintenance: options.maintenance?.includes(index) ?? false,
      cpu: { cores: shape.cores, usageCores: cpu },
      memory: { totalBytes: shape.memGiB * GiB, usedBytes: memory },
      rootDisk: { totalBytes: 100 * GiB, usedBytes: 10 * GiB },
    });
    storages.push(
      {
        id: 'ceph',
        node: name,
        shared: true,
        status: 'available',
        totalBytes: 100_000 * GiB,
        usedBytes: 0,
        content: ['images'],
      },
      {
        id: 'local-lvm',
        node: name,
        shared: false,
        status: 'available',
        totalBytes: 2000 * GiB,
        usedBytes: 200 * GiB,
        content: ['images'],
      },
    );
  });
  return {
    collectedAt: Date.UTC(2026, 4, 1),
    source: { kind: 'simulated' },
    nodes,
    guests,
    storages,
    constraints: {
      affinityGroups: [],
      antiAffinityGroups: [],
      pins: [],
      ignoredGuests: [],
      maintenanceNodes: nodes
        .filter((node) => node.maintenance)
        .map((node) => ({ node: node.name, origin: { kind: 'node-status' as const } })),
    },
  };
}

const even = (count: number, shape: NodeShape = { cores: 32, memGiB: 256 }) =>
  Array.from({ length: count }, () => shape);

/** Issue-11 scenario families, each `(seed) => snapshot`. */
export const scenarios: Array<{ name: string; build: (seed: number) => ClusterSnapshot }> = [
  {
    // One node at ~95 % on an otherwise even 5-node cluster.
    name: 'hot single node, 5 nodes',
    build: (seed) =>
      filledCluster(seed, even(5), (index) =>
        index === 0 ? { cpu: 0.95, memory: 0.97 } : { cpu: 0.45, memory: 0.5 },
      ),
  },
  {
    // Several nodes at 93–100 % among 37: the normalised imbalance stays small.
    name: 'hot nodes, 37 nodes',
    build: (seed) =>
      filledCluster(seed, even(37), (index) =>
        index < 4 ? { cpu: 0.97, memory: 0.96 } : { cpu: 0.5, memory: 0.55 },
      ),
  },
  {
    name: 'maintenance + local disks, 8 nodes',
    build: (seed) =>
      filledCluster(seed, even(8), () => ({ cpu: 0.45, memory: 0.5 }), {
        localDiskShare: 0.25,
        maintenance: [0, 1],
      }),
  },
  {
    name: 'heterogeneous sizes, huge VMs, 12 nodes',
    build: (seed) => {
      const shapes = [
        { cores: 8, memGiB: 64 },
        { cores: 16, memGiB: 128 },
        { cores: 32, memGiB: 256 },
        { cores: 64, memGiB: 512 },
        { cores: 128, memGiB: 1024 },
      ];
      const next = random(seed ^ 0x5eed);
      return filledCluster(
        seed,
        Array.from({ length: 12 }, () => shapes[Math.floor(next() * shapes.length)]!),
        (index) => (index % 4 === 0 ? { cpu: 0.85, memory: 0.9 } : { cpu: 0.3, memory: 0.35 }),
        { hugeShare: 0.05 },
      );
    },
  },
];

/** 100 nodes / ~5 000 guests: ten hot nodes at ~90 % memory, the rest at ~35 %: needs 50+ moves. */
export function largeHotCluster(seed: number): ClusterSnapshot {
  return filledCluster(
    seed,
    even(100, { cores: 64, memGiB: 256 }),
    (index) => (index % 10 === 0 ? { cpu: 0.8, memory: 0.92 } : { cpu: 0.3, memory: 0.35 }),
    { smallGuests: true },
  );
}
