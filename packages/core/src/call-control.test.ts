import { describe, expect, it } from 'vitest';
import { createCallControl, runControlledCall } from './call-control';
import { AbortedError } from './errors/aborted-error';
import { BallastError } from './errors/ballast-error';
import { TimeoutError } from './errors/timeout-error';

const never = () => new Promise<never>(() => {});
const wrap = (error: unknown) => new BallastError({ message: String(error), code: 'api_error' });

describe('runControlledCall', () => {
  it('returns the result and maps foreign throws', async () => {
    expect(await runControlledCall(undefined, async () => 42, wrap)).toBe(42);
    await expect(
      runControlledCall(undefined, async () => Promise.reject(new Error('boom')), wrap),
    ).rejects.toMatchObject({
      code: 'api_error',
    });
  });

  it('wins over a call that ignores its signal: timeout', async () => {
    await expect(runControlledCall({ timeoutMs: 20 }, never, wrap)).rejects.toBeInstanceOf(TimeoutError);
  });

  it('wins over a call that ignores its signal: caller abort', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('user left')), 10);
    await expect(runControlledCall({ signal: controller.signal }, never, wrap)).rejects.toBeInstanceOf(
      AbortedError,
    );
  });

  it('settles an aborted call only once the SDK has let go of its request', async () => {
    // An SDK that needs a moment after the abort to close its connection.
    let released = false;
    const slowToRelease = (signal: AbortSignal) =>
      new Promise<never>((_, reject) => {
        signal.addEventListener('abort', () =>
          setTimeout(() => {
            released = true;
            reject(new Error('request aborted'));
          }, 30),
        );
      });
    const controller = new AbortController();
    const pending = runControlledCall({ signal: controller.signal }, slowToRelease, wrap);
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(AbortedError);
    expect(released).toBe(true);
  });

  it('passes an aborted signal to the call', async () => {
    let seen: AbortSignal | undefined;
    const controller = new AbortController();
    const pending = runControlledCall(
      { signal: controller.signal },
      (signal) => {
        seen = signal;
        return never();
      },
      wrap,
    );
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(AbortedError);
    expect(seen?.aborted).toBe(true);
  });

  it('rejects invalid timeouts with a validation error', () => {
    expect(() => createCallControl({ timeoutMs: 0 })).toThrow(/timeoutMs/);
    expect(() => createCallControl({ timeoutMs: Number.NaN })).toThrow(/timeoutMs/);
  });

  it('dispose stops the timer so nothing fires later', async () => {
    const control = createCallControl({ timeoutMs: 10 });
    control.dispose();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(control.signal.aborted).toBe(false);
  });
});
