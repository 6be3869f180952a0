import {
  AbortedError,
  type ClusterSnapshot,
  CollectorError,
  clusterSnapshotSchema,
  deriveConstraints,
  type GuestSeries,
  type GuestSnapshot,
  type HaRule,
  haRuleFromApi,
  type LocalDisk,
  type MetricsPeriod,
  type NodeSeries,
  type NodeSnapshot,
  type StorageSnapshot,
} from '@ballast/core';
import type { ProxmoxClient } from './proxmox-client';
import { checkClusterResources } from './resource-integrity';
import { nonEmpty, rrdSeries, trimRows } from './rrd-series';
import type { ClusterResource, HaStatusEntry, RrdRow } from './wire-schemas';

/** The history a collection covers. */
export type CollectionPeriod = '1h' | '6h' | '24h' | '7d';

/** Progress of a collection, for a progress bar or a log. */
export interface CollectionProgress {
  phase: 'cluster' | 'ha' | 'node-series' | 'guest-series' | 'storage-content' | 'local-disks' | 'done';
  completed: number;
  total: number;
  node?: string;
  vmid?: number;
}

/** Options of {@link collectClusterSnapshot}. */
export interface CollectClusterOptions {
  /** Default `'24h'`. RRD timeframe: 1h → hour, 6h → day (trimmed to 6 h), 24h → day, 7d → week. */
  period?: CollectionPeriod;
  /** Guest RRD too: `true` for every running guest, or a list of vmids. Default none. */
  guestSeries?: boolean | number[];
  /**
   * Find each guest's local disks by listing the volumes of every node-local storage (one call per
   * local storage of an online node). Default true: without it a planner cannot tell that a guest
   * on node-local storage cannot move without `with-local-disks`.
   */
  localStorageContent?: boolean;
  /** Ask each guest's migrate precondition for its local disks (one call per guest). Default false. */
  checkLocalDisks?: boolean;
  /** Read HA status and rules (2–4 calls). Default true. */
  ha?: boolean;
  /** Parallel per-node / per-guest requests. Default 4. */
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: (progress: CollectionProgress) => void;
}

/** A snapshot plus how it was collected. */
export interface CollectionResult {
  snapshot: ClusterSnapshot;
  /** HTTP requests of this collection (retries included) and per endpoint. */
  stats: { apiCalls: number; retries: number; durationMs: number; byEndpoint: Record<string, number> };
  /** Non-fatal problems (an RRD that failed, a rule that did not parse, no quorum…). */
  warnings: string[];
}

const periods: Record<
  CollectionPeriod,
  { timeframe: MetricsPeriod & ('hour' | 'day' | 'week'); seconds: number }
> = {
  '1h': { timeframe: 'hour', seconds: 3600 },
  '6h': { timeframe: 'day', seconds: 6 * 3600 },
  '24h': { timeframe: 'day', seconds: 24 * 3600 },
  '7d': { timeframe: 'week', seconds: 7 * 24 * 3600 },
};

/**
 * Splits a Proxmox tag list. PVE 9 writes `a;b`; PVE 8 and older configs also used `,` and spaces.
 *
 * @example
 * ```ts
 * splitTags('plb_affinity_db;prod'); // ['plb_affinity_db', 'prod']
 * splitTags('a, b c'); // ['a', 'b', 'c']
 * ```
 */
export function splitTags(tags: string | undefined): string[] {
  if (tags === undefined) return [];
  return tags
    .split(/[;,\s]+/)
    .map((tag) => tag.trim())
    .filter((tag) => tag.length > 0);
}

/**
 * Collects a {@link ClusterSnapshot} and reports the API calls it took.
 *
 * Calls: `/cluster/resources` once (nodes, guests, storages), `/cluster/status`, with `ha` (default)
 * `/cluster/ha/status/current` and `/cluster/ha/rules` (plus `/cluster/ha/groups` when there are no
 * rules, and `/cluster/ha/resources` when PVE 8 groups exist), then one `rrddata` per online node.
 * Guest RRD and local-disk checks add one call per guest, only when asked.
 *
 * @example
 * ```ts
 * const { snapshot, stats } = await collectCluster(client, { period: '24h' });
 * console.log(snapshot.nodes.length, 'nodes in', stats.apiCalls, 'calls');
 * ```
 */
export async function collectCluster(
  client: ProxmoxClient,
  options: CollectClusterOptions = {},
): Promise<CollectionResult> {
  const started = Date.now();
  const callsBefore = client.stats.apiCalls;
  const retriesBefore = client.stats.retries;
  const endpointsBefore = { ...client.stats.byEndpoint };
  const period = periods[options.period ?? '24h'];
  if (period === undefined) {
    throw new CollectorError({ message: `Unknown period ${String(options.period)}`, source: 'proxmox' });
  }
  const signal = options.signal;
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 4));
  const warnings: string[] = [];
  const progress = (event: CollectionProgress) => options.onProgress?.(event);
  const request = { signal };

  progress({ phase: 'cluster', completed: 0, total: 2 });
  const resources = await client.getClusterResources(request);
  // Missing or impossible numbers must not become zeros in the snapshot (see checkClusterResources).
  const integrity = checkClusterResources(resources);
  if (integrity.problems.length > 0) {
    const shown = integrity.problems.slice(0, 10);
    const more = integrity.problems.length - shown.length;
    throw new CollectorError({
      message: `Proxmox /cluster/resources is missing or contradicts data a plan needs: ${shown.join('; ')}${
        more > 0 ? `; and ${more} more` : ''
      }`,
      source: 'proxmox',
      endpoint: 'GET /cluster/resources',
      statusCode: 200,
    });
  }
  warnings.push(...integrity.warnings);
  const status = await client.getClusterStatus(request).catch((error: unknown) => {
    rethrowAbort(error);
    warnings.push(`cluster status unavailable: ${message(error)}`);
    return [];
  });
  progress({ phase: 'cluster', completed: 2, total: 2 });
  const clusterEntry = status.find((entry) => entry.type === 'cluster');
  if (clusterEntry?.quorate === false) warnings.push('the cluster reports no quorum');

  // HA: which guests are managed, which nodes are in maintenance, and the rules.
  let haEntries: HaStatusEntry[] = [];
  let haRules: HaRule[] = [];
  if (options.ha !== false) {
    progress({ phase: 'ha', completed: 0, total: 2 });
    haEntries = await client.getHaStatus(request).catch((error: unknown) => {
      rethrowAbort(error);
      warnings.push(`HA status unavailable: ${message(error)}`);
      return [];
    });
    haRules = await collectHaRules(client, request, warnings);
    progress({ phase: 'ha', completed: 2, total: 2 });
  }
  const haServices = new Map<number, HaStatusEntry>();
  const maintenanceFromHa = new Set<string>();
  for (const entry of haEntries) {
    if (entry.type === 'service') {
      const vmid = vmidFromSid(entry.sid ?? entry.id.replace(/^service:/, ''));
      if (vmid !== undefined) haServices.set(vmid, entry);
    } else if ((entry.type === 'lrm' || entry.type === 'node') && entry.node !== undefined) {
      if (/maintenance/i.test(entry.status ?? '')) maintenanceFromHa.add(entry.node);
    }
  }

  // Nodes.
  const onlineFromStatus = new Map<string, boolean>();
  for (const entry of status) {
    if (entry.type === 'node' && entry.name !== undefined && entry.online !== undefined) {
      onlineFromStatus.set(entry.name, entry.online);
    }
  }
  const nodeRows = resources.filter((row) => row.type === 'node' && row.node !== undefined);
  const nodes: NodeSnapshot[] = nodeRows.map((row) => toNode(row, onlineFromStatus, maintenanceFromHa));

  // Node series: one rrddata per online node.
  const online = nodes.filter((node) => node.status === 'online');
  let done = 0;
  progress({ phase: 'node-series', completed: 0, total: online.length });
  await mapLimit(online, concurrency, async (node) => {
    try {
      const rows = trimRows(
        await client.getNodeRrdData(node.name, { timeframe: period.timeframe, signal }),
        period.seconds,
      );
      const series = nodeSeries(rows, node.cpu.cores);
      if (Object.keys(series).length > 0) node.series = series;
    } catch (error) {
      rethrowAbort(error);
      warnings.push(`RRD of node ${node.name} unavailable: ${message(error)}`);
    }
    progress({ phase: 'node-series', completed: ++done, total: online.length, node: node.name });
  });

  // Guests.
  const guestRows = resources.filter(
    (row) => (row.type === 'qemu' || row.type === 'lxc') && row.vmid !== undefined && row.node !== undefined,
  );
  const guests: GuestSnapshot[] = guestRows.map((row) => toGuest(row, haServices));
  const rowByVmid = new Map(guestRows.map((row) => [row.vmid!, row]));

  const wanted =
    options.guestSeries === true
      ? guests.filter((guest) => guest.status === 'running' && !guest.template)
      : Array.isArray(options.guestSeries)
        ? guests.filter((guest) => (options.guestSeries as number[]).includes(guest.vmid))
        : [];
  done = 0;
  if (wanted.length > 0) progress({ phase: 'guest-series', completed: 0, total: wanted.length });
  await mapLimit(wanted, concurrency, async (guest) => {
    try {
      const rows = trimRows(
        await client.getGuestRrdData(guest.node, guest.kind === 'vm' ? 'qemu' : 'lxc', guest.vmid, {
          timeframe: period.timeframe,
          signal,
        }),
        period.seconds,
      );
      const series = guestSeries(rows, guest.cpu.cores);
      if (Object.keys(series).length > 0) guest.series = series;
    } catch (error) {
      rethrowAbort(error);
      warnings.push(`RRD of guest ${guest.vmid} unavailable: ${message(error)}`);
    }
    progress({ phase: 'guest-series', completed: ++done, total: wanted.length, vmid: guest.vmid });
  });

  // Local disks from the content of node-local storages: one call per local storage, not per guest.
  if (options.localStorageContent !== false) {
    const guestsByNode = new Map<string, Map<number, GuestSnapshot>>();
    for (const guest of guests) {
      const onNode = guestsByNode.get(guest.node) ?? new Map<number, GuestSnapshot>();
      onNode.set(guest.vmid, guest);
      guestsByNode.set(guest.node, onNode);
    }
    const onlineNodeNames = new Set(
      nodes.filter((node) => node.status === 'online').map((node) => node.name),
    );
    const localStorages = resources.filter(
      (row) =>
        row.type === 'storage' &&
        row.storage !== undefined &&
        row.node !== undefined &&
        onlineNodeNames.has(row.node) &&
        row.shared !== true &&
        row.status === 'available' &&
        /images|rootdir/.test(row.content ?? 'images'),
    );
    done = 0;
    if (localStorages.length > 0)
      progress({ phase: 'storage-content', completed: 0, total: localStorages.length });
    await mapLimit(localStorages, concurrency, async (row) => {
      try {
        const volumes = await client.getStorageContent(row.node!, row.storage!, request);
        for (const volume of volumes) {
          const owner = volume.vmid === undefined ? undefined : guestsByNode.get(row.node!)?.get(volume.vmid);
          if (!owner || owner.localDisks.some((disk) => disk.volumeId === volume.volid)) continue;
          owner.localDisks.push({
            volumeId: volume.volid,
            storage: row.storage!,
            sizeBytes: Math.max(0, volume.size ?? 0),
          });
          if (!owner.storages.includes(row.storage!)) owner.storages.push(row.storage!);
        }
      } catch (error) {
        rethrowAbort(error);
        warnings.push(`volumes of storage ${row.storage} on ${row.node} unknown: ${message(error)}`);
      }
      progress({ phase: 'storage-content', completed: ++done, total: localStorages.length, node: row.node! });
    });
  }

  // Local disks, from the migrate precondition (the authoritative source), only when asked.
  if (options.checkLocalDisks === true) {
    const candidates = guests.filter((guest) => rowByVmid.get(guest.vmid) !== undefined);
    done = 0;
    progress({ phase: 'local-disks', completed: 0, total: candidates.length });
    await mapLimit(candidates, concurrency, async (guest) => {
      try {
        const precondition = await client.getMigratePrecondition(
          guest.node,
          guest.kind === 'vm' ? 'qemu' : 'lxc',
          guest.vmid,
          request,
        );
        guest.localDisks = precondition.local_disks.map(
          (disk): LocalDisk => ({
            volumeId: disk.volid,
            storage: disk.volid.split(':')[0] ?? disk.volid,
            sizeBytes: Math.max(0, disk.size ?? 0),
          }),
        );
        guest.storages = [...new Set(guest.localDisks.map((disk) => disk.storage))];
      } catch (error) {
        rethrowAbort(error);
        const unsupported =
          CollectorError.isInstance(error) && (error.statusCode === 501 || error.statusCode === 404);
        if (!unsupported) warnings.push(`local disks of guest ${guest.vmid} unknown: ${message(error)}`);
      }
      progress({ phase: 'local-disks', completed: ++done, total: candidates.length, vmid: guest.vmid });
    });
  }

  const storages: StorageSnapshot[] = resources
    .filter((row) => row.type === 'storage' && row.storage !== undefined && row.node !== undefined)
    .map((row) => {
      const storage: StorageSnapshot = {
        id: row.storage!,
        node: row.node!,
        shared: row.shared ?? false,
        status: row.status === 'available' ? 'available' : 'unknown',
        totalBytes: Math.max(0, row.maxdisk ?? 0),
        usedBytes: Math.max(0, row.disk ?? 0),
        content: (row.content ?? '').split(',').filter((item) => item.length > 0),
      };
      if (row.plugintype !== undefined) storage.type = row.plugintype;
      return storage;
    });

  const constraints = deriveConstraints(guests, haRules, nodes);
  const parsed = clusterSnapshotSchema.safeParse({
    collectedAt: started,
    source: { kind: 'proxmox', endpoint: client.baseUrl },
    period: period.timeframe,
    nodes,
    guests,
    storages,
    constraints,
    haRules,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CollectorError({
      message: `Proxmox data did not form a valid snapshot: ${issue?.path.map(String).join('.')}: ${issue?.message}`,
      source: 'proxmox',
      endpoint: 'GET /cluster/resources',
      cause: parsed.error,
    });
  }
  progress({ phase: 'done', completed: 1, total: 1 });

  const byEndpoint: Record<string, number> = {};
  for (const [endpoint, count] of Object.entries(client.stats.byEndpoint)) {
    const delta = count - (endpointsBefore[endpoint] ?? 0);
    if (delta > 0) byEndpoint[endpoint] = delta;
  }
  return {
    snapshot: parsed.data,
    stats: {
      apiCalls: client.stats.apiCalls - callsBefore,
      retries: client.stats.retries - retriesBefore,
      durationMs: Date.now() - started,
      byEndpoint,
    },
    warnings,
  };
}

/**
 * Collects a {@link ClusterSnapshot} from a Proxmox VE cluster (see {@link collectCluster} for the
 * calls it makes). Units: CPU in cores (`cpu × maxcpu`), memory and disk in bytes, RRD rates in
 * bytes/s; omitted RRD values are skipped, never read as 0.
 *
 * @example
 * ```ts
 * const snapshot = await collectClusterSnapshot(client, { period: '6h', guestSeries: [101, 102] });
 * ```
 */
export async function collectClusterSnapshot(
  client: ProxmoxClient,
  options: CollectClusterOptions = {},
): Promise<ClusterSnapshot> {
  return (await collectCluster(client, options)).snapshot;
}

async function collectHaRules(
  client: ProxmoxClient,
  request: { signal?: AbortSignal | undefined },
  warnings: string[],
): Promise<HaRule[]> {
  const rules: HaRule[] = [];
  try {
    const wire = await client.getHaRules(request);
    for (const entry of wire) {
      try {
        rules.push(haRuleFromApi(entry));
      } catch {
        warnings.push(`HA rule ${entry.rule} (${entry.type}) not understood; ignored`);
      }
    }
    if (wire.length > 0) return rules;
    // PVE 8 (no rules endpoint) or no rules: node preferences live in HA groups.
    const groups = await client.getHaGroups(request);
    if (groups.length === 0) return rules;
    const resources = await client.getHaResources(request);
    for (const group of groups) {
      const members = resources
        .filter((resource) => resource.group === group.group)
        .map((resource) => resource.sid);
      if (members.length === 0) continue;
      try {
        rules.push(
          haRuleFromApi({
            rule: `group:${group.group}`,
            type: 'node-affinity',
            resources: members.join(','),
            nodes: group.nodes,
            strict: group.restricted ?? false,
          }),
        );
      } catch {
        warnings.push(`HA group ${group.group} not understood; ignored`);
      }
    }
  } catch (error) {
    rethrowAbort(error);
    warnings.push(`HA rules unavailable: ${message(error)}`);
  }
  return rules;
}

function toNode(
  row: ClusterResource,
  onlineFromStatus: Map<string, boolean>,
  maintenanceFromHa: Set<string>,
): NodeSnapshot {
  const name = row.node!;
  let status: NodeSnapshot['status'] =
    row.status === 'online' ? 'online' : row.status === 'offline' ? 'offline' : 'unknown';
  if (onlineFromStatus.get(name) === false) status = 'offline';
  const up = status === 'online';
  const cores = Math.max(0, row.maxcpu ?? 0);
  const node: NodeSnapshot = {
    name,
    status,
    maintenance: row.hastate === 'maintenance' || maintenanceFromHa.has(name),
    cpu: { cores, usageCores: up ? Math.max(0, (row.cpu ?? 0) * cores) : 0 },
    memory: { totalBytes: Math.max(0, row.maxmem ?? 0), usedBytes: up ? Math.max(0, row.mem ?? 0) : 0 },
    rootDisk: { totalBytes: Math.max(0, row.maxdisk ?? 0), usedBytes: up ? Math.max(0, row.disk ?? 0) : 0 },
  };
  if (row.hastate !== undefined) node.haState = row.hastate;
  return node;
}

const guestStatuses = new Set(['running', 'stopped', 'paused', 'suspended']);

function toGuest(row: ClusterResource, haServices: Map<number, HaStatusEntry>): GuestSnapshot {
  const vmid = row.vmid!;
  const service = haServices.get(vmid);
  const cores = Math.max(0, row.maxcpu ?? 0);
  const running = row.status === 'running';
  const guest: GuestSnapshot = {
    vmid,
    name: row.name ?? `${row.type === 'lxc' ? 'CT' : 'VM'} ${vmid}`,
    kind: row.type === 'lxc' ? 'ct' : 'vm',
    node: row.node!,
    status: guestStatuses.has(row.status ?? '') ? (row.status as GuestSnapshot['status']) : 'unknown',
    template: row.template ?? false,
    tags: splitTags(row.tags),
    haManaged: row.hastate !== undefined || service !== undefined,
    cpu: { cores, usageCores: running ? Math.max(0, (row.cpu ?? 0) * cores) : 0 },
    memory: { maxBytes: Math.max(0, row.maxmem ?? 0), usedBytes: running ? Math.max(0, row.mem ?? 0) : 0 },
    storages: [],
    localDisks: [],
  };
  if (row.lock !== undefined && row.lock !== '') guest.lock = row.lock;
  const haState = row.hastate ?? service?.state;
  if (haState !== undefined) guest.haState = haState;
  if (row.pool !== undefined) guest.pool = row.pool;
  return guest;
}

function nodeSeries(rows: RrdRow[], fallbackCores: number): NodeSeries {
  const series: NodeSeries = {};
  const set = <K extends keyof NodeSeries>(key: K, read: (row: RrdRow) => number | undefined) => {
    const value = nonEmpty(rrdSeries(rows, read));
    if (value !== undefined) series[key] = value;
  };
  set('cpuCores', (row) => (row.cpu === undefined ? undefined : row.cpu * (row.maxcpu ?? fallbackCores)));
  set('memoryUsedBytes', (row) => row.memused);
  set('rootDiskUsedBytes', (row) => row.rootused);
  set('ioWaitFraction', (row) => row.iowait);
  set('loadAverage', (row) => row.loadavg);
  set('netInBytesPerSecond', (row) => row.netin);
  set('netOutBytesPerSecond', (row) => row.netout);
  return series;
}

function guestSeries(rows: RrdRow[], fallbackCores: number): GuestSeries {
  const series: GuestSeries = {};
  const set = <K extends keyof GuestSeries>(key: K, read: (row: RrdRow) => number | undefined) => {
    const value = nonEmpty(rrdSeries(rows, read));
    if (value !== undefined) series[key] = value;
  };
  set('cpuCores', (row) => (row.cpu === undefined ? undefined : row.cpu * (row.maxcpu ?? fallbackCores)));
  set('memoryUsedBytes', (row) => row.mem);
  set('diskReadBytesPerSecond', (row) => row.diskread);
  set('diskWriteBytesPerSecond', (row) => row.diskwrite);
  set('netInBytesPerSecond', (row) => row.netin);
  set('netOutBytesPerSecond', (row) => row.netout);
  return series;
}

function vmidFromSid(sid: string): number | undefined {
  const match = /^(?:vm|ct):(\d+)$/.exec(sid);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

function rethrowAbort(error: unknown): void {
  if (AbortedError.isInstance(error)) throw error;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Runs `task` over `items` with at most `limit` in flight; rejects on the first failure. */
export async function mapLimit<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
