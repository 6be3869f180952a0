import { AbortedError, type BallastError, TimeoutError } from '@ballast/core';
import type { CallRun, Stoppable } from './call-run';

/** How one attempt ended, as the attempt loop sees it. */
export type AttemptResult<T> = { ok: true; value: T } | { ok: false; error: BallastError };

/**
 * One attempt on one target: the model's promise, raced (without `Promise.race`) against the
 * attempt timeout, the call's stop and a cancel, and the upstream's own settlement tracked
 * apart from it.
 *
 * Two moments matter and they differ: when the balancer stops *waiting* (`result`: a timeout
 * or an abort answers at once) and when the upstream call has really *settled* (`upstreamSettled`:
 * only then is its connection gone). The balancer frees the target's concurrency slot at the
 * second, so `maxConcurrent` holds at the upstream even for a model that is slow to give up.
 *
 * Nothing here allocates an AbortController, a timer or a listener for an attempt that ends
 * before its call is armed (see {@link ArmingSweep}): the model's `signal` is built on first
 * read, and the timeout timer when the call is armed.
 */
export class Attempt<T> implements Stoppable {
  /** Resolves once: the upstream answered, or the attempt was stopped, timed out or cancelled. */
  readonly result: Promise<AttemptResult<T>>;
  /** Why the attempt was stopped before its upstream answered, if it was. */
  stopReason: BallastError | undefined = undefined;
  /** Whether the attempt timeout fired. */
  timedOut = false;
  /** How the upstream settled, once it has (the synchronous view of `upstreamSettled`). */
  settledWith: AttemptResult<T> | undefined = undefined;
  private resolveResult!: (result: AttemptResult<T>) => void;
  /** Built on first read of `upstreamSettled` (see there). */
  private settledPromise: Promise<AttemptResult<T>> | undefined = undefined;
  private resolveSettled: ((result: AttemptResult<T>) => void) | undefined = undefined;
  private done = false;
  /** Cancelled after it ended, before anyone read its signal: abort the signal if it is ever built. */
  private cancelledLate = false;
  private controller: AbortController | undefined = undefined;
  private timer: ReturnType<typeof setTimeout> | undefined = undefined;

  /**
   * @param startedAt `performance.now()` at the start, for the timeout.
   * @param timeoutMs Attempt timeout, or `undefined` for none.
   */
  constructor(
    private readonly run: CallRun,
    private readonly startedAt: number,
    private timeoutMs: number | undefined,
    private readonly label: string,
  ) {
    this.result = new Promise((resolve) => {
      this.resolveResult = resolve;
    });
  }

  /**
   * Resolves when the upstream call has settled, whatever `result` said (never rejects). Built on
   * first read: only an attempt given up before its upstream answered (a timeout, an abort, a
   * lost hedge) needs to wait for it, and every other attempt saves a promise.
   */
  get upstreamSettled(): Promise<AttemptResult<T>> {
    if (this.settledPromise === undefined) {
      const settled = this.settledWith;
      this.settledPromise = settled
        ? Promise.resolve(settled)
        : new Promise((resolve) => {
            this.resolveSettled = resolve;
          });
    }
    return this.settledPromise;
  }

  /**
   * The signal handed to the model. Built on first read: models that never look at it (instant
   * in-process ones) cost nothing, and real adapters that do are slow enough not to notice.
   * Reading it also arms the call, so a caller's abort reaches the upstream at once.
   */
  signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.cancelledLate) this.interrupt(this.cancellation());
      if (this.stopReason) this.controller.abort(this.stopReason);
      else this.run.arm();
    }
    return this.controller.signal;
  }

  /**
   * Runs the upstream call `call(target, options, context)`. `toError(thrown, target)` turns
   * whatever it throws into a Ballast error. (Arguments rather than one closure: an attempt per call.)
   */
  begin<Target, Options, Context>(
    call: (target: Target, options: Options, context: Context) => PromiseLike<T> | T,
    target: Target,
    options: Options,
    context: Context,
    toError: (thrown: unknown, target: Target) => BallastError,
  ): void {
    this.run.watch(this);
    let upstream: PromiseLike<T> | T;
    try {
      upstream = call(target, options, context);
    } catch (thrown) {
      upstream = Promise.reject(thrown);
    }
    // `Promise.resolve` returns a native promise as it is; it only wraps a foreign thenable.
    Promise.resolve(upstream).then(
      (value) => this.settle({ ok: true, value }),
      (thrown: unknown) => this.settle({ ok: false, error: this.run.failure ?? toError(thrown, target) }),
    );
  }

  /** The call stopped (caller abort or deadline): abort the upstream and stop waiting. */
  stop(error: BallastError): void {
    this.interrupt(error);
  }

  /** This attempt is no longer wanted (a lost hedge, a consumer that stopped reading). */
  cancel(): void {
    // An error captures a stack trace, which costs more than a whole instant call: when the
    // attempt is over and nobody holds its signal, there is nothing to abort yet.
    if (this.done && !this.controller) {
      this.cancelledLate = true;
      return;
    }
    this.interrupt(this.cancellation());
  }

  private cancellation(): AbortedError {
    return new AbortedError({ message: `${this.label} was cancelled` });
  }

  /** Installs the attempt timeout's timer (when the call is armed). */
  arm(): void {
    if (this.done || this.timer !== undefined || this.timeoutMs === undefined) return;
    const timeoutMs = this.timeoutMs;
    this.timer = setTimeout(
      () => {
        this.timedOut = true;
        this.interrupt(
          new TimeoutError({
            timeoutMs,
            message: `${this.label} did not answer within the attempt timeout of ${timeoutMs} ms`,
          }),
        );
      },
      Math.max(0, this.startedAt + timeoutMs - performance.now()),
    );
    this.timer.unref?.();
  }

  /** The attempt won (a stream past its first token): its timeout no longer applies. */
  commit(): void {
    this.timeoutMs = undefined;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Drops the timer and leaves the call's watch list (the attempt's outcome is booked). */
  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.run.unwatch(this);
  }

  private interrupt(error: BallastError): void {
    if (this.stopReason) return;
    this.stopReason = error;
    this.controller?.abort(error);
    this.finish({ ok: false, error });
  }

  private settle(result: AttemptResult<T>): void {
    this.settledWith = result;
    this.resolveSettled?.(result);
    this.finish(result);
  }

  private finish(result: AttemptResult<T>): void {
    if (this.done) return;
    this.done = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.resolveResult(result);
  }
}
