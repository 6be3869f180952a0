import { AbortedError, ConfigError } from '@ballast/core';
import { documentVisibility, type VisibilitySource } from './document-visibility';

/** What a {@link QueryStore} holds at one moment. Replaced (never mutated) on every change. */
export interface QuerySnapshot<T> {
  /** The last successful answer (kept while a refresh runs or after a later failure). */
  data: T | undefined;
  /** The last failure, cleared by the next success. */
  error: Error | undefined;
  /** True while the first answer is awaited (no data yet). */
  isLoading: boolean;
  /** True while a refresh runs over data already shown. */
  isRefreshing: boolean;
  /** When `data` last arrived (epoch ms). */
  updatedAt: number | undefined;
}

/** Options of {@link createQueryStore}. */
export interface QueryStoreOptions<T> {
  /** Loads the data; must honour `signal` (the store aborts it on refresh and when the last subscriber leaves). */
  load: (signal: AbortSignal) => Promise<T>;
  /**
   * Reload every `intervalMs` while subscribed and the page is visible. 0 or absent: no polling.
   * Anything but a number from 0 to 2^31 - 1 is a `ConfigError` (timers would read it as ~0 ms).
   */
  intervalMs?: number;
  /** Data to start from (e.g. rendered on the server): no first load is needed to show it. */
  initialData?: T;
  /** Page visibility (default: `document.visibilityState`). Polling pauses while hidden. */
  visibility?: VisibilitySource;
  /** Clock (default `Date.now`). */
  now?: () => number;
}

/**
 * A framework-agnostic store over one remote resource, shaped for `useSyncExternalStore`:
 * `subscribe` / `getSnapshot` / `getServerSnapshot`, plus `refresh`.
 */
export interface QueryStore<T> {
  subscribe(listener: () => void): () => void;
  getSnapshot(): QuerySnapshot<T>;
  /** The snapshot used for server rendering and hydration: the initial data, loading when none. */
  getServerSnapshot(): QuerySnapshot<T>;
  /** Loads now, cancelling a load in flight. Resolves with the new data, or `undefined` on failure. */
  refresh(): Promise<T | undefined>;
}

/**
 * Creates a {@link QueryStore}, the core under every Ballast hook (TanStack Query's model: the
 * store knows nothing of React). It loads when the first subscriber arrives, polls while
 * subscribed, pauses polling while the page is hidden (and catches up at once when it shows
 * again if a poll came due), and aborts the load in flight when the last subscriber leaves.
 *
 * @example
 * ```ts
 * const store = createQueryStore({ load: (signal) => client.request('/api/monitoring/alerts', { signal }), intervalMs: 30_000 });
 * const stop = store.subscribe(() => console.log(store.getSnapshot().data));
 * ```
 */
export function createQueryStore<T>(options: QueryStoreOptions<T>): QueryStore<T> {
  const visibility = options.visibility ?? documentVisibility();
  const now = options.now ?? Date.now;
  const intervalMs = checkedInterval(options.intervalMs);
  const initial: QuerySnapshot<T> = {
    data: options.initialData,
    error: undefined,
    isLoading: options.initialData === undefined,
    isRefreshing: false,
    updatedAt: options.initialData === undefined ? undefined : now(),
  };
  let snapshot = initial;
  const listeners = new Set<() => void>();
  let inFlight: AbortController | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopWatchingVisibility: (() => void) | undefined;

  const update = (patch: Partial<QuerySnapshot<T>>) => {
    snapshot = { ...snapshot, ...patch };
    for (const listener of [...listeners]) listener();
  };
  const clearTimer = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
  const schedule = () => {
    clearTimer();
    if (intervalMs <= 0 || listeners.size === 0 || !visibility.isVisible() || inFlight) return;
    const dueIn = snapshot.updatedAt === undefined ? 0 : snapshot.updatedAt + intervalMs - now();
    timer = setTimeout(() => void refresh(), Math.max(0, dueIn));
  };

  async function refresh(): Promise<T | undefined> {
    clearTimer();
    inFlight?.abort();
    const controller = new AbortController();
    inFlight = controller;
    update(snapshot.data === undefined ? { isLoading: true } : { isRefreshing: true });
    try {
      const data = await options.load(controller.signal);
      if (inFlight !== controller) return data; // superseded: a newer load owns the snapshot
      inFlight = undefined;
      update({ data, error: undefined, isLoading: false, isRefreshing: false, updatedAt: now() });
      return data;
    } catch (error) {
      if (inFlight !== controller) return undefined;
      inFlight = undefined;
      // A cancelled load is not a failure: the store was left or refreshed on purpose.
      if (controller.signal.aborted || AbortedError.isInstance(error))
        update({ isLoading: snapshot.data === undefined, isRefreshing: false });
      else
        update({
          error: error instanceof Error ? error : new Error(String(error)),
          isLoading: false,
          isRefreshing: false,
        });
      return undefined;
    } finally {
      schedule();
    }
  }

  const onVisibilityChange = () => {
    if (visibility.isVisible()) schedule();
    else clearTimer();
  };

  return {
    subscribe(listener) {
      listeners.add(listener);
      if (listeners.size === 1) {
        stopWatchingVisibility = visibility.subscribe(onVisibilityChange);
        if (snapshot.data === undefined || snapshot.error !== undefined) void refresh();
        else schedule();
      }
      return () => {
        if (!listeners.delete(listener) || listeners.size > 0) return;
        clearTimer();
        stopWatchingVisibility?.();
        stopWatchingVisibility = undefined;
        inFlight?.abort();
      };
    },
    getSnapshot: () => snapshot,
    getServerSnapshot: () => initial,
    refresh,
  };
}

/** The longest delay timers honour; a longer one (or `Infinity`) fires after about 1 ms. */
const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/**
 * `intervalMs` as given, or a {@link ConfigError}: `NaN` became a delay of 0 and `Infinity` or more
 * than 2^31 - 1 ms overflows to about 1 ms, so either reloaded in a tight loop.
 */
function checkedInterval(intervalMs: unknown): number {
  if (intervalMs === undefined) return 0;
  if (
    typeof intervalMs !== 'number' ||
    !Number.isFinite(intervalMs) ||
    intervalMs < 0 ||
    intervalMs > MAX_TIMER_DELAY_MS
  ) {
    const message = `must be a number of milliseconds from 0 (no polling) to ${MAX_TIMER_DELAY_MS}`;
    throw new ConfigError({ message: `intervalMs ${message}`, issues: [{ path: 'intervalMs', message }] });
  }
  return intervalMs;
}
