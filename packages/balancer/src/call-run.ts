import { AbortedError, type BallastError, TimeoutError } from '@ballast/core';
import type { Armable, ArmingSweep } from './arming-sweep';

/** Something a call stops when the caller aborts or the call's deadline passes. */
export interface Stoppable {
  stop(error: BallastError): void;
  /** Arms the thing's own timers when the call is armed (see {@link ArmingSweep}). */
  arm?(): void;
}

/**
 * The lifetime of one balancer call: the caller's signal, the call's deadline, and everything
 * that must stop with them (attempts, backoff sleeps, queue waits, an unread stream).
 *
 * Fast calls never pay for timers or listeners: the balancer polls {@link CallRun.check} at its
 * checkpoints, and the {@link ArmingSweep} arms the real timer and listener for calls still
 * running a tick later. An AbortSignal for the call is only built if something asks for one.
 */
export class CallRun implements Armable {
  /** Why the call stopped early, once it has. */
  failure: BallastError | undefined = undefined;
  settled = false;
  /** The call's place in the arming sweep's batch (see {@link ArmingSweep}). */
  sweepSlot = -1;
  private armed = false;
  private timer: ReturnType<typeof setTimeout> | undefined = undefined;
  private onAbort: (() => void) | undefined = undefined;
  private controller: AbortController | undefined = undefined;
  /**
   * What stops with the call. Most calls have one watcher at a time (their attempt), so the
   * first lives in `watcher` and only a second one builds the `watchers` list.
   */
  private watcher: Stoppable | undefined = undefined;
  private watchers: Stoppable[] | undefined = undefined;

  /**
   * @param signal The caller's signal.
   * @param timeoutMs The call's timeout (for the error message).
   * @param deadline `performance.now()` time the call must end by.
   */
  constructor(
    readonly signal: AbortSignal | undefined,
    readonly timeoutMs: number | undefined,
    readonly deadline: number | undefined,
    private readonly sweep: ArmingSweep,
  ) {
    if (signal?.aborted) this.failure = new AbortedError({ cause: signal.reason });
    else if (signal !== undefined || deadline !== undefined) sweep.watch(this);
  }

  /**
   * Polls the caller's signal (cheap); returns the failure once the call must stop. The deadline
   * needs no polling: a call younger than a sweep tick cannot have passed it, and an older one
   * has its timer armed.
   */
  check(): BallastError | undefined {
    if (this.failure) return this.failure;
    if (this.signal?.aborted) this.stop(new AbortedError({ cause: this.signal.reason }));
    return this.failure;
  }

  /** Milliseconds left before the deadline (`undefined` without one). */
  remainingMs(): number | undefined {
    return this.deadline === undefined ? undefined : this.deadline - performance.now();
  }

  /** Installs the deadline timer and the abort listener (idempotent), then arms every watcher. */
  arm(): void {
    if (this.armed || this.settled) return;
    this.armed = true;
    if (this.check()) return;
    if (this.deadline !== undefined && performance.now() >= this.deadline) {
      this.stop(this.timeout());
      return;
    }
    if (this.signal) {
      const signal = this.signal;
      this.onAbort = () => this.stop(new AbortedError({ cause: signal.reason }));
      signal.addEventListener('abort', this.onAbort, { once: true });
    }
    if (this.deadline !== undefined) {
      this.timer = setTimeout(
        () => this.stop(this.timeout()),
        Math.max(0, this.deadline - performance.now()),
      );
      this.timer.unref?.();
    }
    for (const watcher of this.watching()) watcher.arm?.();
  }

  /** A copy of the watchers (arming or stopping one may change the list). */
  private watching(): Stoppable[] {
    const watchers = this.watchers ? this.watchers.slice() : [];
    if (this.watcher) watchers.unshift(this.watcher);
    return watchers;
  }

  /** Registers something to stop with the call; stops it at once if the call already stopped. */
  watch(watcher: Stoppable): void {
    if (this.failure) {
      watcher.stop(this.failure);
      return;
    }
    if (this.watcher === undefined) this.watcher = watcher;
    else {
      this.watchers ??= [];
      this.watchers.push(watcher);
    }
    if (this.armed) watcher.arm?.();
  }

  unwatch(watcher: Stoppable): void {
    if (this.watcher === watcher) {
      // The oldest watcher of the list takes its place, which keeps the registration order.
      this.watcher = this.watchers?.shift();
      return;
    }
    const watchers = this.watchers;
    if (!watchers) return;
    const index = watchers.indexOf(watcher);
    if (index !== -1) watchers.splice(index, 1);
  }

  /** An AbortSignal that fires when the call stops (built on first use; arms the call). */
  abortSignal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.failure) this.controller.abort(this.failure);
      this.arm();
    }
    return this.controller.signal;
  }

  /** Stops the call with `error` (first reason wins) and everything watching it. */
  stop(error: BallastError): void {
    if (this.failure) return;
    this.failure = error;
    this.controller?.abort(error);
    const watchers = this.watching();
    this.watcher = undefined;
    this.watchers = undefined;
    for (const watcher of watchers) watcher.stop(error);
  }

  /** The call is over: drop the timer and the listener. */
  dispose(): void {
    this.settled = true;
    this.sweep.unwatch(this);
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.onAbort) this.signal?.removeEventListener('abort', this.onAbort);
    this.watcher = undefined;
    this.watchers = undefined;
  }

  /** Waits `ms` (real time), or rejects with the failure when the call stops first. */
  sleep(ms: number): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<void>((resolve, reject) => {
      const sleeper: Stoppable = {
        stop: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        this.unwatch(sleeper);
        resolve();
      }, ms);
      this.watch(sleeper);
      this.arm();
    });
  }

  private timeout(): TimeoutError {
    const timeoutMs = this.timeoutMs ?? 0;
    return new TimeoutError({
      timeoutMs,
      message: `The call did not finish within its timeout of ${timeoutMs} ms`,
    });
  }
}
