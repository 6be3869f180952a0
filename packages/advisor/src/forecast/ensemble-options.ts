import { ConfigError } from '@ballast/core';
import { ADAPTIVE_MISCOVERAGE_BOUND } from './adaptive-conformal';
import type { EnsembleForecasterOptions } from './ensemble-forecaster';
import { defaultEnsembleMembers, ensembleMembers } from './ensemble-members';
import { OptionChecks } from './option-checks';
import { RELATIVE_ERROR_PRIOR_DEVIATION } from './relative-member-errors';

/**
 * {@link EnsembleForecasterOptions} validated and with every default filled in, plus the
 * quantities derived from them once (discount factor, level window, enabled members).
 *
 * @internal
 */
export interface EnsembleSettings {
  /** Steps ahead forecast. */
  readonly horizon: number;
  /** Samples per day. */
  readonly season: number;
  /** Samples per week. */
  readonly week: number;
  /** Level of `lower`/`upper`. */
  readonly level: number;
  /** Every interval level, `level` first (the others without duplicates of it). */
  readonly levels: readonly number[];
  readonly adaptationRate: number;
  readonly adaptiveMiscoverageBound: number;
  /** Half-life of the member errors, in steps. */
  readonly halfLife: number;
  readonly relativeErrorPriorDeviation: number;
  /** Per-step discount of older errors and origins: `2^(−1/halfLife)`. */
  readonly decay: number;
  /** Least residual window per horizon, in steps. */
  readonly residualWindow: number;
  /** Samples in the "recent level": one hour, or 1/24 season without a step. */
  readonly levelWindow: number;
  readonly intervalScaling: 'member-spread' | 'none';
  /** Per {@link ensembleMembers} index: whether that member is combined. */
  readonly enabled: readonly boolean[];
}

const checks = new OptionChecks('ensemble forecaster');

/** Validates `options` (throwing `ConfigError` on the first invalid one) and fills in the defaults. */
export function resolveEnsembleOptions(options: EnsembleForecasterOptions): EnsembleSettings {
  checks.object(options);
  const horizon = options.horizonSteps;
  if (horizon === undefined) checks.fail('horizonSteps', 'is required', horizon);
  checks.horizon(horizon, 'horizonSteps');
  checks.integer(options.seasonLength, 'seasonLength');
  checks.integer(options.weekLength, 'weekLength');
  const { stepSeconds } = options;
  checks.positive(stepSeconds, 'stepSeconds');
  const season = resolveSeason(options);
  const level = options.level ?? 0.9;
  checks.probability(level, 'level');
  checks.array(options.levels, 'levels');
  const levels = [level, ...(options.levels ?? [0.8, 0.95]).filter((extra) => extra !== level)];
  for (const [index, value] of levels.entries()) checks.probability(value, `levels.${index}`);
  checks.nonNegative(options.adaptationRate, 'adaptationRate');
  const bound = options.adaptiveMiscoverageBound ?? ADAPTIVE_MISCOVERAGE_BOUND;
  if (typeof bound !== 'number' || !(bound >= 1))
    checks.fail('adaptiveMiscoverageBound', 'must be at least 1', bound);
  checks.positive(options.errorHalfLifeSteps, 'errorHalfLifeSteps');
  const halfLife = options.errorHalfLifeSteps ?? season;
  const priorDeviation = options.relativeErrorPriorDeviation ?? RELATIVE_ERROR_PRIOR_DEVIATION;
  if (typeof priorDeviation !== 'number' || !(priorDeviation > 0))
    checks.fail('relativeErrorPriorDeviation', 'must be positive', priorDeviation);
  checks.integer(options.residualWindowSteps, 'residualWindowSteps');
  checks.oneOf(options.intervalScaling, 'intervalScaling', ['none', 'member-spread']);
  checks.array(options.members, 'members');
  const members = options.members ?? defaultEnsembleMembers;
  for (const [index, member] of members.entries()) checks.oneOf(member, `members.${index}`, ensembleMembers);
  return {
    horizon,
    season,
    week: options.weekLength ?? 7 * season,
    level,
    levels,
    adaptationRate: options.adaptationRate ?? 0.01,
    adaptiveMiscoverageBound: bound,
    halfLife,
    relativeErrorPriorDeviation: priorDeviation,
    decay: 2 ** (-1 / halfLife),
    residualWindow: options.residualWindowSteps ?? 2 * season,
    levelWindow: Math.max(
      1,
      stepSeconds !== undefined ? Math.round(3600 / stepSeconds) : Math.round(season / 24),
    ),
    intervalScaling: options.intervalScaling ?? 'none',
    enabled: ensembleMembers.map((member) => members.includes(member)),
  };
}

/** One day of samples: `seasonLength`, else derived from `stepSeconds` (at least 2). */
function resolveSeason(options: EnsembleForecasterOptions): number {
  const season =
    options.seasonLength ??
    (options.stepSeconds !== undefined ? Math.max(2, Math.round(86_400 / options.stepSeconds)) : undefined);
  if (season === undefined) {
    throw new ConfigError({
      message: 'Invalid ensemble forecaster options: seasonLength or stepSeconds is required',
      issues: [{ path: 'seasonLength', message: 'required without stepSeconds' }],
    });
  }
  return season;
}
