/**
 * Why a migration recommendation was rejected. Stable strings: match on them, show the `message`.
 *
 * | code | meaning |
 * |---|---|
 * | `invalid_shape` | not an object, or a required field (`vmid`, `source_node`, `target_node`, `reasoning`) is missing or of the wrong type |
 * | `unknown_guest` | no guest with this vmid in the snapshot |
 * | `name_mismatch` | the given name is not the guest's name |
 * | `kind_mismatch` | the given type (VM/CT) is not the guest's kind |
 * | `source_mismatch` | the stated source node is not where the guest runs |
 * | `self_move` | the target is the guest's current (or stated source) node |
 * | `unknown_target` | the target node does not exist |
 * | `target_offline` | the target node is not online |
 * | `target_maintenance` | the target node is in maintenance |
 * | `guest_ignored` | the guest is ignored (`plb_ignore*`, `ignore`, host configuration) |
 * | `guest_template` | the guest is a template |
 * | `guest_locked` | the guest holds a Proxmox lock |
 * | `ha_managed` | the guest is HA-managed and HA moves are not allowed |
 * | `pin_violated` | the target is outside the guest's pinned nodes |
 * | `storage_unavailable` | a storage the guest uses is not available on the target |
 * | `local_disks` | the guest has node-local disks and `allowLocalDisks` is off |
 * | `anti_affinity_violated` | another member of an anti-affinity group is (or will be) on the target |
 * | `affinity_split` | the move (with the rest of its affinity group's moves) leaves the group on more nodes |
 * | `target_memory_exceeded` | target memory after every accepted move would exceed the ratio |
 * | `target_cpu_exceeded` | target CPU after every accepted move would exceed the ratio |
 * | `duplicate_move` | the same move of this guest was already given |
 * | `conflicting_move` | this guest is moved to different targets in one answer (all rejected) |
 * | `priority_invalid` | priority missing or not `low`/`medium`/`high`/`critical` |
 * | `risk_out_of_range` | risk score not a number in 0..100 |
 * | `confidence_out_of_range` | confidence not a number in 0..1 |
 * | `reasoning_missing` | `reasoning` missing or blank (as for scaling advice) |
 * | `conflicting_fields` | the same field given twice (`target_node` and `targetNode`, …) with different values |
 *
 * @example
 * ```ts
 * const blocking: MigrationReasonCode[] = ['unknown_target', 'target_offline'];
 * ```
 */
export type MigrationReasonCode =
  | 'invalid_shape'
  | 'unknown_guest'
  | 'name_mismatch'
  | 'kind_mismatch'
  | 'source_mismatch'
  | 'self_move'
  | 'unknown_target'
  | 'target_offline'
  | 'target_maintenance'
  | 'guest_ignored'
  | 'guest_template'
  | 'guest_locked'
  | 'ha_managed'
  | 'pin_violated'
  | 'storage_unavailable'
  | 'local_disks'
  | 'anti_affinity_violated'
  | 'affinity_split'
  | 'target_memory_exceeded'
  | 'target_cpu_exceeded'
  | 'duplicate_move'
  | 'conflicting_move'
  | 'priority_invalid'
  | 'risk_out_of_range'
  | 'confidence_out_of_range'
  | 'reasoning_missing'
  | 'conflicting_fields';

/**
 * Every {@link MigrationReasonCode}, for exhaustive tables and UIs.
 *
 * @example
 * ```ts
 * migrationReasonCodes.includes('self_move'); // true
 * ```
 */
export const migrationReasonCodes: readonly MigrationReasonCode[] = [
  'invalid_shape',
  'unknown_guest',
  'name_mismatch',
  'kind_mismatch',
  'source_mismatch',
  'self_move',
  'unknown_target',
  'target_offline',
  'target_maintenance',
  'guest_ignored',
  'guest_template',
  'guest_locked',
  'ha_managed',
  'pin_violated',
  'storage_unavailable',
  'local_disks',
  'anti_affinity_violated',
  'affinity_split',
  'target_memory_exceeded',
  'target_cpu_exceeded',
  'duplicate_move',
  'conflicting_move',
  'priority_invalid',
  'risk_out_of_range',
  'confidence_out_of_range',
  'reasoning_missing',
  'conflicting_fields',
];

/**
 * Why a predicted issue from a model was dropped.
 *
 * @example
 * ```ts
 * const code: PredictedIssueReasonCode = 'unknown_node';
 * ```
 */
export type PredictedIssueReasonCode = 'invalid_shape' | 'unknown_node' | 'confidence_out_of_range';

/**
 * Why scaling advice cannot be used (the caller should fall back to the rule-based answer).
 *
 * | code | meaning |
 * |---|---|
 * | `invalid_shape` | not a JSON object (or no JSON at all) |
 * | `target_missing` | no `target_replicas` |
 * | `target_invalid` | `target_replicas` not a finite, non-negative number, in exponent notation in model text, or above 10 × `maxReplicas` |
 * | `confidence_out_of_range` | confidence missing or not a number in 0..1 |
 * | `reasoning_missing` | no `reasoning` text |
 * | `enum_invalid` | `risk_assessment`, `cost_impact`, `performance_impact`, `recommended_timing` or `scaling_type` not in its set |
 * | `bounds_unknown` | no `maxReplicas` from the HPA or the options |
 * | `bounds_invalid` | `minReplicas` greater than `maxReplicas` |
 *
 * @example
 * ```ts
 * const code: ScalingReasonCode = 'target_missing';
 * ```
 */
export type ScalingReasonCode =
  | 'invalid_shape'
  | 'target_missing'
  | 'target_invalid'
  | 'confidence_out_of_range'
  | 'reasoning_missing'
  | 'enum_invalid'
  | 'bounds_unknown'
  | 'bounds_invalid';

/**
 * Every {@link ScalingReasonCode}.
 *
 * @example
 * ```ts
 * scalingReasonCodes.length; // 8
 * ```
 */
export const scalingReasonCodes: readonly ScalingReasonCode[] = [
  'invalid_shape',
  'target_missing',
  'target_invalid',
  'confidence_out_of_range',
  'reasoning_missing',
  'enum_invalid',
  'bounds_unknown',
  'bounds_invalid',
];

/**
 * One reason, with a human-readable message naming the values involved.
 *
 * @example
 * ```ts
 * const reason: Reason<MigrationReasonCode> = { code: 'unknown_target', message: 'target node "pve9" does not exist' };
 * ```
 */
export interface Reason<Code extends string> {
  code: Code;
  message: string;
}

/**
 * A safe normalisation applied to model output (never a change of meaning), recorded so callers
 * can count and show them.
 *
 * | code | example |
 * |---|---|
 * | `extracted_json` | JSON found inside a fenced block or prose |
 * | `number_from_string` | `"101"` → `101` |
 * | `enum_case` | `"HIGH"` → `"high"` |
 * | `kind_alias` | `"qemu"` → `"vm"` |
 * | `trimmed` | `" pve1 "` → `"pve1"` |
 * | `dropped_invalid_entries` | non-string entries removed from `factors_considered` |
 * | `target_rounded` | `4.2` replicas → `5` (rounded up) |
 * | `target_clamped` | target clamped to `[minReplicas, maxReplicas]` |
 * | `stabilized` | target held by the HPA stabilisation window |
 * | `rate_limited` | target limited by the HPA scaling policies |
 * | `action_derived` | `action` replaced by the one implied by the final target |
 *
 * @example
 * ```ts
 * const repair: Repair = { target: 'recommendation', index: 0, field: 'vmid', code: 'number_from_string', from: '101', to: 101, message: 'vmid "101" read as 101' };
 * ```
 */
export interface Repair {
  /** What was repaired: the whole answer, one recommendation, or one predicted issue. */
  target: 'advice' | 'recommendation' | 'predicted_issue';
  /** Index of the item in the model's list (`-1` for the whole answer). */
  index: number;
  field: string;
  code: RepairCode;
  from: unknown;
  to: unknown;
  message: string;
}

/**
 * The kinds of {@link Repair}.
 *
 * @example
 * ```ts
 * const code: RepairCode = 'enum_case';
 * ```
 */
export type RepairCode =
  | 'extracted_json'
  | 'number_from_string'
  | 'enum_case'
  | 'kind_alias'
  | 'trimmed'
  | 'dropped_invalid_entries'
  | 'target_rounded'
  | 'target_clamped'
  | 'stabilized'
  | 'rate_limited'
  | 'action_derived';
