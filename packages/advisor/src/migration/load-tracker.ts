import type { ResourceWeights } from './imbalance';
import type { PlanningModel } from './planning-model';

/**
 * Incremental imbalance over a planning model's active nodes: keeps Σload and Σload² so a move is
 * evaluated in O(1). Used by the baselines.
 *
 * @internal
 * @example
 * ```ts
 * const tracker = createLoadTracker(model, { cpu: 0.5, memory: 0.5 });
 * tracker.imbalanceAfter(0, 1, 2, 2 ** 32);
 * ```
 */
export interface LoadTracker {
  imbalance(): number;
  /** Normalised imbalance if `cpu` cores and `memory` bytes moved from `source` to `target`. */
  imbalanceAfter(source: number, target: number, cpu: number, memory: number): number;
  /** Applies a move to the sums (call before mutating the model's arrays). */
  apply(source: number, target: number, cpu: number, memory: number): void;
}

/** @internal */
export function createLoadTracker(model: PlanningModel, weights: ResourceWeights): LoadTracker {
  const { nodes, cpuUsed, memoryUsed } = model;
  const count = nodes.filter((node) => node.active).length;
  const normalize = count > 1 ? 1 / Math.sqrt(count - 1) : 0;
  const loadOf = (index: number, cpu: number, memory: number) => {
    const node = nodes[index]!;
    return (
      (node.cores > 0 ? (weights.cpu * cpu) / node.cores : 0) +
      (node.memoryTotal > 0 ? (weights.memory * memory) / node.memoryTotal : 0)
    );
  };
  let sum = 0;
  let sumSquares = 0;
  nodes.forEach((node, index) => {
    if (!node.active) return;
    const load = loadOf(index, cpuUsed[index]!, memoryUsed[index]!);
    sum += load;
    sumSquares += load * load;
  });
  const value = (s1: number, s2: number) => {
    if (count === 0) return 0;
    const average = s1 / count;
    if (average <= 1e-12) return 0;
    return (Math.sqrt(Math.max(0, s2 / count - average * average)) / average) * normalize;
  };
  const sums = (source: number, target: number, cpu: number, memory: number): [number, number] => {
    let s1 = sum;
    let s2 = sumSquares;
    for (const [index, sign] of [
      [source, -1],
      [target, 1],
    ] as const) {
      if (!nodes[index]!.active) continue;
      const before = loadOf(index, cpuUsed[index]!, memoryUsed[index]!);
      const after = loadOf(
        index,
        Math.max(0, cpuUsed[index]! + sign * cpu),
        Math.max(0, memoryUsed[index]! + sign * memory),
      );
      s1 += after - before;
      s2 += after * after - before * before;
    }
    return [s1, s2];
  };
  return {
    imbalance: () => value(sum, sumSquares),
    imbalanceAfter: (source, target, cpu, memory) => value(...sums(source, target, cpu, memory)),
    apply: (source, target, cpu, memory) => {
      [sum, sumSquares] = sums(source, target, cpu, memory);
    },
  };
}
