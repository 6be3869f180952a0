import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quantileOfSorted } from './latency-window';
import { MetricsRecorder } from './metrics';
import { QuantileSketch } from './quantile-sketch';

const alpha = 0.01;
const qs = [0, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 1];

/** The stated bound: within α of the exact nearest-rank quantile, or < 0.001 absolute below 0.001. */
function withinBound(reported: number, exact: number): boolean {
  if (exact < 1e-3) return Math.abs(reported - exact) < 1e-3;
  // 1e-12: the logarithm's rounding at a bucket boundary.
  return Math.abs(reported - exact) <= alpha * exact * (1 + 1e-12);
}

function sketchOf(values: readonly number[]): QuantileSketch {
  const sketch = new QuantileSketch(alpha);
  for (const value of values) sketch.add(value);
  return sketch;
}

/** Latency-like values: plain, heavy-tailed (Pareto), ties, zeros, sub-millisecond. */
const sample = fc.oneof(
  fc.double({ min: 0, max: 1e6, noNaN: true }),
  // Pareto with shape 0.5..3: infinite variance at the low end.
  fc
    .tuple(fc.double({ min: 1e-9, max: 1, noNaN: true }), fc.double({ min: 0.5, max: 3, noNaN: true }))
    .map(([u, shape]) => Math.min(1e12, 10 * u ** (-1 / shape))),
  fc.constantFrom(0, 1, 120, 120, 120, 1e-4, 0.001, 1e12),
  fc.integer({ min: 0, max: 5_000 }),
);

describe('QuantileSketch', () => {
  it('reports every quantile within ±1 % of the exact nearest-rank quantile', () => {
    fc.assert(
      fc.property(fc.array(sample, { minLength: 1, maxLength: 2_000 }), (values) => {
        const sorted = Float64Array.from(values).sort();
        const reported = sketchOf(values).quantiles(qs);
        qs.forEach((q, position) => {
          const exact = quantileOfSorted(sorted, q);
          if (!withinBound(reported[position] ?? Number.NaN, exact))
            throw new Error(`q=${q}: reported ${reported[position]}, exact ${exact}`);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('returns a single sample, all-equal samples, the minimum and the maximum exactly', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e9, noNaN: true }),
        fc.integer({ min: 1, max: 50 }),
        (value, n) => {
          const sketch = sketchOf(Array.from({ length: n }, () => value));
          expect(sketch.quantiles(qs)).toEqual(qs.map(() => value));
        },
      ),
    );
    const sketch = sketchOf([0, 3, 7, 1_000]);
    expect(sketch.quantile(0)).toBe(0);
    expect(sketch.quantile(1)).toBe(1_000);
    expect(new QuantileSketch().quantile(0.5)).toBeNaN();
  });

  it('merging equals the sketch of the union, in any order', () => {
    fc.assert(
      fc.property(fc.array(fc.array(sample, { maxLength: 300 }), { minLength: 1, maxLength: 6 }), (parts) => {
        const union = sketchOf(parts.flat());
        const forwards = new QuantileSketch(alpha);
        for (const part of parts) forwards.merge(sketchOf(part));
        const backwards = new QuantileSketch(alpha);
        for (const part of [...parts].reverse()) backwards.merge(sketchOf(part));
        const grid = Array.from({ length: 101 }, (_, index) => index / 100);
        expect(forwards.count).toBe(union.count);
        expect(forwards.quantiles(grid)).toEqual(union.quantiles(grid));
        expect(backwards.quantiles(grid)).toEqual(union.quantiles(grid));
      }),
      { numRuns: 200 },
    );
  });

  it('keeps memory bounded by the value range after 1e6 inserts', () => {
    const sketch = new QuantileSketch(alpha);
    let seed = 7;
    let after1e4 = 0;
    for (let index = 0; index < 1_000_000; index++) {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      // Log-uniform over 1 ms … 100 s, plus the odd 0 ms and a far outlier.
      const value =
        index % 100_000 === 0 ? 3_600_000 : index % 1_000 === 0 ? 0 : 10 ** (5 * (seed / 2_147_483_648));
      sketch.add(value);
      if (index === 10_000) after1e4 = sketch.bucketCount;
    }
    expect(sketch.count).toBe(1_000_000);
    // ln(3.6e6) / ln(1.01 / 0.99) ≈ 756 buckets cover 1 ms … 1 h, whatever the sample count
    // (plus at most 8 spare buckets each side that growth allocates).
    expect(sketch.bucketCount).toBeLessThanOrEqual(
      Math.ceil(Math.log(3_600_000) / Math.log(1.01 / 0.99)) + 17,
    );
    expect(sketch.bucketCount).toBe(after1e4);
    // The absolute ceiling: the whole 0.001 ms … 1e12 ms range.
    const extremes = sketchOf([1e-3, 1e12, 5e-324, Number.MAX_VALUE]);
    expect(extremes.bucketCount).toBeLessThanOrEqual(Math.ceil(Math.log(1e15) / Math.log(1.01 / 0.99)) + 1);
  });

  it('ignores values that are no latency and refuses mismatched merges', () => {
    const sketch = sketchOf([-1, Number.NaN, Number.POSITIVE_INFINITY, 5]);
    expect(sketch.count).toBe(1);
    expect(() => sketch.merge(new QuantileSketch(0.02))).toThrow(RangeError);
    expect(() => new QuantileSketch(0)).toThrow(RangeError);
  });
});

describe('MetricsRecorder quantiles', () => {
  it('stay within ±1 % of the exact quantiles over any range of buckets', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 * 3_600_000 }), sample, fc.option(sample)), {
          minLength: 1,
          maxLength: 400,
        }),
        fc.integer({ min: 60_000, max: 4 * 3_600_000 }),
        // Unsorted: a clock that goes back, which takes the plain merge instead of the rollups.
        fc.boolean(),
        (events, sinceMs, sorted) => {
          if (sorted) events.sort((a, b) => a[0] - b[0]);
          let time = 0;
          const metrics = new MetricsRecorder({}, () => time);
          for (const [at, latencyMs, ttft] of events) {
            time = at;
            metrics.record(
              { target: 't', model: 'm' },
              { success: true, latencyMs, ...(ttft === null ? {} : { timeToFirstTokenMs: ttft }) },
            );
          }
          const snapshot = metrics.snapshot({ sinceMs });
          const from = snapshot.since;
          const inRange = events.filter(([at]) => at >= from);
          const latency = Float64Array.from(inRange, ([, value]) => value).sort();
          const ttft = Float64Array.from(
            inRange.flatMap(([, , value]) => (value === null ? [] : [value])),
          ).sort();
          const target = snapshot.targets.t;
          if (latency.length === 0) {
            expect(target).toBeUndefined();
            return;
          }
          const reported = target?.latencyMs;
          expect(withinBound(reported?.p50 ?? Number.NaN, quantileOfSorted(latency, 0.5))).toBe(true);
          expect(withinBound(reported?.p95 ?? Number.NaN, quantileOfSorted(latency, 0.95))).toBe(true);
          expect(withinBound(reported?.p99 ?? Number.NaN, quantileOfSorted(latency, 0.99))).toBe(true);
          if (ttft.length === 0) {
            expect(target?.timeToFirstTokenMs).toBeUndefined();
            return;
          }
          expect(
            withinBound(target?.timeToFirstTokenMs?.p95 ?? Number.NaN, quantileOfSorted(ttft, 0.95)),
          ).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('fixes the reservoir bias: p99 of 100 000 calls over a day', () => {
    let time = 0;
    const metrics = new MetricsRecorder({}, () => time);
    const all: number[] = [];
    let seed = 1;
    for (let index = 0; index < 100_000; index++) {
      seed = (seed * 48_271) % 2_147_483_647;
      const latencyMs = 50 + 2_000 * (seed / 2_147_483_647) ** 8; // long right tail
      all.push(latencyMs);
      metrics.record(
        { target: 't', model: 'm' },
        { success: true, latencyMs, timeToFirstTokenMs: latencyMs / 4 },
      );
      time += 864;
    }
    const sorted = Float64Array.from(all).sort();
    const snapshot = metrics.snapshot();
    expect(snapshot.targets.t?.requests).toBe(100_000);
    for (const [q, key] of [
      [0.5, 'p50'],
      [0.95, 'p95'],
      [0.99, 'p99'],
    ] as const) {
      const exact = quantileOfSorted(sorted, q);
      expect(Math.abs((snapshot.targets.t?.latencyMs?.[key] ?? 0) - exact)).toBeLessThanOrEqual(
        alpha * exact,
      );
    }
  });
});
