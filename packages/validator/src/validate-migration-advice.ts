import {
  type ClusterSnapshot,
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
import { buildClusterIndex, type ClusterIndex, slotOf } from './cluster-index';
import {
  describe,
  isRecord,
  type ReadOut,
  type RepairSink,
  readEnum,
  readEnumInto,
  readLooseNumber,
  readLooseNumberInto,
  readOut,
  readTrimmedStringInto,
  recordRepair,
} from './normalize';
import {
  capacityBlockersOf,
  guestBlockersOf,
  guestDemand,
  type PlacementPolicy,
  resolvePlacementPolicy,
  targetBlockersOf,
} from './placement-rules';
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
  /**
   * Target memory after every accepted move must stay ≤ this fraction of its total. Default 0.9. A
   * stopped guest adds nothing but must still fit (its configured memory) when it starts.
   */
  maxMemoryRatio?: number;
  /**
   * Target CPU (cores in use now) after every accepted move must stay ≤ this fraction of its cores.
   * Default 1: a move never leaves a node above 100 % CPU.
   */
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
  /**
   * Longest advice given as model text, in characters. Default `DEFAULT_MAX_MODEL_TEXT_LENGTH`
   * (1 000 000) from `@ballast/core`. Longer text is refused with a `ValidationError` (issue code
   * `input_too_large`) before it is parsed.
   */
  maxAdviceTextLength?: number;
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

/**
 * One item after normalisation. A single object per call is reused for every item (the accept
 * path allocates nothing per item until a recommendation is produced).
 */
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
  source: RecommendationSource | undefined;
}

type MigrationReason = Reason<MigrationReasonCode>;

/**
 * Per-call working state, indexed by item position. Candidates (items that passed every per-item
 * check) are kept as columns of typed arrays rather than one object each; their strings are read
 * back from the item itself when a recommendation is built.
 */
interface Work {
  items: readonly unknown[];
  index: ClusterIndex;
  settings: Settings;
  /** Reasons per position (only for positions that have some). */
  reasonsAt: Array<MigrationReason[] | undefined>;
  rejectedAt: Array<RejectedMigration | undefined>;
  /** Normalised vmid / target per position (when both are valid), for duplicate detection. */
  vmidAt: Array<number | undefined>;
  targetAt: Array<string | undefined>;
  /** Guest slot of a candidate, -1 otherwise. */
  slotAt: Int32Array;
  /** 1 + index in `priorities` of a candidate. */
  priorityAt: Uint8Array;
  /** NaN when absent (valid values are always finite). */
  riskAt: Float64Array;
  confidenceAt: Float64Array;
  /** The schema's output for the (rare) items that only the schema accepted. */
  parsedAt?: Map<number, LlmMigrationRecommendation>;
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
 * The snapshot is indexed afresh on every call (nothing is cached across calls, so editing a
 * snapshot in place between calls is always seen).
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
  const { items, issues, analysis } = readAdvice(advice, repairs, options.maxAdviceTextLength);
  const index = buildClusterIndex(snapshot);
  const count = items.length;

  const work: Work = {
    items,
    index,
    settings,
    reasonsAt: new Array(count),
    rejectedAt: new Array(count),
    vmidAt: new Array(count),
    targetAt: new Array(count),
    slotAt: new Int32Array(count).fill(-1),
    priorityAt: new Uint8Array(count),
    riskAt: new Float64Array(count),
    confidenceAt: new Float64Array(count),
  };

  // Phase 1: shape and per-item checks. Reasons go to one scratch list, copied only on rejection.
  const scratch: MigrationReason[] = [];
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
    source: undefined,
  };
  const out = readOut<never>();
  const sink: RepairSink = { target: 'recommendation', index: 0, repairs };
  for (let position = 0; position < count; position++) {
    const item = items[position];
    sink.index = position;
    scratch.length = 0;
    if (normalizeItem(item, sink, scratch, normalized, out, work, position)) {
      checkItem(normalized, position, index, settings, scratch, work);
      const { vmid, targetNode } = normalized;
      if (vmid !== undefined && targetNode !== undefined) {
        work.vmidAt[position] = vmid;
        work.targetAt[position] = targetNode;
      }
    }
    if (scratch.length > 0) work.reasonsAt[position] = scratch.slice();
  }

  markRepeatedMoves(work);

  const survivors: number[] = [];
  for (let position = 0; position < count; position++) {
    const reasons = work.reasonsAt[position];
    if (reasons !== undefined || work.slotAt[position]! < 0) reject(work, position, reasons ?? []);
    else survivors.push(position);
  }

  // Phase 2: replay survivors on a copy of the placement.
  const acceptedAt = replay(survivors, work);

  const accepted: MigrationRecommendation[] = [];
  const rejected: RejectedMigration[] = [];
  for (let position = 0; position < count; position++) {
    const recommendation = acceptedAt[position];
    if (recommendation !== undefined) accepted.push(recommendation);
    const rejection = work.rejectedAt[position];
    if (rejection !== undefined) rejected.push(rejection);
  }
  const { predictedIssues, rejectedIssues } = validateIssues(issues, index, repairs, settings.source);
  const result: MigrationValidationResult = { accepted, rejected, repairs, predictedIssues, rejectedIssues };
  if (analysis !== undefined) result.analysis = analysis;
  return result;
}

/** Appends to a list created on first use. */
function appendReason(reasons: MigrationReason[] | undefined, reason: MigrationReason): MigrationReason[] {
  if (reasons === undefined) return [reason];
  reasons.push(reason);
  return reasons;
}

function reject(work: Work, position: number, reasons: MigrationReason[]): void {
  const existing = work.rejectedAt[position];
  if (existing === undefined)
    work.rejectedAt[position] = { index: position, item: work.items[position], reasons };
  else existing.reasons.push(...reasons);
}

/** Appends a reason into an exactly sized list (`push` would grow the list's store to 17 slots). */
function addReason(work: Work, position: number, reason: MigrationReason): void {
  const reasons = work.reasonsAt[position];
  if (reasons === undefined) {
    work.reasonsAt[position] = [reason];
    return;
  }
  const grown: MigrationReason[] = new Array(reasons.length + 1);
  for (let at = 0; at < reasons.length; at++) grown[at] = reasons[at]!;
  grown[reasons.length] = reason;
  work.reasonsAt[position] = grown;
}

/** `guest 101 is moved to "pve2", "pve3" in one answer`. */
function conflictMessage(vmid: number, targets: readonly string[]): string {
  if (targets.length === 2) return `guest ${vmid} is moved to "${targets[0]}", "${targets[1]}" in one answer`;
  let list = `"${targets[0]}"`;
  for (let at = 1; at < targets.length; at++) list += `, "${targets[at]}"`;
  return `guest ${vmid} is moved to ${list} in one answer`;
}

/**
 * `duplicate_move` / `conflicting_move`: a vmid given twice with the same target (the first is
 * kept) or with different targets (all are rejected). Vmids are keyed by guest slot (unknown
 * vmids after them), positions of one key are chained in an `Int32Array`.
 */
function markRepeatedMoves(work: Work): void {
  const { vmidAt, targetAt, index } = work;
  const count = vmidAt.length;
  const guestCount = index.guestList.length;
  const keyAt = new Int32Array(count);
  let unknown: Map<number, number> | undefined;
  for (let position = 0; position < count; position++) {
    const vmid = vmidAt[position];
    if (vmid === undefined) {
      keyAt[position] = -1;
      continue;
    }
    let key: number | undefined = slotOf(index, vmid);
    if (key < 0) {
      unknown ??= new Map();
      key = unknown.get(vmid);
      if (key === undefined) {
        key = guestCount + unknown.size;
        unknown.set(vmid, key);
      }
    }
    keyAt[position] = key;
  }
  const keyCount = guestCount + (unknown?.size ?? 0);
  const firstAt = new Int32Array(keyCount).fill(-1);
  const lastAt = new Int32Array(keyCount);
  const nextAt = new Int32Array(count);
  // 0: given once, 1: repeated with one target, 2: different targets.
  const state = new Uint8Array(keyCount);
  let anyRepeated = false;
  for (let position = 0; position < count; position++) {
    const key = keyAt[position]!;
    if (key < 0) continue;
    const first = firstAt[key]!;
    if (first < 0) firstAt[key] = position;
    else {
      anyRepeated = true;
      nextAt[lastAt[key]!] = position;
      if (state[key] === 0) state[key] = 1;
      if (targetAt[position] !== targetAt[first]) state[key] = 2;
    }
    lastAt[key] = position;
  }
  if (!anyRepeated) return;

  const conflictMessages: Array<string | undefined> = new Array(keyCount);
  const targets: string[] = [];
  for (let position = 0; position < count; position++) {
    const key = keyAt[position]!;
    if (key < 0 || state[key] === 0) continue;
    const vmid = vmidAt[position]!;
    const first = firstAt[key]!;
    if (state[key] === 2) {
      let message = conflictMessages[key];
      if (message === undefined) {
        // Distinct targets in order of first appearance.
        targets.length = 0;
        for (let at = first; ; at = nextAt[at]!) {
          const target = targetAt[at]!;
          if (!targets.includes(target)) targets.push(target);
          if (at === lastAt[key]) break;
        }
        message = conflictMessage(vmid, targets);
        conflictMessages[key] = message;
      }
      addReason(work, position, { code: 'conflicting_move', message });
    } else if (first !== position) {
      addReason(work, position, {
        code: 'duplicate_move',
        message: `guest ${vmid} → "${targetAt[first]}" repeats recommendation #${first}`,
      });
    }
  }
}

interface Settings {
  policy: PlacementPolicy;
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
  const policy = resolvePlacementPolicy({
    ...(options.maxMemoryRatio === undefined ? {} : { maxMemoryRatio: options.maxMemoryRatio }),
    ...(options.maxCpuRatio === undefined ? {} : { maxCpuRatio: options.maxCpuRatio }),
    ...(options.memoryBasis === undefined ? {} : { memoryBasis: options.memoryBasis }),
    ...(options.allowLocalDisks === undefined ? {} : { allowLocalDisks: options.allowLocalDisks }),
    ...(options.allowHaManaged === undefined ? {} : { allowHaManaged: options.allowHaManaged }),
    ...(options.enforceNonStrictPins === undefined
      ? {}
      : { enforceNonStrictPins: options.enforceNonStrictPins }),
  });
  return { policy, source: options.source ?? 'llm' };
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
  maxLength: number | undefined,
): { items: readonly unknown[]; issues: readonly unknown[]; analysis: string | undefined } {
  let value = advice;
  if (typeof value === 'string') {
    const extracted = safeExtractJson(value, { maxLength });
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
  // Fast path for the common, well-formed case: exactly what the schema accepts, without the copy
  // of every list it makes. Anything else goes through the schema (and its error messages).
  const { recommendations, predicted_issues: predicted, analysis, success } = value;
  if (
    Array.isArray(recommendations) &&
    (predicted === undefined || predicted === null || Array.isArray(predicted)) &&
    (analysis === undefined || analysis === null || typeof analysis === 'string') &&
    (success === undefined || success === null || typeof success === 'boolean')
  ) {
    return { items: recommendations, issues: predicted ?? [], analysis: analysis ?? undefined };
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

const twinFields: ReadonlyArray<readonly [string, string]> = [
  ['source_node', 'sourceNode'],
  ['target_node', 'targetNode'],
  ['risk_score', 'riskScore'],
  ['estimated_impact', 'estimatedImpact'],
  ['best_time', 'bestTime'],
];

/** `conflicting_fields`: a field given in both spellings with different values (no guess which one). */
function conflictingFields(item: Record<string, unknown>, reasons: MigrationReason[]): void {
  for (const [snake, camel] of twinFields) {
    const a = item[snake];
    const b = item[camel];
    if (a === undefined || b === undefined || a === null || b === null) continue;
    const same = typeof a === 'string' && typeof b === 'string' ? a.trim() === b.trim() : Object.is(a, b);
    if (!same) {
      reasons.push({
        code: 'conflicting_fields',
        message: `${snake} ${describe(a)} and ${camel} ${describe(b)} disagree`,
      });
    }
  }
}

function pick(item: Record<string, unknown>, snake: string, camel: string): unknown {
  const value = item[snake];
  return value === undefined ? item[camel] : value;
}

/**
 * Normalises one item into `normalized` (reused across items), pushing reasons to `reasons`.
 * Returns `false` when the item does not even have the expected shape.
 */
function normalizeItem(
  item: unknown,
  sink: RepairSink,
  reasons: MigrationReason[],
  normalized: Normalized,
  out: ReadOut<unknown>,
  work: Work,
  position: number,
): boolean {
  if (!isRecord(item)) {
    reasons.push({
      code: 'invalid_shape',
      message: `recommendation must be an object, got ${describe(item)}`,
    });
    return false;
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
    if (parsed.success) {
      data = parsed.data;
      work.parsedAt ??= new Map();
      work.parsedAt.set(position, data);
    } else {
      for (const [code, fields] of groupIssues(parsed.error.issues, itemFieldCodes)) {
        reasons.push({ code, message: `missing or mistyped field(s): ${fields.join(', ')}` });
      }
      return false;
    }
  }
  normalized.vmid = undefined;
  normalized.name = undefined;
  normalized.kind = undefined;
  normalized.sourceNode = undefined;
  normalized.targetNode = undefined;
  normalized.priority = undefined;
  normalized.reasoning = undefined;
  normalized.riskScore = undefined;
  normalized.confidence = undefined;
  // An item's own `source` is never trusted (a model may claim to be the rule planner).
  normalized.source = undefined;

  const numberOut = out as ReadOut<number>;
  const stringOut = out as ReadOut<string>;
  const vmidOk = readLooseNumberInto(data.vmid, 'vmid', sink, numberOut);
  const vmid = numberOut.value;
  if (!vmidOk || vmid === undefined || !Number.isInteger(vmid) || vmid <= 0) {
    reasons.push({
      code: 'invalid_shape',
      message: `vmid must be a positive integer, got ${describe(data.vmid)}`,
    });
  } else normalized.vmid = vmid;

  if (!readTrimmedStringInto(data.source_node, 'source_node', sink, stringOut) || !stringOut.value)
    reasons.push({ code: 'invalid_shape', message: 'source_node must be a node name' });
  else normalized.sourceNode = stringOut.value;
  if (!readTrimmedStringInto(data.target_node, 'target_node', sink, stringOut) || !stringOut.value)
    reasons.push({ code: 'invalid_shape', message: 'target_node must be a node name' });
  else normalized.targetNode = stringOut.value;

  if (typeof data.reasoning !== 'string' || data.reasoning.trim() === '') {
    reasons.push({ code: 'reasoning_missing', message: 'reasoning is required (and may not be blank)' });
  } else normalized.reasoning = data.reasoning;
  if (view !== item) conflictingFields(item, reasons);

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

  const priorityOut = out as ReadOut<MigrationPriority>;
  if (!readEnumInto(data.priority, 'priority', priorities, sink, priorityOut))
    reasons.push({ code: 'priority_invalid', message: priorityOut.message });
  else if (priorityOut.value === undefined)
    reasons.push({ code: 'priority_invalid', message: 'priority is required' });
  else normalized.priority = priorityOut.value;

  if (!readLooseNumberInto(data.risk_score, 'risk_score', sink, numberOut))
    reasons.push({ code: 'risk_out_of_range', message: numberOut.message });
  else {
    const risk = numberOut.value;
    if (risk !== undefined && (risk < 0 || risk > 100)) {
      reasons.push({ code: 'risk_out_of_range', message: `risk_score ${risk} is outside 0..100` });
    } else normalized.riskScore = risk;
  }

  if (!readLooseNumberInto(data.confidence, 'confidence', sink, numberOut))
    reasons.push({ code: 'confidence_out_of_range', message: numberOut.message });
  else {
    const confidence = numberOut.value;
    if (confidence !== undefined && (confidence < 0 || confidence > 1)) {
      reasons.push({
        code: 'confidence_out_of_range',
        message: `confidence ${confidence} is outside 0..1`,
      });
    } else normalized.confidence = confidence;
  }
  return true;
}

/**
 * Per-item checks against the cluster. When the item passes, it becomes a candidate: its guest
 * slot, priority, risk and confidence are stored in `work`'s columns.
 */
function checkItem(
  item: Normalized,
  position: number,
  index: ClusterIndex,
  settings: Settings,
  reasons: MigrationReason[],
  work: Work,
): void {
  const { vmid, targetNode, sourceNode } = item;
  if (vmid === undefined) return;
  const slot = slotOf(index, vmid);
  const guest = slot < 0 ? undefined : index.guestList[slot]!;
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
    guestBlockersOf(index, settings.policy, guest, reasons);
  }
  if (targetNode !== undefined) {
    if (guest !== undefined) targetBlockersOf(index, settings.policy, guest, targetNode, reasons, sourceNode);
    else {
      const nodePosition = index.nodeIndex.get(targetNode);
      const node = nodePosition === undefined ? undefined : index.nodeList[nodePosition]!;
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
      if (targetNode === sourceNode) {
        reasons.push({ code: 'self_move', message: `source and target are both "${targetNode}"` });
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
    return;
  }
  work.slotAt[position] = slot;
  work.priorityAt[position] = 1 + priorities.indexOf(item.priority);
  work.riskAt[position] = item.riskScore ?? Number.NaN;
  work.confidenceAt[position] = item.confidence ?? Number.NaN;
}

/** Fields of a candidate that are read back from the item (or its parsed form) when it is accepted. */
function itemData(work: Work, position: number): Record<string, unknown> {
  return (work.parsedAt?.get(position) ?? work.items[position]) as Record<string, unknown>;
}

/**
 * Replays the candidates in order on a copy of the placement. Per-node memory / CPU live in
 * `Float64Array`s and each guest's current node in an `Int32Array` (by slot); anti-affinity and
 * affinity are counted on demand over the (small) member lists of the guest's groups, so nothing
 * is allocated for a move unless it is accepted (its recommendation) or rejected (its reasons).
 */
function replay(survivors: readonly number[], work: Work): Array<MigrationRecommendation | undefined> {
  const { index, settings, items } = work;
  const { nodeList, guestList } = index;
  const nodeCount = nodeList.length;
  const memory = new Float64Array(nodeCount);
  const cpu = new Float64Array(nodeCount);
  for (let position = 0; position < nodeCount; position++) {
    const node = nodeList[position]!;
    memory[position] = node.memory.usedBytes;
    cpu[position] = node.cpu.usageCores;
  }
  // Node position a guest has been moved to in this replay, -1 while it has not moved.
  const movedTo = new Int32Array(guestList.length).fill(-1);
  const nodeOf = (slot: number): string => {
    const moved = movedTo[slot]!;
    return moved >= 0 ? nodeList[moved]!.name : guestList[slot]!.node;
  };
  /** Number of distinct nodes the members of an affinity group are on. */
  const spread = (members: readonly number[]): number => {
    if (members.length > 32) {
      const nodes = new Set<string>();
      for (const slot of members) nodes.add(nodeOf(slot));
      return nodes.size;
    }
    let distinct = 0;
    outer: for (let at = 0; at < members.length; at++) {
      const node = nodeOf(members[at]!);
      for (let before = 0; before < at; before++) if (nodeOf(members[before]!) === node) continue outer;
      distinct++;
    }
    return distinct;
  };

  const load = (position: number): NodeLoad => {
    const node = nodeList[position]!;
    return {
      cpuCores: Math.max(0, cpu[position]!),
      cpuTotalCores: node.cpu.cores,
      memoryUsedBytes: Math.max(0, memory[position]!),
      memoryTotalBytes: node.memory.totalBytes,
    };
  };

  /** Checks and applies one candidate; rejects it (returning `undefined`) when it does not fit. */
  const tryApply = (position: number): MigrationRecommendation | undefined => {
    const slot = work.slotAt[position]!;
    const guest = guestList[slot]!;
    const vmid = work.vmidAt[position]!;
    const targetNode = work.targetAt[position]!;
    const sourcePosition = index.nodeIndex.get(guest.node);
    const targetPosition = index.nodeIndex.get(targetNode)!;
    let reasons: MigrationReason[] | undefined;
    const antiGroups = index.antiAffinityOf.get(vmid);
    if (antiGroups !== undefined) {
      for (const group of antiGroups) {
        // The guest itself is on its source, never on the target (`self_move`).
        let other: number | undefined;
        for (const member of index.antiAffinityMembers[group]!) {
          if (member !== slot && nodeOf(member) === targetNode) {
            other = member;
            break;
          }
        }
        if (other === undefined) continue;
        reasons = appendReason(reasons, {
          code: 'anti_affinity_violated',
          message: `guest ${guestList[other]!.vmid} of anti-affinity group "${index.antiAffinityNames[group]}" is ${
            movedTo[other]! >= 0 ? 'moving' : 'already'
          } on "${targetNode}"`,
        });
      }
    }
    const demand = guestDemand(guest, settings.policy);
    const addCpu = demand.cpu;
    const removeMemory = demand.sourceMemory;
    const target = nodeList[targetPosition]!;
    const memoryAfter = memory[targetPosition]! + demand.targetMemory;
    const capacity = capacityBlockersOf(
      settings.policy,
      guest,
      target,
      memory[targetPosition]!,
      cpu[targetPosition]!,
      [],
    );
    for (const reason of capacity) reasons = appendReason(reasons, reason);
    if (reasons !== undefined) {
      reject(work, position, reasons);
      return undefined;
    }

    const sourceIndex = sourcePosition ?? -1;
    const sourceBefore = sourceIndex >= 0 ? load(sourceIndex) : undefined;
    const targetBefore = load(targetPosition);
    if (sourceIndex >= 0) {
      memory[sourceIndex] = memory[sourceIndex]! - removeMemory;
      cpu[sourceIndex] = cpu[sourceIndex]! - addCpu;
    }
    memory[targetPosition] = memoryAfter;
    cpu[targetPosition] = cpu[targetPosition]! + addCpu;
    movedTo[slot] = targetPosition;

    const data = itemData(work, position);
    // Whoever produced the advice is the caller's `source`: an item cannot claim to be the rule.
    const source = settings.source;
    const recommendation: MigrationRecommendation = {
      vmid,
      name: guest.name,
      type: guest.kind,
      sourceNode: guest.node,
      targetNode,
      priority: priorities[work.priorityAt[position]! - 1]!,
      reasoning: data.reasoning as string,
      source,
      withLocalDisks: (guest.localDisks?.length ?? 0) > 0,
    };
    const riskScore = work.riskAt[position]!;
    if (!Number.isNaN(riskScore)) recommendation.riskScore = riskScore;
    const confidence = work.confidenceAt[position]!;
    if (!Number.isNaN(confidence)) recommendation.confidence = confidence;
    const estimatedImpact = pick(data, 'estimated_impact', 'estimatedImpact') as string | null | undefined;
    if (estimatedImpact !== undefined && estimatedImpact !== null)
      recommendation.estimatedImpact = estimatedImpact;
    const bestTime = pick(data, 'best_time', 'bestTime') as string | null | undefined;
    if (bestTime !== undefined && bestTime !== null) recommendation.bestTime = bestTime;
    if (sourceBefore !== undefined) {
      recommendation.loads = {
        source: { before: sourceBefore, after: load(sourceIndex) },
        target: { before: targetBefore, after: load(targetPosition) },
      };
    }
    return recommendation;
  };

  // Survivors linked through affinity groups are judged together, at the position of the first.
  let byComponent: Map<number, number[]> | undefined;
  for (const position of survivors) {
    const component = index.component.get(work.vmidAt[position]!);
    if (component === undefined) continue;
    byComponent ??= new Map();
    const list = byComponent.get(component);
    if (list === undefined) byComponent.set(component, [position]);
    else list.push(position);
  }

  const accepted: Array<MigrationRecommendation | undefined> = new Array(items.length);
  let done: Uint8Array | undefined;
  for (const first of survivors) {
    const component = index.component.get(work.vmidAt[first]!);
    if (component === undefined) {
      // Not in any affinity group: judged alone.
      const recommendation = tryApply(first);
      if (recommendation !== undefined) accepted[first] = recommendation;
      continue;
    }
    done ??= new Uint8Array(items.length);
    if (done[first] === 1) continue;
    const bundle = byComponent!.get(component)!;
    const groups: number[] = [];
    for (const position of bundle) {
      done[position] = 1;
      const of = index.affinityOf.get(work.vmidAt[position]!);
      if (of === undefined) continue;
      for (const group of of) if (!groups.includes(group)) groups.push(group);
    }
    const before = groups.map((group) => spread(index.affinityMembers[group]!));

    // Applied moves with the placement values they overwrote, to undo them.
    const applied: Array<{ position: number; recommendation: MigrationRecommendation; saved: number[] }> = [];
    for (const position of bundle) {
      const guest = guestList[work.slotAt[position]!]!;
      const sourceIndex = index.nodeIndex.get(guest.node) ?? -1;
      const targetPosition = index.nodeIndex.get(work.targetAt[position]!)!;
      const saved = [
        sourceIndex >= 0 ? memory[sourceIndex]! : 0,
        sourceIndex >= 0 ? cpu[sourceIndex]! : 0,
        memory[targetPosition]!,
        cpu[targetPosition]!,
        sourceIndex,
        targetPosition,
      ];
      const recommendation = tryApply(position);
      if (recommendation !== undefined) applied.push({ position, recommendation, saved });
    }
    const split = groups.filter((group, at) => spread(index.affinityMembers[group]!) > before[at]!);
    if (split.length > 0 && applied.length > 0) {
      for (let at = applied.length - 1; at >= 0; at--) {
        const { position, saved } = applied[at]!;
        const [sourceMemory, sourceCpu, targetMemory, targetCpu, sourceIndex, targetPosition] = saved as [
          number,
          number,
          number,
          number,
          number,
          number,
        ];
        if (sourceIndex >= 0) {
          memory[sourceIndex] = sourceMemory;
          cpu[sourceIndex] = sourceCpu;
        }
        memory[targetPosition] = targetMemory;
        cpu[targetPosition] = targetCpu;
        movedTo[work.slotAt[position]!] = -1;
      }
      const names = split.map((group) => `"${index.affinityNames[group]}"`).join(', ');
      for (const { position } of applied) {
        reject(work, position, [
          {
            code: 'affinity_split',
            message: `moving guest ${work.vmidAt[position]} (with the other accepted moves of its group) would spread affinity group ${names} over more nodes`,
          },
        ]);
      }
      continue;
    }
    for (const { position, recommendation } of applied) accepted[position] = recommendation;
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

function validateIssues(
  issues: readonly unknown[],
  index: ClusterIndex,
  repairs: Repair[],
  source: RecommendationSource,
): { predictedIssues: PredictedIssue[]; rejectedIssues: RejectedPredictedIssue[] } {
  const predictedIssues: PredictedIssue[] = [];
  const rejectedIssues: RejectedPredictedIssue[] = [];
  // Indexed (not `forEach`): a hole reads as `undefined` and is reported, as the schema's copy did.
  for (let position = 0; position < issues.length; position++) {
    const item = issues[position];
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
      continue;
    }
    const data = parsed.data;
    const node = data.node.trim();
    if (!index.nodeIndex.has(node))
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
      continue;
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
  }
  return { predictedIssues, rejectedIssues };
}
