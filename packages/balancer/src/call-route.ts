import type { Route, RouteAttempt, RouteScore, SkippedTarget } from './route';
import type { ScoredCandidate } from './scoring';
import type { StrategyName } from './strategies';

/** What {@link CallRoute.captureScores} reads of a scored candidate. */
export interface CapturedCandidate extends ScoredCandidate {
  /** Position of the target in the configuration: its id is `targetIds[index]`. */
  index: number;
}

/**
 * Numbers kept per candidate: target index, total, the five terms, expected cost, expected
 * latency (NaN standing for "unknown").
 */
const stride = 9;

/**
 * The {@link Route} of one balancer call. Identical to a plain route for its readers (`scores`
 * is an own enumerable property, so spreads, `JSON.stringify`, `structuredClone` and deep
 * equality see it), but the score breakdown is captured as plain numbers when the call is ranked
 * and turned into {@link RouteScore} objects on first read.
 *
 * Why: a result carries one score per target, and building those objects (rounded terms, one
 * object per score and per breakdown) was the largest single allocation of a call, for data most
 * callers never read.
 */
export class CallRoute implements Route {
  declare target: string;
  declare strategy: StrategyName;
  declare scores: RouteScore[];
  declare attempts: RouteAttempt[];
  declare skipped: SkippedTarget[];
  #scores: RouteScore[] | undefined = undefined;
  #captured: number[] | undefined = undefined;
  #targetIds: readonly string[] = [];

  /**
   * One accessor shared by every route, installed as an own property: a getter written per
   * object would be a new function each time, and V8 would give every route its own hidden class.
   */
  static readonly #scoresProperty: PropertyDescriptor = {
    get(this: CallRoute): RouteScore[] {
      return this.#materialize();
    },
    set(this: CallRoute, scores: RouteScore[]) {
      this.#scores = scores;
      this.#captured = undefined;
    },
    enumerable: true,
    configurable: true,
  };

  constructor(strategy: StrategyName) {
    // Assigned in the order of a plain route literal, so the keys enumerate the same way.
    this.target = '';
    this.strategy = strategy;
    Object.defineProperty(this, 'scores', CallRoute.#scoresProperty);
    this.attempts = [];
    this.skipped = [];
  }

  /**
   * Copies the scores of a ranking (in configuration order) into this route. The candidates may
   * be reused by the next ranking, so only numbers are kept, never the candidate objects.
   */
  captureScores(candidates: readonly CapturedCandidate[], targetIds: readonly string[]): void {
    const captured = doublesOfLength(candidates.length * stride);
    let at = 0;
    for (const candidate of candidates) {
      const { components } = candidate;
      captured[at++] = candidate.index;
      captured[at++] = candidate.total;
      captured[at++] = components.cost;
      captured[at++] = components.latency;
      captured[at++] = components.reliability;
      captured[at++] = components.load;
      captured[at++] = components.priority;
      captured[at++] = candidate.expectedCostUsd ?? Number.NaN;
      captured[at++] = candidate.expectedLatencyMs ?? Number.NaN;
    }
    this.#captured = captured;
    this.#targetIds = targetIds;
    this.#scores = undefined;
  }

  #materialize(): RouteScore[] {
    if (this.#scores) return this.#scores;
    const scores: RouteScore[] = [];
    const captured = this.#captured;
    if (captured) {
      for (let at = 0; at < captured.length; at += stride) scores.push(this.#scoreAt(captured, at));
    }
    this.#scores = scores;
    this.#captured = undefined;
    return scores;
  }

  #scoreAt(captured: readonly number[], at: number): RouteScore {
    const value = (offset: number) => captured[at + offset] ?? Number.NaN;
    const score: RouteScore = {
      target: this.#targetIds[value(0)] ?? '',
      total: roundToThousandths(value(1)),
      components: {
        cost: roundToThousandths(value(2)),
        latency: roundToThousandths(value(3)),
        reliability: roundToThousandths(value(4)),
        load: roundToThousandths(value(5)),
        priority: roundToThousandths(value(6)),
      },
    };
    const expectedCostUsd = value(7);
    if (!Number.isNaN(expectedCostUsd)) score.expectedCostUsd = expectedCostUsd;
    const expectedLatencyMs = value(8);
    if (!Number.isNaN(expectedLatencyMs)) score.expectedLatencyMs = roundToThousandths(expectedLatencyMs);
    return score;
  }
}

/** A packed array of doubles, copied from by {@link doublesOfLength}. */
let doubleTemplate: number[] = [0.5];

/**
 * A new array of `length` numbers. Sliced from an array that already holds doubles, so it is
 * allocated once with double elements; `new Array(length)` starts as small integers and is copied
 * again into a double store on the first fractional write.
 */
function doublesOfLength(length: number): number[] {
  while (doubleTemplate.length < length) doubleTemplate = doubleTemplate.concat(doubleTemplate);
  return doubleTemplate.slice(0, length);
}

/** Rounds to 3 decimals (what routes report: scores, milliseconds). */
export function roundToThousandths(value: number): number {
  return Math.round(value * 1000) / 1000;
}
