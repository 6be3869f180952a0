import type { WorkloadSnapshot } from '@ballast/core';

/** A simulated `shop/web` deployment at 4 replicas under an HPA of 2–12, no metrics or events. */
export const webWorkload: WorkloadSnapshot = {
  collectedAt: 1_772_444_700_000,
  source: { kind: 'simulated' },
  deployment: {
    namespace: 'shop',
    name: 'web',
    replicas: { desired: 4, current: 4, ready: 4 },
    selector: { matchLabels: { app: 'web' } },
    containers: [{ name: 'app', requests: { cpuCores: 0.5 }, limits: {} }],
  },
  hpa: {
    name: 'web',
    spec: { minReplicas: 2, maxReplicas: 12, metrics: [] },
    status: { currentReplicas: 4, desiredReplicas: 4, currentMetrics: [] },
  },
  podMetrics: [],
  history: {},
  events: [],
};
