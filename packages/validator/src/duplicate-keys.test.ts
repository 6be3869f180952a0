import type { WorkloadSnapshot } from '@ballast/core';
import { ValidationError } from '@ballast/core';
import { describe, expect, it } from 'vitest';
import { makeCluster, makeGuest, makeNode } from './__fixtures__/build-cluster';
import { webWorkload } from './__fixtures__/web-workload';
import { validateMigrationAdvice } from './validate-migration-advice';
import { validateScalingAdvice } from './validate-scaling-advice';

const workload = webWorkload;

describe('validateScalingAdvice: a key given twice with different values in model text', () => {
  it.each([
    [
      'target, one spelling escaped',
      '{"target\\u005freplicas": 3, "target_replicas": 11, "confidence": 0.8, "reasoning": "x"}',
      'target_invalid',
    ],
    [
      'confidence',
      '{"target_replicas": 6, "confidence": 0.1, "confidence": 0.99, "reasoning": "x"}',
      'confidence_out_of_range',
    ],
    [
      'reasoning',
      '{"target_replicas": 6, "confidence": 0.5, "reasoning": "hold", "reasoning": "scale up"}',
      'invalid_shape',
    ],
  ])('%s: falls back (before: the last value was used)', (_name, text, code) => {
    const result = validateScalingAdvice(workload, text, { applyBehavior: false });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reasons.map((reason) => reason.code)).toContain(code);
  });

  it('the same value given twice is still read', () => {
    const text = '{"target_replicas": 6, "confidence": 0.5, "confidence": 0.5, "reasoning": "x"}';
    expect(validateScalingAdvice(workload, text, { applyBehavior: false }).ok).toBe(true);
  });
});

describe('validateMigrationAdvice: a key given twice with different values in model text', () => {
  const snapshot = makeCluster({
    nodes: [makeNode('a'), makeNode('b'), makeNode('c')],
    guests: [makeGuest(101, 'a'), makeGuest(102, 'a')],
  });
  const item = (vmid: number, extra = '') =>
    `{"vmid":${vmid},"source_node":"a","target_node":"b",${extra}"priority":"high","reasoning":"r"}`;

  it('rejects the item with two target nodes, keeps the others (before: accepted to the last one)', () => {
    const text = `{"recommendations":[${item(101, '"target_node":"c",')},${item(102)}]}`;
    const result = validateMigrationAdvice(snapshot, text);
    expect(result.accepted.map((entry) => entry.vmid)).toEqual([102]);
    expect(result.rejected[0]?.index).toBe(0);
    expect(result.rejected[0]?.reasons.map((reason) => reason.code)).toContain('invalid_shape');
    expect(result.rejected[0]?.reasons[0]?.message).toContain('target_node');
  });

  it('rejects an item of a bare array with two vmids', () => {
    const text = `[${item(101, '"vmid":102,')}]`;
    const result = validateMigrationAdvice(snapshot, text);
    expect(result.accepted).toEqual([]);
    expect(result.rejected[0]?.reasons.map((reason) => reason.code)).toContain('invalid_shape');
  });

  it('drops a predicted issue with two confidences', () => {
    const text =
      '{"recommendations":[],"predicted_issues":[{"node":"a","metric":"memory","confidence":0.1,"confidence":0.9}]}';
    const result = validateMigrationAdvice(snapshot, text);
    expect(result.predictedIssues).toEqual([]);
    expect(result.rejectedIssues[0]?.reasons.map((reason) => reason.code)).toContain('invalid_shape');
  });

  it('refuses advice with two recommendation lists (before: the first was silently lost)', () => {
    const text = `{"recommendations":[${item(101)}],"recommendations":[]}`;
    expect(() => validateMigrationAdvice(snapshot, text)).toThrow(ValidationError);
    try {
      validateMigrationAdvice(snapshot, text);
    } catch (error) {
      expect((error as ValidationError).issues[0]).toMatchObject({
        path: 'recommendations',
        code: 'duplicate_key',
      });
    }
  });

  it('the same value given twice is still read', () => {
    const text = `{"recommendations":[${item(101, '"target_node":"b",')}]}`;
    expect(validateMigrationAdvice(snapshot, text).accepted).toHaveLength(1);
  });
});
