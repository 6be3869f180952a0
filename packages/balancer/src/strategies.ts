/** How the balancer picks among healthy candidates. */
export type StrategyName =
  | 'weighted'
  | 'round-robin'
  | 'latency'
  | 'cost'
  | 'least-busy'
  | 'failover'
  | 'random';

/** Every strategy name, for validation. */
export const strategyNames: readonly StrategyName[] = [
  'weighted',
  'round-robin',
  'latency',
  'cost',
  'least-busy',
  'failover',
  'random',
];

/** How `weighted` explores: softmax sampling, power of two choices, or always the best. */
export interface ExplorationOptions {
  /** Default `softmax`. */
  mode?: 'softmax' | 'power-of-two' | 'none';
  /** Softmax temperature over totals in [0, 1]; lower is greedier. Default 0.1. */
  temperature?: number;
}

/** What a strategy sees of one candidate. */
export interface RankedCandidate {
  /** Position of the target in the configuration (stable tie-break). */
  index: number;
  /** Composite score in [0, 1]. */
  total: number;
  /** Configured traffic weight (default 1). */
  weight: number;
  priority: number;
  expectedCostUsd: number | undefined;
  expectedLatencyMs: number | undefined;
  /** In-flight share of capacity. */
  utilization: number;
}

/** Mutable state a strategy keeps between calls. */
export interface StrategyState {
  roundRobin: number;
}

/**
 * Orders candidates for one call: the first is tried first, the rest are the failover order.
 *
 * - `weighted` (default): samples the first candidate with probability ∝ weight · e^(total/T)
 *   (softmax) or by the power of two choices (two weighted draws, the better total wins), so
 *   traffic follows the score without herding onto one target; the rest by total.
 * - `round-robin`: strict rotation over the candidates in configuration order.
 * - `latency`: lowest expected latency first. `cost`: lowest expected cost first.
 * - `least-busy`: lowest utilization (in-flight / capacity) first.
 * - `failover`: by `priority`, then configuration order.
 * - `random`: weighted random, ignoring scores.
 *
 * Ties fall back to the composite total, then to configuration order.
 *
 * @example
 * ```ts
 * const order = orderCandidates('cost', candidates, { roundRobin: 0 }, Math.random);
 * ```
 */
export function orderCandidates<T extends RankedCandidate>(
  strategy: StrategyName,
  candidates: readonly T[],
  state: StrategyState,
  random: () => number,
  exploration: ExplorationOptions = {},
): T[] {
  const sorted = candidates.slice();
  orderCandidatesInPlace(strategy, sorted, state, random, exploration);
  return sorted;
}

/**
 * @internal {@link orderCandidates} on the caller's own array, reordered in place: the balancer
 * ranks every call, and the copies (`slice`, the rotations, the sort's work arrays) were a
 * visible share of what one call allocates. Same order, same draws of `random()`.
 */
export function orderCandidatesInPlace<T extends RankedCandidate>(
  strategy: StrategyName,
  sorted: T[],
  state: StrategyState,
  random: () => number,
  exploration: ExplorationOptions = {},
): void {
  if (sorted.length <= 1) return;
  switch (strategy) {
    case 'latency':
      stableSort(sorted, byLatency);
      return;
    case 'cost':
      stableSort(sorted, byCost);
      return;
    case 'least-busy':
      stableSort(sorted, byUtilization);
      return;
    case 'failover':
      stableSort(sorted, byPriority);
      return;
    case 'round-robin': {
      stableSort(sorted, byIndex);
      rotateLeft(sorted, state.roundRobin++ % sorted.length);
      return;
    }
    case 'random': {
      const first = weightedDraw(sorted, weightOf, random);
      moveToFront(sorted, first);
      stableSort(sorted, byTotal, 1);
      return;
    }
    default: {
      const mode = exploration.mode ?? 'softmax';
      stableSort(sorted, byTotal);
      if (mode === 'none') return;
      let first: number;
      if (mode === 'power-of-two') {
        const a = weightedDraw(sorted, weightOf, random);
        const b = weightedDraw(sorted, weightOf, random);
        first = Math.min(a, b); // sorted by total: the lower index is the better one
      } else {
        first = softmaxDraw(sorted, Math.max(1e-6, exploration.temperature ?? 0.1), random);
      }
      moveToFront(sorted, first);
      return;
    }
  }
}

/**
 * Whether `strategy` reads the candidates' scores (`total`) to order them. `failover` orders by
 * priority then configuration order and `round-robin` by configuration order alone; every other
 * strategy reads the total: `weighted` samples by it, `latency`, `cost` and `least-busy` break
 * ties with it (instant or idle targets tie all the time), `random` orders the rest by it after
 * its draw. The balancer re-scores a call's failover rounds only for a strategy that reads them.
 */
export function strategyReadsScores(strategy: StrategyName): boolean {
  return strategy !== 'failover' && strategy !== 'round-robin';
}

/** Beyond this many items the native sort wins over insertion sort. */
const insertionSortLimit = 32;

/**
 * A stable sort of `items[from..]` in place. Targets are few, and insertion sort allocates
 * nothing (V8's TimSort allocates work arrays on every call); both are stable, so they give the
 * same order for the same comparator.
 */
function stableSort<T>(items: T[], compare: (a: T, b: T) => number, from = 0): void {
  if (items.length - from > insertionSortLimit) {
    const tail = items.slice(from).sort(compare);
    for (let index = 0; index < tail.length; index++) items[from + index] = tail[index] as T;
    return;
  }
  for (let index = from + 1; index < items.length; index++) {
    const item = items[index] as T;
    let at = index - 1;
    while (at >= from && compare(items[at] as T, item) > 0) {
      items[at + 1] = items[at] as T;
      at--;
    }
    items[at + 1] = item;
  }
}

/** Moves `items[index]` to the front, keeping the order of the rest. */
function moveToFront<T>(items: T[], index: number): void {
  if (index <= 0) return;
  const chosen = items[index] as T;
  for (let at = index; at > 0; at--) items[at] = items[at - 1] as T;
  items[0] = chosen;
}

/** `[...items.slice(start), ...items.slice(0, start)]`, in place (three reversals). */
function rotateLeft<T>(items: T[], start: number): void {
  if (start === 0) return;
  reverse(items, 0, start - 1);
  reverse(items, start, items.length - 1);
  reverse(items, 0, items.length - 1);
}

function reverse<T>(items: T[], from: number, to: number): void {
  for (let low = from, high = to; low < high; low++, high--) {
    const swap = items[low] as T;
    items[low] = items[high] as T;
    items[high] = swap;
  }
}

function byLatency(a: RankedCandidate, b: RankedCandidate): number {
  return compareUnknownLast(a.expectedLatencyMs, b.expectedLatencyMs) || byTotal(a, b);
}

function byCost(a: RankedCandidate, b: RankedCandidate): number {
  return compareUnknownLast(a.expectedCostUsd, b.expectedCostUsd) || byTotal(a, b);
}

function byUtilization(a: RankedCandidate, b: RankedCandidate): number {
  return a.utilization - b.utilization || byTotal(a, b);
}

function byPriority(a: RankedCandidate, b: RankedCandidate): number {
  return a.priority - b.priority || a.index - b.index;
}

function byIndex(a: RankedCandidate, b: RankedCandidate): number {
  return a.index - b.index;
}

/** Higher total first, then configuration order. A module function: no closure per call. */
function byTotal(a: RankedCandidate, b: RankedCandidate): number {
  return b.total - a.total || a.index - b.index;
}

function weightOf(candidate: RankedCandidate): number {
  return candidate.weight;
}

const softmaxWeights: number[] = [];

/**
 * {@link weightedDraw} over `weight · e^((total − top) / T)`, with each weight computed once
 * (the generic draw evaluates the weight function twice per item, i.e. two `Math.exp` each).
 * Same arithmetic in the same order, so the same draw for the same `random()`.
 */
function softmaxDraw(sorted: readonly RankedCandidate[], temperature: number, random: () => number): number {
  const top = sorted[0]?.total ?? 0;
  // Overwritten, never truncated: `length = 0` would free the backing store and the pushes would
  // allocate a new one on every call.
  for (let index = 0; index < sorted.length; index++) {
    const candidate = sorted[index] as RankedCandidate;
    softmaxWeights[index] = candidate.weight * Math.exp((candidate.total - top) / temperature);
  }
  return weightedDraw(softmaxWeights, identity, random, sorted.length);
}

function identity(value: number): number {
  return value;
}

function compareUnknownLast(a: number | undefined, b: number | undefined): number {
  if (a === undefined && b === undefined) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  return a - b;
}

/** Draws an index of the first `count` items (default: all) with probability ∝ their weight. */
function weightedDraw<T>(
  items: readonly T[],
  weightOf: (item: T) => number,
  random: () => number,
  count = items.length,
): number {
  let sum = 0;
  for (let index = 0; index < count; index++) sum += Math.max(0, weightOf(items[index] as T));
  if (!(sum > 0)) return Math.min(count - 1, Math.floor(random() * count));
  let point = random() * sum;
  for (let index = 0; index < count; index++) {
    point -= Math.max(0, weightOf(items[index] as T));
    if (point < 0) return index;
  }
  return count - 1;
}
