import { ConfigError, ValidationError } from '@ballast/core';
import { describe, expect, it } from 'vitest';
import { patchHpaBounds, scaleDeployment } from './executor';
import { createHistoryRing } from './history-ring';
import { loadKubeConfig } from './kube-client';
import { type LabelSelector, toLabelSelectorString } from './label-selector';

// Bad input to the package's pure helpers and to the executors' dry runs: each is a typed
// ValidationError naming the field, never a TypeError, a silently wrong selector or a plan the
// API server could never accept.

function validationPaths(work: () => unknown): string[] {
  try {
    work();
  } catch (error) {
    expect(ValidationError.isInstance(error), String(error)).toBe(true);
    return (error as ValidationError).issues.map((issue) => issue.path);
  }
  throw new Error('expected a ValidationError');
}

async function rejectionPaths(work: () => Promise<unknown>): Promise<string[]> {
  const error = await work().then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(ValidationError.isInstance(error), String(error)).toBe(true);
  return (error as ValidationError).issues.map((issue) => issue.path);
}

describe('toLabelSelectorString refuses what is not a label', () => {
  it.each<[string, LabelSelector, string]>([
    ['a value that adds a requirement', { matchLabels: { app: 'web,tier!=canary' } }, 'matchLabels.app'],
    ['a key that adds a requirement', { matchLabels: { 'app,tier': 'web' } }, 'matchLabels.app,tier'],
    ['a value with a space', { matchLabels: { app: 'web app' } }, 'matchLabels.app'],
    ['an empty key', { matchLabels: { '': 'web' } }, 'matchLabels.'],
    ['a value that is not a string', { matchLabels: { app: 5 as unknown as string } }, 'matchLabels.app'],
    [
      'an In value that closes the set',
      { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a),b in (c'] }] },
      'matchExpressions.0.values.0',
    ],
    [
      'an expression key with a space',
      { matchExpressions: [{ key: 'zone x', operator: 'Exists' }] },
      'matchExpressions.0.key',
    ],
    ['a 64-character value', { matchLabels: { app: 'a'.repeat(64) } }, 'matchLabels.app'],
  ])('%s', (_, selector, path) => {
    expect(validationPaths(() => toLabelSelectorString(selector))).toEqual([path]);
  });

  it('refuses a selector that is not an object, and keeps accepting real ones', () => {
    expect(validationPaths(() => toLabelSelectorString(null as unknown as LabelSelector))).toEqual([
      'selector',
    ]);
    expect(
      toLabelSelectorString({
        matchLabels: { 'app.kubernetes.io/name': 'web', empty: '', 'a_b.c-d': 'X_y.z-1' },
      }),
    ).toBe('a_b.c-d=X_y.z-1,app.kubernetes.io/name=web,empty=');
  });
});

describe('executors refuse replica counts the API cannot store', () => {
  it('refuses more than 2^31 − 1 replicas (int32) in a scale and in HPA bounds', async () => {
    expect(
      await rejectionPaths(() =>
        scaleDeployment({ namespace: 'shop', deployment: 'web', replicas: 2 ** 31 }),
      ),
    ).toEqual(['replicas']);
    expect(
      await rejectionPaths(() => patchHpaBounds({ namespace: 'shop', hpa: 'web', maxReplicas: 2 ** 40 })),
    ).toEqual(['maxReplicas']);
    const plan = await scaleDeployment({ namespace: 'shop', deployment: 'web', replicas: 2 ** 31 - 1 });
    expect(plan.patch.body).toEqual({ spec: { replicas: 2 ** 31 - 1 } });
  });

  it('refuses missing options with a ValidationError, not a TypeError', async () => {
    expect(await rejectionPaths(() => scaleDeployment(undefined as never))).toEqual(['(root)']);
    expect(await rejectionPaths(() => patchHpaBounds(null as never))).toEqual(['(root)']);
  });
});

describe('createHistoryRing refuses what cannot be a ring', () => {
  it('refuses missing options and a step below one millisecond', () => {
    expect(validationPaths(() => createHistoryRing(undefined as never))).toEqual(['(root)']);
    expect(validationPaths(() => createHistoryRing({ capacity: 3, stepMs: 1e-300 }))).toEqual(['stepMs']);
    expect(validationPaths(() => createHistoryRing({ capacity: 3, stepMs: 0.5 }))).toEqual(['stepMs']);
  });
});

describe('loadKubeConfig never falls back to the default cluster for a wrong value', () => {
  it.each([
    ['a number', 5],
    ['null', null],
    ['a parsed kubeconfig object', { apiVersion: 'v1', clusters: [] }],
  ])('refuses %s with a ConfigError instead of loading ~/.kube/config', (_, input) => {
    // Whatever the default locations hold (on a workstation: the current cluster), a wrong value
    // must be refused by name, not answered with the defaults.
    const previous = process.env.KUBECONFIG;
    process.env.KUBECONFIG = '';
    try {
      let caught: unknown;
      try {
        loadKubeConfig(input as never);
      } catch (error) {
        caught = error;
      }
      expect(ConfigError.isInstance(caught), String(caught)).toBe(true);
      expect((caught as ConfigError).issues.map((issue) => issue.path)).toEqual(['kubeConfig']);
      expect((caught as ConfigError).message).toMatch(/KubeConfig, a kubeconfig YAML string or undefined/);
    } finally {
      if (previous === undefined) delete process.env.KUBECONFIG;
      else process.env.KUBECONFIG = previous;
    }
  });
});
