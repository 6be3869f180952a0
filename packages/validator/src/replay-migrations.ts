import type { MigrationRecommendation, NodeLoad } from '@ballast/core';
import type { ClusterIndex } from './cluster-index';
import { appendReason, itemData, reject, type Work } from './migration-work';
import { capacityBlockersOf, type GuestDemand, guestDemand } from './placement-rules';
import { type MigrationReason, migrationPriorities, pickTwin } from './read-migration-item';

/**
 * Phase 2 of `validateMigrationAdvice`: the candidates that passed every per-item check are
 * replayed in the model's order on a copy of the placement, so anti-affinity, affinity groups and
 * target capacity count every move accepted before them.
 */

/**
 * The placement as the replay has changed it. Per-node memory / CPU live in `Float64Array`s and
 * each guest's current node in an `Int32Array` (by slot); anti-affinity and affinity are counted
 * on demand over the (small) member lists of the guest's groups, so nothing is allocated for a
 * move unless it is accepted (its recommendation) or rejected (its reasons).
 */
class ReplayPlacement {
  readonly memory: Float64Array;
  readonly cpu: Float64Array;
  /** Node position a guest has been moved to in this replay, -1 while it has not moved. */
  readonly movedTo: Int32Array;

  constructor(private readonly index: ClusterIndex) {
    const { nodeList, guestList } = index;
    this.memory = new Float64Array(nodeList.length);
    this.cpu = new Float64Array(nodeList.length);
    for (let position = 0; position < nodeList.length; position++) {
      const node = nodeList[position]!;
      this.memory[position] = node.memory.usedBytes;
      this.cpu[position] = node.cpu.usageCores;
    }
    this.movedTo = new Int32Array(guestList.length).fill(-1);
  }

  nodeOf(slot: number): string {
    const moved = this.movedTo[slot]!;
    return moved >= 0 ? this.index.nodeList[moved]!.name : this.index.guestList[slot]!.node;
  }

  /** Number of distinct nodes the members of an affinity group are on. */
  spread(members: readonly number[]): number {
    if (members.length > 32) {
      const nodes = new Set<string>();
      for (const slot of members) nodes.add(this.nodeOf(slot));
      return nodes.size;
    }
    let distinct = 0;
    outer: for (let at = 0; at < members.length; at++) {
      const node = this.nodeOf(members[at]!);
      for (let before = 0; before < at; before++) if (this.nodeOf(members[before]!) === node) continue outer;
      distinct++;
    }
    return distinct;
  }

  load(position: number): NodeLoad {
    const node = this.index.nodeList[position]!;
    return {
      cpuCores: Math.max(0, this.cpu[position]!),
      cpuTotalCores: node.cpu.cores,
      memoryUsedBytes: Math.max(0, this.memory[position]!),
      memoryTotalBytes: node.memory.totalBytes,
    };
  }

  /** Moves a guest's demand from its source (when it is a known node) to the target. */
  move(slot: number, sourceIndex: number, targetPosition: number, demand: GuestDemand): void {
    if (sourceIndex >= 0) {
      this.memory[sourceIndex] = this.memory[sourceIndex]! - demand.sourceMemory;
      this.cpu[sourceIndex] = this.cpu[sourceIndex]! - demand.cpu;
    }
    this.memory[targetPosition] = this.memory[targetPosition]! + demand.targetMemory;
    this.cpu[targetPosition] = this.cpu[targetPosition]! + demand.cpu;
    this.movedTo[slot] = targetPosition;
  }

  /** What a move is about to overwrite, so {@link undo} can put it back. */
  save(slot: number, sourceIndex: number, targetPosition: number): SavedMove {
    return {
      slot,
      sourceIndex,
      targetPosition,
      sourceMemory: sourceIndex >= 0 ? this.memory[sourceIndex]! : 0,
      sourceCpu: sourceIndex >= 0 ? this.cpu[sourceIndex]! : 0,
      targetMemory: this.memory[targetPosition]!,
      targetCpu: this.cpu[targetPosition]!,
    };
  }

  undo(saved: SavedMove): void {
    if (saved.sourceIndex >= 0) {
      this.memory[saved.sourceIndex] = saved.sourceMemory;
      this.cpu[saved.sourceIndex] = saved.sourceCpu;
    }
    this.memory[saved.targetPosition] = saved.targetMemory;
    this.cpu[saved.targetPosition] = saved.targetCpu;
    this.movedTo[saved.slot] = -1;
  }
}

interface SavedMove {
  slot: number;
  sourceIndex: number;
  targetPosition: number;
  sourceMemory: number;
  sourceCpu: number;
  targetMemory: number;
  targetCpu: number;
}

/**
 * Replays the candidates at `survivors` (positions, in order) and returns the accepted
 * recommendation at each accepted position; every refused one is rejected in `work`. @internal
 */
export function replayCandidates(
  survivors: readonly number[],
  work: Work,
): Array<MigrationRecommendation | undefined> {
  const placement = new ReplayPlacement(work.index);
  const bundles = affinityBundles(survivors, work);
  const accepted: Array<MigrationRecommendation | undefined> = new Array(work.items.length);
  let judged: Uint8Array | undefined;
  for (const first of survivors) {
    const component = work.index.component.get(work.vmidAt[first]!);
    if (component === undefined) {
      // Not in any affinity group: judged alone.
      const recommendation = tryApply(work, placement, first);
      if (recommendation !== undefined) accepted[first] = recommendation;
      continue;
    }
    judged ??= new Uint8Array(work.items.length);
    if (judged[first] === 1) continue;
    const bundle = bundles!.get(component)!;
    for (const position of bundle) judged[position] = 1;
    replayBundle(work, placement, bundle, accepted);
  }
  return accepted;
}

/** Survivors linked through affinity groups, by component: they are judged together, at the first. */
function affinityBundles(survivors: readonly number[], work: Work): Map<number, number[]> | undefined {
  let byComponent: Map<number, number[]> | undefined;
  for (const position of survivors) {
    const component = work.index.component.get(work.vmidAt[position]!);
    if (component === undefined) continue;
    byComponent ??= new Map();
    const list = byComponent.get(component);
    if (list === undefined) byComponent.set(component, [position]);
    else list.push(position);
  }
  return byComponent;
}

/**
 * Applies a bundle's moves; when together they spread an affinity group over more nodes than
 * before, every applied move is undone and rejected as `affinity_split`.
 */
function replayBundle(
  work: Work,
  placement: ReplayPlacement,
  bundle: readonly number[],
  accepted: Array<MigrationRecommendation | undefined>,
): void {
  const { index } = work;
  const groups: number[] = [];
  for (const position of bundle) {
    const of = index.affinityOf.get(work.vmidAt[position]!);
    if (of === undefined) continue;
    for (const group of of) if (!groups.includes(group)) groups.push(group);
  }
  const before = groups.map((group) => placement.spread(index.affinityMembers[group]!));

  const applied: Array<{ position: number; recommendation: MigrationRecommendation; saved: SavedMove }> = [];
  for (const position of bundle) {
    const slot = work.slotAt[position]!;
    const sourceIndex = index.nodeIndex.get(index.guestList[slot]!.node) ?? -1;
    const targetPosition = index.nodeIndex.get(work.targetAt[position]!)!;
    const saved = placement.save(slot, sourceIndex, targetPosition);
    const recommendation = tryApply(work, placement, position);
    if (recommendation !== undefined) applied.push({ position, recommendation, saved });
  }
  const split = groups.filter((group, at) => placement.spread(index.affinityMembers[group]!) > before[at]!);
  if (split.length === 0 || applied.length === 0) {
    for (const { position, recommendation } of applied) accepted[position] = recommendation;
    return;
  }
  for (let at = applied.length - 1; at >= 0; at--) placement.undo(applied[at]!.saved);
  const names = split.map((group) => `"${index.affinityNames[group]}"`).join(', ');
  for (const { position } of applied) {
    reject(work, position, [
      {
        code: 'affinity_split',
        message: `moving guest ${work.vmidAt[position]} (with the other accepted moves of its group) would spread affinity group ${names} over more nodes`,
      },
    ]);
  }
}

/** Checks and applies one candidate; rejects it (returning `undefined`) when it does not fit. */
function tryApply(
  work: Work,
  placement: ReplayPlacement,
  position: number,
): MigrationRecommendation | undefined {
  const { index, settings } = work;
  const slot = work.slotAt[position]!;
  const guest = index.guestList[slot]!;
  const targetNode = work.targetAt[position]!;
  const targetPosition = index.nodeIndex.get(targetNode)!;
  let reasons = antiAffinityReasons(work, placement, position);
  const capacity = capacityBlockersOf(
    settings.policy,
    guest,
    index.nodeList[targetPosition]!,
    placement.memory[targetPosition]!,
    placement.cpu[targetPosition]!,
    [],
  );
  for (const reason of capacity) reasons = appendReason(reasons, reason);
  if (reasons !== undefined) {
    reject(work, position, reasons);
    return undefined;
  }

  const sourceIndex = index.nodeIndex.get(guest.node) ?? -1;
  const sourceBefore = sourceIndex >= 0 ? placement.load(sourceIndex) : undefined;
  const targetBefore = placement.load(targetPosition);
  placement.move(slot, sourceIndex, targetPosition, guestDemand(guest, settings.policy));
  const recommendation = acceptedRecommendation(work, position);
  if (sourceBefore !== undefined) {
    recommendation.loads = {
      source: { before: sourceBefore, after: placement.load(sourceIndex) },
      target: { before: targetBefore, after: placement.load(targetPosition) },
    };
  }
  return recommendation;
}

/** `anti_affinity_violated`: a member of one of the guest's anti-affinity groups is (or is moving) on the target. */
function antiAffinityReasons(
  work: Work,
  placement: ReplayPlacement,
  position: number,
): MigrationReason[] | undefined {
  const { index } = work;
  const slot = work.slotAt[position]!;
  const targetNode = work.targetAt[position]!;
  const antiGroups = index.antiAffinityOf.get(work.vmidAt[position]!);
  if (antiGroups === undefined) return undefined;
  let reasons: MigrationReason[] | undefined;
  for (const group of antiGroups) {
    // The guest itself is on its source, never on the target (`self_move`).
    let other: number | undefined;
    for (const member of index.antiAffinityMembers[group]!) {
      if (member !== slot && placement.nodeOf(member) === targetNode) {
        other = member;
        break;
      }
    }
    if (other === undefined) continue;
    reasons = appendReason(reasons, {
      code: 'anti_affinity_violated',
      message: `guest ${index.guestList[other]!.vmid} of anti-affinity group "${index.antiAffinityNames[group]}" is ${
        placement.movedTo[other]! >= 0 ? 'moving' : 'already'
      } on "${targetNode}"`,
    });
  }
  return reasons;
}

/** The recommendation an accepted candidate becomes: the guest's real facts, the model's words. */
function acceptedRecommendation(work: Work, position: number): MigrationRecommendation {
  const guest = work.index.guestList[work.slotAt[position]!]!;
  const data = itemData(work, position);
  const recommendation: MigrationRecommendation = {
    vmid: work.vmidAt[position]!,
    name: guest.name,
    type: guest.kind,
    sourceNode: guest.node,
    targetNode: work.targetAt[position]!,
    priority: migrationPriorities[work.priorityAt[position]! - 1]!,
    reasoning: data.reasoning as string,
    // Whoever produced the advice is the caller's `source`: an item cannot claim to be the rule.
    source: work.settings.source,
    withLocalDisks: (guest.localDisks?.length ?? 0) > 0,
  };
  const riskScore = work.riskAt[position]!;
  if (!Number.isNaN(riskScore)) recommendation.riskScore = riskScore;
  const confidence = work.confidenceAt[position]!;
  if (!Number.isNaN(confidence)) recommendation.confidence = confidence;
  const estimatedImpact = pickTwin(data, 'estimated_impact', 'estimatedImpact') as string | null | undefined;
  if (estimatedImpact !== undefined && estimatedImpact !== null)
    recommendation.estimatedImpact = estimatedImpact;
  const bestTime = pickTwin(data, 'best_time', 'bestTime') as string | null | undefined;
  if (bestTime !== undefined && bestTime !== null) recommendation.bestTime = bestTime;
  return recommendation;
}
