import { ValidationError, type WorkloadSnapshot } from '@ballast/core';
import { describe, expect, it } from 'vitest';
import { webWorkload } from './__fixtures__/web-workload';
import { type ScalingValidationOptions, validateScalingAdvice } from './validate-scaling-advice';

const workload = webWorkload;
const advice = { action: 'scale_up', target_replicas: 12, confidence: 0.8, reasoning: 'CPU high' };

function pathOfError(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues[0]?.path;
  }
  return undefined;
}

describe('validateScalingAdvice: options and workload are checked, never silently ignored', () => {
  it.each<[string, Record<string, unknown>, string]>([
    // Before: the windows and periods compared against NaN, so the rate limit was computed without history.
    ['now: NaN', { now: Number.NaN }, 'options.now'],
    ['now as a string', { now: '1772444700000' }, 'options.now'],
    // Before: a TypeError ("recommendations is not iterable").
    ['recommendationHistory not an array', { recommendationHistory: 5 }, 'options.recommendationHistory'],
    // Before: the entry was silently ignored, so a stabilisation window held nothing back.
    [
      'a NaN history entry',
      { recommendationHistory: [{ timestamp: Number.NaN, replicas: 9 }] },
      'options.recommendationHistory.0',
    ],
    // Before: the bad policy was dropped and the scale-up 4 → 12 passed with no rate limit.
    [
      'a NaN policy value',
      { behavior: { scaleUp: { policies: [{ type: 'Pods', value: Number.NaN, periodSeconds: 15 }] } } },
      'options.behavior.scaleUp',
    ],
    [
      'a negative window',
      { behavior: { scaleDown: { stabilizationWindowSeconds: -5 } } },
      'options.behavior.scaleDown',
    ],
    [
      'an unknown selectPolicy',
      { behavior: { scaleUp: { selectPolicy: 'max' } } },
      'options.behavior.scaleUp',
    ],
    ['applyBehavior as a string', { applyBehavior: 'false' }, 'options.applyBehavior'],
    ['allowScaleToZero as a string', { allowScaleToZero: 'no' }, 'options.allowScaleToZero'],
    ['an unknown source', { source: 'rules' }, 'options.source'],
    // Before: NaN disabled the length limit; -1 refused every answer with "over the limit of -1".
    ['maxAdviceTextLength: NaN', { maxAdviceTextLength: Number.NaN }, 'options.maxAdviceTextLength'],
    ['maxAdviceTextLength: -1', { maxAdviceTextLength: -1 }, 'options.maxAdviceTextLength'],
  ])('%s is a ValidationError naming it', (_name, options, path) => {
    expect(
      pathOfError(() => validateScalingAdvice(workload, advice, options as ScalingValidationOptions)),
    ).toBe(path);
  });

  it.each<[string, Record<string, unknown>, string]>([
    // Before: a TypeError reading `minReplicas` of undefined.
    ['an HPA without spec', { hpa: {} }, 'workload.hpa.spec'],
    [
      'an HPA behavior with a NaN policy',
      {
        hpa: {
          ...workload.hpa!,
          spec: {
            ...workload.hpa!.spec,
            behavior: { scaleUp: { policies: [{ type: 'Percent', value: Number.NaN, periodSeconds: 15 }] } },
          },
        },
      },
      'workload.hpa.spec.behavior.scaleUp',
    ],
    // Before: with `now` NaN the policies saw no scale events and no history.
    ['collectedAt: NaN', { collectedAt: Number.NaN }, 'workload.collectedAt'],
    // Before: events with string fields were silently skipped, so the period's earlier scale-ups did not count.
    [
      'an event with string fields',
      { events: [{ timestamp: 'x', fromReplicas: 'y', toReplicas: 'z' }] },
      'workload.events.0',
    ],
    ['events: null', { events: null }, 'workload.events'],
  ])('%s is a ValidationError naming it', (_name, change, path) => {
    expect(
      pathOfError(() =>
        validateScalingAdvice({ ...workload, ...change } as unknown as WorkloadSnapshot, advice),
      ),
    ).toBe(path);
  });

  it('minReplicas below 0 with allowScaleToZero is not a valid range (before: bounds [-3, 12])', () => {
    const result = validateScalingAdvice(
      workload,
      { ...advice, target_replicas: 0 },
      { minReplicas: -3, allowScaleToZero: true, applyBehavior: false },
    );
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reasons.map((reason) => reason.code)).toEqual(['bounds_invalid']);
  });

  it('a target of -0 is 0, never -0 (before: targetReplicas was -0)', () => {
    const result = validateScalingAdvice(
      workload,
      { ...advice, target_replicas: -0 },
      { minReplicas: 0, allowScaleToZero: true, applyBehavior: false },
    );
    expect(result.ok && Object.is(result.recommendation.targetReplicas, 0)).toBe(true);
    expect(result.ok && Object.is(result.proposedReplicas, 0)).toBe(true);
  });

  it('valid options still work', () => {
    const result = validateScalingAdvice(workload, advice, {
      now: workload.collectedAt,
      recommendationHistory: [{ timestamp: workload.collectedAt - 60_000, replicas: 4 }],
      behavior: { scaleUp: { policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }] } },
      applyBehavior: true,
      source: 'rule',
      maxAdviceTextLength: 10_000,
    });
    expect(result.ok && result.recommendation.targetReplicas).toBe(6);
  });
});
