import { type StoreBackend, StoreError } from './errors/store-error';

/**
 * The store itself with every method but `close` refusing once `close()` was called: a
 * {@link StoreError} `closed`, thrown by the `synchronous` methods (`record`) and returned as a
 * rejected promise by the others. Without it an in-memory store kept taking writes after close,
 * a silent success for data that no one would read. A second `close()` is a no-op.
 */
export function refuseAfterClose<Store extends { close(): Promise<void> }>(
  store: Store,
  options: { backend: StoreBackend; name: string; synchronous?: readonly string[] },
): Store {
  let closing: Promise<void> | undefined;
  const guarded: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(store)) {
    if (typeof value !== 'function' || key === 'close') {
      guarded[key] = value;
      continue;
    }
    const method = value as (...args: unknown[]) => unknown;
    guarded[key] = (...args: unknown[]) => {
      if (closing === undefined) return method(...args);
      const error = new StoreError({
        message: `The ${options.name} is closed`,
        backend: options.backend,
        reason: 'closed',
      });
      if (options.synchronous?.includes(key)) throw error;
      return Promise.reject(error);
    };
  }
  guarded.close = () => {
    closing ??= store.close();
    return closing;
  };
  return guarded as Store;
}
