import { useMemo, useSyncExternalStore } from 'react';
import { type ActionSnapshot, type ActionStore, createActionStore } from '../store/action-store';

/**
 * One {@link createActionStore} store per `key`, read with `useSyncExternalStore`.
 *
 * @example
 * ```ts
 * const [state, store] = useActionStore(client.baseUrl, (input: string, signal) => client.request(input, { signal }));
 * ```
 */
export function useActionStore<Input, T>(
  key: string,
  perform: (input: Input, signal: AbortSignal) => Promise<T>,
): [ActionSnapshot<T>, ActionStore<Input, T>] {
  // The key names every input of the factory: a new key, a new store.
  const store = useMemo(() => createActionStore(perform), [key]);
  const snapshot = useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
  return [snapshot, store];
}
