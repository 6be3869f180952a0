import { type ClusterSnapshot, type GuestSnapshot, type NodeSnapshot, redactSecrets } from '@ballast/core';
import type { NodeTrend, SeriesTrend } from '../../forecast/trend';
import { isBalancingNode } from '../imbalance';
import type { MigrationPlan } from '../plan-migrations';
import type { WorkloadProfile } from '../workload-profile';
import type { AnalysisPeriod } from './analysis-period';

const GIB = 2 ** 30;

/**
 * Headroom limits stated to the model, percent (ProxBalance's `cpu_threshold` / `mem_threshold`).
 *
 * @example
 * ```ts
 * const thresholds: MigrationPromptThresholds = { cpuThreshold: 60, memThreshold: 70 };
 * ```
 */
export interface MigrationPromptThresholds {
  /** A move may not leave its target above this CPU utilisation, percent. */
  cpuThreshold: number;
  /** A move may not leave its target above this memory utilisation, percent. */
  memThreshold: number;
}

/**
 * Options of {@link buildMigrationPrompt}.
 *
 * @example
 * ```ts
 * const options: BuildMigrationPromptOptions = { period: '24h', thresholds: { cpuThreshold: 60, memThreshold: 70 }, maxGuests: 100 };
 * ```
 */
export interface BuildMigrationPromptOptions {
  /** The analysis window named in the prompt. */
  period: AnalysisPeriod;
  thresholds: MigrationPromptThresholds;
  /** The rule-based plan, summarised for the model to critique. */
  plan?: MigrationPlan;
  /** Workload profiles by vmid (`profileWorkloads`). */
  profiles?: ReadonlyMap<number, WorkloadProfile>;
  /** Node trends (`computeNodeTrends`). */
  trends?: readonly NodeTrend[];
  /** Most guests listed (the heaviest first; guests of the rule plan are always listed). Default 150. */
  maxGuests?: number;
  /** Whether HA-managed guests may be recommended (stated as a rule). Default `true`. */
  allowHaManaged?: boolean;
  /** Whether guests with node-local disks may be recommended. Default `false`. */
  allowLocalDisks?: boolean;
  /** Extra context lines placed before the plan (the advisor cites recent decisions here). */
  notes?: readonly string[];
}

/**
 * A prompt for migration advice, with what was left out to stay within the token budget.
 *
 * @example
 * ```ts
 * const { system, user } = buildMigrationPrompt(snapshot, { period: '24h', thresholds: { cpuThreshold: 60, memThreshold: 70 } });
 * ```
 */
export interface MigrationPrompt {
  system: string;
  user: string;
  /** Guests listed in `user`. */
  guestsIncluded: number;
  /** Guests left out by the `maxGuests` cap. */
  guestsOmitted: number;
}

/**
 * Builds the system and user prompt asking a model for migration advice in the
 * `llmMigrationAdviceSchema` shape (ProxBalance's `analysis`, `recommendations`, `predicted_issues`).
 *
 * Unlike ProxBalance (whose prompt read fields the collector never wrote, so every guest showed 0 %
 * CPU and 0 GB memory), every number comes from the snapshot: per node CPU cores in use and % of
 * cores, memory GiB and %, trend (recent vs period mean, slope per day); per guest CPU cores used /
 * configured, memory used / max GiB, workload profile, tags and every placement constraint (ignored,
 * template, lock, HA, pins, affinity / anti-affinity groups, local disks). It lists valid target
 * nodes, the thresholds and the rule-based plan. Guests are capped at `maxGuests` (heaviest first)
 * with a note. No secrets: only the snapshot source's kind and endpoint (without credentials).
 *
 * @example
 * ```ts
 * const plan = planMigrations(snapshot);
 * const prompt = buildMigrationPrompt(snapshot, {
 *   period: '24h',
 *   thresholds: { cpuThreshold: 60, memThreshold: 70 },
 *   plan,
 *   profiles: profileWorkloads(snapshot),
 *   trends: computeNodeTrends(snapshot),
 * });
 * await generateObject(model, { schema: llmMigrationAdviceSchema, system: prompt.system, prompt: prompt.user });
 * ```
 */
export function buildMigrationPrompt(
  snapshot: ClusterSnapshot,
  options: BuildMigrationPromptOptions,
): MigrationPrompt {
  const maxGuests = Math.max(0, Math.floor(options.maxGuests ?? 150));
  const allowHa = options.allowHaManaged ?? true;
  const allowLocal = options.allowLocalDisks ?? false;
  const { cpuThreshold, memThreshold } = options.thresholds;
  const trends = new Map((options.trends ?? []).map((trend) => [trend.node, trend]));
  const nodeByName = new Map(snapshot.nodes.map((node) => [node.name, node]));

  const system = [
    'You are a Proxmox VE load-balancing advisor. You recommend live migrations of VMs and containers',
    'between the nodes of one cluster so that CPU and memory load is spread evenly, and you predict',
    'node problems. Deterministic code validates every recommendation; invalid ones are discarded, never fixed.',
    '',
    'Rules:',
    '- Use only vmids and node names listed in the data. source_node must be the node the guest is on now.',
    '- target_node must be one of the valid target nodes and differ from source_node.',
    '- Never move guests marked ignored, template or locked.' +
      (allowHa ? '' : ' Never move HA-managed guests (HA places them).') +
      (allowLocal ? '' : ' Never move guests with local disks.'),
    '- Respect pins (a pinned guest may only go to its listed nodes), anti-affinity groups (members on',
    '  different nodes) and affinity groups (members stay together: move all of them to one node or none).',
    `- After all your moves, no target may exceed ${fmt(cpuThreshold, 0)} % CPU or ${fmt(memThreshold, 0)} % memory.`,
    '- A move must lower the cluster imbalance; recommend nothing rather than a pointless move.',
    '- Critique the rule-based plan: repeat its moves you agree with, propose better ones, or add missing ones.',
    '',
    'Answer with JSON only, in this shape:',
    '{"analysis": "<short assessment>",',
    ' "recommendations": [{"vmid": <vmid>, "name": "<guest name>", "type": "VM|CT", "source_node": "<node it is on>",',
    '   "target_node": "<valid target node>",',
    '   "priority": "low|medium|high|critical", "reasoning": "<why, citing the numbers>", "risk_score": 0-100,',
    '   "confidence": 0-1, "estimated_impact": "<text>", "best_time": "<text>"}],',
    ' "predicted_issues": [{"node": "<node>", "metric": "cpu|memory", "prediction": "<text>",',
    '   "severity": "low|medium|high|critical", "confidence": 0-1}]}',
  ].join('\n');

  const lines: string[] = [];
  const source = describeSource(snapshot);
  lines.push(
    `Cluster snapshot collected ${new Date(snapshot.collectedAt).toISOString()} from ${source}.`,
    `Analysis period: ${options.period}. Thresholds: target CPU < ${fmt(cpuThreshold, 0)} %, target memory < ${fmt(memThreshold, 0)} %.`,
    'Units: CPU in cores (and % of the node cores), memory in GiB (and % of node RAM).',
    '',
    'Nodes (name | state | cores | CPU in use | memory used/total | guests | trends):',
  );
  const sortedNodes = [...snapshot.nodes].sort((a, b) => compare(a.name, b.name));
  const guestCount = new Map<string, number>();
  for (const guest of snapshot.guests)
    if (guest.status === 'running') guestCount.set(guest.node, (guestCount.get(guest.node) ?? 0) + 1);
  for (const node of sortedNodes) lines.push(nodeLine(snapshot, node, trends.get(node.name), guestCount));
  const valid = sortedNodes.filter((node) => isBalancingNode(snapshot, node)).map((node) => node.name);
  const invalid = sortedNodes
    .filter((node) => !isBalancingNode(snapshot, node))
    .map((node) => `${node.name} (${nodeState(snapshot, node)})`);
  lines.push(`Valid target nodes: ${valid.length > 0 ? valid.join(', ') : 'none'}.`);
  if (invalid.length > 0) lines.push(`Not valid as targets: ${invalid.join(', ')}.`);

  // Guests: heaviest first (share of cluster CPU + share of cluster memory), plan guests always in.
  const clusterCores = snapshot.nodes.reduce((sum, node) => sum + node.cpu.cores, 0) || 1;
  const clusterMemory = snapshot.nodes.reduce((sum, node) => sum + node.memory.totalBytes, 0) || 1;
  const weight = (guest: GuestSnapshot) =>
    guest.status === 'running'
      ? guest.cpu.usageCores / clusterCores + guest.memory.usedBytes / clusterMemory
      : -1;
  const ranked = [...snapshot.guests].sort((a, b) => weight(b) - weight(a) || a.vmid - b.vmid);
  const mustList = new Set((options.plan?.recommendations ?? []).map((move) => move.vmid));
  const listed = new Set<number>();
  for (const guest of ranked) if (listed.size < maxGuests) listed.add(guest.vmid);
  for (const vmid of mustList) listed.add(vmid);
  const included = ranked.filter((guest) => listed.has(guest.vmid));
  const omitted = snapshot.guests.length - included.length;
  const constraints = constraintIndex(snapshot);
  lines.push(
    '',
    `Guests (${included.length} of ${snapshot.guests.length}, heaviest first; vmid | name | node | type | status | CPU used/configured | memory used/max | profile | tags | constraints):`,
  );
  for (const guest of included) lines.push(guestLine(guest, nodeByName, options.profiles, constraints));
  if (omitted > 0) {
    lines.push(
      `(${omitted} lighter guests not listed to save tokens; do not recommend them: their vmids are unknown to you.)`,
    );
  }

  const groups = [
    ...snapshot.constraints.affinityGroups.map((group) => ({ group, kind: 'affinity (keep together)' })),
    ...snapshot.constraints.antiAffinityGroups.map((group) => ({
      group,
      kind: 'anti-affinity (keep apart)',
    })),
  ];
  if (groups.length > 0) {
    lines.push('', 'Groups:');
    for (const { group, kind } of groups) {
      lines.push(
        `- ${group.name} ${kind}${group.strict ? ', strict' : ', preferred'}: ${group.members.join(', ')}`,
      );
    }
  }
  const ignored = snapshot.constraints.ignoredGuests.map((entry) => entry.vmid);
  if (ignored.length > 0) lines.push(`Ignored guests (never move): ${ignored.join(', ')}.`);

  if (options.notes?.length) lines.push('', ...options.notes);
  lines.push('', ...planLines(options.plan));
  lines.push('', 'Return your JSON answer now.');
  return { system, user: lines.join('\n'), guestsIncluded: included.length, guestsOmitted: omitted };
}

function describeSource(snapshot: ClusterSnapshot): string {
  const endpoint = snapshot.source.endpoint;
  if (endpoint === undefined || endpoint === '') return snapshot.source.kind;
  let clean = endpoint;
  try {
    const url = new URL(endpoint);
    url.username = '';
    url.password = '';
    url.search = '';
    url.hash = '';
    clean = url.toString().replace(/\/$/, '');
  } catch {
    // Not a URL: a label.
  }
  return `${snapshot.source.kind} ${redactSecrets(clean)}`;
}

function nodeState(snapshot: ClusterSnapshot, node: NodeSnapshot): string {
  if (node.status !== 'online') return node.status;
  if (node.maintenance || snapshot.constraints.maintenanceNodes.some((entry) => entry.node === node.name))
    return 'maintenance';
  return 'online';
}

function nodeLine(
  snapshot: ClusterSnapshot,
  node: NodeSnapshot,
  trend: NodeTrend | undefined,
  guestCount: ReadonlyMap<string, number>,
): string {
  const cpuPct = node.cpu.cores > 0 ? (node.cpu.usageCores / node.cpu.cores) * 100 : 0;
  const memPct = node.memory.totalBytes > 0 ? (node.memory.usedBytes / node.memory.totalBytes) * 100 : 0;
  const parts = [
    node.name,
    nodeState(snapshot, node),
    `${fmt(node.cpu.cores, 0)} cores`,
    `CPU ${fmt(node.cpu.usageCores, 2)} cores (${fmt(cpuPct, 1)} %)`,
    `mem ${gib(node.memory.usedBytes)}/${gib(node.memory.totalBytes)} GiB (${fmt(memPct, 1)} %)`,
    `${guestCount.get(node.name) ?? 0} running guests`,
  ];
  const cpuTrend = trendText('CPU', trend?.cpu);
  const memTrend = trendText('mem', trend?.memory);
  parts.push(cpuTrend ?? 'CPU trend: no history', memTrend ?? 'mem trend: no history');
  return parts.join(' | ');
}

function trendText(label: string, trend: SeriesTrend | undefined): string | undefined {
  if (trend === undefined) return undefined;
  const window =
    trend.recentWindowHours >= 1
      ? `${fmt(trend.recentWindowHours, 0)} h`
      : `${fmt(trend.recentWindowHours * 60, 0)} min`;
  const slope = trend.slopePerHour * 24 * 100;
  return (
    `${label} trend: recent (${window}) ${fmt(trend.recentMean * 100, 1)} % vs period mean ${fmt(trend.periodMean * 100, 1)} %, ` +
    `max ${fmt(trend.max * 100, 1)} %, slope ${slope >= 0 ? '+' : ''}${fmt(slope, 2)} pp/day (R² ${fmt(trend.rSquared, 2)}, ${trend.samples} samples over ${fmt(trend.spanHours, 0)} h)`
  );
}

interface ConstraintIndex {
  ignored: Set<number>;
  pins: Map<number, string[]>;
  groups: Map<number, string[]>;
}

function constraintIndex(snapshot: ClusterSnapshot): ConstraintIndex {
  const ignored = new Set(snapshot.constraints.ignoredGuests.map((entry) => entry.vmid));
  const pins = new Map<number, string[]>();
  for (const pin of snapshot.constraints.pins) {
    const list = pins.get(pin.vmid) ?? [];
    list.push(`pinned to ${pin.nodes.join('/')}${pin.strict ? ' (strict)' : ' (preferred)'}`);
    pins.set(pin.vmid, list);
  }
  const groups = new Map<number, string[]>();
  const add = (vmid: number, text: string) => {
    const list = groups.get(vmid) ?? [];
    list.push(text);
    groups.set(vmid, list);
  };
  for (const group of snapshot.constraints.affinityGroups)
    for (const vmid of group.members) add(vmid, `affinity ${group.name}`);
  for (const group of snapshot.constraints.antiAffinityGroups)
    for (const vmid of group.members) add(vmid, `anti-affinity ${group.name}`);
  return { ignored, pins, groups };
}

function guestLine(
  guest: GuestSnapshot,
  nodes: ReadonlyMap<string, NodeSnapshot>,
  profiles: ReadonlyMap<number, WorkloadProfile> | undefined,
  constraints: ConstraintIndex,
): string {
  const node = nodes.get(guest.node);
  const cpuShare =
    node !== undefined && node.cpu.cores > 0
      ? ` = ${fmt((guest.cpu.usageCores / node.cpu.cores) * 100, 1)} % of node`
      : '';
  const flags: string[] = [];
  if (constraints.ignored.has(guest.vmid)) flags.push('ignored');
  if (guest.template) flags.push('template');
  if (guest.lock !== undefined) flags.push(`locked (${guest.lock})`);
  if (guest.haManaged) flags.push(`HA${guest.haState === undefined ? '' : ` (${guest.haState})`}`);
  const localDisk = guest.localDisks.reduce((sum, disk) => sum + disk.sizeBytes, 0);
  if (guest.localDisks.length > 0) flags.push(`local disks ${gib(localDisk)} GiB`);
  flags.push(...(constraints.pins.get(guest.vmid) ?? []), ...(constraints.groups.get(guest.vmid) ?? []));
  const profile = profiles?.get(guest.vmid);
  return [
    guest.vmid,
    guest.name,
    guest.node,
    guest.kind === 'vm' ? 'VM' : 'CT',
    guest.status,
    `CPU ${fmt(guest.cpu.usageCores, 2)}/${fmt(guest.cpu.cores, 0)} cores${cpuShare}`,
    `mem ${gib(guest.memory.usedBytes)}/${gib(guest.memory.maxBytes)} GiB`,
    profile === undefined ? 'profile n/a' : profile.classes.join(','),
    guest.tags.length > 0 ? `tags ${guest.tags.join(',')}` : 'no tags',
    flags.length > 0 ? flags.join(', ') : 'movable',
  ].join(' | ');
}

function planLines(plan: MigrationPlan | undefined): string[] {
  if (plan === undefined) return ['No rule-based plan was computed.'];
  const { summary } = plan;
  const lines = [
    `Rule-based plan (imbalance = CV of node load (0.5 CPU % + 0.5 memory %) / sqrt(n-1): 0 even, 1 all on one node): ` +
      `${fmt(summary.imbalanceBefore, 3)} -> ${fmt(summary.imbalanceAfter, 3)} with ${summary.migrations} migrations (stopped: ${summary.stopReason}).`,
  ];
  if (plan.recommendations.length === 0) lines.push('The rule-based planner found no worthwhile move.');
  for (const move of plan.recommendations) {
    lines.push(
      `${move.step}. vmid ${move.vmid} (${move.name}) ${move.sourceNode} -> ${move.targetNode}, ${move.kind}, priority ${move.priority}, ` +
        `imbalance ${fmt(move.imbalanceBefore, 3)} -> ${fmt(move.imbalanceAfter, 3)}: ${move.reasoning}`,
    );
  }
  for (const entry of plan.unplaced) lines.push(`Could not place vmid ${entry.vmid}: ${entry.reason}.`);
  return lines;
}

function gib(bytes: number): string {
  return fmt(bytes / GIB, 1);
}

function fmt(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
