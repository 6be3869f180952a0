import { describe, expect, it } from 'vitest';
import { cancellableFormOf, cancellableNodeHandler, RequestCancellation } from './request-cancellation';

describe('RequestCancellation', () => {
  it('runs its listeners once on the first abort and aborts a signal read before it', () => {
    const cancellation = new RequestCancellation();
    const signal = cancellation.signal;
    expect(cancellation.signal).toBe(signal);
    const calls: string[] = [];
    cancellation.addEventListener('abort', () => calls.push(`listener:${String(cancellation.reason)}`));
    signal.addEventListener('abort', () => calls.push(`signal:${String(signal.reason)}`));
    cancellation.abort('gone');
    cancellation.abort('again');
    cancellation.addEventListener('abort', () => calls.push('late'));
    expect(signal.aborted).toBe(true);
    expect(calls).toEqual(['signal:gone', 'listener:gone']);
  });

  it('gives an already aborted signal when it is first read after the abort', () => {
    const cancellation = new RequestCancellation();
    cancellation.abort('client disconnected');
    expect(cancellation.signal.aborted).toBe(true);
    expect(cancellation.signal.reason).toBe('client disconnected');
  });

  it('keeps the cancellation-taking form of a wrapped handler, and the wrapper takes a signal', () => {
    const seen: unknown[] = [];
    const handler = cancellableNodeHandler((_incoming, _outgoing, cancellation) => {
      seen.push(cancellation.aborted);
      return true;
    });
    expect(cancellableFormOf(handler)).toBeTypeOf('function');
    expect(cancellableFormOf(() => false)).toBeUndefined();
    const controller = new AbortController();
    controller.abort();
    // biome-ignore lint/suspicious/noExplicitAny: the node objects are not read by this handler
    expect(handler({} as any, {} as any, controller.signal, async () => {})).toBe(true);
    expect(seen).toEqual([true]);
  });
});
