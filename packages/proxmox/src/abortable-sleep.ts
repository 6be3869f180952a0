import { AbortedError } from '@ballast/core';

/**
 * Waits `ms`, or rejects with an {@link AbortedError} (carrying `message` when given) as soon as
 * `signal` aborts; the timer and the listener are removed either way.
 */
export function sleep(ms: number, signal: AbortSignal | undefined, message?: string): Promise<void> {
  const aborted = () => new AbortedError(message === undefined ? {} : { message });
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(aborted());
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(aborted());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
