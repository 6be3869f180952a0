'use client';
import { PerformanceDashboard } from '@ballast/react';

/** The dashboard as a client island (hooks need the browser). */
export function Dashboard() {
  return (
    <PerformanceDashboard
      autoRefreshInterval={2_000}
      hours={1}
      points={30}
      title="LLM performance (last hour)"
    />
  );
}
