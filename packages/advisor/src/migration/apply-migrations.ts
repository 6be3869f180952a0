import type { ClusterSnapshot } from '@ballast/core';

/**
 * Returns a copy of the snapshot with the moves applied: each guest's `node` changes and its usage
 * (CPU cores and memory in use, for running guests) moves from the source node to the target node.
 * Series are left as they were (they describe the past). Moves naming an unknown guest, or a source
 * that is not the guest's node at that point, are ignored.
 *
 * @example
 * ```ts
 * const plan = planMigrations(snapshot);
 * const after = applyMigrations(snapshot, plan.recommendations);
 * computeImbalance(after).normalized <= computeImbalance(snapshot).normalized; // true without evacuations
 * ```
 */
export function applyMigrations(
  snapshot: ClusterSnapshot,
  moves: ReadonlyArray<{ vmid: number; sourceNode: string; targetNode: string }>,
): ClusterSnapshot {
  const nodes = snapshot.nodes.map((node) => ({
    ...node,
    cpu: { ...node.cpu },
    memory: { ...node.memory },
  }));
  const guests = snapshot.guests.map((guest) => ({ ...guest }));
  const nodeByName = new Map(nodes.map((node) => [node.name, node]));
  const guestById = new Map(guests.map((guest) => [guest.vmid, guest]));
  for (const move of moves) {
    const guest = guestById.get(move.vmid);
    const source = nodeByName.get(move.sourceNode);
    const target = nodeByName.get(move.targetNode);
    if (guest === undefined || source === undefined || target === undefined || guest.node !== move.sourceNode)
      continue;
    if (guest.status === 'running') {
      source.cpu.usageCores = Math.max(0, source.cpu.usageCores - guest.cpu.usageCores);
      source.memory.usedBytes = Math.max(0, source.memory.usedBytes - guest.memory.usedBytes);
      target.cpu.usageCores += guest.cpu.usageCores;
      target.memory.usedBytes += guest.memory.usedBytes;
    }
    guest.node = move.targetNode;
  }
  return { ...snapshot, nodes, guests };
}
