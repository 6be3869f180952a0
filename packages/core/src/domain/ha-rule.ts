import { z } from 'zod';

/**
 * A Proxmox VE 9 HA rule (`GET /cluster/ha/rules`), normalised: resources as vmids, nodes as a list,
 * booleans instead of `0/1`.
 *
 * - `node-affinity`: the resources should run on `nodes` (`strict`: only there).
 * - `resource-affinity`: `positive` keeps the resources on one node, `negative` keeps them apart.
 *
 * Use {@link haRuleFromApi} to convert the API's wire form.
 *
 * @example
 * ```ts
 * const rule: HaRule = haRuleSchema.parse({
 *   id: 'db-apart', type: 'resource-affinity', resources: [101, 102], affinity: 'negative',
 * });
 * ```
 */
export const haRuleSchema = z.object({
  /** The rule id (`rule` in the API). */
  id: z.string().min(1),
  type: z.enum(['node-affinity', 'resource-affinity']),
  /** vmids of the `vm:<id>` / `ct:<id>` resources. */
  resources: z.array(z.number().int().positive()),
  /** For `resource-affinity`: keep together (`positive`) or apart (`negative`). */
  affinity: z.enum(['positive', 'negative']).optional(),
  /** For `node-affinity`: allowed nodes, with the optional priority from `node:priority`. */
  nodes: z.array(z.object({ node: z.string().min(1), priority: z.number().int().optional() })).default([]),
  /** For `node-affinity`: `true` forbids every other node. Defaults to `false` as in PVE. */
  strict: z.boolean().default(false),
  /** Disabled rules are ignored. */
  disabled: z.boolean().default(false),
});

/**
 * A normalised PVE 9 HA rule.
 *
 * @example
 * ```ts
 * const pin: HaRule = { id: 'db-on-pve1', type: 'node-affinity', resources: [101], nodes: [{ node: 'pve1' }], strict: true, disabled: false };
 * ```
 */
export type HaRule = z.infer<typeof haRuleSchema>;

const flag = z.union([z.boolean(), z.number(), z.string()]).transform((value) => {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  return value === '1' || value.toLowerCase() === 'true';
});

const wireRuleSchema = z.looseObject({
  rule: z.string().min(1),
  type: z.enum(['node-affinity', 'resource-affinity']),
  resources: z.union([z.string(), z.array(z.string())]),
  affinity: z.enum(['positive', 'negative']).optional(),
  nodes: z.union([z.string(), z.array(z.string())]).optional(),
  strict: flag.optional(),
  disable: flag.optional(),
});

/**
 * Converts one entry of `GET /cluster/ha/rules` (`resources: "vm:101,ct:102"`,
 * `nodes: "pve1:2,pve2"`, `strict: 1`, `disable: 0`) to a {@link HaRule}. Throws a zod error when
 * the entry is not a rule; resources that are not `vm:`/`ct:` ids are skipped.
 *
 * @example
 * ```ts
 * haRuleFromApi({ rule: 'r1', type: 'node-affinity', resources: 'vm:101', nodes: 'pve1:2,pve2', strict: 1 });
 * // { id: 'r1', type: 'node-affinity', resources: [101], nodes: [{ node: 'pve1', priority: 2 }, { node: 'pve2' }], strict: true, disabled: false }
 * ```
 */
export function haRuleFromApi(raw: unknown): HaRule {
  const wire = wireRuleSchema.parse(raw);
  const resources: number[] = [];
  for (const item of splitList(wire.resources)) {
    const match = /^(?:vm|ct):(\d+)$/.exec(item);
    if (match?.[1] !== undefined) resources.push(Number(match[1]));
  }
  const nodes: HaRule['nodes'] = [];
  for (const item of splitList(wire.nodes ?? [])) {
    const [node, priority] = item.split(':');
    if (!node) continue;
    const parsed = priority === undefined ? Number.NaN : Number(priority);
    nodes.push(Number.isInteger(parsed) ? { node, priority: parsed } : { node });
  }
  const rule: HaRule = {
    id: wire.rule,
    type: wire.type,
    resources,
    nodes,
    strict: wire.strict ?? false,
    disabled: wire.disable ?? false,
  };
  if (wire.affinity !== undefined) rule.affinity = wire.affinity;
  return rule;
}

function splitList(value: string | string[]): string[] {
  const items = Array.isArray(value) ? value : value.split(',');
  return items.map((item) => item.trim()).filter((item) => item.length > 0);
}
