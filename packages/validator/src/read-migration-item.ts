import {
  type LlmMigrationRecommendation,
  llmMigrationRecommendationSchema,
  type MigrationPriority,
  type RecommendationSource,
} from '@ballast/core';
import {
  describe,
  isRecord,
  type ReadOut,
  type RepairSink,
  readEnumInto,
  readLooseNumberInto,
  readTrimmedStringInto,
  recordRepair,
} from './normalize';
import type { MigrationReasonCode, Reason } from './reason-codes';

/**
 * Reading one migration recommendation as a model wrote it (snake_case or camelCase, numbers as
 * strings, `qemu` for a VM) into plain fields, with a reason for every field that cannot be read.
 * Nothing here looks at the cluster: that is `checkItem`'s job in validate-migration-advice.ts.
 *
 * The validator runs this once per item on advice of any size, so it reuses one
 * {@link NormalizedMigration} and one out-parameter across items instead of allocating per field.
 */

/** @internal */
export type MigrationReason = Reason<MigrationReasonCode>;

/** One item's fields once read; `undefined` where the item had none or it could not be read. @internal */
export interface NormalizedMigration {
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

/**
 * What reading the items of one call shares: where repairs and reasons go, the reused result and
 * out-parameter, and the schema's output for the (rare) items only the schema accepted. @internal
 */
export interface MigrationItemReader {
  sink: RepairSink;
  reasons: MigrationReason[];
  normalized: NormalizedMigration;
  out: ReadOut<unknown>;
  parsedAt: Map<number, LlmMigrationRecommendation> | undefined;
}

/** Priorities a model may give, in rising order (the validator stores `1 + index`). @internal */
export const migrationPriorities: readonly MigrationPriority[] = ['low', 'medium', 'high', 'critical'];

const kindAliases: Record<string, 'vm' | 'ct'> = {
  vm: 'vm',
  qemu: 'vm',
  kvm: 'vm',
  ct: 'ct',
  lxc: 'ct',
  container: 'ct',
};

const itemFieldCodes: Record<string, MigrationReasonCode> = {
  priority: 'priority_invalid',
  risk_score: 'risk_out_of_range',
  confidence: 'confidence_out_of_range',
};

const twinFields: ReadonlyArray<readonly [string, string]> = [
  ['source_node', 'sourceNode'],
  ['target_node', 'targetNode'],
  ['risk_score', 'riskScore'],
  ['estimated_impact', 'estimatedImpact'],
  ['best_time', 'bestTime'],
];

/** @internal */
export function createMigrationItemReader(sink: RepairSink, reasons: MigrationReason[]): MigrationItemReader {
  return {
    sink,
    reasons,
    normalized: {
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
    },
    out: { value: undefined, message: '' },
    parsedAt: undefined,
  };
}

/**
 * Reads the item at `position` into `reader.normalized`, pushing a reason to `reader.reasons` for
 * each field it cannot read. Returns `false` when the item does not even have the expected shape
 * (then nothing else is checked). @internal
 */
export function readMigrationItem(reader: MigrationItemReader, item: unknown, position: number): boolean {
  if (!isRecord(item)) {
    reader.reasons.push({
      code: 'invalid_shape',
      message: `recommendation must be an object, got ${describe(item)}`,
    });
    return false;
  }
  const view = isSnakeCase(item) ? item : snakeCaseView(item);
  const data = shapedItem(reader, view, position);
  if (data === undefined) return false;
  clearNormalized(reader.normalized);
  readIdentity(reader, data);
  if (view !== item) conflictingFields(item, reader.reasons);
  readKind(reader, data);
  readPriority(reader, data);
  readScores(reader, data);
  return true;
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

/** The item in snake_case, taking the camelCase twin where the snake_case field is absent. */
function snakeCaseView(item: Record<string, unknown>): Record<string, unknown> {
  return {
    vmid: item.vmid,
    name: item.name,
    type: item.type,
    source_node: pickTwin(item, 'source_node', 'sourceNode'),
    target_node: pickTwin(item, 'target_node', 'targetNode'),
    priority: item.priority,
    reasoning: item.reasoning,
    risk_score: pickTwin(item, 'risk_score', 'riskScore'),
    confidence: item.confidence,
    estimated_impact: pickTwin(item, 'estimated_impact', 'estimatedImpact'),
    best_time: pickTwin(item, 'best_time', 'bestTime'),
  };
}

/** A field in snake_case, or its camelCase twin when the snake_case one is absent. @internal */
export function pickTwin(item: Record<string, unknown>, snake: string, camel: string): unknown {
  const value = item[snake];
  return value === undefined ? item[camel] : value;
}

/**
 * The item typed, or `undefined` with reasons when its fields have the wrong types. A fast
 * structural check accepts the common case; the schema runs only to accept what it coerces and to
 * explain what is wrong.
 */
function shapedItem(
  reader: MigrationItemReader,
  view: Record<string, unknown>,
  position: number,
): LlmMigrationRecommendation | undefined {
  if (hasItemShape(view)) return view;
  const parsed = llmMigrationRecommendationSchema.safeParse(view);
  if (parsed.success) {
    reader.parsedAt ??= new Map();
    reader.parsedAt.set(position, parsed.data);
    return parsed.data;
  }
  for (const [code, fields] of groupIssues(parsed.error.issues, itemFieldCodes)) {
    reader.reasons.push({ code, message: `missing or mistyped field(s): ${fields.join(', ')}` });
  }
  return undefined;
}

function clearNormalized(normalized: NormalizedMigration): void {
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
}

/** Which guest moves where, why, and its name: everything a recommendation cannot do without. */
function readIdentity(reader: MigrationItemReader, data: LlmMigrationRecommendation): void {
  const { sink, reasons, normalized } = reader;
  const numberOut = reader.out as ReadOut<number>;
  const stringOut = reader.out as ReadOut<string>;
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

  if (data.name !== undefined && data.name !== null) normalized.name = data.name.trim();
}

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

/** VM or CT, under any of the names models use for them (`qemu`, `lxc`, ...), recorded as a repair. */
function readKind(reader: MigrationItemReader, data: LlmMigrationRecommendation): void {
  if (data.type === undefined || data.type === null) return;
  const alias = kindAliases[data.type.trim().toLowerCase()];
  if (alias === undefined) {
    reader.reasons.push({ code: 'invalid_shape', message: `type ${describe(data.type)} is not VM or CT` });
    return;
  }
  if (alias !== data.type) {
    recordRepair(
      reader.sink,
      'type',
      'kind_alias',
      data.type,
      alias,
      `type ${JSON.stringify(data.type)} read as "${alias}"`,
    );
  }
  reader.normalized.kind = alias;
}

function readPriority(reader: MigrationItemReader, data: LlmMigrationRecommendation): void {
  const priorityOut = reader.out as ReadOut<MigrationPriority>;
  if (!readEnumInto(data.priority, 'priority', migrationPriorities, reader.sink, priorityOut))
    reader.reasons.push({ code: 'priority_invalid', message: priorityOut.message });
  else if (priorityOut.value === undefined)
    reader.reasons.push({ code: 'priority_invalid', message: 'priority is required' });
  else reader.normalized.priority = priorityOut.value;
}

/** Risk (0..100 as models write it) and confidence (0..1), both optional. */
function readScores(reader: MigrationItemReader, data: LlmMigrationRecommendation): void {
  const { sink, reasons, normalized } = reader;
  const numberOut = reader.out as ReadOut<number>;
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

/** Groups zod issues by the reason code of their top-level field (`invalid_shape` by default). @internal */
export function groupIssues<Code extends string>(
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
