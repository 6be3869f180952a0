import { z } from 'zod';

/**
 * A number that PVE may send as a numeric string (`"0.46"` for LXC pressure, `"3400.000"` for MHz).
 * Empty or non-numeric strings are rejected, never turned into 0.
 */
export const wireNumber = z.preprocess((value) => {
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : value;
  }
  return value;
}, z.number());

/** A PVE boolean: `0`/`1` (Perl), `"0"`/`"1"`, or a real JSON boolean. */
export const wireBoolean = z.preprocess((value) => {
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') {
    if (value === '1' || value.toLowerCase() === 'true') return true;
    if (value === '0' || value.toLowerCase() === 'false' || value === '') return false;
  }
  return value;
}, z.boolean());

const optionalNumber = wireNumber.optional();
const optionalString = z.string().optional();

/**
 * One `GET /cluster/resources` row. Only `id` and `type` are required; everything else depends on
 * the type (node, qemu, lxc, storage, pool, sdn/network) and on the PVE version.
 *
 * @example
 * ```ts
 * const row = clusterResourceSchema.parse({ id: 'node/pve1', type: 'node', node: 'pve1', cpu: 0.1, maxcpu: 8 });
 * ```
 */
export const clusterResourceSchema = z.looseObject({
  id: z.string(),
  type: z.string(),
  node: optionalString,
  status: optionalString,
  name: optionalString,
  vmid: optionalNumber,
  template: wireBoolean.optional(),
  cpu: optionalNumber,
  maxcpu: optionalNumber,
  mem: optionalNumber,
  maxmem: optionalNumber,
  memhost: optionalNumber,
  disk: optionalNumber,
  maxdisk: optionalNumber,
  netin: optionalNumber,
  netout: optionalNumber,
  diskread: optionalNumber,
  diskwrite: optionalNumber,
  uptime: optionalNumber,
  tags: optionalString,
  lock: optionalString,
  pool: optionalString,
  hastate: optionalString,
  storage: optionalString,
  plugintype: optionalString,
  shared: wireBoolean.optional(),
  content: optionalString,
  level: optionalString,
});

/** A `/cluster/resources` row. */
export type ClusterResource = z.infer<typeof clusterResourceSchema>;

/**
 * One `GET /cluster/status` entry: the `cluster` entry or a `node` entry.
 *
 * @example
 * ```ts
 * clusterStatusEntrySchema.parse({ type: 'node', id: 'node/pve1', name: 'pve1', online: 1 }).online; // true
 * ```
 */
export const clusterStatusEntrySchema = z.looseObject({
  type: z.string(),
  id: z.string(),
  name: optionalString,
  nodes: optionalNumber,
  quorate: wireBoolean.optional(),
  version: optionalNumber,
  nodeid: optionalNumber,
  ip: optionalString,
  local: wireBoolean.optional(),
  online: wireBoolean.optional(),
  level: optionalString,
});

/** A `/cluster/status` entry. */
export type ClusterStatusEntry = z.infer<typeof clusterStatusEntrySchema>;

/**
 * One `GET /cluster/ha/status/current` entry (`quorum`, `master`, `lrm`, `node`, `service`).
 *
 * @example
 * ```ts
 * haStatusEntrySchema.parse({ id: 'service:vm:100', type: 'service', sid: 'vm:100', node: 'pve1', state: 'started' });
 * ```
 */
export const haStatusEntrySchema = z.looseObject({
  id: z.string(),
  type: z.string(),
  node: optionalString,
  sid: optionalString,
  state: optionalString,
  status: optionalString,
  request_state: optionalString,
  crm_state: optionalString,
  quorate: wireBoolean.optional(),
});

/** A `/cluster/ha/status/current` entry. */
export type HaStatusEntry = z.infer<typeof haStatusEntrySchema>;

/**
 * One `GET /cluster/ha/rules` entry (PVE 9), before normalisation by `haRuleFromApi`.
 *
 * @example
 * ```ts
 * haRuleWireSchema.parse({ rule: 'r1', type: 'node-affinity', resources: 'vm:101', nodes: 'pve1', strict: 1 });
 * ```
 */
export const haRuleWireSchema = z.looseObject({
  rule: z.string(),
  type: z.string(),
  resources: z.union([z.string(), z.array(z.string())]),
  nodes: z.union([z.string(), z.array(z.string())]).optional(),
  affinity: optionalString,
  strict: wireBoolean.optional(),
  disable: wireBoolean.optional(),
});

/** A `/cluster/ha/rules` entry. */
export type HaRuleWire = z.infer<typeof haRuleWireSchema>;

/**
 * One `GET /cluster/ha/resources` entry.
 *
 * @example
 * ```ts
 * haResourceSchema.parse({ sid: 'vm:101', type: 'vm', state: 'started', group: 'prefer-pve1' });
 * ```
 */
export const haResourceSchema = z.looseObject({
  sid: z.string(),
  type: optionalString,
  state: optionalString,
  group: optionalString,
});

/** A `/cluster/ha/resources` entry. */
export type HaResource = z.infer<typeof haResourceSchema>;

/**
 * One `GET /cluster/ha/groups` entry (PVE 8; PVE 9 turned groups into node-affinity rules).
 *
 * @example
 * ```ts
 * haGroupSchema.parse({ group: 'g1', nodes: 'pve1:2,pve2', restricted: 1 }).restricted; // true
 * ```
 */
export const haGroupSchema = z.looseObject({
  group: z.string(),
  nodes: z.string().default(''),
  restricted: wireBoolean.optional(),
  nofailback: wireBoolean.optional(),
});

/** A `/cluster/ha/groups` entry. */
export type HaGroup = z.infer<typeof haGroupSchema>;

/**
 * `GET /cluster/options` (datacenter.cfg). `crs` is a property string such as `ha=static`.
 *
 * @example
 * ```ts
 * clusterOptionsSchema.parse({ crs: 'ha=static' });
 * ```
 */
export const clusterOptionsSchema = z.looseObject({
  crs: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
  migration: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
});

/** `/cluster/options`. */
export type ClusterOptions = z.infer<typeof clusterOptionsSchema>;

/**
 * One RRD row: `time` (epoch seconds) plus whatever is known. Unknown values are omitted by PVE;
 * every value key is optional and numeric strings are coerced.
 *
 * @example
 * ```ts
 * rrdRowSchema.parse({ time: 1693110660, maxcpu: 4 }).cpu; // undefined (not 0)
 * ```
 */
export const rrdRowSchema = z.looseObject({
  time: wireNumber,
  cpu: optionalNumber,
  maxcpu: optionalNumber,
  iowait: optionalNumber,
  loadavg: optionalNumber,
  memtotal: optionalNumber,
  memused: optionalNumber,
  memavailable: optionalNumber,
  swaptotal: optionalNumber,
  swapused: optionalNumber,
  roottotal: optionalNumber,
  rootused: optionalNumber,
  netin: optionalNumber,
  netout: optionalNumber,
  mem: optionalNumber,
  maxmem: optionalNumber,
  memhost: optionalNumber,
  disk: optionalNumber,
  maxdisk: optionalNumber,
  diskread: optionalNumber,
  diskwrite: optionalNumber,
  pressurecpusome: optionalNumber,
  pressurecpufull: optionalNumber,
  pressureiosome: optionalNumber,
  pressureiofull: optionalNumber,
  pressurememorysome: optionalNumber,
  pressurememoryfull: optionalNumber,
});

/** An RRD row. */
export type RrdRow = z.infer<typeof rrdRowSchema>;

/**
 * `GET /nodes/{node}/storage` entry.
 *
 * @example
 * ```ts
 * nodeStorageSchema.parse({ storage: 'local-lvm', type: 'lvmthin', shared: 0, active: 1, total: 1, used: 0 });
 * ```
 */
export const nodeStorageSchema = z.looseObject({
  storage: z.string(),
  type: optionalString,
  content: optionalString,
  shared: wireBoolean.optional(),
  active: wireBoolean.optional(),
  enabled: wireBoolean.optional(),
  total: optionalNumber,
  used: optionalNumber,
  avail: optionalNumber,
});

/** A `/nodes/{node}/storage` entry. */
export type NodeStorage = z.infer<typeof nodeStorageSchema>;

/** A `/nodes/{node}/storage/{storage}/content` entry: one volume, with the guest that owns it. */
export const storageVolumeSchema = z.looseObject({
  volid: z.string(),
  vmid: optionalNumber,
  size: optionalNumber,
  content: optionalString,
  format: optionalString,
});

/** A `/nodes/{node}/storage/{storage}/content` entry. */
export type StorageVolume = z.infer<typeof storageVolumeSchema>;

/**
 * `GET /nodes/{node}/{qemu|lxc}/{vmid}/migrate`: the migration preconditions. PVE ≤ 8 lists
 * `allowed_nodes` / `not_allowed_nodes` only for stopped VMs.
 *
 * @example
 * ```ts
 * migratePreconditionSchema.parse({ running: 1, local_disks: [], local_resources: [] }).running; // true
 * ```
 */
export const migratePreconditionSchema = z.looseObject({
  running: wireBoolean.optional(),
  allowed_nodes: z.array(z.string()).optional(),
  not_allowed_nodes: z
    .record(
      z.string(),
      z.looseObject({
        unavailable_storages: z.array(z.string()).optional(),
        'blocking-ha-resources': z
          .array(z.looseObject({ sid: z.string().optional(), cause: z.string().optional() }))
          .optional(),
        unavailable_resources: z.array(z.string()).optional(),
      }),
    )
    .optional(),
  local_disks: z
    .array(
      z.looseObject({
        volid: z.string(),
        size: optionalNumber,
        cdrom: wireBoolean.optional(),
        is_unused: wireBoolean.optional(),
      }),
    )
    .default([]),
  local_resources: z.array(z.string()).default([]),
  'mapped-resources': z.array(z.string()).optional(),
});

/** Migration preconditions as sent by PVE. */
export type MigratePreconditionWire = z.infer<typeof migratePreconditionSchema>;

/**
 * `GET /nodes/{node}/tasks/{upid}/status`.
 *
 * @example
 * ```ts
 * taskStatusSchema.parse({ upid: 'UPID:…', status: 'stopped', exitstatus: 'OK' });
 * ```
 */
export const taskStatusSchema = z.looseObject({
  upid: optionalString,
  node: optionalString,
  type: optionalString,
  id: optionalString,
  user: optionalString,
  starttime: optionalNumber,
  status: z.string(),
  exitstatus: optionalString,
});

/** A task's status. */
export type TaskStatus = z.infer<typeof taskStatusSchema>;

/**
 * `GET /nodes/{node}/tasks` entry. Finished tasks carry their exit status in `status`.
 *
 * @example
 * ```ts
 * taskListEntrySchema.parse({ upid: 'UPID:…', type: 'qmigrate', id: '101', starttime: 1, status: 'OK' });
 * ```
 */
export const taskListEntrySchema = z.looseObject({
  upid: z.string(),
  node: optionalString,
  type: optionalString,
  id: optionalString,
  user: optionalString,
  starttime: optionalNumber,
  endtime: optionalNumber,
  status: optionalString,
});

/** A `/nodes/{node}/tasks` entry. */
export type TaskListEntry = z.infer<typeof taskListEntrySchema>;

/**
 * `GET /version`.
 *
 * @example
 * ```ts
 * versionSchema.parse({ version: '9.0.10', release: '9.0', repoid: 'abc' });
 * ```
 */
export const versionSchema = z.looseObject({
  version: z.string(),
  release: optionalString,
  repoid: optionalString,
});

/** `/version`. */
export type PveVersionInfo = z.infer<typeof versionSchema>;
