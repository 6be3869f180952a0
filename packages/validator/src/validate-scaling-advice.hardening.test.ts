import type { WorkloadSnapshot } from '@ballast/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { webWorkload } from './__fixtures__/web-workload';
import { validateScalingAdvice } from './validate-scaling-advice';

const workload = webWorkload;
const noBehavior = { applyBehavior: false };
const advice = (target: unknown) => ({
  action: 'scale_up',
  target_replicas: target,
  confidence: 0.8,
  reasoning: 'CPU high',
});
const text = (target: string) =>
  `{"action":"scale_up","target_replicas":${target},"confidence":0.8,"reasoning":"CPU high"}`;

describe('validateScalingAdvice: adversarial targets', () => {
  it.each([
    { name: '1e308 (falls back, never clamps to max and scales up)', input: advice(1e308) },
    { name: 'Number.MAX_VALUE', input: advice(Number.MAX_VALUE) },
    { name: '121 with max 12 (over 10 × max)', input: advice(121) },
    { name: '"1e1" as a string', input: advice('1e1') },
    { name: '1e1 as a bare number in model text', input: text('1e1') },
    { name: '4E0 in model text', input: text('4E0') },
    { name: '"1e1" quoted in model text', input: text('"1e1"') },
    { name: '1e308 in model text', input: text('1e308') },
  ])('refuses $name: useRuleBased with target_invalid', ({ input }) => {
    const result = validateScalingAdvice(workload, input, noBehavior);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.useRuleBased).toBe(true);
    expect(result.reasons.map((reason) => reason.code)).toContain('target_invalid');
  });

  it.each([
    { target: 4.0000001, expected: 4 },
    { target: 3.9999999, expected: 4 },
    { target: 4.5, expected: 5 },
    { target: 4.01, expected: 5 },
    { target: '6', expected: 6 },
    { target: 40, expected: 12 },
  ])('target $target becomes $expected', ({ target, expected }) => {
    const result = validateScalingAdvice(workload, advice(target), noBehavior);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.recommendation.targetReplicas).toBe(expected);
  });

  it('property: any target within 10 × max gives a target in [min, max] that never exceeds ceil(target)', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 120, noNaN: true }), (target) => {
        const result = validateScalingAdvice(workload, advice(target), noBehavior);
        if (!result.ok) return false;
        const final = result.recommendation.targetReplicas;
        return (
          Number.isInteger(final) && final >= 2 && final <= 12 && final <= Math.max(2, Math.ceil(target))
        );
      }),
    );
  });

  it('property: float noise around an integer never adds a pod', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 12 }),
        fc.double({ min: -1e-7, max: 1e-7, noNaN: true }),
        (integer, noise) => {
          const result = validateScalingAdvice(workload, advice(integer + noise), noBehavior);
          return result.ok && result.recommendation.targetReplicas === integer;
        },
      ),
    );
  });

  it('property: a target beyond 10 × max always falls back, whatever its size', () => {
    fc.assert(
      fc.property(fc.double({ min: 120.000001, max: Number.MAX_VALUE, noNaN: true }), (target) => {
        const result = validateScalingAdvice(workload, advice(target), noBehavior);
        return !result.ok && result.useRuleBased;
      }),
    );
  });

  it('property: exponent notation in model text is never read as a replica count', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9 }),
        fc.constantFrom('e', 'E'),
        fc.constantFrom('', '+', '-'),
        fc.integer({ min: 0, max: 3 }),
        (mantissa, e, sign, exponent) => {
          const result = validateScalingAdvice(
            workload,
            text(`${mantissa}${e}${sign}${exponent}`),
            noBehavior,
          );
          return !result.ok;
        },
      ),
    );
  });
});

describe('validateScalingAdvice: an answer with more than one target', () => {
  it.each([
    {
      name: 'a duplicate key in model text (JSON.parse keeps the last: 60, clamped to max)',
      input:
        '{"action":"scale_up","target_replicas":6,"target_replicas":60,"confidence":0.8,"reasoning":"x"}',
    },
    {
      name: 'two answers in model text with different targets',
      input:
        '{"action":"scale_up","target_replicas":6,"confidence":0.8,"reasoning":"x"} or rather {"action":"scale_up","target_replicas":11,"confidence":0.8,"reasoning":"y"}',
    },
    {
      name: 'snake and camel keys disagreeing in an object',
      input: { ...advice(6), targetReplicas: 11 },
    },
  ])('falls back on $name', ({ input }) => {
    const result = validateScalingAdvice(workload, input, noBehavior);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reasons.map((reason) => reason.code)).toContain('target_invalid');
  });

  it.each([
    {
      name: 'the same target twice in text',
      input: text('6').replace('"confidence"', '"target_replicas":6,"confidence"'),
    },
    { name: 'snake and camel keys agreeing', input: { ...advice(6), targetReplicas: 6 } },
  ])('accepts $name', ({ input }) => {
    const result = validateScalingAdvice(workload, input, noBehavior);
    expect(result.ok).toBe(true);
  });
});
