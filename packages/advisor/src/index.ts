// Migration planning and forecasting.
export * from './autoscaling/index';
export type { BaselineMove, BaselinePlan } from './baselines/baseline-plan';
export { type CrsBruteForceOptions, planCrsBruteForce } from './baselines/crs-bruteforce';
export { type ProxLBGreedyOptions, planProxLBGreedy } from './baselines/proxlb-greedy';
export * from './forecast/index';
export * from './migration/index';
