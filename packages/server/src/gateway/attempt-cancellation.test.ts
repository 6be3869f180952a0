import { describe, expect, it } from 'vitest';
import { AttemptCancellation } from './attempt-cancellation';

describe('AttemptCancellation', () => {
  it('runs each listener once, in order, with the reason set; later aborts and listeners are ignored', () => {
    const cancellation = new AttemptCancellation();
    const calls: string[] = [];
    const first = () => calls.push(`first:${String(cancellation.reason)}`);
    const removed = () => calls.push('removed');
    cancellation.addEventListener('abort', first);
    cancellation.addEventListener('abort', first);
    cancellation.addEventListener('abort', removed);
    cancellation.addEventListener('abort', () => calls.push('second'));
    cancellation.removeEventListener('abort', removed);
    expect(cancellation.aborted).toBe(false);
    cancellation.abort('deadline');
    cancellation.abort('again');
    cancellation.addEventListener('abort', () => calls.push('late'));
    expect(cancellation).toMatchObject({ aborted: true, reason: 'deadline' });
    expect(calls).toEqual(['first:deadline', 'second']);
  });

  it('reports a throwing listener on a later microtask and still runs the others', () => {
    const cancellation = new AttemptCancellation();
    const boom = new Error('listener failed');
    const deferred: Array<() => void> = [];
    const original = globalThis.queueMicrotask;
    globalThis.queueMicrotask = (task) => void deferred.push(task);
    let ran = false;
    try {
      cancellation.addEventListener('abort', () => {
        throw boom;
      });
      cancellation.addEventListener('abort', () => {
        ran = true;
      });
      expect(() => cancellation.abort(new Error('client gone'))).not.toThrow();
    } finally {
      globalThis.queueMicrotask = original;
    }
    expect(ran).toBe(true);
    expect(deferred).toHaveLength(1);
    expect(() => deferred[0]!()).toThrow(boom);
  });
});
