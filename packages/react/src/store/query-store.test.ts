import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { VisibilitySource } from './document-visibility';
import { createQueryStore } from './query-store';

/** A page whose visibility the test flips, as `document.visibilityState` would change. */
function controllableVisibility() {
  let visible = true;
  const listeners = new Set<() => void>();
  const source: VisibilitySource = {
    isVisible: () => visible,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return {
    source,
    listeners,
    set(next: boolean) {
      visible = next;
      for (const listener of listeners) listener();
    },
  };
}

/** A loader that counts its calls and records the signal of each. */
function countingLoader() {
  const signals: AbortSignal[] = [];
  return {
    signals,
    load: async (signal: AbortSignal) => {
      signals.push(signal);
      return signals.length;
    },
  };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('createQueryStore', () => {
  it('starts loading on the first subscriber and serves an SSR-safe loading snapshot before that', async () => {
    const loader = countingLoader();
    const store = createQueryStore({ load: loader.load, visibility: controllableVisibility().source });
    expect(store.getServerSnapshot()).toMatchObject({ data: undefined, isLoading: true, error: undefined });
    expect(loader.signals).toHaveLength(0);
    const changes: number[] = [];
    store.subscribe(() => changes.push(1));
    await vi.runAllTimersAsync();
    expect(store.getSnapshot()).toMatchObject({ data: 1, isLoading: false, isRefreshing: false });
    expect(store.getServerSnapshot().data).toBeUndefined();
  });

  it('starts from initial data without loading, and keeps the snapshot object stable between changes', async () => {
    const loader = countingLoader();
    const store = createQueryStore({
      load: loader.load,
      initialData: 7,
      visibility: controllableVisibility().source,
    });
    expect(store.getServerSnapshot()).toMatchObject({ data: 7, isLoading: false });
    store.subscribe(() => {});
    await vi.runAllTimersAsync();
    expect(loader.signals).toHaveLength(0);
    expect(store.getSnapshot()).toBe(store.getSnapshot());
  });

  it('polls every interval while visible, pauses while hidden and catches up when shown again', async () => {
    const loader = countingLoader();
    const page = controllableVisibility();
    const store = createQueryStore({ load: loader.load, intervalMs: 1_000, visibility: page.source });
    store.subscribe(() => {});
    await vi.advanceTimersByTimeAsync(0);
    expect(loader.signals).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(loader.signals).toHaveLength(2);
    page.set(false);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(loader.signals).toHaveLength(2);
    page.set(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(loader.signals).toHaveLength(3);
    expect(store.getSnapshot().data).toBe(3);
  });

  it('aborts the load in flight and stops polling when the last subscriber leaves', async () => {
    let release: (() => void) | undefined;
    const signals: AbortSignal[] = [];
    const page = controllableVisibility();
    const store = createQueryStore({
      load: (signal) => {
        signals.push(signal);
        return new Promise<number>((resolve, reject) => {
          release = () => resolve(1);
          signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
        });
      },
      intervalMs: 1_000,
      visibility: page.source,
    });
    const first = store.subscribe(() => {});
    const second = store.subscribe(() => {});
    await vi.advanceTimersByTimeAsync(0);
    first();
    expect(signals[0]?.aborted).toBe(false);
    second();
    expect(signals[0]?.aborted).toBe(true);
    expect(page.listeners.size).toBe(0);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(signals).toHaveLength(1);
    release?.();
    // A cancelled load is not an error.
    expect(store.getSnapshot().error).toBeUndefined();
  });

  it('keeps the last data on failure, reports the error, and clears it on the next success', async () => {
    let fail = false;
    let calls = 0;
    const store = createQueryStore({
      load: async () => {
        calls++;
        if (fail) throw new Error('server down');
        return calls;
      },
      visibility: controllableVisibility().source,
    });
    store.subscribe(() => {});
    await vi.advanceTimersByTimeAsync(0);
    fail = true;
    await store.refresh();
    expect(store.getSnapshot()).toMatchObject({ data: 1, isRefreshing: false });
    expect(store.getSnapshot().error?.message).toBe('server down');
    fail = false;
    await store.refresh();
    expect(store.getSnapshot()).toMatchObject({ data: 3, error: undefined });
  });

  it('lets a refresh supersede the load in flight: only the newest answer lands', async () => {
    const resolvers: Array<(value: string) => void> = [];
    const store = createQueryStore({
      load: () => new Promise<string>((resolve) => resolvers.push(resolve)),
      visibility: controllableVisibility().source,
    });
    store.subscribe(() => {});
    await vi.advanceTimersByTimeAsync(0);
    const newer = store.refresh();
    resolvers[1]?.('new');
    await newer;
    resolvers[0]?.('old');
    await vi.advanceTimersByTimeAsync(0);
    expect(store.getSnapshot().data).toBe('new');
  });
});
