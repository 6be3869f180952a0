import type { ClusterSnapshot } from '@ballast/core';
import { validateMigrationAdvice } from '@ballast/validator';
import { describe, expect, it } from 'vitest';
import { makeCluster } from './__fixtures__/snapshots';
import { type LookaheadHost, type LookaheadMove, planWithLookahead } from './plan-lookahead';
import { type PlanMigrationsOptions, placementPolicyFor, planMigrations } from './plan-migrations';

// Memory only, three equal nodes: n1 and n3 hold 18 GiB each, n2 none; 12 GiB each is perfect.
// Gain per cost makes the greedy pass start with the cheap 6 GiB guest (n3 → n2), after which it
// needs two more small moves; moving the 12 GiB guest to n2 first leaves one 6 GiB move to finish.
const cheapFirst = () =>
  makeCluster(
    { n1: { cores: 16, memGiB: 64 }, n2: { cores: 16, memGiB: 64 }, n3: { cores: 16, memGiB: 64 } },
    {
      101: { node: 'n3', cpu: 0, memGiB: 12, memUsedGiB: 12 },
      102: { node: 'n1', cpu: 0, memGiB: 2, memUsedGiB: 2 },
      103: { node: 'n3', cpu: 0, memGiB: 6, memUsedGiB: 6 },
      104: { node: 'n1', cpu: 0, memGiB: 12, memUsedGiB: 12 },
      105: { node: 'n1', cpu: 0, memGiB: 4, memUsedGiB: 4 },
    },
  );

// All on n1: the largest guest goes first either way; then 6 GiB to n3 ends the plan in two moves
// where the greedy pass takes 4 + 2 GiB (compaction and refinement off, so the pass alone shows).
const allOnOne = () =>
  makeCluster(
    { n1: { cores: 16, memGiB: 64 }, n2: { cores: 16, memGiB: 64 }, n3: { cores: 16, memGiB: 64 } },
    {
      101: { node: 'n1', cpu: 0, memGiB: 6, memUsedGiB: 6 },
      102: { node: 'n1', cpu: 0, memGiB: 16, memUsedGiB: 16 },
      103: { node: 'n1', cpu: 0, memGiB: 2, memUsedGiB: 2 },
      104: { node: 'n1', cpu: 0, memGiB: 4, memUsedGiB: 4 },
    },
  );

const open: PlanMigrationsOptions = {
  cpuThreshold: 100,
  memThreshold: 100,
  memoryReservePercent: 0,
  targetImbalance: 0,
  minGain: 0.02,
  loadBasis: 'current',
};
const passOnly: PlanMigrationsOptions = { ...open, refinementEvaluations: 0, compactionTrials: 0 };

const movesOf = (snapshot: ClusterSnapshot, options: PlanMigrationsOptions) =>
  planMigrations(snapshot, options).recommendations.map(
    (move) => `${move.vmid}:${move.sourceNode}>${move.targetNode}`,
  );

describe('planMigrations look-ahead', () => {
  it.each([
    {
      name: 'cheapest first move leads to a longer plan (refinement on)',
      cluster: cheapFirst,
      options: open,
      greedy: ['103:n3>n2', '105:n1>n2', '102:n1>n2'],
      lookahead: ['104:n1>n2', '103:n3>n1'],
    },
    {
      name: 'second move: the runner-up finishes the plan (greedy pass alone)',
      cluster: allOnOne,
      options: passOnly,
      greedy: ['102:n1>n2', '104:n1>n3', '103:n1>n3'],
      lookahead: ['102:n1>n2', '101:n1>n3'],
    },
  ])('saves a move where $name', ({ cluster, options, greedy, lookahead }) => {
    const snapshot = cluster();
    const plain = planMigrations(snapshot, { ...options, lookaheadBranching: 1 });
    const ahead = planMigrations(snapshot, options);
    expect(movesOf(snapshot, { ...options, lookaheadBranching: 1 })).toEqual(greedy);
    expect(movesOf(snapshot, options)).toEqual(lookahead);
    // Same final imbalance, one migration fewer, and every move still valid.
    expect(ahead.summary.imbalanceAfter).toBeLessThanOrEqual(plain.summary.imbalanceAfter + 1e-12);
    expect(ahead.summary.migrations).toBe(plain.summary.migrations - 1);
    expect(
      validateMigrationAdvice(snapshot, ahead.recommendations, placementPolicyFor(options)).rejected,
    ).toEqual([]);
  });

  it.each([
    { name: 'a single-hot-node cluster', cluster: allOnOne, options: passOnly },
    { name: 'the cheap-first cluster', cluster: cheapFirst, options: open },
    { name: 'defaults', cluster: cheapFirst, options: {} },
  ])(
    'with branching 1, or a budget too small to look ahead, is the plain greedy plan ($name)',
    ({ cluster, options }) => {
      const snapshot = cluster();
      const plain = planMigrations(snapshot, { ...options, lookaheadBranching: 1 });
      // A zero budget skips the look-ahead after the plain play-out: the plan is recorded the same way.
      expect(planMigrations(snapshot, { ...options, lookaheadEvaluations: 0 })).toEqual(plain);
    },
  );

  it('takes the defaults for options that are not finite numbers (the search stays bounded)', () => {
    const snapshot = cheapFirst();
    const defaults = planMigrations(snapshot, open);
    for (const value of [Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(
        planMigrations(snapshot, { ...open, lookaheadBranching: value, lookaheadEvaluations: value }),
      ).toEqual(defaults);
    }
  });

  it('is deterministic and records what it planned (curve, counters, summary agree)', () => {
    const snapshot = cheapFirst();
    const plan = planMigrations(snapshot, open);
    expect(planMigrations(snapshot, open)).toEqual(plan);
    expect(plan.curve.map((point) => point.migrations)).toEqual([0, 1, 2]);
    expect(plan.curve.at(-1)!.imbalance).toBeCloseTo(plan.summary.imbalanceAfter, 12);
    expect(plan.recommendations.map((move) => move.step)).toEqual([1, 2]);
  });
});

/**
 * A toy planner for the search alone: items of the given sizes on bins, imbalance = spread of the
 * bin sums, each item moves at most once, greedy = largest gain (ties: lower item, then bin).
 */
function toyHost(sizes: number[], bins: number, startBin = 0) {
  const place = sizes.map(() => startBin);
  const moved = sizes.map(() => false);
  let work = 0;
  const sums = () => {
    const totals = new Array<number>(bins).fill(0);
    sizes.forEach((size, item) => {
      totals[place[item]!]! += size;
    });
    return totals;
  };
  const spread = () => {
    const totals = sums();
    return Math.max(...totals) - Math.min(...totals);
  };
  const host: LookaheadHost<'stalled', { place: number[]; moved: boolean[] }> = {
    greedyStep(breadth) {
      const current = spread();
      const options: Array<LookaheadMove & { gain: number }> = [];
      sizes.forEach((_, item) => {
        if (moved[item]) return;
        for (let bin = 0; bin < bins; bin++) {
          if (bin === place[item]) continue;
          work++;
          const from = place[item]!;
          place[item] = bin;
          const gain = current - spread();
          place[item] = from;
          if (gain > 1e-9) options.push({ unit: item, target: bin, gain });
        }
      });
      if (options.length === 0) return { stop: 'stalled' };
      options.sort((a, b) => b.gain - a.gain || a.unit - b.unit || a.target - b.target);
      return { moves: options.slice(0, breadth).map(({ unit, target }) => ({ unit, target })) };
    },
    apply(move) {
      place[move.unit] = move.target;
      moved[move.unit] = true;
    },
    imbalance: spread,
    hotNodes: () => 0,
    migrationsOf: () => 1,
    gibOf: (unit) => sizes[unit]!,
    save: () => ({ place: place.slice(), moved: moved.slice() }),
    restore(state) {
      place.splice(0, place.length, ...state.place);
      moved.splice(0, moved.length, ...state.moved);
    },
    work: () => work,
  };
  return { host, spread };
}

describe('planWithLookahead (the search on its own)', () => {
  // 80 items of sizes 1..13, all on one of 10 bins: a long plan, so the budget can run out.
  const sizes = Array.from({ length: 80 }, (_, item) => ((item * 7) % 13) + 1);
  const few = [9, 8, 7, 6, 5, 5, 4, 3, 3, 2, 2, 1];

  it('never judges worse than the plain greedy plan, whatever the budget, and ends in its plan', () => {
    const plain = planWithLookahead(toyHost(sizes, 10).host, { branching: 1, work: 0 });
    const full = planWithLookahead(toyHost(sizes, 10).host, { branching: 3, work: Number.POSITIVE_INFINITY });
    expect(plain.mode).toBe('plain');
    expect(full.mode).toBe('completed');
    // Look-ahead starts once a step's play-outs (2 runners-up; the greedy pick's play-out is the
    // plan being followed) of the plain plan's cost fit in an eighth of the budget.
    const threshold = 16 * plain.work;
    expect(full.work).toBeGreaterThan(threshold);
    const cases = [
      { budget: 0, mode: 'skipped' },
      { budget: threshold - 1, mode: 'skipped' },
      { budget: Math.round((threshold + full.work) / 2), mode: 'budget-exhausted' },
      { budget: full.work + 1, mode: 'completed' },
    ];
    for (const { budget, mode } of cases) {
      const { host, spread } = toyHost(sizes, 10);
      const result = planWithLookahead(host, { branching: 3, work: budget });
      expect(result.mode).toBe(mode);
      expect(result.plan.reach).toBeDefined();
      expect(result.plan.reach!.migrations).toBeLessThanOrEqual(plain.plan.migrations);
      expect(result.plan.final).toBeLessThanOrEqual(plain.plan.final);
      // The host is left at the end of the returned plan.
      expect(spread()).toBe(result.plan.final);
      // Bounded: over the budget by at most the last play-out (one plain plan's cost, about).
      if (mode === 'budget-exhausted') expect(result.work).toBeLessThan(budget + 2 * plain.work);
    }
  });

  it('with enough budget finds a plan with fewer moves than the greedy one here', () => {
    const plain = planWithLookahead(toyHost(few, 4).host, { branching: 1, work: 0 });
    const ahead = planWithLookahead(toyHost(few, 4).host, { branching: 3, work: 1_000_000 });
    expect(ahead.mode).toBe('completed');
    expect(ahead.plan.reach!.migrations).toBeLessThan(plain.plan.migrations);
  });
});
