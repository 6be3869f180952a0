import { ValidationError } from '@ballast/core';
import { describe, expect, it } from 'vitest';
import { GiB, makeCluster, makeGuest, makeNode } from './__fixtures__/build-cluster';
import { validateMigrationAdvice } from './validate-migration-advice';

const move = {
  vmid: 101,
  source_node: 'a',
  target_node: 'b',
  priority: 'medium',
  reasoning: 'spread the load',
};

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('validateMigrationAdvice: a snapshot with unusable numbers is refused, never trusted', () => {
  it.each([
    [
      'a target with NaN memory',
      {
        nodes: [makeNode('a'), makeNode('b', { memory: { totalBytes: Number.NaN, usedBytes: Number.NaN } })],
        guests: [makeGuest(101, 'a')],
      },
      'nodes.1.memory',
    ],
    [
      'a target with negative used memory',
      {
        nodes: [makeNode('a'), makeNode('b', { memory: { totalBytes: 64 * GiB, usedBytes: -500 * GiB } })],
        guests: [makeGuest(101, 'a')],
      },
      'nodes.1.memory.usedBytes',
    ],
    [
      'a target with Infinity CPU cores',
      {
        nodes: [makeNode('a'), makeNode('b', { cpu: { cores: Number.POSITIVE_INFINITY, usageCores: 1 } })],
        guests: [makeGuest(101, 'a')],
      },
      'nodes.1.cpu.cores',
    ],
    [
      'a guest with NaN memory',
      {
        nodes: [makeNode('a'), makeNode('b')],
        guests: [makeGuest(101, 'a', { memory: { maxBytes: Number.NaN, usedBytes: Number.NaN } })],
      },
      'guests.0.memory',
    ],
    [
      'a guest with NaN CPU use',
      {
        nodes: [makeNode('a'), makeNode('b')],
        guests: [makeGuest(101, 'a', { cpu: { cores: 2, usageCores: Number.NaN } })],
      },
      'guests.0.cpu.usageCores',
    ],
    [
      'a guest with a string memory',
      {
        nodes: [makeNode('a'), makeNode('b')],
        guests: [makeGuest(101, 'a', { memory: { maxBytes: '4' as unknown as number, usedBytes: 1 } })],
      },
      'guests.0.memory.maxBytes',
    ],
    ['a null node', { nodes: [makeNode('a'), null], guests: [makeGuest(101, 'a')], storages: [] }, 'nodes.1'],
    [
      'a node without cpu',
      { nodes: [makeNode('a'), { ...makeNode('b'), cpu: undefined }], guests: [makeGuest(101, 'a')] },
      'nodes.1.cpu',
    ],
    ['a null guest', { nodes: [makeNode('a'), makeNode('b')], guests: [null] }, 'guests.0'],
  ])(
    '%s: a ValidationError naming the field (before: accepted, NaN in loads, or a TypeError)',
    (_name, parts, path) => {
      const snapshot = makeCluster({
        constraints: {
          affinityGroups: [],
          antiAffinityGroups: [],
          pins: [],
          ignoredGuests: [],
          maintenanceNodes: [],
        },
        ...(parts as Parameters<typeof makeCluster>[0]),
      });
      const error = thrown(() => validateMigrationAdvice(snapshot, [move]));
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues[0]?.path.startsWith(`snapshot.${path}`)).toBe(true);
    },
  );

  it('a well-formed snapshot still validates', () => {
    const snapshot = makeCluster({ nodes: [makeNode('a'), makeNode('b')], guests: [makeGuest(101, 'a')] });
    expect(validateMigrationAdvice(snapshot, [move]).accepted).toHaveLength(1);
  });
});
