/**
 * The 15 scaling cells of `pnpm bench autoscaling` (sections 2 and 3: each trace and its four
 * variants, Ballast's `predictive` point against the HPA frontier), without the forecast sections,
 * with the HPA sweeps cached, and with each run's replica changes and under-provisioned steps on
 * request. Optional tooling for trying a change to the policy; `pnpm bench autoscaling` stays the
 * reference (the same `runBacktest` calls, so the same numbers).
 *
 *   npx -y pnpm@10.34.8 -s exec tsx --conditions=@ballast/source bench/analysis/autoscaling-cells.ts [filter] [-v]
 *
 * `filter` keeps cells whose `trace/variant` contains it (e.g. `azure`, `x2`); `-v` prints the
 * replica changes (`step:from→to`), the under-provisioned steps and the HPA sweep. The HPA sweeps
 * do not depend on the policy and are cached in `$SCALING_CELLS_CACHE` (default
 * `/tmp/ballast-scaling-cells.json`); delete it after changing the HPA or the back-test.
 */

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { runBacktest } from '@ballast/advisor';
import { loadTrace, traceNames, traceOnGrid, traceUtilizationPercent } from '@ballast/testkit';
import { type FrontierPoint, frontierAt } from '../hpa-frontier';

const SWEEP = [40, 45, 50, 55, 60, 63, 65, 70, 75, 80, 85, 90];
const DEFAULT_TARGET = 70;
const VARIANTS: Record<string, (demand: readonly number[]) => number[]> = {
  original: (demand) => [...demand],
  'x0.5': (demand) => demand.map((value) => value * 0.5),
  x2: (demand) => demand.map((value) => value * 2),
  reversed: (demand) => [...demand].reverse(),
  last3: (demand) => demand.slice(Math.round(demand.length / 4)),
};

const cacheFile = process.env.SCALING_CELLS_CACHE ?? '/tmp/ballast-scaling-cells.json';
const cache: Record<string, FrontierPoint[]> = existsSync(cacheFile)
  ? JSON.parse(readFileSync(cacheFile, 'utf8'))
  : {};
const args = process.argv.slice(2);
const verbose = args.includes('-v');
const filter = args.find((arg) => arg !== '-v' && arg !== 'all');
let met = 0;
let cells = 0;
for (const name of traceNames) {
  const trace = loadTrace(name);
  const percent = traceOnGrid(trace, traceUtilizationPercent(trace));
  const demand = percent.map((value) => (value * 0.4 * 20) / 100);
  for (const [variant, transform] of Object.entries(VARIANTS)) {
    const key = `${name}/${variant}`;
    if (filter !== undefined && !key.includes(filter)) continue;
    const common = {
      trace: transform(demand),
      stepSeconds: trace.stepSeconds,
      requestsPerPodCores: 0.4,
      demandTargetUtilization: DEFAULT_TARGET,
      minReplicas: 2,
      maxReplicas: 60,
      podStartupSteps: 1,
    };
    if (cache[key] === undefined) {
      const sweep: FrontierPoint[] = [];
      for (const target of SWEEP) {
        const report = await runBacktest({ ...common, targetUtilization: target, policies: ['hpa'] });
        const metrics = report.policies[0]!.metrics;
        sweep.push({
          target,
          podHours: metrics.podSeconds / 3600,
          underProvisioned: metrics.underProvisioningTimeshare,
          actions: metrics.scalingActions,
        });
      }
      cache[key] = sweep;
      writeFileSync(cacheFile, JSON.stringify(cache));
    }
    const frontier = cache[key]!;
    const report = await runBacktest({
      ...common,
      targetUtilization: DEFAULT_TARGET,
      policies: ['predictive'],
    });
    const policy = report.policies[0]!;
    const metrics = policy.metrics;
    const podHours = metrics.podSeconds / 3600;
    const reference = frontierAt(frontier, podHours);
    const cheapest = [...frontier].sort((a, b) => a.podHours - b.podHours)[0]!;
    const below = metrics.underProvisioningTimeshare < (reference ?? cheapest.underProvisioned);
    const hpa70 = frontier.find((point) => point.target === DEFAULT_TARGET)!;
    const fewer = metrics.scalingActions <= hpa70.actions;
    cells++;
    if (below && fewer) met++;
    const underSteps = Math.round(metrics.underProvisioningTimeshare * metrics.scoredSteps);
    console.log(
      `${key.padEnd(26)} pod-h ${podHours.toFixed(1).padStart(7)}  τ_U ${(metrics.underProvisioningTimeshare * 100).toFixed(2)} % (${underSteps} steps)  frontier ${reference === undefined ? 'n/a' : `${(reference * 100).toFixed(2)} %`}  below ${below ? 'yes' : 'NO '}  actions ${metrics.scalingActions} (HPA 70 %: ${hpa70.actions}) ${fewer ? 'ok' : 'NO'}`,
    );
    if (verbose) {
      const changes: string[] = [];
      for (let t = 0; t < policy.replicas.length; t++) {
        const before = t === 0 ? policy.readyReplicas[0]! : policy.replicas[t - 1]!;
        if (policy.replicas[t] !== before) changes.push(`${t}:${before}→${policy.replicas[t]}`);
      }
      const perPod = (0.4 * DEFAULT_TARGET) / 100;
      const under = common.trace.flatMap((value, t) =>
        !Number.isNaN(value) && policy.readyReplicas[t]! < Math.max(1, Math.ceil(value / perPod - 1e-9))
          ? [t]
          : [],
      );
      console.log(`    changes: ${changes.slice(0, 40).join(' ')}${changes.length > 40 ? ' …' : ''}`);
      console.log(`    under-provisioned steps: ${under.slice(0, 40).join(', ')}`);
      console.log(
        `    HPA sweep (target: pod-h / τ_U % / actions): ${frontier.map((point) => `${point.target}: ${point.podHours.toFixed(0)} / ${(point.underProvisioned * 100).toFixed(2)} / ${point.actions}`).join(', ')}`,
      );
    }
  }
}
console.log(`${met} of ${cells} cells below the frontier with no more actions than the HPA at 70 %`);
