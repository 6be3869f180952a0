import { describe, expect, it } from 'vitest';
import { deriveConstraints } from './derive-constraints';
import type { HaRule } from './ha-rule';

describe('deriveConstraints', () => {
  it('reads ProxLB tags', () => {
    const constraints = deriveConstraints([
      { vmid: 100, tags: ['plb_ignore_dev'] },
      { vmid: 101, tags: ['plb_anti_affinity_db', 'plb_pin_pve1', 'plb_pin_pve2'] },
      { vmid: 102, tags: ['PLB_ANTI_AFFINITY_db', 'plb_affinity_web'] },
      { vmid: 103, tags: ['plb_affinity_web'] },
    ]);
    expect(constraints.ignoredGuests).toEqual([
      { vmid: 100, origin: { kind: 'tag', convention: 'proxlb', tags: ['plb_ignore_dev'] } },
    ]);
    expect(constraints.antiAffinityGroups).toEqual([
      {
        id: 'tag:plb_anti_affinity_db',
        name: 'db',
        members: [101, 102],
        strict: true,
        origin: { kind: 'tag', convention: 'proxlb', tags: ['plb_anti_affinity_db'] },
      },
    ]);
    expect(constraints.affinityGroups.map((group) => [group.id, group.members])).toEqual([
      ['tag:plb_affinity_web', [102, 103]],
    ]);
    expect(constraints.pins).toEqual([
      {
        vmid: 101,
        nodes: ['pve1', 'pve2'],
        strict: true,
        origin: { kind: 'tag', convention: 'proxlb', tags: ['plb_pin_pve1', 'plb_pin_pve2'] },
      },
    ]);
  });

  it('reads ProxBalance tags into the same model', () => {
    const constraints = deriveConstraints([
      { vmid: 200, tags: ['ignore'] },
      { vmid: 201, tags: ['exclude_dns'] },
      { vmid: 202, tags: ['exclude_dns', 'affinity_cache'] },
      { vmid: 203, tags: ['affinity_cache', 'unrelated'] },
    ]);
    expect(constraints.ignoredGuests.map((entry) => entry.vmid)).toEqual([200]);
    expect(constraints.antiAffinityGroups).toMatchObject([
      { id: 'tag:exclude_dns', name: 'dns', members: [201, 202], origin: { convention: 'proxbalance' } },
    ]);
    expect(constraints.affinityGroups).toMatchObject([
      { id: 'tag:affinity_cache', name: 'cache', members: [202, 203], origin: { convention: 'proxbalance' } },
    ]);
  });

  it('reads PVE 9 HA rules and skips disabled ones', () => {
    const rules: HaRule[] = [
      {
        id: 'db-on-fast',
        type: 'node-affinity',
        resources: [301],
        nodes: [{ node: 'pve1', priority: 2 }, { node: 'pve2' }],
        strict: true,
        disabled: false,
      },
      {
        id: 'soft',
        type: 'node-affinity',
        resources: [302],
        nodes: [{ node: 'pve3' }],
        strict: false,
        disabled: false,
      },
      {
        id: 'apart',
        type: 'resource-affinity',
        affinity: 'negative',
        resources: [301, 302],
        nodes: [],
        strict: false,
        disabled: false,
      },
      {
        id: 'together',
        type: 'resource-affinity',
        affinity: 'positive',
        resources: [303, 304],
        nodes: [],
        strict: false,
        disabled: false,
      },
      {
        id: 'off',
        type: 'resource-affinity',
        affinity: 'negative',
        resources: [303, 305],
        nodes: [],
        strict: false,
        disabled: true,
      },
    ];
    const constraints = deriveConstraints([], rules, [
      { name: 'pve1', maintenance: false },
      { name: 'pve4', maintenance: true },
    ]);
    expect(constraints.pins).toEqual([
      { vmid: 301, nodes: ['pve1', 'pve2'], strict: true, origin: { kind: 'ha-rule', rule: 'db-on-fast' } },
      { vmid: 302, nodes: ['pve3'], strict: false, origin: { kind: 'ha-rule', rule: 'soft' } },
    ]);
    expect(constraints.antiAffinityGroups).toEqual([
      {
        id: 'ha-rule:apart',
        name: 'apart',
        members: [301, 302],
        strict: true,
        origin: { kind: 'ha-rule', rule: 'apart' },
      },
    ]);
    expect(constraints.affinityGroups.map((group) => group.id)).toEqual(['ha-rule:together']);
    expect(constraints.maintenanceNodes).toEqual([{ node: 'pve4', origin: { kind: 'node-status' } }]);
  });
});
