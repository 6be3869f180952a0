import { DEFAULT_MAX_MODEL_TEXT_LENGTH, ValidationError, type WorkloadSnapshot } from '@ballast/core';
import { describe, expect, it } from 'vitest';
import { referenceCluster } from './__fixtures__/build-cluster';
import { validateMigrationAdvice } from './validate-migration-advice';
import { validateScalingAdvice } from './validate-scaling-advice';

const workload: WorkloadSnapshot = {
  collectedAt: 1_772_444_700_000,
  source: { kind: 'simulated' },
  deployment: {
    namespace: 'shop',
    name: 'web',
    replicas: { desired: 3, current: 3, ready: 3 },
    selector: { matchLabels: { app: 'web' } },
    containers: [{ name: 'app', requests: { cpuCores: 0.5 }, limits: {} }],
  },
  podMetrics: [],
  history: {},
  events: [],
};
const scalingOptions = { maxReplicas: 10 };
const valid = JSON.stringify({
  action: 'scale_up',
  target_replicas: 4,
  confidence: 0.8,
  reasoning: 'CPU at 85 %',
});

describe('validators cap model text (issue 10)', () => {
  const oversized = `${valid}${' '.repeat(DEFAULT_MAX_MODEL_TEXT_LENGTH)}`;

  it('migration: text over the limit is a ValidationError input_too_large, not a parse', () => {
    const run = () => validateMigrationAdvice(referenceCluster(), oversized);
    expect(run).toThrow(ValidationError);
    try {
      run();
    } catch (error) {
      expect((error as ValidationError).issues[0]?.code).toBe('input_too_large');
    }
    expect(() =>
      validateMigrationAdvice(referenceCluster(), '{"recommendations":[]}', { maxAdviceTextLength: 5 }),
    ).toThrow(/over the limit of 5/);
  });

  it('scaling: text over the limit is refused with a reason that says so', () => {
    const result = validateScalingAdvice(workload, oversized, scalingOptions);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reasons[0]).toMatchObject({ code: 'invalid_shape' });
      expect(result.reasons[0]?.message).toMatch(/over the limit of 1000000/);
    }
    expect(
      validateScalingAdvice(workload, valid, { ...scalingOptions, maxAdviceTextLength: valid.length }).ok,
    ).toBe(true);
  });

  it('hostile bracket floods complete with a typed failure instead of blocking', () => {
    expect(() => validateMigrationAdvice(referenceCluster(), '['.repeat(200_000))).toThrow(ValidationError);
    expect(validateScalingAdvice(workload, '{'.repeat(200_000), scalingOptions).ok).toBe(false);
  }, 30_000);
});
