import { z } from 'zod';

/** A Proxmox guest id (`vmid`), a positive integer. */
const vmidSchema = z.number().int().positive();

/**
 * Where a placement constraint came from, so every rejection can name its cause.
 *
 * - `tag`: guest tags, in the ProxLB (`plb_affinity_web`) or ProxBalance (`exclude_web`) convention.
 * - `ha-rule`: a Proxmox VE 9 HA rule (`/cluster/ha/rules`), by rule id.
 * - `node-status`: the node reported itself in maintenance (`hastate: maintenance`).
 * - `config`: supplied by the host application.
 *
 * @example
 * ```ts
 * const origin: ConstraintOrigin = { kind: 'tag', convention: 'proxlb', tags: ['plb_anti_affinity_db'] };
 * ```
 */
export const constraintOriginSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('tag'),
    convention: z.enum(['proxlb', 'proxbalance']),
    /** The tags that produced the constraint, as written on the guest(s). */
    tags: z.array(z.string()),
  }),
  z.object({ kind: z.literal('ha-rule'), rule: z.string() }),
  z.object({ kind: z.literal('node-status') }),
  z.object({ kind: z.literal('config'), note: z.string().optional() }),
]);

/**
 * The origin of a constraint (tag, HA rule, node status or host configuration).
 *
 * @example
 * ```ts
 * const origin: ConstraintOrigin = { kind: 'ha-rule', rule: 'keep-db-apart' };
 * ```
 */
export type ConstraintOrigin = z.infer<typeof constraintOriginSchema>;

/**
 * A set of guests bound by an affinity (keep together) or anti-affinity (keep apart) rule.
 *
 * @example
 * ```ts
 * const group: GuestGroup = guestGroupSchema.parse({
 *   id: 'tag:plb_anti_affinity_db', name: 'db', members: [101, 102], strict: true,
 *   origin: { kind: 'tag', convention: 'proxlb', tags: ['plb_anti_affinity_db'] },
 * });
 * ```
 */
export const guestGroupSchema = z.object({
  /** Unique within its list, e.g. `tag:plb_affinity_web`, `tag:exclude_db`, `ha-rule:ha-rule-1`. */
  id: z.string().min(1),
  /** The group name as written in the tag or the HA rule id. */
  name: z.string(),
  /** The guests' vmids. */
  members: z.array(vmidSchema),
  /** Hard (`true`) or best-effort (`false`). Tag and resource-affinity groups are hard. */
  strict: z.boolean(),
  origin: constraintOriginSchema,
});

/**
 * An affinity or anti-affinity group of guests.
 *
 * @example
 * ```ts
 * const together: GuestGroup = { id: 'ha-rule:web', name: 'web', members: [1, 2], strict: true, origin: { kind: 'ha-rule', rule: 'web' } };
 * ```
 */
export type GuestGroup = z.infer<typeof guestGroupSchema>;

/**
 * A guest pinned to a set of nodes (ProxLB `plb_pin_<node>` tags or a PVE 9 HA node-affinity rule).
 * When a guest has several pins, it must satisfy every strict one.
 *
 * @example
 * ```ts
 * const pin: GuestPin = guestPinSchema.parse({
 *   vmid: 101, nodes: ['pve1', 'pve2'], strict: true,
 *   origin: { kind: 'tag', convention: 'proxlb', tags: ['plb_pin_pve1', 'plb_pin_pve2'] },
 * });
 * ```
 */
export const guestPinSchema = z.object({
  vmid: vmidSchema,
  /** Nodes the guest may run on. */
  nodes: z.array(z.string().min(1)),
  /** Strict pins forbid every other node; non-strict ones only express a preference. */
  strict: z.boolean(),
  origin: constraintOriginSchema,
});

/**
 * A pin of one guest to allowed nodes.
 *
 * @example
 * ```ts
 * const pin: GuestPin = { vmid: 7, nodes: ['pve3'], strict: false, origin: { kind: 'ha-rule', rule: 'prefer-pve3' } };
 * ```
 */
export type GuestPin = z.infer<typeof guestPinSchema>;

/**
 * A guest that must never be moved (`plb_ignore*`, `ignore` tags or host configuration). It still
 * counts toward its node's load.
 *
 * @example
 * ```ts
 * const ignored: IgnoredGuest = ignoredGuestSchema.parse({ vmid: 100, origin: { kind: 'tag', convention: 'proxbalance', tags: ['ignore'] } });
 * ```
 */
export const ignoredGuestSchema = z.object({ vmid: vmidSchema, origin: constraintOriginSchema });

/**
 * A guest excluded from balancing.
 *
 * @example
 * ```ts
 * const ignored: IgnoredGuest = { vmid: 100, origin: { kind: 'config' } };
 * ```
 */
export type IgnoredGuest = z.infer<typeof ignoredGuestSchema>;

/**
 * A node in maintenance: nothing may move onto it.
 *
 * @example
 * ```ts
 * const node: MaintenanceNode = maintenanceNodeSchema.parse({ node: 'pve2', origin: { kind: 'node-status' } });
 * ```
 */
export const maintenanceNodeSchema = z.object({ node: z.string().min(1), origin: constraintOriginSchema });

/**
 * A node that accepts no incoming guests.
 *
 * @example
 * ```ts
 * const node: MaintenanceNode = { node: 'pve2', origin: { kind: 'config', note: 'firmware update' } };
 * ```
 */
export type MaintenanceNode = z.infer<typeof maintenanceNodeSchema>;

/**
 * Every placement constraint of a cluster in one model, whatever its source (ProxLB tags,
 * ProxBalance tags, PVE 9 HA rules, node status, host configuration).
 *
 * @example
 * ```ts
 * const constraints: ClusterConstraints = clusterConstraintsSchema.parse({});
 * constraints.antiAffinityGroups; // []
 * ```
 */
export const clusterConstraintsSchema = z.object({
  affinityGroups: z.array(guestGroupSchema).default([]),
  antiAffinityGroups: z.array(guestGroupSchema).default([]),
  pins: z.array(guestPinSchema).default([]),
  ignoredGuests: z.array(ignoredGuestSchema).default([]),
  maintenanceNodes: z.array(maintenanceNodeSchema).default([]),
});

/**
 * The placement constraints of a cluster.
 *
 * @example
 * ```ts
 * const none: ClusterConstraints = { affinityGroups: [], antiAffinityGroups: [], pins: [], ignoredGuests: [], maintenanceNodes: [] };
 * ```
 */
export type ClusterConstraints = z.infer<typeof clusterConstraintsSchema>;

/**
 * An empty {@link ClusterConstraints}.
 *
 * @example
 * ```ts
 * const constraints = emptyConstraints();
 * constraints.pins.push({ vmid: 1, nodes: ['pve1'], strict: true, origin: { kind: 'config' } });
 * ```
 */
export function emptyConstraints(): ClusterConstraints {
  return { affinityGroups: [], antiAffinityGroups: [], pins: [], ignoredGuests: [], maintenanceNodes: [] };
}
