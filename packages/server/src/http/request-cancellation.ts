import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NodeRequestHandler } from './serve-node';

/**
 * The cancellation of one request served on `node:http` (the client went away, or the graceful
 * shutdown gave up waiting), with its `AbortSignal` built only when something reads `signal`.
 *
 * Node's `AbortController` builds an `EventTarget` per instance; the gateway's fast path cancels
 * its upstream call through the plain listener array here and never reads `signal`, so it pays
 * for none. The Fetch route reads `signal` (for `Request.signal`) and gets a real one, aborted at
 * once if the request was already cancelled. Listeners run once, in order, on the first `abort()`;
 * one added after it is never called (as with `AbortSignal`), and one that throws is reported as
 * an uncaught exception without stopping the others (as with `EventTarget`).
 */
export class RequestCancellation {
  aborted = false;
  reason: unknown = undefined;
  private listeners: Array<() => void> | undefined;
  private controller: AbortController | undefined;

  /** A real `AbortSignal` that follows this cancellation, created on first read. */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.controller?.abort(reason);
    const listeners = this.listeners;
    this.listeners = undefined;
    if (!listeners) return;
    for (const listener of listeners) {
      try {
        listener();
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  addEventListener(_type: 'abort', listener: () => void, _options?: { once?: boolean }): void {
    if (this.aborted) return;
    this.listeners ??= [];
    if (!this.listeners.includes(listener)) this.listeners.push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const index = this.listeners?.indexOf(listener) ?? -1;
    if (index >= 0) this.listeners!.splice(index, 1);
  }
}

/**
 * A node handler that takes the request's {@link RequestCancellation} instead of an
 * `AbortSignal` (it listens with `addEventListener('abort', …)` and reads `aborted` / `reason`).
 */
export type CancellableNodeHandler = (
  incoming: IncomingMessage,
  outgoing: ServerResponse,
  cancellation: Pick<RequestCancellation, 'aborted' | 'reason' | 'addEventListener' | 'removeEventListener'>,
  fallback: (body: Buffer) => Promise<void>,
) => boolean;

const cancellableHandler = Symbol('ballast.cancellableNodeHandler');

/** The public handler shape, with the cancellation-taking form kept for `serveNode`. */
type Branded<Handler> = Handler & { [cancellableHandler]?: CancellableNodeHandler };

/**
 * Wraps a {@link CancellableNodeHandler} as a plain {@link NodeRequestHandler} (an `AbortSignal`
 * serves as the cancellation) and remembers the inner form, which `serveNode` / `toNodeListener`
 * call directly so that no `AbortController` is built for the request.
 */
export function cancellableNodeHandler(inner: CancellableNodeHandler): NodeRequestHandler {
  const outer: Branded<NodeRequestHandler> = (incoming, outgoing, signal, fallback) =>
    inner(incoming, outgoing, signal, fallback);
  outer[cancellableHandler] = inner;
  return outer;
}

/** The cancellation-taking form of a handler made by {@link cancellableNodeHandler}, if it is one. */
export function cancellableFormOf(handler: NodeRequestHandler): CancellableNodeHandler | undefined {
  return (handler as Branded<NodeRequestHandler>)[cancellableHandler];
}
