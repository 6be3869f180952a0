import type { ClusterSnapshot, GuestSnapshot, NodeSnapshot } from '@ballast/core';
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
  /** Union of non-strict pin nodes, when any. */
  preferred?: Set<number>;
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
  const maintenanceNames = new Set(snapshot.constraints.maintenanceNodes.map((entry) => entry.node));
  const nodes: PlanningNode[] = [...snapshot.nodes].sort(byName).map((node) => {
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
  const nodeIndex = new Map(nodes.map((node, index) => [node.name, index]));
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
  const guestCpu = (guest: GuestSnapshot): number => {
    if (guest.status !== 'running') return 0;
    return settings.loadBasis === 'blended'
      ? blendLoad(guest.cpu.usageCores, summarizeSeries(guest.series?.cpuCores))
      : guest.cpu.usageCores;
  };

  const guests = [...snapshot.guests].sort((a, b) => a.vmid - b.vmid);
  const guestById = new Map(guests.map((guest) => [guest.vmid, guest]));
  const constraints = snapshot.constraints;
  const ignored = new Set(constraints.ignoredGuests.map((entry) => entry.vmid));

  // Storage availability per node.
  let storageFree: Array<Map<string, number>> | undefined;
  if (settings.checkStorage && snapshot.storages.length > 0) {
    storageFree = nodes.map(() => new Map<string, number>());
    for (const storage of snapshot.storages) {
      const index = nodeIndex.get(storage.node);
      if (index === undefined || storage.status !== 'available') continue;
      storageFree[index]!.set(storage.id, Math.max(0, storage.totalBytes - storage.usedBytes));
    }
  }

  // Anti-affinity counts.
  const antiNames: string[] = [];
  const antiCount: Int32Array[] = [];
  const antiSoftCount: Int32Array[] = [];
  const antiOf = new Map<number, { strict: number[]; soft: number[] }>();
  constraints.antiAffinityGroups.forEach((group, groupIndex) => {
    antiNames.push(group.name);
    const counts = new Int32Array(nodes.length);
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
      (group.strict ? entry.strict : entry.soft).push(groupIndex);
    }
    antiCount.push(group.strict ? counts : new Int32Array(nodes.length));
    antiSoftCount.push(group.strict ? new Int32Array(nodes.length) : counts);
  });

  // Affinity bundles: union-find over strict affinity groups.
  const parent = new Map<number, number>();
  const find = (vmid: number): number => {
    let root = vmid;
    while (parent.get(root) !== undefined && parent.get(root) !== root) root = parent.get(root)!;
    parent.set(vmid, root);
    return root;
  };
  const groupNamesOf = new Map<number, string[]>();
  for (const group of constraints.affinityGroups) {
    if (!group.strict) continue;
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

  const pinsOf = new Map<number, typeof constraints.pins>();
  for (const pin of constraints.pins) {
    const list = pinsOf.get(pin.vmid) ?? [];
    list.push(pin);
    pinsOf.set(pin.vmid, list);
  }

  const skipped: Array<{ vmid: number; reason: string }> = [];
  const units: MovableUnit[] = [];
  const frozenReason = (guest: GuestSnapshot): string | undefined => {
    if (guest.template) return 'template';
    if (ignored.has(guest.vmid)) return 'ignored';
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
  };

  for (const [root, members] of [...bundles.entries()].sort((a, b) => a[0] - b[0])) {
    const isBundle = members.length > 1;
    // A guest that does not run is moved only as part of a bundle; alone it changes no load.
    if (!isBundle && members[0]!.status !== 'running') {
      if (!members[0]!.template) skipped.push({ vmid: root, reason: `not running (${members[0]!.status})` });
      else skipped.push({ vmid: root, reason: 'template' });
      continue;
    }
    if (isBundle && !members.some((guest) => guest.status === 'running')) {
      for (const guest of members) skipped.push({ vmid: guest.vmid, reason: 'affinity bundle not running' });
      continue;
    }
    const reasons = members.map((guest) => [guest.vmid, frozenReason(guest)] as const);
    const frozen = reasons.find(([, reason]) => reason !== undefined);
    if (frozen !== undefined) {
      for (const guest of members) {
        skipped.push({
          vmid: guest.vmid,
          reason:
            guest.vmid === frozen[0] ? frozen[1]! : `affinity bundle member ${frozen[0]} is ${frozen[1]}`,
        });
      }
      continue;
    }
    const sourceNames = new Set(members.map((guest) => guest.node));
    if (sourceNames.size > 1) {
      for (const guest of members) {
        skipped.push({ vmid: guest.vmid, reason: 'affinity bundle split across nodes (not stationary)' });
      }
      continue;
    }
    const source = nodeIndex.get(members[0]!.node)!;
    let allowed: Set<number> | undefined;
    let preferred: Set<number> | undefined;
    const strictAnti = new Map<number, number>();
    const softAnti = new Map<number, number>();
    const storages = new Set<string>();
    const localDiskByStorage = new Map<string, number>();
    const blockedTargets = new Set<number>();
    let cpuCores = 0;
    let memoryUsed = 0;
    let memoryMax = 0;
    let ramBytes = 0;
    let localDiskBytes = 0;
    let haManaged = false;
    const groupNames = new Set<string>();
    for (const guest of members) {
      cpuCores += guestCpu(guest);
      if (guest.status === 'running') {
        memoryUsed += guest.memory.usedBytes;
        memoryMax += guest.memory.maxBytes;
        ramBytes += guest.memory.maxBytes;
      }
      haManaged ||= guest.haManaged;
      for (const storage of guest.storages) storages.add(storage);
      for (const disk of guest.localDisks) {
        localDiskBytes += disk.sizeBytes;
        localDiskByStorage.set(disk.storage, (localDiskByStorage.get(disk.storage) ?? 0) + disk.sizeBytes);
      }
      for (const pin of pinsOf.get(guest.vmid) ?? []) {
        const pinned = new Set(
          pin.nodes
            .map((name) => nodeIndex.get(name))
            .filter((index): index is number => index !== undefined),
        );
        if (pin.strict)
          allowed = allowed === undefined ? pinned : new Set([...allowed].filter((i) => pinned.has(i)));
        else preferred = new Set([...(preferred ?? []), ...pinned]);
      }
      const anti = antiOf.get(guest.vmid);
      for (const group of anti?.strict ?? []) strictAnti.set(group, (strictAnti.get(group) ?? 0) + 1);
      for (const group of anti?.soft ?? []) softAnti.set(group, (softAnti.get(group) ?? 0) + 1);
      const recent = settings.recentMigrations[guest.vmid];
      if (recent !== undefined && typeof recent !== 'number' && recent.fromNode !== undefined) {
        const index = nodeIndex.get(recent.fromNode);
        if (index !== undefined) blockedTargets.add(index);
      }
      for (const name of groupNamesOf.get(guest.vmid) ?? []) groupNames.add(name);
    }
    units.push({
      id: isBundle ? `bundle:${members.map((guest) => guest.vmid).join('+')}` : `guest:${root}`,
      members,
      source,
      cpuCores,
      memoryUsed,
      memoryMax,
      ramBytes,
      localDiskBytes,
      localDiskByStorage,
      storages: [...storages].sort(),
      ...(allowed === undefined ? {} : { allowed }),
      ...(preferred === undefined ? {} : { preferred }),
      antiAffinityStrict: strictAnti,
      antiAffinitySoft: softAnti,
      haManaged,
      blockedTargets,
      evacuate: nodes[source]!.maintenance,
      affinityGroupNames: [...groupNames].sort(),
    });
  }
  skipped.sort((a, b) => a.vmid - b.vmid);
  return {
    nodes,
    nodeIndex,
    cpuUsed,
    memoryUsed,
    units,
    skipped,
    antiCount,
    antiSoftCount,
    antiNames,
    ...(storageFree === undefined ? {} : { storageFree }),
    guestCpu,
  };
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
  const sourceFree = model.storageFree?.[source];
  const targetFree = model.storageFree?.[target];
  for (const [storage, bytes] of unit.localDiskByStorage) {
    if (sourceFree?.has(storage)) sourceFree.set(storage, sourceFree.get(storage)! + bytes);
    if (targetFree?.has(storage)) targetFree.set(storage, targetFree.get(storage)! - bytes);
  }
  unit.source = target;
}
