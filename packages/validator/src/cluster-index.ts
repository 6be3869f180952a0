import type { ClusterSnapshot, GuestPin, GuestSnapshot, NodeSnapshot } from '@ballast/core';

/**
 * Lookup tables over a snapshot, built once per validation so that every check is O(1) or
 * O(groups of the guest). Guests are addressed by *slot* (their position in `snapshot.guests`)
 * so that per-call state can live in typed arrays instead of maps keyed by vmid.
 *
 * The index is deliberately not cached across calls: a snapshot is a plain mutable object, and
 * any cache keyed by it could serve stale nodes, flags or constraints after an in-place edit.
 * @internal
 */
export interface ClusterIndex {
  /** `snapshot.guests`, addressed by slot. */
  guestList: readonly GuestSnapshot[];
  /**
   * Slot lookup (use {@link slotOf}): vmids are usually a dense integer range, so they index a
   * typed array (`slot + 1`, 0 for none) from `vmidBase`; otherwise a map. Either way a vmid given
   * twice maps to its last guest, as a `Map` built in order would.
   */
  vmidBase: number;
  vmidTable: Int32Array | undefined;
  slotMap: Map<number, number> | undefined;
  /** Position in `nodeList` per node name (the last node with that name). */
  nodeIndex: Map<string, number>;
  nodeList: readonly NodeSnapshot[];
  /** Available storage ids per node. */
  storages: Map<string, Set<string>>;
  hasStorageData: boolean;
  ignored: Set<number>;
  maintenance: Set<string>;
  pins: Map<number, GuestPin[]>;
  /** Group indexes per guest (vmid). */
  antiAffinityOf: Map<number, number[]>;
  affinityOf: Map<number, number[]>;
  /** Member slots (guests present in the snapshot, each once, first-seen order) per group index. */
  antiAffinityMembers: number[][];
  affinityMembers: number[][];
  antiAffinityNames: string[];
  affinityNames: string[];
  /** Affinity component id per guest (vmid): guests linked through affinity groups share one. */
  component: Map<number, number>;
}

/** @internal */
export const emptyList: readonly never[] = Object.freeze([]);

/** Slot of the guest with this vmid, `-1` when there is none. @internal */
export function slotOf(
  index: Pick<ClusterIndex, 'vmidBase' | 'vmidTable' | 'slotMap'>,
  vmid: number,
): number {
  const table = index.vmidTable;
  if (table === undefined) return index.slotMap!.get(vmid) ?? -1;
  const at = vmid - index.vmidBase;
  return Number.isInteger(at) && at >= 0 && at < table.length ? table[at]! - 1 : -1;
}

/** @internal */
export function buildClusterIndex(snapshot: ClusterSnapshot): ClusterIndex {
  const guestList = snapshot.guests;
  let vmidBase = Number.POSITIVE_INFINITY;
  let vmidMax = Number.NEGATIVE_INFINITY;
  let integers = true;
  for (const guest of guestList) {
    const vmid = guest.vmid;
    if (!Number.isSafeInteger(vmid)) {
      integers = false;
      break;
    }
    if (vmid < vmidBase) vmidBase = vmid;
    if (vmid > vmidMax) vmidMax = vmid;
  }
  let vmidTable: Int32Array | undefined;
  let slotMap: Map<number, number> | undefined;
  if (integers && (guestList.length === 0 || vmidMax - vmidBase < 4 * guestList.length + 1024)) {
    if (guestList.length === 0) vmidBase = 0;
    vmidTable = new Int32Array(guestList.length === 0 ? 0 : vmidMax - vmidBase + 1);
    for (let slot = 0; slot < guestList.length; slot++)
      vmidTable[guestList[slot]!.vmid - vmidBase] = slot + 1;
  } else {
    vmidBase = 0;
    slotMap = new Map();
    for (let slot = 0; slot < guestList.length; slot++) slotMap.set(guestList[slot]!.vmid, slot);
  }
  const lookup = { vmidBase, vmidTable, slotMap };
  const nodeList = snapshot.nodes;
  const nodeIndex = new Map<string, number>();
  for (let position = 0; position < nodeList.length; position++)
    nodeIndex.set(nodeList[position]!.name, position);
  const storages = new Map<string, Set<string>>();
  const storageList = snapshot.storages ?? emptyList;
  for (const storage of storageList) {
    if (storage.status === 'unknown') continue;
    const ids = storages.get(storage.node);
    if (ids === undefined) storages.set(storage.node, new Set([storage.id]));
    else ids.add(storage.id);
  }
  const constraints = snapshot.constraints;
  const ignored = new Set<number>();
  for (const entry of constraints?.ignoredGuests ?? emptyList) ignored.add(entry.vmid);
  const maintenance = new Set<string>();
  for (const entry of constraints?.maintenanceNodes ?? emptyList) maintenance.add(entry.node);
  for (const node of nodeList) if (node.maintenance) maintenance.add(node.name);
  const pins = new Map<number, GuestPin[]>();
  for (const pin of constraints?.pins ?? emptyList) {
    const list = pins.get(pin.vmid);
    if (list === undefined) pins.set(pin.vmid, [pin]);
    else list.push(pin);
  }

  const membership = (groups: ReadonlyArray<{ members: readonly number[] }>) => {
    const of = new Map<number, number[]>();
    const members: number[][] = [];
    for (let groupIndex = 0; groupIndex < groups.length; groupIndex++) {
      const present: number[] = [];
      // Slots are one per vmid, so de-duplicating slots de-duplicates vmids (first one kept).
      const seen = groups[groupIndex]!.members.length > 16 ? new Set<number>() : undefined;
      for (const vmid of groups[groupIndex]!.members) {
        const slot = slotOf(lookup, vmid);
        if (slot < 0) continue;
        if (seen === undefined ? present.includes(slot) : seen.has(slot)) continue;
        seen?.add(slot);
        present.push(slot);
        const list = of.get(vmid);
        if (list === undefined) of.set(vmid, [groupIndex]);
        else list.push(groupIndex);
      }
      members.push(present);
    }
    return { of, members };
  };
  const antiGroups = constraints?.antiAffinityGroups ?? emptyList;
  const affinityGroups = constraints?.affinityGroups ?? emptyList;
  const anti = membership(antiGroups);
  const affinity = membership(affinityGroups);

  // Union-find over affinity groups: a component is the set of guests that must move together.
  const parent = new Map<number, number>();
  const find = (vmid: number): number => {
    let root = vmid;
    while (parent.get(root) !== root) root = parent.get(root)!;
    let current = vmid;
    while (current !== root) {
      const next = parent.get(current)!;
      parent.set(current, root);
      current = next;
    }
    return root;
  };
  for (const members of affinity.members) {
    for (const slot of members) {
      const vmid = guestList[slot]!.vmid;
      if (!parent.has(vmid)) parent.set(vmid, vmid);
    }
    const first = members[0];
    if (first === undefined) continue;
    const firstVmid = guestList[first]!.vmid;
    for (const slot of members) {
      const a = find(firstVmid);
      const b = find(guestList[slot]!.vmid);
      if (a !== b) parent.set(b, a);
    }
  }
  const component = new Map<number, number>();
  for (const vmid of parent.keys()) component.set(vmid, find(vmid));

  return {
    guestList,
    vmidBase,
    vmidTable,
    slotMap,
    nodeIndex,
    nodeList,
    storages,
    hasStorageData: storageList.length > 0,
    ignored,
    maintenance,
    pins,
    antiAffinityOf: anti.of,
    affinityOf: affinity.of,
    antiAffinityMembers: anti.members,
    affinityMembers: affinity.members,
    antiAffinityNames: antiGroups.map((group) => group.id),
    affinityNames: affinityGroups.map((group) => group.id),
    component,
  };
}
