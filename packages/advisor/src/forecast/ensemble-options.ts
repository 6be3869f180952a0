import { ConfigError } from '@ballast/core';
import { ADAPTIVE_MISCOVERAGE_BOUND } from './adaptive-conformal';
import type { EnsembleForecasterOptions } from './ensemble-forecaster';
import { defaultEnsembleMembers, ensembleMembers } from './ensemble-members';
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

/** Validates `options` (throwing `ConfigError` on the first invalid one) and fills in the defaults. */
export function resolveEnsembleOptions(options: EnsembleForecasterOptions): EnsembleSettings {
  const horizon = options.horizonSteps;
  positiveInteger(horizon, 'horizonSteps');
  positiveInteger(options.seasonLength, 'seasonLength');
  positiveInteger(options.weekLength, 'weekLength');
  const { stepSeconds } = options;
  check(stepSeconds === undefined || stepSeconds > 0, 'stepSeconds', 'must be positive', stepSeconds);
  const season = resolveSeason(options);
  const level = options.level ?? 0.9;
  probability(level, 'level');
  const levels = [level, ...(options.levels ?? [0.8, 0.95]).filter((extra) => extra !== level)];
  for (const [index, value] of levels.entries()) probability(value, `levels.${index}`);
  const bound = options.adaptiveMiscoverageBound ?? ADAPTIVE_MISCOVERAGE_BOUND;
  check(bound >= 1, 'adaptiveMiscoverageBound', 'must be at least 1', bound);
  const halfLife = options.errorHalfLifeSteps ?? season;
  const priorDeviation = options.relativeErrorPriorDeviation ?? RELATIVE_ERROR_PRIOR_DEVIATION;
  check(priorDeviation > 0, 'relativeErrorPriorDeviation', 'must be positive', priorDeviation);
  const members = options.members ?? defaultEnsembleMembers;
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

function positiveInteger(value: number | undefined, path: string): void {
  check(
    value === undefined || (Number.isInteger(value) && value >= 1),
    path,
    'must be a positive integer',
    value,
  );
}

function probability(value: number, path: string): void {
  check(value > 0 && value < 1, path, 'must be in (0, 1)', value);
}

/** Throws the `ConfigError` for option `path` breaking `rule` unless `valid`. */
function check(valid: boolean, path: string, rule: string, value: number | undefined): void {
  if (valid) return;
  throw new ConfigError({
    message: `Invalid ensemble forecaster options: ${path} ${rule}, got ${value}`,
    issues: [{ path, message: rule }],
  });
}
