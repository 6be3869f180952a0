import { type ClusterSnapshot, type GuestSnapshot, type NodeSnapshot, ValidationError } from '@ballast/core';
import { buildClusterIndex, type ClusterIndex } from './cluster-index';
import type { MigrationReasonCode, Reason } from './reason-codes';

/**
 * The placement constraints every migration must satisfy, shared by the rule planner
 * (`planMigrations` in `@ballast/advisor`) and {@link validateMigrationAdvice}: one source of truth,
 * so a move the planner makes under a policy is never refused by the validator under the same one.
 *
 * @example
 * ```ts
 * const policy: PlacementPolicy = resolvePlacementPolicy({ allowHaManaged: true, maxCpuRatio: 0.9 });
 * ```
 */
export interface PlacementPolicy {
  /** Allow moving guests with node-local disks (`with-local-disks`). */
  allowLocalDisks: boolean;
  /** Allow moving HA-managed guests. */
  allowHaManaged: boolean;
  /** Non-strict pins (HA node-affinity with `strict: 0`) are enforced like strict ones. */
  enforceNonStrictPins: boolean;
  /** Target memory after a move must stay ≤ this fraction of its total. */
  maxMemoryRatio: number;
  /** Target CPU (cores in use, current) after a move must stay ≤ this fraction of its cores. */
  maxCpuRatio: number;
  /** Memory a running guest adds to its target: configured `max` or `used` now. */
  memoryBasis: 'max' | 'used';
}

/**
 * Defaults of a {@link PlacementPolicy}: no local disks, no HA-managed guests, non-strict pins
 * enforced, memory ≤ 90 %, CPU ≤ 100 % of the cores, memory counted by its configured maximum.
 *
 * @example
 * ```ts
 * resolvePlacementPolicy({}).maxCpuRatio; // 1
 * ```
 */
export function resolvePlacementPolicy(options: Partial<PlacementPolicy> = {}): PlacementPolicy {
  if (typeof options !== 'object' || options === null) policyError('options', 'must be an object', options);
  // Each option is checked, not read loosely: the string "false" is truthy and would allow moving
  // guests with local disks; a NaN ratio would make every capacity check pass.
  for (const flag of ['allowLocalDisks', 'allowHaManaged', 'enforceNonStrictPins'] as const) {
    const value: unknown = options[flag];
    if (value !== undefined && typeof value !== 'boolean')
      policyError(`options.${flag}`, 'must be a boolean', value);
  }
  for (const ratio of ['maxMemoryRatio', 'maxCpuRatio'] as const) {
    const value: unknown = options[ratio];
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)) {
      policyError(`options.${ratio}`, 'must be a positive number', value);
    }
  }
  const memoryBasis: unknown = options.memoryBasis;
  if (memoryBasis !== undefined && memoryBasis !== 'max' && memoryBasis !== 'used') {
    policyError('options.memoryBasis', 'must be "max" or "used"', memoryBasis);
  }
  return {
    allowLocalDisks: options.allowLocalDisks ?? false,
    allowHaManaged: options.allowHaManaged ?? false,
    enforceNonStrictPins: options.enforceNonStrictPins ?? true,
    maxMemoryRatio: options.maxMemoryRatio ?? 0.9,
    maxCpuRatio: options.maxCpuRatio ?? 1,
    memoryBasis: options.memoryBasis ?? 'max',
  };
}

function policyError(path: string, message: string, value: unknown): never {
  throw new ValidationError({
    message: `${path} ${message}`,
    issues: [{ path, message, code: 'invalid_input' }],
    value: typeof value === 'object' ? undefined : value,
  });
}

/**
 * What a guest does to the placement when it moves: memory and CPU added to its target and taken
 * from its source, and the memory its target must have room for (a stopped guest changes no load
 * but must still fit when it starts).
 *
 * @example
 * ```ts
 * const demand: GuestDemand = guestDemand(guest, resolvePlacementPolicy());
 * ```
 */
export interface GuestDemand {
  /** Bytes added to the target's memory in use. */
  targetMemory: number;
  /** Bytes taken from the source's memory in use. */
  sourceMemory: number;
  /** Cores (current usage) moved from source to target. */
  cpu: number;
  /** Bytes the target must have room for, on top of what it holds. */
  fitMemory: number;
}

/**
 * A guest's {@link GuestDemand} under a policy: a running (or paused) guest adds its configured
 * memory (or its memory in use with `memoryBasis: 'used'`) and its CPU; any other guest adds
 * nothing but still needs room for its configured memory.
 *
 * @example
 * ```ts
 * guestDemand(guest, resolvePlacementPolicy()).fitMemory; // guest.memory.maxBytes
 * ```
 */
export function guestDemand(guest: GuestSnapshot, policy: PlacementPolicy): GuestDemand {
  const running = guest.status === 'running' || guest.status === 'paused';
  const configured = guest.memory.maxBytes;
  if (!running) return { targetMemory: 0, sourceMemory: 0, cpu: 0, fitMemory: configured };
  const added = policy.memoryBasis === 'max' ? configured : guest.memory.usedBytes;
  return {
    targetMemory: added,
    sourceMemory: guest.memory.usedBytes,
    cpu: guest.cpu.usageCores,
    fitMemory: added,
  };
}

/**
 * The shared constraint checks over one snapshot (see {@link createPlacementRules}).
 *
 * @example
 * ```ts
 * const rules: PlacementRules = createPlacementRules(snapshot, { allowHaManaged: true });
 * rules.guestBlockers(guest).length === 0; // the guest may move
 * ```
 */
export interface PlacementRules {
  readonly policy: PlacementPolicy;
  /**
   * Why the guest may not move anywhere (ignored, template, locked, HA-managed, local disks),
   * appended to `reasons` (a new list when omitted).
   */
  guestBlockers(
    guest: GuestSnapshot,
    reasons?: Array<Reason<MigrationReasonCode>>,
  ): Array<Reason<MigrationReasonCode>>;
  /**
   * Why the guest may not go to `targetNode` (unknown, offline, in maintenance, its own node, pins,
   * storages), appended to `reasons`. `statedSource` is the source a recommendation claims.
   */
  targetBlockers(
    guest: GuestSnapshot,
    targetNode: string,
    reasons?: Array<Reason<MigrationReasonCode>>,
    statedSource?: string,
  ): Array<Reason<MigrationReasonCode>>;
  /**
   * Why the target cannot take the guest given the memory and CPU (cores, current) it already
   * holds, appended to `reasons`.
   */
  capacityBlockers(
    guest: GuestSnapshot,
    target: NodeSnapshot,
    memoryInUse: number,
    cpuInUse: number,
    reasons?: Array<Reason<MigrationReasonCode>>,
  ): Array<Reason<MigrationReasonCode>>;
}

/**
 * Builds the shared placement checks for a snapshot under a policy (defaults as
 * {@link resolvePlacementPolicy}). The validator judges a model's moves with them and the rule
 * planner builds its plan with them, so both always agree on what is allowed.
 *
 * @example
 * ```ts
 * const rules = createPlacementRules(snapshot, { allowHaManaged: true });
 * const guest = snapshot.guests[0]!;
 * const reasons = [...rules.guestBlockers(guest), ...rules.targetBlockers(guest, 'pve2')];
 * console.log(reasons.map((reason) => reason.code)); // e.g. ['pin_violated']
 * ```
 */
export function createPlacementRules(
  snapshot: ClusterSnapshot,
  options: Partial<PlacementPolicy> = {},
): PlacementRules {
  const policy = resolvePlacementPolicy(options);
  const index = buildClusterIndex(snapshot);
  return {
    policy,
    guestBlockers: (guest, reasons = []) => guestBlockersOf(index, policy, guest, reasons),
    targetBlockers: (guest, targetNode, reasons = [], statedSource) =>
      targetBlockersOf(index, policy, guest, targetNode, reasons, statedSource),
    capacityBlockers: (guest, target, memoryInUse, cpuInUse, reasons = []) =>
      capacityBlockersOf(policy, guest, target, memoryInUse, cpuInUse, reasons),
  };
}

/** @internal */
export function guestBlockersOf(
  index: ClusterIndex,
  policy: PlacementPolicy,
  guest: GuestSnapshot,
  reasons: Array<Reason<MigrationReasonCode>>,
): Array<Reason<MigrationReasonCode>> {
  const vmid = guest.vmid;
  if (index.ignored.has(vmid)) reasons.push({ code: 'guest_ignored', message: `guest ${vmid} is ignored` });
  if (guest.template) reasons.push({ code: 'guest_template', message: `guest ${vmid} is a template` });
  if (guest.lock !== undefined && guest.lock !== '') {
    reasons.push({ code: 'guest_locked', message: `guest ${vmid} holds the lock "${guest.lock}"` });
  }
  if (guest.haManaged && !policy.allowHaManaged) {
    reasons.push({ code: 'ha_managed', message: `guest ${vmid} is HA-managed; HA places it` });
  }
  if ((guest.localDisks?.length ?? 0) > 0 && !policy.allowLocalDisks) {
    reasons.push({
      code: 'local_disks',
      message: `guest ${vmid} has ${guest.localDisks.length} local disk(s) and allowLocalDisks is off`,
    });
  }
  return reasons;
}

/** @internal */
export function targetBlockersOf(
  index: ClusterIndex,
  policy: PlacementPolicy,
  guest: GuestSnapshot,
  targetNode: string,
  reasons: Array<Reason<MigrationReasonCode>>,
  statedSource?: string,
): Array<Reason<MigrationReasonCode>> {
  const vmid = guest.vmid;
  const nodePosition = index.nodeIndex.get(targetNode);
  const node = nodePosition === undefined ? undefined : index.nodeList[nodePosition]!;
  if (node === undefined) {
    reasons.push({ code: 'unknown_target', message: `target node "${targetNode}" does not exist` });
  } else {
    if (node.status !== 'online') {
      reasons.push({ code: 'target_offline', message: `target node "${targetNode}" is ${node.status}` });
    }
    if (index.maintenance.has(targetNode)) {
      reasons.push({ code: 'target_maintenance', message: `target node "${targetNode}" is in maintenance` });
    }
  }
  if (targetNode === guest.node || targetNode === statedSource) {
    reasons.push({
      code: 'self_move',
      message: `guest ${vmid} would move to the node it is on ("${targetNode}")`,
    });
  }
  const pins = index.pins.get(vmid);
  if (pins !== undefined) {
    for (const pin of pins) {
      if (!pin.strict && !policy.enforceNonStrictPins) continue;
      if (!pin.nodes.includes(targetNode)) {
        reasons.push({
          code: 'pin_violated',
          message: `guest ${vmid} is pinned to ${pin.nodes.map((pinned) => `"${pinned}"`).join(', ')} (${originLabel(pin.origin)}${pin.strict ? '' : ', non-strict'})`,
        });
      }
    }
  }
  if (node !== undefined && index.hasStorageData && guest.storages !== undefined) {
    const available = index.storages.get(targetNode);
    let missing: string[] | undefined;
    for (const storage of guest.storages) {
      if (available?.has(storage) === true) continue;
      missing ??= [];
      missing.push(storage);
    }
    if (missing !== undefined) {
      reasons.push({
        code: 'storage_unavailable',
        message: `storage ${missing.map((storage) => `"${storage}"`).join(', ')} not available on "${targetNode}"`,
      });
    }
  }
  return reasons;
}

/** @internal */
export function capacityBlockersOf(
  policy: PlacementPolicy,
  guest: GuestSnapshot,
  target: NodeSnapshot,
  memoryInUse: number,
  cpuInUse: number,
  reasons: Array<Reason<MigrationReasonCode>>,
): Array<Reason<MigrationReasonCode>> {
  const demand = guestDemand(guest, policy);
  const memoryAfter = memoryInUse + demand.fitMemory;
  if (memoryAfter > policy.maxMemoryRatio * target.memory.totalBytes) {
    reasons.push({
      code: 'target_memory_exceeded',
      message: `"${target.name}" memory would reach ${percent(memoryAfter, target.memory.totalBytes)} (limit ${Math.round(
        policy.maxMemoryRatio * 100,
      )} %)${demand.targetMemory === 0 ? ` when guest ${guest.vmid} starts` : ''}`,
    });
  }
  const cpuAfter = cpuInUse + demand.cpu;
  if (cpuAfter > policy.maxCpuRatio * target.cpu.cores) {
    reasons.push({
      code: 'target_cpu_exceeded',
      message: `"${target.name}" CPU would reach ${cpuAfter.toFixed(2)} of ${target.cpu.cores} cores (limit ${Math.round(
        policy.maxCpuRatio * 100,
      )} %)`,
    });
  }
  return reasons;
}

function percent(used: number, total: number): string {
  return total > 0 ? `${((used / total) * 100).toFixed(1)} %` : 'infinity (no memory)';
}

function originLabel(origin: { kind: string; tags?: string[]; rule?: string }): string {
  if (origin.kind === 'tag') return `tag ${origin.tags?.join(', ') ?? ''}`;
  if (origin.kind === 'ha-rule') return `HA rule "${origin.rule ?? ''}"`;
  return origin.kind;
}
