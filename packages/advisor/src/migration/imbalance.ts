import type { ClusterSnapshot, NodeSnapshot } from '@ballast/core';
import { coefficientOfVariation, mean } from '../forecast/statistics';
import { blendLoad, summarizeSeries } from '../forecast/trend';

/**
 * Relative weights of CPU and memory in a node's combined load. They are normalised to sum 1;
 * PVE CRS uses `0.5 / 0.5`.
 *
 * @example
 * ```ts
 * const weights: ResourceWeights = { cpu: 1, memory: 2 }; // memory counts twice as much
 * ```
 */
export interface ResourceWeights {
  cpu: number;
  memory: number;
}

/**
 * One node's utilisation as fractions of its capacity.
 *
 * @example
 * ```ts
 * const load: NodeLoadInput = { node: 'pve1', cpu: 0.25, memory: 0.5 };
 * ```
 */
export interface NodeLoadInput {
  node: string;
  /** CPU in use ÷ cores. */
  cpu: number;
  /** Memory in use ÷ total memory. */
  memory: number;
}

/**
 * A node's utilisation with its combined load (`weights.cpu·cpu + weights.memory·memory`).
 *
 * @example
 * ```ts
 * const hottest = (loads: NodeLoadFraction[]) => loads.reduce((a, b) => (b.load > a.load ? b : a));
 * ```
 */
export interface NodeLoadFraction extends NodeLoadInput {
  /** Combined load; with the default weights the CRS `(cpu + mem) / 2`. */
  load: number;
}

/**
 * Spread of one resource over the nodes.
 *
 * @example
 * ```ts
 * const summary = (spread: ResourceSpread) => `cv ${spread.cv.toFixed(2)}, max ${spread.max}`;
 * ```
 */
export interface ResourceSpread {
  /** Raw coefficient of variation σ/μ (population σ). */
  cv: number;
  /** `cv / sqrt(n − 1)`, in 0..1. */
  normalized: number;
  /** Highest node utilisation. */
  max: number;
  /** Mean node utilisation. */
  mean: number;
}

/**
 * Cluster imbalance in PVE CRS terms (proxmox-resource-scheduling ≥ 2.1.0).
 *
 * @example
 * ```ts
 * const imbalance: Imbalance = computeImbalance([{ node: 'a', cpu: 0.5, memory: 0.5 }, { node: 'b', cpu: 0, memory: 0 }]);
 * imbalance.cv; // 1
 * ```
 */
export interface Imbalance {
  /** Raw CV of the combined load, as printed by the PVE HA simulator logs (1.41 → 0.94 → 0.35). */
  cv: number;
  /** `cv / sqrt(n − 1)`: 0 (even) … 1 (everything on one node). 0 with fewer than two nodes. */
  normalized: number;
  perResource: { cpu: ResourceSpread; memory: ResourceSpread };
  /** The nodes counted, sorted by name. */
  nodeLoads: NodeLoadFraction[];
}

/**
 * Options of {@link computeImbalance} and {@link nodeLoadsFromSnapshot}.
 *
 * @example
 * ```ts
 * const options: ImbalanceOptions = { weights: { cpu: 0.3, memory: 0.7 }, loadBasis: 'blended' };
 * ```
 */
export interface ImbalanceOptions {
  /** Default `{ cpu: 0.5, memory: 0.5 }` (CRS). */
  weights?: Partial<ResourceWeights>;
  /**
   * `current` (default): the snapshot's instantaneous usage. `blended`: CPU as
   * `0.5·now + 0.3·recent + 0.2·period` from the node's series when present (memory stays current,
   * as in ProxBalance).
   */
  loadBasis?: 'current' | 'blended';
}

/**
 * Normalises resource weights to sum 1 (negative values count as 0; all zero → CRS `0.5 / 0.5`).
 *
 * @example
 * ```ts
 * normalizeWeights({ cpu: 1, memory: 3 }); // { cpu: 0.25, memory: 0.75 }
 * ```
 */
export function normalizeWeights(weights: Partial<ResourceWeights> = {}): ResourceWeights {
  const cpu = Math.max(0, weights.cpu ?? 0.5);
  const memory = Math.max(0, weights.memory ?? 0.5);
  const total = cpu + memory;
  return total > 0 ? { cpu: cpu / total, memory: memory / total } : { cpu: 0.5, memory: 0.5 };
}

/**
 * Whether a node takes part in balancing: online and not in maintenance (by its own flag or the
 * snapshot's `constraints.maintenanceNodes`).
 *
 * @example
 * ```ts
 * const active = snapshot.nodes.filter((node) => isBalancingNode(snapshot, node));
 * ```
 */
export function isBalancingNode(snapshot: Pick<ClusterSnapshot, 'constraints'>, node: NodeSnapshot): boolean {
  if (node.status !== 'online' || node.maintenance) return false;
  return !snapshot.constraints.maintenanceNodes.some((entry) => entry.node === node.name);
}

/**
 * CPU usage of a node in cores on the chosen basis.
 *
 * @internal
 * @example
 * ```ts
 * nodeCpuCores(node, 'blended');
 * ```
 */
export function nodeCpuCores(node: NodeSnapshot, basis: 'current' | 'blended'): number {
  if (basis === 'current') return node.cpu.usageCores;
  return blendLoad(node.cpu.usageCores, summarizeSeries(node.series?.cpuCores));
}

/**
 * Per-node utilisation fractions of the balancing nodes (online, not in maintenance), sorted by
 * name. Nodes in maintenance are left out: they are being emptied, so their load says nothing about
 * the balance of the rest; their guests are planned as evacuations instead. Nodes without CPU or
 * memory capacity count as 0 for that resource.
 *
 * @example
 * ```ts
 * nodeLoadsFromSnapshot(snapshot).map((load) => `${load.node} ${(load.memory * 100).toFixed(0)} %`);
 * ```
 */
export function nodeLoadsFromSnapshot(
  snapshot: Pick<ClusterSnapshot, 'nodes' | 'constraints'>,
  options: ImbalanceOptions = {},
): NodeLoadFraction[] {
  const weights = normalizeWeights(options.weights);
  const basis = options.loadBasis ?? 'current';
  return snapshot.nodes
    .filter((node) => isBalancingNode(snapshot, node))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((node) => {
      const cpu = node.cpu.cores > 0 ? nodeCpuCores(node, basis) / node.cpu.cores : 0;
      const memory = node.memory.totalBytes > 0 ? node.memory.usedBytes / node.memory.totalBytes : 0;
      return { node: node.name, cpu, memory, load: weights.cpu * cpu + weights.memory * memory };
    });
}

function spread(values: readonly number[]): ResourceSpread {
  const cv = coefficientOfVariation(values);
  return {
    cv,
    normalized: values.length > 1 ? cv / Math.sqrt(values.length - 1) : 0,
    max: values.length > 0 ? Math.max(...values) : 0,
    mean: mean(values),
  };
}

/**
 * Cluster imbalance as PVE CRS auto-rebalance measures it: per-node load = weighted mean of the CPU
 * and memory fractions, imbalance = coefficient of variation (population σ / μ), normalised by
 * `sqrt(n − 1)` to 0..1. Accepts a snapshot (balancing nodes only, see
 * {@link nodeLoadsFromSnapshot}) or ready-made per-node fractions.
 *
 * @example
 * ```ts
 * // Four 1-core/4 GiB guests on node1 of three 24-core/32 GiB nodes (PVE HA simulator scenario).
 * const imbalance = computeImbalance([
 *   { node: 'node1', cpu: 4 / 24, memory: 16 / 32 },
 *   { node: 'node2', cpu: 0, memory: 0 },
 *   { node: 'node3', cpu: 0, memory: 0 },
 * ]);
 * imbalance.cv.toFixed(2); // '1.41'
 * imbalance.normalized.toFixed(2); // '1.00'
 * ```
 */
export function computeImbalance(
  input: Pick<ClusterSnapshot, 'nodes' | 'constraints'> | readonly NodeLoadInput[],
  options: ImbalanceOptions = {},
): Imbalance {
  const weights = normalizeWeights(options.weights);
  const nodeLoads: NodeLoadFraction[] = isLoadList(input)
    ? [...input]
        .sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0))
        .map((load) => ({
          node: load.node,
          cpu: load.cpu,
          memory: load.memory,
          load: weights.cpu * load.cpu + weights.memory * load.memory,
        }))
    : nodeLoadsFromSnapshot(input, options);
  const combined = spread(nodeLoads.map((load) => load.load));
  return {
    cv: combined.cv,
    normalized: combined.normalized,
    perResource: {
      cpu: spread(nodeLoads.map((load) => load.cpu)),
      memory: spread(nodeLoads.map((load) => load.memory)),
    },
    nodeLoads,
  };
}

function isLoadList(
  input: Pick<ClusterSnapshot, 'nodes' | 'constraints'> | readonly NodeLoadInput[],
): input is readonly NodeLoadInput[] {
  return Array.isArray(input);
}
