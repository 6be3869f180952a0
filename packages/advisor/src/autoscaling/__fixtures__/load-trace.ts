import { readFileSync } from 'node:fs';

/** The traces shipped in this folder. */
export type TraceFixtureName = 'alibaba2018' | 'google2019' | 'azure2019';

/** A shipped trace as utilisation percent (0–100) per 300 s step. */
export interface TraceFixture {
  name: TraceFixtureName;
  file: string;
  stepSeconds: number;
  utilizationPercent: number[];
  /** How the file's column became percent. */
  scaling: string;
}

const files: Record<TraceFixtureName, { file: string; column: string; scaling: string }> = {
  alibaba2018: { file: 'alibaba2018-days1-4-cpu-300s.csv', column: 'cpu_util_percent', scaling: 'cpu_util_percent as is' },
  google2019: { file: 'google2019-days1-4-cpu-300s.csv', column: 'avg_cpu', scaling: 'avg_cpu × 100' },
  azure2019: {
    file: 'azure2019-week2-days1-4-cpu-300s.csv',
    column: 'cpu_usage',
    scaling: 'cpu_usage / max(cpu_usage) × 100',
  },
};

/** Names of all shipped traces. */
export const traceFixtureNames: readonly TraceFixtureName[] = ['alibaba2018', 'google2019', 'azure2019'];

/** Reads one shipped trace (test and bench helper; not part of the package API). */
export function loadTraceFixture(name: TraceFixtureName): TraceFixture {
  const spec = files[name];
  const text = readFileSync(new URL(`./${spec.file}`, import.meta.url), 'utf8');
  const [header = '', ...rows] = text.trim().split(/\r?\n/);
  const column = header.split(',').indexOf(spec.column);
  if (column < 0) throw new Error(`column ${spec.column} not found in ${spec.file}`);
  const values = rows.map((row) => Number(row.split(',')[column]));
  if (values.some((value) => !Number.isFinite(value))) throw new Error(`non-numeric value in ${spec.file}`);
  let utilizationPercent = values;
  if (name === 'google2019') utilizationPercent = values.map((value) => value * 100);
  if (name === 'azure2019') {
    const peak = Math.max(...values);
    utilizationPercent = values.map((value) => (value / peak) * 100);
  }
  return { name, file: spec.file, stepSeconds: 300, utilizationPercent, scaling: spec.scaling };
}
