import type { CallOptions } from './chat-request';
import { AbortedError } from './errors/aborted-error';
import { BallastError } from './errors/ballast-error';
import { TimeoutError } from './errors/timeout-error';
import { ValidationError } from './errors/validation-error';

/**
 * The abort signal of one call: fires when the caller aborts, when `timeoutMs` passes, or when
 * the consumer stops reading a stream. `failure()` tells which, as a Ballast error.
 */
export interface CallControl {
  readonly signal: AbortSignal;
  /** The Ballast error that explains why `signal` fired, or `undefined` if it has not. */
  failure(): BallastError | undefined;
  /** Rejects as soon as the signal fires, so a call never hangs on an SDK that ignores it. */
  readonly aborted: Promise<never>;
  /** Stops the timer and detaches from the caller's signal. Call it when the call ends. */
  dispose(): void;
  /** Aborts the underlying request (e.g. a stream consumer broke out of its loop). */
  cancel(): void;
}

/**
 * Creates the {@link CallControl} for one call from its {@link CallOptions}. Adapters pass
 * `control.signal` to their SDK and race the call against `control.aborted`.
 */
export function createCallControl(options: CallOptions | undefined): CallControl {
  assertCallOptions(options);
  const controller = new AbortController();
  let reason: BallastError | undefined;
  let rejectAborted: (error: BallastError) => void = () => {};
  const aborted = new Promise<never>((_, reject) => {
    rejectAborted = reject;
  });
  // Nobody may be racing this promise when the call ends normally.
  aborted.catch(() => {});

  const fire = (error: BallastError) => {
    if (reason) return;
    reason = error;
    controller.abort(error);
    rejectAborted(error);
  };

  const callerSignal = options?.signal;
  const onCallerAbort = () => fire(new AbortedError({ cause: callerSignal?.reason }));
  if (callerSignal?.aborted) onCallerAbort();
  else callerSignal?.addEventListener('abort', onCallerAbort, { once: true });

  const timeoutMs = options?.timeoutMs;
  const timer =
    timeoutMs === undefined ? undefined : setTimeout(() => fire(new TimeoutError({ timeoutMs })), timeoutMs);
  timer?.unref?.();

  return {
    signal: controller.signal,
    failure: () => reason,
    aborted,
    dispose() {
      if (timer) clearTimeout(timer);
      callerSignal?.removeEventListener('abort', onCallerAbort);
    },
    cancel() {
      fire(new AbortedError({ message: 'The stream was closed by its consumer' }));
    },
  };
}

function assertCallOptions(options: CallOptions | undefined): void {
  const timeoutMs = options?.timeoutMs;
  if (timeoutMs !== undefined && !(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
    throw new ValidationError({
      message: `timeoutMs must be a positive number of milliseconds, got ${String(timeoutMs)}`,
      issues: [{ path: 'timeoutMs', message: 'must be a positive finite number' }],
    });
  }
}

/**
 * Runs one provider call under a {@link CallControl}: the caller's abort and the timeout win over
 * whatever the SDK does, and every other throw goes through `toError` so callers only ever see
 * Ballast errors.
 *
 * @example
 * ```ts
 * return runControlledCall(options, (signal) => client.chat.completions.create(body, { signal }), mapError);
 * ```
 */
export async function runControlledCall<T>(
  options: CallOptions | undefined,
  call: (signal: AbortSignal) => Promise<T>,
  toError: (error: unknown) => BallastError,
): Promise<T> {
  const control = createCallControl(options);
  let pending: Promise<T> | undefined;
  try {
    pending = call(control.signal);
    return await Promise.race([pending, control.aborted]);
  } catch (error) {
    const failure = control.failure();
    // The SDK was told to abort; wait (briefly) until it has let go of its request, so that when
    // this call settles its connection is closed too. A router that counts calls in flight per
    // upstream (the balancer's maxConcurrent) then never admits a new call while the old one is
    // still open at the server.
    if (failure && pending) await settledWithin(pending, abortGraceMs);
    throw failure ?? (BallastError.isInstance(error) ? error : toError(error));
  } finally {
    control.dispose();
  }
}

/**
 * How long an aborted call waits for its SDK to let go of the request before it rejects anyway.
 * SDKs on `fetch` settle within a tick of the abort; only one that ignores its signal waits this long.
 */
export const abortGraceMs = 1_000;

/** Resolves when `promise` settles (either way) or after `ms`, whichever comes first. */
export function settledWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref?.();
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    promise.then(done, done);
  });
}
