import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from './circuit-breaker';

// Boundary tests for the three `>=` comparisons of the breaker: each mutant (`>` instead of `>=`,
// or `>=` instead of `>`) flips exactly one of these expectations.

function breaker(options: ConstructorParameters<typeof CircuitBreaker>[0]) {
  const clock = { now: 1_000 };
  return { clock, breaker: new CircuitBreaker(options, () => clock.now) };
}

function record(target: CircuitBreaker, outcomes: ReadonlyArray<boolean>): void {
  for (const ok of outcomes) {
    const permit = target.tryAcquire();
    if (ok) target.onSuccess(permit);
    else target.onFailure(permit, { code: 'server_error' });
  }
}

describe('CircuitBreaker boundaries', () => {
  it('opens at exactly minimumRequests calls, not one before', () => {
    const below = breaker({ minimumRequests: 4, failureRateThreshold: 1 }).breaker;
    record(below, [false, false, false]);
    expect(below.state()).toBe('closed');
    const at = breaker({ minimumRequests: 4, failureRateThreshold: 1 }).breaker;
    record(at, [false, false, false, false]);
    expect(at.state()).toBe('open');
  });

  it('opens at a failure rate exactly equal to the threshold, not just below it', () => {
    const at = breaker({ minimumRequests: 4, failureRateThreshold: 0.5 }).breaker;
    record(at, [true, true, false, false]); // 2 / 4 = 0.5
    expect(at.snapshot()).toMatchObject({ state: 'open', failureRate: 0.5, requests: 4 });
    const below = breaker({ minimumRequests: 4, failureRateThreshold: 0.5 }).breaker;
    record(below, [true, true, true, false, false]); // 2 / 5 = 0.4
    expect(below.snapshot()).toMatchObject({ state: 'closed', failureRate: 0.4, requests: 5 });
  });

  it('turns half-open exactly when the cooldown has elapsed, not one millisecond before', () => {
    const { clock, breaker: target } = breaker({
      minimumRequests: 1,
      failureRateThreshold: 1,
      cooldownMs: 5_000,
    });
    record(target, [false]);
    expect(target.snapshot()).toMatchObject({ state: 'open', cooldownRemainingMs: 5_000 });
    clock.now += 4_999;
    expect(target.state()).toBe('open');
    expect(target.tryAcquire()).toBeUndefined();
    clock.now += 1;
    expect(target.state()).toBe('half-open');
    expect(target.tryAcquire()).toBe('probe');
  });
});
