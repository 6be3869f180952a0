import type { ClusterSnapshot, MigrationPriority, MigrationRecommendation, NodeLoad } from '@ballast/core';
import {
  type MigrationReasonCode,
  type PlacementPolicy,
  type Reason,
  resolvePlacementPolicy,
} from '@ballast/validator';
import { type CandidateRound, collectCandidates, greedyStep, growPool } from './greedy-step';
import { type NodeLoadFraction, normalizeWeights, type ResourceWeights } from './imbalance';
import {
  costOf,
  EPSILON,
  evaluateMove,
  GIB,
  imbalanceOf,
  loadOf,
  markHotNodes,
  type PlanContext,
  type Resolved,
  rawCv,
} from './plan-context';
import { type LookaheadHost, type LookaheadMove, planWithLookahead } from './plan-lookahead';
import {
  dropAndRepair,
  improveByCompounds,
  type RefinementHost,
  type RefinementMove,
} from './plan-refinement';
import {
  buildPlanningModel,
  type MovableUnit,
  moveUnit,
  type PlanningModel,
  type PlanningModelSettings,
  type PlanningNode,
  type RecentMigrations,
  storageFits,
} from './planning-model';
import { findQuietHour } from './quiet-hour';
import { profileWorkload, type WorkloadClass, type WorkloadProfileOptions } from './workload-profile';

/**
 * Options of {@link planMigrations}. Percentages are 0..100; every field has a default.
 *
 * @example
 * ```ts
 * const options: PlanMigrationsOptions = { cpuThreshold: 70, memThreshold: 80, maxMigrations: 5, allowLocalDisks: true };
 * ```
 */
export interface PlanMigrationsOptions {
  /** Weights of CPU and memory in a node's load. Default `{ cpu: 0.5, memory: 0.5 }` (CRS). */
  weights?: Partial<ResourceWeights>;
  /**
   * `blended` (default): CPU as `0.5·now + 0.3·recent + 0.2·period` from node and guest series where
   * they exist (ProxBalance); memory always current. `current`: instantaneous values only.
   */
  loadBasis?: 'current' | 'blended';
  /** A move may not leave its target above this CPU utilisation, percent. Default 60 (ProxBalance). */
  cpuThreshold?: number;
  /** A move may not leave its target above this memory utilisation, percent. Default 70 (ProxBalance). */
  memThreshold?: number;
  /** Memory fit: target used + guest `maxmem` ≤ total × (1 − this/100) − `memoryReserveBytes`. Default 5. */
  memoryReservePercent?: number;
  /** Memory kept free on every target on top of `memoryReservePercent`, bytes. Default 0. */
  memoryReserveBytes?: number;
  /** Stop when the best move improves the imbalance by less than this fraction of it. Default 0.1 (CRS margin). */
  minGain?: number;
  /**
   * Most balancing migrations in the plan (a bundle counts each member). Default 20. Evacuations of
   * nodes in maintenance do not count: they are all planned.
   */
  maxMigrations?: number;
  /**
   * Stop once the normalised imbalance is at or below this. Default 0.05: below it a move buys
   * too little balance for its disruption (churn is the top complaint about ProxLB).
   */
  targetImbalance?: number;
  /** Move HA-managed guests (through `ha-manager`). Default `true`; `false` leaves them to PVE CRS. */
  includeHaManaged?: boolean;
  /** Allow guests with node-local disks (copied with `with-local-disks`). Default `false`. */
  allowLocalDisks?: boolean;
  /** Previous migrations (vmid → epoch ms or `{ at, fromNode }`) for hysteresis. */
  recentMigrations?: RecentMigrations;
  /** Guests migrated less than this long ago are not moved, hours. Default 6. */
  cooldownHours?: number;
  /** Reference time, epoch ms. Default `snapshot.collectedAt`. */
  now?: number;
  /** Score factor against a bursty guest joining a node that already hosts one (0 = none, 1 = forbid). Default 0.5. */
  burstyPenalty?: number;
  /** Score factor against a soft constraint (non-strict pin or anti-affinity) being broken. Default 0.5. */
  softConstraintPenalty?: number;
  /** Fixed cost per guest migration added to `RAM GiB + 4 × local disk GiB`, GiB. Default 4. */
  fixedMigrationCostGiB?: number;
  /**
   * Only moves reaching this share of the step's best (penalised) gain compete on gain per cost, so
   * each step still makes near-maximal progress (fewer migrations) while preferring cheap guests
   * (fewer GiB). 1 = pure best gain (CRS), 0 = pure gain per cost. Default 0.85.
   */
  gainShare?: number;
  /** Workload classification thresholds (for bursty detection). */
  profile?: WorkloadProfileOptions;
  /**
   * A node whose combined load is this far above the cluster mean (fraction, 0.25 = 25 points) is
   * hot, as is one above `cpuThreshold` / `memThreshold` and above the mean: a hot node is a reason
   * to act on any cluster size, whatever the imbalance (`targetImbalance` and `minGain` do not stop
   * its relief). Default 0.25.
   */
  hotSpread?: number;
  /**
   * Relief of a hot node may leave its target above a threshold as long as, on that resource, the
   * target ends no higher than the source (it never trades one hot node for a hotter one; hard
   * capacity still holds). Default `true`; `false` keeps every target under the thresholds.
   */
  reliefAboveThresholds?: boolean;
  /**
   * Plan compaction after the greedy pass: pairs of balancing moves are replaced by one move that
   * reaches the same final imbalance with no more GiB (fewer migrations than CRS brute force for the
   * same balance). Bounded by a deterministic amount of work (no wall clock): this many pair trials
   * at most, fewer on large clusters. Default 40; 0 turns it off.
   */
  compactionTrials?: number;
  /**
   * Work bound of the refinement after the greedy pass (pairs of guests trading places when no
   * single move is worth a migration, then drop-and-repair compaction; see `plan-refinement.ts`),
   * in work units per phase: one per move or pair evaluated, and a replay of the plan as many as
   * it touches (every unit and node to restore the state, then the active nodes and one evaluation
   * per move). Deterministic (no wall clock). Default 100 000; 0 turns the refinement off.
   */
  refinementEvaluations?: number;
  /**
   * Look-ahead of the greedy pass (a pilot method, see `plan-lookahead.ts`): at each step the greedy
   * pick and its best runners-up, this many candidates in all, are each played out greedily to the
   * end, and the one whose play-out reaches the plain greedy plan's final imbalance with the fewest
   * migrations (then GiB) is taken. Default 3; 1 turns it off (the plain greedy pass).
   */
  lookaheadBranching?: number;
  /**
   * Work bound of the look-ahead, in candidate evaluations (every move the planner evaluates while
   * looking ahead, the plain greedy play-out included). The look-ahead is skipped when one step's
   * play-outs would take more than an eighth of it (large clusters keep the plain greedy pass), and
   * stops with the best plan found when it runs out. Deterministic (no wall clock). Default 2 000 000.
   */
  lookaheadEvaluations?: number;
  /**
   * Enforce non-strict pins (HA node-affinity with `strict: 0`) like strict ones, as the validator
   * does by default. Default `true`; `false` only penalises breaking them (`softConstraintPenalty`).
   */
  enforceNonStrictPins?: boolean;
  /**
   * Overrides of the placement policy shared with the validator (see {@link placementPolicyFor});
   * pass the validator's own options here so the plan always validates under them.
   */
  placement?: Partial<PlacementPolicy>;
}

/**
 * The placement policy (shared with `validateMigrationAdvice` through `createPlacementRules`) a plan
 * is built under: local disks and HA-managed guests as the options allow, non-strict pins enforced
 * unless `enforceNonStrictPins: false`, memory ≤ `1 − memoryReservePercent/100` of a target, CPU
 * (current) ≤ 100 % of its cores, then `options.placement` on top. Validating a plan with this policy
 * never refuses one of its moves.
 *
 * @example
 * ```ts
 * const policy = placementPolicyFor({ allowLocalDisks: true });
 * validateMigrationAdvice(snapshot, planMigrations(snapshot, { allowLocalDisks: true }).recommendations, policy).rejected; // []
 * ```
 */
export function placementPolicyFor(options: PlanMigrationsOptions = {}): PlacementPolicy {
  return resolvePlacementPolicy({
    allowLocalDisks: options.allowLocalDisks ?? false,
    allowHaManaged: options.includeHaManaged ?? true,
    enforceNonStrictPins: options.enforceNonStrictPins ?? true,
    maxMemoryRatio: 1 - (options.memoryReservePercent ?? 5) / 100,
    maxCpuRatio: 1,
    memoryBasis: 'max',
    ...options.placement,
  });
}

/**
 * A recommended migration with the planner's numbers. Assignable to {@link MigrationRecommendation}.
 *
 * @example
 * ```ts
 * const line = (move: PlannedMigration) => `${move.step}. ${move.vmid} ${move.sourceNode} → ${move.targetNode} Δ${move.imbalanceDelta.toFixed(3)}`;
 * ```
 */
export interface PlannedMigration extends MigrationRecommendation {
  source: 'rule';
  /** 1-based step; members of one affinity bundle share a step. */
  step: number;
  /** `evacuation` of a node in maintenance, or `balance`. */
  kind: 'evacuation' | 'balance';
  /** Normalised cluster imbalance before and after this step. */
  imbalanceBefore: number;
  imbalanceAfter: number;
  /** `imbalanceAfter − imbalanceBefore` (negative is better). */
  imbalanceDelta: number;
  /** Migration cost of the step: RAM GiB + 4 × local disk GiB (+ fixed cost per guest). */
  cost: number;
  /** Set when the guest moves with its affinity partners. */
  bundle?: { id: string; members: number[]; groups: string[] };
  /** The guest's workload classes. */
  workload: WorkloadClass[];
}

/**
 * One point of the imbalance-vs-migrations curve.
 *
 * @example
 * ```ts
 * const point: PlanCurvePoint = { migrations: 2, imbalance: 0.25, gibMoved: 16 };
 * ```
 */
export interface PlanCurvePoint {
  migrations: number;
  /** Normalised imbalance. */
  imbalance: number;
  gibMoved: number;
}

/**
 * Why planning stopped, naming the real cause:
 *
 * | reason | meaning |
 * |---|---|
 * | `target-reached` | imbalance at or below `targetImbalance` and no hot node left |
 * | `min-gain` | improving moves exist but each gains less than `minGain` of the imbalance |
 * | `no-improvement` | every feasible move would raise the imbalance |
 * | `thresholds` | the moves that would help all leave their target above `cpuThreshold` / `memThreshold` |
 * | `no-feasible-target` | no guest that may move has a target that satisfies its constraints and capacity |
 * | `cap` | `maxMigrations` reached |
 * | `nothing-movable` | no guest may move at all (flags, pins, cooldown, local disks…) |
 *
 * @example
 * ```ts
 * const reason: PlanStopReason = 'thresholds';
 * ```
 */
export type PlanStopReason =
  | 'target-reached'
  | 'min-gain'
  | 'no-improvement'
  | 'thresholds'
  | 'no-feasible-target'
  | 'cap'
  | 'nothing-movable';

/**
 * Plan-level numbers of a {@link MigrationPlan}.
 *
 * @example
 * ```ts
 * const text = (summary: PlanSummary) => `imbalance ${summary.imbalanceBefore.toFixed(2)} → ${summary.imbalanceAfter.toFixed(2)} in ${summary.migrations} moves`;
 * ```
 */
export interface PlanSummary {
  /** Normalised imbalance (CV / sqrt(n − 1)) before and after the plan. */
  imbalanceBefore: number;
  imbalanceAfter: number;
  /** Raw CV before and after (the number PVE's HA simulator logs print). */
  cvBefore: number;
  cvAfter: number;
  migrations: number;
  evacuations: number;
  /** Data copied: RAM of running guests + local disks, GiB. */
  gibMoved: number;
  ramGib: number;
  localDiskGib: number;
  /** Σ step costs. */
  cost: number;
  stopReason: PlanStopReason;
}

/**
 * The result of {@link planMigrations}.
 *
 * @example
 * ```ts
 * const plan: MigrationPlan = planMigrations(snapshot);
 * plan.recommendations.forEach((move) => console.log(move.reasoning));
 * ```
 */
export interface MigrationPlan {
  recommendations: PlannedMigration[];
  summary: PlanSummary;
  /** Imbalance after 0, 1, … migrations. */
  curve: PlanCurvePoint[];
  /** Balancing-node loads before and after the plan (on the planning basis). */
  nodeLoads: { before: NodeLoadFraction[]; after: NodeLoadFraction[] };
  /** Guests that cannot move, with why. */
  skipped: Array<{ vmid: number; reason: string }>;
  /** Guests on nodes in maintenance that found no target. */
  unplaced: Array<{ vmid: number; reason: string }>;
}

/**
 * Plans VM/CT migrations that reduce the cluster imbalance (PVE CRS metric: CV of per-node
 * `weights.cpu·cpu% + weights.memory·mem%`, normalised by `sqrt(n − 1)`) with as little churn as
 * possible. Deterministic: same snapshot and options → same plan.
 *
 * 1. Guests on nodes in maintenance are evacuated first (largest first, target with the lowest
 *    resulting imbalance), priority `critical`.
 * 2. Greedy best-improvement: every feasible (guest or affinity bundle, target) move is evaluated;
 *    among those improving the imbalance by at least `minGain` of its value, the one with the best
 *    `Δimbalance / cost` (cost = fixed + RAM GiB + 4 × local disk GiB; × penalties for stacking bursty
 *    guests or breaking soft constraints) is committed; repeat until none qualifies or
 *    `maxMigrations`. With look-ahead (`lookaheadBranching`, default 3), the greedy pick and its
 *    runners-up are each played out greedily to the end and the one whose play-out reaches the
 *    plain greedy plan's final imbalance (and hot-node relief) with the fewest migrations, then GiB,
 *    is committed instead; bounded by `lookaheadEvaluations` (work, not time; see
 *    `plan-lookahead.ts`).
 * 3. Compaction and refinement, bounded by `compactionTrials` / `refinementEvaluations` (work
 *    counts, no wall clock): moves that other planned guests can make up for are dropped; where
 *    the greedy pass stalled, pairs of guests trading places go on while each gains `minGain` of
 *    the imbalance per migration (see `plan-refinement.ts`).
 *
 * Hard constraints: ignored, template, locked, not-running, cooled-down and (optionally)
 * HA-managed guests stay; strict pins, strict anti-affinity (with moves already planned), affinity
 * bundles moved as one, targets online and not in maintenance, storages available on the target
 * (local disks only with `allowLocalDisks` and with room), memory fit by `maxmem` with a reserve, and
 * no target left above `cpuThreshold` / `memThreshold`. A guest moves at most once per plan and never
 * back to the node it recently came from.
 *
 * @example
 * ```ts
 * const plan = planMigrations(snapshot, { maxMigrations: 5, recentMigrations: { 101: Date.now() - 3_600_000 } });
 * console.log(plan.summary.imbalanceBefore.toFixed(2), '→', plan.summary.imbalanceAfter.toFixed(2));
 * for (const move of plan.recommendations) console.log(move.vmid, move.sourceNode, '→', move.targetNode, move.reasoning);
 * ```
 */
export function planMigrations(
  snapshot: ClusterSnapshot,
  options: PlanMigrationsOptions = {},
): MigrationPlan {
  const model = buildPlanningModel(snapshot, planningModelSettings(snapshot, options));
  const context = createPlanContext(snapshot, model, resolveSettings(options), options.profile);
  const loadsBefore = nodeLoadFractions(context);
  const cvBefore = rawCv(context, context.sum, context.sumSquares);
  const imbalanceBefore = imbalanceOf(context, context.sum, context.sumSquares);
  context.curve.push({ migrations: 0, imbalance: imbalanceBefore, gibMoved: 0 });

  evacuateMaintenanceNodes(context);
  const base = saveState(context);
  let stopReason = balanceWithLookahead(context, base);
  compactPlan(context, base);
  stopReason = refinePlan(context, base, stopReason);
  return assemblePlan(context, { imbalanceBefore, cvBefore, loadsBefore, stopReason });
}

function planningModelSettings(
  snapshot: ClusterSnapshot,
  options: PlanMigrationsOptions,
): PlanningModelSettings {
  return {
    loadBasis: options.loadBasis ?? 'blended',
    includeHaManaged: options.includeHaManaged ?? true,
    allowLocalDisks: options.allowLocalDisks ?? false,
    recentMigrations: options.recentMigrations ?? {},
    cooldownMs: (options.cooldownHours ?? 6) * 3_600_000,
    now: options.now ?? snapshot.collectedAt,
    checkStorage: true,
    placement: placementPolicyFor(options),
  };
}

function resolveSettings(options: PlanMigrationsOptions): Resolved {
  return {
    weights: normalizeWeights(options.weights),
    cpuLimit: (options.cpuThreshold ?? 60) / 100,
    memLimit: (options.memThreshold ?? 70) / 100,
    reserveFraction: (options.memoryReservePercent ?? 5) / 100,
    reserveBytes: options.memoryReserveBytes ?? 0,
    minGain: options.minGain ?? 0.1,
    maxMigrations: options.maxMigrations ?? 20,
    targetImbalance: options.targetImbalance ?? 0.05,
    burstyPenalty: Math.min(1, Math.max(0, options.burstyPenalty ?? 0.5)),
    softPenalty: Math.min(1, Math.max(0, options.softConstraintPenalty ?? 0.5)),
    fixedCost: Math.max(0, options.fixedMigrationCostGiB ?? 4),
    gainShare: Math.min(1, Math.max(0, options.gainShare ?? 0.85)),
    hotSpread: Math.max(0, options.hotSpread ?? 0.25),
    reliefAboveThresholds: options.reliefAboveThresholds ?? true,
    compactionTrials: Math.max(0, Math.floor(options.compactionTrials ?? 40)),
    refinementEvaluations: Math.max(0, Math.floor(options.refinementEvaluations ?? 100_000)),
    // Not a finite number (NaN, ±Infinity): the default, so the search stays bounded.
    lookaheadBranching: Math.max(1, Math.floor(finiteOr(options.lookaheadBranching, 3))),
    lookaheadEvaluations: Math.max(0, Math.floor(finiteOr(options.lookaheadEvaluations, 2_000_000))),
  };
}

function finiteOr(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) ? value : fallback;
}

function createPlanContext(
  snapshot: ClusterSnapshot,
  model: PlanningModel,
  settings: Resolved,
  profileOptions: WorkloadProfileOptions | undefined,
): PlanContext {
  const { nodes, units } = model;
  const active: number[] = [];
  nodes.forEach((node, index) => {
    if (node.active) active.push(index);
  });
  const count = active.length;
  const targets = active.filter((index) => nodes[index]!.target);
  const context: PlanContext = {
    snapshot,
    model,
    settings,
    ...profileBurstiness(snapshot, model, profileOptions),
    active,
    normalize: count > 1 ? 1 / Math.sqrt(count - 1) : 0,
    sum: 0,
    sumSquares: 0,
    targets,
    capacityClasses: capacityClassesOf(nodes, targets),
    staticOk: staticFeasibility(
      model,
      targets,
      snapshot.constraints.pins.map((pin) => pin.vmid),
    ),
    recommendations: [],
    curve: [],
    unplaced: [],
    moved: new Uint8Array(units.length),
    migrations: 0,
    evacuations: 0,
    step: 0,
    ramBytesMoved: 0,
    diskBytesMoved: 0,
    totalCost: 0,
    hot: new Uint8Array(nodes.length),
    evacuating: false,
    nowCpu: Float64Array.from(nodes, (node) => node.snapshot.cpu.usageCores),
    balanceMoves: [],
    work: 0,
  };
  for (const index of active) {
    const load = loadOf(context, index, model.cpuUsed[index]!, model.memoryUsed[index]!);
    context.sum += load;
    context.sumSquares += load * load;
  }
  return context;
}

/** Everything a balancing move changes, saved after the evacuations so the plan can be redone. */
interface SavedState {
  cpuUsed: Float64Array;
  memoryUsed: Float64Array;
  fitMemory: Float64Array;
  fitCpu: Float64Array;
  nowCpu: Float64Array;
  antiCount: Int32Array[];
  antiSoftCount: Int32Array[];
  storageFree: Array<Map<string, number>> | undefined;
  sources: Int32Array;
  burstyCount: Int32Array;
  moved: Uint8Array;
  sum: number;
  sumSquares: number;
  counters: Pick<
    PlanContext,
    'migrations' | 'evacuations' | 'step' | 'ramBytesMoved' | 'diskBytesMoved' | 'totalCost'
  >;
  recommendations: number;
  curve: number;
}

function saveState(context: PlanContext): SavedState {
  const { model } = context;
  return {
    cpuUsed: model.cpuUsed.slice(),
    memoryUsed: model.memoryUsed.slice(),
    fitMemory: model.fitMemory.slice(),
    fitCpu: model.fitCpu.slice(),
    nowCpu: context.nowCpu.slice(),
    antiCount: model.antiCount.map((counts) => counts.slice()),
    antiSoftCount: model.antiSoftCount.map((counts) => counts.slice()),
    storageFree: model.storageFree?.map((free) => new Map(free)),
    sources: Int32Array.from(model.units, (unit) => unit.source),
    burstyCount: context.burstyCount.slice(),
    moved: context.moved.slice(),
    sum: context.sum,
    sumSquares: context.sumSquares,
    counters: {
      migrations: context.migrations,
      evacuations: context.evacuations,
      step: context.step,
      ramBytesMoved: context.ramBytesMoved,
      diskBytesMoved: context.diskBytesMoved,
      totalCost: context.totalCost,
    },
    recommendations: context.recommendations.length,
    curve: context.curve.length,
  };
}

function restoreState(context: PlanContext, saved: SavedState): void {
  const { model } = context;
  model.cpuUsed.set(saved.cpuUsed);
  model.memoryUsed.set(saved.memoryUsed);
  model.fitMemory.set(saved.fitMemory);
  model.fitCpu.set(saved.fitCpu);
  context.nowCpu.set(saved.nowCpu);
  saved.antiCount.forEach((counts, group) => {
    model.antiCount[group]!.set(counts);
  });
  saved.antiSoftCount.forEach((counts, group) => {
    model.antiSoftCount[group]!.set(counts);
  });
  if (saved.storageFree !== undefined && model.storageFree !== undefined) {
    saved.storageFree.forEach((free, node) => {
      model.storageFree![node] = new Map(free);
    });
  }
  model.units.forEach((unit, index) => {
    unit.source = saved.sources[index]!;
  });
  context.burstyCount.set(saved.burstyCount);
  context.moved.set(saved.moved);
  context.sum = saved.sum;
  context.sumSquares = saved.sumSquares;
  Object.assign(context, saved.counters);
  context.recommendations.length = saved.recommendations;
  context.curve.length = saved.curve;
  context.balanceMoves = [];
}

/** Applies a move to the state only (no record): false when it is not feasible there. */
function applyQuietly(context: PlanContext, unitIndex: number, target: number): boolean {
  markHotNodes(context);
  const result = evaluateMove(context, unitIndex, target);
  if (result === undefined) return false;
  const unit = context.model.units[unitIndex]!;
  const source = unit.source;
  moveUnit(context.model, unit, target);
  moveBurstyCounts(context, unitIndex, source, target);
  for (const guest of unit.members) {
    if (guest.status !== 'running') continue;
    context.nowCpu[source] = Math.max(0, context.nowCpu[source]! - guest.cpu.usageCores);
    context.nowCpu[target] = context.nowCpu[target]! + guest.cpu.usageCores;
  }
  context.sum = result.s1;
  context.sumSquares = result.s2;
  context.moved[unitIndex] = 1;
  return true;
}

/**
 * Step 3: compaction. For pairs of balancing moves (latest first), undo both and look for one move
 * that alone reaches the plan's final imbalance with no more GiB; every remaining move must still be
 * feasible in order. Each success saves a migration; the plan is then re-recorded in its new order.
 * Work is bounded by `compactionTrials` (scaled down with the number of units), so it is
 * deterministic.
 */
function compactPlan(context: PlanContext, base: SavedState): void {
  const { settings, model } = context;
  if (settings.compactionTrials === 0 || context.balanceMoves.length < 2) return;
  if (context.balanceMoves.some((move) => model.units[move.unit]!.members.length > 1)) return;
  const goal = imbalanceOf(context, context.sum, context.sumSquares) + 1e-12;
  let trials = Math.min(settings.compactionTrials, Math.floor(100_000 / Math.max(1, model.units.length)));
  const greedyState = saveState(context);
  const greedyRecommendations = context.recommendations.slice();
  const greedyCurve = context.curve.slice();
  const greedyMoves = context.balanceMoves.slice();
  let moves = greedyMoves;
  let changed = false;
  let pool = growPool(undefined);
  const savedMinGain = settings.minGain;
  search: for (;;) {
    for (let i = moves.length - 1; i > 0; i--) {
      for (let j = i - 1; j >= 0; j--) {
        if (trials-- <= 0) break search;
        restoreState(context, base);
        const kept = moves.filter((_, index) => index !== i && index !== j);
        if (!kept.every((move) => applyQuietly(context, move.unit, move.target))) continue;
        markHotNodes(context);
        const current = imbalanceOf(context, context.sum, context.sumSquares);
        settings.minGain = 0;
        const round = collectCandidates(context, current, pool, false);
        settings.minGain = savedMinGain;
        pool = round.pool;
        const budget =
          costOf(settings, model.units[moves[i]!.unit]!) + costOf(settings, model.units[moves[j]!.unit]!);
        const replacement = cheapestReaching(context, round, goal, budget);
        if (replacement === undefined) continue;
        moves = [...kept, replacement];
        changed = true;
        continue search;
      }
    }
    break;
  }
  settings.minGain = savedMinGain;
  if (!changed) {
    restoreState(context, greedyState);
    context.recommendations.splice(0, context.recommendations.length, ...greedyRecommendations);
    context.curve.splice(0, context.curve.length, ...greedyCurve);
    context.balanceMoves = greedyMoves;
    return;
  }
  // Re-record the compacted plan in its new order.
  restoreState(context, base);
  for (const move of moves) {
    markHotNodes(context);
    commitMove(context, move.unit, move.target, 'balance');
  }
}

/**
 * Step 4, refinement (see `plan-refinement.ts`):
 *
 * 1. Drop and repair on the greedy plan: moves that other planned guests can make up for by free
 *    changes are dropped, at the greedy plan's final imbalance (never more migrations or GiB).
 * 2. When the greedy pass stalled (no single move worth a migration, not at the target, not at the
 *    cap): pairs of guests trading places while the best gains `minGain` of the imbalance per
 *    migration, as a single move must; the greedy pass resumes after each. It never adds churn the
 *    greedy pass's own rules would refuse.
 * 3. Drop and repair on the moves step 2 added, the plan of step 1 frozen (so its prefix, and the
 *    imbalance it reaches, stay as they are).
 *
 * Each step is bounded by `refinementEvaluations`; the plan is re-recorded when it changed.
 */
function refinePlan(context: PlanContext, base: SavedState, stopReason: PlanStopReason): PlanStopReason {
  if (context.settings.refinementEvaluations === 0) return stopReason;
  if (context.balanceMoves.length === 0 && (stopReason === 'target-reached' || stopReason === 'cap'))
    return stopReason;
  const host = refinementHost(context, base);
  let moves: RefinementMove[] = context.balanceMoves.slice();
  let reason: PlanStopReason = stopReason;
  const records = { recommendations: context.recommendations.slice(), curve: context.curve.slice() };
  const greedyCount = moves.length;
  const compact = (frozen: ReadonlySet<number>) => {
    const goal = imbalanceOf(context, context.sum, context.sumSquares) + 1e-12;
    moves = dropAndRepair(host, moves, goal, { evaluations: context.settings.refinementEvaluations }, frozen);
  };
  compact(new Set());
  let changed = moves.length !== greedyCount;
  const frozen = new Set(moves.map((move) => move.unit));
  const pairBudget = { evaluations: context.settings.refinementEvaluations };
  const pairCount = moves.length;
  if (reason !== 'target-reached' && reason !== 'cap' && reason !== 'nothing-movable') {
    for (let round = 0; round < 200; round++) {
      const count = moves.length;
      moves = improveByCompounds(host, moves, pairBudget, { mode: 'new', rounds: 1 });
      if (moves.length === count) break;
      changed = true;
      // Single new moves may be worth a migration again from the new state.
      reason = balanceGreedily(context);
      moves = context.balanceMoves.slice();
      if (reason === 'target-reached' || reason === 'cap') break;
    }
  }
  if (moves.length > pairCount) compact(frozen);
  if (changed) {
    recordInOrder(context, base, moves);
  } else {
    // Failed trials replayed the state without records: put the greedy plan's back.
    replayMoves(context, base, moves);
    context.recommendations.splice(0, context.recommendations.length, ...records.recommendations);
    context.curve.splice(0, context.curve.length, ...records.curve);
  }
  return reason;
}

/** The planner seen by the refinement search: its state, checks and replay. */
function refinementHost(context: PlanContext, base: SavedState): RefinementHost {
  const { model } = context;
  let byNode: number[][] | undefined;
  return {
    imbalance: () => imbalanceOf(context, context.sum, context.sumSquares),
    hotNodes: () => markHotNodes(context),
    imbalanceIfReturned(unitIndex) {
      const unit = model.units[unitIndex]!;
      return imbalanceWithShift(context, unit, unit.source, base.sources[unitIndex]!);
    },
    migrationsOf: (unitIndex) => model.units[unitIndex]!.members.length,
    // A replay restores the state (every unit and node) and, per move, counts the hot nodes (every
    // active node) and evaluates the move.
    replayWork: (count) => model.units.length + model.nodes.length + count * (1 + context.active.length),
    moveCostOf: (unitIndex) => costOf(context.settings, model.units[unitIndex]!),
    replay: (moves) => {
      byNode = undefined;
      return replayMoves(context, base, moves);
    },
    nodeOf: (unitIndex) => model.units[unitIndex]!.source,
    originOf: (unitIndex) => base.sources[unitIndex]!,
    nodesByLoad: () =>
      context.targets
        .map((index) => ({
          index,
          load: loadOf(context, index, model.cpuUsed[index]!, model.memoryUsed[index]!),
        }))
        .sort((a, b) => b.load - a.load || a.index - b.index)
        .map((entry) => entry.index),
    mayChange: (unitIndex) => compoundUnit(context, base, unitIndex),
    unitsOn(node) {
      byNode ??= compoundUnitsByNode(context, base);
      return byNode[node] ?? [];
    },
    mayEndOn(unitIndex, node) {
      const unit = model.units[unitIndex]!;
      if (unit.preferred !== undefined && !unit.preferred.has(node)) return false;
      if (node === base.sources[unitIndex]) return model.nodes[node]!.target;
      return context.staticOk[unitIndex * model.nodes.length + node] === 1;
    },
    imbalanceIfSwapped: (a, b) => imbalanceOfSwap(context, a, b),
    imbalanceIfShifted: (unitIndex, node) =>
      imbalanceWithShift(context, model.units[unitIndex]!, model.units[unitIndex]!.source, node),
    pricePerMigration: () => context.settings.minGain * imbalanceOf(context, context.sum, context.sumSquares),
    migrationRoom: () => context.settings.maxMigrations - (context.migrations - context.evacuations),
    shift(unitIndex, node) {
      const unit = model.units[unitIndex]!;
      const from = unit.source;
      if (from === node) return;
      const loads = (index: number) =>
        loadOf(context, index, model.cpuUsed[index]!, model.memoryUsed[index]!);
      const before = [loads(from), loads(node)];
      moveUnit(model, unit, node);
      moveBurstyCounts(context, unitIndex, from, node);
      const after = [loads(from), loads(node)];
      [from, node].forEach((index, at) => {
        if (!model.nodes[index]!.active) return;
        context.sum += after[at]! - before[at]!;
        context.sumSquares += after[at]! ** 2 - before[at]! ** 2;
      });
    },
  };
}

/**
 * Units a compound change may involve, by node: not evacuated, on an active node, and without soft
 * constraints or burstiness that the compound search does not price (the greedy pass does).
 */
function compoundUnitsByNode(context: PlanContext, base: SavedState): number[][] {
  const { model } = context;
  const byNode: number[][] = model.nodes.map(() => []);
  model.units.forEach((unit, index) => {
    if (compoundUnit(context, base, index)) byNode[unit.source]!.push(index);
  });
  return byNode;
}

/** Whether a compound change may involve the unit (see {@link compoundUnitsByNode}). */
function compoundUnit(context: PlanContext, base: SavedState, unitIndex: number): boolean {
  const unit = context.model.units[unitIndex]!;
  if (base.moved[unitIndex] === 1 || !context.model.nodes[unit.source]!.active) return false;
  return unit.antiAffinitySoft.size === 0 && !context.unitBursty[unitIndex];
}

/** Imbalance if units `a` and `b` traded nodes (no feasibility check). */
function imbalanceOfSwap(context: PlanContext, a: number, b: number): number {
  const { cpuUsed, memoryUsed } = context.model;
  const unitA = context.model.units[a]!;
  const unitB = context.model.units[b]!;
  const x = unitA.source;
  const y = unitB.source;
  const cpuShift = unitA.cpuCores - unitB.cpuCores;
  const memShift = unitA.memoryUsed - unitB.memoryUsed;
  const xBefore = loadOf(context, x, cpuUsed[x]!, memoryUsed[x]!);
  const yBefore = loadOf(context, y, cpuUsed[y]!, memoryUsed[y]!);
  const xAfter = loadOf(context, x, cpuUsed[x]! - cpuShift, memoryUsed[x]! - memShift);
  const yAfter = loadOf(context, y, cpuUsed[y]! + cpuShift, memoryUsed[y]! + memShift);
  const s1 = context.sum + xAfter - xBefore + yAfter - yBefore;
  const s2 = context.sumSquares + xAfter * xAfter - xBefore * xBefore + yAfter * yAfter - yBefore * yBefore;
  return imbalanceOf(context, s1, s2);
}

/** Imbalance if the unit's load went from node `from` to node `to` (no feasibility check). */
function imbalanceWithShift(context: PlanContext, unit: MovableUnit, from: number, to: number): number {
  const { cpuUsed, memoryUsed, nodes } = context.model;
  let s1 = context.sum;
  let s2 = context.sumSquares;
  if (nodes[from]!.active) {
    const before = loadOf(context, from, cpuUsed[from]!, memoryUsed[from]!);
    const after = loadOf(
      context,
      from,
      Math.max(0, cpuUsed[from]! - unit.cpuCores),
      Math.max(0, memoryUsed[from]! - unit.memoryUsed),
    );
    s1 += after - before;
    s2 += after * after - before * before;
  }
  if (nodes[to]!.active) {
    const before = loadOf(context, to, cpuUsed[to]!, memoryUsed[to]!);
    const after = loadOf(context, to, cpuUsed[to]! + unit.cpuCores, memoryUsed[to]! + unit.memoryUsed);
    s1 += after - before;
    s2 += after * after - before * before;
  }
  return imbalanceOf(context, s1, s2);
}

/**
 * Resets to `base` and applies the balancing moves in order through the planner's checks, keeping
 * the counters (migrations, GiB, cost) but not the records; false when one is refused.
 */
function replayMoves(context: PlanContext, base: SavedState, moves: readonly RefinementMove[]): boolean {
  restoreState(context, base);
  for (const move of moves) {
    if (!applyBalanceQuietly(context, move)) return false;
  }
  context.balanceMoves = moves.slice();
  markHotNodes(context);
  return true;
}

/** Records the balancing moves from `base` in the given order (every move passed the checks). */
function recordInOrder(context: PlanContext, base: SavedState, moves: readonly RefinementMove[]): void {
  restoreState(context, base);
  for (const move of moves) {
    markHotNodes(context);
    commitMove(context, move.unit, move.target, 'balance');
  }
}

/** The single-guest candidate reaching `goal` with the lowest cost within `budget`, if any. */
function cheapestReaching(
  context: PlanContext,
  round: CandidateRound,
  goal: number,
  budget: number,
): { unit: number; target: number } | undefined {
  let best: { unit: number; target: number; cost: number } | undefined;
  for (let index = 0; index < round.count; index++) {
    if (round.pool.imbalance[index]! > goal) continue;
    const unit = round.pool.unit[index]!;
    if (context.model.units[unit]!.members.length > 1) continue;
    const cost = costOf(context.settings, context.model.units[unit]!);
    if (cost > budget + EPSILON) continue;
    if (best === undefined || cost < best.cost - EPSILON)
      best = { unit, target: round.pool.target[index]!, cost };
  }
  return best === undefined ? undefined : { unit: best.unit, target: best.target };
}

/** Workload classes of running guests and bursty counts per node and per unit (bursty stacking). */
function profileBurstiness(
  snapshot: ClusterSnapshot,
  model: PlanningModel,
  profileOptions: WorkloadProfileOptions | undefined,
): Pick<PlanContext, 'workloads' | 'burstyCount' | 'unitBursty'> {
  const workloads = new Map<number, WorkloadClass[]>();
  const burstyCount = new Int32Array(model.nodes.length);
  for (const guest of snapshot.guests) {
    if (guest.status !== 'running') continue;
    const classes = profileWorkload(guest, profileOptions).classes;
    workloads.set(guest.vmid, classes);
    const index = model.nodeIndex.get(guest.node);
    if (index !== undefined && classes.includes('bursty')) burstyCount[index]!++;
  }
  const unitBursty = model.units.map((unit) =>
    unit.members.some((guest) => workloads.get(guest.vmid)?.includes('bursty')),
  );
  return { workloads, burstyCount, unitBursty };
}

function capacityClassesOf(nodes: readonly PlanningNode[], targets: readonly number[]): number[][] {
  const classByKey = new Map<string, number[]>();
  for (const index of targets) {
    const key = `${nodes[index]!.cores}/${nodes[index]!.memoryTotal}`;
    const members = classByKey.get(key) ?? [];
    members.push(index);
    classByKey.set(key, members);
  }
  return [...classByKey.values()];
}

/**
 * Constraints that do not change while planning: target eligibility, strict pins, where the guest
 * came from, storages present on the target.
 */
function staticFeasibility(
  model: PlanningModel,
  targets: readonly number[],
  pinnedVmids: Iterable<number>,
): Uint8Array {
  const nodeCount = model.nodes.length;
  const staticOk = new Uint8Array(model.units.length * nodeCount);
  const scratch: Array<Reason<MigrationReasonCode>> = [];
  // The shared rules' answer for an unpinned guest depends only on its storages and the target:
  // cached by storage list, so 5 000 guests × 100 nodes cost a few hundred rule checks.
  const pinned = new Set(pinnedVmids);
  const cache = new Map<string, Uint8Array>();
  model.units.forEach((unit, unitIndex) => {
    const cacheable = unit.members.length === 1 && !pinned.has(unit.members[0]!.vmid);
    const key = cacheable ? unit.members[0]!.storages.join('\u0000') : '';
    let cached = cacheable ? cache.get(key) : undefined;
    if (cacheable && cached === undefined) {
      cached = new Uint8Array(nodeCount);
      cache.set(key, cached);
    }
    for (const target of targets) {
      if (target === unit.source) continue;
      if (unit.allowed !== undefined && !unit.allowed.has(target)) continue;
      if (unit.blockedTargets.has(target)) continue;
      const free = model.storageFree?.[target];
      if (free !== undefined && unit.storages.some((storage) => !free.has(storage))) continue;
      if (model.rules !== undefined) {
        // 0: not checked yet, 1: allowed, 2: refused.
        let verdict = cached?.[target] ?? 0;
        if (verdict === 0) {
          verdict = sharedRulesAllow(model, unit, target, scratch) ? 1 : 2;
          if (cached !== undefined) cached[target] = verdict;
        }
        if (verdict === 2) continue;
      }
      staticOk[unitIndex * nodeCount + target] = 1;
    }
  });
  return staticOk;
}

/** Whether the shared placement rules let every member of the unit go to the target. */
function sharedRulesAllow(
  model: PlanningModel,
  unit: MovableUnit,
  target: number,
  scratch: Array<Reason<MigrationReasonCode>>,
): boolean {
  const name = model.nodes[target]!.name;
  for (const guest of unit.members) {
    scratch.length = 0;
    model.rules!.targetBlockers(guest, name, scratch);
    if (scratch.length > 0) return false;
  }
  return true;
}

function nodeLoadFractions(context: PlanContext): NodeLoadFraction[] {
  const { nodes, cpuUsed, memoryUsed } = context.model;
  const { weights } = context.settings;
  return context.active.map((index) => {
    const node = nodes[index]!;
    const cpu = node.cores > 0 ? cpuUsed[index]! / node.cores : 0;
    const memory = node.memoryTotal > 0 ? memoryUsed[index]! / node.memoryTotal : 0;
    return { node: node.name, cpu, memory, load: weights.cpu * cpu + weights.memory * memory };
  });
}

/** A node's load now (current CPU), as the advisor and a ProxBalance UI count it. */
function currentLoadOf(context: PlanContext, index: number): NodeLoad {
  const { model } = context;
  return {
    cpuCores: context.nowCpu[index]!,
    cpuTotalCores: model.nodes[index]!.cores,
    memoryUsedBytes: model.memoryUsed[index]!,
    memoryTotalBytes: model.nodes[index]!.memoryTotal,
  };
}

/** Normalised imbalance of the active nodes on current usage (the advisor's `imbalance*` basis). */
function currentImbalance(context: PlanContext): number {
  let s1 = 0;
  let s2 = 0;
  for (const index of context.active) {
    const load = loadOf(context, index, context.nowCpu[index]!, context.model.memoryUsed[index]!);
    s1 += load;
    s2 += load * load;
  }
  return imbalanceOf(context, s1, s2);
}

/** Moves the unit in the model and the totals, and records one recommendation per member. */
function commitMove(
  context: PlanContext,
  unitIndex: number,
  target: number,
  kind: 'evacuation' | 'balance',
): void {
  const { model } = context;
  const unit = model.units[unitIndex]!;
  const source = unit.source;
  const result = evaluateMove(context, unitIndex, target)!;
  const before = imbalanceOf(context, context.sum, context.sumSquares);
  const after = imbalanceOf(context, result.s1, result.s2);
  const shownBefore = currentImbalance(context);
  const sourceBefore = currentLoadOf(context, source);
  const targetBefore = currentLoadOf(context, target);
  moveUnit(model, unit, target);
  moveBurstyCounts(context, unitIndex, source, target);
  for (const guest of unit.members) {
    if (guest.status !== 'running') continue;
    context.nowCpu[source] = Math.max(0, context.nowCpu[source]! - guest.cpu.usageCores);
    context.nowCpu[target] = context.nowCpu[target]! + guest.cpu.usageCores;
  }
  context.sum = result.s1;
  context.sumSquares = result.s2;
  const cost = recordProgress(context, unitIndex, kind, after);
  const loads = {
    source: { before: sourceBefore, after: currentLoadOf(context, source) },
    target: { before: targetBefore, after: currentLoadOf(context, target) },
  };
  const shown = { before: shownBefore, after: currentImbalance(context) };
  if (kind === 'balance') context.balanceMoves.push({ unit: unitIndex, target });
  const move = { kind, source, target, loads, before, after, shown, cost };
  for (const recommendation of recommendationsFor(context, unit, move))
    context.recommendations.push(recommendation);
}

function moveBurstyCounts(context: PlanContext, unitIndex: number, source: number, target: number): void {
  if (!context.unitBursty[unitIndex]) return;
  for (const guest of context.model.units[unitIndex]!.members) {
    if (context.workloads.get(guest.vmid)?.includes('bursty')) {
      context.burstyCount[source]!--;
      context.burstyCount[target]!++;
    }
  }
}

/** Counts the move (migrations, GiB, cost) and extends the curve; returns the move's cost. */
function recordProgress(
  context: PlanContext,
  unitIndex: number,
  kind: 'evacuation' | 'balance',
  imbalance: number,
): number {
  const unit = context.model.units[unitIndex]!;
  context.moved[unitIndex] = 1;
  context.step++;
  context.migrations += unit.members.length;
  if (kind === 'evacuation') context.evacuations += unit.members.length;
  context.ramBytesMoved += unit.ramBytes;
  context.diskBytesMoved += unit.localDiskBytes;
  const cost = costOf(context.settings, unit);
  context.totalCost += cost;
  context.curve.push({
    migrations: context.migrations,
    imbalance,
    gibMoved: (context.ramBytesMoved + context.diskBytesMoved) / GIB,
  });
  return cost;
}

interface CommittedMove {
  kind: 'evacuation' | 'balance';
  /** Node indexes; the unit's own `source` already points at the target once moved. */
  source: number;
  target: number;
  loads: { source: { before: NodeLoad; after: NodeLoad }; target: { before: NodeLoad; after: NodeLoad } };
  before: number;
  after: number;
  /** Imbalance on current usage, as stated in the text (the advisor's basis). */
  shown: { before: number; after: number };
  cost: number;
}

/** One recommendation per member of the moved unit (bundles move together). */
function recommendationsFor(
  context: PlanContext,
  unit: MovableUnit,
  move: CommittedMove,
): PlannedMigration[] {
  const { nodes } = context.model;
  const { settings } = context;
  const { kind, loads } = move;
  const sourceName = nodes[move.source]!.name;
  const targetName = nodes[move.target]!.name;
  const quiet = quietHourOf(context.model, unit, move.source, move.target);
  const sourceHot = kind === 'balance' && context.hot[move.source] === 1;
  const priority = movePriority(kind, sourceHot, move.before, move.after);
  // What the text states is on current usage, as the advisor's and ProxBalance's imbalance fields.
  const { before, after } = move.shown;
  const memberIds = unit.members.map((guest) => guest.vmid);
  return unit.members.map((guest) => {
    const workload = context.workloads.get(guest.vmid) ?? [];
    const reasoning = describeMove({
      kind,
      sourceName,
      targetName,
      loads,
      before,
      after,
      sourceHot,
      settings,
      partners: memberIds.filter((vmid) => vmid !== guest.vmid),
      groups: unit.affinityGroupNames,
      workload,
    });
    const recommendation: PlannedMigration = {
      vmid: guest.vmid,
      name: guest.name,
      type: guest.kind,
      sourceNode: sourceName,
      targetNode: targetName,
      priority,
      reasoning,
      riskScore: riskScore(unit, guest),
      estimatedImpact: `cluster imbalance ${before.toFixed(2)} → ${after.toFixed(2)} (${formatChange(before, after)}); ${sourceName} load ${pct(fraction(loads.source.before, settings.weights))} → ${pct(fraction(loads.source.after, settings.weights))}, ${targetName} ${pct(fraction(loads.target.before, settings.weights))} → ${pct(fraction(loads.target.after, settings.weights))}`,
      source: 'rule',
      loads,
      withLocalDisks: guest.localDisks.length > 0,
      step: context.step,
      kind,
      imbalanceBefore: move.before,
      imbalanceAfter: move.after,
      imbalanceDelta: move.after - move.before,
      cost: move.cost,
      workload,
    };
    if (quiet !== undefined) {
      recommendation.bestTime = `${quiet.label} (lowest average CPU of ${sourceName}, ${targetName} and the guest in the history: ${pct(quiet.meanLoad)})`;
    }
    if (unit.members.length > 1) {
      recommendation.bundle = { id: unit.id, members: memberIds, groups: unit.affinityGroupNames };
    }
    return recommendation;
  });
}

/** The quietest UTC hour of the source, the target and the unit's guests, in CPU fraction. */
function quietHourOf(model: PlanningModel, unit: MovableUnit, source: number, target: number) {
  const { nodes } = model;
  return findQuietHour([
    {
      series: nodes[source]!.snapshot.series?.cpuCores,
      scale: nodes[source]!.cores > 0 ? 1 / nodes[source]!.cores : 1,
    },
    {
      series: nodes[target]!.snapshot.series?.cpuCores,
      scale: nodes[target]!.cores > 0 ? 1 / nodes[target]!.cores : 1,
    },
    ...unit.members.map((guest) => ({
      series: guest.series?.cpuCores,
      scale: guest.cpu.cores > 0 ? 1 / guest.cpu.cores : 1,
    })),
  ]);
}

function movePriority(
  kind: 'evacuation' | 'balance',
  sourceHot: boolean,
  before: number,
  after: number,
): MigrationPriority {
  const relative = before > 0 ? (before - after) / before : 0;
  return kind === 'evacuation' ? 'critical' : sourceHot ? 'high' : relative >= 0.25 ? 'medium' : 'low';
}

/**
 * Step 1, its own phase: every movable guest on a node in maintenance is placed, largest first, under
 * its constraints and hard capacity only (the balancing thresholds and `maxMigrations` do not
 * apply); a guest that finds no target, or that may not move at all, is listed in `unplaced` with
 * the reason.
 */
function evacuateMaintenanceNodes(context: PlanContext): void {
  const { model } = context;
  const evacuationOrder = model.units
    .map((unit, index) => ({ unit, index }))
    .filter(({ unit }) => unit.evacuate)
    .sort((a, b) => b.unit.memoryMax - a.unit.memoryMax || a.unit.members[0]!.vmid - b.unit.members[0]!.vmid);
  context.evacuating = true;
  for (const { unit, index } of evacuationOrder) {
    const target = bestEvacuationTarget(context, index);
    if (target === undefined) {
      const reason = whyNoTarget(context, index);
      for (const guest of unit.members) context.unplaced.push({ vmid: guest.vmid, reason });
      continue;
    }
    commitMove(context, index, target, 'evacuation');
  }
  context.evacuating = false;
  // Guests on maintenance nodes that may not move at all stay there: say so.
  const byVmid = new Map(context.snapshot.guests.map((guest) => [guest.vmid, guest]));
  for (const entry of model.skipped) {
    const guest = byVmid.get(entry.vmid);
    if (guest === undefined || (guest.status !== 'running' && guest.status !== 'paused')) continue;
    const node = model.nodeIndex.get(guest.node);
    if (node === undefined || !model.nodes[node]!.maintenance) continue;
    context.unplaced.push({ vmid: entry.vmid, reason: `cannot move: ${entry.reason}` });
  }
}

/** Why an evacuation unit found no target: pins, storage, anti-affinity or capacity. */
function whyNoTarget(context: PlanContext, unitIndex: number): string {
  const { model } = context;
  const unit = model.units[unitIndex]!;
  const nodeCount = model.nodes.length;
  const targets = context.targets.filter((target) => target !== unit.source);
  if (targets.length === 0) return 'no node is online and out of maintenance';
  const pinned = targets.filter((target) => unit.allowed === undefined || unit.allowed.has(target));
  if (pinned.length === 0) {
    const names = [...(unit.allowed ?? [])].map((index) => model.nodes[index]!.name);
    return `pinned to ${names.length === 0 ? 'no existing node' : names.join(', ')}, none of which can take it`;
  }
  const allowed = pinned.filter((target) => context.staticOk[unitIndex * nodeCount + target] === 1);
  if (allowed.length === 0) return 'no node has its storages or satisfies its placement rules';
  if (unit.localDiskBytes > 0 && !allowed.some((target) => storageFits(model, unit, target))) {
    return 'local disks: no node has room on the same storage (no path for with-local-disks)';
  }
  const apart = allowed.filter((target) =>
    [...unit.antiAffinityStrict.keys()].every((group) => model.antiCount[group]![target]! === 0),
  );
  if (apart.length === 0) return 'anti-affinity: every possible node already hosts a member of its group';
  return 'no capacity: no node has room for its memory / CPU';
}

/** The feasible target with the fewest penalties, then the lowest resulting imbalance. */
function bestEvacuationTarget(context: PlanContext, unitIndex: number): number | undefined {
  let best: { target: number; imbalance: number; penalties: number } | undefined;
  for (const target of context.targets) {
    const result = evaluateMove(context, unitIndex, target);
    if (result === undefined) continue;
    const penalties =
      result.penalties +
      (context.unitBursty[unitIndex] && context.burstyCount[target]! > 0 && context.settings.burstyPenalty > 0
        ? 1
        : 0);
    const imbalance = imbalanceOf(context, result.s1, result.s2);
    if (
      best === undefined ||
      penalties < best.penalties ||
      (penalties === best.penalties && imbalance < best.imbalance - EPSILON)
    ) {
      best = { target, imbalance, penalties };
    }
  }
  return best?.target;
}

/**
 * Step 2: greedy best improvement, one move per round, until a stop condition holds (see
 * {@link greedyStep}).
 */
function balanceGreedily(context: PlanContext): PlanStopReason {
  const scratch = { pool: growPool(undefined) };
  for (;;) {
    const step = greedyStep(context, scratch, 1);
    if ('stop' in step) return step.stop;
    const [best] = step.moves;
    commitMove(context, best!.unit, best!.target, 'balance');
  }
}

/**
 * Step 2 with look-ahead (`lookaheadBranching` > 1, see `plan-lookahead.ts`): the greedy pass, where
 * each step's pick may be a runner-up whose greedy play-out reaches the plain plan's final imbalance
 * with fewer migrations or GiB. The plan found is recorded from `base` as the plain pass would.
 */
function balanceWithLookahead(context: PlanContext, base: SavedState): PlanStopReason {
  const { lookaheadBranching, lookaheadEvaluations } = context.settings;
  if (lookaheadBranching <= 1) return balanceGreedily(context);
  const result = planWithLookahead(lookaheadHost(context), {
    branching: lookaheadBranching,
    work: lookaheadEvaluations,
  });
  recordInOrder(context, base, result.plan.moves);
  return result.plan.stop;
}

/** The planner seen by the look-ahead: greedy rounds, quiet moves, and its state. */
function lookaheadHost(context: PlanContext): LookaheadHost<PlanStopReason, SavedState> {
  const scratch = { pool: growPool(undefined) };
  const { units, nodes } = context.model;
  const stateSize = units.length + nodes.length;
  return {
    greedyStep: (breadth) => greedyStep(context, scratch, breadth),
    apply: (move: LookaheadMove) => {
      // The move came from a greedy round in this very state, so the same checks pass.
      if (!applyBalanceQuietly(context, move)) throw new Error('look-ahead: a proposed move was refused');
    },
    imbalance: () => imbalanceOf(context, context.sum, context.sumSquares),
    hotNodes: () => {
      context.work += context.active.length;
      return markHotNodes(context);
    },
    migrationsOf: (unit) => units[unit]!.members.length,
    gibOf: (unit) => (units[unit]!.ramBytes + units[unit]!.localDiskBytes) / GIB,
    save: () => {
      context.work += stateSize;
      return saveState(context);
    },
    restore: (state) => {
      context.work += stateSize;
      restoreState(context, state);
    },
    work: () => context.work,
  };
}

/**
 * Applies a balancing move the greedy round proposed to the state and the counters (migrations, GiB,
 * cost), without records: a play-out of the look-ahead, or a replay.
 */
function applyBalanceQuietly(context: PlanContext, move: LookaheadMove): boolean {
  if (!applyQuietly(context, move.unit, move.target)) return false;
  const unit = context.model.units[move.unit]!;
  context.step++;
  context.migrations += unit.members.length;
  context.ramBytesMoved += unit.ramBytes;
  context.diskBytesMoved += unit.localDiskBytes;
  context.totalCost += costOf(context.settings, unit);
  return true;
}

function assemblePlan(
  context: PlanContext,
  start: {
    imbalanceBefore: number;
    cvBefore: number;
    loadsBefore: NodeLoadFraction[];
    stopReason: PlanStopReason;
  },
): MigrationPlan {
  const { sum, sumSquares, ramBytesMoved, diskBytesMoved } = context;
  return {
    recommendations: context.recommendations,
    summary: {
      imbalanceBefore: start.imbalanceBefore,
      imbalanceAfter: imbalanceOf(context, sum, sumSquares),
      cvBefore: start.cvBefore,
      cvAfter: rawCv(context, sum, sumSquares),
      migrations: context.migrations,
      evacuations: context.evacuations,
      gibMoved: (ramBytesMoved + diskBytesMoved) / GIB,
      ramGib: ramBytesMoved / GIB,
      localDiskGib: diskBytesMoved / GIB,
      cost: context.totalCost,
      stopReason: start.stopReason,
    },
    curve: context.curve,
    nodeLoads: { before: start.loadsBefore, after: nodeLoadFractions(context) },
    skipped: context.model.skipped,
    unplaced: context.unplaced.sort((a, b) => a.vmid - b.vmid),
  };
}

const pct = (value: number) => `${Math.round(value * 100)} %`;

function fraction(load: NodeLoad, weights: ResourceWeights): number {
  return (
    (load.cpuTotalCores > 0 ? (weights.cpu * load.cpuCores) / load.cpuTotalCores : 0) +
    (load.memoryTotalBytes > 0 ? (weights.memory * load.memoryUsedBytes) / load.memoryTotalBytes : 0)
  );
}

function formatChange(before: number, after: number): string {
  if (before <= 0) return 'no change';
  const change = ((after - before) / before) * 100;
  return `${change > 0 ? '+' : '−'}${Math.abs(Math.round(change))} %`;
}

function describeLoads(name: string, before: NodeLoad, after: NodeLoad): string {
  const memory = (load: NodeLoad) =>
    load.memoryTotalBytes > 0 ? load.memoryUsedBytes / load.memoryTotalBytes : 0;
  const cpu = (load: NodeLoad) => (load.cpuTotalCores > 0 ? load.cpuCores / load.cpuTotalCores : 0);
  return `${name} memory ${pct(memory(before))} → ${pct(memory(after))}, CPU ${pct(cpu(before))} → ${pct(cpu(after))}`;
}

function describeMove(input: {
  kind: 'evacuation' | 'balance';
  sourceName: string;
  targetName: string;
  loads: { source: { before: NodeLoad; after: NodeLoad }; target: { before: NodeLoad; after: NodeLoad } };
  before: number;
  after: number;
  sourceHot: boolean;
  settings: Resolved;
  partners: number[];
  groups: string[];
  workload: WorkloadClass[];
}): string {
  const parts: string[] = [];
  if (input.kind === 'evacuation') parts.push(`${input.sourceName} is in maintenance: evacuate.`);
  else if (input.sourceHot) {
    parts.push(
      `${input.sourceName} is hot (above its headroom of CPU ${pct(input.settings.cpuLimit)} / memory ${pct(input.settings.memLimit)}, or far above the cluster mean).`,
    );
  }
  parts.push(
    `${describeLoads(input.sourceName, input.loads.source.before, input.loads.source.after)}; ` +
      `${describeLoads(input.targetName, input.loads.target.before, input.loads.target.after)}; ` +
      `cluster imbalance ${input.before.toFixed(2)} → ${input.after.toFixed(2)}.`,
  );
  if (input.partners.length > 0) {
    parts.push(
      `Moves together with ${input.partners.join(', ')} (affinity ${input.groups.length > 1 ? 'groups' : 'group'} ${input.groups.join(', ')}).`,
    );
  }
  const notable = input.workload.filter((kind) => kind !== 'steady' && kind !== 'insufficient_data');
  if (notable.length > 0) parts.push(`Workload: ${notable.join(', ')}.`);
  return parts.join(' ');
}

/**
 * Heuristic migration risk 0..100: memory size (≤ 30, 64 GiB = 30), local disks (≤ 25, 200 GiB = 25),
 * guest CPU load (≤ 15 at 100 % of its vCPUs), HA-managed (+10), container restart (+10), bundle
 * size (+5 per partner, ≤ 10).
 */
function riskScore(unit: MovableUnit, guest: MovableUnit['members'][number]): number {
  const ram = guest.status === 'running' ? guest.memory.maxBytes / GIB : 0;
  const disk = guest.localDisks.reduce((total, entry) => total + entry.sizeBytes, 0) / GIB;
  const load = guest.cpu.cores > 0 && guest.status === 'running' ? guest.cpu.usageCores / guest.cpu.cores : 0;
  const score =
    Math.min(30, (30 * ram) / 64) +
    Math.min(25, (25 * disk) / 200) +
    Math.min(15, 15 * load) +
    (guest.haManaged ? 10 : 0) +
    (guest.kind === 'ct' && guest.status === 'running' ? 10 : 0) +
    Math.min(10, 5 * (unit.members.length - 1));
  return Math.max(0, Math.min(100, Math.round(score)));
}
