import { ConfigError } from '@ballast/core';

/**
 * Relative importance of each score term. Only ratios matter: the total is divided by the sum.
 * Defaults: cost 30, latency 40, reliability 30, load 10, priority 10.
 */
export interface ScoreWeights {
  cost: number;
  latency: number;
  reliability: number;
  load: number;
  priority: number;
}

/** Each term of a target's score, in [0, 1]; 1 is best among the candidates of this call. */
export interface ScoreComponents {
  cost: number;
  latency: number;
  reliability: number;
  load: number;
  priority: number;
}

/** Default score weights: cost 30, latency 40, reliability 30, load 10, priority 10. */
export const defaultScoreWeights: Readonly<ScoreWeights> = Object.freeze({
  cost: 30,
  latency: 40,
  reliability: 30,
  load: 10,
  priority: 10,
});

/** Environment variables that override the default weights. */
export const weightEnvironmentVariables = {
  cost: 'LOAD_BALANCER_WEIGHT_COST',
  latency: 'LOAD_BALANCER_WEIGHT_LATENCY',
  reliability: 'LOAD_BALANCER_WEIGHT_RELIABILITY',
} as const;

/**
 * Resolves the score weights: defaults, then `LOAD_BALANCER_WEIGHT_COST` /
 * `LOAD_BALANCER_WEIGHT_LATENCY` / `LOAD_BALANCER_WEIGHT_RELIABILITY` from `env`, then weights
 * given in code (code wins). Every weight must be a finite number ≥ 0 and they must not all be 0.
 *
 * @throws {ConfigError} naming the offending variable or key.
 * @example
 * ```ts
 * resolveScoreWeights({ cost: 60 }, { LOAD_BALANCER_WEIGHT_LATENCY: '20' });
 * // { cost: 60, latency: 20, reliability: 30, load: 10, priority: 10 }
 * ```
 */
export function resolveScoreWeights(
  weights: Partial<ScoreWeights> | undefined,
  env: Record<string, string | undefined> = process.env,
): ScoreWeights {
  const resolved: ScoreWeights = { ...defaultScoreWeights };
  const issues: Array<{ path: string; message: string }> = [];
  for (const [key, variable] of Object.entries(weightEnvironmentVariables) as Array<
    [keyof typeof weightEnvironmentVariables, string]
  >) {
    const raw = env[variable];
    if (raw === undefined || raw.trim() === '') continue;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0) {
      issues.push({ path: variable, message: `must be a finite number ≥ 0, got "${raw.slice(0, 20)}"` });
      continue;
    }
    resolved[key] = value;
  }
  for (const [key, value] of Object.entries(weights ?? {}) as Array<
    [keyof ScoreWeights, number | undefined]
  >) {
    if (value === undefined) continue;
    if (!(key in resolved)) {
      issues.push({ path: `weights.${key}`, message: 'unknown weight' });
      continue;
    }
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      issues.push({ path: `weights.${key}`, message: 'must be a finite number ≥ 0' });
      continue;
    }
    resolved[key] = value;
  }
  if (issues.length === 0 && Object.values(resolved).every((value) => value === 0)) {
    issues.push({
      path: 'weights',
      message: `at least one weight must be > 0 (check ${Object.values(weightEnvironmentVariables).join(', ')})`,
    });
  }
  if (issues.length > 0) {
    throw new ConfigError({
      message: `Invalid balancer weights: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`,
      issues,
    });
  }
  return resolved;
}

/** What the scorer knows about one candidate. */
export interface CandidateSignals {
  /** Expected cost of this request on this target, USD; `undefined` when the price is unknown. */
  expectedCostUsd: number | undefined;
  /** Expected latency (p50 of the window; TTFT for streams), ms; `undefined` before any sample. */
  expectedLatencyMs: number | undefined;
  successes: number;
  failures: number;
  inFlight: number;
  maxConcurrent: number | undefined;
  /** Lower is preferred (0 first). */
  priority: number;
}

/** Prior belief about a target's success rate, as a Beta prior of `strength` pseudo-calls. */
export interface ReliabilityPrior {
  /** Default 0.95. */
  successRate: number;
  /** Default 10 pseudo-calls. */
  strength: number;
}

/** Default reliability prior: 95 % success, worth 10 calls. */
export const defaultReliabilityPrior: Readonly<ReliabilityPrior> = Object.freeze({
  successRate: 0.95,
  strength: 10,
});

/** Utilization of a target without `maxConcurrent`: inFlight / (inFlight + this). */
const softCapacity = 16;
/** Failure-rate smoothing of the reliability term. */
const failureFloor = 0.05;

/**
 * Scores candidates of one call. Each term is normalized across the candidates so no term can
 * saturate or dwarf the others, whatever the units:
 *
 * - cost, latency: relative to the best, `(best + ε) / (value + ε)` with ε = 5 % of the largest
 *   value (latency: at least 5 ms). A target twice as expensive scores ≈ 0.5. Unknown values get
 *   the median of the known ones (neutral: neither starved nor favoured).
 * - reliability: posterior failure rate `f = (failures + (1-p)·k) / (calls + k)` with the Beta
 *   prior (p, k), then relative to the best: `(f_best + 0.05) / (f + 0.05)`.
 * - load: `1 − utilization`, utilization = inFlight / maxConcurrent (or inFlight / (inFlight + 16)).
 * - priority: `1 / (1 + priority − best priority)`.
 *
 * `total = Σ weight·term / Σ weight`, in [0, 1].
 *
 * @example
 * ```ts
 * const [a, b] = scoreCandidates(
 *   [
 *     { expectedCostUsd: 0.001, expectedLatencyMs: 300, successes: 50, failures: 0, inFlight: 0, maxConcurrent: undefined, priority: 0 },
 *     { expectedCostUsd: 0.002, expectedLatencyMs: 150, successes: 50, failures: 0, inFlight: 0, maxConcurrent: undefined, priority: 0 },
 *   ],
 *   defaultScoreWeights,
 *   defaultReliabilityPrior,
 * );
 * ```
 */
export function scoreCandidates(
  candidates: readonly CandidateSignals[],
  weights: ScoreWeights,
  prior: ReliabilityPrior = defaultReliabilityPrior,
): Array<{ total: number; components: ScoreComponents }> {
  const scored = candidates.map((candidate) => ({ ...candidate, total: 0, components: neutralComponents() }));
  scoreInPlace(scored, weights, prior);
  return scored.map(({ total, components }) => ({ total, components }));
}

/** A candidate the balancer scores in place: its signals, and room for the result. */
export interface ScoredCandidate extends CandidateSignals {
  total: number;
  components: ScoreComponents;
}

/**
 * @internal {@link scoreCandidates} without the intermediate arrays: writes `total` and the
 * terms of `components` (in place: each candidate needs its own components object) onto each
 * candidate. The balancer scores every candidate on every call, and the
 * per-term `map`/`filter`/sort copies were a visible share of its per-call cost.
 */
export function scoreInPlace(
  candidates: readonly ScoredCandidate[],
  weights: ScoreWeights,
  prior: ReliabilityPrior,
): void {
  const cost = relativeToBest(candidates, 'expectedCostUsd', 0, costScratch);
  const costBest = cost.best;
  const costEpsilon = cost.epsilon;
  const costFallback = cost.fallback;
  const latency = relativeToBest(candidates, 'expectedLatencyMs', 5, latencyScratch);
  const alpha = prior.successRate * prior.strength;
  const beta = (1 - prior.successRate) * prior.strength;
  // Math.min pairwise is Math.min(...all), NaN included.
  let bestFailure = Number.POSITIVE_INFINITY;
  let minPriority = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    bestFailure = Math.min(bestFailure, failureRateOf(candidate, alpha, beta));
    minPriority = Math.min(minPriority, candidate.priority);
  }
  const weightSum = weights.cost + weights.latency + weights.reliability + weights.load + weights.priority;
  for (const candidate of candidates) {
    const utilization =
      candidate.maxConcurrent === undefined
        ? candidate.inFlight / (candidate.inFlight + softCapacity)
        : Math.min(1, candidate.inFlight / Math.max(1, candidate.maxConcurrent));
    // Written into the candidate's own components object: the balancer keeps one per target
    // and reuses it every call (see `CandidatePool`), so scoring allocates nothing.
    const components = candidate.components;
    components.cost = relativeTerm(candidate.expectedCostUsd, costBest, costEpsilon, costFallback);
    components.latency = relativeTerm(
      candidate.expectedLatencyMs,
      latency.best,
      latency.epsilon,
      latency.fallback,
    );
    components.reliability =
      (bestFailure + failureFloor) / (failureRateOf(candidate, alpha, beta) + failureFloor);
    components.load = 1 - utilization;
    components.priority = 1 / (1 + candidate.priority - minPriority);
    candidate.total =
      weightSum === 0
        ? 0
        : (weights.cost * components.cost +
            weights.latency * components.latency +
            weights.reliability * components.reliability +
            weights.load * components.load +
            weights.priority * components.priority) /
          weightSum;
  }
}

function neutralComponents(): ScoreComponents {
  return { cost: 0, latency: 0, reliability: 0, load: 0, priority: 0 };
}

function failureRateOf(candidate: CandidateSignals, alpha: number, beta: number): number {
  return (candidate.failures + beta) / (candidate.successes + candidate.failures + alpha + beta);
}

/**
 * How one term is normalized relative to the best value: `(best + ε) / (value + ε)`, unknown
 * values standing at the median of the known ones. `best` is NaN when no value is known (every
 * term is then 1).
 */
interface Relative {
  best: number;
  epsilon: number;
  /** The median of the known values, used for unknown ones. */
  fallback: number;
}

function relativeTerm(value: number | undefined, best: number, epsilon: number, fallback: number): number {
  if (Number.isNaN(best)) return 1;
  const resolved = value === undefined || !Number.isFinite(value) ? fallback : value;
  return (best + epsilon) / (resolved + epsilon);
}

const knownScratch: number[] = [];
/**
 * Where {@link scoreInPlace} gets its two normalizations: scoring is synchronous and reads them
 * before it returns, so one object each serves every call.
 */
const costScratch: Relative = { best: 0, epsilon: 0, fallback: 0 };
const latencyScratch: Relative = { best: 0, epsilon: 0, fallback: 0 };

function relativeToBest(
  candidates: readonly CandidateSignals[],
  key: 'expectedCostUsd' | 'expectedLatencyMs',
  minimumEpsilon: number,
  into: Relative,
): Relative {
  // Best and worst in one pass; the median (a sort) only when some value is unknown and needs it.
  let known = 0;
  let best = Number.POSITIVE_INFINITY;
  let worst = Number.NEGATIVE_INFINITY;
  for (const candidate of candidates) {
    const value = signalOf(candidate, key);
    if (value === undefined || !Number.isFinite(value)) continue;
    known++;
    if (value < best) best = value;
    if (value > worst) worst = value;
  }
  if (known === 0) return setRelative(into, Number.NaN, 0, 0);
  let fallback = best;
  if (known < candidates.length) fallback = medianOfKnown(candidates, key, known);
  const epsilon = Math.max(minimumEpsilon, worst * 0.05, Number.MIN_VALUE);
  return setRelative(into, best, epsilon, fallback);
}

/**
 * `candidate[key]` as two named reads. A computed read with a key that varies is a megamorphic
 * keyed load in V8 (≈ 120 instructions each, 16 per ranking of 8 targets); a named one is a
 * field load.
 */
function signalOf(
  candidate: CandidateSignals,
  key: 'expectedCostUsd' | 'expectedLatencyMs',
): number | undefined {
  return key === 'expectedCostUsd' ? candidate.expectedCostUsd : candidate.expectedLatencyMs;
}

/**
 * The median (lower middle) of the known values. A target without a latency yet (a new or a
 * failing one) makes every ranking take this path, so it reuses one scratch, overwritten and never
 * truncated (`length = 0` would free its backing store), and insertion-sorts the few values
 * instead of `Array.prototype.sort` with a comparator (a closure and a work array per call).
 */
function medianOfKnown(
  candidates: readonly CandidateSignals[],
  key: 'expectedCostUsd' | 'expectedLatencyMs',
  known: number,
): number {
  let count = 0;
  for (const candidate of candidates) {
    const value = signalOf(candidate, key);
    if (value === undefined || !Number.isFinite(value)) continue;
    let at = count++;
    if (known <= insertionSortLimit) {
      while (at > 0 && (knownScratch[at - 1] ?? 0) > value) {
        knownScratch[at] = knownScratch[at - 1] ?? 0;
        at--;
      }
    }
    knownScratch[at] = value;
  }
  if (known > insertionSortLimit) {
    knownScratch.length = known;
    knownScratch.sort((a, b) => a - b);
  }
  return knownScratch[Math.floor((known - 1) / 2)] ?? 0;
}

/** Up to this many known values are insertion-sorted; more take a native sort. */
const insertionSortLimit = 32;

function setRelative(into: Relative, best: number, epsilon: number, fallback: number): Relative {
  into.best = best;
  into.epsilon = epsilon;
  into.fallback = fallback;
  return into;
}
