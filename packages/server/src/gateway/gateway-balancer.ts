import { type Balancer, type BalancerConfig, createBalancer, type StrategyName } from '@ballast/balancer';
import type { SharedState } from '@ballast/core';
import type { Logger } from 'pino';
import type { GatewayBookkeeping } from './gateway-bookkeeping';
import type { ModelCatalog, TargetSettings } from './model-catalog';

/**
 * The gateway's one balancer. Run-time target settings change it in place; a reload or a strategy
 * change builds a new one from the configuration with those settings kept, and the replaced one
 * stops its shared-state timers and listeners (calls in flight finish). @internal
 */
export interface GatewayBalancer {
  current(): Balancer;
  strategy(): StrategyName;
  /** Rebuilds the balancer; `reset` drops the run-time target settings. */
  reload(options: { reset?: boolean; strategy?: StrategyName }): void;
  configureTarget(target: string, next: TargetSettings): void;
  /** Each target's weight, priority and concurrency limit as the balancer has them now. */
  targetSettings(): Record<string, TargetSettings>;
  dispose(): void;
}

/** @internal */
export function createGatewayBalancer(options: {
  balancer: Omit<BalancerConfig, 'targets' | 'strategy'> | undefined;
  strategy: StrategyName | undefined;
  sharedState: SharedState | undefined;
  env: Record<string, string | undefined> | undefined;
  catalog: ModelCatalog;
  moduleId: string;
  bookkeeping: GatewayBookkeeping;
  logger: Logger;
}): GatewayBalancer {
  const { catalog, moduleId, bookkeeping, logger } = options;
  const settings = new Map<string, TargetSettings>();
  let strategy: StrategyName = options.strategy ?? 'weighted';

  const build = (): Balancer => {
    const balancer = createBalancer(
      {
        ...options.balancer,
        ...(options.sharedState ? { sharedState: { state: options.sharedState, scope: moduleId } } : {}),
        name: moduleId,
        strategy,
        targets: catalog.balancerTargets(settings),
      },
      options.env ?? process.env,
    );
    observe(balancer, bookkeeping, logger);
    return balancer;
  };
  let balancer = build();

  return {
    current: () => balancer,
    strategy: () => strategy,
    reload({ reset, strategy: next }) {
      if (reset) settings.clear();
      if (next) strategy = next;
      const previous = balancer;
      balancer = build();
      previous.dispose();
    },
    configureTarget(target, next) {
      if (!catalog.targetIds.includes(target)) throw new Error(`Unknown target ${target}`);
      const before = settings.get(target) ?? {};
      // In place: breakers, latency windows, metrics and calls in flight carry on. The map keeps
      // the settings for the next rebuild (a reload or a strategy change).
      balancer.configureTarget(target, next);
      settings.set(target, { ...settings.get(target), ...next });
      logger.info({ target, settings: settings.get(target) }, 'target settings changed');
      bookkeeping.audit({
        kind: 'configuration-change',
        subject: target,
        summary: `target ${target} settings changed`,
        details: { before, after: settings.get(target) ?? {} },
      });
    },
    targetSettings() {
      const out: Record<string, TargetSettings> = {};
      for (const target of catalog.balancerTargets(settings))
        out[target.id!] = {
          ...(target.weight === undefined ? {} : { weight: target.weight }),
          ...(target.priority === undefined ? {} : { priority: target.priority }),
          ...(target.maxConcurrent === undefined ? {} : { maxConcurrent: target.maxConcurrent }),
        };
      return out;
    },
    dispose: () => balancer.dispose(),
  };
}

/** The balancer's events as metrics, rows and log lines. */
function observe(balancer: Balancer, bookkeeping: GatewayBookkeeping, logger: Logger): void {
  balancer.on('failure', ({ target, code, durationMs }) =>
    bookkeeping.attemptFailed(target, code, durationMs),
  );
  balancer.on('failover', ({ from, code }) => bookkeeping.failedOver(from, code));
  balancer.on('retry', ({ target, attempt, delayMs, code }) =>
    bookkeeping.retried(target, attempt, delayMs, code),
  );
  balancer.on('circuit-open', (event) => logger.warn({ target: event.target }, 'circuit open'));
  balancer.on('circuit-close', ({ target }) => logger.info({ target }, 'circuit closed'));
  if (logger.isLevelEnabled('debug'))
    balancer.on('selected', ({ target, strategy: used }) =>
      logger.debug({ target, strategy: used }, 'selected'),
    );
}
