import { ConfigError, ValidationError } from '@ballast/core';
import { describe, expect, it } from 'vitest';
import { type BacktestOptions, runBacktest } from './backtest';

// Bad back-test input from JavaScript callers: a typed error naming the option, never an
// out-of-memory, a RangeError/TypeError or a silent default.
// biome-ignore lint/suspicious/noExplicitAny: JavaScript callers pass anything
type Loose = any;

const base: BacktestOptions = {
  trace: [1, 2, 3, 4, 3, 2],
  stepSeconds: 300,
  requestsPerPodCores: 0.5,
  targetUtilization: 70,
  minReplicas: 1,
  maxReplicas: 10,
  podStartupSteps: 1,
  policies: ['hpa'],
};

async function thrown(options: Loose): Promise<unknown> {
  try {
    await runBacktest(options);
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('runBacktest: bad options', () => {
  it.each<{ name: string; patch: Loose; path: string }>([
    {
      name: 'negative demand target (SPEC demand silently 1 pod)',
      patch: { demandTargetUtilization: -5 },
      path: 'demandTargetUtilization',
    },
    { name: 'unknown policy name (TypeError)', patch: { policies: ['bogus'] }, path: 'policies.0' },
    { name: 'policy null', patch: { policies: [null] }, path: 'policies.0' },
    { name: 'policies not an array', patch: { policies: 'hpa' }, path: 'policies' },
    { name: 'trace a string (TypeError)', patch: { trace: '1234' }, path: 'trace' },
    {
      name: '1e308 cores over a 1e-300 request (RangeError)',
      patch: { trace: [1e308, 1e308, 1e308], requestsPerPodCores: 1e-300 },
      path: 'trace',
    },
    { name: 'maxReplicas 2e9 (out of memory)', patch: { maxReplicas: 2e9 }, path: 'maxReplicas' },
    { name: 'podStartupSteps 1e9 (RangeError)', patch: { podStartupSteps: 1e9 }, path: 'podStartupSteps' },
    {
      name: 'outlookSteps 1e9 (RangeError)',
      patch: { policies: ['predictive'], forecast: { outlookSteps: 1e9 } },
      path: 'forecast.outlookSteps',
    },
    {
      name: 'refitEverySteps -1 (silently every step)',
      patch: { forecast: { model: 'holt-winters', refitEverySteps: -1 } },
      path: 'forecast.refitEverySteps',
    },
    { name: 'unknown forecast model', patch: { forecast: { model: 'bogus' } }, path: 'forecast.model' },
    { name: 'forecast level 7', patch: { forecast: { level: 7 } }, path: 'forecast.level' },
  ])('$name → ConfigError at $path', async ({ patch, path }) => {
    const error = await thrown({ ...base, ...patch });
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((issue) => issue.path)).toContain(path);
  });

  it.each<{ name: string; decide: () => unknown }>([
    { name: 'NaN', decide: () => Number.NaN },
    { name: 'a string', decide: () => 'abc' },
    { name: 'undefined', decide: () => undefined },
  ])('a custom policy returning $name is reported, not read as minReplicas', async ({ decide }) => {
    const error = await thrown({ ...base, policies: [{ name: 'broken', decide }] });
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toContain("'broken'");
  });

  it('±Infinity and 1e308 still clamp to the bounds', async () => {
    const report = await runBacktest({
      ...base,
      policies: [
        { name: 'up', decide: () => Number.POSITIVE_INFINITY },
        { name: 'huge', decide: () => 1e308 },
        { name: 'down', decide: () => Number.NEGATIVE_INFINITY },
      ],
    });
    expect(report.policies.map((policy) => policy.replicas.at(-1))).toEqual([10, 10, 1]);
  });
});
