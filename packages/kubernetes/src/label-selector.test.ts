import { ValidationError } from '@ballast/core';
import { describe, expect, it } from 'vitest';
import { matchesLabelSelector, toLabelSelectorString } from './label-selector';

describe('toLabelSelectorString', () => {
  it('joins matchLabels and every matchExpressions operator, sorted by key', () => {
    expect(
      toLabelSelectorString({
        matchLabels: { 'app.kubernetes.io/name': 'web', tier: 'api' },
        matchExpressions: [
          { key: 'zone', operator: 'In', values: ['b', 'a'] },
          { key: 'track', operator: 'NotIn', values: ['canary'] },
          { key: 'owner', operator: 'Exists' },
          { key: 'legacy', operator: 'DoesNotExist' },
        ],
      }),
    ).toBe('app.kubernetes.io/name=web,!legacy,owner,tier=api,track notin (canary),zone in (a,b)');
  });

  it('refuses empty selectors, unknown operators and In without values', () => {
    expect(() => toLabelSelectorString({})).toThrow(ValidationError);
    expect(() =>
      toLabelSelectorString({ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] }),
    ).toThrow(/unknown operator/);
    expect(() =>
      toLabelSelectorString({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }),
    ).toThrow(/at least one value/);
  });
});

describe('matchesLabelSelector', () => {
  const selector = {
    matchLabels: { app: 'web' },
    matchExpressions: [
      { key: 'track', operator: 'NotIn', values: ['canary'] },
      { key: 'zone', operator: 'In', values: ['a', 'b'] },
    ],
  };
  it.each([
    [{ app: 'web', zone: 'a' }, true],
    [{ app: 'web', zone: 'b', track: 'stable' }, true],
    [{ app: 'web', zone: 'a', track: 'canary' }, false],
    [{ app: 'web' }, false],
    [{ app: 'api', zone: 'a' }, false],
  ])('%j → %s', (labels, expected) => {
    expect(matchesLabelSelector(selector, labels)).toBe(expected);
  });
});
