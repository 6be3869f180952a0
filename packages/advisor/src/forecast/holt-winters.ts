import type { ForecastOutcome } from './forecast-types';
import { normalQuantile } from './quantiles';

/**
 * Smoothing parameters of additive Holt-Winters (traditional form): level `alpha`, trend `beta`,
 * season `gamma`, each in [0, 1].
 *
 * @example
 * ```ts
 * const parameters: HoltWintersParameters = { alpha: 0.3, beta: 0.01, gamma: 0.1 };
 * ```
 */
export interface HoltWintersParameters {
  alpha: number;
  beta: number;
  gamma: number;
}

/**
 * Options of {@link holtWinters}.
 *
 * @example
 * ```ts
 * const options: HoltWintersOptions = { seasonLength: 288, horizonSteps: 3 };
 * ```
 */
export interface HoltWintersOptions {
  /** Samples per season (288 for a daily season at 300 s). */
  seasonLength: number;
  horizonSteps: number;
  /** Interval coverage, default 0.9. */
  level?: number | undefined;
  /** Fixed parameters; by default they are chosen by grid search on the one-step SSE. */
  parameters?: HoltWintersParameters | undefined;
  /** Use at most this many trailing seasons of history (default 8). */
  maxSeasons?: number | undefined;
}

const ALPHAS = [0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9];
const BETAS = [0, 0.01, 0.05, 0.1, 0.2];
const GAMMAS = [0.01, 0.05, 0.1, 0.2, 0.4];

interface HoltWintersState {
  level: number;
  trend: number;
  season: number[];
  sse: number;
  count: number;
}

/** Initial level/trend/season from the first two seasons (classical decomposition heuristic). */
function initialise(
  values: readonly number[],
  m: number,
): { level: number; trend: number; season: number[] } {
  let first = 0;
  let second = 0;
  for (let i = 0; i < m; i++) {
    first += values[i]!;
    second += values[m + i]!;
  }
  first /= m;
  second /= m;
  const season: number[] = [];
  for (let i = 0; i < m; i++) season.push((values[i]! - first + (values[m + i]! - second)) / 2);
  return { level: first, trend: (second - first) / m, season };
}

/** Runs the additive recursions from t = m (the first season seeds the state). */
function run(values: readonly number[], m: number, parameters: HoltWintersParameters): HoltWintersState {
  const { alpha, beta, gamma } = parameters;
  const init = initialise(values, m);
  let level = init.level;
  let trend = init.trend;
  const season = init.season;
  let sse = 0;
  let count = 0;
  for (let t = m; t < values.length; t++) {
    const y = values[t]!;
    const index = t % m;
    const seasonal = season[index]!;
    const error = y - (level + trend + seasonal);
    sse += error * error;
    count++;
    const nextLevel = alpha * (y - seasonal) + (1 - alpha) * (level + trend);
    trend = beta * (nextLevel - level) + (1 - beta) * trend;
    level = nextLevel;
    season[index] = gamma * (y - level) + (1 - gamma) * seasonal;
  }
  return { level, trend, season, sse, count };
}

/**
 * Grid search of `alpha × beta × gamma` (7 × 5 × 5) minimising the in-sample one-step squared error.
 * Needs two full seasons.
 *
 * @example
 * ```ts
 * const { alpha, beta, gamma } = fitHoltWinters(history, 288);
 * ```
 */
export function fitHoltWinters(values: readonly number[], seasonLength: number): HoltWintersParameters {
  let best: HoltWintersParameters = { alpha: 0.3, beta: 0.01, gamma: 0.1 };
  let bestSse = Number.POSITIVE_INFINITY;
  for (const alpha of ALPHAS) {
    for (const beta of BETAS) {
      for (const gamma of GAMMAS) {
        const { sse } = run(values, seasonLength, { alpha, beta, gamma });
        if (sse < bestSse) {
          bestSse = sse;
          best = { alpha, beta, gamma };
        }
      }
    }
  }
  return best;
}

/**
 * Additive Holt-Winters (level + trend + season of length `m`):
 *
 * - `ℓₜ = α(yₜ − sₜ₋ₘ) + (1 − α)(ℓₜ₋₁ + bₜ₋₁)`, `bₜ = β(ℓₜ − ℓₜ₋₁) + (1 − β)bₜ₋₁`,
 *   `sₜ = γ(yₜ − ℓₜ) + (1 − γ)sₜ₋ₘ`; forecast `ŷₙ₊ₕ = ℓₙ + h·bₙ + sₙ₊ₕ₋ₘ`.
 * - Interval: `ŷ ± z·σ·√(1 + Σⱼ₌₁ʰ⁻¹ cⱼ²)`, `cⱼ = α(1 + jβ) + γ(1 − α)·[j mod m = 0]` (ETS(A,A,A)
 *   variance, Hyndman et al. 2008), `σ` = RMS one-step error.
 *
 * Needs two full seasons (`2m` samples), as PHPA after its issue #74; fewer gives
 * `insufficient_data`.
 *
 * @example
 * ```ts
 * const outcome = holtWinters(cpuCores, { seasonLength: 288, horizonSteps: 3, level: 0.9 });
 * if (outcome.status === 'ok') console.log(outcome.points[0]);
 * ```
 */
export function holtWinters(history: readonly number[], options: HoltWintersOptions): ForecastOutcome {
  const m = options.seasonLength;
  const needed = 2 * m;
  if (m < 2 || history.length < needed) {
    return {
      status: 'insufficient_data',
      model: 'holt-winters',
      needed: Math.max(needed, 4),
      have: history.length,
      message: `holt-winters needs two full seasons (${needed} samples), got ${history.length}`,
    };
  }
  const maxSeasons = options.maxSeasons ?? 8;
  const values = history.length > maxSeasons * m ? history.slice(history.length - maxSeasons * m) : history;
  const parameters = options.parameters ?? fitHoltWinters(values, m);
  const state = run(values, m, parameters);
  const sigma = Math.sqrt(state.sse / Math.max(1, state.count));
  const level = options.level ?? 0.9;
  const z = normalQuantile((1 + level) / 2);
  const n = values.length;
  const points = [];
  let variance = 1;
  for (let h = 1; h <= options.horizonSteps; h++) {
    if (h > 1) {
      const j = h - 1;
      const c =
        parameters.alpha * (1 + j * parameters.beta) +
        (j % m === 0 ? parameters.gamma * (1 - parameters.alpha) : 0);
      variance += c * c;
    }
    const mean = state.level + h * state.trend + state.season[(n - 1 + h) % m]!;
    const width = z * sigma * Math.sqrt(variance);
    points.push({ step: h, mean, lower: mean - width, upper: mean + width });
  }
  return {
    status: 'ok',
    model: 'holt-winters',
    points,
    level,
    seasonLength: m,
    parameters: { ...parameters },
    residualStandardDeviation: sigma,
    historyUsed: n,
  };
}
