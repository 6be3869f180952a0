import { ValidationError } from '@ballast/core';
import { describe, expect, it } from 'vitest';
import { makeCluster, makeGuest, makeNode } from './__fixtures__/build-cluster';
import { resolvePlacementPolicy } from './placement-rules';
import { type MigrationValidationOptions, validateMigrationAdvice } from './validate-migration-advice';

const snapshot = makeCluster({
  nodes: [makeNode('a'), makeNode('b')],
  guests: [
    makeGuest(101, 'a', {
      localDisks: [{ volumeId: 'local-lvm:vm-101-disk-0', storage: 'local-lvm', sizeBytes: 1 }],
    }),
  ],
});
const move = {
  vmid: 101,
  source_node: 'a',
  target_node: 'b',
  priority: 'medium',
  reasoning: 'spread the load',
};

function pathOfError(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues[0]?.path;
  }
  return undefined;
}

describe('validateMigrationAdvice / resolvePlacementPolicy: options are checked, never read loosely', () => {
  it.each<[string, Record<string, unknown>, string]>([
    // Before: the string "false" is truthy, so a guest with local disks was allowed to move.
    ['allowLocalDisks: "false"', { allowLocalDisks: 'false' }, 'options.allowLocalDisks'],
    ['allowHaManaged: 0', { allowHaManaged: 0 }, 'options.allowHaManaged'],
    ['enforceNonStrictPins: "no"', { enforceNonStrictPins: 'no' }, 'options.enforceNonStrictPins'],
    // Before: anything but 'used' silently became 'max'.
    ['memoryBasis: "USED"', { memoryBasis: 'USED' }, 'options.memoryBasis'],
    ['source: "rules"', { source: 'rules' }, 'options.source'],
    // Before: NaN disabled the length limit.
    ['maxAdviceTextLength: NaN', { maxAdviceTextLength: Number.NaN }, 'options.maxAdviceTextLength'],
    ['maxAdviceTextLength: -1', { maxAdviceTextLength: -1 }, 'options.maxAdviceTextLength'],
  ])('%s is a ValidationError naming it', (_name, options, path) => {
    expect(
      pathOfError(() => validateMigrationAdvice(snapshot, [move], options as MigrationValidationOptions)),
    ).toBe(path);
  });

  it('resolvePlacementPolicy checks the same (before: "false" allowed local disks, a NaN ratio passed every capacity check)', () => {
    expect(
      pathOfError(() => resolvePlacementPolicy({ allowLocalDisks: 'false' as unknown as boolean })),
    ).toBe('options.allowLocalDisks');
    expect(pathOfError(() => resolvePlacementPolicy({ maxMemoryRatio: Number.NaN }))).toBe(
      'options.maxMemoryRatio',
    );
    expect(pathOfError(() => resolvePlacementPolicy({ maxCpuRatio: -1 }))).toBe('options.maxCpuRatio');
  });

  it('valid options still work', () => {
    expect(
      validateMigrationAdvice(snapshot, [move], {
        allowLocalDisks: true,
        memoryBasis: 'used',
        source: 'rule',
      }).accepted,
    ).toHaveLength(1);
    expect(validateMigrationAdvice(snapshot, [move]).accepted).toHaveLength(0);
  });
});
