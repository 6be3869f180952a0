import type { GuestSeries, GuestSnapshot, NodeSeries, NodeSnapshot, StorageSnapshot } from '@ballast/core';
import { nonEmpty, rrdSeries } from './rrd-series';
import type { ClusterResource, HaStatusEntry, RrdRow } from './wire-schemas';

/**
 * Proxmox wire rows to snapshot entries. Units: CPU in cores (`cpu × maxcpu`), memory and disk in
 * bytes, RRD rates in bytes/s; omitted RRD values are skipped, never read as 0.
 */

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

/** @internal */
export function toNode(
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

/** @internal */
export function toGuest(row: ClusterResource, haServices: Map<number, HaStatusEntry>): GuestSnapshot {
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

/** @internal */
export function nodeSeries(rows: RrdRow[], fallbackCores: number): NodeSeries {
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

/** @internal */
export function guestSeries(rows: RrdRow[], fallbackCores: number): GuestSeries {
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

/** The vmid of an HA service id (`vm:101`, `ct:102`). @internal */
export function vmidFromSid(sid: string): number | undefined {
  const match = /^(?:vm|ct):(\d+)$/.exec(sid);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

/** @internal */
export function toStorage(row: ClusterResource): StorageSnapshot {
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
}
