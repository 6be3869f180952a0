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
  values: number[];
  /** CC BY 4.0 attribution; show it wherever the data or derived results appear. */
  attribution: string;
  license: 'CC-BY-4.0';
  source: string;
}

const attribution =
  '"DataCenter Traces Datasets" by Alejandro Fernández (DOI 10.5281/zenodo.14564847), ' +
  'alejandrofdez-us/DataCenter-Traces-Datasets@003bb8e7, CC BY 4.0 ' +
  '(https://creativecommons.org/licenses/by/4.0/); excerpted and rounded by Ballast.';

const catalog: Record<
  TraceName,
  { description: string; unit: Trace['unit']; samples: string; file: string }
> = {
  'alibaba-2018-cpu': {
    description: 'Alibaba cluster-trace-v2018 machine CPU utilisation, days 1–4 (1 091 samples)',
    unit: 'percent',
    samples: alibaba2018CpuSamples,
    file: 'alibaba2018-days1-4-300s.csv (cpu_util_percent)',
  },
  'google-2019-cpu': {
    description: 'Google Borg 2019 average instance CPU, first four days (1 152 samples) of week 1',
    unit: 'fraction',
    samples: google2019CpuSamples,
    file: 'google2019-week1-300s.csv (avg_cpu)',
  },
  'azure-2019-cpu': {
    description:
      'Azure public dataset v2 VM CPU (sum of cores used), first four days (1 152 samples) of week 2',
    unit: 'cores',
    samples: azure2019CpuSamples,
    file: 'azure2019-week2-300s.csv (cpu_usage)',
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
  return {
    name,
    description: entry.description,
    stepSeconds: 300,
    unit: entry.unit,
    values: entry.samples.trim().split(/\s+/).map(Number),
    attribution,
    license: 'CC-BY-4.0',
    source: `alejandrofdez-us/DataCenter-Traces-Datasets@003bb8e7 ${entry.file}`,
  };
}

/**
 * Rescales a trace linearly so that its maximum becomes `peak` (and optionally its minimum
 * `floor`), e.g. to turn a utilisation trace into demand in cores for one Deployment.
 *
 * @example
 * ```ts
 * scaleTrace([10, 20, 40], { peak: 4 }); // [1, 2, 4]
 * ```
 */
export function scaleTrace(values: readonly number[], options: { peak: number; floor?: number }): number[] {
  const max = Math.max(...values);
  const min = Math.min(...values);
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
  const peak = Math.max(...trace.values);
  return trace.values.map((value) => (value / peak) * 100);
}
