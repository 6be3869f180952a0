import {
  computeImbalance,
  type MigrationPlan,
  type PlanMigrationsOptions,
  planMigrations,
  predictIssues,
} from '@ballast/advisor';
import type { ClusterSnapshot, PredictedIssue } from '@ballast/core';
import {
  collectCluster,
  createProxmoxClient,
  executeMigrations,
  type MigrationMove,
  type ProxmoxClient,
} from '@ballast/proxmox';
import { createClusterSimulator, type FakeProxmox, startFakeProxmox } from '@ballast/testkit';
import { type DemoOptions, parseDemoOptions, usage } from './cli-options';
import { modelFromEnvironment } from './llm-model';
import { describeIssue, nodeTable, wrap } from './report';

/** What a demo run produced, for callers and tests. */
export interface DemoOutcome {
  snapshot: ClusterSnapshot;
  plan: MigrationPlan;
  predictedIssues: PredictedIssue[];
  apiCalls: number;
  /** After `--apply`: the re-collected imbalance and each move's status. */
  applied?: { imbalanceAfter: number; statuses: string[] };
}

const nodeSizes = [
  { cores: 32, memoryGiB: 128 },
  { cores: 16, memoryGiB: 64 },
  { cores: 24, memoryGiB: 96 },
  { cores: 16, memoryGiB: 64 },
  { cores: 32, memoryGiB: 128 },
  { cores: 24, memoryGiB: 96 },
];

const simulatedToken = {
  tokenId: 'root@pam!ballast-demo',
  tokenSecret: 'ballast-demo-0000-4000-8000-000000000000',
};

/**
 * Ballast's main demo: collect a Proxmox cluster over its real API (a simulated cluster served by
 * the testkit's fake PVE API unless --url is given), plan migrations, optionally ask an LLM, show
 * the advice, and with --apply carry it out and re-collect to show the measured result.
 */
export async function runMigrationDemo(
  argv: string[],
  io: { log: (line: string) => void; env: NodeJS.ProcessEnv },
): Promise<DemoOutcome | undefined> {
  const { log, env } = io;
  const options = parseDemoOptions(argv, env);
  if (options.help) {
    log(usage);
    return undefined;
  }
  let fake: FakeProxmox | undefined;
  let client: ProxmoxClient;
  if (options.url) {
    client = createProxmoxClient({
      baseUrl: options.url,
      tokenId: options.tokenId!,
      tokenSecret: options.tokenSecret!,
      tls: {
        ...(options.fingerprint ? { fingerprint: options.fingerprint } : {}),
        ...(options.insecure ? { insecure: true } : {}),
      },
    });
  } else {
    const simulator = createClusterSimulator({
      seed: options.seed,
      // pve1 is a large node that took most new guests: the usual way a cluster drifts out of balance.
      nodes: Array.from({ length: options.nodes }, (_, index) => nodeSizes[index % nodeSizes.length]!),
      guests: options.guests,
      imbalance: 'severe',
    });
    fake = await startFakeProxmox({ simulator, ...simulatedToken, migrationDurationMs: 250 });
    client = createProxmoxClient({ baseUrl: fake.url, ...simulatedToken });
  }

  try {
    log('Ballast migration advice\n');
    log(
      options.url
        ? `Cluster: ${options.url} (read-only${options.apply ? '; --apply given' : ''})`
        : `Cluster: simulated ${options.nodes}-node Proxmox VE cluster (seed ${options.seed}) served by the fake PVE API at ${fake!.url}\n         pass --url https://your-pve:8006 --token-id ... (secret in PROXMOX_TOKEN_SECRET) for a real one`,
    );

    const started = performance.now();
    const { snapshot, stats, warnings } = await collectCluster(client, { period: options.period });
    const nodesOnline = snapshot.nodes.filter((node) => node.status === 'online').length;
    const calls = Object.entries(stats.byEndpoint);
    const count = (test: (endpoint: string) => boolean) =>
      calls.filter(([endpoint]) => test(endpoint)).reduce((sum, [, value]) => sum + value, 0);
    const rrdCalls = count((endpoint) => endpoint.includes('rrddata'));
    const contentCalls = count((endpoint) => endpoint.endsWith('/content'));
    log(
      `Collected ${snapshot.nodes.length} nodes (${nodesOnline} online) and ${snapshot.guests.length} guests over ${options.period} in ${((performance.now() - started) / 1000).toFixed(1)} s with ${stats.apiCalls} API calls: ${rrdCalls} node RRD, ${contentCalls} local-storage listings, ${stats.apiCalls - rrdCalls - contentCalls} cluster and HA state`,
    );
    for (const warning of warnings) log(`  warning: ${warning}`);

    const before = computeImbalance(snapshot);
    log(`\n${nodeTable(snapshot)}\n`);
    log(
      `Cluster imbalance ${before.normalized.toFixed(3)} (CRS: coefficient of variation of node load / sqrt(n-1); 0 = even). CPU spread ${pct(before.perResource.cpu.max - minOf(before, 'cpu'))}, memory spread ${pct(before.perResource.memory.max - minOf(before, 'memory'))}`,
    );

    const planOptions: PlanMigrationsOptions = {
      ...(options.cpuThreshold === undefined ? {} : { cpuThreshold: options.cpuThreshold }),
      ...(options.memThreshold === undefined ? {} : { memThreshold: options.memThreshold }),
    };
    const plan = planMigrations(snapshot, planOptions);
    const llm = modelFromEnvironment(env);
    log(`\nLLM analysis: ${llm.description}`);

    const { summary } = plan;
    log(`\nRecommendations (${plan.recommendations.length}, rule-based planner)`);
    if (plan.recommendations.length === 0)
      log('  none: the cluster is balanced within the thresholds and the 10 % minimum gain');
    plan.recommendations.forEach((recommendation, index) => {
      const memoryGib =
        (snapshot.guests.find((guest) => guest.vmid === recommendation.vmid)?.memory.maxBytes ?? 0) /
        1024 ** 3;
      log(
        `  ${String(index + 1).padStart(2)}. ${recommendation.name} (${recommendation.type.toUpperCase()} ${recommendation.vmid})  ${recommendation.sourceNode} -> ${recommendation.targetNode}   priority ${recommendation.priority}, risk ${recommendation.riskScore}/100, ${memoryGib.toFixed(1)} GiB RAM${recommendation.bestTime ? `, best time ${recommendation.bestTime}` : ''}`,
      );
      log(wrap(recommendation.reasoning, '      '));
    });
    log(
      `\nImbalance ${summary.imbalanceBefore.toFixed(3)} -> ${summary.imbalanceAfter.toFixed(3)} with ${summary.migrations} migrations, ${summary.gibMoved.toFixed(1)} GiB moved (stopped: ${summary.stopReason})`,
    );
    if (plan.unplaced.length > 0)
      log(`Could not place ${plan.unplaced.length} guest(s) from maintenance nodes: see plan.unplaced`);

    const predictedIssues = predictIssues(snapshot, { horizonHours: 48 });
    log(`\nPredicted issues (next 48 h): ${predictedIssues.length === 0 ? 'none' : ''}`);
    for (const issue of predictedIssues.slice(0, 8)) log(`  - ${describeIssue(issue)}`);

    const outcome: DemoOutcome = { snapshot, plan, predictedIssues, apiCalls: stats.apiCalls };
    if (!options.apply) {
      log(
        `\nDry run: nothing was changed. ${options.url ? 'Add --apply --yes to carry the plan out on your cluster.' : 'Run `pnpm demo --apply` to carry the plan out on the simulated cluster.'}`,
      );
      return outcome;
    }
    if (options.url && !options.yes) {
      log('\n--apply on a real cluster also needs --yes. Nothing was changed.');
      return outcome;
    }
    if (plan.recommendations.length === 0) return outcome;

    log(`\nApplying ${plan.recommendations.length} migrations, ${options.parallel} at a time`);
    const moves: MigrationMove[] = plan.recommendations.map((recommendation) => ({
      vmid: recommendation.vmid,
      kind: recommendation.type === 'ct' ? 'ct' : 'vm',
      source: recommendation.sourceNode,
      target: recommendation.targetNode,
    }));
    const report = await executeMigrations(client, moves, {
      apply: true,
      parallel: options.parallel,
      pollIntervalMs: options.url ? 2000 : 100,
      onProgress: (event) => {
        if (event.status === 'succeeded' || event.status === 'failed' || event.status === 'refused') {
          log(
            `  ${event.status === 'succeeded' ? 'done  ' : 'FAILED'} VM/CT ${event.vmid}${event.reason ? `: ${event.reason}` : ''}`,
          );
        }
      },
    });
    const after = await collectCluster(client, { period: options.period });
    const measured = computeImbalance(after.snapshot);
    log(`\n${nodeTable(after.snapshot)}\n`);
    log(
      `Re-collected after applying: imbalance ${before.normalized.toFixed(3)} -> ${measured.normalized.toFixed(3)} (measured; the plan predicted ${summary.imbalanceAfter.toFixed(3)})`,
    );
    outcome.applied = {
      imbalanceAfter: measured.normalized,
      statuses: report.moves.map((move) => move.status),
    };
    return outcome;
  } finally {
    await client.close();
    await fake?.close();
  }
}

function pct(fraction: number): string {
  return `${Math.round(fraction * 100)} pp`;
}

function minOf(imbalance: ReturnType<typeof computeImbalance>, resource: 'cpu' | 'memory'): number {
  const values = imbalance.nodeLoads.map((load) => load[resource]);
  return values.length ? Math.min(...values) : 0;
}
