/**
 * Refinement of a greedy migration plan, seen as a set of (unit → final node) choices.
 *
 * A greedy planner that moves every guest at most once stalls where every single move overshoots
 * (CRS brute force goes on because it can pick a guest it already moved). Two moves fix that:
 *
 * - Pairs (`new` compounds): two guests not in the plan trade places, which shifts only the
 *   difference of their loads. Priced like single moves: the gain must reach the plan's price of a
 *   migration (`minGain` × imbalance) for each of the two.
 * - Drop and repair (a small large-neighbourhood search): a planned move is dropped and the other
 *   planned guests make up for it by free changes (`free` compounds: a new destination, a swap of
 *   two planned guests, or back where one started; none adds a migration or a GiB). Where the plan
 *   gets back to its imbalance, it keeps one migration fewer.
 *
 * The module works on an abstract view of the planner ({@link RefinementHost}), so it holds only
 * the search; constraints and capacity stay with the planner (every kept plan is replayed move by
 * move through the planner's own checks). Work is bounded by a count of evaluations, never by a
 * clock, so the result is deterministic.
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
  /** Nodes hot in the current state (the planner's hot-node rule): a repair may not add one. */
  hotNodes(): number;
  /** Imbalance if the unit went back to where it started (its planned move dropped). */
  imbalanceIfReturned(unit: number): number;
  /** Where the unit is now and where it started (before balancing). */
  nodeOf(unit: number): number;
  originOf(unit: number): number;
  /** Active nodes that may receive guests, most loaded first. */
  nodesByLoad(): number[];
  /** Units on the node now that balancing may move (or whose planned move may change). */
  unitsOn(node: number): readonly number[];
  /** Whether the unit is one {@link RefinementHost.unitsOn} may list (wherever it is now). */
  mayChange(unit: number): boolean;
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
  /**
   * Moves the unit to `node` in the state only, without checks or records (a trial: the plan it
   * leads to is replayed through the checks before it is kept).
   */
  shift(unit: number, node: number): void;
  /** Work units a replay of `count` moves costs (against the evaluation budget). */
  replayWork(count: number): number;
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
 * Drop and repair, a small large-neighbourhood search: for each planned move (the one whose loss
 * hurts least per migration first), send its unit back and repair with free changes of the other
 * planned units (new destinations, swaps, returns) until the imbalance is back at or below `goal`;
 * keep the plan when it gets there and passes the planner's ordered checks. Units in `frozen` are
 * neither dropped nor changed. The result never has more migrations than `moves`, and its imbalance
 * is at most `goal`.
 */
export function dropAndRepair(
  host: RefinementHost,
  moves: readonly RefinementMove[],
  goal: number,
  budget: RefinementBudget,
  frozen: ReadonlySet<number> = new Set(),
): RefinementMove[] {
  const work = new Work(budget);
  let plan = moves.slice();
  const hot = host.hotNodes();
  // A hot-node count visits every node, as a replayed move does.
  work.spend(host.replayWork(1));
  for (let pass = 0; pass < 2 && !work.exhausted; pass++) {
    let changed = false;
    // Ordering the drops evaluates each planned unit's return once.
    work.spend(plan.length);
    for (const candidate of dropOrder(host, plan)) {
      if (work.exhausted) break;
      if (frozen.has(candidate) || !plan.some((move) => move.unit === candidate)) continue;
      const repaired = tryDrop(host, plan, candidate, { goal, hot }, work, frozen);
      if (repaired === undefined) continue;
      plan = repaired;
      changed = true;
    }
    if (!changed) break;
  }
  return plan;
}

/** One drop-and-repair trial in the state; the repaired plan, or undefined (state unchanged). */
function tryDrop(
  host: RefinementHost,
  plan: readonly RefinementMove[],
  unit: number,
  limits: { goal: number; hot: number },
  work: Work,
  frozen: ReadonlySet<number>,
): RefinementMove[] | undefined {
  const { goal } = limits;
  const journal: Array<{ unit: number; from: number }> = [];
  const shift = (moved: number, node: number) => {
    journal.push({ unit: moved, from: host.nodeOf(moved) });
    host.shift(moved, node);
  };
  const undo = () => {
    for (let index = journal.length - 1; index >= 0; index--)
      host.shift(journal[index]!.unit, journal[index]!.from);
  };
  shift(unit, host.originOf(unit));
  const planned = new Set(plan.map((move) => move.unit));
  planned.delete(unit);
  for (let round = 0; round < REPAIR_ROUNDS && host.imbalance() > goal; round++) {
    const current = host.imbalance();
    const [best] = bestCompounds(host, planned, current, work, 'free', frozen);
    if (best === undefined) break;
    for (const change of best.changes) {
      shift(change.unit, change.node);
      if (change.node === host.originOf(change.unit)) planned.delete(change.unit);
    }
  }
  if (host.imbalance() > goal) {
    undo();
    return undefined;
  }
  const changes = new Map<number, number>();
  for (const entry of journal) changes.set(entry.unit, host.nodeOf(entry.unit));
  const next = withChanges(
    host,
    plan,
    [...changes].map(([changed, node]) => ({ unit: changed, node })),
    true,
  );
  // The trial's own shifts and their undo were counted with the compounds that chose them; the
  // replay of the repaired plan, its hot-node check (like one replayed move) and, when refused, the
  // replay back are not.
  work.spend(host.replayWork(next.length + 1));
  if (host.replay(next) && host.imbalance() <= goal && host.hotNodes() <= limits.hot) return next;
  work.spend(host.replayWork(plan.length));
  host.replay(plan);
  return undefined;
}

/** Free changes tried to make up for one dropped move. */
const REPAIR_ROUNDS = 6;

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

/**
 * Which compound changes a round considers: `new`, pairs of units not in the plan (two added
 * migrations); `free`, singles and pairs of units already in the plan that add no migration
 * (a new destination, or back where it started).
 */
export type CompoundMode = 'new' | 'free';

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
  options: { mode: CompoundMode; rounds: number; stopAt?: number; frozen?: ReadonlySet<number> },
): RefinementMove[] {
  const work = new Work(budget);
  let plan = moves.slice();
  const planned = () => new Set(plan.map((move) => move.unit));
  for (let round = 0; round < options.rounds && !work.exhausted; round++) {
    const current = host.imbalance();
    if (current <= (options.stopAt ?? 0)) break;
    const candidates = bestCompounds(host, planned(), current, work, options.mode, options.frozen);
    let accepted = false;
    for (const candidate of candidates) {
      const orders = [candidate.changes, [...candidate.changes].reverse()];
      for (const [order, inPlace] of [
        ...orders.map((order) => [order, true] as const),
        ...orders.map((order) => [order, false] as const),
      ]) {
        const next = withChanges(host, plan, order, inPlace);
        work.spend(host.replayWork(next.length));
        if (host.replay(next) && host.imbalance() < current * (1 - RELATIVE_EPSILON)) {
          plan = next;
          accepted = true;
          break;
        }
        // Back to the plan before the trial: a replay like any other.
        work.spend(host.replayWork(plan.length));
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
  mode: CompoundMode,
  frozen: ReadonlySet<number> = new Set(),
): Compound[] {
  const price = host.pricePerMigration();
  const room = mode === 'free' ? 0 : host.migrationRoom();
  const kept: Compound[] = [];
  // Allocates only for a change that enters the kept list (this runs for every pair scanned).
  const consider = (imbalance: number, cost: number, a: number, nodeA: number, b: number, nodeB: number) => {
    const gain = current - imbalance;
    if (gain <= current * RELATIVE_EPSILON || cost > room) return;
    const value = gain - Math.max(0, cost) * price;
    if (value <= 0) return;
    const moveCost = host.moveCostOf(a) + (b >= 0 ? host.moveCostOf(b) : 0);
    const changes = [{ unit: a, node: nodeA }];
    if (b >= 0) changes.push({ unit: b, node: nodeB });
    const compound = { changes, imbalance, cost, value, moveCost };
    if (kept.length === BEST_KEPT && byValue(compound, kept[kept.length - 1]!) >= 0) return;
    kept.push(compound);
    kept.sort(byValue);
    if (kept.length > BEST_KEPT) kept.pop();
  };
  const nodes = host.nodesByLoad();
  const unitsOn = eligibleUnitsByNode(host, nodes, planned, frozen, mode);
  // Ranking the nodes and listing their eligible units is work too (every unit in `new` mode).
  let listed = 0;
  if (mode === 'new') for (const node of nodes) listed += host.unitsOn(node).length;
  if (!work.spend(nodes.length + (mode === 'new' ? listed : planned.size))) return kept;
  // Single changes of planned units (new single moves are the greedy pass's): to one of the
  // least loaded nodes (a change that lowers the imbalance sends load to where there is least), or
  // back where the unit started.
  const coldest = nodes.slice(-SINGLE_TARGETS);
  for (const node of mode === 'new' ? [] : nodes) {
    for (const unit of unitsOn.get(node)!) {
      const origin = host.originOf(unit);
      const targets = coldest.includes(origin) ? coldest : [...coldest, origin];
      if (!work.spend(targets.length)) return kept;
      for (const other of targets) {
        if (other === node || !host.mayEndOn(unit, other)) continue;
        consider(
          host.imbalanceIfShifted(unit, other),
          addedMigrations(host, planned, unit, other),
          unit,
          other,
          -1,
          -1,
        );
      }
    }
  }
  // Pairs trading places, hottest against coldest node pairs first (nodes with eligible units only).
  const withUnits = nodes.filter((node) => unitsOn.get(node)!.length > 0);
  const pairs: Array<[number, number]> = [];
  for (let i = 0; i < withUnits.length; i++)
    for (let j = withUnits.length - 1; j > i; j--) pairs.push([withUnits[i]!, withUnits[j]!]);
  const rank = new Map(nodes.map((node, index) => [node, index]));
  const spread = (pair: [number, number]) => rank.get(pair[1])! - rank.get(pair[0])!;
  pairs.sort((p, q) => spread(q) - spread(p) || rank.get(p[0])! - rank.get(q[0])!);
  // Building and ordering the node pairs is work too (it dominates on many nodes with few units).
  if (!work.spend(pairs.length + nodes.length)) return kept;
  for (const [hot, cold] of pairs) {
    const hotUnits = unitsOn.get(hot)!;
    const coldUnits = unitsOn.get(cold)!;
    if (hotUnits.length === 0 || coldUnits.length === 0) continue;
    if (!work.spend(hotUnits.length * coldUnits.length)) return kept;
    const coldOk = coldUnits.filter((b) => host.mayEndOn(b, hot));
    for (const a of hotUnits) {
      if (!host.mayEndOn(a, cold)) continue;
      const costA = addedMigrations(host, planned, a, cold);
      for (const b of coldOk) {
        const cost = costA + addedMigrations(host, planned, b, hot);
        if (cost > room) continue;
        consider(host.imbalanceIfSwapped(a, b), cost, a, cold, b, hot);
      }
    }
  }
  return kept;
}

/**
 * The units a round may change, by node: in `free` mode the planned ones (grouped from the plan,
 * not by scanning every node), in `new` mode those not in the plan.
 */
function eligibleUnitsByNode(
  host: RefinementHost,
  nodes: readonly number[],
  planned: ReadonlySet<number>,
  frozen: ReadonlySet<number>,
  mode: CompoundMode,
): Map<number, number[]> {
  const byNode = new Map<number, number[]>(nodes.map((node) => [node, []]));
  if (mode === 'free') {
    for (const unit of planned) {
      if (frozen.has(unit) || !host.mayChange(unit)) continue;
      byNode.get(host.nodeOf(unit))?.push(unit);
    }
    for (const list of byNode.values()) list.sort((a, b) => a - b);
    return byNode;
  }
  for (const node of nodes)
    byNode.set(
      node,
      host.unitsOn(node).filter((unit) => !planned.has(unit)),
    );
  return byNode;
}

/** Least loaded nodes a single change of a planned unit may send it to (all on small clusters). */
const SINGLE_TARGETS = 8;

/** Compound changes tried per round when the best fails the planner's ordered checks. */
const BEST_KEPT = 8;
