import type { ClusterSnapshot } from '@ballast/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { adviceCluster } from './__fixtures__/advice-cluster';
import { createAdviceScheduler } from './advice-scheduler';
import type { MigrationAdvice } from './advise-migrations';

const advice = { recommendations: [] } as unknown as MigrationAdvice;

afterEach(() => {
  vi.useRealTimers();
});

describe('createAdviceScheduler', () => {
  it('never overlaps runs: a second runOnce joins the cycle in flight', async () => {
    let release!: () => void;
    let collects = 0;
    let concurrent = 0;
    let maxConcurrent = 0;
    const scheduler = createAdviceScheduler({
      intervalMs: 1000,
      collect: async () => {
        collects++;
        concurrent++;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        concurrent--;
        return adviceCluster();
      },
      advise: async () => advice,
    });
    const first = scheduler.runOnce();
    const second = scheduler.runOnce();
    expect(second).toBe(first);
    expect(scheduler.running).toBe(true);
    await Promise.resolve();
    release();
    const result = await first;
    expect(result.ok).toBe(true);
    expect(collects).toBe(1);
    expect(maxConcurrent).toBe(1);
  });

  it('runs every interval after start and stop() aborts and awaits the running cycle', async () => {
    vi.useFakeTimers();
    const delivered: MigrationAdvice[] = [];
    const signals: AbortSignal[] = [];
    let hang = false;
    const scheduler = createAdviceScheduler({
      intervalMs: 1000,
      collect: async (signal) => {
        signals.push(signal);
        if (hang) {
          await new Promise((_, reject) =>
            signal.addEventListener('abort', () => reject(new Error('aborted'))),
          );
        }
        return adviceCluster();
      },
      advise: async () => advice,
      onAdvice: (value) => {
        delivered.push(value);
      },
      onError: () => {
        throw new Error('must not be reported after stop');
      },
    });
    scheduler.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(delivered).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(999);
    expect(delivered).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(delivered).toHaveLength(2);
    hang = true;
    await vi.advanceTimersByTimeAsync(1000);
    expect(scheduler.running).toBe(true);
    await scheduler.stop();
    expect(signals.at(-1)?.aborted).toBe(true);
    expect(scheduler.running).toBe(false);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(signals).toHaveLength(3);
  });

  it('reports errors instead of throwing and backs off after consecutive failures', async () => {
    vi.useFakeTimers();
    const errors: Array<{ phase: string; consecutiveFailures: number; nextDelayMs: number | undefined }> = [];
    let fail = true;
    const starts: number[] = [];
    const scheduler = createAdviceScheduler({
      intervalMs: 1000,
      backoff: { factor: 2, maxDelayMs: 5000 },
      collect: async () => {
        starts.push(Date.now());
        if (fail) throw new Error('proxmox unreachable');
        return adviceCluster() as ClusterSnapshot;
      },
      advise: async () => advice,
      onError: (_error, context) => errors.push(context),
    });
    const start = Date.now();
    scheduler.start();
    await vi.advanceTimersByTimeAsync(0); // fail 1 → 2 s
    await vi.advanceTimersByTimeAsync(2000); // fail 2 → 4 s
    await vi.advanceTimersByTimeAsync(4000); // fail 3 → 5 s (capped)
    expect(errors.map((error) => [error.phase, error.consecutiveFailures, error.nextDelayMs])).toEqual([
      ['collect', 1, 2000],
      ['collect', 2, 4000],
      ['collect', 3, 5000],
    ]);
    fail = false;
    await vi.advanceTimersByTimeAsync(5000); // success → back to 1 s
    expect(scheduler.consecutiveFailures).toBe(0);
    expect(scheduler.nextDelayMs).toBe(1000);
    expect(starts.map((time) => time - start)).toEqual([0, 2000, 6000, 11000]);
    await scheduler.stop();
  });
});
