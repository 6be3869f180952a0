import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addStoredToDense,
  addToHistogram,
  denseHistogram,
  denseQuantile,
  type LatencyHistogram,
  latencyBucket,
  parseHistogram,
  serializeHistogram,
} from './latency-histogram';

/** The sample of rank ⌈q·n⌉ (nearest rank), the definition the histogram bounds. */
function exactQuantile(values: readonly number[], quantile: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(quantile * sorted.length)) - 1]!;
}

function histogramOf(values: readonly number[]): LatencyHistogram {
  const histogram: LatencyHistogram = {};
  for (const value of values) addToHistogram(histogram, latencyBucket(value));
  return histogram;
}

const latency = fc.double({ min: 1, max: 1e7, noNaN: true });

describe('latency histogram', () => {
  it('reads every quantile of merged stored rollups between the exact value and 5 % above it', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(latency, { minLength: 0, maxLength: 40 }), { minLength: 1, maxLength: 12 }),
        fc.constantFrom(0.5, 0.9, 0.95, 0.99),
        (minutes, quantile) => {
          const all = minutes.flat();
          // Each minute is stored as text, as a rollup row holds it, then the window is summed.
          const window = denseHistogram();
          for (const values of minutes)
            addStoredToDense(window, JSON.parse(serializeHistogram(histogramOf(values))));
          const read = denseQuantile(window, quantile);
          if (all.length === 0) return read === null;
          const exact = exactQuantile(all, quantile);
          return read !== null && read >= exact * (1 - 1e-12) && read <= exact * 1.05 * (1 + 1e-12);
        },
      ),
      { seed: 14, numRuns: 300 },
    );
  });

  it('round-trips through its stored form and still reads rows stored as objects', () => {
    const histogram = histogramOf([100, 105, 2_000, 2_000, 1]);
    expect(parseHistogram(serializeHistogram(histogram))).toEqual(histogram);
    expect(serializeHistogram({})).toBe('[]');
    const legacy = denseHistogram();
    addStoredToDense(legacy, JSON.parse('{"95":2,"156":1}'));
    expect(legacy[95]).toBe(2);
    expect(legacy[156]).toBe(1);
    expect(parseHistogram('{"95":2}')).toEqual({ 95: 2 });
    expect(parseHistogram('not json')).toEqual({});
  });

  it('ignores stored values that are not histograms', () => {
    const dense = denseHistogram();
    for (const stored of [null, 3, 'x', [-1, 5], [1.5, 5], ['a']]) addStoredToDense(dense, stored);
    expect(dense.every((count) => count === 0)).toBe(true);
    expect(denseQuantile(dense, 0.95)).toBeNull();
  });
});
