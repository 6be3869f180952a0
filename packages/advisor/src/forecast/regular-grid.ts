import { ValidationError } from '@ballast/core';
import { OptionChecks } from './option-checks';

/**
 * How timestamps are read: epoch (or relative) milliseconds, seconds, or `auto` (detect seconds,
 * see {@link toRegularGrid}).
 *
 * @example
 * ```ts
 * const unit: TimestampUnit = 'auto';
 * ```
 */
export type TimestampUnit = 'milliseconds' | 'seconds' | 'auto';

/**
 * Options of {@link toRegularGrid}.
 *
 * @example
 * ```ts
 * const options: RegularGridOptions = { stepSeconds: 300, seasonLength: 288, timestampUnit: 'auto' };
 * ```
 */
export interface RegularGridOptions {
  /** Grid step; default the median spacing of the timestamps. */
  stepSeconds?: number | undefined;
  /** Samples per season, for the seasonal gap fill; default one day of steps. */
  seasonLength?: number | undefined;
  /** Default `auto`. */
  timestampUnit?: TimestampUnit | undefined;
}

/**
 * A series on a regular grid, every slot holding a finite value, with the filled slots flagged.
 *
 * @example
 * ```ts
 * const observed = (grid: RegularGrid) => grid.values.filter((_, index) => !grid.filled[index]);
 * ```
 */
export interface RegularGrid {
  /** One finite value per grid slot, oldest first. */
  values: number[];
  /** `true` where the slot had no finite sample and was filled (see {@link toRegularGrid}). */
  filled: boolean[];
  stepSeconds: number | undefined;
  /** Epoch ms of slot 0 (`undefined` for a plain array). */
  startTime: number | undefined;
  /** The unit the timestamps were read in (`undefined` for a plain array). */
  timestampUnit: 'milliseconds' | 'seconds' | undefined;
  /** Runs of filled slots. */
  gaps: Array<{ startIndex: number; length: number }>;
  /** Samples that landed on an already occupied slot (the later one wins). */
  duplicates: number;
}

/**
 * Latest plausible epoch-milliseconds value read as seconds: 1e11 ms is March 1973, and 1e11 s is
 * the year 5138, so a series entirely below it whose spacing reads as a realistic metrics
 * interval in seconds is in seconds.
 */
const SECONDS_CEILING = 1e11;

function medianStep(timestamps: readonly number[]): number | undefined {
  const steps: number[] = [];
  for (let index = 1; index < timestamps.length; index++) {
    const step = timestamps[index]! - timestamps[index - 1]!;
    if (step > 0) steps.push(step);
  }
  if (steps.length === 0) return undefined;
  steps.sort((a, b) => a - b);
  return steps[Math.floor(steps.length / 2)];
}

/**
 * Decides the timestamp unit. `auto` reads timestamps as seconds when every one is below 1e11 and
 * the median spacing is a whole number of seconds between 1 s and one day (e.g. 300, as Azure's
 * trace gives); spacing under one second that does not read as seconds is rejected: metric
 * series are not sampled at sub-second rates, so such input is almost surely mislabelled.
 */
function resolveUnit(
  timestamps: readonly number[],
  unit: TimestampUnit,
  stepSeconds: number | undefined,
): 'milliseconds' | 'seconds' {
  if (unit !== 'auto') return unit;
  const step = medianStep(timestamps);
  if (step === undefined) return 'milliseconds';
  const allSmall = timestamps.every((time) => Math.abs(time) < SECONDS_CEILING);
  const expected = stepSeconds === undefined ? undefined : stepSeconds;
  const readsAsSeconds =
    allSmall &&
    Number.isInteger(step) &&
    step >= 1 &&
    step <= 86_400 &&
    (expected === undefined || Math.abs(step - expected) < Math.abs(step - expected * 1000));
  if (readsAsSeconds) return 'seconds';
  if (step < 1000) {
    throw new ValidationError({
      message: `series timestamps look like seconds or are mislabelled: median spacing ${step} read as milliseconds is under one second; pass timestampUnit 'seconds' or epoch milliseconds`,
      issues: [
        {
          path: 'timestamps',
          code: 'timestamp_unit_ambiguous',
          message: `median spacing ${step} is under 1000 ms`,
        },
      ],
    });
  }
  return 'milliseconds';
}

/**
 * Most slots a grid may have: two years of one-minute samples. A series whose timestamps span
 * more (one corrupt timestamp far in the future, or a step far below the real spacing) is
 * rejected instead of allocating and filling gigabytes of gap.
 */
const MAX_GRID_SLOTS = 1_051_200;

const checks = new OptionChecks('regular grid');

function invalidSeries(path: string, code: string, message: string, detail: string): never {
  throw new ValidationError({ message, issues: [{ path, code, message: detail }] });
}

/** A plain array or a `{ timestamps, values }` series of numbers (`NaN`/`null` mark gaps). */
function validateSeriesShape(series: unknown): void {
  const candidate = series as { timestamps?: unknown; values?: unknown } | null;
  const values = Array.isArray(series)
    ? series
    : typeof candidate === 'object' &&
        candidate !== null &&
        Array.isArray(candidate.timestamps) &&
        Array.isArray(candidate.values)
      ? candidate.values
      : invalidSeries(
          'series',
          'invalid_series',
          'series must be an array of numbers or { timestamps: number[], values: number[] }',
          'not an array or a { timestamps, values } series',
        );
  for (let index = 0; index < values.length; index++) {
    const value: unknown = values[index];
    if (typeof value !== 'number' && value !== null) {
      invalidSeries(
        `values.${index}`,
        'not_a_number',
        `series value ${index} is ${typeof value}, not a number (mark a missing sample with NaN or null)`,
        `${typeof value}, not a number`,
      );
    }
  }
}

function validateTimestamps(timestamps: readonly number[], values: readonly number[]): void {
  if (timestamps.length !== values.length) {
    throw new ValidationError({
      message: `series has ${timestamps.length} timestamps but ${values.length} values`,
      issues: [{ path: 'timestamps', code: 'length_mismatch', message: 'lengths differ' }],
    });
  }
  for (let index = 0; index < timestamps.length; index++) {
    const time = timestamps[index]!;
    if (!Number.isFinite(time)) {
      throw new ValidationError({
        message: `series timestamp ${index} is not finite`,
        issues: [{ path: `timestamps.${index}`, code: 'not_finite', message: 'not finite' }],
      });
    }
    if (index > 0 && time < timestamps[index - 1]!) {
      throw new ValidationError({
        message: `series timestamps must be ascending (index ${index} goes back in time)`,
        issues: [{ path: `timestamps.${index}`, code: 'not_ascending', message: 'goes back in time' }],
      });
    }
  }
}

/**
 * Puts a series on a regular grid and fills its gaps, flagging every filled slot.
 *
 * - A `Series`-like `{ timestamps, values }` is bucketed to `round((t − t₀) / step)`; slots
 *   without a finite sample are gaps. A plain array is already a grid: its non-finite entries are
 *   the gaps (so a dropped sample never shifts the daily season).
 * - **Fill rule**: a gap slot takes the value one season earlier, shifted by the offset between
 *   the observed values at the gap's edges and their own season-earlier values (linearly blended
 *   across the gap), so the fill follows the daily shape and meets both edges. When the season
 *   earlier is not known, the slot is linearly interpolated between the edges; before the first
 *   or after the last sample, the nearest sample is carried.
 * - Timestamps in seconds are detected (`timestampUnit: 'auto'`) or declared; ambiguous sub-second
 *   spacing throws a {@link ValidationError} (`timestamp_unit_ambiguous`), as do non-finite,
 *   descending or mismatched timestamps.
 *
 * @example
 * ```ts
 * const grid = toRegularGrid([1, 2, Number.NaN, 4], { seasonLength: 288 });
 * grid.values; // [1, 2, 3, 4]
 * grid.filled; // [false, false, true, false]
 * ```
 */
export function toRegularGrid(
  series: readonly number[] | { timestamps: readonly number[]; values: readonly number[] },
  options: RegularGridOptions = {},
): RegularGrid {
  checks.object(options);
  checks.positive(options.stepSeconds, 'stepSeconds');
  checks.integer(options.seasonLength, 'seasonLength');
  checks.oneOf(options.timestampUnit, 'timestampUnit', ['auto', 'milliseconds', 'seconds']);
  validateSeriesShape(series);
  let slots: number[];
  let stepSeconds = options.stepSeconds;
  let startTime: number | undefined;
  let timestampUnit: RegularGrid['timestampUnit'];
  let duplicates = 0;
  if (Array.isArray(series)) {
    slots = (series as readonly number[]).map((value) => (Number.isFinite(value) ? value : Number.NaN));
  } else {
    const { timestamps, values } = series as { timestamps: readonly number[]; values: readonly number[] };
    validateTimestamps(timestamps, values);
    timestampUnit = resolveUnit(timestamps, options.timestampUnit ?? 'auto', options.stepSeconds);
    const toMs = timestampUnit === 'seconds' ? 1000 : 1;
    const times = timestamps.map((time) => time * toMs);
    const stepMs = stepSeconds !== undefined ? stepSeconds * 1000 : medianStep(times);
    if (stepMs === undefined && times.length > 1) {
      invalidSeries(
        'timestamps',
        'no_spacing',
        `series timestamps are all equal (${times.length} samples at one instant): there is no step to put them on a grid`,
        'all equal',
      );
    }
    if (stepMs === undefined || times.length === 0) {
      slots = values.map((value) => (Number.isFinite(value) ? value : Number.NaN));
      startTime = times[0];
    } else {
      stepSeconds = stepMs / 1000;
      startTime = times[0]!;
      const length = Math.round((times[times.length - 1]! - startTime) / stepMs) + 1;
      if (!(length <= MAX_GRID_SLOTS)) {
        invalidSeries(
          'timestamps',
          'grid_too_long',
          `series timestamps span ${length} steps of ${stepMs / 1000} s for ${times.length} samples, more than the ${MAX_GRID_SLOTS} slots a grid may have: check for a corrupt timestamp or a wrong stepSeconds`,
          `spans ${length} slots`,
        );
      }
      slots = new Array<number>(length).fill(Number.NaN);
      for (let index = 0; index < times.length; index++) {
        const value = values[index]!;
        if (!Number.isFinite(value)) continue;
        const slot = Math.round((times[index]! - startTime) / stepMs);
        if (Number.isFinite(slots[slot]!)) duplicates++;
        slots[slot] = value;
      }
    }
  }
  const seasonLength =
    options.seasonLength ??
    (stepSeconds !== undefined && stepSeconds > 0
      ? Math.max(2, Math.round(86_400 / stepSeconds))
      : undefined);
  const filled = slots.map((value) => !Number.isFinite(value));
  const gaps = findGaps(filled);
  const values = fillGaps(slots, gaps, seasonLength);
  return { values, filled, stepSeconds, startTime, timestampUnit, gaps, duplicates };
}

function findGaps(filled: readonly boolean[]): Array<{ startIndex: number; length: number }> {
  const gaps: Array<{ startIndex: number; length: number }> = [];
  let start = -1;
  for (let index = 0; index <= filled.length; index++) {
    const missing = index < filled.length && filled[index];
    if (missing && start < 0) start = index;
    if (!missing && start >= 0) {
      gaps.push({ startIndex: start, length: index - start });
      start = -1;
    }
  }
  return gaps;
}

function fillGaps(
  slots: readonly number[],
  gaps: ReadonlyArray<{ startIndex: number; length: number }>,
  seasonLength: number | undefined,
): number[] {
  const values = [...slots];
  for (const gap of gaps) {
    const before = gap.startIndex - 1;
    const after = gap.startIndex + gap.length;
    const hasBefore = before >= 0;
    const hasAfter = after < values.length;
    // Nothing observed at all: nothing to fill from (callers report insufficient data).
    if (!hasBefore && !hasAfter) continue;
    const left = hasBefore ? values[before]! : values[after]!;
    const right = hasAfter ? values[after]! : values[before]!;
    const m = seasonLength;
    const seasonal = m !== undefined && gap.startIndex - m >= 0 && (!hasBefore || before - m >= 0);
    // Offsets of the edges against one season earlier (values earlier in the array are already
    // filled). A gap of a season or more has no observed right edge a season back: keep the left offset.
    const leftOffset = seasonal && hasBefore ? left - values[before - m!]! : 0;
    const rightOffset =
      seasonal && hasAfter && after - m! < gap.startIndex ? right - values[after - m!]! : leftOffset;
    const startOffset = hasBefore ? leftOffset : rightOffset;
    for (let slot = gap.startIndex; slot < after; slot++) {
      const fraction = (slot - before) / (after - before);
      if (seasonal) {
        values[slot] = values[slot - m!]! + startOffset + (rightOffset - startOffset) * fraction;
      } else {
        values[slot] = left + (right - left) * fraction;
      }
    }
  }
  return values;
}
