import type { Balancer, TargetHealth } from '@ballast/balancer';
import { Gauge, type Registry } from 'prom-client';

const circuitValue = { closed: 0, 'half-open': 1, open: 2 } as const;

/**
 * Breaker state and upstream in-flight per target, read from the balancer at scrape time: the
 * balancer owns both, and the request path records neither.
 */
export function registerTargetGauges(registry: Registry, prefix: string, balancer: () => Balancer): void {
  const perTarget = (name: string, help: string, read: (health: TargetHealth) => number) =>
    new Gauge({
      name: `${prefix}${name}`,
      help,
      labelNames: ['target', 'provider', 'model'],
      registers: [registry],
      collect() {
        this.reset();
        for (const health of balancer().health())
          this.set({ target: health.target, provider: health.provider, model: health.modelId }, read(health));
      },
    });
  perTarget(
    'llm_circuit_state',
    'Circuit breaker state per target: 0 closed, 1 half-open, 2 open',
    (health) => circuitValue[health.state],
  );
  perTarget('llm_upstream_in_flight', 'Upstream calls in flight per target', (health) => health.inFlight);
}
