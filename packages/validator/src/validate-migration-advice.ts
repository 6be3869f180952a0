import {
  type ClusterSnapshot,
  type GuestSnapshot,
  type IssueSeverity,
  type LlmMigrationRecommendation,
  llmMigrationAdviceSchema,
  llmMigrationRecommendationSchema,
  llmPredictedIssueSchema,
  type MigrationPriority,
  type MigrationRecommendation,
  type NodeLoad,
  type PredictedIssue,
  type RecommendationSource,
  safeExtractJson,
  ValidationError,
} from '@ballast/core';
import { buildClusterIndex, type ClusterIndex } from './cluster-index';
import {
  describe,
  isRecord,
  type RepairSink,
  readEnum,
  readLooseNumber,
  readTrimmedString,
  recordRepair,
} from './normalize';
import type { MigrationReasonCode, PredictedIssueReasonCode, Reason, Repair } from './reason-codes';

/**
 * Options of {@link validateMigrationAdvice}. Every option has a safe default.
 *
 * @example
 * ```ts
 * const options: MigrationValidationOptions = { maxMemoryRatio: 0.85, maxCpuRatio: 0.8, allowLocalDisks: true };
 * ```
 */
export interface MigrationValidationOptions {
  /** Target memory after every accepted move must stay ≤ this fraction of its total. Default 0.9. */
  maxMemoryRatio?: number;
  /** When set, target CPU (cores in use) after every accepted move must stay ≤ this fraction of its cores. */
  maxCpuRatio?: number;
  /**
   * Memory a running guest adds to its target: its configured maximum (`max`, the default, as
   * ProxBalance's capacity guard) or what it uses now (`used`, as ProxLB). The source is always
   * relieved by the memory in use.
   */
  memoryBasis?: 'max' | 'used';
  /** Allow moving guests with node-local disks (`with-local-disks`). Default `false`. */
  allowLocalDisks?: boolean;
  /** Allow moving HA-managed guests (e.g. when HA auto-rebalance is off). Default `false`. */
  allowHaManaged?: boolean;
  /** Also enforce non-strict pins (HA node-affinity with `strict: 0`). Default `true`. */
  enforceNonStrictPins?: boolean;
  /** `source` given to accepted items that do not carry one. Default `llm`. */
  source?: RecommendationSource;
}

/**
 * A recommendation the validator refused, with every reason found.
 *
 * @example
 * ```ts
 * const codes = (rejected: RejectedMigration) => rejected.reasons.map((reason) => reason.code);
 * ```
 */
export interface RejectedMigration {
  /** Position in the model's list. */
  index: number;
  /** The item exactly as given (never edited). */
  item: unknown;
  reasons: Array<Reason<MigrationReasonCode>>;
}

/**
 * A predicted issue the validator dropped.
 *
 * @example
 * ```ts
 * const first = (rejected: RejectedPredictedIssue) => rejected.reasons[0]?.code;
 * ```
 */
export interface RejectedPredictedIssue {
  index: number;
  item: unknown;
  reasons: Array<Reason<PredictedIssueReasonCode>>;
}

/**
 * The outcome of {@link validateMigrationAdvice}.
 *
 * @example
 * ```ts
 * const summary = (result: MigrationValidationResult) => `${result.accepted.length} kept, ${result.rejected.length} rejected`;
 * ```
 */
export interface MigrationValidationResult {
  /** Recommendations that passed every check, in the model's order. */
  accepted: MigrationRecommendation[];
  rejected: RejectedMigration[];
  /** Safe normalisations applied (string ids, enum case, …). */
  repairs: Repair[];
  /** Predicted issues that name a real node and carry a valid confidence. */
  predictedIssues: PredictedIssue[];
  rejectedIssues: RejectedPredictedIssue[];
  /** The model's `analysis` text, unchanged, when given. */
  analysis?: string;
}

interface Candidate {
  index: number;
  item: unknown;
  vmid: number;
  guest: GuestSnapshot;
  sourceNode: string;
  targetNode: string;
  priority: MigrationPriority;
  reasoning: string;
  riskScore: number | undefined;
  confidence: number | undefined;
  estimatedImpact: string | undefined;
  bestTime: string | undefined;
  source: RecommendationSource;
}

interface Normalized {
  vmid: number | undefined;
  name: string | undefined;
  kind: 'vm' | 'ct' | undefined;
  sourceNode: string | undefined;
  targetNode: string | undefined;
  priority: MigrationPriority | undefined;
  reasoning: string | undefined;
  riskScore: number | undefined;
  confidence: number | undefined;
  estimatedImpact: string | undefined;
  bestTime: string | undefined;
  source: RecommendationSource | undefined;
}

const priorities: readonly MigrationPriority[] = ['low', 'medium', 'high', 'critical'];
const severities: readonly IssueSeverity[] = ['low', 'medium', 'high', 'critical'];
const kindAliases: Record<string, 'vm' | 'ct'> = {
  vm: 'vm',
  qemu: 'vm',
  kvm: 'vm',
  ct: 'ct',
  lxc: 'ct',
  container: 'ct',
};

/**
 * Checks migration advice against the real cluster and keeps only what is real and safe.
 *
 * `advice` may be the model's raw text (JSON is extracted), its parsed JSON in ProxBalance's shape
 * (`{ analysis, recommendations: [{ vmid, source_node, target_node, priority, reasoning, risk_score }], predicted_issues }`),
 * a bare array of such items, or already-typed {@link MigrationRecommendation}s (camelCase).
 *
 * Each item is checked on its own (guest, nodes, flags, pins, storage, ranges), then the survivors
 * are replayed in order on a copy of the placement: anti-affinity, affinity groups (a group's moves
 * are judged together) and target capacity count every move accepted before. Hallucinated nodes
 * are rejected, never rewritten; the model's reasoning is never edited. Throws a
 * {@link ValidationError} when the snapshot or the advice as a whole is unusable.
 *
 * @example
 * ```ts
 * const result = validateMigrationAdvice(snapshot, {
 *   recommendations: [{ vmid: 101, source_node: 'pve1', target_node: 'pve2', priority: 'high', reasoning: 'pve1 is at 92 % memory' }],
 * });
 * for (const rejected of result.rejected) console.log(rejected.index, rejected.reasons.map((reason) => reason.code));
 * ```
 */
export function validateMigrationAdvice(
  snapshot: ClusterSnapshot,
  advice: unknown,
  options: MigrationValidationOptions = {},
): MigrationValidationResult {
  assertSnapshot(snapshot);
  const settings = resolveOptions(options);
  const repairs: Repair[] = [];
  const { items, issues, analysis } = readAdvice(advice, repairs);
  const index = buildClusterIndex(snapshot);

  // Indexed by position: no hashing, no sorting at the end.
  const rejectedAt: Array<RejectedMigration | undefined> = new Array(items.length);
  const reject = (position: number, item: unknown, reasons: Array<Reason<MigrationReasonCode>>) => {
    const existing = rejectedAt[position];
    if (existing === undefined) rejectedAt[position] = { index: position, item, reasons };
    else existing.reasons.push(...reasons);
  };

  // Phase 1: shape and per-item checks.
  const candidates: Array<Candidate | undefined> = new Array(items.length);
  const reasonsAt: Array<Array<Reason<MigrationReasonCode>>> = new Array(items.length);
  const vmidAt: Array<number | undefined> = new Array(items.length);
  const targetAt: Array<string | undefined> = new Array(items.length);
  // First position per vmid; vmids given twice with the same target / with different targets.
  const firstPosition = new Map<number, number>();
  let repeated: Set<number> | undefined;
  const sink: RepairSink = { target: 'recommendation', index: 0, repairs };
  for (let position = 0; position < items.length; position++) {
    const item = items[position];
    sink.index = position;
    const reasons: Array<Reason<MigrationReasonCode>> = [];
    const normalized = normalizeItem(item, sink, reasons);
    if (normalized !== undefined) {
      candidates[position] = checkItem(normalized, position, item, index, settings, reasons);
      const { vmid, targetNode } = normalized;
      if (vmid !== undefined && targetNode !== undefined) {
        vmidAt[position] = vmid;
        targetAt[position] = targetNode;
        if (!firstPosition.has(vmid)) firstPosition.set(vmid, position);
        else {
          repeated ??= new Set();
          repeated.add(vmid);
        }
      }
    }
    reasonsAt[position] = reasons;
  }

  if (repeated !== undefined) {
    const targetsOf = new Map<number, string[]>();
    for (let position = 0; position < items.length; position++) {
      const vmid = vmidAt[position];
      if (vmid === undefined || !repeated.has(vmid)) continue;
      const target = targetAt[position]!;
      const targets = targetsOf.get(vmid);
      if (targets === undefined) targetsOf.set(vmid, [target]);
      else if (!targets.includes(target)) targets.push(target);
    }
    const conflictMessages = new Map<number, string>();
    for (let position = 0; position < items.length; position++) {
      const vmid = vmidAt[position];
      if (vmid === undefined || !repeated.has(vmid)) continue;
      const targets = targetsOf.get(vmid)!;
      if (targets.length > 1) {
        let message = conflictMessages.get(vmid);
        if (message === undefined) {
          message = `guest ${vmid} is moved to ${targets.map((target) => `"${target}"`).join(', ')} in one answer`;
          conflictMessages.set(vmid, message);
        }
        reasonsAt[position]!.push({ code: 'conflicting_move', message });
      } else if (firstPosition.get(vmid) !== position) {
        reasonsAt[position]!.push({
          code: 'duplicate_move',
          message: `guest ${vmid} → "${targets[0]}" repeats recommendation #${firstPosition.get(vmid)}`,
        });
      }
    }
  }

  const survivors: Candidate[] = [];
  for (let position = 0; position < items.length; position++) {
    const reasons = reasonsAt[position]!;
    const candidate = candidates[position];
    if (reasons.length > 0 || candidate === undefined) reject(position, items[position], reasons);
    else survivors.push(candidate);
  }

  // Phase 2: replay survivors on a copy of the placement.
  const acceptedAt = replay(survivors, index, settings, reject, items.length);

  const accepted: MigrationRecommendation[] = [];
  const rejected: RejectedMigration[] = [];
  for (let position = 0; position < items.length; position++) {
    const recommendation = acceptedAt[position];
    if (recommendation !== undefined) accepted.push(recommendation);
    const rejection = rejectedAt[position];
    if (rejection !== undefined) rejected.push(rejection);
  }
  return {
    accepted,
    rejected,
    repairs,
    ...validateIssues(issues, index, repairs, settings.source),
    ...(analysis === undefined ? {} : { analysis }),
  };
}

interface Settings {
  maxMemoryRatio: number;
  maxCpuRatio: number | undefined;
  memoryBasis: 'max' | 'used';
  allowLocalDisks: boolean;
  allowHaManaged: boolean;
  enforceNonStrictPins: boolean;
  source: RecommendationSource;
}

function resolveOptions(options: MigrationValidationOptions): Settings {
  if (typeof options !== 'object' || options === null)
    throw invalid('options must be an object', 'options', options);
  const ratio = (value: unknown, name: string): void => {
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)) {
      throw invalid(`options.${name} must be a positive number`, `options.${name}`, value);
    }
  };
  ratio(options.maxMemoryRatio, 'maxMemoryRatio');
  ratio(options.maxCpuRatio, 'maxCpuRatio');
  return {
    maxMemoryRatio: options.maxMemoryRatio ?? 0.9,
    maxCpuRatio: options.maxCpuRatio,
    memoryBasis: options.memoryBasis === 'used' ? 'used' : 'max',
    allowLocalDisks: options.allowLocalDisks ?? false,
    allowHaManaged: options.allowHaManaged ?? false,
    enforceNonStrictPins: options.enforceNonStrictPins ?? true,
    source: options.source ?? 'llm',
  };
}

function invalid(message: string, path: string, value?: unknown): ValidationError {
  return new ValidationError({
    message,
    issues: [{ path, message, code: 'invalid_input' }],
    value: typeof value === 'object' ? undefined : value,
  });
}

function assertSnapshot(snapshot: unknown): asserts snapshot is ClusterSnapshot {
  if (!isRecord(snapshot) || !Array.isArray(snapshot.nodes) || !Array.isArray(snapshot.guests)) {
    throw invalid('snapshot must be a ClusterSnapshot with `nodes` and `guests` arrays', 'snapshot');
  }
}

function readAdvice(
  advice: unknown,
  repairs: Repair[],
): { items: readonly unknown[]; issues: readonly unknown[]; analysis: string | undefined } {
  let value = advice;
  if (typeof value === 'string') {
    const extracted = safeExtractJson(value);
    if (!extracted.ok) throw extracted.error;
    for (const mend of extracted.repairs) {
      repairs.push({
        target: 'advice',
        index: -1,
        field: '(root)',
        code: 'extracted_json',
        from: mend,
        to: 'json',
        message: `JSON extracted from model text (${mend})`,
      });
    }
    value = extracted.value;
  }
  if (Array.isArray(value)) return { items: value, issues: [], analysis: undefined };
  if (!isRecord(value)) {
    throw invalid(
      `advice must be an object with \`recommendations\`, got ${describe(value)}`,
      'advice',
      value,
    );
  }
  const parsed = llmMigrationAdviceSchema.safeParse(value);
  if (!parsed.success) {
    throw new ValidationError({
      message: 'advice does not have the expected shape ({ recommendations: [...] })',
      issues: parsed.error.issues.map((issue) => ({
        path: issue.path.join('.') || '(root)',
        message: issue.message,
        code: issue.code,
      })),
      cause: parsed.error,
    });
  }
  return {
    items: parsed.data.recommendations,
    issues: parsed.data.predicted_issues ?? [],
    analysis: parsed.data.analysis ?? undefined,
  };
}

/** The model's own shape: no camelCase twins to merge. */
function isSnakeCase(item: Record<string, unknown>): boolean {
  return (
    item.sourceNode === undefined &&
    item.targetNode === undefined &&
    item.riskScore === undefined &&
    item.estimatedImpact === undefined &&
    item.bestTime === undefined
  );
}

function pick(item: Record<string, unknown>, snake: string, camel: string): unknown {
  const value = item[snake];
  return value === undefined ? item[camel] : value;
}

function normalizeItem(
  item: unknown,
  sink: RepairSink,
  reasons: Array<Reason<MigrationReasonCode>>,
): Normalized | undefined {
  if (!isRecord(item)) {
    reasons.push({
      code: 'invalid_shape',
      message: `recommendation must be an object, got ${describe(item)}`,
    });
    return undefined;
  }
  const view = isSnakeCase(item)
    ? item
    : {
        vmid: item.vmid,
        name: item.name,
        type: item.type,
        source_node: pick(item, 'source_node', 'sourceNode'),
        target_node: pick(item, 'target_node', 'targetNode'),
        priority: item.priority,
        reasoning: item.reasoning,
        risk_score: pick(item, 'risk_score', 'riskScore'),
        confidence: item.confidence,
        estimated_impact: pick(item, 'estimated_impact', 'estimatedImpact'),
        best_time: pick(item, 'best_time', 'bestTime'),
      };
  // Fast structural check; the schema runs only to explain what is wrong.
  let data: LlmMigrationRecommendation;
  if (hasItemShape(view)) data = view;
  else {
    const parsed = llmMigrationRecommendationSchema.safeParse(view);
    if (parsed.success) data = parsed.data;
    else {
      for (const [code, fields] of groupIssues(parsed.error.issues, itemFieldCodes)) {
        reasons.push({ code, message: `missing or mistyped field(s): ${fields.join(', ')}` });
      }
      return undefined;
    }
  }
  const normalized: Normalized = {
    vmid: undefined,
    name: undefined,
    kind: undefined,
    sourceNode: undefined,
    targetNode: undefined,
    priority: undefined,
    reasoning: undefined,
    riskScore: undefined,
    confidence: undefined,
    estimatedImpact: data.estimated_impact ?? undefined,
    bestTime: data.best_time ?? undefined,
    source: item.source === 'rule' || item.source === 'llm' ? item.source : undefined,
  };

  const vmid = readLooseNumber(data.vmid, 'vmid', sink);
  if (!vmid.ok || vmid.value === undefined || !Number.isInteger(vmid.value) || vmid.value <= 0) {
    reasons.push({
      code: 'invalid_shape',
      message: `vmid must be a positive integer, got ${describe(data.vmid)}`,
    });
  } else normalized.vmid = vmid.value;

  for (const [field, key] of [
    ['source_node', 'sourceNode'],
    ['target_node', 'targetNode'],
  ] as const) {
    const read = readTrimmedString(data[field], field, sink);
    if (!read.ok || !read.value)
      reasons.push({ code: 'invalid_shape', message: `${field} must be a node name` });
    else normalized[key] = read.value;
  }

  if (typeof data.reasoning !== 'string') {
    reasons.push({ code: 'invalid_shape', message: 'reasoning is required' });
  } else normalized.reasoning = data.reasoning;

  if (data.name !== undefined && data.name !== null) normalized.name = data.name.trim();

  if (data.type !== undefined && data.type !== null) {
    const alias = kindAliases[data.type.trim().toLowerCase()];
    if (alias === undefined) {
      reasons.push({ code: 'invalid_shape', message: `type ${describe(data.type)} is not VM or CT` });
    } else {
      if (alias !== data.type) {
        recordRepair(
          sink,
          'type',
          'kind_alias',
          data.type,
          alias,
          `type ${JSON.stringify(data.type)} read as "${alias}"`,
        );
      }
      normalized.kind = alias;
    }
  }

  const priority = readEnum(data.priority, 'priority', priorities, sink);
  if (!priority.ok) reasons.push({ code: 'priority_invalid', message: priority.message });
  else if (priority.value === undefined)
    reasons.push({ code: 'priority_invalid', message: 'priority is required' });
  else normalized.priority = priority.value;

  const risk = readLooseNumber(data.risk_score, 'risk_score', sink);
  if (!risk.ok) reasons.push({ code: 'risk_out_of_range', message: risk.message });
  else if (risk.value !== undefined && (risk.value < 0 || risk.value > 100)) {
    reasons.push({ code: 'risk_out_of_range', message: `risk_score ${risk.value} is outside 0..100` });
  } else normalized.riskScore = risk.value;

  const confidence = readLooseNumber(data.confidence, 'confidence', sink);
  if (!confidence.ok) reasons.push({ code: 'confidence_out_of_range', message: confidence.message });
  else if (confidence.value !== undefined && (confidence.value < 0 || confidence.value > 1)) {
    reasons.push({
      code: 'confidence_out_of_range',
      message: `confidence ${confidence.value} is outside 0..1`,
    });
  } else normalized.confidence = confidence.value;

  return normalized;
}

function checkItem(
  item: Normalized,
  position: number,
  raw: unknown,
  index: ClusterIndex,
  settings: Settings,
  reasons: Array<Reason<MigrationReasonCode>>,
): Candidate | undefined {
  const { vmid, targetNode, sourceNode } = item;
  if (vmid === undefined) return undefined;
  const guest = index.guests.get(vmid);
  if (guest === undefined) {
    reasons.push({ code: 'unknown_guest', message: `no guest with vmid ${vmid} in the cluster` });
  } else {
    if (item.name !== undefined && item.name !== guest.name) {
      reasons.push({
        code: 'name_mismatch',
        message: `guest ${vmid} is "${guest.name}", not "${item.name}"`,
      });
    }
    if (item.kind !== undefined && item.kind !== guest.kind) {
      reasons.push({
        code: 'kind_mismatch',
        message: `guest ${vmid} is a ${guest.kind}, not a ${item.kind}`,
      });
    }
    if (sourceNode !== undefined && sourceNode !== guest.node) {
      reasons.push({
        code: 'source_mismatch',
        message: `guest ${vmid} runs on "${guest.node}", not on "${sourceNode}"`,
      });
    }
    if (index.ignored.has(vmid)) reasons.push({ code: 'guest_ignored', message: `guest ${vmid} is ignored` });
    if (guest.template) reasons.push({ code: 'guest_template', message: `guest ${vmid} is a template` });
    if (guest.lock !== undefined && guest.lock !== '') {
      reasons.push({ code: 'guest_locked', message: `guest ${vmid} holds the lock "${guest.lock}"` });
    }
    if (guest.haManaged && !settings.allowHaManaged) {
      reasons.push({ code: 'ha_managed', message: `guest ${vmid} is HA-managed; HA places it` });
    }
    if ((guest.localDisks?.length ?? 0) > 0 && !settings.allowLocalDisks) {
      reasons.push({
        code: 'local_disks',
        message: `guest ${vmid} has ${guest.localDisks.length} local disk(s) and allowLocalDisks is off`,
      });
    }
  }
  if (targetNode !== undefined) {
    const node = index.nodes.get(targetNode);
    if (node === undefined) {
      reasons.push({ code: 'unknown_target', message: `target node "${targetNode}" does not exist` });
    } else {
      if (node.status !== 'online') {
        reasons.push({ code: 'target_offline', message: `target node "${targetNode}" is ${node.status}` });
      }
      if (index.maintenance.has(targetNode)) {
        reasons.push({
          code: 'target_maintenance',
          message: `target node "${targetNode}" is in maintenance`,
        });
      }
    }
    if (guest !== undefined && (targetNode === guest.node || targetNode === sourceNode)) {
      reasons.push({
        code: 'self_move',
        message: `guest ${vmid} would move to the node it is on ("${targetNode}")`,
      });
    } else if (guest === undefined && targetNode === sourceNode) {
      reasons.push({ code: 'self_move', message: `source and target are both "${targetNode}"` });
    }
    if (guest !== undefined) {
      for (const pin of index.pins.get(vmid) ?? []) {
        if (!pin.strict && !settings.enforceNonStrictPins) continue;
        if (!pin.nodes.includes(targetNode)) {
          reasons.push({
            code: 'pin_violated',
            message: `guest ${vmid} is pinned to ${pin.nodes.map((pinned) => `"${pinned}"`).join(', ')} (${originLabel(pin.origin)})`,
          });
        }
      }
      if (node !== undefined && index.hasStorageData) {
        const available = index.storages.get(targetNode);
        let missing: string[] | undefined;
        for (const storage of guest.storages ?? []) {
          if (available?.has(storage) === true) continue;
          missing ??= [];
          missing.push(storage);
        }
        if (missing !== undefined) {
          reasons.push({
            code: 'storage_unavailable',
            message: `storage ${missing.map((storage) => `"${storage}"`).join(', ')} not available on "${targetNode}"`,
          });
        }
      }
    }
  }
  if (
    reasons.length > 0 ||
    guest === undefined ||
    targetNode === undefined ||
    sourceNode === undefined ||
    item.priority === undefined ||
    item.reasoning === undefined
  ) {
    return undefined;
  }
  return {
    index: position,
    item: raw,
    vmid,
    guest,
    sourceNode,
    targetNode,
    priority: item.priority,
    reasoning: item.reasoning,
    riskScore: item.riskScore,
    confidence: item.confidence,
    estimatedImpact: item.estimatedImpact,
    bestTime: item.bestTime,
    source: item.source ?? settings.source,
  };
}

function originLabel(origin: { kind: string; tags?: string[]; rule?: string }): string {
  if (origin.kind === 'tag') return `tag ${origin.tags?.join(', ') ?? ''}`;
  if (origin.kind === 'ha-rule') return `HA rule "${origin.rule ?? ''}"`;
  return origin.kind;
}

function isRunning(guest: GuestSnapshot): boolean {
  return guest.status === 'running' || guest.status === 'paused';
}

function replay(
  survivors: readonly Candidate[],
  index: ClusterIndex,
  settings: Settings,
  reject: (position: number, item: unknown, reasons: Array<Reason<MigrationReasonCode>>) => void,
  itemCount: number,
): Array<MigrationRecommendation | undefined> {
  const nodeCount = index.nodeList.length;
  const memory = new Float64Array(nodeCount);
  const cpu = new Float64Array(nodeCount);
  index.nodeList.forEach((node, position) => {
    memory[position] = node.memory.usedBytes;
    cpu[position] = node.cpu.usageCores;
  });
  const moved = new Map<number, string>();
  const nodeOf = (vmid: number): string | undefined => moved.get(vmid) ?? index.guests.get(vmid)?.node;

  const countsOf = (groups: number[][]): Array<Map<string, number>> =>
    groups.map((members) => {
      const counts = new Map<string, number>();
      for (const vmid of members) {
        const node = nodeOf(vmid);
        if (node !== undefined) counts.set(node, (counts.get(node) ?? 0) + 1);
      }
      return counts;
    });
  const antiCounts = countsOf(index.antiAffinityMembers);
  const affinityCounts = countsOf(index.affinityMembers);
  const shift = (counts: Map<string, number>, from: string, to: string) => {
    const left = (counts.get(from) ?? 0) - 1;
    if (left <= 0) counts.delete(from);
    else counts.set(from, left);
    counts.set(to, (counts.get(to) ?? 0) + 1);
  };

  const load = (position: number): NodeLoad => {
    const node = index.nodeList[position]!;
    return {
      cpuCores: Math.max(0, cpu[position]!),
      cpuTotalCores: node.cpu.cores,
      memoryUsedBytes: Math.max(0, memory[position]!),
      memoryTotalBytes: node.memory.totalBytes,
    };
  };

  interface Applied {
    candidate: Candidate;
    sourcePosition: number;
    targetPosition: number;
    saved: [number, number, number, number];
    recommendation: MigrationRecommendation;
  }

  const tryApply = (candidate: Candidate): Applied | Array<Reason<MigrationReasonCode>> => {
    const { guest, targetNode, vmid } = candidate;
    const sourcePosition = index.nodeIndex.get(guest.node);
    const targetPosition = index.nodeIndex.get(targetNode)!;
    const reasons: Array<Reason<MigrationReasonCode>> = [];
    for (const group of index.antiAffinityOf.get(vmid) ?? []) {
      if ((antiCounts[group]!.get(targetNode) ?? 0) > 0) {
        const other = index.antiAffinityMembers[group]!.find(
          (member) => member !== vmid && nodeOf(member) === targetNode,
        );
        reasons.push({
          code: 'anti_affinity_violated',
          message: `guest ${other ?? '?'} of anti-affinity group "${index.antiAffinityNames[group]}" is ${
            other !== undefined && moved.has(other) ? 'moving' : 'already'
          } on "${targetNode}"`,
        });
      }
    }
    const running = isRunning(guest);
    const addMemory = running
      ? settings.memoryBasis === 'max'
        ? guest.memory.maxBytes
        : guest.memory.usedBytes
      : 0;
    const removeMemory = running ? guest.memory.usedBytes : 0;
    const addCpu = running ? guest.cpu.usageCores : 0;
    const target = index.nodeList[targetPosition]!;
    const memoryAfter = memory[targetPosition]! + addMemory;
    const memoryLimit = settings.maxMemoryRatio * target.memory.totalBytes;
    if (memoryAfter > memoryLimit) {
      reasons.push({
        code: 'target_memory_exceeded',
        message: `"${targetNode}" memory would reach ${percent(memoryAfter, target.memory.totalBytes)} (limit ${Math.round(
          settings.maxMemoryRatio * 100,
        )} %)`,
      });
    }
    if (settings.maxCpuRatio !== undefined) {
      const cpuAfter = cpu[targetPosition]! + addCpu;
      if (cpuAfter > settings.maxCpuRatio * target.cpu.cores) {
        reasons.push({
          code: 'target_cpu_exceeded',
          message: `"${targetNode}" CPU would reach ${cpuAfter.toFixed(2)} of ${target.cpu.cores} cores (limit ${Math.round(
            settings.maxCpuRatio * 100,
          )} %)`,
        });
      }
    }
    if (reasons.length > 0) return reasons;

    const sourceIndex = sourcePosition ?? -1;
    const saved: [number, number, number, number] = [
      sourceIndex >= 0 ? memory[sourceIndex]! : 0,
      sourceIndex >= 0 ? cpu[sourceIndex]! : 0,
      memory[targetPosition]!,
      cpu[targetPosition]!,
    ];
    const sourceBefore = sourceIndex >= 0 ? load(sourceIndex) : undefined;
    const targetBefore = load(targetPosition);
    if (sourceIndex >= 0) {
      memory[sourceIndex] = memory[sourceIndex]! - removeMemory;
      cpu[sourceIndex] = cpu[sourceIndex]! - addCpu;
    }
    memory[targetPosition] = memoryAfter;
    cpu[targetPosition] = cpu[targetPosition]! + addCpu;
    for (const group of index.antiAffinityOf.get(vmid) ?? [])
      shift(antiCounts[group]!, guest.node, targetNode);
    for (const group of index.affinityOf.get(vmid) ?? [])
      shift(affinityCounts[group]!, guest.node, targetNode);
    moved.set(vmid, targetNode);

    const recommendation: MigrationRecommendation = {
      vmid,
      name: guest.name,
      type: guest.kind,
      sourceNode: guest.node,
      targetNode,
      priority: candidate.priority,
      reasoning: candidate.reasoning,
      source: candidate.source,
      withLocalDisks: (guest.localDisks?.length ?? 0) > 0,
    };
    if (candidate.riskScore !== undefined) recommendation.riskScore = candidate.riskScore;
    if (candidate.confidence !== undefined) recommendation.confidence = candidate.confidence;
    if (candidate.estimatedImpact !== undefined) recommendation.estimatedImpact = candidate.estimatedImpact;
    if (candidate.bestTime !== undefined) recommendation.bestTime = candidate.bestTime;
    if (sourceBefore !== undefined) {
      recommendation.loads = {
        source: { before: sourceBefore, after: load(sourceIndex) },
        target: { before: targetBefore, after: load(targetPosition) },
      };
    }
    return { candidate, sourcePosition: sourceIndex, targetPosition, saved, recommendation };
  };

  const undo = (applied: Applied) => {
    const { candidate, sourcePosition, targetPosition, saved } = applied;
    if (sourcePosition >= 0) {
      memory[sourcePosition] = saved[0];
      cpu[sourcePosition] = saved[1];
    }
    memory[targetPosition] = saved[2];
    cpu[targetPosition] = saved[3];
    const { vmid, guest, targetNode } = candidate;
    for (const group of index.antiAffinityOf.get(vmid) ?? [])
      shift(antiCounts[group]!, targetNode, guest.node);
    for (const group of index.affinityOf.get(vmid) ?? [])
      shift(affinityCounts[group]!, targetNode, guest.node);
    moved.delete(vmid);
  };

  // Survivors linked through affinity groups are judged together, at the position of the first.
  const byComponent = new Map<number, Candidate[]>();
  for (const candidate of survivors) {
    const component = index.component.get(candidate.vmid);
    if (component === undefined) continue;
    const list = byComponent.get(component);
    if (list === undefined) byComponent.set(component, [candidate]);
    else list.push(candidate);
  }

  const accepted: Array<MigrationRecommendation | undefined> = new Array(itemCount);
  const done = new Set<number>();
  for (const first of survivors) {
    if (done.has(first.index)) continue;
    const component = index.component.get(first.vmid);
    const bundle = component === undefined ? [first] : byComponent.get(component)!;
    const groups = new Set<number>();
    for (const candidate of bundle) {
      done.add(candidate.index);
      for (const group of index.affinityOf.get(candidate.vmid) ?? []) groups.add(group);
    }
    const before = new Map<number, number>();
    for (const group of groups) before.set(group, affinityCounts[group]!.size);

    const applied: Applied[] = [];
    for (const candidate of bundle) {
      const outcome = tryApply(candidate);
      if (Array.isArray(outcome)) reject(candidate.index, candidate.item, outcome);
      else applied.push(outcome);
    }
    const split = [...groups].filter((group) => affinityCounts[group]!.size > before.get(group)!);
    if (split.length > 0 && applied.length > 0) {
      for (let position = applied.length - 1; position >= 0; position--) undo(applied[position]!);
      const names = split.map((group) => `"${index.affinityNames[group]}"`).join(', ');
      for (const entry of applied) {
        reject(entry.candidate.index, entry.candidate.item, [
          {
            code: 'affinity_split',
            message: `moving guest ${entry.candidate.vmid} (with the other accepted moves of its group) would spread affinity group ${names} over more nodes`,
          },
        ]);
      }
      continue;
    }
    for (const entry of applied) accepted[entry.candidate.index] = entry.recommendation;
  }
  return accepted;
}

const optionalString = (value: unknown) => value === undefined || value === null || typeof value === 'string';
const looseNumber = (value: unknown) => typeof value === 'number' || typeof value === 'string';

/** Same acceptance as {@link llmMigrationRecommendationSchema}, without allocating. */
function hasItemShape(view: Record<string, unknown>): view is LlmMigrationRecommendation {
  return (
    looseNumber(view.vmid) &&
    typeof view.source_node === 'string' &&
    typeof view.target_node === 'string' &&
    optionalString(view.name) &&
    optionalString(view.type) &&
    optionalString(view.priority) &&
    optionalString(view.reasoning) &&
    (view.risk_score === undefined || view.risk_score === null || looseNumber(view.risk_score)) &&
    (view.confidence === undefined || view.confidence === null || looseNumber(view.confidence)) &&
    optionalString(view.estimated_impact) &&
    optionalString(view.best_time)
  );
}

const itemFieldCodes: Record<string, MigrationReasonCode> = {
  priority: 'priority_invalid',
  risk_score: 'risk_out_of_range',
  confidence: 'confidence_out_of_range',
};
const issueFieldCodes: Record<string, PredictedIssueReasonCode> = { confidence: 'confidence_out_of_range' };

/** Groups zod issues by the reason code of their top-level field (`invalid_shape` by default). */
function groupIssues<Code extends string>(
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey> }>,
  codes: Record<string, Code>,
): Map<Code | 'invalid_shape', string[]> {
  const grouped = new Map<Code | 'invalid_shape', string[]>();
  for (const issue of issues) {
    const field = issue.path.map(String).join('.') || '(root)';
    const code = codes[String(issue.path[0])] ?? 'invalid_shape';
    const list = grouped.get(code);
    if (list === undefined) grouped.set(code, [field]);
    else if (!list.includes(field)) list.push(field);
  }
  return grouped;
}

function percent(used: number, total: number): string {
  return total > 0 ? `${((used / total) * 100).toFixed(1)} %` : 'infinity (no memory)';
}

function validateIssues(
  issues: readonly unknown[],
  index: ClusterIndex,
  repairs: Repair[],
  source: RecommendationSource,
): { predictedIssues: PredictedIssue[]; rejectedIssues: RejectedPredictedIssue[] } {
  const predictedIssues: PredictedIssue[] = [];
  const rejectedIssues: RejectedPredictedIssue[] = [];
  issues.forEach((item, position) => {
    const sink: RepairSink = { target: 'predicted_issue', index: position, repairs };
    const reasons: Array<Reason<PredictedIssueReasonCode>> = [];
    const parsed = llmPredictedIssueSchema.safeParse(item);
    if (!parsed.success) {
      const grouped = groupIssues(parsed.error.issues, issueFieldCodes);
      rejectedIssues.push({
        index: position,
        item,
        reasons: [...grouped].map(([code, fields]) => ({
          code,
          message: `missing or mistyped field(s): ${fields.join(', ')}`,
        })),
      });
      return;
    }
    const data = parsed.data;
    const node = data.node.trim();
    if (!index.nodes.has(node))
      reasons.push({ code: 'unknown_node', message: `node "${data.node}" does not exist` });
    const confidence = readLooseNumber(data.confidence, 'confidence', sink);
    if (!confidence.ok || confidence.value === undefined || confidence.value < 0 || confidence.value > 1) {
      reasons.push({ code: 'confidence_out_of_range', message: 'confidence must be a number in 0..1' });
    }
    const severity = readEnum(data.severity, 'severity', severities, sink);
    if (!severity.ok) reasons.push({ code: 'invalid_shape', message: severity.message });
    const value = readLooseNumber(data.predicted_value, 'predicted_value', sink);
    if (!value.ok) reasons.push({ code: 'invalid_shape', message: value.message });
    if (reasons.length > 0 || !confidence.ok || confidence.value === undefined) {
      rejectedIssues.push({ index: position, item, reasons });
      return;
    }
    const issue: PredictedIssue = {
      node,
      metric: data.metric,
      confidence: confidence.value,
      description: data.description ?? data.prediction ?? '',
      source,
    };
    if (severity.ok && severity.value !== undefined) issue.severity = severity.value;
    if (value.ok && value.value !== undefined) issue.predictedValue = value.value;
    predictedIssues.push(issue);
  });
  return { predictedIssues, rejectedIssues };
}
