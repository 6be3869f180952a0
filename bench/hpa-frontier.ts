/**
 * The HPA frontier of the autoscaling bench: each HPA target's point (pod-hours, share of time
 * under-provisioned, scale actions), and what the best HPA setting reaches at given pod-hours.
 * Shared by bench/autoscaling-backtest.bench.ts and bench/analysis/autoscaling-cells.ts.
 */

export interface FrontierPoint {
  target: number;
  podHours: number;
  underProvisioned: number;
  actions: number;
}

/** Under-provisioned share the HPA frontier reaches at `podHours` (linear between sweep points). */
export function frontierAt(points: readonly FrontierPoint[], podHours: number): number | undefined {
  const sorted = [...points].sort((a, b) => a.podHours - b.podHours);
  // Lower envelope: the best under-provisioning any HPA setting reaches with at most these pod-hours.
  const envelope: FrontierPoint[] = [];
  for (const point of sorted) {
    if (envelope.length === 0 || point.underProvisioned < envelope.at(-1)!.underProvisioned)
      envelope.push(point);
  }
  if (podHours < envelope[0]!.podHours) return undefined;
  for (let index = 0; index + 1 < envelope.length; index++) {
    const left = envelope[index]!;
    const right = envelope[index + 1]!;
    if (podHours >= left.podHours && podHours <= right.podHours) {
      const fraction = (podHours - left.podHours) / (right.podHours - left.podHours);
      return left.underProvisioned + fraction * (right.underProvisioned - left.underProvisioned);
    }
  }
  return envelope.at(-1)!.underProvisioned;
}
