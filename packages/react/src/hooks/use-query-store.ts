import { useMemo, useSyncExternalStore } from 'react';
import { createQueryStore, type QuerySnapshot, type QueryStoreOptions } from '../store/query-store';

/**
 * The thin React layer over a {@link createQueryStore} store: one store per `key` (a new key, e.g.
 * other query parameters, makes a new store and aborts the old one's load), read with
 * `useSyncExternalStore` so server rendering, hydration and concurrent rendering stay consistent.
 *
 * @example
 * ```ts
 * const { snapshot, refresh } = useQueryStore(`alerts:${client.baseUrl}`, () => ({
 *   load: (signal) => client.request('/api/monitoring/alerts', { signal }),
 *   intervalMs: 30_000,
 * }));
 * ```
 */
export function useQueryStore<T>(
  key: string,
  options: () => QueryStoreOptions<T>,
): { snapshot: QuerySnapshot<T>; refresh: () => Promise<T | undefined> } {
  // The key names every input of the factory: a new key, a new store.
  const store = useMemo(() => createQueryStore(options()), [key]);
  const snapshot = useSyncExternalStore(store.subscribe, store.getSnapshot, store.getServerSnapshot);
  return { snapshot, refresh: store.refresh };
}
