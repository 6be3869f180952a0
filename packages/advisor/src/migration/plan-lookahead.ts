/**
 * Look-ahead for the greedy balancing pass: a pilot method (Duin & Voß, 1999).
 *
 * A greedy pass commits, at each step, the move that looks best now; it cannot see that a slightly
 * less attractive move leaves a state from which the rest of the plan needs a migration fewer. The
 * pilot method looks: at each step the greedy pick and its best runners-up are each played out by
 * the greedy pass itself to its end, and the candidate whose play-out is best is committed. Plans
 * are judged by one fixed order (see {@link outranks}), anchored on the plain greedy plan's end
 * (its final imbalance, and no more hot nodes than it leaves): which reaches the anchor with the
 * fewest migrations, then the fewest GiB, then ends lowest. The best complete play-out seen is
 * kept, so the result is never worse than the plain greedy plan in that order: it reaches at least
 * the same balance, with no more hot nodes, with no more migrations.
 *
 * The module holds only the search, on an abstract view of the planner ({@link LookaheadHost}), as
 * `plan-refinement.ts` does; constraints and capacity stay with the planner. Work is bounded by a
 * count of candidate evaluations (the planner's own count), never by a clock, so it is
 * deterministic.
 */

/** A balancing move: unit index and target node index. */
export interface LookaheadMove {
  unit: number;
  target: number;
}

/** One greedy round in the current state: its best moves (the greedy pick first), or its stop. */
export type LookaheadStep<Stop> = { moves: LookaheadMove[] } | { stop: Stop };

/** What the search needs from the planner. */
export interface LookaheadHost<Stop, State> {
  /** The greedy round in the current state, ranked, at most `breadth` moves; changes nothing. */
  greedyStep(breadth: number): LookaheadStep<Stop>;
  /** Commits a move of a {@link LookaheadHost.greedyStep} answer to the state (no records). */
  apply(move: LookaheadMove): void;
  /** Normalised imbalance of the current state. */
  imbalance(): number;
  /** Hot nodes in the current state (nodes the greedy pass relieves whatever the imbalance). */
  hotNodes(): number;
  /** Migrations and GiB a unit's move takes. */
  migrationsOf(unit: number): number;
  gibOf(unit: number): number;
  /** Saves the state, and returns to a saved one. */
  save(): State;
  restore(state: State): void;
  /**
   * Work done so far (a counter that only grows), the unit of the budget: candidate evaluations,
   * units a greedy round looks at, state saved or restored (see the planner's `work`).
   */
  work(): number;
}

/** Limits of the search. */
export interface LookaheadOptions {
  /** Candidates played out per step, the greedy pick included (1: plain greedy). */
  branching: number;
  /** Work the whole search may spend (see {@link LookaheadHost.work}), the plain greedy play-out included. */
  work: number;
}

/** A complete plan from the start, as the search judges it. */
export interface LookaheadPlan<Stop> {
  moves: LookaheadMove[];
  /** Why its last greedy round stopped. */
  stop: Stop;
  /** Migrations and GiB when it first reached the anchor (`undefined`: never). */
  reach: { migrations: number; gib: number } | undefined;
  /** Imbalance at its end, and migrations in all. */
  final: number;
  migrations: number;
}

/** The search's outcome: the plan, and what the look-ahead did (for tests and docs). */
export interface LookaheadResult<Stop> {
  plan: LookaheadPlan<Stop>;
  /** `skipped`: one step's play-outs would take more than an eighth of the budget. */
  mode: 'plain' | 'skipped' | 'completed' | 'budget-exhausted';
  /** Work spent, the plain greedy play-out included. */
  work: number;
}

const RELATIVE_EPSILON = 1e-9;

/**
 * Plans with look-ahead from the host's current state and leaves the state at the end of the
 * returned plan. The plain greedy plan is played out first: it anchors the order plans are judged by,
 * and its cost tells whether the look-ahead fits the budget (one step plays out the `branching − 1`
 * runners-up, each at most about its cost; more than an eighth of the budget for that, and the
 * plain plan is kept).
 */
export function planWithLookahead<Stop, State>(
  host: LookaheadHost<Stop, State>,
  options: LookaheadOptions,
): LookaheadResult<Stop> {
  const started = host.work();
  const spent = () => host.work() - started;
  const start = host.save();
  const plain = playOut(host, []);
  // Anchor: where the plain greedy plan ends, which it reaches by definition.
  const anchor = { imbalance: plain.final * (1 + RELATIVE_EPSILON), hot: plain.points.at(-1)!.hot };
  const reached = (point: Point) => point.imbalance <= anchor.imbalance && point.hot <= anchor.hot;
  const greedy = judge(plain, reached);
  if (options.branching <= 1 || greedy.moves.length === 0)
    return { plan: greedy, mode: 'plain', work: spent() };
  if (spent() * (options.branching - 1) > options.work / 8)
    return { plan: greedy, mode: 'skipped', work: spent() };
  let best = greedy;
  // The plan being followed: the greedy pick's play-out from the current prefix is its rest
  // (the greedy pass is deterministic), so the pick is never played out twice.
  let followed = greedy;
  let exhausted = false;
  host.restore(start);
  const prefix: LookaheadMove[] = [];
  // Prefixes are extended until one reaches the anchor: after that only the play-out's tail, which
  // the order does not weigh but for its end, would change.
  while (
    !exhausted &&
    !reached({ imbalance: host.imbalance(), hot: host.hotNodes(), migrations: 0, gib: 0 })
  ) {
    const here = host.save();
    const step = host.greedyStep(options.branching);
    if ('stop' in step) break;
    const tryMove = (move: LookaheadMove) => {
      host.restore(here);
      host.apply(move);
      return judge(playOut(host, [...prefix, move]), reached);
    };
    let chosen: { move: LookaheadMove; plan: LookaheadPlan<Stop> } | undefined;
    for (const [index, move] of step.moves.entries()) {
      const plan = index === 0 && continues(followed, prefix.length, move) ? followed : tryMove(move);
      if (chosen === undefined || outranks(plan, chosen.plan)) chosen = { move, plan };
      if (spent() >= options.work) {
        exhausted = true;
        break;
      }
    }
    if (outranks(chosen!.plan, best)) best = chosen!.plan;
    followed = chosen!.plan;
    host.restore(here);
    host.apply(chosen!.move);
    prefix.push(chosen!.move);
  }
  // The best plan seen, replayed (each of its moves passed the planner's checks in this order).
  host.restore(start);
  for (const move of best.moves) host.apply(move);
  return { plan: best, mode: exhausted ? 'budget-exhausted' : 'completed', work: spent() };
}

/** The state after a move: its imbalance and hot nodes, and the plan's totals so far. */
interface Point {
  imbalance: number;
  hot: number;
  migrations: number;
  gib: number;
}

/** Whether the plan's move after a prefix of `length` moves is `move`. */
function continues<Stop>(plan: LookaheadPlan<Stop>, length: number, move: LookaheadMove): boolean {
  const next = plan.moves[length];
  return next !== undefined && next.unit === move.unit && next.target === move.target;
}

/** A played-out plan: its moves, its stop, and the point after each move. */
interface Run<Stop> {
  moves: LookaheadMove[];
  stop: Stop;
  /** After the prefix (index 0) and after each move the play-out added. */
  points: Point[];
  final: number;
}

/** Runs the plain greedy pass from the current state (`prefix` already applied) to its stop. */
function playOut<Stop, State>(host: LookaheadHost<Stop, State>, prefix: readonly LookaheadMove[]): Run<Stop> {
  const moves = prefix.slice();
  let migrations = 0;
  let gib = 0;
  for (const move of prefix) {
    migrations += host.migrationsOf(move.unit);
    gib += host.gibOf(move.unit);
  }
  const points = [{ imbalance: host.imbalance(), hot: host.hotNodes(), migrations, gib }];
  for (;;) {
    const step = host.greedyStep(1);
    if ('stop' in step) return { moves, stop: step.stop, points, final: host.imbalance() };
    const move = step.moves[0]!;
    host.apply(move);
    moves.push(move);
    migrations += host.migrationsOf(move.unit);
    gib += host.gibOf(move.unit);
    points.push({ imbalance: host.imbalance(), hot: host.hotNodes(), migrations, gib });
  }
}

/**
 * A run judged against the anchor. The prefix before the play-out never reached it (the search
 * stops extending prefixes that do), so the first point that does is where the plan does.
 */
function judge<Stop>(run: Run<Stop>, reached: (point: Point) => boolean): LookaheadPlan<Stop> {
  const point = run.points.find(reached);
  return {
    moves: run.moves,
    stop: run.stop,
    reach: point === undefined ? undefined : { migrations: point.migrations, gib: point.gib },
    final: run.final,
    migrations: run.points.at(-1)!.migrations,
  };
}

/**
 * The fixed order plans are judged by: reaching the anchor before not reaching it; then fewer
 * migrations to reach it, fewer GiB by then, a lower final imbalance, fewer migrations in all.
 * Strict: a plan does not outrank an equal one (the earlier candidate, the greedy pick first, stays).
 */
export function outranks<Stop>(a: LookaheadPlan<Stop>, b: LookaheadPlan<Stop>): boolean {
  if ((a.reach === undefined) !== (b.reach === undefined)) return a.reach !== undefined;
  if (a.reach !== undefined && b.reach !== undefined) {
    if (a.reach.migrations !== b.reach.migrations) return a.reach.migrations < b.reach.migrations;
    if (Math.abs(a.reach.gib - b.reach.gib) > 1e-6) return a.reach.gib < b.reach.gib;
  }
  const scale = Math.max(a.final, b.final);
  if (Math.abs(a.final - b.final) > scale * RELATIVE_EPSILON) return a.final < b.final;
  return a.migrations < b.migrations;
}
