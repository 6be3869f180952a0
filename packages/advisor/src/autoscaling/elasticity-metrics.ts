/**
 * SPEC RG elasticity metrics (Herbst et al., "Ready for Rain? A View from SPEC Research on the Future
 * of Cloud Metrics") over demand `d` and supply `s` sampled at equal steps, as fractions (multiply by
 * 100 for the percent form of the paper).
 *
 * @example
 * ```ts
 * const metrics: ElasticityMetrics = elasticityMetrics([2, 4], [2, 3]);
 * // { underProvisioningAccuracy: 0.125, underProvisioningTimeshare: 0.5, overProvisioningAccuracy: 0, overProvisioningTimeshare: 0, steps: 2 }
 * ```
 */
export interface ElasticityMetrics {
  /** θ_U = 1/T · Σ max(d − s, 0) / d — average missing share of demand, in [0, 1]. */
  underProvisioningAccuracy: number;
  /** τ_U = share of time with s < d, in [0, 1]. */
  underProvisioningTimeshare: number;
  /** θ_O = 1/T · Σ max(s − d, 0) / d — average surplus relative to demand, ≥ 0 (unbounded). */
  overProvisioningAccuracy: number;
  /** τ_O = share of time with s > d, in [0, 1]. */
  overProvisioningTimeshare: number;
  steps: number;
}

/**
 * Computes θ_U, τ_U, θ_O, τ_O. A step with `d ≤ 0` contributes nothing to the accuracies (nothing to
 * under-provision, and over-provisioning relative to zero demand is undefined) but counts in T and
 * in τ_O when `s > 0`.
 *
 * @example
 * ```ts
 * elasticityMetrics([4, 4, 4, 4], [2, 4, 6, 4]).underProvisioningAccuracy; // 0.125
 * ```
 */
export function elasticityMetrics(demand: readonly number[], supply: readonly number[]): ElasticityMetrics {
  const steps = Math.min(demand.length, supply.length);
  let under = 0;
  let over = 0;
  let underSteps = 0;
  let overSteps = 0;
  for (let t = 0; t < steps; t++) {
    const d = demand[t]!;
    const s = supply[t]!;
    if (s < d) underSteps++;
    if (s > d) overSteps++;
    if (d > 0) {
      under += Math.max(d - s, 0) / d;
      over += Math.max(s - d, 0) / d;
    }
  }
  const divide = (value: number) => (steps === 0 ? 0 : value / steps);
  return {
    underProvisioningAccuracy: divide(under),
    underProvisioningTimeshare: divide(underSteps),
    overProvisioningAccuracy: divide(over),
    overProvisioningTimeshare: divide(overSteps),
    steps,
  };
}
