import { describe, expect, it } from 'vitest';
import { seededRandom } from './fake-chat-model.test-helper';
import {
  orderCandidates,
  type RankedCandidate,
  type StrategyName,
  strategyNames,
  strategyReadsScores,
} from './strategies';

describe('orderCandidates (in place, insertion sort)', () => {
  /** The order the copies-and-native-sort version gave, for the strategies without draws. */
  function reference(strategy: StrategyName, candidates: RankedCandidate[]): RankedCandidate[] {
    const byTotal = (a: RankedCandidate, b: RankedCandidate) => b.total - a.total || a.index - b.index;
    const unknownLast = (a: number | undefined, b: number | undefined) =>
      a === undefined ? (b === undefined ? 0 : 1) : b === undefined ? -1 : a - b;
    const sorted = candidates.slice();
    switch (strategy) {
      case 'latency':
        return sorted.sort((a, b) => unknownLast(a.expectedLatencyMs, b.expectedLatencyMs) || byTotal(a, b));
      case 'cost':
        return sorted.sort((a, b) => unknownLast(a.expectedCostUsd, b.expectedCostUsd) || byTotal(a, b));
      case 'least-busy':
        return sorted.sort((a, b) => a.utilization - b.utilization || byTotal(a, b));
      case 'failover':
        return sorted.sort((a, b) => a.priority - b.priority || a.index - b.index);
      default:
        return sorted.sort(byTotal);
    }
  }

  it('gives the stable order of the native sort, ties included, below and above 32 targets', () => {
    const random = seededRandom(7);
    for (const size of [2, 5, 8, 31, 32, 33, 64]) {
      for (let round = 0; round < 20; round++) {
        // Coarse values, so ties are common and stability matters.
        const candidates: RankedCandidate[] = Array.from({ length: size }, (_, index) => ({
          index,
          total: Math.floor(random() * 4) / 4,
          weight: 1,
          priority: Math.floor(random() * 3),
          expectedCostUsd: random() < 0.2 ? undefined : Math.floor(random() * 3),
          expectedLatencyMs: random() < 0.2 ? undefined : Math.floor(random() * 3),
          utilization: Math.floor(random() * 3) / 2,
        }));
        for (const strategy of strategyNames) {
          if (strategy === 'random' || strategy === 'round-robin' || strategy === 'weighted') continue;
          const ordered = orderCandidates(strategy, candidates, { roundRobin: 0 }, random);
          expect(ordered.map((item) => item.index)).toEqual(
            reference(strategy, candidates).map((item) => item.index),
          );
        }
        const none = orderCandidates('weighted', candidates, { roundRobin: 0 }, random, { mode: 'none' });
        expect(none.map((item) => item.index)).toEqual(
          reference('weighted', candidates).map((item) => item.index),
        );
      }
    }
  });

  it('rotates round-robin like the slice-and-spread version', () => {
    const candidates: RankedCandidate[] = [3, 0, 2, 1, 4].map((index) => ({
      index,
      total: 0.5,
      weight: 1,
      priority: 0,
      expectedCostUsd: undefined,
      expectedLatencyMs: undefined,
      utilization: 0,
    }));
    for (let start = 0; start < 7; start++) {
      const ordered = orderCandidates('round-robin', candidates, { roundRobin: start }, Math.random);
      const byIndex = [0, 1, 2, 3, 4];
      const at = start % 5;
      expect(ordered.map((item) => item.index)).toEqual([...byIndex.slice(at), ...byIndex.slice(0, at)]);
    }
  });
});

describe('strategyReadsScores (failover rounds re-score only for strategies that read scores)', () => {
  /** Candidates with every signal drawn from `random`, and totals drawn from `totals`. */
  function candidatesOf(size: number, random: () => number, totals: () => number): RankedCandidate[] {
    return Array.from({ length: size }, (_, index) => ({
      index,
      total: totals(),
      weight: 1 + Math.floor(random() * 3),
      priority: Math.floor(random() * 3),
      expectedCostUsd: random() < 0.2 ? undefined : Math.floor(random() * 3),
      expectedLatencyMs: random() < 0.2 ? undefined : Math.floor(random() * 3),
      utilization: Math.floor(random() * 3) / 2,
    }));
  }

  /** The order, and the draws of `random()` it took, with the same seed for both orderings. */
  function orderWith(strategy: StrategyName, candidates: RankedCandidate[], seed: number) {
    let draws = 0;
    const seeded = seededRandom(seed);
    const random = () => {
      draws++;
      return seeded();
    };
    const ordered = orderCandidates(strategy, candidates, { roundRobin: seed }, random);
    return { order: ordered.map((item) => item.index), draws };
  }

  it('a strategy said not to read scores gives the same order and draws whatever the totals', () => {
    const random = seededRandom(11);
    for (const strategy of strategyNames.filter((name) => !strategyReadsScores(name))) {
      for (const size of [2, 3, 8, 33]) {
        for (let round = 0; round < 50; round++) {
          const scored = candidatesOf(size, random, random);
          // The same candidates with the totals a skipped scoring leaves (zeroed by the ranking).
          const unscored = scored.map((candidate) => ({ ...candidate, total: 0 }));
          expect(orderWith(strategy, unscored, round)).toEqual(orderWith(strategy, scored, round));
        }
      }
    }
  });

  it('every other strategy can order differently when only the totals differ', () => {
    for (const strategy of strategyNames.filter(strategyReadsScores)) {
      const random = seededRandom(5);
      let differed = false;
      for (let round = 0; round < 200 && !differed; round++) {
        const scored = candidatesOf(8, random, random);
        const unscored = scored.map((candidate) => ({ ...candidate, total: 0 }));
        differed =
          orderWith(strategy, unscored, round).order.join() !==
          orderWith(strategy, scored, round).order.join();
      }
      expect(differed, strategy).toBe(true);
    }
  });
});
