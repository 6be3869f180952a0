/**
 * Refinement of a greedy migration plan, seen as a set of (unit → final node) choices.
 *
 * A greedy planner that moves every guest at most once gets stuck: near the end, the move that
 * would help most is a guest it already moved, sent somewhere slightly better. Two observations
 * drive this module:
 *
 * - Changing where an already planned guest goes (a *retarget*) costs no migration and no GiB:
 *   the guest migrates once either way. Any gain from a retarget is therefore free, so retargets
 *   are taken whenever they improve the imbalance, whatever the plan's `minGain` (which prices a
 *   new migration, not a free change).
 * - A planned move whose contribution other planned guests can make up for by retargets is a
 *   migration the plan does not need (*drop and repair*, a small large-neighbourhood search).
 *
 * The module works on an abstract view of the planner ({@link RefinementHost}), so it holds only
 * the search; constraints and capacity stay with the planner (every accepted plan is replayed move
 * by move through the planner's own checks). Work is bounded by a count of move evaluations, never
 * by a clock, so the result is deterministic.
 */

/** A planned balancing move: unit index and final node index. */
export interface RefinementMove {
  unit: number;
  target: number;
}

/** What the search needs from the planner. All node loads refer to the planner's current state. */
export interface RefinementHost {
  /** Normalised imbalance of the current state. */
  imbalance(): number;
  /**
   * Imbalance if the (already moved) unit went from where it is now to `target` instead, or
   * undefined when the target does not accept it now (constraints, capacity, thresholds).
   */
  imbalanceIfMoved(unit: number, target: number): number | undefined;
  /** Imbalance if the unit went back to where it started (its planned move dropped). */
  imbalanceIfReturned(unit: number): number;
  /** Candidate final nodes for a unit, best first is not required. */
  targetsOf(unit: number): readonly number[];
  /** Where the unit is now and where it started (before balancing). */
  nodeOf(unit: number): number;
  originOf(unit: number): number;
  /** Active nodes that may receive guests, most loaded first. */
  nodesByLoad(): number[];
  /** Units on the node now that balancing may move (or whose planned move may change). */
  unitsOn(node: number): readonly number[];
  /** Whether the unit may end on the node, constraints that do not change while planning only. */
  mayEndOn(unit: number, node: number): boolean;
  /** Imbalance if units `a` and `b` traded places (no feasibility check). */
  imbalanceIfSwapped(a: number, b: number): number;
  /** Imbalance if the unit went from where it is now to `node` (no feasibility check). */
  imbalanceIfShifted(unit: number, node: number): number;
  /** What one more migration must buy, in imbalance (the plan's `minGain` × the imbalance now). */
  pricePerMigration(): number;
  /** Balancing migrations the plan may still add. */
  migrationRoom(): number;
  /** Migrations a unit's move takes (its members). */
  migrationsOf(unit: number): number;
  /** The planner's cost of moving the unit (GiB copied plus a fixed cost per migration). */
  moveCostOf(unit: number): number;
  /**
   * Resets the state to the plan's start and applies `moves` in order through the planner's
   * checks; false when one of them is refused (the state is then unspecified: replay another plan).
   */
  replay(moves: readonly RefinementMove[]): boolean;
}

/** Search limits, shared by the steps of one refinement: each step spends from it. */
export interface RefinementBudget {
  /** Move evaluations left. */
  evaluations: number;
}

const RELATIVE_EPSILON = 1e-9;

/** Counts evaluations against the budget. */
class Work {
  constructor(private readonly budget: RefinementBudget) {}
  spend(count: number): boolean {
    this.budget.evaluations -= count;
    return this.budget.evaluations >= 0;
  }
  get exhausted(): boolean {
    return this.budget.evaluations <= 0;
  }
}

/**
 * Hill climb over retargets of planned units: repeatedly take the retarget with the lowest
 * resulting imbalance, while it improves the imbalance (or until `stopAt` is reached). Returns the
 * new plan (state replayed to it); `moves` itself is not changed.
 */
function climbRetargets(
  host: RefinementHost,
  start: readonly RefinementMove[],
  work: Work,
  stopAt: number,
): RefinementMove[] {
  let moves = start.slice();
  for (;;) {
    const current = host.imbalance();
    if (current <= stopAt) return moves;
    let best: { index: number; target: number; imbalance: number } | undefined;
    for (let index = 0; index < moves.length; index++) {
      const move = moves[index]!;
      const targets = host.targetsOf(move.unit);
      if (!work.spend(targets.length)) return moves;
      for (const target of targets) {
        if (target === move.target) continue;
        const imbalance = host.imbalanceIfMoved(move.unit, target);
        if (imbalance === undefined) continue;
        if (best === undefined || imbalance < best.imbalance) best = { index, target, imbalance };
      }
    }
    if (best === undefined || best.imbalance >= current * (1 - RELATIVE_EPSILON)) return moves;
    // The retargeted move keeps its place in the plan if the ordered checks allow, else goes last.
    const change = [{ unit: moves[best.index]!.unit, node: best.target }];
    const inPlace = withChanges(host, moves, change, true);
    if (host.replay(inPlace)) {
      moves = inPlace;
      continue;
    }
    const last = withChanges(host, moves, change, false);
    if (!host.replay(last)) {
      host.replay(moves);
      return moves;
    }
    moves = last;
  }
}

/**
 * Free improvement: retargets of planned units while any improves the imbalance. Never adds a
 * migration or a GiB.
 */
export function improveByRetargets(
  host: RefinementHost,
  moves: readonly RefinementMove[],
  budget: RefinementBudget,
): RefinementMove[] {
  return climbRetargets(host, moves, new Work(budget), 0);
}

/**
 * Drop and repair: for each planned move (cheapest contribution first), drop it and retarget the
 * others until the imbalance is back at or below `goal`; keep the shorter plan when it gets there.
 * The result never has more migrations or GiB than `moves`, and its imbalance is at most `goal`
 * when that of `moves` was.
 */
export function dropAndRepair(
  host: RefinementHost,
  moves: readonly RefinementMove[],
  goal: number,
  budget: RefinementBudget,
): RefinementMove[] {
  const work = new Work(budget);
  let plan = moves.slice();
  let changed = true;
  while (changed && !work.exhausted) {
    changed = false;
    for (const candidate of dropOrder(host, plan)) {
      if (work.exhausted) break;
      const dropped = plan.filter((move) => move.unit !== candidate);
      if (!host.replay(dropped)) {
        host.replay(plan);
        continue;
      }
      const repaired = climbRetargets(host, dropped, work, goal);
      if (host.imbalance() <= goal) {
        plan = repaired;
        changed = true;
        break;
      }
      host.replay(plan);
    }
  }
  return plan;
}

/** Planned units ordered by how little the plan loses when each goes back (least first). */
function dropOrder(host: RefinementHost, moves: readonly RefinementMove[]): number[] {
  const current = host.imbalance();
  return moves
    .map((move) => ({
      unit: move.unit,
      loss: (host.imbalanceIfReturned(move.unit) - current) / Math.max(1, host.migrationsOf(move.unit)),
    }))
    .sort((a, b) => a.loss - b.loss || a.unit - b.unit)
    .map((entry) => entry.unit);
}

/** A compound change: each unit's new final node. */
interface Compound {
  changes: Array<{ unit: number; node: number }>;
  imbalance: number;
  /** Migrations it adds (negative when a planned move is undone). */
  cost: number;
  value: number;
  /** Move cost of the units it sends somewhere new (tie-break: cheaper first). */
  moveCost: number;
}

/** Better value first; nearly equal values go to the cheaper change. */
function byValue(a: Compound, b: Compound): number {
  const scale = Math.max(Math.abs(a.value), Math.abs(b.value));
  if (Math.abs(a.value - b.value) > scale * 1e-9) return b.value - a.value;
  return a.moveCost - b.moveCost;
}

/**
 * The plan with each changed unit ending on its new node: a unit sent back to where it started
 * leaves the plan; the others go last, in the order given.
 */
function withChanges(
  host: RefinementHost,
  moves: readonly RefinementMove[],
  changes: ReadonlyArray<{ unit: number; node: number }>,
  inPlace: boolean,
): RefinementMove[] {
  const nodeOf = new Map(changes.map((change) => [change.unit, change.node]));
  const next: RefinementMove[] = [];
  for (const move of moves) {
    const node = nodeOf.get(move.unit);
    if (node === undefined) next.push(move);
    else if (inPlace && node !== host.originOf(move.unit)) {
      next.push({ unit: move.unit, target: node });
      nodeOf.delete(move.unit);
    }
  }
  for (const change of changes) {
    if (!nodeOf.has(change.unit)) continue;
    if (change.node !== host.originOf(change.unit)) next.push({ unit: change.unit, target: change.node });
  }
  return next;
}

/**
 * Compound moves for when no single new move is worth a migration: one unit to another node, or
 * two units trading places, where a unit already in the plan only changes its destination (free)
 * and one sent back where it started saves its migration. Each round takes the change with the
 * best value, gain minus `pricePerMigration` per added migration, while that is positive and the
 * gain is too. Pairs are scanned between nodes far apart in load first, within the work budget.
 */
export function improveByCompounds(
  host: RefinementHost,
  moves: readonly RefinementMove[],
  budget: RefinementBudget,
  options: { newOnly: boolean; rounds: number },
): RefinementMove[] {
  const work = new Work(budget);
  let plan = moves.slice();
  const planned = () => new Set(plan.map((move) => move.unit));
  for (let round = 0; round < options.rounds && !work.exhausted; round++) {
    const current = host.imbalance();
    if (current <= 0) break;
    const candidates = bestCompounds(host, planned(), current, work, options.newOnly);
    let accepted = false;
    for (const candidate of candidates) {
      const orders = [candidate.changes, [...candidate.changes].reverse()];
      for (const [order, inPlace] of [
        ...orders.map((order) => [order, true] as const),
        ...orders.map((order) => [order, false] as const),
      ]) {
        const next = withChanges(host, plan, order, inPlace);
        if (host.replay(next) && host.imbalance() < current * (1 - RELATIVE_EPSILON)) {
          plan = next;
          accepted = true;
          break;
        }
        host.replay(plan);
      }
      if (accepted) break;
    }
    if (!accepted) break;
  }
  return plan;
}

/** Migrations the unit adds by ending on `node`. */
function addedMigrations(
  host: RefinementHost,
  planned: ReadonlySet<number>,
  unit: number,
  node: number,
): number {
  const members = host.migrationsOf(unit);
  if (!planned.has(unit)) return members;
  return node === host.originOf(unit) ? -members : 0;
}

/** The few best compound changes of a round (best value first), to try in turn. */
function bestCompounds(
  host: RefinementHost,
  planned: ReadonlySet<number>,
  current: number,
  work: Work,
  newOnly: boolean,
): Compound[] {
  const price = host.pricePerMigration();
  const room = host.migrationRoom();
  const kept: Compound[] = [];
  const consider = (changes: Compound['changes'], imbalance: number, cost: number) => {
    const gain = current - imbalance;
    if (gain <= current * RELATIVE_EPSILON || cost > room) return;
    const value = gain - Math.max(0, cost) * price;
    if (value <= 0) return;
    const moveCost = changes.reduce((total, change) => total + host.moveCostOf(change.unit), 0);
    const compound = { changes, imbalance, cost, value, moveCost };
    if (kept.length === BEST_KEPT && byValue(compound, kept[kept.length - 1]!) >= 0) return;
    kept.push(compound);
    kept.sort(byValue);
    if (kept.length > BEST_KEPT) kept.pop();
  };
  const nodes = host.nodesByLoad();
  // Single changes: every movable unit to every node (new single moves are the greedy pass's).
  for (const node of newOnly ? [] : nodes) {
    for (const unit of host.unitsOn(node)) {
      if (!work.spend(nodes.length)) return kept;
      for (const other of nodes) {
        if (other === node || !host.mayEndOn(unit, other)) continue;
        consider(
          [{ unit, node: other }],
          host.imbalanceIfShifted(unit, other),
          addedMigrations(host, planned, unit, other),
        );
      }
    }
  }
  // Pairs trading places, hottest against coldest node pairs first.
  const pairs: Array<[number, number]> = [];
  for (let i = 0; i < nodes.length; i++)
    for (let j = nodes.length - 1; j > i; j--) pairs.push([nodes[i]!, nodes[j]!]);
  const rank = new Map(nodes.map((node, index) => [node, index]));
  const spread = (pair: [number, number]) => rank.get(pair[1])! - rank.get(pair[0])!;
  pairs.sort((p, q) => spread(q) - spread(p) || rank.get(p[0])! - rank.get(q[0])!);
  for (const [hot, cold] of pairs) {
    const eligible = (unit: number) => !newOnly || !planned.has(unit);
    const hotUnits = host.unitsOn(hot).filter(eligible);
    const coldUnits = host.unitsOn(cold).filter(eligible);
    if (!work.spend(hotUnits.length * coldUnits.length)) return kept;
    for (const a of hotUnits) {
      if (!host.mayEndOn(a, cold)) continue;
      const costA = addedMigrations(host, planned, a, cold);
      for (const b of coldUnits) {
        if (!host.mayEndOn(b, hot)) continue;
        const cost = costA + addedMigrations(host, planned, b, hot);
        consider(
          [
            { unit: a, node: cold },
            { unit: b, node: hot },
          ],
          host.imbalanceIfSwapped(a, b),
          cost,
        );
      }
    }
  }
  return kept;
}

/** Compound changes tried per round when the best fails the planner's ordered checks. */
const BEST_KEPT = 8;
