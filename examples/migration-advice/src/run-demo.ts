import {
  adviseMigrations,
  applyMigrations,
  computeImbalance,
  configWarnings,
  loadBallastConfig,
  type MigrationAdvice,
  profileWorkloads,
  toProxBalanceResponse,
} from '@ballast/advisor';
import type { ClusterSnapshot } from '@ballast/core';
import {
  collectCluster,
  createProxmoxClient,
  executeMigrations,
  type MigrationMove,
  type ProxmoxClient,
} from '@ballast/proxmox';
import { createClusterSimulator, type FakeProxmox, startFakeProxmox } from '@ballast/testkit';
import { type DemoOptions, parseDemoOptions, usage } from './cli-options';
import { type DemoModel, modelFromConfig, modelFromEnvironment } from './llm-model';
import { describeIssue, nodeTable, wrap } from './report';

/** What a demo run produced, for callers and tests. */
export interface DemoOutcome {
  snapshot: ClusterSnapshot;
  advice: MigrationAdvice;
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

/** The simulated cluster's fixed clock (default): 2026-05-01 12:00 UTC. */
export const SIMULATED_NOW = Date.UTC(2026, 4, 1, 12);

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
  const llm = applyConfigFile(options, env, log) ?? modelFromEnvironment(env);
  const { client, fake } = await openCluster(options);
  // --json prints only the response document, so the report goes nowhere.
  const report = options.json ? () => {} : log;
  try {
    const { snapshot, apiCalls } = await collectAndReport(client, fake, options, report);
    const before = computeImbalance(snapshot);
    reportImbalance(snapshot, before, report);
    report(`\nLLM analysis: ${llm.description}`);
    const advice = await adviseMigrations({
      snapshot,
      ...(llm.model ? { model: llm.model } : {}),
      period: options.period,
      options: {
        ...(options.cpuThreshold === undefined ? {} : { cpuThreshold: options.cpuThreshold }),
        ...(options.memThreshold === undefined ? {} : { memThreshold: options.memThreshold }),
        ...(options.maxMigrations === undefined ? {} : { plan: { maxMigrations: options.maxMigrations } }),
      },
    });
    if (options.json) log(JSON.stringify(toProxBalanceResponse(advice), null, 2));
    else printAdvice(advice, snapshot, report);

    const outcome: DemoOutcome = { snapshot, advice, apiCalls };
    if (!options.apply) {
      reportDryRun(advice, snapshot, options, report);
      return outcome;
    }
    if (options.url && !options.yes) {
      log('\n--apply on a real cluster also needs --yes. Nothing was changed.');
      return outcome;
    }
    if (advice.recommendations.length > 0)
      outcome.applied = await applyAndMeasure(client, advice, before, options, log);
    return outcome;
  } finally {
    await client.close();
    await fake?.close();
  }
}

/**
 * A ProxBalance-style `--config` file: its keys replace the flags (in `options`), `BALLAST_<KEY>`
 * variables replace the file. Returns the model it configures, or `undefined` to use the
 * environment's.
 */
function applyConfigFile(
  options: DemoOptions,
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
): DemoModel | undefined {
  if (!options.config) return undefined;
  const config = loadBallastConfig({ file: options.config, env });
  for (const warning of configWarnings(config)) log(`warning: ${warning}`);
  if (config.proxmox_host) {
    options.url = `https://${config.proxmox_host}:${config.proxmox_port}`;
    options.tokenId = config.proxmox_api_token_id;
    options.tokenSecret = config.proxmox_api_token_secret;
    // Only reachable with proxmox_allow_insecure_tls (or a pinned fingerprint): the config refuses it otherwise.
    options.insecure = !config.proxmox_verify_ssl && config.proxmox_fingerprint === undefined;
    options.fingerprint = config.proxmox_fingerprint ?? options.fingerprint;
    if (!options.tokenId || !options.tokenSecret) {
      throw new Error(`${options.config}: proxmox_api_token_id and proxmox_api_token_secret are required`);
    }
  }
  options.period = config.ai_analysis_period;
  options.cpuThreshold ??= config.cpu_threshold;
  options.memThreshold ??= config.mem_threshold;
  return config.ai_enabled ? modelFromConfig(config, env) : undefined;
}

/** The cluster at `--url`, or a simulated one served by the testkit's fake PVE API. */
async function openCluster(
  options: DemoOptions,
): Promise<{ client: ProxmoxClient; fake: FakeProxmox | undefined }> {
  if (options.url) {
    const client = createProxmoxClient({
      baseUrl: options.url,
      tokenId: options.tokenId!,
      tokenSecret: options.tokenSecret!,
      tls: {
        ...(options.fingerprint ? { fingerprint: options.fingerprint } : {}),
        ...(options.insecure ? { insecureSkipVerify: true } : {}),
      },
    });
    return { client, fake: undefined };
  }
  const simulator = createClusterSimulator({
    seed: options.seed,
    // pve1 is a large node that took most new guests: the usual way a cluster drifts out of balance.
    nodes: Array.from({ length: options.nodes }, (_, index) => nodeSizes[index % nodeSizes.length]!),
    guests: options.guests,
    imbalance: 'severe',
    ...(options.clock === 'fixed' ? { now: SIMULATED_NOW } : {}),
  });
  const fake = await startFakeProxmox({ simulator, ...simulatedToken, migrationDurationMs: 250 });
  return { client: createProxmoxClient({ baseUrl: fake.url, ...simulatedToken }), fake };
}

/** Collects the snapshot and says what it took: nodes, guests, time, and the API calls by kind. */
async function collectAndReport(
  client: ProxmoxClient,
  fake: FakeProxmox | undefined,
  options: DemoOptions,
  report: (line: string) => void,
): Promise<{ snapshot: ClusterSnapshot; apiCalls: number }> {
  report('Ballast migration advice\n');
  report(
    options.url
      ? `Cluster: ${options.url} (read-only${options.apply ? '; --apply given' : ''})`
      : `Cluster: simulated ${options.nodes}-node Proxmox VE cluster (seed ${options.seed}) served by the fake PVE API at ${fake!.url}\n         pass --url https://your-pve:8006 --token-id ... (secret in PROXMOX_TOKEN_SECRET) for a real one`,
  );
  const started = performance.now();
  const collected = await collectCluster(client, {
    period: options.period,
    guestSeries: !options.skipGuestTrends,
  });
  const { stats, warnings } = collected;
  // On the simulated cluster its own clock is the time of the snapshot (fixed by default).
  const snapshot =
    fake !== undefined && options.clock === 'fixed'
      ? { ...collected.snapshot, collectedAt: SIMULATED_NOW }
      : collected.snapshot;
  const nodesOnline = snapshot.nodes.filter((node) => node.status === 'online').length;
  const calls = Object.entries(stats.byEndpoint);
  const count = (test: (endpoint: string) => boolean) =>
    calls.filter(([endpoint]) => test(endpoint)).reduce((sum, [, value]) => sum + value, 0);
  const rrdCalls = count((endpoint) => endpoint.includes('rrddata') && !/\/(qemu|lxc)\//.test(endpoint));
  const guestRrdCalls = count((endpoint) => endpoint.includes('rrddata') && /\/(qemu|lxc)\//.test(endpoint));
  const contentCalls = count((endpoint) => endpoint.endsWith('/content'));
  report(
    `Collected ${snapshot.nodes.length} nodes (${nodesOnline} online) and ${snapshot.guests.length} guests over ${options.period} in ${((performance.now() - started) / 1000).toFixed(1)} s with ${stats.apiCalls} API calls: ${rrdCalls} node RRD, ${contentCalls} local-storage listings, ${stats.apiCalls - rrdCalls - contentCalls - guestRrdCalls} cluster and HA state${guestRrdCalls ? `, ${guestRrdCalls} guest RRD for workload profiles (--skip-guest-trends to skip)` : ''}`,
  );
  for (const warning of warnings) report(`  warning: ${warning}`);
  return { snapshot, apiCalls: stats.apiCalls };
}

function reportImbalance(
  snapshot: ClusterSnapshot,
  before: ReturnType<typeof computeImbalance>,
  report: (line: string) => void,
): void {
  report(`\n${nodeTable(snapshot, plannerCpuOf(snapshot))}\n`);
  report(
    `Cluster imbalance ${before.normalized.toFixed(3)} (CRS: coefficient of variation of node load / sqrt(n-1); 0 = even). CPU spread ${pct(before.perResource.cpu.max - minOf(before, 'cpu'))}, memory spread ${pct(before.perResource.memory.max - minOf(before, 'memory'))}`,
  );
}

/** The projected node table, and how to carry the plan out. */
function reportDryRun(
  advice: MigrationAdvice,
  snapshot: ClusterSnapshot,
  options: DemoOptions,
  report: (line: string) => void,
): void {
  if (advice.recommendations.length > 0) {
    const projected = applyMigrations(snapshot, advice.recommendations);
    report(
      `\nProjected after the ${advice.recommendations.length} migrations (current usage, not yet measured):`,
    );
    report(nodeTable(projected));
  }
  report(
    `\nDry run: nothing was changed. ${options.url ? 'Add --apply --yes to carry the plan out on your cluster.' : 'Run `pnpm demo --apply` to carry the plan out on the simulated cluster.'}`,
  );
}

/** Carries the plan out with a line per move, then re-collects to measure what it did. */
async function applyAndMeasure(
  client: ProxmoxClient,
  advice: MigrationAdvice,
  before: ReturnType<typeof computeImbalance>,
  options: DemoOptions,
  log: (line: string) => void,
): Promise<NonNullable<DemoOutcome['applied']>> {
  log(`\nApplying ${advice.recommendations.length} migrations, ${options.parallel} at a time`);
  const moves: MigrationMove[] = advice.recommendations.map((recommendation) => ({
    vmid: recommendation.vmid,
    kind: recommendation.type === 'ct' ? 'ct' : 'vm',
    source: recommendation.sourceNode,
    target: recommendation.targetNode,
  }));
  const startedAt = new Map<number, number>();
  const execution = await executeMigrations(client, moves, {
    apply: true,
    parallel: options.parallel,
    pollIntervalMs: options.url ? 2000 : 100,
    onProgress: (event) => {
      const line = progressLine(event, advice.recommendations, startedAt, performance.now());
      if (line !== undefined) log(line);
    },
  });
  const after = await collectCluster(client, { period: options.period });
  const measured = computeImbalance(after.snapshot);
  log(`\n${nodeTable(after.snapshot)}\n`);
  log(
    `Re-collected after applying: imbalance ${before.normalized.toFixed(3)} -> ${measured.normalized.toFixed(3)} (measured; the advice predicted ${advice.imbalance.after.toFixed(3)})`,
  );
  return { imbalanceAfter: measured.normalized, statuses: execution.moves.map((move) => move.status) };
}

function pct(fraction: number): string {
  return `${Math.round(fraction * 100)} pp`;
}

function minOf(imbalance: ReturnType<typeof computeImbalance>, resource: 'cpu' | 'memory'): number {
  const values = imbalance.nodeLoads.map((load) => load[resource]);
  return values.length ? Math.min(...values) : 0;
}

function printAdvice(advice: MigrationAdvice, snapshot: ClusterSnapshot, log: (line: string) => void): void {
  const { llm } = advice;
  if (llm.status === 'used') {
    const cost = llm.costUsd === undefined ? '' : `, $${llm.costUsd.toFixed(4)}`;
    const latency =
      llm.latencyMs === undefined
        ? ''
        : llm.latencyMs < 1000
          ? ` in ${Math.round(llm.latencyMs)} ms`
          : ` in ${(llm.latencyMs / 1000).toFixed(1)} s`;
    log(
      `  ${llm.model ?? 'the model'} answered${latency}${cost}: ${llm.accepted ?? 0} move(s) accepted, ${llm.rejected ?? 0} rejected`,
    );
  } else if (llm.status !== 'not_configured') {
    log(`  ${llm.status}: ${llm.reason ?? 'no reason given'}; the rule-based plan stands`);
  }
  if (advice.analysis) {
    // Model-written text is shown as quoted text, labelled, never as something to run.
    if (advice.analysisSource === 'model') log('  the model wrote (text only):');
    log(wrap(advice.analysis, advice.analysisSource === 'model' ? '  > ' : '  '));
  }
  if (llm.analysisWithheld)
    log(
      `  the model's analysis was withheld: ${llm.analysisWithheld.map((finding) => finding.code).join(', ')}`,
    );

  const gib = 1024 ** 3;
  const profiles = profileWorkloads(snapshot);
  log(`\nRecommendations (${advice.recommendations.length})`);
  if (advice.recommendations.length === 0) log('  none: the cluster is balanced within the thresholds');
  advice.recommendations.forEach((recommendation, index) => {
    const memoryGib =
      (snapshot.guests.find((guest) => guest.vmid === recommendation.vmid)?.memory.maxBytes ?? 0) / gib;
    const best = recommendation.bestTime ? `, best time ${recommendation.bestTime.split(' (')[0]}` : '';
    const workload = profiles.get(recommendation.vmid)?.classes.join('/') ?? 'unprofiled';
    log(
      `  ${String(index + 1).padStart(2)}. [${recommendation.source}] ${recommendation.name} (${recommendation.type.toUpperCase()} ${recommendation.vmid})  ${recommendation.sourceNode} -> ${recommendation.targetNode}   priority ${recommendation.priority}, risk ${recommendation.riskScore}/100, ${memoryGib.toFixed(1)} GiB RAM, ${workload}${best}`,
    );
    log(wrap(recommendation.reasoning, '      '));
    if (recommendation.alsoSuggestedBy)
      log(wrap(`also suggested by the LLM: ${recommendation.alsoSuggestedBy}`, '      '));
  });
  log(
    `\nImbalance ${advice.imbalance.before.toFixed(3)} -> ${advice.imbalance.after.toFixed(3)} with ${advice.recommendations.length} migrations (${advice.plan.summary.gibMoved.toFixed(1)} GiB in the rule plan, which stopped at: ${advice.plan.summary.stopReason})`,
  );
  for (const line of unplacedWarning(advice.plan.unplaced, snapshot)) log(line);
  if (advice.rejected.length > 0) {
    log(`\nRejected (${advice.rejected.length}): nothing here was rewritten, only refused`);
    for (const rejection of advice.rejected.slice(0, 10)) {
      const what = describeRejectedItem(rejection.item);
      log(
        `  - [${rejection.source}] ${what}: ${rejection.reasons.map((reason) => `${reason.code} (${reason.message})`).join('; ')}`,
      );
    }
  }
  log(`\nPredicted issues (next 48 h): ${advice.predictedIssues.length === 0 ? 'none' : ''}`);
  for (const issue of advice.predictedIssues.slice(0, 8))
    log(`  - [${issue.source}] ${describeIssue(issue)}`);
}

/** `VM/CT 102 -> pve3` for a model's (snake_case) or a planner's (camelCase) item, `issue on pve1` for an issue. */
export function describeRejectedItem(value: unknown): string {
  const item = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  if (item.vmid === undefined) return `issue on ${String(item.node ?? '?')}`;
  const target = item.target_node ?? item.targetNode;
  return `VM/CT ${String(item.vmid)} -> ${target === undefined ? '(no target given)' : String(target)}`;
}

/** The warning about guests left on nodes in maintenance, one line each (empty when none). */
export function unplacedWarning(
  unplaced: ReadonlyArray<{ vmid: number; reason: string }>,
  snapshot: ClusterSnapshot,
): string[] {
  if (unplaced.length === 0) return [];
  const lines = [`Warning: ${unplaced.length} guest(s) stay on nodes in maintenance:`];
  for (const entry of unplaced.slice(0, 20)) {
    const guest = snapshot.guests.find((candidate) => candidate.vmid === entry.vmid);
    lines.push(`  - ${guest?.name ?? 'guest'} (${entry.vmid}) on ${guest?.node ?? '?'}: ${entry.reason}`);
  }
  if (unplaced.length > 20) lines.push(`  … and ${unplaced.length - 20} more`);
  return lines;
}

/**
 * One `--apply` progress line: `started`, then `done`/`FAILED`/`refused` with the guest's name,
 * source → target and how long it took (`startedAt` is filled on `started`).
 */
export function progressLine(
  event: { vmid: number; status: string; reason?: string },
  moves: ReadonlyArray<{ vmid: number; name: string; sourceNode: string; targetNode: string }>,
  startedAt: Map<number, number>,
  now: number,
): string | undefined {
  const move = moves.find((candidate) => candidate.vmid === event.vmid);
  const what = `${move?.name ?? 'guest'} (${event.vmid}) ${move?.sourceNode ?? '?'} -> ${move?.targetNode ?? '?'}`;
  if (event.status === 'started') {
    startedAt.set(event.vmid, now);
    return `  start  ${what}`;
  }
  if (event.status !== 'succeeded' && event.status !== 'failed' && event.status !== 'refused')
    return undefined;
  const began = startedAt.get(event.vmid);
  const took = began === undefined ? '' : ` in ${((now - began) / 1000).toFixed(1)} s`;
  const label = event.status === 'succeeded' ? 'done  ' : event.status === 'failed' ? 'FAILED' : 'refused';
  return `  ${label} ${what}${took}${event.reason ? `: ${event.reason}` : ''}`;
}

/** The CPU the planner balances on (now blended with the recent trend), per node, as a fraction. */
function plannerCpuOf(snapshot: ClusterSnapshot): Map<string, number> {
  const loads = computeImbalance(snapshot, { loadBasis: 'blended' }).nodeLoads;
  return new Map(loads.map((load) => [load.node, load.cpu]));
}
