import { AbortedError } from '@ballast/core';

/** State of one {@link ActionStore}: idle, running, done or failed. */
export interface ActionSnapshot<T> {
  status: 'idle' | 'running' | 'success' | 'error';
  data: T | undefined;
  error: Error | undefined;
}

/** A store for a write (a migration, a confirm): `subscribe` / `getSnapshot`, `run`, `reset`. */
export interface ActionStore<Input, T> {
  subscribe(listener: () => void): () => void;
  getSnapshot(): ActionSnapshot<T>;
  /** Runs the action (a new run cancels the one in flight); resolves with its data or `undefined`. */
  run(input: Input): Promise<T | undefined>;
  /** Back to idle. */
  reset(): void;
}

const idle: ActionSnapshot<never> = { status: 'idle', data: undefined, error: undefined };

/**
 * Creates an {@link ActionStore}. The request in flight is aborted when the last subscriber leaves
 * (a component unmounting), never silently retried.
 *
 * @example
 * ```ts
 * const apply = createActionStore((moves, signal) => client.request('/api/migrations/execute', { body: { moves, confirm: true }, signal }));
 * ```
 */
export function createActionStore<Input, T>(
  perform: (input: Input, signal: AbortSignal) => Promise<T>,
): ActionStore<Input, T> {
  let snapshot: ActionSnapshot<T> = idle;
  const listeners = new Set<() => void>();
  let inFlight: AbortController | undefined;
  const set = (next: ActionSnapshot<T>) => {
    snapshot = next;
    for (const listener of [...listeners]) listener();
  };
  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        if (listeners.delete(listener) && listeners.size === 0) inFlight?.abort();
      };
    },
    getSnapshot: () => snapshot,
    async run(input) {
      inFlight?.abort();
      const controller = new AbortController();
      inFlight = controller;
      set({ status: 'running', data: undefined, error: undefined });
      try {
        const data = await perform(input, controller.signal);
        if (inFlight === controller) set({ status: 'success', data, error: undefined });
        return data;
      } catch (error) {
        if (inFlight !== controller) return undefined;
        if (controller.signal.aborted || AbortedError.isInstance(error)) set(idle);
        else
          set({
            status: 'error',
            data: undefined,
            error: error instanceof Error ? error : new Error(String(error)),
          });
        return undefined;
      } finally {
        if (inFlight === controller) inFlight = undefined;
      }
    },
    reset() {
      inFlight?.abort();
      inFlight = undefined;
      set(idle);
    },
  };
}
