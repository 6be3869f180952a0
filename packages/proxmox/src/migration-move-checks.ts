import { CollectorError } from '@ballast/core';
import type { MigrationMove, MigrationPrecondition } from './execute-migrations';
import type { ProxmoxClient } from './proxmox-client';
import type { ClusterResource, MigratePreconditionWire } from './wire-schemas';

/**
 * Checks a move against the cluster listing read at the start of the run: the guest exists on
 * the expected source, the target is an online node and the guest is not locked. Returns the
 * guest's row, or the reason the move is refused.
 */
export function checkAgainstListing(
  move: MigrationMove,
  resources: readonly ClusterResource[],
): { row: ClusterResource } | { refusal: string } {
  const apiKind = move.kind === 'vm' ? 'qemu' : 'lxc';
  const row = resources.find((entry) => entry.type === apiKind && entry.vmid === move.vmid);
  if (move.source === move.target) return { refusal: 'source and target are the same node' };
  if (row === undefined)
    return { refusal: `no ${move.kind === 'vm' ? 'VM' : 'CT'} ${move.vmid} in the cluster` };
  if (row.node !== move.source)
    return { refusal: `guest ${move.vmid} is on ${row.node}, not on ${move.source}` };
  const targetNode = resources.find((entry) => entry.type === 'node' && entry.node === move.target);
  if (targetNode === undefined) return { refusal: `target node ${move.target} does not exist` };
  if (targetNode.status !== 'online') {
    return { refusal: `target node ${move.target} is ${targetNode.status ?? 'not online'}` };
  }
  if (row.lock !== undefined && row.lock !== '')
    return { refusal: `guest ${move.vmid} is locked (${row.lock})` };
  return { row };
}

/**
 * Asks PVE's migrate precondition, the authoritative check. `undefined` when the endpoint does
 * not exist (LXC on PVE ≤ 8 answers 501 or 404); every other failure is thrown.
 */
export async function readPrecondition(
  client: ProxmoxClient,
  move: MigrationMove,
  signal: AbortSignal | undefined,
): Promise<MigrationPrecondition | undefined> {
  const apiKind = move.kind === 'vm' ? 'qemu' : 'lxc';
  try {
    return normalizePrecondition(
      await client.getMigratePrecondition(move.source, apiKind, move.vmid, { target: move.target, signal }),
    );
  } catch (error) {
    const unsupported =
      move.kind === 'ct' &&
      CollectorError.isInstance(error) &&
      (error.statusCode === 501 || error.statusCode === 404);
    if (!unsupported) throw error;
    return undefined;
  }
}

/** Why PVE's precondition rules the target out, or `undefined` when it allows it. */
export function refusalFromPrecondition(
  move: MigrationMove,
  precondition: MigrationPrecondition,
  resources: readonly ClusterResource[],
): string | undefined {
  const blocked = precondition.notAllowedNodes[move.target];
  if (blocked !== undefined) {
    const reasons: string[] = [];
    if (blocked.unavailableStorages.length > 0)
      reasons.push(`storage not available there: ${blocked.unavailableStorages.join(', ')}`);
    if (blocked.blockingHaResources.length > 0)
      reasons.push(`blocked by HA: ${blocked.blockingHaResources.join(', ')}`);
    return `PVE does not allow ${move.target} (${reasons.join('; ') || 'not_allowed_nodes'})`;
  }
  if (precondition.allowedNodes !== undefined && !precondition.allowedNodes.includes(move.target)) {
    return `${move.target} is not in PVE's allowed_nodes [${precondition.allowedNodes.join(', ')}]`;
  }
  if (precondition.localResources.length > 0) {
    return `guest uses local resources: ${precondition.localResources.join(', ')}`;
  }
  const cdroms = precondition.localDisks.filter((disk) => disk.cdrom);
  if (cdroms.length > 0) return `local CD-ROM attached: ${cdroms.map((disk) => disk.volumeId).join(', ')}`;
  if (precondition.allowedNodes === undefined) return missingLocalStorages(move, precondition, resources);
  return undefined;
}

/** Why the move's own options rule it out for this guest, or `undefined`. */
export function refusalFromMoveOptions(
  move: MigrationMove,
  localDisks: readonly { volumeId: string }[],
  running: boolean,
): string | undefined {
  if (move.kind === 'vm' && localDisks.length > 0 && move.withLocalDisks === false) {
    return `guest has local disks (${localDisks.map((disk) => disk.volumeId).join(', ')}) and withLocalDisks is false`;
  }
  if (move.kind === 'vm' && running && move.online === false) {
    return 'the VM is running and online is false (PVE refuses offline migration of a running VM)';
  }
  return undefined;
}

/**
 * PVE ≤ 8 lists allowed nodes only for stopped VMs, so for running ones the local disks' storages
 * are checked against the target's storages here.
 */
function missingLocalStorages(
  move: MigrationMove,
  precondition: MigrationPrecondition,
  resources: readonly ClusterResource[],
): string | undefined {
  if (move.targetStorage !== undefined) return undefined;
  const storages = new Set(precondition.localDisks.map((disk) => disk.volumeId.split(':')[0] ?? ''));
  const missing = [...storages].filter(
    (storage) =>
      storage !== '' &&
      !resources.some(
        (entry) => entry.type === 'storage' && entry.node === move.target && entry.storage === storage,
      ),
  );
  return missing.length > 0 ? `storage not available on ${move.target}: ${missing.join(', ')}` : undefined;
}

function normalizePrecondition(wire: MigratePreconditionWire): MigrationPrecondition {
  const notAllowedNodes: MigrationPrecondition['notAllowedNodes'] = {};
  for (const [node, entry] of Object.entries(wire.not_allowed_nodes ?? {})) {
    notAllowedNodes[node] = {
      unavailableStorages: entry.unavailable_storages ?? [],
      blockingHaResources: (entry['blocking-ha-resources'] ?? []).map(
        (resource) => `${resource.sid ?? '?'}${resource.cause ? ` (${resource.cause})` : ''}`,
      ),
    };
  }
  const result: MigrationPrecondition = {
    running: wire.running,
    notAllowedNodes,
    localDisks: wire.local_disks.map((disk) => ({
      volumeId: disk.volid,
      sizeBytes: disk.size ?? 0,
      cdrom: disk.cdrom ?? false,
    })),
    localResources: wire.local_resources,
    mappedResources: wire['mapped-resources'] ?? [],
  };
  if (wire.allowed_nodes !== undefined) result.allowedNodes = wire.allowed_nodes;
  return result;
}
