/**
 * The balancer's quantile sketch: insert cost, merge cost, memory, and the worst relative error
 * of p50/p95/p99 against the exact quantiles on a heavy-tailed latency stream.
 */
import { QuantileSketch, quantileOfSorted } from '@ballast/balancer';
import type { BenchReport } from './run';

export default async function run(): Promise<BenchReport> {
  const count = 1_000_000;
  const values = new Float64Array(count);
  let seed = 42;
  for (let index = 0; index < count; index++) {
    seed = (seed * 48_271) % 2_147_483_647;
    // Pareto(shape 1.5) from 50 ms: a long tail, as LLM latencies have.
    values[index] = 50 * (1 - seed / 2_147_483_647) ** (-1 / 1.5);
  }
  const sketch = new QuantileSketch(0.01);
  const insertStarted = performance.now();
  for (let index = 0; index < count; index++) sketch.add(values[index] ?? 0);
  const insertMs = performance.now() - insertStarted;

  const minutes = Array.from({ length: 1_440 }, (_, minute) => {
    const part = new QuantileSketch(0.01);
    for (let index = minute; index < count; index += 1_440) part.add(values[index] ?? 0);
    return part;
  });
  const mergeStarted = performance.now();
  const merged = new QuantileSketch(0.01);
  for (const part of minutes) merged.merge(part);
  const mergeMs = performance.now() - mergeStarted;

  const sorted = values.slice().sort();
  const rows = [0.5, 0.95, 0.99, 0.999].map((q) => {
    const exact = quantileOfSorted(sorted, q);
    const reported = merged.quantile(q);
    return {
      case: `p${q * 100}`,
      'exact ms': exact.toFixed(2),
      'sketch ms': reported.toFixed(2),
      'relative error %': ((100 * Math.abs(reported - exact)) / exact).toFixed(3),
    };
  });
  return {
    name: 'quantile sketch (α = 1 %)',
    rows,
    notes: [
      `add(): ${((insertMs * 1_000_000) / count).toFixed(1)} ns per sample over ${count} samples`,
      `merge of 1 440 per-minute sketches: ${mergeMs.toFixed(2)} ms`,
      `buckets after ${count} samples: ${sketch.bucketCount} (${sketch.bucketCount * 8} B of counts)`,
    ],
  };
}
