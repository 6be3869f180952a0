import { validateMigrationAdvice } from '@ballast/validator';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { constrainedClusterArbitrary } from './__fixtures__/arbitrary-cluster';
import { type PlanMigrationsOptions, placementPolicyFor, planMigrations } from './plan-migrations';

describe('planMigrations look-ahead properties', () => {
  it('never breaks a constraint, and never ends less balanced than the plain greedy pass under the same cap', () => {
    let improved = 0;
    let compared = 0;
    fc.assert(
      fc.property(
        constrainedClusterArbitrary,
        fc.record({
          allowLocalDisks: fc.boolean(),
          minGain: fc.constantFrom(0.01, 0.02, 0.1),
          maxMigrations: fc.constantFrom(1, 2, 3, 5, 20),
          targetImbalance: fc.constantFrom(0, 0.05),
          thresholds: fc.boolean(),
          // Small budgets run out mid-plan on these clusters: the best plan so far must hold too.
          lookaheadEvaluations: fc.constantFrom(2_000, 20_000, 200_000, 2_000_000),
        }),
        ({ snapshot, recent }, { thresholds, ...rest }) => {
          // The look-ahead pass on its own (compaction and refinement change plans after it).
          const options: PlanMigrationsOptions = {
            ...rest,
            ...(thresholds ? {} : { cpuThreshold: 100, memThreshold: 100 }),
            recentMigrations: recent,
            loadBasis: 'current',
            compactionTrials: 0,
            refinementEvaluations: 0,
          };
          const plain = planMigrations(snapshot, { ...options, lookaheadBranching: 1 });
          const ahead = planMigrations(snapshot, options);
          const policy = placementPolicyFor(options);
          expect(validateMigrationAdvice(snapshot, ahead.recommendations, policy).rejected).toEqual([]);
          // Same evacuations, balancing moves within the same cap.
          expect(ahead.summary.evacuations).toBe(plain.summary.evacuations);
          expect(ahead.summary.migrations - ahead.summary.evacuations).toBeLessThanOrEqual(
            options.maxMigrations!,
          );
          const slack = 1e-9 * Math.max(1, plain.summary.imbalanceAfter);
          expect(ahead.summary.imbalanceAfter).toBeLessThanOrEqual(plain.summary.imbalanceAfter + slack);
          // It reaches the plain plan's final imbalance with no more migrations.
          const reach = ahead.curve.find((point) => point.imbalance <= plain.summary.imbalanceAfter + slack);
          expect(reach).toBeDefined();
          expect(reach!.migrations).toBeLessThanOrEqual(plain.summary.migrations);
          if (plain.summary.migrations > plain.summary.evacuations) compared++;
          if (reach!.migrations < plain.summary.migrations) improved++;
          // With defaults after it (compaction, refinement), every move is still valid.
          const full = planMigrations(snapshot, {
            ...options,
            compactionTrials: 40,
            refinementEvaluations: 100_000,
          });
          expect(validateMigrationAdvice(snapshot, full.recommendations, policy).rejected).toEqual([]);
        },
      ),
      { numRuns: 300, seed: 2311 },
    );
    // The generator exercises it: balancing plans in many runs, shorter ones in some.
    expect(compared).toBeGreaterThan(50);
    expect(improved).toBeGreaterThan(0);
  });
});
