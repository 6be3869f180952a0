import type { ClusterSnapshot, GuestPin, GuestSnapshot, NodeSnapshot } from '@ballast/core';

/**
 * Lookup tables over a snapshot, built once per validation so that every check is O(1) or
 * O(groups of the guest). @internal
 */
export interface ClusterIndex {
  guests: Map<number, GuestSnapshot>;
  nodes: Map<string, NodeSnapshot>;
  nodeIndex: Map<string, number>;
  nodeList: NodeSnapshot[];
  /** Available storage ids per node. */
  storages: Map<string, Set<string>>;
  hasStorageData: boolean;
  ignored: Set<number>;
  maintenance: Set<string>;
  pins: Map<number, GuestPin[]>;
  /** Group indexes per guest. */
  antiAffinityOf: Map<number, number[]>;
  affinityOf: Map<number, number[]>;
  /** Members (present in the snapshot) per group index. */
  antiAffinityMembers: number[][];
  affinityMembers: number[][];
  antiAffinityNames: string[];
  affinityNames: string[];
  /** Affinity component id per guest: guests linked through affinity groups share one. */
  component: Map<number, number>;
}

/** @internal */
export function buildClusterIndex(snapshot: ClusterSnapshot): ClusterIndex {
  const guests = new Map<number, GuestSnapshot>();
  for (const guest of snapshot.guests) guests.set(guest.vmid, guest);
  const nodes = new Map<string, NodeSnapshot>();
  const nodeIndex = new Map<string, number>();
  snapshot.nodes.forEach((node, index) => {
    nodes.set(node.name, node);
    nodeIndex.set(node.name, index);
  });
  const storages = new Map<string, Set<string>>();
  const storageList = snapshot.storages ?? [];
  for (const storage of storageList) {
    if (storage.status === 'unknown') continue;
    const ids = storages.get(storage.node);
    if (ids === undefined) storages.set(storage.node, new Set([storage.id]));
    else ids.add(storage.id);
  }
  const constraints = snapshot.constraints ?? {
    affinityGroups: [],
    antiAffinityGroups: [],
    pins: [],
    ignoredGuests: [],
    maintenanceNodes: [],
  };
  const ignored = new Set<number>((constraints.ignoredGuests ?? []).map((entry) => entry.vmid));
  const maintenance = new Set<string>((constraints.maintenanceNodes ?? []).map((entry) => entry.node));
  for (const node of snapshot.nodes) if (node.maintenance) maintenance.add(node.name);
  const pins = new Map<number, GuestPin[]>();
  for (const pin of constraints.pins ?? []) {
    const list = pins.get(pin.vmid);
    if (list === undefined) pins.set(pin.vmid, [pin]);
    else list.push(pin);
  }

  const membership = (groups: ReadonlyArray<{ members: readonly number[] }>) => {
    const of = new Map<number, number[]>();
    const members: number[][] = [];
    groups.forEach((group, groupIndex) => {
      const present: number[] = [];
      for (const vmid of new Set(group.members)) {
        if (!guests.has(vmid)) continue;
        present.push(vmid);
        const list = of.get(vmid);
        if (list === undefined) of.set(vmid, [groupIndex]);
        else list.push(groupIndex);
      }
      members.push(present);
    });
    return { of, members };
  };
  const anti = membership(constraints.antiAffinityGroups ?? []);
  const affinity = membership(constraints.affinityGroups ?? []);

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
    for (const vmid of members) if (!parent.has(vmid)) parent.set(vmid, vmid);
    const first = members[0];
    if (first === undefined) continue;
    for (const vmid of members) {
      const a = find(first);
      const b = find(vmid);
      if (a !== b) parent.set(b, a);
    }
  }
  const component = new Map<number, number>();
  for (const vmid of parent.keys()) component.set(vmid, find(vmid));

  return {
    guests,
    nodes,
    nodeIndex,
    nodeList: snapshot.nodes,
    storages,
    hasStorageData: storageList.length > 0,
    ignored,
    maintenance,
    pins,
    antiAffinityOf: anti.of,
    affinityOf: affinity.of,
    antiAffinityMembers: anti.members,
    affinityMembers: affinity.members,
    antiAffinityNames: (constraints.antiAffinityGroups ?? []).map((group) => group.id),
    affinityNames: (constraints.affinityGroups ?? []).map((group) => group.id),
    component,
  };
}
