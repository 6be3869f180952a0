import type { Balancer } from '@ballast/balancer';
import { z } from 'zod';
import { json, parseWith, queryOf, readJson } from '../http/json';
import type { Route } from '../http/router';
import { type AlertMonitor, alertRuleSchema } from './alert-monitor';
import { performanceReport, performanceSeries } from './performance';

const performanceQuery = z
  .object({
    hours: z.coerce
      .number()
      .positive()
      .max(24 * 30)
      .default(24),
    /** Adds `series`: latency, requests and cost over the window in at most this many steps. */
    points: z.coerce.number().int().min(1).max(1_440).optional(),
  })
  .strict();

/** `GET /api/monitoring/performance`, `GET /api/monitoring/alerts`, `PUT /api/monitoring/alerts`. */
export function monitoringRoutes(deps: { balancer: () => Balancer; alerts: AlertMonitor }): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/monitoring/performance',
      summary:
        'Per provider and model: requests, success rate, latency, TTFT, tokens, cost (?hours=N); over time with ?points=N',
      handler: (_request, context) => {
        const { hours, points } = parseWith(performanceQuery, queryOf(context.url), 'query');
        const balancer = deps.balancer();
        const report = performanceReport(balancer, hours);
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
