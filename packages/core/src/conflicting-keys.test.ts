import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findConflictingKeys } from './conflicting-keys';
import { safeExtractJson } from './extract-json';

describe('findConflictingKeys', () => {
  it.each([
    ['no duplicates', '{"a":1,"b":[{"c":2}]}', []],
    ['same value twice', '{"a": 1, "a":1}', []],
    ['same object twice, other spacing', '{"a":{"x":[1, 2]},"a":{ "x" : [1,2] }}', []],
    ['a top-level key', '{"a":1,"b":2,"a":3}', [['a']]],
    [
      'an escaped spelling of the key',
      '{"target\\u005freplicas":3,"target_replicas":11}',
      [['target_replicas']],
    ],
    ['inside an array item', '{"list":[{"x":1},{"x":1,"y":"p","y":"q"}]}', [['list', 1, 'y']]],
    ['in a bare array', '[{"vmid":101,"vmid":102}]', [[0, 'vmid']]],
    ['a key named __proto__', '{"__proto__":1,"__proto__":2}', [['__proto__']]],
    ['strings holding braces and quotes', '{"a":"}\\"{","a":"]"}', [['a']]],
  ])('%s', (_name, text, expected) => {
    expect(findConflictingKeys(text)).toEqual(expected);
  });

  it('handles deep nesting without recursion', () => {
    const deep = `${'['.repeat(50_000)}{"a":1,"a":2}${']'.repeat(50_000)}`;
    expect(findConflictingKeys(deep)).toEqual([[...new Array(50_000).fill(0), 'a']]);
  });

  it('finds nothing in any JSON.stringify output (which never repeats a key)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(findConflictingKeys(JSON.stringify(value))).toEqual([]);
      }),
    );
  });
});

describe('safeExtractJson reports keys given twice with different values', () => {
  it('in model text (JSON.parse keeps the last silently)', () => {
    const result = safeExtractJson('Here:\n```json\n{"target_replicas": 3, "target_replicas": 30}\n```');
    expect(result.ok && result.conflictingKeys).toEqual([['target_replicas']]);
  });

  it('not when there are none', () => {
    const result = safeExtractJson('{"a":1}');
    expect(result).toEqual({ ok: true, value: { a: 1 }, repairs: [] });
  });
});
