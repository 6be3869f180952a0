import { ValidationError } from '@ballast/core';
import { describe, expect, it } from 'vitest';
import { GiB, makeCluster, makeGuest, makeNode, referenceCluster } from './__fixtures__/build-cluster';
import { type MigrationReasonCode, migrationReasonCodes } from './reason-codes';
import { type MigrationValidationOptions, validateMigrationAdvice } from './validate-migration-advice';

type Item = Record<string, unknown>;

function move(vmid: number | string, source: string, target: string, extra: Item = {}): Item {
  return {
    vmid,
    source_node: source,
    target_node: target,
    priority: 'medium',
    reasoning: 'balance',
    ...extra,
  };
}

interface Case {
  name: string;
  items: Item[] | unknown[];
  code: MigrationReasonCode;
  /** Index of the item expected to carry `code` (default 0). */
  at?: number;
  options?: MigrationValidationOptions;
}

const cases: Case[] = [
  {
    name: 'item missing source_node',
    code: 'invalid_shape',
    items: [{ vmid: 101, target_node: 'pve2', reasoning: 'x' }],
  },
  { name: 'item that is not an object', code: 'invalid_shape', items: ['move 101 to pve2'] },
  { name: 'vmid that is not a number', code: 'invalid_shape', items: [move('web1', 'pve1', 'pve2')] },
  {
    name: 'missing reasoning',
    code: 'reasoning_missing',
    items: [move(101, 'pve1', 'pve2', { reasoning: undefined })],
  },
  {
    name: 'blank reasoning',
    code: 'reasoning_missing',
    items: [move(101, 'pve1', 'pve2', { reasoning: '  \n ' })],
  },
  {
    name: 'target_node and targetNode disagree',
    code: 'conflicting_fields',
    items: [move(101, 'pve1', 'pve2', { targetNode: 'pve3' })],
  },
  {
    name: 'vmid in exponent notation',
    code: 'invalid_shape',
    items: [move('1e2', 'pve1', 'pve2')],
  },
  { name: 'unknown guest', code: 'unknown_guest', items: [move(999, 'pve1', 'pve2')] },
  {
    name: 'name of another guest',
    code: 'name_mismatch',
    items: [move(101, 'pve1', 'pve2', { name: 'web2' })],
  },
  { name: 'VM called a CT', code: 'kind_mismatch', items: [move(101, 'pve1', 'pve2', { type: 'CT' })] },
  { name: 'wrong source node', code: 'source_mismatch', items: [move(101, 'pve3', 'pve2')] },
  { name: 'move to the current node', code: 'self_move', items: [move(101, 'pve1', 'pve1')] },
  { name: 'hallucinated target', code: 'unknown_target', items: [move(101, 'pve1', 'pve9')] },
  { name: 'offline target', code: 'target_offline', items: [move(101, 'pve1', 'pve4')] },
  { name: 'target in maintenance', code: 'target_maintenance', items: [move(101, 'pve1', 'pve5')] },
  { name: 'ignored guest', code: 'guest_ignored', items: [move(106, 'pve1', 'pve2')] },
  { name: 'template', code: 'guest_template', items: [move(103, 'pve1', 'pve2')] },
  { name: 'locked guest', code: 'guest_locked', items: [move(104, 'pve1', 'pve2')] },
  { name: 'HA-managed guest', code: 'ha_managed', items: [move(105, 'pve1', 'pve2')] },
  { name: 'pinned guest off its nodes', code: 'pin_violated', items: [move(107, 'pve1', 'pve2')] },
  { name: 'storage missing on target', code: 'storage_unavailable', items: [move(111, 'pve1', 'pve3')] },
  { name: 'local disks without allowLocalDisks', code: 'local_disks', items: [move(108, 'pve1', 'pve2')] },
  {
    name: 'anti-affinity partner on target',
    code: 'anti_affinity_violated',
    items: [move(120, 'pve1', 'pve2')],
  },
  {
    name: 'anti-affinity partner moving to the same target',
    code: 'anti_affinity_violated',
    at: 1,
    items: [move(121, 'pve2', 'pve3'), move(120, 'pve1', 'pve3')],
  },
  { name: 'affinity member moved alone', code: 'affinity_split', items: [move(130, 'pve1', 'pve2')] },
  {
    name: 'affinity members sent to different nodes',
    code: 'affinity_split',
    items: [move(130, 'pve1', 'pve2'), move(131, 'pve1', 'pve3')],
  },
  {
    name: 'target memory over the ratio',
    code: 'target_memory_exceeded',
    items: [move(110, 'pve1', 'pve2')],
  },
  {
    name: 'target memory over the ratio after earlier moves',
    code: 'target_memory_exceeded',
    at: 3,
    options: { maxMemoryRatio: 0.45 },
    items: [
      move(101, 'pve1', 'pve2'),
      move(109, 'pve1', 'pve2', { type: 'ct' }),
      move(112, 'pve1', 'pve2'),
      move(111, 'pve1', 'pve2'),
    ],
  },
  {
    name: 'target CPU over the ratio',
    code: 'target_cpu_exceeded',
    options: { maxCpuRatio: 0.3 },
    items: [move(112, 'pve1', 'pve2')],
  },
  {
    name: 'same move twice',
    code: 'duplicate_move',
    at: 1,
    items: [move(101, 'pve1', 'pve2'), move(101, 'pve1', 'pve2')],
  },
  {
    name: 'one guest to two targets',
    code: 'conflicting_move',
    items: [move(101, 'pve1', 'pve2'), move(101, 'pve1', 'pve3')],
  },
  {
    name: 'unknown priority',
    code: 'priority_invalid',
    items: [move(101, 'pve1', 'pve2', { priority: 'urgent' })],
  },
  {
    name: 'missing priority',
    code: 'priority_invalid',
    items: [move(101, 'pve1', 'pve2', { priority: null })],
  },
  {
    name: 'risk above 100',
    code: 'risk_out_of_range',
    items: [move(101, 'pve1', 'pve2', { risk_score: 150 })],
  },
  {
    name: 'negative risk',
    code: 'risk_out_of_range',
    items: [move(101, 'pve1', 'pve2', { risk_score: -1 })],
  },
  {
    name: 'confidence as percent',
    code: 'confidence_out_of_range',
    items: [move(101, 'pve1', 'pve2', { confidence: 85 })],
  },
  {
    name: 'confidence not a number',
    code: 'confidence_out_of_range',
    items: [move(101, 'pve1', 'pve2', { confidence: 'high' })],
  },
];

describe('validateMigrationAdvice: one case per reason code', () => {
  it('covers every reason code', () => {
    const covered = new Set(cases.map((entry) => entry.code));
    expect(migrationReasonCodes.filter((code) => !covered.has(code))).toEqual([]);
  });

  it.each(cases)('$name → $code', ({ items, code, at = 0, options }) => {
    const result = validateMigrationAdvice(referenceCluster(), { recommendations: items }, options);
    const rejected = result.rejected.find((entry) => entry.index === at);
    expect(rejected?.reasons.map((reason) => reason.code)).toContain(code);
    for (const reason of rejected?.reasons ?? []) expect(reason.message.length).toBeGreaterThan(0);
    expect(
      result.accepted.some((accepted) => accepted.vmid === Number((items[at] as Item | undefined)?.vmid)),
    ).toBe(code === 'duplicate_move');
  });
});

describe('validateMigrationAdvice: accepted moves', () => {
  it('accepts a valid move and fills the real guest facts', () => {
    const result = validateMigrationAdvice(referenceCluster(), {
      analysis: 'pve1 is hot',
      recommendations: [
        move(101, 'pve1', 'pve2', { risk_score: 20, confidence: 0.8, estimated_impact: '-5 % mem' }),
      ],
    });
    expect(result.rejected).toEqual([]);
    expect(result.analysis).toBe('pve1 is hot');
    expect(result.accepted).toHaveLength(1);
    const [accepted] = result.accepted;
    expect(accepted).toMatchObject({
      vmid: 101,
      name: 'web1',
      type: 'vm',
      sourceNode: 'pve1',
      targetNode: 'pve2',
      priority: 'medium',
      reasoning: 'balance',
      riskScore: 20,
      confidence: 0.8,
      estimatedImpact: '-5 % mem',
      source: 'llm',
      withLocalDisks: false,
    });
    expect(accepted?.loads?.target.before.memoryUsedBytes).toBe(16 * GiB);
    expect(accepted?.loads?.target.after.memoryUsedBytes).toBe(20 * GiB);
    expect(accepted?.loads?.source.after.memoryUsedBytes).toBe(38 * GiB);
  });

  it('moves an affinity group together', () => {
    const result = validateMigrationAdvice(referenceCluster(), {
      recommendations: [move(130, 'pve1', 'pve2'), move(101, 'pve1', 'pve3'), move(131, 'pve1', 'pve2')],
    });
    expect(result.rejected).toEqual([]);
    expect(result.accepted.map((entry) => entry.vmid)).toEqual([130, 101, 131]);
  });

  it('rejects the whole affinity bundle when one member cannot go', () => {
    const snapshot = referenceCluster();
    const result = validateMigrationAdvice(
      snapshot,
      { recommendations: [move(130, 'pve1', 'pve2'), move(131, 'pve1', 'pve2')] },
      { maxMemoryRatio: 0.35 },
    );
    expect(result.accepted).toEqual([]);
    expect(result.rejected.map((entry) => entry.reasons[0]?.code)).toEqual([
      'affinity_split',
      'target_memory_exceeded',
    ]);
  });

  it('lets an anti-affinity member move once its partner has left the target', () => {
    const result = validateMigrationAdvice(referenceCluster(), {
      recommendations: [move(121, 'pve2', 'pve3'), move(120, 'pve1', 'pve2')],
    });
    expect(result.rejected).toEqual([]);
    expect(result.accepted).toHaveLength(2);
  });

  it('honours allowLocalDisks, allowHaManaged and memoryBasis', () => {
    const snapshot = referenceCluster();
    const local = validateMigrationAdvice(snapshot, [move(108, 'pve1', 'pve2')], { allowLocalDisks: true });
    expect(local.accepted[0]?.withLocalDisks).toBe(true);
    expect(
      validateMigrationAdvice(snapshot, [move(105, 'pve1', 'pve2')], { allowHaManaged: true }).accepted,
    ).toHaveLength(1);
    // 110 uses 20 GiB but may grow to 50 GiB: only the `used` basis lets it fit on pve2.
    expect(
      validateMigrationAdvice(snapshot, [move(110, 'pve1', 'pve2')], { memoryBasis: 'used' }).accepted,
    ).toHaveLength(1);
  });

  it('treats non-strict HA node-affinity pins as an option', () => {
    const nodes = [makeNode('a'), makeNode('b'), makeNode('c')];
    const guests = [makeGuest(1, 'a')];
    const snapshot = makeCluster({
      nodes,
      guests,
      haRules: [
        {
          id: 'prefer-a-b',
          type: 'node-affinity',
          resources: [1],
          nodes: [{ node: 'a' }, { node: 'b' }],
          strict: false,
          disabled: false,
        },
      ],
    });
    expect(validateMigrationAdvice(snapshot, [move(1, 'a', 'c')]).rejected[0]?.reasons[0]?.code).toBe(
      'pin_violated',
    );
    expect(
      validateMigrationAdvice(snapshot, [move(1, 'a', 'c')], { enforceNonStrictPins: false }).accepted,
    ).toHaveLength(1);
    expect(validateMigrationAdvice(snapshot, [move(1, 'a', 'b')]).accepted).toHaveLength(1);
  });

  it('enforces HA resource-affinity rules like tags', () => {
    const nodes = [makeNode('a'), makeNode('b'), makeNode('c')];
    const guests = [makeGuest(1, 'a'), makeGuest(2, 'b'), makeGuest(3, 'a'), makeGuest(4, 'a')];
    const snapshot = makeCluster({
      nodes,
      guests,
      haRules: [
        {
          id: 'apart',
          type: 'resource-affinity',
          affinity: 'negative',
          resources: [1, 2],
          nodes: [],
          strict: false,
          disabled: false,
        },
        {
          id: 'together',
          type: 'resource-affinity',
          affinity: 'positive',
          resources: [3, 4],
          nodes: [],
          strict: false,
          disabled: false,
        },
      ],
    });
    const result = validateMigrationAdvice(snapshot, [move(1, 'a', 'b'), move(3, 'a', 'c')]);
    expect(result.rejected.map((entry) => entry.reasons[0]?.code)).toEqual([
      'anti_affinity_violated',
      'affinity_split',
    ]);
  });
});

describe('validateMigrationAdvice: repairs and honesty', () => {
  it('records safe normalisations', () => {
    const result = validateMigrationAdvice(referenceCluster(), {
      recommendations: [
        {
          vmid: '101',
          source_node: ' pve1 ',
          target_node: 'pve2',
          type: 'qemu',
          priority: 'HIGH',
          reasoning: 'x',
          risk_score: '10',
        },
      ],
    });
    expect(result.rejected).toEqual([]);
    expect(result.accepted[0]).toMatchObject({ vmid: 101, priority: 'high', riskScore: 10, type: 'vm' });
    expect(result.repairs.map((repair) => [repair.field, repair.code])).toEqual([
      ['vmid', 'number_from_string'],
      ['source_node', 'trimmed'],
      ['type', 'kind_alias'],
      ['priority', 'enum_case'],
      ['risk_score', 'number_from_string'],
    ]);
  });

  it('never rewrites a hallucinated node or the reasoning', () => {
    const item = move(101, 'pve1', 'pve-7', { reasoning: 'pve-7 is idle' });
    const result = validateMigrationAdvice(referenceCluster(), { recommendations: [item] });
    expect(result.accepted).toEqual([]);
    expect(result.rejected[0]?.item).toBe(item);
    expect(item).toEqual(move(101, 'pve1', 'pve-7', { reasoning: 'pve-7 is idle' }));
  });

  it('reads model text, bare arrays and typed recommendations', () => {
    const text =
      'Sure!\n```json\n{"recommendations":[{"vmid":101,"source_node":"pve1","target_node":"pve2","priority":"low","reasoning":"r"}]}\n```';
    const fromText = validateMigrationAdvice(referenceCluster(), text);
    expect(fromText.accepted).toHaveLength(1);
    expect(fromText.repairs[0]).toMatchObject({ target: 'advice', code: 'extracted_json' });

    const typed = validateMigrationAdvice(referenceCluster(), [
      {
        vmid: 101,
        name: 'web1',
        type: 'vm',
        sourceNode: 'pve1',
        targetNode: 'pve2',
        priority: 'critical',
        reasoning: 'planner',
        riskScore: 5,
        source: 'rule',
        withLocalDisks: false,
      },
    ]);
    // An item cannot claim to be the rule planner: the caller's source wins.
    expect(typed.accepted[0]).toMatchObject({ source: 'llm', priority: 'critical', riskScore: 5 });
    expect(
      validateMigrationAdvice(referenceCluster(), [{ ...(typed.accepted[0] as object), source: 'rule' }], {
        source: 'rule',
      }).accepted[0]?.source,
    ).toBe('rule');
  });

  it.each([
    ['a number', 42],
    ['null', null],
    ['an object without recommendations', { moves: [] }],
    ['recommendations that are not an array', { recommendations: 'none' }],
    ['text without JSON', 'I cannot help with that.'],
  ])('throws a ValidationError for %s', (_label, advice) => {
    expect(() => validateMigrationAdvice(referenceCluster(), advice)).toThrow(ValidationError);
  });

  it('throws a ValidationError for a bad snapshot or options', () => {
    expect(() => validateMigrationAdvice({} as never, { recommendations: [] })).toThrow(ValidationError);
    expect(() =>
      validateMigrationAdvice(referenceCluster(), { recommendations: [] }, { maxMemoryRatio: -1 }),
    ).toThrow(ValidationError);
  });

  it('keeps predicted issues about real nodes with a valid confidence', () => {
    const result = validateMigrationAdvice(referenceCluster(), {
      recommendations: [],
      predicted_issues: [
        {
          node: 'pve1',
          metric: 'cpu',
          prediction: 'Will exceed 80% in next 2 hours',
          confidence: 0.85,
          severity: 'High',
        },
        { node: 'pve9', metric: 'cpu', prediction: 'x', confidence: 0.5 },
        { node: 'pve2', metric: 'memory', prediction: 'x', confidence: Number.NaN },
        { node: 'pve2', metric: 'memory', prediction: 'x' },
        { metric: 'memory' },
      ],
    });
    expect(result.predictedIssues).toEqual([
      {
        node: 'pve1',
        metric: 'cpu',
        confidence: 0.85,
        severity: 'high',
        description: 'Will exceed 80% in next 2 hours',
        source: 'llm',
      },
    ]);
    expect(result.rejectedIssues.map((entry) => entry.reasons[0]?.code)).toEqual([
      'unknown_node',
      'confidence_out_of_range',
      'confidence_out_of_range',
      'invalid_shape',
    ]);
  });
});
