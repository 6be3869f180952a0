import {
  type ClusterSnapshot,
  type IssueSeverity,
  type JsonPath,
  llmMigrationAdviceSchema,
  llmPredictedIssueSchema,
  type MigrationRecommendation,
  type PredictedIssue,
  type RecommendationSource,
  safeExtractJson,
  ValidationError,
} from '@ballast/core';
import { buildClusterIndex, type ClusterIndex, slotOf } from './cluster-index';
import { reject, type Settings, type Work } from './migration-work';
import { describe, isRecord, type RepairSink, readEnum, readLooseNumber } from './normalize';
import { guestBlockersOf, resolvePlacementPolicy, targetBlockersOf } from './placement-rules';
import {
  createMigrationItemReader,
  groupIssues,
  type MigrationReason,
  migrationPriorities,
  type NormalizedMigration,
  readMigrationItem,
} from './read-migration-item';
import type { MigrationReasonCode, PredictedIssueReasonCode, Reason, Repair } from './reason-codes';
import { replayCandidates } from './replay-migrations';

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

const severities: readonly IssueSeverity[] = ['low', 'medium', 'high', 'critical'];
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
  const { items, issues, analysis, conflicts } = readAdvice(advice, repairs, options.maxAdviceTextLength);
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
  const reader = createMigrationItemReader({ target: 'recommendation', index: 0, repairs }, scratch);
  for (let position = 0; position < count; position++) {
    reader.sink.index = position;
    scratch.length = 0;
    if (readMigrationItem(reader, items[position], position)) {
      const { normalized } = reader;
      checkItem(normalized, position, index, settings, scratch, work);
      const { vmid, targetNode } = normalized;
      if (vmid !== undefined && targetNode !== undefined) {
        work.vmidAt[position] = vmid;
        work.targetAt[position] = targetNode;
      }
    }
    if (scratch.length > 0) work.reasonsAt[position] = scratch.slice();
  }
  if (reader.parsedAt !== undefined) work.parsedAt = reader.parsedAt;
  for (const [position, fields] of conflicts.items) {
    // Before any other check passes judgement: which of the values the model meant is unknown.
    work.slotAt[position] = -1;
    addReason(work, position, { code: 'invalid_shape', message: conflictMessageOf(fields) });
  }

  markRepeatedMoves(work);

  const survivors: number[] = [];
  for (let position = 0; position < count; position++) {
    const reasons = work.reasonsAt[position];
    if (reasons !== undefined || work.slotAt[position]! < 0) reject(work, position, reasons ?? []);
    else survivors.push(position);
  }

  // Phase 2: replay survivors on a copy of the placement.
  const acceptedAt = replayCandidates(survivors, work);

  const accepted: MigrationRecommendation[] = [];
  const rejected: RejectedMigration[] = [];
  for (let position = 0; position < count; position++) {
    const recommendation = acceptedAt[position];
    if (recommendation !== undefined) accepted.push(recommendation);
    const rejection = work.rejectedAt[position];
    if (rejection !== undefined) rejected.push(rejection);
  }
  const { predictedIssues, rejectedIssues } = validateIssues(
    issues,
    index,
    repairs,
    settings.source,
    conflicts.issues,
  );
  const result: MigrationValidationResult = { accepted, rejected, repairs, predictedIssues, rejectedIssues };
  if (analysis !== undefined) result.analysis = analysis;
  return result;
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
  if (options.source !== undefined && options.source !== 'llm' && options.source !== 'rule') {
    throw invalid('options.source must be "llm" or "rule"', 'options.source', options.source);
  }
  const maxLength: unknown = options.maxAdviceTextLength;
  if (
    maxLength !== undefined &&
    !(
      (typeof maxLength === 'number' && Number.isInteger(maxLength) && maxLength >= 0) ||
      maxLength === Number.POSITIVE_INFINITY
    )
  ) {
    throw invalid(
      'options.maxAdviceTextLength must be a non-negative integer',
      'options.maxAdviceTextLength',
      maxLength,
    );
  }
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
  // The capacity checks compare these numbers: a NaN, an infinity or a negative one would make
  // every comparison pass (or fail) silently, so a snapshot carrying one is refused whole.
  const nodes = snapshot.nodes as unknown[];
  for (let position = 0; position < nodes.length; position++) {
    const node = nodes[position];
    const path = `snapshot.nodes.${position}`;
    if (!isRecord(node)) throw invalid(`${path} must be a node, got ${describe(node)}`, path);
    measure(node, path, 'cpu', ['cores', 'usageCores']);
    measure(node, path, 'memory', ['totalBytes', 'usedBytes']);
  }
  const guests = snapshot.guests as unknown[];
  for (let position = 0; position < guests.length; position++) {
    const guest = guests[position];
    const path = `snapshot.guests.${position}`;
    if (!isRecord(guest)) throw invalid(`${path} must be a guest, got ${describe(guest)}`, path);
    measure(guest, path, 'cpu', ['usageCores']);
    measure(guest, path, 'memory', ['maxBytes', 'usedBytes']);
  }
}

/** `owner[group][field]` must be a finite, non-negative number for each field. */
function measure(
  owner: Record<string, unknown>,
  path: string,
  group: string,
  fields: readonly string[],
): void {
  const values = owner[group];
  if (!isRecord(values))
    throw invalid(`${path}.${group} must be an object, got ${describe(values)}`, `${path}.${group}`);
  for (const field of fields) {
    const value = values[field];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      const at = `${path}.${group}.${field}`;
      throw invalid(`${at} must be a finite, non-negative number, got ${describe(value)}`, at, value);
    }
  }
}

/** Keys given twice with different values in model text, by item position (field paths within the item). */
interface Conflicts {
  items: Map<number, string[]>;
  issues: Map<number, string[]>;
}

const noConflicts: Conflicts = { items: new Map(), issues: new Map() };

function conflictMessageOf(fields: readonly string[]): string {
  return `${fields.map((field) => `"${field}"`).join(', ')} given twice with different values; which one the model meant is unknown (JSON keeps only the last)`;
}

/**
 * Sorts conflicting keys by where they are: inside one recommendation or predicted issue (that
 * item is refused), or anywhere else (the whole answer is refused: a second `recommendations`
 * list would silently replace the first).
 */
function sortConflicts(paths: readonly JsonPath[], bareArray: boolean): Conflicts {
  const conflicts: Conflicts = { items: new Map(), issues: new Map() };
  for (const path of paths) {
    const [head, second] = path;
    const list =
      bareArray && typeof head === 'number'
        ? conflicts.items
        : (head === 'recommendations' || head === 'predicted_issues') && typeof second === 'number'
          ? head === 'recommendations'
            ? conflicts.items
            : conflicts.issues
          : undefined;
    const position = bareArray ? head : second;
    if (list === undefined || typeof position !== 'number' || path.length < (bareArray ? 2 : 3)) {
      const where = path.join('.');
      throw new ValidationError({
        message: `advice gives "${where}" twice with different values; which one the model meant is unknown`,
        issues: [{ path: where, message: 'key given twice with different values', code: 'duplicate_key' }],
      });
    }
    const field = path.slice(bareArray ? 1 : 2).join('.');
    const fields = list.get(position);
    if (fields === undefined) list.set(position, [field]);
    else fields.push(field);
  }
  return conflicts;
}

function readAdvice(
  advice: unknown,
  repairs: Repair[],
  maxLength: number | undefined,
): {
  items: readonly unknown[];
  issues: readonly unknown[];
  analysis: string | undefined;
  conflicts: Conflicts;
} {
  let value = advice;
  let conflicts = noConflicts;
  if (typeof value === 'string') {
    const extracted = safeExtractJson(value, { maxLength });
    if (!extracted.ok) throw extracted.error;
    if (extracted.conflictingKeys !== undefined)
      conflicts = sortConflicts(extracted.conflictingKeys, Array.isArray(extracted.value));
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
  if (Array.isArray(value)) return { items: value, issues: [], analysis: undefined, conflicts };
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
    return { items: recommendations, issues: predicted ?? [], analysis: analysis ?? undefined, conflicts };
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
    conflicts,
  };
}

/**
 * Per-item checks against the cluster. When the item passes, it becomes a candidate: its guest
 * slot, priority, risk and confidence are stored in `work`'s columns.
 */
function checkItem(
  item: NormalizedMigration,
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
  work.priorityAt[position] = 1 + migrationPriorities.indexOf(item.priority);
  work.riskAt[position] = item.riskScore ?? Number.NaN;
  work.confidenceAt[position] = item.confidence ?? Number.NaN;
}

const issueFieldCodes: Record<string, PredictedIssueReasonCode> = { confidence: 'confidence_out_of_range' };

function validateIssues(
  issues: readonly unknown[],
  index: ClusterIndex,
  repairs: Repair[],
  source: RecommendationSource,
  conflicts: ReadonlyMap<number, string[]>,
): { predictedIssues: PredictedIssue[]; rejectedIssues: RejectedPredictedIssue[] } {
  const predictedIssues: PredictedIssue[] = [];
  const rejectedIssues: RejectedPredictedIssue[] = [];
  // Indexed (not `forEach`): a hole reads as `undefined` and is reported, as the schema's copy did.
  for (let position = 0; position < issues.length; position++) {
    const item = issues[position];
    const sink: RepairSink = { target: 'predicted_issue', index: position, repairs };
    const reasons: Array<Reason<PredictedIssueReasonCode>> = [];
    const conflicting = conflicts.get(position);
    if (conflicting !== undefined) {
      rejectedIssues.push({
        index: position,
        item,
        reasons: [{ code: 'invalid_shape', message: conflictMessageOf(conflicting) }],
      });
      continue;
    }
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
