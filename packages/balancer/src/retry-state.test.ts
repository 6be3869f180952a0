import { describe, expect, it } from 'vitest';
import { RetryState } from './retry-state';

describe('RetryState', () => {
  it('excludes nothing before a failure', () => {
    const retry = new RetryState(3);
    for (let target = 0; target < 3; target++) {
      expect(retry.excludes(target, false)).toBe(false);
      expect(retry.excludes(target, true)).toBe(false);
      expect(retry.triesOf(target)).toBeUndefined();
    }
    expect(retry.hadRetriable).toBe(false);
  });

  it('counts tries per target and gives a target up past maxRetries', () => {
    const retry = new RetryState(3);
    retry.failedTry(1, 2);
    expect(retry.triesOf(1)).toBe(1);
    expect(retry.hadRetriable).toBe(true);
    // A fresh round skips every target that failed; a retry round only the given-up ones.
    expect(retry.excludes(1, false)).toBe(true);
    expect(retry.excludes(1, true)).toBe(false);
    expect(retry.excludes(0, false)).toBe(false);
    retry.failedTry(1, 2);
    expect(retry.triesOf(1)).toBe(2);
    retry.failedTry(1, 2);
    expect(retry.triesOf(1)).toBeUndefined();
    expect(retry.excludes(1, true)).toBe(true);
    expect(retry.excludes(1, false)).toBe(true);
    expect(retry.excludes(2, true)).toBe(false);
  });

  it('gives a target up at once, and keeps it given up', () => {
    const retry = new RetryState(2);
    retry.giveUp(0);
    expect(retry.excludes(0, true)).toBe(true);
    expect(retry.triesOf(0)).toBeUndefined();
    retry.failedTry(0, 5);
    expect(retry.triesOf(0)).toBe(1);
    retry.giveUp(0);
    expect(retry.excludes(0, true)).toBe(true);
    // With maxRetries 0 a transient failure gives the target up and leaves nothing to retry.
    retry.failedTry(1, 0);
    expect(retry.excludes(1, true)).toBe(true);
    expect(retry.hadRetriable).toBe(true);
  });

  it('agrees with a map of tries keyed by target over random sequences', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    for (let run = 0; run < 200; run++) {
      const targets = 1 + Math.floor(random() * 8);
      const maxRetries = Math.floor(random() * 3);
      const retry = new RetryState(targets);
      const model = new Map<number, number>(); // −1: given up
      for (let step = 0; step < 20; step++) {
        const target = Math.floor(random() * targets);
        if (random() < 0.3) {
          retry.giveUp(target);
          model.set(target, -1);
        } else {
          retry.failedTry(target, maxRetries);
          const tries = (model.get(target) === -1 ? 0 : (model.get(target) ?? 0)) + 1;
          model.set(target, tries > maxRetries ? -1 : tries);
        }
        for (let other = 0; other < targets; other++) {
          const entry = model.get(other);
          expect(retry.excludes(other, false)).toBe(entry !== undefined);
          expect(retry.excludes(other, true)).toBe(entry === -1);
          expect(retry.triesOf(other)).toBe(entry === -1 ? undefined : entry);
        }
      }
    }
  });

  it('refuses a target outside the balancer', () => {
    const retry = new RetryState(2);
    expect(() => retry.giveUp(2)).toThrow(RangeError);
    expect(() => retry.failedTry(-1, 1)).toThrow(RangeError);
  });
});
