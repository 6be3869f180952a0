/**
 * The state the migration planner works on (the planning model, its settings and running totals),
 * and the checks and numbers every phase of the planner shares: node load, imbalance, move cost,
 * the feasibility of one move, hot nodes.
 */
import type { ClusterSnapshot } from '@ballast/core';
import type { ResourceWeights } from './imbalance';
import type { PlanCurvePoint, PlannedMigration } from './plan-migrations';
import { type MovableUnit, type PlanningModel, storageFits } from './planning-model';
import type { WorkloadClass } from './workload-profile';

export const GIB = 2 ** 30;

export const EPSILON = 1e-12;

export interface Resolved {
  weights: ResourceWeights;
  cpuLimit: number;
  memLimit: number;
  reserveFraction: number;
  reserveBytes: number;
  minGain: number;
  maxMigrations: number;
  targetImbalance: number;
  burstyPenalty: number;
  softPenalty: number;
  fixedCost: number;
  gainShare: number;
  hotSpread: number;
  reliefAboveThresholds: boolean;
  compactionTrials: number;
  refinementEvaluations: number;
  lookaheadBranching: number;
  lookaheadEvaluations: number;
}

/** What every step of the planner shares: the model, the settings and the running totals. */
export interface PlanContext {
  snapshot: ClusterSnapshot;
  model: PlanningModel;
  settings: Resolved;
  workloads: Map<number, WorkloadClass[]>;
  /** Bursty guests per node, kept current as units move (bursty stacking penalty). */
  burstyCount: Int32Array;
  /** Whether each unit has a bursty member. */
  unitBursty: boolean[];
  /** Nodes that count in the imbalance (online, not in maintenance). */
  active: number[];
  /** `1 / sqrt(n − 1)`: scales the CV of `n` active nodes to 0..1. */
  normalize: number;
  /** Σ load and Σ load² over the active nodes, updated per move so a step costs O(1) per candidate. */
  sum: number;
  sumSquares: number;
  /** Active nodes that may receive guests. */
  targets: number[];
  /** Targets grouped by equal capacity (cores / memory). */
  capacityClasses: number[][];
  /** `units × nodes` flags for the constraints that do not change while planning. */
  staticOk: Uint8Array;
  recommendations: PlannedMigration[];
  curve: PlanCurvePoint[];
  unplaced: Array<{ vmid: number; reason: string }>;
  moved: Uint8Array;
  migrations: number;
  evacuations: number;
  step: number;
  ramBytesMoved: number;
  diskBytesMoved: number;
  totalCost: number;
  /** Per node: 1 while it is hot (planned relief). */
  hot: Uint8Array;
  /** Evacuation moves ignore the balancing thresholds (hard capacity only). */
  evacuating: boolean;
  /**
   * CPU in use now per node (cores, running guests moved), so that what a recommendation says is on
   * the same basis as the advisor's `imbalance*` fields (current usage), whatever `loadBasis` is.
   */
  nowCpu: Float64Array;
  /** Balancing moves in commit order (unit index, target node index). */
  balanceMoves: Array<{ unit: number; target: number }>;
  /**
   * Work done so far, the look-ahead's budget unit: one per move evaluated (every call of
   * `evaluateRaw`), one per unit a greedy round looks at (a round visits every unit, even those it
   * does not evaluate), and one per unit and node for each save or restore of the state.
   */
  work: number;
}

export function loadOf(context: PlanContext, index: number, cpu: number, memory: number): number {
  const node = context.model.nodes[index]!;
  const { weights } = context.settings;
  return (
    (node.cores > 0 ? (weights.cpu * cpu) / node.cores : 0) +
    (node.memoryTotal > 0 ? (weights.memory * memory) / node.memoryTotal : 0)
  );
}

export function rawCv(context: PlanContext, s1: number, s2: number): number {
  const count = context.active.length;
  if (count === 0) return 0;
  const average = s1 / count;
  if (average <= EPSILON) return 0;
  return Math.sqrt(Math.max(0, s2 / count - average * average)) / average;
}

export function imbalanceOf(context: PlanContext, s1: number, s2: number): number {
  return rawCv(context, s1, s2) * context.normalize;
}

export function costOf(settings: Resolved, unit: MovableUnit): number {
  return settings.fixedCost * unit.members.length + unit.ramBytes / GIB + (4 * unit.localDiskBytes) / GIB;
}

export interface MoveResult {
  s1: number;
  s2: number;
  penalties: number;
  /** Feasible but for the balancing thresholds. */
  overThreshold: boolean;
}

/** Resulting (sum, sumSquares) of moving `unit` to `target`, or undefined when infeasible. */
export function evaluateMove(
  context: PlanContext,
  unitIndex: number,
  target: number,
): MoveResult | undefined {
  const result = evaluateRaw(context, unitIndex, target);
  if (result === undefined) return undefined;
  return result.overThreshold ? undefined : result;
}

/** As {@link evaluateMove}, but a move refused only by the thresholds comes back flagged. */
export function evaluateRaw(context: PlanContext, unitIndex: number, target: number): MoveResult | undefined {
  context.work++;
  const { model, settings } = context;
  const { nodes, cpuUsed, memoryUsed } = model;
  const unit = model.units[unitIndex]!;
  const source = unit.source;
  if (target === source) return undefined;
  if (context.staticOk[unitIndex * nodes.length + target] === 0) return undefined;
  const node = nodes[target]!;
  const cpuAfter = cpuUsed[target]! + unit.cpuCores;
  const memAfter = memoryUsed[target]! + unit.memoryUsed;
  if (
    memoryUsed[target]! + unit.memoryMax >
    node.memoryTotal * (1 - settings.reserveFraction) - settings.reserveBytes + EPSILON
  ) {
    return undefined;
  }
  if (unit.antiAffinityStrict.size > 0) {
    for (const group of unit.antiAffinityStrict.keys())
      if (model.antiCount[group]![target]! > 0) return undefined;
  }
  if (unit.localDiskByStorage.size > 0 && !storageFits(model, unit, target)) return undefined;
  if (!sharedCapacityFits(context, unit, target)) return undefined;
  const overThreshold = !context.evacuating && !withinThresholds(context, unit, target, cpuAfter, memAfter);
  let penalties = 0;
  if (unit.preferred !== undefined && !unit.preferred.has(target)) penalties++;
  if (unit.antiAffinitySoft.size > 0) {
    for (const group of unit.antiAffinitySoft.keys())
      if (model.antiSoftCount[group]![target]! > 0) penalties++;
  }
  let s1 = context.sum;
  let s2 = context.sumSquares;
  const targetBefore = loadOf(context, target, cpuUsed[target]!, memoryUsed[target]!);
  const targetAfter = loadOf(context, target, cpuAfter, memAfter);
  s1 += targetAfter - targetBefore;
  s2 += targetAfter * targetAfter - targetBefore * targetBefore;
  if (nodes[source]!.active) {
    const sourceBefore = loadOf(context, source, cpuUsed[source]!, memoryUsed[source]!);
    const sourceAfter = loadOf(
      context,
      source,
      Math.max(0, cpuUsed[source]! - unit.cpuCores),
      Math.max(0, memoryUsed[source]! - unit.memoryUsed),
    );
    s1 += sourceAfter - sourceBefore;
    s2 += sourceAfter * sourceAfter - sourceBefore * sourceBefore;
  }
  return { s1, s2, penalties, overThreshold };
}

/**
 * The balancing thresholds: the target stays under `cpuThreshold` / `memThreshold`, except when the
 * move relieves a hot source and, on each resource over its threshold, the target ends no higher
 * than the source.
 */
function withinThresholds(
  context: PlanContext,
  unit: MovableUnit,
  target: number,
  cpuAfter: number,
  memAfter: number,
): boolean {
  const { settings, model } = context;
  const node = model.nodes[target]!;
  const cpuOver = cpuAfter > settings.cpuLimit * node.cores + EPSILON;
  const memOver = memAfter > settings.memLimit * node.memoryTotal + EPSILON;
  if (!cpuOver && !memOver) return true;
  const source = unit.source;
  if (!settings.reliefAboveThresholds || context.hot[source] !== 1) return false;
  const sourceNode = model.nodes[source]!;
  if (cpuOver) {
    const sourceCpu = sourceNode.cores > 0 ? (model.cpuUsed[source]! - unit.cpuCores) / sourceNode.cores : 0;
    if (cpuAfter / node.cores > sourceCpu + EPSILON) return false;
  }
  if (memOver) {
    const sourceMem =
      sourceNode.memoryTotal > 0 ? (model.memoryUsed[source]! - unit.memoryUsed) / sourceNode.memoryTotal : 0;
    if (memAfter / node.memoryTotal > sourceMem + EPSILON) return false;
  }
  return true;
}

/** The validator's capacity check, member by member in list order, on its own memory / CPU basis. */
function sharedCapacityFits(context: PlanContext, unit: MovableUnit, target: number): boolean {
  const { model, settings } = context;
  const policy = model.rules?.policy;
  if (policy === undefined) return true;
  const node = model.nodes[target]!;
  const memoryLimit = Math.min(
    policy.maxMemoryRatio * node.memoryTotal,
    node.memoryTotal * (1 - settings.reserveFraction) - settings.reserveBytes,
  );
  const cpuLimit = policy.maxCpuRatio * node.cores;
  let memory = model.fitMemory[target]!;
  let cpu = model.fitCpu[target]!;
  for (const demand of unit.demands) {
    if (memory + demand.fitMemory > memoryLimit) return false;
    if (cpu + demand.cpu > cpuLimit) return false;
    memory += demand.targetMemory;
    cpu += demand.cpu;
  }
  return true;
}

/**
 * Marks the hot active nodes: combined load `hotSpread` above the mean, or above a threshold and
 * above the mean. Returns how many there are.
 */
export function markHotNodes(context: PlanContext): number {
  const { model, settings } = context;
  const count = context.active.length;
  context.hot.fill(0);
  if (count < 2) return 0;
  const mean = context.sum / count;
  let hot = 0;
  for (const index of context.active) {
    const node = model.nodes[index]!;
    const load = loadOf(context, index, model.cpuUsed[index]!, model.memoryUsed[index]!);
    const cpu = node.cores > 0 ? model.cpuUsed[index]! / node.cores : 0;
    const memory = node.memoryTotal > 0 ? model.memoryUsed[index]! / node.memoryTotal : 0;
    const overThreshold = cpu > settings.cpuLimit + EPSILON || memory > settings.memLimit + EPSILON;
    if (load > mean + settings.hotSpread || (overThreshold && load > mean + 0.02)) {
      context.hot[index] = 1;
      hot++;
    }
  }
  return hot;
}
