import { describe, expect, it } from 'vitest';
import { GiB, makeCluster, makeGuest, makeNode } from './__fixtures__/build-cluster';
import { validateMigrationAdvice } from './validate-migration-advice';

const move = (vmid: unknown, target: string, extra: Record<string, unknown> = {}) => ({
  vmid,
  source_node: 'a',
  target_node: target,
  priority: 'medium',
  reasoning: 'spread the load',
  ...extra,
});

describe('validateMigrationAdvice hardening (adversarial inputs)', () => {
  it('guards target CPU by default: three moves may not leave a 4-core node at 110 %', () => {
    const snapshot = makeCluster({
      nodes: [
        makeNode('a', { cpu: { cores: 32, usageCores: 20 } }),
        makeNode('b', { cpu: { cores: 4, usageCores: 1 } }),
      ],
      guests: [101, 102, 103].map((vmid) => makeGuest(vmid, 'a', { cpu: { cores: 2, usageCores: 1.2 } })),
    });
    const result = validateMigrationAdvice(snapshot, [move(101, 'b'), move(102, 'b'), move(103, 'b')]);
    // 1 + 1.2 + 1.2 = 3.4 cores fit; the third would reach 4.6 of 4 cores (115 %).
    expect(result.accepted.map((entry) => entry.vmid)).toEqual([101, 102]);
    expect(result.rejected.map((entry) => entry.reasons[0]?.code)).toEqual(['target_cpu_exceeded']);
  });

  it.each([
    ['"1e2"', '1e2'],
    ['"100.0000000000000001"', '100.0000000000000001'],
    ['"0x64"', '0x64'],
    ['"1E2"', '1E2'],
  ])('never reads the vmid %s as guest 100', (_label, vmid) => {
    const snapshot = makeCluster({
      nodes: [makeNode('a'), makeNode('b')],
      guests: [makeGuest(100, 'a')],
    });
    const result = validateMigrationAdvice(snapshot, [move(vmid, 'b')]);
    expect(result.accepted).toEqual([]);
    expect(result.rejected[0]?.reasons.map((reason) => reason.code)).toContain('invalid_shape');
    // The plain spelling is still read (and the repair recorded).
    expect(validateMigrationAdvice(snapshot, [move(' 100 ', 'b')]).accepted).toHaveLength(1);
  });

  it('never trusts an item that says it comes from the rule planner', () => {
    const snapshot = makeCluster({ nodes: [makeNode('a'), makeNode('b')], guests: [makeGuest(101, 'a')] });
    const result = validateMigrationAdvice(snapshot, [move(101, 'b', { source: 'rule' })]);
    expect(result.accepted[0]?.source).toBe('llm');
  });

  it('rejects an item whose twin fields disagree instead of picking one', () => {
    const snapshot = makeCluster({
      nodes: [makeNode('a'), makeNode('b'), makeNode('c')],
      guests: [makeGuest(101, 'a')],
    });
    const result = validateMigrationAdvice(snapshot, [move(101, 'b', { targetNode: 'c' })]);
    expect(result.accepted).toEqual([]);
    expect(result.rejected[0]?.reasons.map((reason) => reason.code)).toContain('conflicting_fields');
    // Agreeing twins are fine.
    expect(validateMigrationAdvice(snapshot, [move(101, 'b', { targetNode: 'b' })]).accepted).toHaveLength(1);
  });

  it('rejects blank reasoning, as for scaling advice', () => {
    const snapshot = makeCluster({ nodes: [makeNode('a'), makeNode('b')], guests: [makeGuest(101, 'a')] });
    const result = validateMigrationAdvice(snapshot, [move(101, 'b', { reasoning: ' \t ' })]);
    expect(result.rejected[0]?.reasons.map((reason) => reason.code)).toEqual(['reasoning_missing']);
  });

  it('requires a stopped guest to fit the target memory when it starts', () => {
    const snapshot = makeCluster({
      nodes: [makeNode('a'), makeNode('b', { memory: { totalBytes: 64 * GiB, usedBytes: 50 * GiB } })],
      guests: [makeGuest(101, 'a', { status: 'stopped', memory: { maxBytes: 16 * GiB, usedBytes: 0 } })],
    });
    const result = validateMigrationAdvice(snapshot, [move(101, 'b')]);
    expect(result.rejected[0]?.reasons.map((reason) => reason.code)).toEqual(['target_memory_exceeded']);
    expect(
      validateMigrationAdvice(snapshot, [move(101, 'b')], { maxMemoryRatio: 1.1 }).accepted,
    ).toHaveLength(1);
  });
});
