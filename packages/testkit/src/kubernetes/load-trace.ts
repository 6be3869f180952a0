import { alibaba2018CpuSamples } from './traces/alibaba-2018-cpu';
import { azure2019CpuSamples } from './traces/azure-2019-cpu';
import { google2019CpuSamples } from './traces/google-2019-cpu';

/** Names of the bundled real traces. */
export type TraceName = 'alibaba-2018-cpu' | 'google-2019-cpu' | 'azure-2019-cpu';

/** A bundled real utilisation trace. */
export interface Trace {
  name: TraceName;
  description: string;
  /** Seconds between samples (300). */
  stepSeconds: number;
  /** Unit of `values`. */
  unit: 'percent' | 'fraction' | 'cores';
  /** The recorded samples, in order (gaps in the source are not in here; see `gaps`). */
  values: number[];
  /** Milliseconds since the trace's first sample for each value: `stepSeconds` apart except across a gap. */
  timestamps: number[];
  /** Runs of samples missing from the source: `missingSamples` slots follow `values[afterIndex]`. */
  gaps: TraceGap[];
  /** CC BY 4.0 attribution; show it wherever the data or derived results appear. */
  attribution: string;
  license: 'CC-BY-4.0';
  source: string;
}

/**
 * A run of samples missing from a trace's source.
 *
 * @example
 * ```ts
 * const gap: TraceGap = { afterIndex: 473, missingSamples: 61 };
 * ```
 */
export interface TraceGap {
  /** Index in `values` of the last sample before the gap. */
  afterIndex: number;
  missingSamples: number;
}

const attribution =
  '"DataCenter Traces Datasets" by Alejandro Fernández (DOI 10.5281/zenodo.14564847), ' +
  'alejandrofdez-us/DataCenter-Traces-Datasets@003bb8e7, CC BY 4.0 ' +
  '(https://creativecommons.org/licenses/by/4.0/); excerpted and rounded by Ballast.';

const catalog: Record<
  TraceName,
  { description: string; unit: Trace['unit']; samples: string; file: string; gaps: TraceGap[] }
> = {
  'alibaba-2018-cpu': {
    description: 'Alibaba cluster-trace-v2018 machine CPU utilisation, days 1–4 (1 091 samples)',
    unit: 'percent',
    samples: alibaba2018CpuSamples,
    file: 'alibaba2018-days1-4-300s.csv (cpu_util_percent)',
    // Day 2 of the source is 62 rows short (day 1 has 289): 1 091 rows instead of 4 × 288. The rows
    // carry no timestamps; the hole sits after the sparse bucket at row 473 (cpu 26.0 %, mem
    // 91.7 %, the only bucket with whole-number values, and memory jumps by 3–4 points across it),
    // and that placement also fits the daily shape of days 1, 3 and 4 best. 61 missing slots there
    // put day 3 at slot 576 = 2 × 288.
    gaps: [{ afterIndex: 473, missingSamples: 61 }],
  },
  'google-2019-cpu': {
    description: 'Google Borg 2019 average instance CPU, first four days (1 152 samples) of week 1',
    unit: 'fraction',
    samples: google2019CpuSamples,
    file: 'google2019-week1-300s.csv (avg_cpu)',
    gaps: [],
  },
  'azure-2019-cpu': {
    description:
      'Azure public dataset v2 VM CPU (sum of cores used), first four days (1 152 samples) of week 2',
    unit: 'cores',
    samples: azure2019CpuSamples,
    file: 'azure2019-week2-300s.csv (cpu_usage)',
    gaps: [],
  },
};

/** Every bundled trace name. */
export const traceNames: readonly TraceName[] = Object.keys(catalog) as TraceName[];

/**
 * Returns one of the bundled real traces (four days, 300 s apart) with its attribution.
 *
 * @example
 * ```ts
 * const trace = loadTrace('alibaba-2018-cpu');
 * const demand = scaleTrace(trace.values, { peak: 8 }); // cores per step, peaking at 8
 * console.log(trace.attribution);
 * ```
 */
export function loadTrace(name: TraceName): Trace {
  const entry = catalog[name];
  if (!entry) throw new Error(`Unknown trace ${JSON.stringify(name)}; known: ${traceNames.join(', ')}`);
  const values = entry.samples.trim().split(/\s+/).map(Number);
  const stepMs = 300_000;
  const timestamps: number[] = [];
  let slot = 0;
  for (let index = 0; index < values.length; index++) {
    timestamps.push(slot * stepMs);
    slot += 1 + (entry.gaps.find((gap) => gap.afterIndex === index)?.missingSamples ?? 0);
  }
  return {
    name,
    description: entry.description,
    stepSeconds: 300,
    unit: entry.unit,
    values,
    timestamps,
    gaps: entry.gaps.map((gap) => ({ ...gap })),
    attribution,
    license: 'CC-BY-4.0',
    source: `alejandrofdez-us/DataCenter-Traces-Datasets@003bb8e7 ${entry.file}`,
  };
}

/**
 * The trace on its regular 300 s grid: one entry per slot, `NaN` where the source has no sample
 * (so a day stays 288 slots and the daily season does not shift).
 *
 * @example
 * ```ts
 * const grid = traceOnGrid(loadTrace('alibaba-2018-cpu')); // 1 152 slots, 61 of them NaN
 * ```
 */
export function traceOnGrid(
  trace: Pick<Trace, 'values' | 'gaps'>,
  values: readonly number[] = trace.values,
): number[] {
  const grid: number[] = [];
  for (let index = 0; index < values.length; index++) {
    grid.push(values[index]!);
    const gap = trace.gaps.find((candidate) => candidate.afterIndex === index);
    if (gap !== undefined) for (let slot = 0; slot < gap.missingSamples; slot++) grid.push(Number.NaN);
  }
  return grid;
}

/**
 * Rescales a trace linearly so that its maximum becomes `peak` (and optionally its minimum
 * `floor`), e.g. to turn a utilisation trace into demand in cores for one Deployment. `NaN`
 * entries (gap slots from {@link traceOnGrid}) stay `NaN`.
 *
 * @example
 * ```ts
 * scaleTrace([10, 20, 40], { peak: 4 }); // [1, 2, 4]
 * ```
 */
export function scaleTrace(values: readonly number[], options: { peak: number; floor?: number }): number[] {
  // Non-finite entries (gaps on a grid) stay as they are and do not set the range.
  const finite = values.filter((value) => Number.isFinite(value));
  const max = Math.max(...finite);
  const min = Math.min(...finite);
  if (!(max > 0)) return values.map(() => 0);
  if (options.floor === undefined || max === min) return values.map((value) => (value / max) * options.peak);
  const floor = options.floor;
  return values.map((value) => floor + ((value - min) / (max - min)) * (options.peak - floor));
}

/**
 * A trace as utilisation percent (0–100) per step: percent as is, fractions × 100, and core
 * counts relative to their own peak (the Azure trace is a sum of cores, with no capacity given).
 *
 * @example
 * ```ts
 * const percent = traceUtilizationPercent(loadTrace('google-2019-cpu')); // [44.2, 43.3, ...]
 * ```
 */
export function traceUtilizationPercent(trace: Trace): number[] {
  if (trace.unit === 'percent') return [...trace.values];
  if (trace.unit === 'fraction') return trace.values.map((value) => value * 100);
  const peak = Math.max(...trace.values.filter((value) => Number.isFinite(value)));
  return trace.values.map((value) => (value / peak) * 100);
}
