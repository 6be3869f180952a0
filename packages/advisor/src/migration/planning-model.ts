import type { ClusterSnapshot, GuestSnapshot, NodeSnapshot } from '@ballast/core';
import {
  createPlacementRules,
  type GuestDemand,
  guestDemand,
  type PlacementPolicy,
  type PlacementRules,
} from '@ballast/validator';
import { blendLoad, summarizeSeries } from '../forecast/trend';

/**
 * A previous migration, for hysteresis: the guest is frozen for the cooldown and never sent back to
 * `fromNode` while the entry is supplied.
 *
 * @example
 * ```ts
 * const recent: RecentMigration = { at: Date.now() - 3_600_000, fromNode: 'pve2' };
 * ```
 */
export interface RecentMigration {
  /** When the migration finished, epoch ms. */
  at: number;
  /** The node the guest left. */
  fromNode?: string;
}

/**
 * Recent migrations by vmid: epoch ms of the move, or a {@link RecentMigration}.
 *
 * @example
 * ```ts
 * const recent: RecentMigrations = { 101: Date.now() - 600_000, 102: { at: Date.now() - 86_400_000, fromNode: 'pve1' } };
 * ```
 */
export type RecentMigrations = Readonly<Record<number, number | RecentMigration>>;

/** Settings the planning model is built with. @internal */
export interface PlanningModelSettings {
  loadBasis: 'current' | 'blended';
  includeHaManaged: boolean;
  allowLocalDisks: boolean;
  recentMigrations: RecentMigrations;
  cooldownMs: number;
  now: number;
  /** Skip storage checks entirely (CRS does not look at storage). */
  checkStorage: boolean;
  /**
   * The constraints shared with the validator (`createPlacementRules`): when given, every guest and
   * target is judged by them, so the plan always validates under the same policy.
   */
  placement?: PlacementPolicy;
}

/** One node in the planner's arrays. @internal */
export interface PlanningNode {
  name: string;
  cores: number;
  memoryTotal: number;
  /** Counted in the imbalance (online, not in maintenance). */
  active: boolean;
  /** May receive guests: active with non-zero capacity. */
  target: boolean;
  maintenance: boolean;
  online: boolean;
  snapshot: NodeSnapshot;
}

/** A guest or an affinity bundle that moves as one. @internal */
export interface MovableUnit {
  id: string;
  members: GuestSnapshot[];
  source: number;
  cpuCores: number;
  memoryUsed: number;
  memoryMax: number;
  /** RAM that live migration copies: configured memory of running members, bytes. */
  ramBytes: number;
  localDiskBytes: number;
  localDiskByStorage: Map<string, number>;
  storages: string[];
  /** Intersection of strict pins (node indexes), when pinned. */
  allowed?: Set<number>;
  /** Union of non-strict pin nodes, when any (only when non-strict pins are not enforced). */
  preferred?: Set<number>;
  /** Placement demand of each member, in member order (shared with the validator). */
  demands: GuestDemand[];
  /** Strict anti-affinity group index → members of this unit in it. */
  antiAffinityStrict: Map<number, number>;
  /** Non-strict anti-affinity group index → members of this unit in it. */
  antiAffinitySoft: Map<number, number>;
  haManaged: boolean;
  /** Nodes it must never be sent to (where it just came from). */
  blockedTargets: Set<number>;
  evacuate: boolean;
  affinityGroupNames: string[];
}

/** Everything the planners need, indexed. @internal */
export interface PlanningModel {
  nodes: PlanningNode[];
  nodeIndex: Map<string, number>;
  /** CPU in use per node on the chosen basis, cores. */
  cpuUsed: Float64Array;
  memoryUsed: Float64Array;
  units: MovableUnit[];
  skipped: Array<{ vmid: number; reason: string }>;
  /** Guests per strict anti-affinity group per node. */
  antiCount: Int32Array[];
  antiSoftCount: Int32Array[];
  antiNames: string[];
  /** Available storage id → free bytes, per node; `undefined` when the snapshot has no storage data. */
  storageFree?: Array<Map<string, number>>;
  guestCpu: (guest: GuestSnapshot) => number;
  /** The shared placement rules, when a policy was given. */
  rules?: PlacementRules;
  /**
   * Memory and CPU (current) per node as the validator counts them while replaying a plan: a move
   * adds the guest's demand to its target and relieves its source.
   */
  fitMemory: Float64Array;
  fitCpu: Float64Array;
}

const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * Indexes a snapshot for planning: nodes sorted by name, guests grouped into movable units
 * (affinity bundles, linked through shared members), each unit's static constraints, and every guest
 * that cannot move with its reason.
 *
 * @internal
 * @example
 * ```ts
 * const model = buildPlanningModel(snapshot, settings);
 * ```
 */
export function buildPlanningModel(
  snapshot: ClusterSnapshot,
  settings: PlanningModelSettings,
): PlanningModel {
  const nodes = planningNodes(snapshot);
  const nodeIndex = new Map(nodes.map((node, index) => [node.name, index]));
  const { cpuUsed, memoryUsed } = nodeUsage(nodes, settings);
  const guestCpu = guestCpuOf(settings);
  const guests = [...snapshot.guests].sort((a, b) => a.vmid - b.vmid);
  const guestById = new Map(guests.map((guest) => [guest.vmid, guest]));
  const constraints = snapshot.constraints;
  const storageFree = storageFreeByNode(snapshot, settings, nodes, nodeIndex);
  const rules =
    settings.placement === undefined ? undefined : createPlacementRules(snapshot, settings.placement);
  // Under shared rules every anti-affinity and affinity group binds (the validator enforces them all).
  const shared = rules !== undefined;
  const anti = antiAffinityIndex(constraints.antiAffinityGroups, guestById, nodes.length, nodeIndex, shared);
  const { bundles, groupNamesOf } = affinityBundles(constraints.affinityGroups, guests, guestById, shared);
  const { units, skipped } = movableUnits(bundles, {
    settings,
    nodes,
    nodeIndex,
    guestCpu,
    ignored: new Set(constraints.ignoredGuests.map((entry) => entry.vmid)),
    pinsOf: pinsByGuest(constraints.pins),
    antiOf: anti.antiOf,
    groupNamesOf,
    rules,
  });
  const fitMemory = new Float64Array(nodes.length);
  const fitCpu = new Float64Array(nodes.length);
  nodes.forEach((node, index) => {
    fitMemory[index] = node.snapshot.memory.usedBytes;
    fitCpu[index] = node.snapshot.cpu.usageCores;
  });
  return {
    nodes,
    nodeIndex,
    cpuUsed,
    memoryUsed,
    units,
    skipped,
    antiCount: anti.antiCount,
    antiSoftCount: anti.antiSoftCount,
    antiNames: anti.antiNames,
    ...(storageFree === undefined ? {} : { storageFree }),
    guestCpu,
    ...(rules === undefined ? {} : { rules }),
    fitMemory,
    fitCpu,
  };
}

type GuestPins = ClusterSnapshot['constraints']['pins'];
type GuestGroups = ClusterSnapshot['constraints']['affinityGroups'];

/** Anti-affinity group indexes a guest belongs to. */
interface AntiAffinityMembership {
  strict: number[];
  soft: number[];
}

/** What turning bundles into movable units needs to look up. */
interface UnitLookup {
  settings: PlanningModelSettings;
  nodes: PlanningNode[];
  nodeIndex: Map<string, number>;
  guestCpu: (guest: GuestSnapshot) => number;
  ignored: Set<number>;
  pinsOf: Map<number, GuestPins>;
  antiOf: Map<number, AntiAffinityMembership>;
  groupNamesOf: Map<number, string[]>;
  rules: PlacementRules | undefined;
}

/** Nodes sorted by name, with maintenance taken from the node or the constraints. */
function planningNodes(snapshot: ClusterSnapshot): PlanningNode[] {
  const maintenanceNames = new Set(snapshot.constraints.maintenanceNodes.map((entry) => entry.node));
  return [...snapshot.nodes].sort(byName).map((node) => {
    const maintenance = node.maintenance || maintenanceNames.has(node.name);
    const online = node.status === 'online';
    const active = online && !maintenance;
    return {
      name: node.name,
      cores: node.cpu.cores,
      memoryTotal: node.memory.totalBytes,
      active,
      target: active && node.cpu.cores > 0 && node.memory.totalBytes > 0,
      maintenance,
      online,
      snapshot: node,
    };
  });
}

/** CPU (on the chosen basis) and memory in use per node. */
function nodeUsage(
  nodes: readonly PlanningNode[],
  settings: PlanningModelSettings,
): { cpuUsed: Float64Array; memoryUsed: Float64Array } {
  const cpuUsed = new Float64Array(nodes.length);
  const memoryUsed = new Float64Array(nodes.length);
  nodes.forEach((node, index) => {
    const source = node.snapshot;
    cpuUsed[index] =
      settings.loadBasis === 'blended'
        ? blendLoad(source.cpu.usageCores, summarizeSeries(source.series?.cpuCores))
        : source.cpu.usageCores;
    memoryUsed[index] = source.memory.usedBytes;
  });
  return { cpuUsed, memoryUsed };
}

/** A guest's CPU on the chosen basis; 0 when it does not run. */
function guestCpuOf(settings: PlanningModelSettings): (guest: GuestSnapshot) => number {
  return (guest: GuestSnapshot): number => {
    if (guest.status !== 'running') return 0;
    return settings.loadBasis === 'blended'
      ? blendLoad(guest.cpu.usageCores, summarizeSeries(guest.series?.cpuCores))
      : guest.cpu.usageCores;
  };
}

/** Free bytes per available storage per node; `undefined` when storage is not checked or unknown. */
function storageFreeByNode(
  snapshot: ClusterSnapshot,
  settings: PlanningModelSettings,
  nodes: readonly PlanningNode[],
  nodeIndex: Map<string, number>,
): Array<Map<string, number>> | undefined {
  if (!settings.checkStorage || snapshot.storages.length === 0) return undefined;
  const storageFree = nodes.map(() => new Map<string, number>());
  for (const storage of snapshot.storages) {
    const index = nodeIndex.get(storage.node);
    if (index === undefined || storage.status !== 'available') continue;
    storageFree[index]!.set(storage.id, Math.max(0, storage.totalBytes - storage.usedBytes));
  }
  return storageFree;
}

/** Members of each anti-affinity group per node (strict and soft apart), and each guest's groups. */
function antiAffinityIndex(
  groups: ClusterSnapshot['constraints']['antiAffinityGroups'],
  guestById: Map<number, GuestSnapshot>,
  nodeCount: number,
  nodeIndex: Map<string, number>,
  allStrict: boolean,
): Pick<PlanningModel, 'antiNames' | 'antiCount' | 'antiSoftCount'> & {
  antiOf: Map<number, AntiAffinityMembership>;
} {
  const antiNames: string[] = [];
  const antiCount: Int32Array[] = [];
  const antiSoftCount: Int32Array[] = [];
  const antiOf = new Map<number, AntiAffinityMembership>();
  groups.forEach((group, groupIndex) => {
    const strict = group.strict || allStrict;
    antiNames.push(group.name);
    const counts = new Int32Array(nodeCount);
    for (const vmid of new Set(group.members)) {
      const guest = guestById.get(vmid);
      if (guest === undefined) continue;
      const index = nodeIndex.get(guest.node);
      if (index !== undefined) counts[index]!++;
      let entry = antiOf.get(vmid);
      if (entry === undefined) {
        entry = { strict: [], soft: [] };
        antiOf.set(vmid, entry);
      }
      (strict ? entry.strict : entry.soft).push(groupIndex);
    }
    antiCount.push(strict ? counts : new Int32Array(nodeCount));
    antiSoftCount.push(strict ? new Int32Array(nodeCount) : counts);
  });
  return { antiNames, antiCount, antiSoftCount, antiOf };
}

/**
 * Affinity bundles: union-find over strict affinity groups (groups sharing a member merge), keyed
 * by the lowest vmid; every other guest is a bundle of one. Also each guest's group names.
 */
function affinityBundles(
  groups: GuestGroups,
  guests: readonly GuestSnapshot[],
  guestById: Map<number, GuestSnapshot>,
  allStrict: boolean,
): { bundles: Map<number, GuestSnapshot[]>; groupNamesOf: Map<number, string[]> } {
  const parent = new Map<number, number>();
  const find = (vmid: number): number => {
    let root = vmid;
    while (parent.get(root) !== undefined && parent.get(root) !== root) root = parent.get(root)!;
    parent.set(vmid, root);
    return root;
  };
  const groupNamesOf = new Map<number, string[]>();
  for (const group of groups) {
    if (!group.strict && !allStrict) continue;
    const present = [...new Set(group.members)].filter((vmid) => guestById.has(vmid)).sort((a, b) => a - b);
    for (const vmid of present) {
      if (!parent.has(vmid)) parent.set(vmid, vmid);
      const names = groupNamesOf.get(vmid) ?? [];
      if (!names.includes(group.name)) names.push(group.name);
      groupNamesOf.set(vmid, names);
    }
    for (let index = 1; index < present.length; index++) {
      const a = find(present[0]!);
      const b = find(present[index]!);
      if (a !== b) parent.set(Math.max(a, b), Math.min(a, b));
    }
  }
  const bundles = new Map<number, GuestSnapshot[]>();
  for (const guest of guests) {
    const root = parent.has(guest.vmid) ? find(guest.vmid) : guest.vmid;
    const list = bundles.get(root) ?? [];
    list.push(guest);
    bundles.set(root, list);
  }
  return { bundles, groupNamesOf };
}

function pinsByGuest(pins: GuestPins): Map<number, GuestPins> {
  const pinsOf = new Map<number, GuestPins>();
  for (const pin of pins) {
    const list = pinsOf.get(pin.vmid) ?? [];
    list.push(pin);
    pinsOf.set(pin.vmid, list);
  }
  return pinsOf;
}

/** Bundles in vmid order: a movable unit each, or the reasons its guests stay. */
function movableUnits(
  bundles: Map<number, GuestSnapshot[]>,
  lookup: UnitLookup,
): { units: MovableUnit[]; skipped: Array<{ vmid: number; reason: string }> } {
  const skipped: Array<{ vmid: number; reason: string }> = [];
  const units: MovableUnit[] = [];
  for (const [root, members] of [...bundles.entries()].sort((a, b) => a[0] - b[0])) {
    const reasons = unmovableReasons(root, members, lookup);
    if (reasons !== undefined) {
      for (const entry of reasons) skipped.push(entry);
      continue;
    }
    units.push(movableUnit(root, members, lookup));
  }
  skipped.sort((a, b) => a.vmid - b.vmid);
  return { units, skipped };
}

/** Why a bundle cannot move, one entry per guest; `undefined` when it can. */
function unmovableReasons(
  root: number,
  members: GuestSnapshot[],
  lookup: UnitLookup,
): Array<{ vmid: number; reason: string }> | undefined {
  const isBundle = members.length > 1;
  // A guest that does not run is moved only as part of a bundle; alone it changes no load.
  if (!isBundle && members[0]!.status !== 'running') {
    if (!members[0]!.template) return [{ vmid: root, reason: `not running (${members[0]!.status})` }];
    return [{ vmid: root, reason: 'template' }];
  }
  if (isBundle && !members.some((guest) => guest.status === 'running')) {
    return members.map((guest) => ({ vmid: guest.vmid, reason: 'affinity bundle not running' }));
  }
  const reasons = members.map((guest) => [guest.vmid, frozenReason(guest, lookup)] as const);
  const frozen = reasons.find(([, reason]) => reason !== undefined);
  if (frozen !== undefined) {
    return members.map((guest) => ({
      vmid: guest.vmid,
      reason: guest.vmid === frozen[0] ? frozen[1]! : `affinity bundle member ${frozen[0]} is ${frozen[1]}`,
    }));
  }
  const sourceNames = new Set(members.map((guest) => guest.node));
  if (sourceNames.size > 1) {
    return members.map((guest) => ({
      vmid: guest.vmid,
      reason: 'affinity bundle split across nodes (not stationary)',
    }));
  }
  return undefined;
}

/** Why a guest must stay where it is (template, ignored, locked, HA, node, cooldown, local disks). */
function frozenReason(guest: GuestSnapshot, lookup: UnitLookup): string | undefined {
  const { settings, nodes, nodeIndex } = lookup;
  if (lookup.rules !== undefined) {
    const blockers = lookup.rules.guestBlockers(guest);
    if (blockers.length > 0) return blockers.map((reason) => reason.message).join('; ');
  }
  if (guest.template) return 'template';
  if (lookup.ignored.has(guest.vmid)) return 'ignored';
  if (guest.lock !== undefined) return `locked (${guest.lock})`;
  if (guest.haManaged && !settings.includeHaManaged)
    return 'HA-managed (excluded by includeHaManaged: false)';
  const index = nodeIndex.get(guest.node);
  if (index === undefined) return `unknown node ${guest.node}`;
  if (!nodes[index]!.online) return `node ${guest.node} is ${nodes[index]!.snapshot.status}`;
  const recent = settings.recentMigrations[guest.vmid];
  if (recent !== undefined) {
    const at = typeof recent === 'number' ? recent : recent.at;
    if (settings.now - at < settings.cooldownMs) {
      return `migrated ${((settings.now - at) / 3_600_000).toFixed(1)} h ago (cooldown ${settings.cooldownMs / 3_600_000} h)`;
    }
  }
  if (guest.localDisks.length > 0 && !settings.allowLocalDisks)
    return 'has local disks (allowLocalDisks: false)';
  return undefined;
}

/** A bundle's summed load, storage, pins, anti-affinity, blocked targets and group names. */
function movableUnit(root: number, members: GuestSnapshot[], lookup: UnitLookup): MovableUnit {
  const isBundle = members.length > 1;
  const source = lookup.nodeIndex.get(members[0]!.node)!;
  const usage = memberUsage(members, lookup.guestCpu);
  const disks = memberStorage(members);
  const { allowed, preferred } = pinnedTargets(members, lookup);
  const anti = antiAffinityCounts(members, lookup.antiOf);
  return {
    id: isBundle ? `bundle:${members.map((guest) => guest.vmid).join('+')}` : `guest:${root}`,
    members,
    source,
    cpuCores: usage.cpuCores,
    memoryUsed: usage.memoryUsed,
    memoryMax: usage.memoryMax,
    ramBytes: usage.ramBytes,
    localDiskBytes: disks.localDiskBytes,
    localDiskByStorage: disks.localDiskByStorage,
    storages: [...disks.storages].sort(),
    ...(allowed === undefined ? {} : { allowed }),
    ...(preferred === undefined || lookup.rules?.policy.enforceNonStrictPins === true ? {} : { preferred }),
    demands: members.map((guest) =>
      lookup.rules === undefined ? legacyDemand(guest) : guestDemand(guest, lookup.rules.policy),
    ),
    antiAffinityStrict: anti.strict,
    antiAffinitySoft: anti.soft,
    haManaged: usage.haManaged,
    blockedTargets: blockedTargetsOf(members, lookup),
    evacuate: lookup.nodes[source]!.maintenance,
    affinityGroupNames: affinityGroupNamesOf(members, lookup.groupNamesOf),
  };
}

/** Demand without shared rules (baselines): running guests only, configured memory. */
function legacyDemand(guest: GuestSnapshot): GuestDemand {
  if (guest.status !== 'running') return { targetMemory: 0, sourceMemory: 0, cpu: 0, fitMemory: 0 };
  return {
    targetMemory: guest.memory.maxBytes,
    sourceMemory: guest.memory.usedBytes,
    cpu: guest.cpu.usageCores,
    fitMemory: guest.memory.maxBytes,
  };
}

/** CPU and memory the members use (memory of running members only) and whether any is HA-managed. */
function memberUsage(
  members: readonly GuestSnapshot[],
  guestCpu: (guest: GuestSnapshot) => number,
): { cpuCores: number; memoryUsed: number; memoryMax: number; ramBytes: number; haManaged: boolean } {
  let cpuCores = 0;
  let memoryUsed = 0;
  let memoryMax = 0;
  let ramBytes = 0;
  let haManaged = false;
  for (const guest of members) {
    cpuCores += guestCpu(guest);
    if (guest.status === 'running') {
      memoryUsed += guest.memory.usedBytes;
      memoryMax += guest.memory.maxBytes;
      ramBytes += guest.memory.maxBytes;
    }
    haManaged ||= guest.haManaged;
  }
  return { cpuCores, memoryUsed, memoryMax, ramBytes, haManaged };
}

/** Storages the members use and their local disk bytes, in total and per storage. */
function memberStorage(members: readonly GuestSnapshot[]): {
  storages: Set<string>;
  localDiskBytes: number;
  localDiskByStorage: Map<string, number>;
} {
  const storages = new Set<string>();
  const localDiskByStorage = new Map<string, number>();
  let localDiskBytes = 0;
  for (const guest of members) {
    for (const storage of guest.storages) storages.add(storage);
    for (const disk of guest.localDisks) {
      localDiskBytes += disk.sizeBytes;
      localDiskByStorage.set(disk.storage, (localDiskByStorage.get(disk.storage) ?? 0) + disk.sizeBytes);
    }
  }
  return { storages, localDiskBytes, localDiskByStorage };
}

/** Nodes allowed by every strict pin (intersection) and preferred by any soft one (union). */
function pinnedTargets(
  members: readonly GuestSnapshot[],
  lookup: UnitLookup,
): { allowed: Set<number> | undefined; preferred: Set<number> | undefined } {
  let allowed: Set<number> | undefined;
  let preferred: Set<number> | undefined;
  for (const guest of members) {
    for (const pin of lookup.pinsOf.get(guest.vmid) ?? []) {
      const pinned = new Set(
        pin.nodes
          .map((name) => lookup.nodeIndex.get(name))
          .filter((index): index is number => index !== undefined),
      );
      if (pin.strict)
        allowed = allowed === undefined ? pinned : new Set([...allowed].filter((i) => pinned.has(i)));
      else preferred = new Set([...(preferred ?? []), ...pinned]);
    }
  }
  return { allowed, preferred };
}

/** Anti-affinity group index → members of the unit in it, strict and soft apart. */
function antiAffinityCounts(
  members: readonly GuestSnapshot[],
  antiOf: Map<number, AntiAffinityMembership>,
): { strict: Map<number, number>; soft: Map<number, number> } {
  const strict = new Map<number, number>();
  const soft = new Map<number, number>();
  for (const guest of members) {
    const anti = antiOf.get(guest.vmid);
    for (const group of anti?.strict ?? []) strict.set(group, (strict.get(group) ?? 0) + 1);
    for (const group of anti?.soft ?? []) soft.set(group, (soft.get(group) ?? 0) + 1);
  }
  return { strict, soft };
}

/** Nodes the members recently came from: never sent back there (hysteresis). */
function blockedTargetsOf(members: readonly GuestSnapshot[], lookup: UnitLookup): Set<number> {
  const blockedTargets = new Set<number>();
  for (const guest of members) {
    const recent = lookup.settings.recentMigrations[guest.vmid];
    if (recent !== undefined && typeof recent !== 'number' && recent.fromNode !== undefined) {
      const index = lookup.nodeIndex.get(recent.fromNode);
      if (index !== undefined) blockedTargets.add(index);
    }
  }
  return blockedTargets;
}

function affinityGroupNamesOf(
  members: readonly GuestSnapshot[],
  groupNamesOf: Map<number, string[]>,
): string[] {
  const groupNames = new Set<string>();
  for (const guest of members) for (const name of groupNamesOf.get(guest.vmid) ?? []) groupNames.add(name);
  return [...groupNames].sort();
}

/**
 * Whether the unit's storages exist on the target and its local disks fit there.
 *
 * @internal
 * @example
 * ```ts
 * storageFits(model, unit, 2);
 * ```
 */
export function storageFits(model: PlanningModel, unit: MovableUnit, target: number): boolean {
  const free = model.storageFree?.[target];
  if (free === undefined) return true;
  for (const storage of unit.storages) if (!free.has(storage)) return false;
  for (const [storage, bytes] of unit.localDiskByStorage) {
    if ((free.get(storage) ?? -1) < bytes) return false;
  }
  return true;
}

/**
 * Applies a unit move to the model's loads, anti-affinity counts and storage.
 *
 * @internal
 * @example
 * ```ts
 * moveUnit(model, unit, 2);
 * ```
 */
export function moveUnit(model: PlanningModel, unit: MovableUnit, target: number): void {
  const source = unit.source;
  model.cpuUsed[source] = Math.max(0, model.cpuUsed[source]! - unit.cpuCores);
  model.memoryUsed[source] = Math.max(0, model.memoryUsed[source]! - unit.memoryUsed);
  model.cpuUsed[target] = model.cpuUsed[target]! + unit.cpuCores;
  model.memoryUsed[target] = model.memoryUsed[target]! + unit.memoryUsed;
  for (const [group, count] of unit.antiAffinityStrict) {
    model.antiCount[group]![source] = model.antiCount[group]![source]! - count;
    model.antiCount[group]![target] = model.antiCount[group]![target]! + count;
  }
  for (const [group, count] of unit.antiAffinitySoft) {
    model.antiSoftCount[group]![source] = model.antiSoftCount[group]![source]! - count;
    model.antiSoftCount[group]![target] = model.antiSoftCount[group]![target]! + count;
  }
  for (const demand of unit.demands) {
    model.fitMemory[source] = model.fitMemory[source]! - demand.sourceMemory;
    model.fitCpu[source] = model.fitCpu[source]! - demand.cpu;
    model.fitMemory[target] = model.fitMemory[target]! + demand.targetMemory;
    model.fitCpu[target] = model.fitCpu[target]! + demand.cpu;
  }
  const sourceFree = model.storageFree?.[source];
  const targetFree = model.storageFree?.[target];
  for (const [storage, bytes] of unit.localDiskByStorage) {
    if (sourceFree?.has(storage)) sourceFree.set(storage, sourceFree.get(storage)! + bytes);
    if (targetFree?.has(storage)) targetFree.set(storage, targetFree.get(storage)! - bytes);
  }
  unit.source = target;
}
