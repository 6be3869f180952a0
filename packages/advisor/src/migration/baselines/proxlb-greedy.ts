import type { ClusterSnapshot } from '@ballast/core';
import { normalizeWeights } from '../imbalance';
import { createLoadTracker } from '../load-tracker';
import { buildPlanningModel, type MovableUnit, moveUnit } from '../planning-model';
import type { BaselineMove, BaselinePlan } from './baseline-plan';

const GIB = 2 ** 30;

/**
 * Options of {@link planProxLBGreedy}.
 *
 * @example
 * ```ts
 * const options: ProxLBGreedyOptions = { balanciness: 5, method: 'cpu' };
 * ```
 */
export interface ProxLBGreedyOptions {
  /** Rebalance while `max% − min%` of the method's metric exceeds this, percent points. Default 10. */
  balanciness?: number;
  /** The one metric ProxLB balances. Default `memory`. */
  method?: 'memory' | 'cpu';
  /** Default: unlimited (ProxLB has no cap). */
  maxMigrations?: number;
}

/**
 * A re-implementation of ProxLB 2.x's greedy balancer (`mode: used`) as a benchmark baseline:
 * guests on maintenance nodes go to the most free node; then affinity groups (others as singletons),
 * smallest member count and memory first, are moved one pass from the most loaded node to the most
 * free node by one metric, while `max% − min% > balanciness`, with `target free memory > guest used`,
 * strict anti-affinity and strict pins (most free node among the pinned ones). No thresholds, no
 * trend, no cost, no storage check.
 *
 * @example
 * ```ts
 * const baseline = planProxLBGreedy(snapshot);
 * console.log(baseline.migrations, baseline.imbalanceAfter.toFixed(2));
 * ```
 */
export function planProxLBGreedy(snapshot: ClusterSnapshot, options: ProxLBGreedyOptions = {}): BaselinePlan {
  const balanciness = (options.balanciness ?? 10) / 100;
  const method = options.method ?? 'memory';
  const maxMigrations = options.maxMigrations ?? Number.POSITIVE_INFINITY;
  const model = buildPlanningModel(snapshot, {
    loadBasis: 'current',
    includeHaManaged: true,
    allowLocalDisks: true,
    recentMigrations: {},
    cooldownMs: 0,
    now: snapshot.collectedAt,
    checkStorage: false,
  });
  const tracker = createLoadTracker(model, normalizeWeights());
  const { nodes, cpuUsed, memoryUsed } = model;
  const targets = nodes.map((node, index) => (node.target ? index : -1)).filter((index) => index >= 0);
  const percent = (index: number) => {
    const node = nodes[index]!;
    return method === 'memory'
      ? node.memoryTotal > 0
        ? memoryUsed[index]! / node.memoryTotal
        : 0
      : node.cores > 0
        ? cpuUsed[index]! / node.cores
        : 0;
  };
  const mostFree = (allowed?: Set<number>) => {
    let best = -1;
    for (const index of targets) {
      if (allowed !== undefined && !allowed.has(index)) continue;
      if (best < 0 || percent(index) < percent(best)) best = index;
    }
    return best;
  };
  const mostLoaded = () => {
    let best = -1;
    for (const index of targets) if (best < 0 || percent(index) > percent(best)) best = index;
    return best;
  };
  const spread = () => {
    if (targets.length === 0) return 0;
    const values = targets.map(percent);
    return Math.max(...values) - Math.min(...values);
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
  const antiOk = (unit: MovableUnit, target: number) => {
    for (const group of unit.antiAffinityStrict.keys())
      if (model.antiCount[group]![target]! > 0) return false;
    return true;
  };

  // Maintenance evacuation: most free node.
  for (const unit of model.units) {
    if (!unit.evacuate || moves.length + unit.members.length > maxMigrations) continue;
    const target = mostFree(unit.allowed);
    if (target >= 0 && antiOk(unit, target)) move(unit, target);
  }
  // Balancing: one pass over groups sorted by (member count, memory used).
  const order = model.units
    .filter((unit) => nodes[unit.source]!.active)
    .sort(
      (a, b) =>
        a.members.length - b.members.length ||
        a.memoryUsed - b.memoryUsed ||
        a.members[0]!.vmid - b.members[0]!.vmid,
    );
  for (const unit of order) {
    if (spread() <= balanciness) break;
    if (moves.length + unit.members.length > maxMigrations) break;
    if (unit.source !== mostLoaded()) continue;
    const target = mostFree(unit.allowed);
    if (target < 0 || target === unit.source) continue;
    if (nodes[target]!.memoryTotal - memoryUsed[target]! <= unit.memoryUsed) continue;
    if (!antiOk(unit, target)) continue;
    move(unit, target);
  }
  return {
    algorithm: 'proxlb-greedy',
    moves,
    imbalanceBefore,
    imbalanceAfter: tracker.imbalance(),
    migrations: moves.length,
    gibMoved: bytes / GIB,
    curve,
  };
}
