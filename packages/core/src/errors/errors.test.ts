import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  AbortedError,
  ApiCallError,
  BallastError,
  CollectorError,
  ConfigError,
  NoHealthyTargetError,
  NoObjectGeneratedError,
  TimeoutError,
  ValidationError,
} from './index';

describe('error hierarchy', () => {
  const instances = [
    new ApiCallError({
      message: 'm',
      code: 'rate_limited',
      provider: 'p',
      isRetryable: true,
      retryAfterMs: 10,
    }),
    new ConfigError({ message: 'm' }),
    new ValidationError({ message: 'm' }),
    new NoHealthyTargetError({ message: 'm', attempts: [] }),
    new NoObjectGeneratedError({ message: 'm', attempts: [] }),
    new CollectorError({ message: 'm', source: 'proxmox', endpoint: '/cluster/resources' }),
    new TimeoutError({ timeoutMs: 5 }),
    new AbortedError(),
  ];

  it.each(instances.map((error) => [error.name, error] as const))(
    '%s is a BallastError with a code',
    (_, error) => {
      expect(BallastError.isInstance(error)).toBe(true);
      expect(error).toBeInstanceOf(Error);
      expect(typeof error.code).toBe('string');
      expect(JSON.parse(JSON.stringify(error))).toMatchObject({ code: error.code, name: error.name });
    },
  );

  it('recognizes errors from another copy of the package by their Symbol.for marker', () => {
    const foreign = Object.assign(new Error('x'), {
      [Symbol.for('ballast.error')]: true,
      [Symbol.for('ballast.error.api-call')]: true,
    });
    expect(BallastError.isInstance(foreign)).toBe(true);
    expect(ApiCallError.isInstance(foreign)).toBe(true);
    expect(TimeoutError.isInstance(foreign)).toBe(false);
    expect(BallastError.isInstance(new Error('plain'))).toBe(false);
    expect(BallastError.isInstance(null)).toBe(false);
  });

  it('subclass isInstance checks do not match siblings', () => {
    expect(ApiCallError.isInstance(new TimeoutError({ timeoutMs: 1 }))).toBe(false);
    expect(TimeoutError.isInstance(new TimeoutError({ timeoutMs: 1 }))).toBe(true);
  });

  it('retryability follows the class: timeouts retry, aborts and config errors do not', () => {
    expect(new TimeoutError({ timeoutMs: 1 }).isRetryable).toBe(true);
    expect(new AbortedError().isRetryable).toBe(false);
    expect(new ConfigError({ message: 'm' }).isRetryable).toBe(false);
  });

  it('ConfigError.fromZod names every bad path without echoing values', () => {
    const schema = z.object({ apiKey: z.string().min(20), port: z.number().int() });
    const parsed = schema.safeParse({ apiKey: 'short-secret', port: 1.5 });
    if (parsed.success) throw new Error('expected failure');
    const error = ConfigError.fromZod('settings', parsed.error);
    expect(error.issues.map((issue) => issue.path)).toEqual(['apiKey', 'port']);
    expect(error.message).not.toContain('short-secret');
  });
});
