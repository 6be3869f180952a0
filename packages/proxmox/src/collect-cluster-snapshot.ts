import {
  AbortedError,
  type ClusterSnapshot,
  CollectorError,
  clusterSnapshotSchema,
  deriveConstraints,
  type GuestSnapshot,
  type HaRule,
  haRuleFromApi,
  type LocalDisk,
  type MetricsPeriod,
  type NodeSnapshot,
  type StorageSnapshot,
} from '@ballast/core';
import { functionIssue, integerIssue, type OptionIssue, refuseOptions } from './check-options';
import type { ProxmoxClient } from './proxmox-client';
import { checkClusterResources } from './resource-integrity';
import { trimRows } from './rrd-series';
import { guestSeries, nodeSeries, toGuest, toNode, toStorage, vmidFromSid } from './snapshot-from-wire';
import type { ClusterResource, ClusterStatusEntry, HaStatusEntry } from './wire-schemas';

export { splitTags } from './snapshot-from-wire';

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
  const run = startCollection(client, options);
  const resources = await readClusterResources(run);
  const status = await readClusterStatus(run);
  const ha = options.ha === false ? noHa() : await readHa(run);
  const nodes = nodeSnapshots(resources, status, ha.maintenance);
  await collectNodeSeries(run, nodes);
  const guests = resources
    .filter(
      (row) =>
        (row.type === 'qemu' || row.type === 'lxc') && row.vmid !== undefined && row.node !== undefined,
    )
    .map((row) => toGuest(row, ha.services));
  await collectGuestSeries(run, guestsWantingSeries(guests, options.guestSeries));
  if (Array.isArray(options.guestSeries)) {
    // A vmid asked for and not found (a typo, a guest since deleted) is said, not skipped silently.
    const present = new Set(guests.map((guest) => guest.vmid));
    for (const vmid of new Set(options.guestSeries))
      if (!present.has(vmid))
        run.warnings.push(`guestSeries: no guest ${vmid} in the cluster; no series for it`);
  }
  if (options.localStorageContent !== false) await collectLocalStorageContent(run, resources, nodes, guests);
  if (options.checkLocalDisks === true) await checkGuestLocalDisks(run, guests);
  const storages = resources
    .filter((row) => row.type === 'storage' && row.storage !== undefined && row.node !== undefined)
    .map(toStorage);
  const snapshot = validSnapshot(run, nodes, guests, storages, ha.rules);
  run.progress({ phase: 'done', completed: 1, total: 1 });
  return { snapshot, stats: collectionStats(run), warnings: run.warnings };
}

/** One collection in progress: its settings, where warnings go, and the client's counters at the start. */
interface Collection {
  client: ProxmoxClient;
  period: { timeframe: MetricsPeriod & ('hour' | 'day' | 'week'); seconds: number };
  request: { signal?: AbortSignal | undefined };
  concurrency: number;
  warnings: string[];
  progress: (event: CollectionProgress) => void;
  started: number;
  before: { apiCalls: number; retries: number; byEndpoint: Record<string, number> };
}

/**
 * Options are checked before any request: a `concurrency` of `NaN` started no worker at all, so
 * the snapshot came back without a single node series and no warning.
 */
function checkCollectOptions(options: CollectClusterOptions): void {
  const issues: OptionIssue[] = [];
  if (options.period !== undefined && !Object.hasOwn(periods, options.period))
    issues.push({ path: 'period', message: `must be one of ${Object.keys(periods).join(', ')}` });
  const { guestSeries } = options as { guestSeries?: unknown };
  if (
    guestSeries !== undefined &&
    typeof guestSeries !== 'boolean' &&
    !(Array.isArray(guestSeries) && guestSeries.every((vmid) => Number.isSafeInteger(vmid) && vmid > 0))
  )
    issues.push({
      path: 'guestSeries',
      message: 'must be true, false or a list of vmids (positive integers)',
    });
  issues.push(...integerIssue('concurrency', options.concurrency, 1));
  issues.push(...functionIssue('onProgress', options.onProgress));
  refuseOptions('Proxmox collection options', issues);
}

function startCollection(client: ProxmoxClient, options: CollectClusterOptions): Collection {
  checkCollectOptions(options);
  const period = periods[options.period ?? '24h'];
  if (period === undefined) {
    throw new CollectorError({ message: `Unknown period ${String(options.period)}`, source: 'proxmox' });
  }
  return {
    client,
    period,
    request: { signal: options.signal },
    concurrency: options.concurrency ?? 4,
    warnings: [],
    progress: (event) => options.onProgress?.(event),
    started: Date.now(),
    before: {
      apiCalls: client.stats.apiCalls,
      retries: client.stats.retries,
      byEndpoint: { ...client.stats.byEndpoint },
    },
  };
}

/** `/cluster/resources`, refused when numbers a plan needs are missing or impossible. */
async function readClusterResources(run: Collection): Promise<ClusterResource[]> {
  run.progress({ phase: 'cluster', completed: 0, total: 2 });
  const resources = await run.client.getClusterResources(run.request);
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
  run.warnings.push(...integrity.warnings);
  return resources;
}

/** `/cluster/status` (online flags and quorum); a warning, not a failure, when unavailable. */
async function readClusterStatus(run: Collection): Promise<ClusterStatusEntry[]> {
  const status = await run.client.getClusterStatus(run.request).catch((error: unknown) => {
    rethrowAbort(error);
    run.warnings.push(`cluster status unavailable: ${message(error)}`);
    return [];
  });
  run.progress({ phase: 'cluster', completed: 2, total: 2 });
  const clusterEntry = status.find((entry) => entry.type === 'cluster');
  if (clusterEntry?.quorate === false) run.warnings.push('the cluster reports no quorum');
  return status;
}

/** What HA says: which guests it manages, which nodes are in maintenance, and its rules. */
interface HaFacts {
  services: Map<number, HaStatusEntry>;
  maintenance: Set<string>;
  rules: HaRule[];
}

function noHa(): HaFacts {
  return { services: new Map(), maintenance: new Set(), rules: [] };
}

async function readHa(run: Collection): Promise<HaFacts> {
  run.progress({ phase: 'ha', completed: 0, total: 2 });
  const entries = await run.client.getHaStatus(run.request).catch((error: unknown) => {
    rethrowAbort(error);
    run.warnings.push(`HA status unavailable: ${message(error)}`);
    return [];
  });
  const rules = await collectHaRules(run.client, run.request, run.warnings);
  run.progress({ phase: 'ha', completed: 2, total: 2 });
  const facts: HaFacts = { services: new Map(), maintenance: new Set(), rules };
  for (const entry of entries) {
    if (entry.type === 'service') {
      const vmid = vmidFromSid(entry.sid ?? entry.id.replace(/^service:/, ''));
      if (vmid !== undefined) facts.services.set(vmid, entry);
    } else if ((entry.type === 'lrm' || entry.type === 'node') && entry.node !== undefined) {
      if (/maintenance/i.test(entry.status ?? '')) facts.maintenance.add(entry.node);
    }
  }
  return facts;
}

/** Nodes from the resources, offline when `/cluster/status` says so, in maintenance when HA says so. */
function nodeSnapshots(
  resources: readonly ClusterResource[],
  status: readonly ClusterStatusEntry[],
  maintenance: Set<string>,
): NodeSnapshot[] {
  const onlineFromStatus = new Map<string, boolean>();
  for (const entry of status) {
    if (entry.type === 'node' && entry.name !== undefined && entry.online !== undefined) {
      onlineFromStatus.set(entry.name, entry.online);
    }
  }
  return resources
    .filter((row) => row.type === 'node' && row.node !== undefined)
    .map((row) => toNode(row, onlineFromStatus, maintenance));
}

/** One `rrddata` per online node. */
async function collectNodeSeries(run: Collection, nodes: NodeSnapshot[]): Promise<void> {
  const online = nodes.filter((node) => node.status === 'online');
  let done = 0;
  run.progress({ phase: 'node-series', completed: 0, total: online.length });
  await mapLimit(online, run.concurrency, async (node) => {
    try {
      const rows = trimRows(
        await run.client.getNodeRrdData(node.name, { timeframe: run.period.timeframe, ...run.request }),
        run.period.seconds,
      );
      const series = nodeSeries(rows, node.cpu.cores);
      if (Object.keys(series).length > 0) node.series = series;
    } catch (error) {
      rethrowAbort(error);
      run.warnings.push(`RRD of node ${node.name} unavailable: ${message(error)}`);
    }
    run.progress({ phase: 'node-series', completed: ++done, total: online.length, node: node.name });
  });
}

function guestsWantingSeries(
  guests: GuestSnapshot[],
  wanted: CollectClusterOptions['guestSeries'],
): GuestSnapshot[] {
  if (wanted === true) return guests.filter((guest) => guest.status === 'running' && !guest.template);
  if (Array.isArray(wanted)) return guests.filter((guest) => wanted.includes(guest.vmid));
  return [];
}

/** One guest `rrddata` per guest asked for. */
async function collectGuestSeries(run: Collection, wanted: GuestSnapshot[]): Promise<void> {
  let done = 0;
  if (wanted.length > 0) run.progress({ phase: 'guest-series', completed: 0, total: wanted.length });
  await mapLimit(wanted, run.concurrency, async (guest) => {
    try {
      const rows = trimRows(
        await run.client.getGuestRrdData(guest.node, guest.kind === 'vm' ? 'qemu' : 'lxc', guest.vmid, {
          timeframe: run.period.timeframe,
          ...run.request,
        }),
        run.period.seconds,
      );
      const series = guestSeries(rows, guest.cpu.cores);
      if (Object.keys(series).length > 0) guest.series = series;
    } catch (error) {
      rethrowAbort(error);
      run.warnings.push(`RRD of guest ${guest.vmid} unavailable: ${message(error)}`);
    }
    run.progress({ phase: 'guest-series', completed: ++done, total: wanted.length, vmid: guest.vmid });
  });
}

/** Local disks from the content of node-local storages: one call per local storage, not per guest. */
async function collectLocalStorageContent(
  run: Collection,
  resources: readonly ClusterResource[],
  nodes: readonly NodeSnapshot[],
  guests: readonly GuestSnapshot[],
): Promise<void> {
  const guestsByNode = new Map<string, Map<number, GuestSnapshot>>();
  for (const guest of guests) {
    const onNode = guestsByNode.get(guest.node) ?? new Map<number, GuestSnapshot>();
    onNode.set(guest.vmid, guest);
    guestsByNode.set(guest.node, onNode);
  }
  const onlineNodeNames = new Set(nodes.filter((node) => node.status === 'online').map((node) => node.name));
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
  let done = 0;
  if (localStorages.length > 0)
    run.progress({ phase: 'storage-content', completed: 0, total: localStorages.length });
  await mapLimit(localStorages, run.concurrency, async (row) => {
    try {
      const volumes = await run.client.getStorageContent(row.node!, row.storage!, run.request);
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
      run.warnings.push(`volumes of storage ${row.storage} on ${row.node} unknown: ${message(error)}`);
    }
    run.progress({
      phase: 'storage-content',
      completed: ++done,
      total: localStorages.length,
      node: row.node!,
    });
  });
}

/** Local disks from each guest's migrate precondition (the authoritative source, one call per guest). */
async function checkGuestLocalDisks(run: Collection, guests: readonly GuestSnapshot[]): Promise<void> {
  let done = 0;
  run.progress({ phase: 'local-disks', completed: 0, total: guests.length });
  await mapLimit(guests, run.concurrency, async (guest) => {
    try {
      const precondition = await run.client.getMigratePrecondition(
        guest.node,
        guest.kind === 'vm' ? 'qemu' : 'lxc',
        guest.vmid,
        run.request,
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
      if (!unsupported) run.warnings.push(`local disks of guest ${guest.vmid} unknown: ${message(error)}`);
    }
    run.progress({ phase: 'local-disks', completed: ++done, total: guests.length, vmid: guest.vmid });
  });
}

/** The snapshot, with its derived constraints, checked against the schema every consumer relies on. */
function validSnapshot(
  run: Collection,
  nodes: NodeSnapshot[],
  guests: GuestSnapshot[],
  storages: StorageSnapshot[],
  haRules: HaRule[],
): ClusterSnapshot {
  const parsed = clusterSnapshotSchema.safeParse({
    collectedAt: run.started,
    source: { kind: 'proxmox', endpoint: run.client.baseUrl },
    period: run.period.timeframe,
    nodes,
    guests,
    storages,
    constraints: deriveConstraints(guests, haRules, nodes),
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
  return parsed.data;
}

/** The client's counters since the collection started. */
function collectionStats(run: Collection): CollectionResult['stats'] {
  const { client, before } = run;
  const byEndpoint: Record<string, number> = {};
  for (const [endpoint, count] of Object.entries(client.stats.byEndpoint)) {
    const delta = count - (before.byEndpoint[endpoint] ?? 0);
    if (delta > 0) byEndpoint[endpoint] = delta;
  }
  return {
    apiCalls: client.stats.apiCalls - before.apiCalls,
    retries: client.stats.retries - before.retries,
    durationMs: Date.now() - run.started,
    byEndpoint,
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
