import { describe, expect, it } from 'vitest';
import { haRuleFromApi } from './ha-rule';

describe('haRuleFromApi', () => {
  it('normalises the /cluster/ha/rules wire form', () => {
    expect(
      haRuleFromApi({
        rule: 'r1',
        type: 'node-affinity',
        resources: 'vm:101,ct:102',
        nodes: 'pve1:2,pve2',
        strict: 1,
        digest: 'x',
      }),
    ).toEqual({
      id: 'r1',
      type: 'node-affinity',
      resources: [101, 102],
      nodes: [{ node: 'pve1', priority: 2 }, { node: 'pve2' }],
      strict: true,
      disabled: false,
    });
    expect(
      haRuleFromApi({
        rule: 'r2',
        type: 'resource-affinity',
        resources: ['vm:7', 'ct:8'],
        affinity: 'negative',
        disable: '1',
      }),
    ).toEqual({
      id: 'r2',
      type: 'resource-affinity',
      resources: [7, 8],
      affinity: 'negative',
      nodes: [],
      strict: false,
      disabled: true,
    });
  });

  it('rejects something that is not a rule', () => {
    expect(() => haRuleFromApi({ type: 'node-affinity' })).toThrow();
  });
});
