import { type HpaSnapshot, ValidationError, type WorkloadSnapshot } from '@ballast/core';
import { describe, expect, it } from 'vitest';
import { type ScalingReasonCode, scalingReasonCodes } from './reason-codes';
import { type ScalingValidationOptions, validateScalingAdvice } from './validate-scaling-advice';

const now = 1_772_444_700_000;

function workload(current: number, hpa: Partial<HpaSnapshot['spec']> | null = {}): WorkloadSnapshot {
  const snapshot: WorkloadSnapshot = {
    collectedAt: now,
    source: { kind: 'simulated' },
    deployment: {
      namespace: 'shop',
      name: 'web',
      replicas: { desired: current, current, ready: current },
      selector: { matchLabels: { 'app.kubernetes.io/name': 'web' } },
      containers: [
        { name: 'app', requests: { cpuCores: 0.5, memoryBytes: 256 * 2 ** 20 }, limits: { cpuCores: 1 } },
      ],
    },
    podMetrics: [],
    history: {},
    events: [],
  };
  if (hpa !== null) {
    snapshot.hpa = {
      name: 'web',
      spec: { minReplicas: 2, maxReplicas: 12, metrics: [], ...hpa },
      status: { currentReplicas: current, desiredReplicas: current, currentMetrics: [] },
    };
  }
  return snapshot;
}

function advice(target: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { action: 'scale_up', target_replicas: target, confidence: 0.8, reasoning: 'CPU at 85 %', ...extra };
}

const noBehavior: ScalingValidationOptions = { applyBehavior: false };

describe('validateScalingAdvice: clamping and action', () => {
  it('keeps an in-range target and fills the recommendation', () => {
    const result = validateScalingAdvice(
      workload(4),
      advice(6, {
        scaling_type: 'hpa',
        factors_considered: ['cpu trend', 3],
        risk_assessment: 'Low',
        cost_impact: 'medium',
        performance_impact: 'positive',
        recommended_timing: 'immediate',
        criteria_scores: { performance: 0.9, stability: 'n/a' },
      }),
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.recommendation).toEqual({
      action: 'scale_up',
      currentReplicas: 4,
      targetReplicas: 6,
      confidence: 0.8,
      reasoning: 'CPU at 85 %',
      factors: ['cpu trend'],
      risk: 'low',
      costImpact: 'medium',
      performanceImpact: 'positive',
      timing: 'immediate',
      scalingType: 'hpa',
      criteriaScores: { performance: 0.9 },
      source: 'llm',
    });
    expect(result.repairs.map((repair) => repair.code)).toEqual(['enum_case', 'dropped_invalid_entries']);
    expect(result.limitedBy).toEqual([]);
  });

  it.each([
    {
      label: 'above max, current below max',
      current: 4,
      target: 40,
      expected: 12,
      action: 'scale_up',
      limit: 'max_replicas',
    },
    {
      label: 'above max, current at max',
      current: 12,
      target: 40,
      expected: 12,
      action: 'at_max',
      limit: 'max_replicas',
    },
    { label: 'below min', current: 4, target: 0, expected: 2, action: 'scale_down', limit: 'min_replicas' },
    {
      label: 'below min, current at min',
      current: 2,
      target: 1,
      expected: 2,
      action: 'maintain',
      limit: 'min_replicas',
    },
    { label: 'equal to current', current: 4, target: 4, expected: 4, action: 'maintain', limit: undefined },
  ])('$label → $expected ($action)', ({ current, target, expected, action, limit }) => {
    const result = validateScalingAdvice(workload(current), advice(target), noBehavior);
    expect(result.ok && result.recommendation).toMatchObject({ targetReplicas: expected, action });
    if (!result.ok) return;
    expect(result.proposedReplicas).toBe(target);
    expect(result.limitedBy).toEqual(limit === undefined ? [] : [limit]);
    expect(result.repairs.some((repair) => repair.code === 'target_clamped')).toBe(limit !== undefined);
  });

  it('derives the action instead of trusting the model', () => {
    const result = validateScalingAdvice(workload(6), advice(3, { action: 'scale_up' }), noBehavior);
    expect(result.ok && result.recommendation.action).toBe('scale_down');
    expect(result.repairs).toContainEqual(
      expect.objectContaining({
        field: 'action',
        code: 'action_derived',
        from: 'scale_up',
        to: 'scale_down',
      }),
    );
  });

  it('never returns 0 replicas unless allowed', () => {
    const bare = workload(3, null);
    const floor = validateScalingAdvice(bare, advice(0), {
      maxReplicas: 10,
      minReplicas: 0,
      applyBehavior: false,
    });
    expect(floor.ok && floor.recommendation.targetReplicas).toBe(1);
    const zero = validateScalingAdvice(bare, advice(0), {
      maxReplicas: 10,
      minReplicas: 0,
      allowScaleToZero: true,
      applyBehavior: false,
    });
    expect(zero.ok && zero.recommendation.targetReplicas).toBe(0);
  });

  it('repairs numeric strings and fractions (rounding up)', () => {
    const result = validateScalingAdvice(workload(4), advice('4.2', { confidence: '0.7' }), noBehavior);
    expect(result.ok && result.recommendation).toMatchObject({ targetReplicas: 5, confidence: 0.7 });
    expect(result.repairs.map((repair) => repair.code)).toEqual([
      'number_from_string',
      'target_rounded',
      'number_from_string',
    ]);
  });

  it('reads model text and typed recommendations', () => {
    const text = '```json\n{"action":"scale_up","target_replicas":5,"confidence":0.9,"reasoning":"r"}\n```';
    const fromText = validateScalingAdvice(workload(4), text, noBehavior);
    expect(fromText.ok && fromText.recommendation.targetReplicas).toBe(5);
    const typed = validateScalingAdvice(
      workload(4),
      {
        action: 'scale_down',
        currentReplicas: 4,
        targetReplicas: 3,
        confidence: 0.6,
        reasoning: 'idle',
        factors: [],
        source: 'rule',
      },
      { ...noBehavior, source: 'rule' },
    );
    expect(typed.ok && typed.recommendation).toMatchObject({
      targetReplicas: 3,
      action: 'scale_down',
      source: 'rule',
    });
  });

  it('never takes the advice at its word about its source', () => {
    const claimed = { ...advice(5), source: 'rule' };
    const fromObject = validateScalingAdvice(workload(4), claimed, noBehavior);
    expect(fromObject.ok && fromObject.recommendation.source).toBe('llm');
    const fromText = validateScalingAdvice(workload(4), JSON.stringify(claimed), noBehavior);
    expect(fromText.ok && fromText.recommendation.source).toBe('llm');
  });
});

describe('validateScalingAdvice: HPA behavior', () => {
  it('applies Kubernetes default scale-up policies (4 pods or 100 % per 15 s)', () => {
    const result = validateScalingAdvice(workload(3), advice(12));
    expect(result.ok && result.recommendation.targetReplicas).toBe(7);
    expect(result.ok && result.limitedBy).toEqual(['scale_up_policy']);
  });

  it('counts recent scaling events in the policy period', () => {
    const spec = {
      behavior: {
        scaleUp: {
          selectPolicy: 'Max' as const,
          policies: [{ type: 'Pods' as const, value: 2, periodSeconds: 60 }],
        },
      },
    };
    const quiet = validateScalingAdvice(workload(4, spec), advice(10));
    expect(quiet.ok && quiet.recommendation.targetReplicas).toBe(6);
    const busy = workload(4, spec);
    busy.events = [{ timestamp: now - 30_000, fromReplicas: 3, toReplicas: 4 }];
    const limited = validateScalingAdvice(busy, advice(10));
    expect(limited.ok && limited.recommendation.targetReplicas).toBe(5);
    expect(limited.ok && limited.repairs.find((repair) => repair.code === 'rate_limited')).toMatchObject({
      code: 'rate_limited',
      from: 10,
      to: 5,
    });
  });

  it('applies scale-down Percent policies with selectPolicy', () => {
    const policies = [
      { type: 'Pods' as const, value: 1, periodSeconds: 60 },
      { type: 'Percent' as const, value: 50, periodSeconds: 60 },
    ];
    const options = { recommendationHistory: [] };
    const max = validateScalingAdvice(
      workload(10, {
        behavior: { scaleDown: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies } },
      }),
      advice(2),
      options,
    );
    expect(max.ok && max.recommendation.targetReplicas).toBe(5);
    const min = validateScalingAdvice(
      workload(10, {
        behavior: { scaleDown: { stabilizationWindowSeconds: 0, selectPolicy: 'Min', policies } },
      }),
      advice(2),
      options,
    );
    expect(min.ok && min.recommendation.targetReplicas).toBe(9);
  });

  it('holds a scale-up when selectPolicy is Disabled', () => {
    const result = validateScalingAdvice(
      workload(4, { behavior: { scaleUp: { selectPolicy: 'Disabled' } } }),
      advice(8),
    );
    expect(result.ok && result.recommendation).toMatchObject({ targetReplicas: 4, action: 'maintain' });
  });

  it('stabilizes a scale-down against recent higher recommendations', () => {
    const result = validateScalingAdvice(workload(4), advice(3), {
      recommendationHistory: [{ timestamp: now - 100_000, replicas: 8 }],
    });
    expect(result.ok && result.recommendation).toMatchObject({ targetReplicas: 4, action: 'maintain' });
    expect(result.ok && result.limitedBy).toEqual(['scale_down_stabilization']);
  });

  it('ignores scaling events recorded after now', () => {
    const spec = {
      behavior: { scaleUp: { policies: [{ type: 'Pods' as const, value: 2, periodSeconds: 60 }] } },
    };
    const later = workload(4, spec);
    later.events = [{ timestamp: now + 30_000, fromReplicas: 3, toReplicas: 4 }];
    const result = validateScalingAdvice(later, advice(10));
    expect(result.ok && result.recommendation.targetReplicas).toBe(6);
  });

  it('layers options.behavior over the HPA rules field by field', () => {
    const spec = {
      behavior: { scaleUp: { policies: [{ type: 'Pods' as const, value: 2, periodSeconds: 60 }] } },
    };
    const result = validateScalingAdvice(workload(4, spec), advice(10), {
      behavior: { scaleUp: { selectPolicy: 'Min' } },
    });
    expect(result.ok && result.recommendation.targetReplicas).toBe(6);
  });

  it('keeps an explicitly empty policies list, as the controller does: Max then allows no scale-up', () => {
    const result = validateScalingAdvice(workload(4, { behavior: { scaleUp: { policies: [] } } }), advice(8));
    expect(result.ok && result.recommendation).toMatchObject({ targetReplicas: 4, action: 'maintain' });
    expect(result.ok && result.limitedBy).toEqual(['scale_up_policy']);
  });
});

describe('validateScalingAdvice: unrecoverable advice → rule-based', () => {
  const failures: Array<{
    name: string;
    advice: unknown;
    code: ScalingReasonCode;
    options?: ScalingValidationOptions;
    bare?: boolean;
  }> = [
    { name: 'not an object', advice: 42, code: 'invalid_shape' },
    { name: 'text without JSON', advice: 'scale it up a bit', code: 'invalid_shape' },
    { name: 'no target', advice: advice(undefined), code: 'target_missing' },
    { name: 'target not a number', advice: advice('many'), code: 'target_invalid' },
    { name: 'negative target', advice: advice(-3), code: 'target_invalid' },
    { name: 'target as an object', advice: advice({ value: 3 }), code: 'target_invalid' },
    { name: 'no confidence', advice: advice(5, { confidence: undefined }), code: 'confidence_out_of_range' },
    { name: 'confidence as percent', advice: advice(5, { confidence: 85 }), code: 'confidence_out_of_range' },
    { name: 'confidence as text', advice: advice(5, { confidence: '85%' }), code: 'confidence_out_of_range' },
    { name: 'no reasoning', advice: advice(5, { reasoning: '  ' }), code: 'reasoning_missing' },
    { name: 'unknown risk', advice: advice(5, { risk_assessment: 'extreme' }), code: 'enum_invalid' },
    { name: 'unknown timing', advice: advice(5, { recommended_timing: 'later' }), code: 'enum_invalid' },
    { name: 'no max replicas anywhere', advice: advice(5), code: 'bounds_unknown', bare: true },
    {
      name: 'min above max',
      advice: advice(5),
      code: 'bounds_invalid',
      options: { minReplicas: 5, maxReplicas: 3 },
    },
  ];

  it('covers every reason code', () => {
    const covered = new Set(failures.map((entry) => entry.code));
    expect(scalingReasonCodes.filter((code) => !covered.has(code))).toEqual([]);
  });

  it.each(failures)('$name → $code', ({ advice: input, code, options, bare }) => {
    const result = validateScalingAdvice(workload(4, bare ? null : {}), input, options);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.useRuleBased).toBe(true);
    expect(result.reasons.map((reason) => reason.code)).toContain(code);
  });

  it('throws a ValidationError for a workload that is not a snapshot', () => {
    expect(() => validateScalingAdvice({} as never, advice(3))).toThrow(ValidationError);
    expect(() => validateScalingAdvice(workload(3), advice(3), null as never)).toThrow(ValidationError);
  });
});
