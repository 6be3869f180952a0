import { ConfigError } from '@ballast/core';

/**
 * Weighted least absolute deviations: `argmin_β Σ wᵢ·|yᵢ − xᵢᵀβ|`, the regression whose fit is the
 * conditional **median** (the optimal point forecast under absolute error), by iteratively
 * reweighted least squares. Each round solves the weighted normal equations with weights
 * `wᵢ / max(|rᵢ|, ε)`; `ε` (a small share of the mean absolute residual) keeps exact fits finite.
 * A small ridge (relative to the Gram matrix's mean diagonal) is added only when collinear features
 * make the plain system singular.
 *
 * @param rows `n × p` design matrix, row-major.
 * @param targets `n` responses.
 * @param weights `n` non-negative sample weights (e.g. exponential discounting of old origins).
 * @param start Starting coefficients (warm start); zeros when omitted.
 * @returns `p` coefficients.
 * @example
 * ```ts
 * // y = 2 + x with one gross outlier: the median fit ignores it.
 * const beta = leastAbsoluteDeviations(new Float64Array([1, 0, 1, 1, 1, 2, 1, 3]), new Float64Array([2, 3, 4, 50]), new Float64Array([1, 1, 1, 1]), 2);
 * ```
 */
export function leastAbsoluteDeviations(
  rows: Float64Array,
  targets: Float64Array,
  weights: Float64Array,
  features: number,
  options: { iterations?: number | undefined; start?: Float64Array | undefined } = {},
): Float64Array {
  const n = targets.length;
  const p = features;
  if (!(Number.isInteger(p) && p >= 1) || rows.length !== n * p || weights.length !== n) {
    throw new ConfigError({
      message: `Invalid median regression input: ${n} targets need ${n * p} design entries and ${n} weights`,
      issues: [{ path: 'rows', message: 'must be targets.length × features' }],
    });
  }
  const beta = options.start !== undefined ? Float64Array.from(options.start) : new Float64Array(p);
  if (n === 0) return beta;
  const iterations = options.iterations ?? 20;
  const gram = new Float64Array(p * p);
  const moment = new Float64Array(p);
  const residuals = new Float64Array(n);
  const fitted = (row: number) => {
    let value = 0;
    for (let j = 0; j < p; j++) value += rows[row * p + j]! * beta[j]!;
    return value;
  };
  for (let iteration = 0; iteration <= iterations; iteration++) {
    // The first round (from zero, or the warm start) is plain weighted least squares when
    // starting cold, so IRLS begins at the mean fit and moves to the median fit.
    const cold = iteration === 0 && options.start === undefined;
    let meanAbsolute = 0;
    let weightSum = 0;
    for (let i = 0; i < n; i++) {
      residuals[i] = Math.abs(targets[i]! - fitted(i));
      meanAbsolute += weights[i]! * residuals[i]!;
      weightSum += weights[i]!;
    }
    if (!(weightSum > 0)) return beta;
    meanAbsolute /= weightSum;
    const floor = Math.max(1e-3 * meanAbsolute, 1e-12);
    gram.fill(0);
    moment.fill(0);
    for (let i = 0; i < n; i++) {
      const w = cold ? weights[i]! : weights[i]! / Math.max(residuals[i]!, floor);
      if (w === 0) continue;
      const base = i * p;
      for (let a = 0; a < p; a++) {
        const xa = rows[base + a]! * w;
        moment[a] = moment[a]! + xa * targets[i]!;
        for (let b = a; b < p; b++) gram[a * p + b] = gram[a * p + b]! + xa * rows[base + b]!;
      }
    }
    let diagonal = 0;
    for (let a = 0; a < p; a++) diagonal += gram[a * p + a]!;
    // A ridge only where the plain system is singular (collinear features): it biases the fit.
    const solved =
      solveSymmetric(gram, moment, p, (1e-12 * diagonal) / p) ??
      solveSymmetric(gram, moment, p, (1e-6 * diagonal) / p + 1e-12);
    if (solved === undefined) return beta;
    beta.set(solved);
  }
  return beta;
}

/** Solves `(G + ridge·I) x = m` for the upper triangle of symmetric `G` by Cholesky; `undefined` if not positive definite. */
function solveSymmetric(
  gram: Float64Array,
  moment: Float64Array,
  p: number,
  ridge: number,
): Float64Array | undefined {
  const lower = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = gram[j * p + i]! + (i === j ? ridge : 0);
      for (let k = 0; k < j; k++) sum -= lower[i * p + k]! * lower[j * p + k]!;
      if (i === j) {
        if (!(sum > 0)) return undefined;
        lower[i * p + i] = Math.sqrt(sum);
      } else {
        lower[i * p + j] = sum / lower[j * p + j]!;
      }
    }
  }
  const solution = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    let sum = moment[i]!;
    for (let k = 0; k < i; k++) sum -= lower[i * p + k]! * solution[k]!;
    solution[i] = sum / lower[i * p + i]!;
  }
  for (let i = p - 1; i >= 0; i--) {
    let sum = solution[i]!;
    for (let k = i + 1; k < p; k++) sum -= lower[k * p + i]! * solution[k]!;
    solution[i] = sum / lower[i * p + i]!;
  }
  return solution;
}

/**
 * The horizons a direct per-horizon model is fitted at: 1, 2, 3, then growing by half each time
 * (5, 8, 12, 18, 27, …), and the largest horizon itself. Horizons between two anchors interpolate
 * the anchors' coefficients linearly, so the fitting cost grows with `log(horizon)`, not `horizon`.
 *
 * @example
 * ```ts
 * anchorHorizons(72); // [1, 2, 3, 5, 8, 12, 18, 27, 41, 62, 72]
 * ```
 */
export function anchorHorizons(horizon: number): number[] {
  const anchors: number[] = [];
  let next = 1;
  while (next < horizon) {
    anchors.push(next);
    next = Math.max(next + 1, Math.round(next * 1.5));
  }
  anchors.push(horizon);
  return anchors;
}
