import { createRandom, hashUnit, type Random } from './prng';
import {
  type PveVersion,
  type RrdConsolidation,
  type RrdRow,
  type RrdTimeframe,
  rrdBucketTimes,
  rrdResolution,
} from './rrd-format';

const GiB = 2 ** 30;
const TiB = 2 ** 40;

/** How unevenly the simulator spreads guests over nodes. */
export type SimulatedImbalance = 'none' | 'mild' | 'severe';

/** A node to simulate, when the defaults (mixed sizes) are not wanted. */
export interface SimulatedNodeSpec {
  /** Default `pve<index>`. */
  name?: string;
  cores: number;
  memoryGiB: number;
  rootDiskGiB?: number;
  /** Default true. An offline node reports no stats and serves no RRD. */
  online?: boolean;
  /** HA maintenance mode. */
  maintenance?: boolean;
  /** Periods (epoch ms) when pvestatd was down: RRD rows then carry only `time`. */
  downtime?: Array<{ fromMs: number; toMs: number }>;
}

/** Options of {@link createClusterSimulator}. */
export interface ClusterSimulatorOptions {
  /** PRNG seed: the same options always give the same cluster and the same metrics. */
  seed: number;
  /** A count (mixed sizes are chosen) or explicit specs. */
  nodes: number | SimulatedNodeSpec[];
  /** Number of guests (VMs and CTs). The first ~14 get special roles (template, locked, HA, tags…). */
  guests: number;
  /** Default `'mild'`. */
  imbalance?: SimulatedImbalance;
  /** Wire formats to reproduce. Default 9. */
  pveVersion?: PveVersion;
  /** The simulated "now", epoch ms. Default: `Date.now()` rounded down to the minute. */
  now?: number;
  /** Default `'ballast-sim'`. */
  clusterName?: string;
}

/** How a guest's load evolves over time. */
export interface SimulatedLoadProfile {
  kind: 'steady' | 'diurnal' | 'growing' | 'bursty';
  /** Mean CPU, fraction of the guest's vCPUs. */
  cpuBase: number;
  /** Relative amplitude of the 24 h sinusoid (0 = flat). */
  cpuAmplitude: number;
  /** Hour of day (UTC) of the daily peak. */
  peakHour: number;
  /** Relative noise amplitude. */
  noise: number;
  /** Relative growth per day (growing guests), e.g. 0.05 = +5 %/day. */
  growthPerDay: number;
  /** Probability that a 30-minute window holds a burst. */
  burstProbability: number;
  /** CPU added during a burst, fraction of vCPUs. */
  burstCpu: number;
  /** Mean memory in use, fraction of `maxmem`. */
  memoryBase: number;
  memoryAmplitude: number;
  netBytesPerSecond: number;
  diskBytesPerSecond: number;
}

/** A simulated node. Mutable: tests may change it. */
export interface SimulatedNode {
  name: string;
  nodeid: number;
  ip: string;
  maxcpu: number;
  maxmem: number;
  /** Root file system size and use, bytes. */
  maxdisk: number;
  rootUsed: number;
  online: boolean;
  maintenance: boolean;
  downtime: Array<{ fromSec: number; toSec: number }>;
}

/** A volume of a simulated guest. */
export interface SimulatedDisk {
  /** Config key: `scsi0`, `rootfs`, `mp0`, … */
  key: string;
  storage: string;
  volid: string;
  sizeBytes: number;
}

/** A simulated VM (`qemu`) or CT (`lxc`). Mutable: tests may change it. */
export interface SimulatedGuest {
  vmid: number;
  kind: 'qemu' | 'lxc';
  name: string;
  /** Current node. */
  node: string;
  status: 'running' | 'stopped';
  template: boolean;
  lock?: string | undefined;
  tags: string[];
  pool?: string | undefined;
  maxcpu: number;
  maxmem: number;
  disks: SimulatedDisk[];
  /** Local devices that block migration (`hostpci0`, `usb0`), as the precondition lists them. */
  localResources: string[];
  haManaged: boolean;
  /** PVE 8 HA group, when HA-managed. */
  haGroup?: string | undefined;
  profile: SimulatedLoadProfile;
  /** When the guest was last started, epoch seconds. */
  startedSec: number;
  /** Placement history, ascending: the guest ran on `node` from `fromSec` on. */
  placements: Array<{ node: string; fromSec: number }>;
}

/** A storage as configured in `storage.cfg`. */
export interface SimulatedStorage {
  id: string;
  plugintype: string;
  shared: boolean;
  content: string[];
  /** Nodes where it is enabled. */
  nodes: string[];
  /** Capacity per node entry (shared storages report the same pool everywhere). */
  totalBytes: number;
}

/** A PVE 9 HA rule in wire form. */
export interface SimulatedHaRule {
  rule: string;
  type: 'node-affinity' | 'resource-affinity';
  /** `vm:101,ct:102` */
  resources: string;
  nodes?: string;
  strict?: boolean;
  affinity?: 'positive' | 'negative';
  disable?: boolean;
}

/** A PVE 8 HA group. */
export interface SimulatedHaGroup {
  group: string;
  /** `pve1:2,pve2` */
  nodes: string;
  restricted: boolean;
  nofailback: boolean;
}

/** One guest's usage at an instant. Rates are bytes per second. */
export interface SimulatedGuestUsage {
  /** Fraction of the guest's vCPUs. */
  cpu: number;
  mem: number;
  netin: number;
  netout: number;
  diskread: number;
  diskwrite: number;
}

/** One node's usage at an instant. */
export interface SimulatedNodeUsage {
  /** Fraction of `maxcpu`. */
  cpu: number;
  memused: number;
  rootused: number;
  iowait: number;
  loadavg: number;
  netin: number;
  netout: number;
  swapused: number;
  arcsize: number;
}

/**
 * A deterministic Proxmox cluster: state (nodes, guests, storages, HA) plus a load model that
 * renders RRD rows for any timeframe in the PVE 8 or PVE 9 resolution.
 */
export interface ClusterSimulator {
  readonly seed: number;
  readonly pveVersion: PveVersion;
  readonly clusterName: string;
  readonly nodes: SimulatedNode[];
  readonly guests: SimulatedGuest[];
  readonly storages: SimulatedStorage[];
  /** PVE 9 HA rules (empty on PVE 8). */
  readonly haRules: SimulatedHaRule[];
  /** PVE 8 HA groups (empty on PVE 9). */
  readonly haGroups: SimulatedHaGroup[];
  /** The simulated time, epoch ms. */
  now(): number;
  setNow(epochMs: number): void;
  advance(ms: number): void;
  node(name: string): SimulatedNode | undefined;
  guest(vmid: number): SimulatedGuest | undefined;
  /** Usage of a guest at `timeSec` (epoch seconds), `undefined` when it was not running. */
  guestUsageAt(vmid: number, timeSec: number): SimulatedGuestUsage | undefined;
  /** Usage of a node at `timeSec`, `undefined` when it was down or offline. */
  nodeUsageAt(name: string, timeSec: number): SimulatedNodeUsage | undefined;
  /** Node RRD rows (`/nodes/{n}/rrddata`) as PVE of this version would return them now. */
  nodeRrd(name: string, timeframe: RrdTimeframe, cf?: RrdConsolidation): RrdRow[];
  /** Guest RRD rows (`/nodes/{n}/{qemu|lxc}/{id}/rrddata`). */
  guestRrd(vmid: number, timeframe: RrdTimeframe, cf?: RrdConsolidation): RrdRow[];
  /** Moves a guest now (the migration finished). Records the placement for the RRD history. */
  moveGuest(vmid: number, target: string): void;
  /** Bytes used on a storage entry (`id` as seen from `node`). */
  storageUsedBytes(id: string, node: string): number;
}

const nodePresets: Array<{ cores: number; memoryGiB: number; rootDiskGiB: number }> = [
  { cores: 8, memoryGiB: 32, rootDiskGiB: 100 },
  { cores: 16, memoryGiB: 64, rootDiskGiB: 200 },
  { cores: 32, memoryGiB: 128, rootDiskGiB: 400 },
  { cores: 48, memoryGiB: 256, rootDiskGiB: 900 },
];

/**
 * Creates a deterministic simulated Proxmox cluster: mixed node sizes, VMs and CTs with diurnal,
 * steady, bursty and growing loads, ProxLB/ProxBalance tags (`plb_anti_affinity_web`,
 * `plb_affinity_db`, `ignore`, `plb_pin_pve1`), a template, a locked guest, HA-managed guests (HA
 * rules on PVE 9, groups on PVE 8), shared (`ceph-vm`) and local (`local-lvm`, `nvme-pve1`)
 * storages.
 *
 * @example
 * ```ts
 * const cluster = createClusterSimulator({ seed: 1, nodes: 3, guests: 20, imbalance: 'severe', pveVersion: 9 });
 * cluster.nodeRrd('pve1', 'hour').length; // 59: PVE 9 drops the trailing empty bucket (PVE 8: 70)
 * ```
 */
export function createClusterSimulator(options: ClusterSimulatorOptions): ClusterSimulator {
  const random = createRandom(options.seed);
  const pveVersion: PveVersion = options.pveVersion ?? 9;
  let nowMs = options.now ?? Math.floor(Date.now() / 60_000) * 60_000;
  const nowSec = () => Math.floor(nowMs / 1000);
  const initialNowSec = nowSec();

  const nodes = buildNodes(options.nodes, random);
  if (nodes.length === 0) throw new Error('createClusterSimulator needs at least one node');
  const storages = buildStorages(nodes, random);
  const guests = buildGuests(options, nodes, random, initialNowSec);
  const haRules: SimulatedHaRule[] = [];
  const haGroups: SimulatedHaGroup[] = [];
  buildHa(guests, nodes, pveVersion, haRules, haGroups);

  const nodeByName = new Map(nodes.map((node) => [node.name, node]));
  const guestById = new Map(guests.map((guest) => [guest.vmid, guest]));

  const nodeAt = (guest: SimulatedGuest, timeSec: number): string => {
    let current = guest.placements[0]?.node ?? guest.node;
    for (const placement of guest.placements) {
      if (placement.fromSec <= timeSec) current = placement.node;
      else break;
    }
    return current;
  };
  const nodeDown = (node: SimulatedNode, timeSec: number) =>
    !node.online || node.downtime.some((window) => timeSec >= window.fromSec && timeSec < window.toSec);

  const rawCpuDemand = (guest: SimulatedGuest, timeSec: number): number => {
    const profile = guest.profile;
    const seed = options.seed;
    const dayPhase = (2 * Math.PI * (timeSec / 3600 - profile.peakHour)) / 24;
    const diurnal = 1 + profile.cpuAmplitude * Math.cos(dayPhase);
    const ageDays = (timeSec - initialNowSec) / 86400;
    const growth = profile.kind === 'growing' ? Math.max(0.15, 1 + profile.growthPerDay * ageDays) : 1;
    const noise = (hashUnit(seed, guest.vmid, Math.floor(timeSec / 60)) - 0.5) * 2 * profile.noise;
    const burst =
      profile.kind === 'bursty' &&
      hashUnit(seed, guest.vmid, Math.floor(timeSec / 1800), 7) < profile.burstProbability
        ? profile.burstCpu
        : 0;
    return clamp(profile.cpuBase * diurnal * growth * (1 + noise) + burst, 0.001, 1);
  };
  // A saturated host cannot give its guests more CPU than it has: when the guests' demand exceeds
  // the host's cores, each guest gets the same share of what it asked for (as the CFS scheduler
  // roughly does). Memoized per host and minute because node and guest RRDs ask for it repeatedly.
  const scaleCache = new Map<string, number>();
  const hostCpuScale = (host: SimulatedNode, timeSec: number): number => {
    const key = `${host.name}:${Math.floor(timeSec / 60)}`;
    const cached = scaleCache.get(key);
    if (cached !== undefined) return cached;
    let demand = 0;
    for (const guest of guests) {
      if (guest.template || guest.status !== 'running' || timeSec < guest.startedSec) continue;
      if (nodeAt(guest, timeSec) !== host.name) continue;
      demand += rawCpuDemand(guest, timeSec) * guest.maxcpu;
    }
    const available = host.maxcpu * 0.98;
    const scale = demand > available ? available / demand : 1;
    if (scaleCache.size > 200_000) scaleCache.clear();
    scaleCache.set(key, scale);
    return scale;
  };

  const guestUsageAt = (vmid: number, timeSec: number): SimulatedGuestUsage | undefined => {
    const guest = guestById.get(vmid);
    if (guest === undefined || guest.template || guest.status !== 'running') return undefined;
    if (timeSec < guest.startedSec) return undefined;
    const host = nodeByName.get(nodeAt(guest, timeSec));
    if (host === undefined || nodeDown(host, timeSec)) return undefined;
    const profile = guest.profile;
    const seed = options.seed;
    const dayPhase = (2 * Math.PI * (timeSec / 3600 - profile.peakHour)) / 24;
    const diurnal = 1 + profile.cpuAmplitude * Math.cos(dayPhase);
    const ageDays = (timeSec - initialNowSec) / 86400;
    const growth = profile.kind === 'growing' ? Math.max(0.15, 1 + profile.growthPerDay * ageDays) : 1;
    const noise = (hashUnit(seed, vmid, Math.floor(timeSec / 60)) - 0.5) * 2 * profile.noise;
    const burst =
      profile.kind === 'bursty' &&
      hashUnit(seed, vmid, Math.floor(timeSec / 1800), 7) < profile.burstProbability
        ? profile.burstCpu
        : 0;
    const cpu =
      clamp(profile.cpuBase * diurnal * growth * (1 + noise) + burst, 0.001, 1) * hostCpuScale(host, timeSec);
    const memFraction = clamp(
      profile.memoryBase * (profile.kind === 'growing' ? Math.min(1.4, growth) : 1) +
        profile.memoryAmplitude * Math.cos(dayPhase) +
        (hashUnit(seed, vmid, Math.floor(timeSec / 300), 3) - 0.5) * 0.02,
      0.03,
      0.97,
    );
    const trafficNoise = 0.7 + 0.6 * hashUnit(seed, vmid, Math.floor(timeSec / 60), 5);
    const traffic = Math.max(0.05, diurnal) * trafficNoise;
    return {
      cpu,
      mem: Math.round(guest.maxmem * memFraction),
      netin: profile.netBytesPerSecond * traffic,
      netout: profile.netBytesPerSecond * 0.6 * traffic,
      diskread: profile.diskBytesPerSecond * 0.4 * traffic,
      diskwrite: profile.diskBytesPerSecond * 0.6 * traffic,
    };
  };

  const nodeUsageAt = (name: string, timeSec: number): SimulatedNodeUsage | undefined => {
    const node = nodeByName.get(name);
    if (node === undefined || nodeDown(node, timeSec)) return undefined;
    let cores = node.maxcpu * (0.01 + 0.01 * hashUnit(options.seed, node.nodeid, Math.floor(timeSec / 60)));
    let mem = 1.5 * GiB + node.maxmem * 0.03;
    let netin = 2_000;
    let netout = 1_500;
    let disk = 0;
    for (const guest of guests) {
      if (nodeAt(guest, timeSec) !== name) continue;
      const usage = guestUsageAt(guest.vmid, timeSec);
      if (usage === undefined) continue;
      cores += usage.cpu * guest.maxcpu;
      mem += usage.mem;
      netin += usage.netin;
      netout += usage.netout;
      disk += usage.diskread + usage.diskwrite;
    }
    const cpu = clamp(cores / node.maxcpu, 0, 1);
    const memused = Math.min(mem, node.maxmem * 0.97);
    return {
      cpu,
      memused,
      rootused: node.rootUsed,
      iowait: clamp(0.001 + disk / 4e8, 0, 0.6),
      loadavg:
        Math.round(
          cores * (1.05 + 0.1 * hashUnit(options.seed, node.nodeid, Math.floor(timeSec / 60), 9)) * 100,
        ) / 100,
      netin,
      netout,
      swapused: memused > node.maxmem * 0.9 ? 0.5 * GiB : 0.01 * GiB,
      arcsize: pveVersion === 9 ? Math.round(node.maxmem * 0.05) : 0,
    };
  };

  const sampleTimes = (time: number, stepSeconds: number): number[] => {
    const count = Math.min(Math.max(1, Math.round(stepSeconds / 60)), 6);
    const times: number[] = [];
    for (let index = 0; index < count; index++) times.push(time + ((index + 0.5) * stepSeconds) / count);
    return times;
  };

  const consolidate = <T extends object>(values: T[], cf: RrdConsolidation): Record<string, number> => {
    const result: Record<string, number> = {};
    if (values.length === 0) return result;
    for (const key of Object.keys(values[0]!)) {
      const column = values.map((value) => (value as Record<string, number>)[key] ?? 0);
      result[key] =
        cf === 'MAX' ? Math.max(...column) : column.reduce((sum, value) => sum + value, 0) / column.length;
    }
    return result;
  };

  // A bucket is kept when at least half of its samples are known (RRD xff 0.5).
  const bucket = <T extends object>(
    time: number,
    stepSeconds: number,
    cf: RrdConsolidation,
    read: (timeSec: number) => T | undefined,
  ): Record<string, number> | undefined => {
    const samples = sampleTimes(time, stepSeconds);
    const known = samples.map(read).filter((value): value is T => value !== undefined);
    if (known.length === 0 || known.length * 2 < samples.length) return undefined;
    return consolidate(known, cf);
  };

  const trailing = (times: number[]): number[] =>
    // PVE ≤ 8 returns the newest, still empty bucket as a `{time}`-only row; PVE 9 ("fix #6615") drops it.
    pveVersion === 9 ? times.slice(0, -1) : times;

  const simulator: ClusterSimulator = {
    seed: options.seed,
    pveVersion,
    clusterName: options.clusterName ?? 'ballast-sim',
    nodes,
    guests,
    storages,
    haRules,
    haGroups,
    now: () => nowMs,
    setNow: (epochMs) => {
      nowMs = epochMs;
    },
    advance: (ms) => {
      nowMs += ms;
    },
    node: (name) => nodeByName.get(name),
    guest: (vmid) => guestById.get(vmid),
    guestUsageAt,
    nodeUsageAt,
    nodeRrd(name, timeframe, cf = 'AVERAGE') {
      const node = nodeByName.get(name);
      if (node === undefined) return [];
      const frame = pveVersion === 8 && timeframe === 'decade' ? 'year' : timeframe;
      const { stepSeconds } = rrdResolution(pveVersion, frame);
      const times = trailing(rrdBucketTimes(pveVersion, frame, nowSec()));
      const newest = times[times.length - 1];
      return times.map((time) => {
        if (pveVersion === 8 && time === newest) return { time };
        const usage = bucket(time, stepSeconds, cf, (t) => nodeUsageAt(name, t));
        if (usage === undefined) return { time };
        const row: RrdRow = {
          time,
          cpu: usage.cpu!,
          maxcpu: node.maxcpu,
          iowait: usage.iowait!,
          loadavg: usage.loadavg!,
          memtotal: node.maxmem,
          memused: usage.memused!,
          swaptotal: 8 * GiB,
          swapused: usage.swapused!,
          roottotal: node.maxdisk,
          rootused: usage.rootused!,
          netin: usage.netin!,
          netout: usage.netout!,
        };
        if (pveVersion === 9) {
          row.memavailable = node.maxmem - usage.memused!;
          row.arcsize = usage.arcsize!;
          row.pressurecpusome = Math.max(0, (usage.cpu! - 0.6) * 20);
          row.pressureiosome = usage.iowait! * 100;
          row.pressureiofull = usage.iowait! * 90;
          row.pressurememorysome = usage.memused! > node.maxmem * 0.9 ? 2.5 : 0;
          row.pressurememoryfull = usage.memused! > node.maxmem * 0.95 ? 1.2 : 0;
        }
        return row;
      });
    },
    guestRrd(vmid, timeframe, cf = 'AVERAGE') {
      const guest = guestById.get(vmid);
      if (guest === undefined) return [];
      const frame = pveVersion === 8 && timeframe === 'decade' ? 'year' : timeframe;
      const { stepSeconds } = rrdResolution(pveVersion, frame);
      const times = trailing(rrdBucketTimes(pveVersion, frame, nowSec()));
      const newest = times[times.length - 1];
      const maxdisk = guest.disks.reduce((sum, disk) => sum + disk.sizeBytes, 0);
      return times.map((time) => {
        if (pveVersion === 8 && time === newest) return { time };
        const usage = bucket(time, stepSeconds, cf, (t) => guestUsageAt(vmid, t));
        // A stopped guest keeps its static values only (go-proxmox fixture: time/maxcpu/maxmem/disk/maxdisk).
        const diskUsed = guest.kind === 'lxc' ? Math.round(maxdisk * 0.35) : 0;
        if (usage === undefined) {
          return { time, maxcpu: guest.maxcpu, maxmem: guest.maxmem, disk: diskUsed, maxdisk };
        }
        const row: RrdRow = {
          time,
          maxcpu: guest.maxcpu,
          cpu: usage.cpu!,
          maxmem: guest.maxmem,
          mem: usage.mem!,
          maxdisk,
          disk: diskUsed,
          netin: usage.netin!,
          netout: usage.netout!,
          diskread: usage.diskread!,
          diskwrite: usage.diskwrite!,
        };
        if (pveVersion === 9) {
          row.memhost = usage.mem! * (guest.kind === 'qemu' ? 1.05 : 1);
          row.pressurecpusome = Math.max(0, (usage.cpu! - 0.7) * 10);
          row.pressurecpufull = Math.max(0, (usage.cpu! - 0.85) * 5);
          row.pressureiosome = 0.1;
          row.pressureiofull = 0.05;
          row.pressurememorysome = 0;
          row.pressurememoryfull = 0;
        }
        return row;
      });
    },
    moveGuest(vmid, target) {
      const guest = guestById.get(vmid);
      if (guest === undefined) throw new Error(`no guest ${vmid}`);
      if (!nodeByName.has(target)) throw new Error(`no node ${target}`);
      guest.node = target;
      guest.placements.push({ node: target, fromSec: nowSec() });
      // Both hosts' CPU contention changes from now on.
      scaleCache.clear();
    },
    storageUsedBytes(id, node) {
      const storage = storages.find((entry) => entry.id === id);
      if (storage === undefined) return 0;
      let used = storage.totalBytes * 0.02;
      for (const guest of guests) {
        if (!storage.shared && guest.node !== node) continue;
        for (const disk of guest.disks) if (disk.storage === id) used += disk.sizeBytes * 0.6;
      }
      return Math.round(Math.min(used, storage.totalBytes));
    },
  };
  return simulator;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

function buildNodes(spec: number | SimulatedNodeSpec[], random: Random): SimulatedNode[] {
  const specs: SimulatedNodeSpec[] =
    typeof spec === 'number'
      ? Array.from({ length: spec }, (_, index) => {
          // Mixed sizes: start from a random preset and walk through them.
          const preset = nodePresets[(index + random.int(0, nodePresets.length - 1)) % nodePresets.length]!;
          return { ...preset };
        })
      : spec;
  return specs.map((entry, index) => {
    const maxdisk = (entry.rootDiskGiB ?? 100) * GiB;
    return {
      name: entry.name ?? `pve${index + 1}`,
      nodeid: index + 1,
      ip: `10.0.0.${index + 11}`,
      maxcpu: entry.cores,
      maxmem: entry.memoryGiB * GiB,
      maxdisk,
      rootUsed: Math.round(maxdisk * (0.05 + random.next() * 0.1)),
      online: entry.online ?? true,
      maintenance: entry.maintenance ?? false,
      downtime: (entry.downtime ?? []).map((window) => ({
        fromSec: Math.floor(window.fromMs / 1000),
        toSec: Math.floor(window.toMs / 1000),
      })),
    };
  });
}

function buildStorages(nodes: SimulatedNode[], random: Random): SimulatedStorage[] {
  const names = nodes.map((node) => node.name);
  const storages: SimulatedStorage[] = [
    {
      id: 'local',
      plugintype: 'dir',
      shared: false,
      content: ['iso', 'vztmpl', 'backup'],
      nodes: names,
      totalBytes: 100 * GiB,
    },
    {
      id: 'local-lvm',
      plugintype: 'lvmthin',
      shared: false,
      content: ['images', 'rootdir'],
      nodes: names,
      totalBytes: random.pick([512, 1024, 2048]) * GiB,
    },
    {
      id: 'ceph-vm',
      plugintype: 'rbd',
      shared: true,
      content: ['images', 'rootdir'],
      nodes: names,
      totalBytes: 20 * TiB,
    },
  ];
  const first = nodes[0];
  if (first !== undefined && nodes.length > 1) {
    storages.push({
      id: `nvme-${first.name}`,
      plugintype: 'zfspool',
      shared: false,
      content: ['images', 'rootdir'],
      nodes: [first.name],
      totalBytes: 1.8 * TiB,
    });
  }
  return storages;
}

type Role =
  | 'template'
  | 'locked'
  | 'ha'
  | 'web'
  | 'db'
  | 'ignore'
  | 'pin'
  | 'stopped'
  | 'local-disk'
  | 'node-local-storage'
  | 'growing'
  | 'generic';

const roles: Role[] = [
  'template',
  'locked',
  'ha',
  'ha',
  'web',
  'web',
  'web',
  'db',
  'db',
  'ignore',
  'pin',
  'stopped',
  'local-disk',
  'node-local-storage',
  'growing',
];

function buildGuests(
  options: ClusterSimulatorOptions,
  nodes: SimulatedNode[],
  random: Random,
  nowSec: number,
): SimulatedGuest[] {
  const imbalance = options.imbalance ?? 'mild';
  const hotShare = imbalance === 'severe' ? 0.7 : imbalance === 'mild' ? 0.4 : 0;
  const first = nodes[0]!;
  const assignedMemory = new Map(nodes.map((node) => [node.name, 0]));
  const expectedDemand = new Map<string, { cores: number; bytes: number }>();
  const onlineNodes = nodes.filter((node) => node.online && !node.maintenance);
  const placeable = onlineNodes.length > 0 ? onlineNodes : nodes;
  const leastLoaded = (): SimulatedNode =>
    [...placeable].sort(
      (a, b) => (assignedMemory.get(a.name) ?? 0) / a.maxmem - (assignedMemory.get(b.name) ?? 0) / b.maxmem,
    )[0]!;

  const guests: SimulatedGuest[] = [];
  let webIndex = 0;
  let dbIndex = 0;
  let haIndex = 0;
  let dbPartner: SimulatedNode | undefined;
  for (let index = 0; index < options.guests; index++) {
    const role: Role = roles[index] ?? 'generic';
    const vmid = 100 + index;
    const isCt = role === 'generic' ? index % 3 === 0 : role === 'web' && webIndex === 2;
    const kind: 'qemu' | 'lxc' = isCt ? 'lxc' : 'qemu';
    const maxcpu = kind === 'lxc' ? random.pick([1, 2, 2, 4]) : random.pick([1, 2, 4, 4, 8]);
    const maxmem = (kind === 'lxc' ? random.pick([0.5, 1, 2, 4]) : random.pick([2, 4, 8, 8, 16])) * GiB;

    let node: SimulatedNode;
    let hot = false;
    if (role === 'pin' || role === 'node-local-storage') node = first;
    else if (role === 'db' && dbPartner !== undefined) node = dbPartner;
    else if (role === 'ha') node = placeable[haIndex % placeable.length]!;
    else if (hotShare > 0 && random.chance(hotShare)) {
      node = first;
      hot = role !== 'db';
    } else node = leastLoaded();

    const tags: string[] = [];
    let name = `${kind === 'lxc' ? 'ct' : 'vm'}-${vmid}`;
    let status: SimulatedGuest['status'] = 'running';
    let template = false;
    let lock: string | undefined;
    let haManaged = false;
    let storage = 'ceph-vm';
    let profileKind: SimulatedLoadProfile['kind'] = random.pick(['steady', 'diurnal', 'diurnal', 'bursty']);
    switch (role) {
      case 'template':
        name = 'tpl-debian12';
        status = 'stopped';
        template = true;
        break;
      case 'locked':
        name = 'backup-target';
        lock = 'backup';
        break;
      case 'ha':
        name = `ha-app${++haIndex}`;
        haManaged = true;
        break;
      case 'web':
        name = `web${++webIndex}`;
        tags.push('plb_anti_affinity_web');
        profileKind = 'diurnal';
        break;
      case 'db':
        name = `db${++dbIndex}`;
        tags.push('plb_affinity_db', 'prod');
        profileKind = 'steady';
        dbPartner ??= node;
        break;
      case 'ignore':
        name = 'legacy-erp';
        tags.push('ignore');
        break;
      case 'pin':
        name = 'license-server';
        tags.push(`plb_pin_${first.name}`, 'prod');
        break;
      case 'stopped':
        name = 'old-staging';
        status = 'stopped';
        break;
      case 'local-disk':
        name = 'build-cache';
        storage = 'local-lvm';
        break;
      case 'node-local-storage':
        name = 'fast-db';
        storage = nodes.length > 1 ? `nvme-${first.name}` : 'local-lvm';
        break;
      case 'growing':
        name = 'analytics';
        profileKind = 'growing';
        break;
      default:
        if (random.chance(0.15)) profileKind = 'growing';
    }
    const diskGiB = kind === 'lxc' ? random.pick([8, 16, 32]) : random.pick([32, 64, 128]);
    const disks: SimulatedDisk[] = [
      {
        key: kind === 'lxc' ? 'rootfs' : 'scsi0',
        storage,
        volid: `${storage}:${kind === 'lxc' ? 'subvol' : 'vm'}-${vmid}-disk-0`,
        sizeBytes: diskGiB * GiB,
      },
    ];
    const profile = makeProfile(profileKind, random);
    // An imbalanced cluster is still a physically possible one: the hot node takes guests only
    // while their expected peak demand fits it (about 90 % of its memory, 110 % of its cores at
    // the daily peak), otherwise the guest goes to the least-loaded node like any other.
    const demand = {
      cores: maxcpu * profile.cpuBase * (1 + profile.cpuAmplitude),
      bytes: maxmem * (profile.memoryBase + profile.memoryAmplitude),
    };
    if (hot) {
      const current = expectedDemand.get(node.name) ?? { cores: 0, bytes: 0 };
      if (
        current.cores + demand.cores > node.maxcpu * 1.1 ||
        current.bytes + demand.bytes > node.maxmem * 0.9
      ) {
        node = leastLoaded();
      }
    }
    const expected = expectedDemand.get(node.name) ?? { cores: 0, bytes: 0 };
    expectedDemand.set(node.name, {
      cores: expected.cores + demand.cores,
      bytes: expected.bytes + demand.bytes,
    });
    const startedSec =
      status === 'running'
        ? nowSec - (random.chance(0.1) ? random.int(2, 10) * 3600 : random.int(3, 60) * 86400)
        : nowSec;
    guests.push({
      vmid,
      kind,
      name,
      node: node.name,
      status,
      template,
      lock,
      tags,
      pool: random.chance(0.2) ? 'production' : undefined,
      maxcpu,
      maxmem,
      disks,
      localResources: [],
      haManaged,
      profile,
      startedSec,
      placements: [{ node: node.name, fromSec: 0 }],
    });
    assignedMemory.set(node.name, (assignedMemory.get(node.name) ?? 0) + maxmem);
  }
  return guests;
}

function makeProfile(kind: SimulatedLoadProfile['kind'], random: Random): SimulatedLoadProfile {
  const base = 0.05 + random.next() * 0.4;
  return {
    kind,
    cpuBase: base,
    cpuAmplitude: kind === 'steady' ? 0.05 : 0.3 + random.next() * 0.5,
    peakHour: random.pick([10, 11, 14, 15, 20]),
    noise: 0.1 + random.next() * 0.15,
    growthPerDay: kind === 'growing' ? 0.03 + random.next() * 0.07 : 0,
    burstProbability: kind === 'bursty' ? 0.08 + random.next() * 0.12 : 0,
    burstCpu: kind === 'bursty' ? 0.3 + random.next() * 0.4 : 0,
    memoryBase: 0.3 + random.next() * 0.45,
    memoryAmplitude: kind === 'steady' ? 0.01 : 0.05,
    netBytesPerSecond: random.pick([20_000, 200_000, 2_000_000]),
    diskBytesPerSecond: random.pick([50_000, 500_000, 5_000_000]),
  };
}

function buildHa(
  guests: SimulatedGuest[],
  nodes: SimulatedNode[],
  version: PveVersion,
  rules: SimulatedHaRule[],
  groups: SimulatedHaGroup[],
): void {
  const ha = guests.filter((guest) => guest.haManaged);
  if (ha.length === 0) return;
  const preferred = nodes
    .slice(0, 2)
    .map((node, index) => `${node.name}:${2 - index}`)
    .join(',');
  const sids = ha.map((guest) => `${guest.kind === 'lxc' ? 'ct' : 'vm'}:${guest.vmid}`);
  if (version === 9) {
    rules.push({
      rule: 'ha-app-prefer',
      type: 'node-affinity',
      resources: sids[0]!,
      nodes: preferred,
      strict: false,
    });
    if (sids.length > 1) {
      rules.push({
        rule: 'ha-app-apart',
        type: 'resource-affinity',
        resources: sids.join(','),
        affinity: 'negative',
      });
    }
  } else {
    groups.push({ group: 'ha-prefer', nodes: preferred, restricted: false, nofailback: false });
    ha[0]!.haGroup = 'ha-prefer';
  }
}
