'use client';
import { useEffect } from 'react';

/**
 * Marks `<html data-hydrated>` once React has hydrated the page, so the e2e suite waits for that
 * event before it clicks (a click before hydration would submit forms natively).
 */
export function HydrationMarker() {
  useEffect(() => {
    document.documentElement.dataset.hydrated = 'true';
  }, []);
  return null;
}
