/**
 * One round of the planner's greedy pass: every feasible move that gains enough, and the pick (the
 * best gain per cost among moves near the best gain), with its runners-up for the look-ahead, or
 * the real reason the pass stops there.
 */
import {
  costOf,
  EPSILON,
  evaluateRaw,
  imbalanceOf,
  loadOf,
  markHotNodes,
  type PlanContext,
} from './plan-context';
import type { PlanStopReason } from './plan-migrations';

interface Candidate {
  unit: number;
  target: number;
  imbalance: number;
  gain: number;
  score: number;
  penalties: number;
}

/** What one greedy round decides: its best moves (the greedy pick first), or why the pass stops. */
export type GreedyStepResult = { moves: Array<{ unit: number; target: number }> } | { stop: PlanStopReason };

/**
 * One round of the greedy pass in the current state, without committing anything. While a node is
 * hot, only moves off hot nodes compete and any improvement counts (neither `targetImbalance` nor
 * `minGain` stops them); when no hot node can be relieved, the usual round follows. Returns the
 * greedy pick and, for the look-ahead, up to `breadth − 1` runners-up of the same round in the same
 * order (each among the moves reaching `gainShare` of the round's best gain).
 */
export function greedyStep(
  context: PlanContext,
  scratch: { pool: CandidatePool },
  breadth: number,
): GreedyStepResult {
  const { settings } = context;
  const current = imbalanceOf(context, context.sum, context.sumSquares);
  const hot = markHotNodes(context) > 0;
  if (!hot && current <= settings.targetImbalance + EPSILON) return { stop: 'target-reached' };
  if (context.migrations - context.evacuations >= settings.maxMigrations) return { stop: 'cap' };
  let round = collectCandidates(context, current, scratch.pool, hot);
  scratch.pool = round.pool;
  let floor = settings.gainShare * round.bestGain - EPSILON;
  let best = pickCandidate(round, floor);
  if ((best === undefined || best.score <= 0) && hot) {
    // Hot nodes that cannot be relieved: balance the rest as usual.
    if (current <= settings.targetImbalance + EPSILON) return { stop: stopReasonOf(round, true) };
    const hotRound = round;
    round = collectCandidates(context, current, scratch.pool, false);
    scratch.pool = round.pool;
    floor = settings.gainShare * round.bestGain - EPSILON;
    best = pickCandidate(round, floor);
    if (best === undefined || best.score <= 0)
      return { stop: stopReasonOf(mergeRounds(hotRound, round), false) };
  }
  if (best === undefined || best.score <= 0) return { stop: stopReasonOf(round, false) };
  const moves = [best];
  while (moves.length < breadth) {
    const next = pickCandidate(round, floor, moves);
    if (next === undefined || next.score <= 0) break;
    moves.push(next);
  }
  return { moves: moves.map(({ unit, target }) => ({ unit, target })) };
}

/** The real cause of a round without a usable move. */
function stopReasonOf(round: CandidateRound, hotOnly: boolean): PlanStopReason {
  if (!round.anyMovable) return round.capBlocked ? 'cap' : 'nothing-movable';
  if (round.belowMinGain && !hotOnly) return 'min-gain';
  if (round.thresholdBlocked) return 'thresholds';
  if (!round.anyFeasible) return round.capBlocked ? 'cap' : 'no-feasible-target';
  return round.belowMinGain ? 'min-gain' : 'no-improvement';
}

function mergeRounds(a: CandidateRound, b: CandidateRound): CandidateRound {
  return {
    ...b,
    anyMovable: a.anyMovable || b.anyMovable,
    anyFeasible: a.anyFeasible || b.anyFeasible,
    thresholdBlocked: a.thresholdBlocked || b.thresholdBlocked,
    belowMinGain: b.belowMinGain,
    capBlocked: a.capBlocked || b.capBlocked,
  };
}

/** The candidate moves of one greedy round. */
export interface CandidateRound {
  pool: CandidatePool;
  count: number;
  /** Best penalised gain of the round. */
  bestGain: number;
  anyMovable: boolean;
  /** Some move satisfied every constraint, capacity and threshold. */
  anyFeasible: boolean;
  /** Some move was refused by the balancing thresholds only. */
  thresholdBlocked: boolean;
  /** Some feasible move improved the imbalance by less than `minGain`. */
  belowMinGain: boolean;
  /** Some unit was left out because it would exceed `maxMigrations`. */
  capBlocked: boolean;
  /** Hot-node relief: any improvement counts. */
  relief: boolean;
}

/**
 * Every unmoved unit (only those on hot nodes in relief rounds) against every capacity class: the
 * moves that gain at least `minGain` (any gain in relief rounds).
 */
export function collectCandidates(
  context: PlanContext,
  current: number,
  pool: CandidatePool,
  relief: boolean,
): CandidateRound {
  const { model, settings } = context;
  context.work += model.units.length;
  const classOrders = capacityClassesByLoad(context);
  const round: CandidateRound = {
    pool,
    count: 0,
    bestGain: 0,
    anyMovable: false,
    anyFeasible: false,
    thresholdBlocked: false,
    belowMinGain: false,
    capBlocked: false,
    relief,
  };
  // Moving load off a node below the mean to a lighter one gains far less than moving it off a node
  // above the mean; on large clusters only sources above the mean compete (halves the scan).
  const count = context.active.length;
  const mean = count > 0 ? context.sum / count : 0;
  const aboveMean = new Uint8Array(model.nodes.length);
  for (const index of context.active) {
    const load = loadOf(context, index, model.cpuUsed[index]!, model.memoryUsed[index]!);
    if (count < 20 || load >= mean - EPSILON) aboveMean[index] = 1;
  }
  for (let unitIndex = 0; unitIndex < model.units.length; unitIndex++) {
    const unit = model.units[unitIndex]!;
    if (context.moved[unitIndex] === 1 || !model.nodes[unit.source]!.active) continue;
    if (relief && context.hot[unit.source] !== 1) continue;
    if (aboveMean[unit.source] === 0) continue;
    if (context.migrations - context.evacuations + unit.members.length > settings.maxMigrations) {
      round.capBlocked = true;
      continue;
    }
    round.anyMovable = true;
    const cost = costOf(settings, unit);
    for (const order of classOrders) scanCapacityClass(context, round, unitIndex, cost, order, current);
  }
  return round;
}

/**
 * Targets of equal capacity, least loaded first: for a given unit the resulting imbalance only
 * grows with the target's load within such a class, so each class is scanned only up to its first
 * feasible, unpenalised target (exact, and O(units × classes) per step on typical clusters).
 */
function capacityClassesByLoad(context: PlanContext): number[][] {
  const { cpuUsed, memoryUsed } = context.model;
  return context.capacityClasses.map((members) =>
    [...members].sort(
      (a, b) =>
        loadOf(context, a, cpuUsed[a]!, memoryUsed[a]!) - loadOf(context, b, cpuUsed[b]!, memoryUsed[b]!) ||
        a - b,
    ),
  );
}

/** Adds the unit's moves to one class's targets, least loaded first, up to the first unpenalised one. */
function scanCapacityClass(
  context: PlanContext,
  round: CandidateRound,
  unitIndex: number,
  cost: number,
  order: readonly number[],
  current: number,
): void {
  const unit = context.model.units[unitIndex]!;
  for (const target of order) {
    if (target === unit.source) continue;
    const result = evaluateRaw(context, unitIndex, target);
    if (result === undefined) continue;
    const imbalance = imbalanceOf(context, result.s1, result.s2);
    const gain = current - imbalance;
    if (result.overThreshold) {
      if (gain > EPSILON) round.thresholdBlocked = true;
      continue;
    }
    round.anyFeasible = true;
    if (gain <= EPSILON) return;
    if (!round.relief && gain < context.settings.minGain * current) {
      round.belowMinGain = true;
      return;
    }
    const factor = penaltyFactor(context, unitIndex, target, result.penalties);
    if (round.count === round.pool.gain.length) round.pool = growPool(round.pool);
    const { pool } = round;
    pool.unit[round.count] = unitIndex;
    pool.target[round.count] = target;
    pool.gain[round.count] = gain;
    pool.imbalance[round.count] = imbalance;
    pool.score[round.count] = (gain / cost) * factor;
    round.count++;
    if (gain * factor > round.bestGain) round.bestGain = gain * factor;
    if (factor === 1) return;
  }
}

/** Score factor for stacking bursty guests and for each broken soft constraint. */
function penaltyFactor(context: PlanContext, unitIndex: number, target: number, penalties: number): number {
  const { settings } = context;
  let factor = 1;
  if (context.unitBursty[unitIndex] && context.burstyCount[target]! > 0) factor *= 1 - settings.burstyPenalty;
  for (let penalty = 0; penalty < penalties; penalty++) factor *= 1 - settings.softPenalty;
  return factor;
}

/**
 * Among moves that achieve at least `gainShare` of the best (penalised) gain (`floor`), the best gain
 * per cost; ties go to the larger gain, then the lower unit and target index. Moves in `excluded`
 * (runners-up already taken) do not compete.
 */
function pickCandidate(
  round: CandidateRound,
  floor: number,
  excluded: readonly Candidate[] = [],
): Candidate | undefined {
  const { pool } = round;
  let best: Candidate | undefined;
  for (let index = 0; index < round.count; index++) {
    const gain = pool.gain[index]!;
    const score = pool.score[index]!;
    if (score <= 0 || gain < floor) continue;
    if (
      excluded.length > 0 &&
      excluded.some((taken) => taken.unit === pool.unit[index] && taken.target === pool.target[index])
    )
      continue;
    if (
      best === undefined ||
      score > best.score * (1 + 1e-9) + EPSILON ||
      (Math.abs(score - best.score) <= best.score * 1e-9 + EPSILON &&
        (gain > best.gain + EPSILON ||
          (Math.abs(gain - best.gain) <= EPSILON &&
            (pool.unit[index]! < best.unit ||
              (pool.unit[index]! === best.unit && pool.target[index]! < best.target)))))
    ) {
      best = {
        unit: pool.unit[index]!,
        target: pool.target[index]!,
        imbalance: pool.imbalance[index]!,
        gain,
        score,
        penalties: 0,
      };
    }
  }
  return best;
}

export interface CandidatePool {
  unit: Int32Array;
  target: Int32Array;
  gain: Float64Array;
  imbalance: Float64Array;
  score: Float64Array;
}

export function growPool(pool: CandidatePool | undefined): CandidatePool {
  const size = pool === undefined ? 1024 : pool.gain.length * 2;
  const next: CandidatePool = {
    unit: new Int32Array(size),
    target: new Int32Array(size),
    gain: new Float64Array(size),
    imbalance: new Float64Array(size),
    score: new Float64Array(size),
  };
  if (pool !== undefined) {
    next.unit.set(pool.unit);
    next.target.set(pool.target);
    next.gain.set(pool.gain);
    next.imbalance.set(pool.imbalance);
    next.score.set(pool.score);
  }
  return next;
}
