/**
 * The simple forecasters the ensemble combines. Each is cheap, has no fitted parameters that could
 * overfit, and is good somewhere: `last-value` at short horizons, the seasonal ones when the day
 * repeats, the smoothed and damped ones when the level drifts.
 *
 * - `last-value`: `y(t)`.
 * - `seasonal-naive`: `y(t + h − k·m)`, `k = ⌈h/m⌉` (one day earlier).
 * - `weekly-naive`: the same a week earlier; only once two weeks are known.
 * - `seasonal-level`: seasonal-naive shifted by how much the last hour's mean moved since a day
 *   earlier (`y(t+h−m) + ℓ(t) − ℓ(t−m)`).
 * - `seasonal-mean`: the mean over up to 7 earlier days of the same slot, shifted the same way
 *   (once two days are known): a steadier daily shape.
 * - `damped-trend`: Holt's additive damped trend (α 0.5, β 0.1, φ 0.9).
 * - `smoothed-level`: exponentially smoothed level (α 0.3), flat; not in the defaults any more
 *   (see {@link defaultEnsembleMembers}).
 * - `local-level`: the level of a local-level (random walk plus noise) Kalman filter, flat, with
 *   its signal-to-noise ratio fitted per horizon on past `h`-step errors (see
 *   `createLocalLevelBank`): a smoothed level where the metric is noisy around a slow level,
 *   last-value where it is a random walk.
 * - `direct-regression`: a direct model per horizon, fitted by discounted ridge least squares on
 *   its own `h`-step errors: `y(t+h) − y(t)` regressed on the change the season saw over the
 *   same hours a day earlier `y(t+h−m) − y(t−m)`, today against a day earlier `y(t) − y(t−m)`,
 *   the last step `y(t) − y(t−1)`, the distance from the last hour's mean `y(t) − ℓ(t)` and
 *   `y(t)` itself, with an unpenalised intercept: `c + b·y(t)` reverts towards the discounted
 *   long-run level `−c/b` where the data say so. With all coefficients 0 it is last-value, with
 *   (1, −1, 0, 0, 0) seasonal-naive: the data choose. It forecasts only with the evidence the
 *   median models need (below; 6 coefficients with the intercept): at long horizons a
 *   least-squares fit on a handful of independent `h`-step changes overfits.
 * - `median-regression`: a direct model per horizon fitted for the **median** (least absolute
 *   deviations, the loss whose optimum is the point forecast that minimises absolute error):
 *   `y(t+h) − y(t)` on a constant (the median drift), the distance from the last hour's and the
 *   last day's mean, the last step, the change the season saw a day earlier and today against a
 *   day earlier; refitted every hour on the last two days of origins (discounted, half-life one
 *   season; up to a week where the horizon needs more), at anchor horizons 1, 2, 3, 5, 8, … with
 *   coefficients interpolated between them. It forecasts only once its window holds 5 independent
 *   `h`-step changes per coefficient (`n / h ≥ 30`). Skewed increments (frequent small decays,
 *   rare jumps) and level-dependent mean reversion move the median where a least-squares fit
 *   follows the mean.
 * - `recent-median`: the same kind of direct median model on recent dynamics only (distance from
 *   the quarter-hour, hour, three-hour and day means, the last three steps; see
 *   `createRecentMedianModel`), with the same evidence rule: it needs no day of history and no
 *   repeating day, only enough origins.
 * - `level-reversion`: the same kind of direct median model on a constant and the level `y(t)`
 *   only: `y(t+h) = c + (1 + b)·y(t)` reverts towards the window's median level where the
 *   `h`-step changes show it, and is last-value where they do not; up to an hour ahead only (a
 *   level fitted over days need not hold over a longer horizon).
 *
 * @example
 * ```ts
 * const member: EnsembleMember = 'seasonal-level';
 * ```
 */
export type EnsembleMember =
  | 'last-value'
  | 'seasonal-naive'
  | 'weekly-naive'
  | 'seasonal-level'
  | 'seasonal-mean'
  | 'damped-trend'
  | 'smoothed-level'
  | 'local-level'
  | 'direct-regression'
  | 'median-regression'
  | 'recent-median'
  | 'level-reversion';

/**
 * Every member, in the order weights are reported.
 *
 * @example
 * ```ts
 * createEnsembleForecaster({ horizonSteps: 12, stepSeconds: 300, members: ensembleMembers.filter((member) => member !== 'damped-trend') });
 * ```
 */
export const ensembleMembers: readonly EnsembleMember[] = [
  'last-value',
  'seasonal-naive',
  'weekly-naive',
  'seasonal-level',
  'seasonal-mean',
  'damped-trend',
  'smoothed-level',
  'local-level',
  'direct-regression',
  'median-regression',
  'recent-median',
  'level-reversion',
];

/**
 * The members combined by default: all but `smoothed-level`, whose fixed α 0.3 the fitted
 * `local-level` member supersedes (kept for callers that name it in `members`).
 *
 * @example
 * ```ts
 * defaultEnsembleMembers.includes('local-level'); // true
 * ```
 */
export const defaultEnsembleMembers: readonly EnsembleMember[] = ensembleMembers.filter(
  (member) => member !== 'smoothed-level',
);
