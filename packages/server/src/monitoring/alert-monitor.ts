import type { Balancer } from '@ballast/balancer';
import { z } from 'zod';

const severity = z.enum(['warning', 'critical']).default('warning');
const target = z.string().min(1).optional();

/** Zod schema of one alert rule. */
export const alertRuleSchema = z.discriminatedUnion('kind', [
  z
    .object({
      id: z.string().min(1).max(64),
      kind: z.literal('error-rate'),
      /** Failure share (0..1) above which the alert fires. */
      threshold: z.number().gt(0).max(1),
      minRequests: z.number().int().min(1).default(10),
      windowMinutes: z.number().positive().max(1440).default(5),
      target,
      severity,
    })
    .strict(),
  z
    .object({
      id: z.string().min(1).max(64),
      kind: z.literal('latency'),
      thresholdMs: z.number().positive(),
      percentile: z.enum(['p50', 'p95', 'p99']).default('p95'),
      windowMinutes: z.number().positive().max(1440).default(5),
      target,
      severity,
    })
    .strict(),
  z.object({ id: z.string().min(1).max(64), kind: z.literal('provider-down'), target, severity }).strict(),
  z
    .object({
      id: z.string().min(1).max(64),
      kind: z.literal('cost-budget'),
      budgetUsd: z.number().positive(),
      windowMinutes: z.number().positive().max(1440).default(1440),
      severity,
    })
    .strict(),
]);

/** An alert rule as written (defaults optional). */
export type AlertRuleInput = z.input<typeof alertRuleSchema>;
/** An alert rule with its defaults applied. */
export type AlertRule = z.output<typeof alertRuleSchema>;

/** A firing alert. */
export interface ActiveAlert {
  rule: string;
  kind: AlertRule['kind'];
  severity: 'warning' | 'critical';
  /** The target concerned, or `*` for the whole gateway. */
  target: string;
  value: number;
  threshold: number;
  message: string;
  since: string;
}

/** A state change of an alert (events and history). */
export interface AlertEvent extends ActiveAlert {
  state: 'firing' | 'resolved';
  at: string;
}

/** Rules used when none are configured. */
export const defaultAlertRules: AlertRuleInput[] = [
  { id: 'error-rate', kind: 'error-rate', threshold: 0.25, minRequests: 10, windowMinutes: 5 },
  { id: 'latency-p95', kind: 'latency', thresholdMs: 15_000, percentile: 'p95', windowMinutes: 5 },
  { id: 'provider-down', kind: 'provider-down', severity: 'critical' },
];

/**
 * Evaluates alert rules over the balancer's metrics and health: error rate, latency, provider
 * down (circuit open) and cost over budget. State changes go to `onEvent` (the server emits them
 * as `alert` events and logs them).
 *
 * @example
 * ```ts
 * const monitor = createAlertMonitor(() => balancer, { rules: [{ id: 'budget', kind: 'cost-budget', budgetUsd: 5 }] });
 * monitor.evaluate(); // active alerts
 * ```
 */
export function createAlertMonitor(
  balancer: () => Balancer,
  options: { rules?: AlertRuleInput[]; onEvent?: (event: AlertEvent) => void; now?: () => number } = {},
) {
  const now = options.now ?? (() => Date.now());
  let rules: AlertRule[] = z.array(alertRuleSchema).parse(options.rules ?? defaultAlertRules);
  const active = new Map<string, ActiveAlert>();
  const history: AlertEvent[] = [];
  const emit = (alert: ActiveAlert, state: AlertEvent['state']) => {
    const event: AlertEvent = { ...alert, state, at: new Date(now()).toISOString() };
    history.push(event);
    if (history.length > 200) history.shift();
    options.onEvent?.(event);
  };

  function check(): ActiveAlert[] {
    const found: ActiveAlert[] = [];
    const health = balancer().health();
    const since = new Date(now()).toISOString();
    for (const rule of rules) {
      if (rule.kind === 'provider-down') {
        for (const entry of health) {
          if (rule.target && rule.target !== entry.target && rule.target !== entry.provider) continue;
          if (entry.state === 'open')
            found.push({
              rule: rule.id,
              kind: rule.kind,
              severity: rule.severity,
              target: entry.target,
              value: 1,
              threshold: 1,
              message: `${entry.target} is down (circuit open, failure rate ${(entry.failureRate * 100).toFixed(0)}%)`,
              since,
            });
        }
        continue;
      }
      const snapshot = balancer().snapshot({ sinceMs: rule.windowMinutes * 60_000 });
      if (rule.kind === 'cost-budget') {
        const cost = snapshot.calls.costUsd;
        if (cost > rule.budgetUsd)
          found.push({
            rule: rule.id,
            kind: rule.kind,
            severity: rule.severity,
            target: '*',
            value: cost,
            threshold: rule.budgetUsd,
            message: `cost $${cost.toFixed(4)} over the last ${rule.windowMinutes} min is above the $${rule.budgetUsd} budget`,
            since,
          });
        continue;
      }
      for (const [name, metrics] of Object.entries(snapshot.targets)) {
        const provider = health.find((entry) => entry.target === name)?.provider;
        if (rule.target && rule.target !== name && rule.target !== provider) continue;
        if (rule.kind === 'error-rate') {
          if (metrics.requests < rule.minRequests) continue;
          const rate = metrics.failures / metrics.requests;
          if (rate > rule.threshold)
            found.push({
              rule: rule.id,
              kind: rule.kind,
              severity: rule.severity,
              target: name,
              value: rate,
              threshold: rule.threshold,
              message: `${name} failed ${(rate * 100).toFixed(0)}% of ${metrics.requests} requests in ${rule.windowMinutes} min`,
              since,
            });
        } else {
          const value = metrics.latencyMs?.[rule.percentile];
          if (value !== undefined && value > rule.thresholdMs)
            found.push({
              rule: rule.id,
              kind: rule.kind,
              severity: rule.severity,
              target: name,
              value,
              threshold: rule.thresholdMs,
              message: `${name} ${rule.percentile} latency ${Math.round(value)} ms is above ${rule.thresholdMs} ms`,
              since,
            });
        }
      }
    }
    return found;
  }

  return {
    rules: () => rules,
    setRules(next: AlertRuleInput[]) {
      rules = z.array(alertRuleSchema).parse(next);
    },
    /** Re-evaluates every rule, emits state changes, returns the active alerts. */
    evaluate(): ActiveAlert[] {
      const seen = new Set<string>();
      for (const alert of check()) {
        const key = `${alert.rule}|${alert.target}`;
        seen.add(key);
        const previous = active.get(key);
        if (previous) active.set(key, { ...alert, since: previous.since });
        else {
          active.set(key, alert);
          emit(alert, 'firing');
        }
      }
      for (const [key, alert] of active)
        if (!seen.has(key)) {
          active.delete(key);
          emit(alert, 'resolved');
        }
      return [...active.values()];
    },
    active: () => [...active.values()],
    history: () => [...history],
  };
}

/** The monitor {@link createAlertMonitor} returns. */
export type AlertMonitor = ReturnType<typeof createAlertMonitor>;
