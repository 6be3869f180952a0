import type { ClusterSnapshot } from '@ballast/core';
import { normalizeWeights, type ResourceWeights } from '../imbalance';
import { createLoadTracker } from '../load-tracker';
import { buildPlanningModel, type MovableUnit, moveUnit } from '../planning-model';
import type { BaselineMove, BaselinePlan } from './baseline-plan';

const GIB = 2 ** 30;

/**
 * Options of {@link planCrsBruteForce}.
 *
 * @example
 * ```ts
 * const options: CrsBruteForceOptions = { margin: 0.05, maxMigrations: 50 };
 * ```
 */
export interface CrsBruteForceOptions {
  /** Commit a move only if `(imb − imb') / imb ≥ margin`. Default 0.1 (PVE default 10 %). */
  margin?: number;
  /** Rounds (one migration each; a bundle counts its members). Default 100. */
  maxMigrations?: number;
  /** Default `{ cpu: 0.5, memory: 0.5 }`. */
  weights?: Partial<ResourceWeights>;
}

/**
 * A re-implementation of PVE 9.2 CRS auto-rebalance (`bruteforce`) as a benchmark baseline: each
 * round, compute the imbalance after every single move of every stationary bundle (a guest or a
 * strict affinity group on one node) to every online non-maintenance node allowed by strict pins and
 * anti-affinity, keep the minimum, and commit it if the relative gain reaches `margin`; one move per
 * round. Guests on maintenance nodes are first moved to the node with the lowest resulting
 * imbalance. Current usage only; no capacity, threshold or storage checks (CRS allows overcommit).
 *
 * @example
 * ```ts
 * const baseline = planCrsBruteForce(snapshot);
 * baseline.moves; // [{ vmid: 101, sourceNode: 'node1', targetNode: 'node2' }, …]
 * ```
 */
export function planCrsBruteForce(
  snapshot: ClusterSnapshot,
  options: CrsBruteForceOptions = {},
): BaselinePlan {
  const margin = options.margin ?? 0.1;
  const maxMigrations = options.maxMigrations ?? 100;
  const model = buildPlanningModel(snapshot, {
    loadBasis: 'current',
    includeHaManaged: true,
    allowLocalDisks: false,
    recentMigrations: {},
    cooldownMs: 0,
    now: snapshot.collectedAt,
    checkStorage: false,
  });
  const tracker = createLoadTracker(model, normalizeWeights(options.weights));
  const { nodes } = model;
  const targets = nodes.map((node, index) => (node.target ? index : -1)).filter((index) => index >= 0);
  const allowed = (unit: MovableUnit, target: number) => {
    if (target === unit.source) return false;
    if (unit.allowed !== undefined && !unit.allowed.has(target)) return false;
    for (const group of unit.antiAffinityStrict.keys())
      if (model.antiCount[group]![target]! > 0) return false;
    return true;
  };
  const imbalanceBefore = tracker.imbalance();
  const moves: BaselineMove[] = [];
  const curve = [{ migrations: 0, imbalance: imbalanceBefore, gibMoved: 0 }];
  let bytes = 0;
  const move = (unit: MovableUnit, target: number) => {
    const source = unit.source;
    tracker.apply(source, target, unit.cpuCores, unit.memoryUsed);
    moveUnit(model, unit, target);
    for (const guest of unit.members) {
      moves.push({ vmid: guest.vmid, sourceNode: nodes[source]!.name, targetNode: nodes[target]!.name });
    }
    bytes += unit.ramBytes + unit.localDiskBytes;
    curve.push({ migrations: moves.length, imbalance: tracker.imbalance(), gibMoved: bytes / GIB });
  };

  for (const unit of model.units) {
    if (!unit.evacuate || moves.length + unit.members.length > maxMigrations) continue;
    let best = -1;
    let bestValue = Number.POSITIVE_INFINITY;
    for (const target of targets) {
      if (!allowed(unit, target)) continue;
      const value = tracker.imbalanceAfter(unit.source, target, unit.cpuCores, unit.memoryUsed);
      if (value < bestValue - 1e-12) {
        best = target;
        bestValue = value;
      }
    }
    if (best >= 0) move(unit, best);
  }

  while (moves.length < maxMigrations) {
    const current = tracker.imbalance();
    let best: { unit: MovableUnit; target: number; value: number } | undefined;
    for (const unit of model.units) {
      if (!nodes[unit.source]!.active || moves.length + unit.members.length > maxMigrations) continue;
      for (const target of targets) {
        if (!allowed(unit, target)) continue;
        const value = tracker.imbalanceAfter(unit.source, target, unit.cpuCores, unit.memoryUsed);
        if (best === undefined || value < best.value - 1e-12) best = { unit, target, value };
      }
    }
    if (best === undefined || current <= 0 || (current - best.value) / current < margin) break;
    move(best.unit, best.target);
  }
  return {
    algorithm: 'crs-bruteforce',
    moves,
    imbalanceBefore,
    imbalanceAfter: tracker.imbalance(),
    migrations: moves.length,
    gibMoved: bytes / GIB,
    curve,
  };
}
