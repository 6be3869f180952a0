import { ConfigError } from '@ballast/core';
import type { ForecastOutcome, ForecastPoint } from './forecast-types';
import { normalQuantile } from './quantiles';

/**
 * Signal-to-noise ratios `q = σ²_η / σ²_ε` the local-level filters run with: half-decades from
 * 10⁻³ (a level that barely moves: steady-state gain ≈ 0.03, a mean of the last ~60 samples) to
 * 10³ (gain ≈ 0.999, last-value). The grid spans every gain a 5-minute metric plausibly needs
 * without any value chosen by looking at a trace; a finer grid changes the fit by less than the
 * noise of the error estimates.
 */
export const LOCAL_LEVEL_SIGNAL_TO_NOISE: readonly number[] = Array.from(
  { length: 13 },
  (_, index) => 10 ** (-3 + index / 2),
);

/**
 * Options of {@link createLocalLevelBank}.
 *
 * @example
 * ```ts
 * const options: LocalLevelBankOptions = { horizonSteps: 72, errorHalfLifeSteps: 288 };
 * ```
 */
export interface LocalLevelBankOptions {
  /** Steps ahead whose errors are tracked (≥ 1). */
  horizonSteps: number;
  /** Half-life of the discounted likelihood and `h`-step errors, in steps (≥ 1). */
  errorHalfLifeSteps: number;
  /** Signal-to-noise grid; default {@link LOCAL_LEVEL_SIGNAL_TO_NOISE}. */
  signalToNoise?: readonly number[] | undefined;
}

/**
 * A bank of local-level Kalman filters, one per signal-to-noise ratio, fed one sample at a time.
 * See {@link createLocalLevelBank}.
 *
 * @example
 * ```ts
 * const bank = createLocalLevelBank({ horizonSteps: 12, errorHalfLifeSteps: 288 });
 * for (const value of [4, 5, 4, 6]) bank.observe(value);
 * bank.forecast(12); // the level of the filter with the least discounted 12-step error so far
 * ```
 */
export interface LocalLevelBank {
  /** Adds the next sample; a `filled` sample is treated as missing (prediction step only, never scored). */
  observe(value: number, options?: { filled?: boolean | undefined }): void;
  /** Flat `h`-step forecast: the level of the filter fitted for horizon `h` (NaN before any sample). */
  forecast(h: number): number;
  /** The ratio used at horizon `h`: least discounted `h`-step squared error, else the likelihood's choice. */
  signalToNoise(h: number): number;
  /** The ratio with the highest discounted (concentrated) Gaussian likelihood of the one-step innovations. */
  maximumLikelihoodSignalToNoise(): number;
  /**
   * Variance of the `h`-step forecast error of the maximum-likelihood filter under its own model:
   * `σ̂²_ε (P + h·q + 1)`; grows linearly with `h`.
   */
  forecastVariance(h: number): number;
  /** Samples observed (filled ones included). */
  readonly length: number;
}

/**
 * Creates a bank of local-level models (random walk plus noise, `y = μ + ε`, `μ' = μ + η`), each
 * filtered exactly by the Kalman recursion with a diffuse start (the first sample sets the level,
 * `P = 1` in units of `σ²_ε`; missing samples take the prediction step only).
 *
 * Two fits of the one free parameter `q`, both on past data only:
 * - **Maximum likelihood**: the concentrated Gaussian log-likelihood of the one-step innovations
 *   `vₜ` with variances `Fₜ = P⁻ₜ + 1`, `−½(n·log(Σv²/F / n) + Σ log F)`, discounted so the fit
 *   follows drift.
 * - **Multi-step loss**: for each horizon `h`, the ratio whose flat forecast had the least
 *   discounted squared error `h` steps later. At `h = 1` this is (in steady state) the likelihood
 *   fit; at long horizons it picks the smoother level a mean-reverting metric needs, where the
 *   one-step fit would pick last-value (Holt-Winters' α ≈ 0.9 problem).
 *
 * On a noisy level (Google's CPU) the smoothed level beats last-value, which carries the
 * observation noise into every forecast; on a pure random walk both fits choose a large `q` and
 * the forecast is the last value.
 *
 * @example
 * ```ts
 * const bank = createLocalLevelBank({ horizonSteps: 6, errorHalfLifeSteps: 288 });
 * for (const value of series) bank.observe(value);
 * const sixStepsAhead = bank.forecast(6);
 * ```
 */
export function createLocalLevelBank(options: LocalLevelBankOptions): LocalLevelBank {
  const horizon = options.horizonSteps;
  for (const [path, value] of [
    ['horizonSteps', horizon],
    ['errorHalfLifeSteps', options.errorHalfLifeSteps],
  ] as const) {
    if (!(Number.isFinite(value) && value >= 1)) {
      throw new ConfigError({
        message: `Invalid local-level options: ${path} must be ≥ 1, got ${value}`,
        issues: [{ path, message: 'must be ≥ 1' }],
      });
    }
  }
  const ratios = [...(options.signalToNoise ?? LOCAL_LEVEL_SIGNAL_TO_NOISE)];
  if (ratios.length === 0 || ratios.some((ratio) => !(Number.isFinite(ratio) && ratio > 0))) {
    throw new ConfigError({
      message: 'Invalid local-level options: signalToNoise must be a non-empty list of positive numbers',
      issues: [{ path: 'signalToNoise', message: 'must be positive numbers' }],
    });
  }
  const count = ratios.length;
  const decay = 2 ** (-1 / options.errorHalfLifeSteps);
  const levels = new Float64Array(count).fill(Number.NaN);
  const variances = new Float64Array(count);
  // Discounted likelihood sums per ratio: Σ v²/F, Σ log F, n.
  const scaledSquares = new Float64Array(count);
  const logVariances = new Float64Array(count);
  let innovations = 0;
  // Discounted h-step squared errors per horizon and ratio, and their weight of evidence.
  const squaredErrors = new Float64Array(horizon * count);
  const errorCounts = new Float64Array(horizon);
  // Levels of the last `horizon + 1` origins, ring-indexed by origin, for scoring.
  const ring = horizon + 1;
  const pastLevels = new Float64Array(ring * count).fill(Number.NaN);
  let length = 0;

  function maximumLikelihoodIndex(): number {
    if (innovations <= 0) return count - 1;
    let best = count - 1;
    let bestValue = Number.NEGATIVE_INFINITY;
    for (let index = 0; index < count; index++) {
      const sigmaSquared = Math.max(scaledSquares[index]! / innovations, 1e-300);
      const logLikelihood = -0.5 * (innovations * Math.log(sigmaSquared) + logVariances[index]!);
      if (logLikelihood > bestValue) {
        bestValue = logLikelihood;
        best = index;
      }
    }
    return best;
  }

  function horizonIndex(h: number): number {
    // A horizon with no scored error yet borrows the nearest shorter one that has some.
    let source = h;
    while (source >= 1 && errorCounts[source - 1]! <= 0) source--;
    if (source < 1) return maximumLikelihoodIndex();
    const row = (source - 1) * count;
    let best = 0;
    for (let index = 1; index < count; index++)
      if (squaredErrors[row + index]! < squaredErrors[row + best]!) best = index;
    return best;
  }

  function checkHorizon(h: number): void {
    if (!(Number.isInteger(h) && h >= 1 && h <= horizon)) {
      throw new ConfigError({
        message: `Invalid local-level horizon: ${h} is not an integer in 1..${horizon}`,
        issues: [{ path: 'h', message: `must be an integer in 1..${horizon}` }],
      });
    }
  }

  return {
    get length() {
      return length;
    },
    observe(value, observeOptions) {
      if (!Number.isFinite(value)) {
        throw new ConfigError({
          message: `Invalid local-level sample: ${value} is not finite`,
          issues: [{ path: 'value', message: 'must be finite' }],
        });
      }
      const filled = observeOptions?.filled === true;
      const t = length;
      length++;
      if (!filled) {
        for (let h = 1; h <= horizon; h++) {
          const origin = t - h;
          if (origin < 0) break;
          const row = (origin % ring) * count;
          if (Number.isNaN(pastLevels[row]!)) continue;
          for (let index = 0; index < count; index++) {
            const error = value - pastLevels[row + index]!;
            squaredErrors[(h - 1) * count + index] =
              decay * squaredErrors[(h - 1) * count + index]! + error * error;
          }
          errorCounts[h - 1] = decay * errorCounts[h - 1]! + 1;
        }
      }
      let started = false;
      for (let index = 0; index < count; index++) {
        if (Number.isNaN(levels[index]!)) {
          // Diffuse start: the first real sample is the level, known to within the noise (P = 1).
          if (!filled) {
            levels[index] = value;
            variances[index] = 1;
          }
          continue;
        }
        started = true;
        const predicted = variances[index]! + ratios[index]!;
        if (filled) {
          variances[index] = predicted;
          continue;
        }
        const innovationVariance = predicted + 1;
        const innovation = value - levels[index]!;
        const gain = predicted / innovationVariance;
        levels[index] = levels[index]! + gain * innovation;
        variances[index] = (1 - gain) * predicted;
        scaledSquares[index] = decay * scaledSquares[index]! + (innovation * innovation) / innovationVariance;
        logVariances[index] = decay * logVariances[index]! + Math.log(innovationVariance);
      }
      if (started && !filled) innovations = decay * innovations + 1;
      pastLevels.set(levels, (t % ring) * count);
    },
    forecast(h) {
      checkHorizon(h);
      return levels[horizonIndex(h)]!;
    },
    signalToNoise(h) {
      checkHorizon(h);
      return ratios[horizonIndex(h)]!;
    },
    maximumLikelihoodSignalToNoise() {
      return ratios[maximumLikelihoodIndex()]!;
    },
    forecastVariance(h) {
      if (!(Number.isFinite(h) && h >= 1)) {
        throw new ConfigError({
          message: `Invalid local-level horizon: ${h} must be ≥ 1`,
          issues: [{ path: 'h', message: 'must be ≥ 1' }],
        });
      }
      const index = maximumLikelihoodIndex();
      if (innovations <= 0) return Number.NaN;
      const sigmaSquared = scaledSquares[index]! / innovations;
      return sigmaSquared * (variances[index]! + h * ratios[index]! + 1);
    },
  };
}

/**
 * Options of {@link localLevel}.
 *
 * @example
 * ```ts
 * const options: LocalLevelOptions = { horizonSteps: 12, level: 0.9 };
 * ```
 */
export interface LocalLevelOptions {
  horizonSteps: number;
  /** Interval coverage, default 0.9. */
  level?: number | undefined;
}

/** Fewest samples {@link localLevel} forecasts from (one innovation to fit the noise). */
export const LOCAL_LEVEL_MINIMUM = 3;

/**
 * The local-level model fitted by maximum likelihood over the whole history (no discounting), as a
 * stand-alone forecast: a flat mean at the filtered level and Gaussian intervals
 * `± z · σ̂_ε · √(P + h·q + 1)` that widen with the horizon. Needs {@link LOCAL_LEVEL_MINIMUM} samples.
 *
 * @example
 * ```ts
 * const outcome = localLevel([10, 11, 9, 10, 12, 10], { horizonSteps: 3 });
 * // outcome.status === 'ok'; every point.mean is the same smoothed level
 * ```
 */
export function localLevel(history: readonly number[], options: LocalLevelOptions): ForecastOutcome {
  const n = history.length;
  if (n < LOCAL_LEVEL_MINIMUM) {
    return {
      status: 'insufficient_data',
      model: 'local-level',
      needed: LOCAL_LEVEL_MINIMUM,
      have: n,
      message: `local-level needs ${LOCAL_LEVEL_MINIMUM} samples, got ${n}`,
    };
  }
  const level = options.level ?? 0.9;
  // A half-life far beyond the history: the plain (undiscounted) likelihood.
  const bank = createLocalLevelBank({ horizonSteps: 1, errorHalfLifeSteps: 1e12 });
  for (const value of history) bank.observe(value);
  const ratio = bank.maximumLikelihoodSignalToNoise();
  const single = createLocalLevelBank({ horizonSteps: 1, errorHalfLifeSteps: 1e12, signalToNoise: [ratio] });
  for (const value of history) single.observe(value);
  const mean = single.forecast(1);
  const z = normalQuantile((1 + level) / 2);
  const points: ForecastPoint[] = [];
  for (let h = 1; h <= options.horizonSteps; h++) {
    const width = z * Math.sqrt(Math.max(0, single.forecastVariance(h)));
    points.push({ step: h, mean, lower: mean - width, upper: mean + width });
  }
  return {
    status: 'ok',
    model: 'local-level',
    points,
    level,
    parameters: { signalToNoise: ratio },
    residualStandardDeviation: Math.sqrt(Math.max(0, single.forecastVariance(1))),
    historyUsed: n,
  };
}
