import type { ClusterConstraints, ConstraintOrigin, GuestGroup } from './constraints';
import type { GuestSnapshot } from './guest-snapshot';
import type { HaRule } from './ha-rule';
import type { NodeSnapshot } from './node-snapshot';

/**
 * What {@link deriveConstraints} reads from a guest.
 *
 * @example
 * ```ts
 * const guest: ConstraintGuest = { vmid: 101, tags: ['plb_pin_pve1'] };
 * ```
 */
export type ConstraintGuest = Pick<GuestSnapshot, 'vmid' | 'tags'>;

/**
 * What {@link deriveConstraints} reads from a node.
 *
 * @example
 * ```ts
 * const node: ConstraintNode = { name: 'pve2', maintenance: true };
 * ```
 */
export type ConstraintNode = Pick<NodeSnapshot, 'name' | 'maintenance'>;

/**
 * Builds one {@link ClusterConstraints} from guest tags, PVE 9 HA rules and node maintenance flags.
 *
 * Tags (matched case-insensitively; group and node names keep their spelling):
 * - ProxLB: `plb_ignore*` → ignored; `plb_affinity_<grp>` → affinity group; `plb_anti_affinity_<grp>`
 *   → anti-affinity group; `plb_pin_<node>` → strict pin (several pin tags = any of those nodes).
 * - ProxBalance: `ignore` → ignored; `exclude_<grp>` → anti-affinity group; `affinity_<grp>` →
 *   affinity group.
 *
 * HA rules (disabled ones skipped): `node-affinity` → a pin per resource (strict as the rule says);
 * `resource-affinity` `positive` → affinity group, `negative` → anti-affinity group (both hard).
 *
 * Groups are kept apart by origin (`tag:plb_affinity_web` and `tag:affinity_web` are two groups).
 *
 * @example
 * ```ts
 * const constraints = deriveConstraints(
 *   [{ vmid: 101, tags: ['plb_anti_affinity_db'] }, { vmid: 102, tags: ['plb_anti_affinity_db', 'ignore'] }],
 *   [{ id: 'r1', type: 'node-affinity', resources: [101], nodes: [{ node: 'pve1' }], strict: true, disabled: false }],
 * );
 * constraints.antiAffinityGroups[0]?.members; // [101, 102]
 * constraints.ignoredGuests.map((entry) => entry.vmid); // [102]
 * ```
 */
export function deriveConstraints(
  guests: readonly ConstraintGuest[],
  haRules: readonly HaRule[] = [],
  nodes: readonly ConstraintNode[] = [],
): ClusterConstraints {
  const affinity = new Map<string, GuestGroup>();
  const antiAffinity = new Map<string, GuestGroup>();
  const constraints: ClusterConstraints = {
    affinityGroups: [],
    antiAffinityGroups: [],
    pins: [],
    ignoredGuests: [],
    maintenanceNodes: [],
  };

  const addToGroup = (
    groups: Map<string, GuestGroup>,
    convention: 'proxlb' | 'proxbalance',
    tag: string,
    name: string,
    vmid: number,
  ): void => {
    if (name.length === 0) return;
    const id = `tag:${tag.toLowerCase()}`;
    let group = groups.get(id);
    if (group === undefined) {
      group = { id, name, members: [], strict: true, origin: { kind: 'tag', convention, tags: [tag] } };
      groups.set(id, group);
    }
    if (!group.members.includes(vmid)) group.members.push(vmid);
  };

  for (const guest of guests) {
    const pinNodes: string[] = [];
    const pinTags: string[] = [];
    let ignoreOrigin: ConstraintOrigin | undefined;
    for (const rawTag of guest.tags) {
      const tag = rawTag.trim();
      const lower = tag.toLowerCase();
      if (lower.startsWith('plb_ignore')) {
        ignoreOrigin ??= { kind: 'tag', convention: 'proxlb', tags: [tag] };
      } else if (lower.startsWith('plb_anti_affinity_')) {
        addToGroup(antiAffinity, 'proxlb', tag, tag.slice('plb_anti_affinity_'.length), guest.vmid);
      } else if (lower.startsWith('plb_affinity_')) {
        addToGroup(affinity, 'proxlb', tag, tag.slice('plb_affinity_'.length), guest.vmid);
      } else if (lower.startsWith('plb_pin_')) {
        const node = tag.slice('plb_pin_'.length);
        if (node.length > 0 && !pinNodes.includes(node)) {
          pinNodes.push(node);
          pinTags.push(tag);
        }
      } else if (lower === 'ignore') {
        ignoreOrigin ??= { kind: 'tag', convention: 'proxbalance', tags: [tag] };
      } else if (lower.startsWith('exclude_')) {
        addToGroup(antiAffinity, 'proxbalance', tag, tag.slice('exclude_'.length), guest.vmid);
      } else if (lower.startsWith('affinity_')) {
        addToGroup(affinity, 'proxbalance', tag, tag.slice('affinity_'.length), guest.vmid);
      }
    }
    if (ignoreOrigin !== undefined)
      constraints.ignoredGuests.push({ vmid: guest.vmid, origin: ignoreOrigin });
    if (pinNodes.length > 0) {
      constraints.pins.push({
        vmid: guest.vmid,
        nodes: pinNodes,
        strict: true,
        origin: { kind: 'tag', convention: 'proxlb', tags: pinTags },
      });
    }
  }

  for (const rule of haRules) {
    if (rule.disabled || rule.resources.length === 0) continue;
    const origin: ConstraintOrigin = { kind: 'ha-rule', rule: rule.id };
    if (rule.type === 'node-affinity') {
      const allowed = rule.nodes.map((entry) => entry.node);
      if (allowed.length === 0) continue;
      for (const vmid of rule.resources) {
        constraints.pins.push({ vmid, nodes: [...allowed], strict: rule.strict, origin });
      }
    } else {
      const group: GuestGroup = {
        id: `ha-rule:${rule.id}`,
        name: rule.id,
        members: [...new Set(rule.resources)],
        strict: true,
        origin,
      };
      if (rule.affinity === 'negative') antiAffinity.set(group.id, group);
      else affinity.set(group.id, group);
    }
  }

  for (const node of nodes) {
    if (node.maintenance)
      constraints.maintenanceNodes.push({ node: node.name, origin: { kind: 'node-status' } });
  }

  constraints.affinityGroups = [...affinity.values()];
  constraints.antiAffinityGroups = [...antiAffinity.values()];
  return constraints;
}
