import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { constrainedClusterArbitrary } from '../__fixtures__/arbitrary-cluster';
import { adviseMigrations } from './advise-migrations';

describe('adviseMigrations without a model (one source of truth for constraints)', () => {
  it('never refuses a move of its own rule plan, and its headline matches its list', async () => {
    let runsWithMoves = 0;
    await fc.assert(
      fc.asyncProperty(
        constrainedClusterArbitrary,
        fc.record({
          allowLocalDisks: fc.boolean(),
          includeHaManaged: fc.boolean(),
          enforceNonStrictPins: fc.boolean(),
          minGain: fc.constantFrom(0.01, 0.1),
        }),
        async ({ snapshot, recent }, plan) => {
          const advice = await adviseMigrations({
            snapshot,
            options: { plan: { ...plan, recentMigrations: recent, loadBasis: 'current' } },
          });
          expect(advice.rejected.filter((entry) => entry.source === 'rule')).toEqual([]);
          expect(advice.recommendations.map((move) => [move.vmid, move.targetNode])).toEqual(
            advice.plan.recommendations.map((move) => [move.vmid, move.targetNode]),
          );
          const count = advice.plan.recommendations.length;
          expect(advice.ruleAnalysis).toContain(`${count} migration${count === 1 ? '' : 's'}, `);
          expect(advice.ruleAnalysis).toContain(`→ ${advice.imbalance.after.toFixed(3)}`);
          if (count > 0) runsWithMoves++;
        },
      ),
      { numRuns: 250, seed: 1101 },
    );
    expect(runsWithMoves).toBeGreaterThan(25);
  });
});
