/** What the stores need of the page: whether it is visible, and a way to hear when that changes. */
export interface VisibilitySource {
  isVisible(): boolean;
  /** Calls `listener` on every visibility change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
}

/**
 * The page's `document.visibilityState` (always visible where there is no `document`, e.g. on the
 * server or in a worker), so polling pauses in a background tab.
 *
 * @example
 * ```ts
 * const visibility = documentVisibility();
 * if (!visibility.isVisible()) skipThisPoll();
 * ```
 */
export function documentVisibility(): VisibilitySource {
  const page = typeof document === 'undefined' ? undefined : document;
  return {
    isVisible: () => page === undefined || page.visibilityState !== 'hidden',
    subscribe(listener) {
      if (!page) return () => {};
      page.addEventListener('visibilitychange', listener);
      return () => page.removeEventListener('visibilitychange', listener);
    },
  };
}
