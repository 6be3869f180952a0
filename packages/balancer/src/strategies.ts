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
  if (sorted.length <= 1) return sorted;
  switch (strategy) {
    case 'latency':
      return sorted.sort(
        (a, b) => compareUnknownLast(a.expectedLatencyMs, b.expectedLatencyMs) || byTotal(a, b),
      );
    case 'cost':
      return sorted.sort((a, b) => compareUnknownLast(a.expectedCostUsd, b.expectedCostUsd) || byTotal(a, b));
    case 'least-busy':
      return sorted.sort((a, b) => a.utilization - b.utilization || byTotal(a, b));
    case 'failover':
      return sorted.sort((a, b) => a.priority - b.priority || a.index - b.index);
    case 'round-robin': {
      sorted.sort((a, b) => a.index - b.index);
      const start = state.roundRobin++ % sorted.length;
      return [...sorted.slice(start), ...sorted.slice(0, start)];
    }
    case 'random': {
      const first = weightedDraw(sorted, weightOf, random);
      return [sorted[first] as T, ...sorted.filter((_, index) => index !== first).sort(byTotal)];
    }
    default: {
      const mode = exploration.mode ?? 'softmax';
      sorted.sort(byTotal);
      if (mode === 'none') return sorted;
      let first: number;
      if (mode === 'power-of-two') {
        const a = weightedDraw(sorted, weightOf, random);
        const b = weightedDraw(sorted, weightOf, random);
        first = Math.min(a, b); // sorted by total: the lower index is the better one
      } else {
        first = softmaxDraw(sorted, Math.max(1e-6, exploration.temperature ?? 0.1), random);
      }
      if (first === 0) return sorted;
      const chosen = sorted[first] as T;
      sorted.splice(first, 1);
      sorted.unshift(chosen);
      return sorted;
    }
  }
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
  softmaxWeights.length = 0;
  for (const candidate of sorted)
    softmaxWeights.push(candidate.weight * Math.exp((candidate.total - top) / temperature));
  return weightedDraw(softmaxWeights, identity, random);
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

function weightedDraw<T>(items: readonly T[], weightOf: (item: T) => number, random: () => number): number {
  let sum = 0;
  for (const item of items) sum += Math.max(0, weightOf(item));
  if (!(sum > 0)) return Math.min(items.length - 1, Math.floor(random() * items.length));
  let point = random() * sum;
  for (let index = 0; index < items.length; index++) {
    point -= Math.max(0, weightOf(items[index] as T));
    if (point < 0) return index;
  }
  return items.length - 1;
}
