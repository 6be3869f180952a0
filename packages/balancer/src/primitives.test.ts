import { ConfigError } from '@ballast/core';
import { describe, expect, it } from 'vitest';
import { CircuitBreaker, type CircuitState } from './circuit-breaker';
import { ConcurrencyLimiter, SlotUnavailable } from './concurrency-limiter';
import { manualClock, seededRandom } from './fake-chat-model.test-helper';
import { LatencyWindow } from './latency-window';
import { MetricsRecorder } from './metrics';
import { computeBackoffMs, RetryBudget, retryDelayMs } from './retry-policy';
import { defaultScoreWeights, resolveScoreWeights, scoreCandidates } from './scoring';

describe('scoring', () => {
  const base = { successes: 50, failures: 0, inFlight: 0, maxConcurrent: undefined, priority: 0 };

  it('normalizes relative to the best so no term saturates', () => {
    const [cheap, pricey, tenfold] = scoreCandidates(
      [
        { ...base, expectedCostUsd: 0.001, expectedLatencyMs: 100 },
        { ...base, expectedCostUsd: 0.002, expectedLatencyMs: 100 },
        { ...base, expectedCostUsd: 0.01, expectedLatencyMs: 100 },
      ],
      defaultScoreWeights,
    );
    expect(cheap?.components.cost).toBe(1);
    expect(pricey?.components.cost).toBeGreaterThan(0.4);
    expect(pricey?.components.cost).toBeLessThan(0.7);
    expect(tenfold?.components.cost).toBeGreaterThan(0);
    expect(tenfold?.components.cost).toBeLessThan(pricey?.components.cost ?? 0);
    expect(cheap?.total).toBeGreaterThan(pricey?.total ?? 1);
  });

  it('gives a new target a neutral latency and a Bayesian reliability between good and bad', () => {
    const [seasoned, fresh, flaky] = scoreCandidates(
      [
        { ...base, expectedCostUsd: undefined, expectedLatencyMs: 200 },
        { ...base, successes: 0, expectedCostUsd: undefined, expectedLatencyMs: undefined },
        { ...base, successes: 35, failures: 15, expectedCostUsd: undefined, expectedLatencyMs: 200 },
      ],
      defaultScoreWeights,
    );
    expect(fresh?.components.latency).toBe(seasoned?.components.latency);
    expect(fresh?.components.reliability).toBeLessThan(1);
    expect(fresh?.components.reliability).toBeGreaterThan(flaky?.components.reliability ?? 1);
    expect(seasoned?.components.reliability).toBe(1);
  });

  it('scores load and priority', () => {
    const [idle, busy] = scoreCandidates(
      [
        { ...base, expectedCostUsd: 1, expectedLatencyMs: 1, priority: 0 },
        { ...base, expectedCostUsd: 1, expectedLatencyMs: 1, inFlight: 3, maxConcurrent: 4, priority: 1 },
      ],
      defaultScoreWeights,
    );
    expect(idle?.components).toMatchObject({ load: 1, priority: 1 });
    expect(busy?.components).toMatchObject({ load: 0.25, priority: 0.5 });
  });

  it('reads weights from env, lets code win, and rejects bad values naming the variable', () => {
    expect(
      resolveScoreWeights({ cost: 5 }, { LOAD_BALANCER_WEIGHT_COST: '1', LOAD_BALANCER_WEIGHT_LATENCY: '2' }),
    ).toMatchObject({
      cost: 5,
      latency: 2,
      reliability: 30,
    });
    for (const bad of ['-1', 'abc', 'Infinity']) {
      expect(() => resolveScoreWeights(undefined, { LOAD_BALANCER_WEIGHT_RELIABILITY: bad })).toThrow(
        /LOAD_BALANCER_WEIGHT_RELIABILITY/,
      );
    }
    try {
      resolveScoreWeights(
        { load: 0, priority: 0 },
        {
          LOAD_BALANCER_WEIGHT_COST: '0',
          LOAD_BALANCER_WEIGHT_LATENCY: '0',
          LOAD_BALANCER_WEIGHT_RELIABILITY: '0',
        },
      );
      expect.unreachable();
    } catch (error) {
      expect(ConfigError.isInstance(error)).toBe(true);
      expect((error as ConfigError).message).toMatch(/at least one weight/);
    }
  });
});

describe('circuit breaker', () => {
  const setup = () => {
    const clock = manualClock();
    const transitions: CircuitState[] = [];
    const breaker = new CircuitBreaker(
      { minimumRequests: 5, failureRateThreshold: 0.5, cooldownMs: 1_000, maxCooldownMs: 3_000 },
      clock.now,
      (to) => transitions.push(to),
    );
    return { clock, breaker, transitions };
  };
  const fail = { code: 'server_error' };

  it('opens by error rate only after the minimum sample', () => {
    const { breaker } = setup();
    for (let index = 0; index < 4; index++) breaker.onFailure(breaker.tryAcquire(), fail);
    expect(breaker.state()).toBe('closed');
    breaker.onFailure(breaker.tryAcquire(), fail);
    expect(breaker.state()).toBe('open');
    expect(breaker.tryAcquire()).toBeUndefined();
  });

  it('stays closed below the threshold', () => {
    const { breaker } = setup();
    for (let index = 0; index < 20; index++) {
      const permit = breaker.tryAcquire();
      if (index % 3 === 0) breaker.onFailure(permit, fail);
      else breaker.onSuccess(permit);
    }
    expect(breaker.state()).toBe('closed');
  });

  it('opens at once on an auth error, and honours Retry-After in the cooldown', () => {
    const { breaker, clock } = setup();
    breaker.onFailure(breaker.tryAcquire(), {
      code: 'authentication_failed',
      targetUnavailable: true,
      retryAfterMs: 2_500,
    });
    expect(breaker.snapshot()).toMatchObject({ state: 'open', cooldownRemainingMs: 2_500 });
    clock.advance(1_000);
    expect(breaker.state()).toBe('open');
    clock.advance(1_500);
    expect(breaker.state()).toBe('half-open');
  });

  it('half-open lets exactly one probe through; success closes', () => {
    const { breaker, clock, transitions } = setup();
    breaker.onFailure(breaker.tryAcquire(), { ...fail, targetUnavailable: true });
    clock.advance(1_000);
    const probe = breaker.tryAcquire();
    expect(probe).toBe('probe');
    expect(breaker.tryAcquire()).toBeUndefined();
    expect(breaker.canAttempt()).toBe(false);
    breaker.onSuccess(probe);
    expect(breaker.state()).toBe('closed');
    expect(transitions).toEqual(['open', 'half-open', 'closed']);
  });

  it('a failed probe re-opens with a longer, capped cooldown', () => {
    const { breaker, clock } = setup();
    breaker.onFailure(breaker.tryAcquire(), { ...fail, targetUnavailable: true });
    const cooldowns: number[] = [];
    for (let round = 0; round < 3; round++) {
      clock.advance(breaker.snapshot().cooldownRemainingMs);
      const probe = breaker.tryAcquire();
      expect(probe).toBe('probe');
      breaker.onFailure(probe, fail);
      cooldowns.push(breaker.snapshot().cooldownRemainingMs);
    }
    expect(cooldowns).toEqual([2_000, 3_000, 3_000]);
  });

  it('a cancelled probe frees the probe slot without changing state', () => {
    const { breaker, clock } = setup();
    breaker.onFailure(breaker.tryAcquire(), { ...fail, targetUnavailable: true });
    clock.advance(1_000);
    breaker.onCancel(breaker.tryAcquire());
    expect(breaker.state()).toBe('half-open');
    expect(breaker.tryAcquire()).toBe('probe');
  });
});

describe('retry policy', () => {
  it('full jitter stays within [0, min(cap, base·2^n)] and uses the whole range', () => {
    const random = seededRandom(7);
    for (let retry = 0; retry < 10; retry++) {
      const ceiling = Math.min(1_000, 50 * 2 ** retry);
      const samples = Array.from({ length: 300 }, () =>
        computeBackoffMs(retry, { baseDelayMs: 50, maxDelayMs: 1_000 }, random),
      );
      expect(Math.min(...samples)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...samples)).toBeLessThanOrEqual(ceiling);
      expect(Math.max(...samples)).toBeGreaterThan(ceiling * 0.8);
      expect(Math.min(...samples)).toBeLessThan(ceiling * 0.2);
    }
    expect(computeBackoffMs(3, { baseDelayMs: 100, maxDelayMs: 5_000 }, () => 0.999_999)).toBe(799);
  });

  it('honours Retry-After up to the cap and refuses longer waits', () => {
    const options = { baseDelayMs: 100, maxDelayMs: 1_000, maxRetryAfterMs: 60_000 };
    expect(retryDelayMs({ retry: 0, retryAfterMs: 1_500 }, options, () => 0.5)).toBe(1_500);
    expect(retryDelayMs({ retry: 0, retryAfterMs: 120_000 }, options, () => 0.5)).toBeUndefined();
    expect(retryDelayMs({ retry: 1, retryAfterMs: undefined }, options, () => 0.5)).toBe(100);
  });

  it('the retry budget allows ratio × calls plus a floor', () => {
    const clock = manualClock();
    const budget = new RetryBudget({ ratio: 0.2, minPerSecond: 1, maxTokens: 100 }, clock.now);
    expect(budget.tryWithdraw()).toBe(true); // the floor's initial token
    expect(budget.tryWithdraw()).toBe(false);
    for (let index = 0; index < 10; index++) budget.recordRequest();
    expect(budget.tryWithdraw()).toBe(true);
    expect(budget.tryWithdraw()).toBe(true);
    expect(budget.tryWithdraw()).toBe(false);
    clock.advance(1_000);
    expect(budget.tryWithdraw()).toBe(true);
  });
});

describe('concurrency limiter', () => {
  it('caps in-flight calls, hands slots over FIFO, and releases exactly once', async () => {
    const limiter = new ConcurrencyLimiter({ maxConcurrent: 2, maxQueue: 1 });
    const first = limiter.tryAcquire();
    const second = limiter.tryAcquire();
    expect(limiter.tryAcquire()).toBeUndefined();
    const waiting = limiter.acquire({ timeoutMs: 1_000 });
    await expect(limiter.acquire()).rejects.toEqual(new SlotUnavailable('queue_full'));
    first?.();
    first?.(); // double release is a no-op
    const third = await waiting;
    expect(limiter.inFlight).toBe(2);
    second?.();
    third();
    expect(limiter.inFlight).toBe(0);
  });

  it('times out and aborts queued waiters', async () => {
    const limiter = new ConcurrencyLimiter({ maxConcurrent: 1 });
    const held = limiter.tryAcquire();
    await expect(limiter.acquire({ timeoutMs: 5 })).rejects.toMatchObject({ reason: 'queue_timeout' });
    const controller = new AbortController();
    const pending = limiter.acquire({ signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ reason: 'aborted' });
    expect(limiter.queued).toBe(0);
    held?.();
    expect(limiter.inFlight).toBe(0);
  });

  it('stays consistent under interleaved acquire/release', async () => {
    const limiter = new ConcurrencyLimiter({ maxConcurrent: 3, maxQueue: 1_000 });
    let active = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 200 }, async (_, index) => {
        const release = await limiter.acquire();
        try {
          active++;
          peak = Math.max(peak, active);
          await new Promise((resolve) => setTimeout(resolve, index % 3));
        } finally {
          active--;
          release();
          release();
        }
      }),
    );
    expect(peak).toBe(3);
    expect(limiter.inFlight).toBe(0);
  });
});

describe('latency window and metrics', () => {
  it('expires old samples and rotates every slot', () => {
    const window = new LatencyWindow({ capacity: 4, windowMs: 1_000 });
    for (const value of [10, 20, 30, 40, 50, 60]) window.add(value, 0);
    expect(window.quantiles(0)).toMatchObject({ p50: 40, p99: 60, count: 4 });
    expect(window.quantiles(5_000)).toBeUndefined();
  });

  it('reports the exact nearest-rank quantiles of the live samples (sorted mirror against a sort)', () => {
    const random = seededRandom(7);
    const exact = (samples: Array<{ value: number; at: number }>, now: number, windowMs: number) => {
      const live = samples
        .filter((sample) => sample.at >= now - windowMs)
        .map((sample) => sample.value)
        .sort((a, b) => a - b);
      if (live.length === 0) return undefined;
      const rank = (q: number) =>
        live[Math.min(live.length - 1, Math.max(0, Math.ceil(q * live.length) - 1))];
      return { p50: rank(0.5), p95: rank(0.95), p99: rank(0.99), count: live.length };
    };
    // Capacity under 32 refreshes on every read, so each read can be checked against a sort.
    for (const capacity of [1, 2, 5, 16, 31]) {
      const window = new LatencyWindow({ capacity, windowMs: 1_000 });
      const ring: Array<{ value: number; at: number }> = [];
      let now = 0;
      for (let step = 0; step < 2_000; step++) {
        // Few distinct values (duplicates), a clock that mostly moves forward and sometimes back.
        const value = Math.floor(random() * 12) * 5;
        now += random() < 0.1 ? -50 : Math.floor(random() * 40);
        window.add(value, now);
        ring.push({ value, at: now });
        if (ring.length > capacity) ring.shift();
        expect(window.quantiles(now)).toEqual(exact(ring, now, 1_000));
      }
    }
  });

  it('keeps bounded, time-bucketed aggregates', () => {
    const clock = manualClock();
    const metrics = new MetricsRecorder(
      { bucketMs: 60_000, retentionMs: 3_600_000, relativeAccuracy: 0.02 },
      clock.now,
    );
    for (let index = 0; index < 1_000; index++) {
      metrics.record(
        { target: 'a', model: 'fake:m' },
        index % 10 === 0
          ? { success: false, code: 'rate_limited', latencyMs: 5 }
          : { success: true, latencyMs: index % 100, inputTokens: 2, outputTokens: 1, costUsd: 0.001 },
      );
      clock.advance(6_000);
    }
    const recent = metrics.snapshot({ sinceMs: 600_000 });
    expect(recent.targets.a?.requests).toBeLessThanOrEqual(110);
    const all = metrics.snapshot();
    expect(all.targets.a?.requests).toBeLessThanOrEqual(610);
    expect(all.targets.a?.failuresByCode.rate_limited).toBeGreaterThan(0);
    expect(all.models['fake:m']?.successRate).toBeCloseTo(0.9, 1);
    expect(all.targets.a?.latencyMs?.p50).toBeGreaterThan(20);
  });
});
