// Re-implementations of the incumbents (PVE CRS brute force, ProxLB 2.x greedy) for benchmarks and
// comparisons with the planner.

export type { BaselineMove, BaselinePlan } from './baseline-plan';
export { type CrsBruteForceOptions, planCrsBruteForce } from './crs-bruteforce';
export { type ProxLBGreedyOptions, planProxLBGreedy } from './proxlb-greedy';
