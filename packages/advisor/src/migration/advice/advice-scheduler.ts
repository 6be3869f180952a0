import type { ClusterSnapshot } from '@ballast/core';
import type { MigrationAdvice } from './advise-migrations';

/**
 * Timer functions the scheduler uses; inject fakes in tests.
 *
 * @example
 * ```ts
 * const timers: AdviceSchedulerTimers = { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout) };
 * ```
 */
export interface AdviceSchedulerTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * Where a scheduler cycle failed, and what happens next.
 *
 * @example
 * ```ts
 * const log = (error: unknown, context: AdviceSchedulerErrorContext) => console.warn(context.phase, context.nextDelayMs, error);
 * ```
 */
export interface AdviceSchedulerErrorContext {
  /** `collect` (snapshot), `advise`, or `deliver` (`onAdvice` threw). */
  phase: 'collect' | 'advise' | 'deliver';
  /** Failed collect/advise cycles in a row, this one included (`deliver` errors do not count). */
  consecutiveFailures: number;
  /** Delay until the next cycle, ms; `undefined` when the scheduler is not started. */
  nextDelayMs: number | undefined;
}

/**
 * Options of {@link createAdviceScheduler}.
 *
 * @example
 * ```ts
 * const options: AdviceSchedulerOptions = {
 *   collect: (signal) => collector.collect({ signal }),
 *   advise: (snapshot, signal) => cache.advise({ snapshot, model, options: { signal } }),
 *   intervalMs: 60 * 60_000,
 *   onAdvice: (advice) => store.save(advice),
 * };
 * ```
 */
export interface AdviceSchedulerOptions {
  collect: (signal: AbortSignal) => Promise<ClusterSnapshot>;
  advise: (snapshot: ClusterSnapshot, signal: AbortSignal) => Promise<MigrationAdvice>;
  /** Time between the end of one cycle and the start of the next, ms. */
  intervalMs: number;
  onAdvice?: (advice: MigrationAdvice, snapshot: ClusterSnapshot) => void | Promise<void>;
  /** Every error, never thrown. */
  onError?: (error: unknown, context: AdviceSchedulerErrorContext) => void;
  /** After n failures in a row the next delay is `intervalMs × factor^n`, at most `maxDelayMs`. Defaults 2 and 8 × `intervalMs`. */
  backoff?: { factor?: number; maxDelayMs?: number };
  /** `start()` runs the first cycle at once (default) or after `intervalMs`. */
  runImmediately?: boolean;
  timers?: AdviceSchedulerTimers;
  /** Clock, epoch ms. Default `Date.now`. */
  now?: () => number;
}

/**
 * The outcome of one cycle.
 *
 * @example
 * ```ts
 * const result: AdviceCycleResult = await scheduler.runOnce();
 * if (result.ok) console.log(result.advice.recommendations.length);
 * ```
 */
export type AdviceCycleResult =
  | { ok: true; advice: MigrationAdvice; snapshot: ClusterSnapshot; startedAt: number; finishedAt: number }
  | { ok: false; error: unknown; phase: 'collect' | 'advise'; startedAt: number; finishedAt: number };

/**
 * A periodic collect → advise loop.
 *
 * @example
 * ```ts
 * scheduler.start();
 * process.on('SIGTERM', () => void scheduler.stop());
 * ```
 */
export interface AdviceScheduler {
  /** Starts the loop (idempotent). */
  start(): void;
  /** Stops the loop: cancels the timer, aborts the running cycle and waits for it to end. */
  stop(): Promise<void>;
  /** Runs one cycle now, or joins the one in flight (never two at once). Never rejects. */
  runOnce(): Promise<AdviceCycleResult>;
  readonly started: boolean;
  /** A cycle is in flight. */
  readonly running: boolean;
  readonly consecutiveFailures: number;
  /** The delay the next cycle was scheduled with, ms. */
  readonly nextDelayMs: number | undefined;
}

/**
 * Creates a scheduler that collects a snapshot and asks for advice every `intervalMs` (measured
 * from the end of a cycle, so runs never overlap). Errors go to `onError`, never thrown; after
 * consecutive failures the delay grows by `backoff.factor` up to `backoff.maxDelayMs`, and resets
 * after a success. `stop()` aborts the running cycle through its `AbortSignal` and resolves once it
 * has ended; errors caused by that abort are not reported.
 *
 * @example
 * ```ts
 * const cache = createAdviceCache();
 * const scheduler = createAdviceScheduler({
 *   collect: (signal) => collectSnapshot(client, { signal }),
 *   advise: (snapshot, signal) => cache.advise({ snapshot, model, period: '24h', options: { signal } }),
 *   intervalMs: config.collection_interval_minutes * 60_000,
 *   onAdvice: (advice) => console.log(toProxBalanceResponse(advice)),
 *   onError: (error, { phase, nextDelayMs }) => console.warn(`advice ${phase} failed; retry in ${nextDelayMs} ms`, error),
 * });
 * scheduler.start();
 * ```
 */
export function createAdviceScheduler(options: AdviceSchedulerOptions): AdviceScheduler {
  if (!(options.intervalMs > 0)) throw new RangeError('intervalMs must be a positive number');
  const timers: AdviceSchedulerTimers = options.timers ?? {
    setTimeout: (callback, ms) => setTimeout(callback, ms),
    clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  };
  const now = options.now ?? Date.now;
  const factor = Math.max(1, options.backoff?.factor ?? 2);
  const maxDelayMs = Math.max(options.intervalMs, options.backoff?.maxDelayMs ?? options.intervalMs * 8);
  let started = false;
  let timer: unknown;
  let current: Promise<AdviceCycleResult> | undefined;
  let controller: AbortController | undefined;
  let failures = 0;
  let nextDelayMs: number | undefined;

  const delay = () =>
    failures === 0 ? options.intervalMs : Math.min(maxDelayMs, options.intervalMs * factor ** failures);

  const report = (error: unknown, context: AdviceSchedulerErrorContext) => {
    try {
      options.onError?.(error, context);
    } catch {
      // A failing error handler must not break the loop.
    }
  };

  const schedule = (ms: number) => {
    if (timer !== undefined) timers.clearTimeout(timer);
    nextDelayMs = ms;
    timer = timers.setTimeout(() => {
      timer = undefined;
      void runOnce();
    }, ms);
  };

  const cycle = async (abort: AbortController): Promise<AdviceCycleResult> => {
    const startedAt = now();
    let phase: 'collect' | 'advise' = 'collect';
    let result: AdviceCycleResult;
    try {
      const snapshot = await options.collect(abort.signal);
      phase = 'advise';
      const advice = await options.advise(snapshot, abort.signal);
      failures = 0;
      result = { ok: true, advice, snapshot, startedAt, finishedAt: now() };
      try {
        await options.onAdvice?.(advice, snapshot);
      } catch (error) {
        if (!abort.signal.aborted)
          report(error, {
            phase: 'deliver',
            consecutiveFailures: 0,
            nextDelayMs: started ? delay() : undefined,
          });
      }
    } catch (error) {
      result = { ok: false, error, phase, startedAt, finishedAt: now() };
      if (!abort.signal.aborted) {
        failures++;
        report(error, { phase, consecutiveFailures: failures, nextDelayMs: started ? delay() : undefined });
      }
    }
    return result;
  };

  const runOnce = (): Promise<AdviceCycleResult> => {
    if (current !== undefined) return current;
    const abort = new AbortController();
    controller = abort;
    const running = cycle(abort).finally(() => {
      current = undefined;
      controller = undefined;
      if (started) schedule(delay());
    });
    current = running;
    return running;
  };

  return {
    start() {
      if (started) return;
      started = true;
      if (current === undefined) schedule(options.runImmediately === false ? options.intervalMs : 0);
    },
    async stop() {
      started = false;
      if (timer !== undefined) timers.clearTimeout(timer);
      timer = undefined;
      nextDelayMs = undefined;
      controller?.abort();
      if (current !== undefined) await current;
    },
    runOnce,
    get started() {
      return started;
    },
    get running() {
      return current !== undefined;
    },
    get consecutiveFailures() {
      return failures;
    },
    get nextDelayMs() {
      return nextDelayMs;
    },
  };
}
