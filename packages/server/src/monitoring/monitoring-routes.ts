import type { Balancer } from '@ballast/balancer';
import type { MetricsStore } from '@ballast/store';
import { z } from 'zod';
import { json, parseWith, queryNumber, queryOf, readJson } from '../http/json';
import type { Route } from '../http/router';
import { type AlertMonitor, alertRuleSchema } from './alert-monitor';
import { performanceReport, performanceSeries } from './performance';

const performanceQuery = z
  .object({
    hours: queryNumber(
      z
        .number()
        .positive()
        .max(24 * 30),
    ).default(24),
    /** Adds `series`: latency, requests and cost over the window in at most this many steps. */
    points: queryNumber(z.number().int().min(1).max(1_440)).optional(),
  })
  .strict();

/**
 * `GET /api/monitoring/performance`, `GET /api/monitoring/alerts`, `PUT /api/monitoring/alerts`.
 * With a `metricsStore`, performance answers from its durable history (any `hours` up to its
 * retention, across restarts and replicas, `source: "store"`); without one, from the balancer's
 * in-process windows (`source: "balancer"`).
 */
export function monitoringRoutes(deps: {
  balancer: () => Balancer;
  alerts: AlertMonitor;
  metricsStore?: MetricsStore | undefined;
}): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/monitoring/performance',
      summary:
        'Per provider and model: requests, success rate, latency, TTFT, tokens, cost (?hours=N); over time with ?points=N',
      handler: async (_request, context) => {
        const { hours, points } = parseWith(performanceQuery, queryOf(context.url), 'query');
        const balancer = deps.balancer();
        const store = deps.metricsStore;
        let report: object;
        if (!store) report = { ...performanceReport(balancer, hours), source: 'balancer' };
        else {
          // Calls still buffered in this process count too; a failing flush must not hide history.
          await store.flush().catch(() => undefined);
          report = { ...(await store.performance({ hours })), source: 'store' };
        }
        // The charts' series come from the live balancer (this process's recent calls).
        return json(
          points === undefined ? report : { ...report, series: performanceSeries(balancer, hours, points) },
        );
      },
    },
    {
      method: 'GET',
      path: '/api/monitoring/alerts',
      summary: 'Alert rules, active alerts (evaluated now) and recent state changes',
      handler: () => {
        const active = deps.alerts.evaluate();
        return json({ rules: deps.alerts.rules(), active, recent: deps.alerts.history().slice(-50) });
      },
    },
    {
      method: 'PUT',
      path: '/api/monitoring/alerts',
      summary: 'Replace the alert rules (admin)',
      access: 'admin',
      handler: async (request) => {
        const body = await readJson(request, z.object({ rules: z.array(alertRuleSchema).max(100) }).strict());
        deps.alerts.setRules(body.rules);
        return json({ rules: deps.alerts.rules(), active: deps.alerts.evaluate() });
      },
    },
  ];
}
