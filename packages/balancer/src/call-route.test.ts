import { describe, expect, it } from 'vitest';
import { CallRoute, type CapturedCandidate } from './call-route';

function candidate(index: number, total: number, extra: Partial<CapturedCandidate> = {}): CapturedCandidate {
  return {
    index,
    total,
    components: { cost: 0.1234567, latency: 1, reliability: 0.5, load: 1, priority: 1 / 3 },
    expectedCostUsd: 0.000_012_345,
    expectedLatencyMs: 12.345_678,
    successes: 0,
    failures: 0,
    inFlight: 0,
    maxConcurrent: undefined,
    priority: 0,
    ...extra,
  };
}

describe('CallRoute', () => {
  it('builds the captured scores on first read, rounded as routes report them', () => {
    const route = new CallRoute('weighted');
    route.captureScores(
      [
        candidate(1, 0.987_654_3),
        candidate(0, 0.5, { expectedCostUsd: undefined, expectedLatencyMs: undefined }),
      ],
      ['a', 'b'],
    );
    expect(route.scores).toEqual([
      {
        target: 'b',
        total: 0.988,
        components: { cost: 0.123, latency: 1, reliability: 0.5, load: 1, priority: 0.333 },
        expectedCostUsd: 0.000_012_345,
        expectedLatencyMs: 12.346,
      },
      {
        target: 'a',
        total: 0.5,
        components: { cost: 0.123, latency: 1, reliability: 0.5, load: 1, priority: 0.333 },
      },
    ]);
    expect(route.scores).toBe(route.scores); // built once
  });

  it('is a plain route to spreads, JSON and deep equality', () => {
    const route = new CallRoute('cost');
    route.captureScores([candidate(0, 1)], ['only']);
    const expected = {
      target: '',
      strategy: 'cost',
      scores: [route.scores[0]],
      attempts: [],
      skipped: [],
    };
    expect(Object.keys(route)).toEqual(['target', 'strategy', 'scores', 'attempts', 'skipped']);
    expect({ ...route }).toEqual(expected);
    expect(JSON.parse(JSON.stringify(route))).toEqual(expected);
    expect(structuredClone(route)).toEqual(expected);
  });

  it('keeps scores assigned by hand, and reads as empty before any capture', () => {
    const route = new CallRoute('weighted');
    expect(route.scores).toEqual([]);
    route.scores = [
      { target: 'x', total: 1, components: { cost: 1, latency: 1, reliability: 1, load: 1, priority: 1 } },
    ];
    expect(route.scores.map((score) => score.target)).toEqual(['x']);
  });
});
