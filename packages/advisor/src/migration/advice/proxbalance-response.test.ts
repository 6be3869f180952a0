import { describe, expect, it } from 'vitest';
import { adviceCluster } from './__fixtures__/advice-cluster';
import { adviseMigrations } from './advise-migrations';
import {
  parseProxBalanceRequest,
  toProxBalanceErrorResponse,
  toProxBalanceResponse,
} from './proxbalance-response';

describe('toProxBalanceResponse', () => {
  it('renders ProxBalance keys plus source and imbalance', async () => {
    const advice = await adviseMigrations({
      snapshot: adviceCluster(),
      options: { plan: { maxMigrations: 2 } },
    });
    const body = toProxBalanceResponse(advice);
    expect(body.success).toBe(true);
    expect(body.analysis).toBe(advice.analysis);
    expect(body.source).toBe('rule');
    expect(body.imbalance.before).toBeGreaterThan(body.imbalance.after);
    expect(body.llm.status).toBe('not_configured');
    expect(body.recommendations[0]).toMatchObject({
      vmid: 101,
      name: 'db1',
      type: 'VM',
      source_node: 'pve1',
      target_node: 'pve2',
      source: 'rule',
      step: 1,
    });
    const first = body.recommendations[0]!;
    for (const key of [
      'priority',
      'reasoning',
      'risk_score',
      'estimated_impact',
      'best_time',
      'confidence_score',
    ])
      expect(first).toHaveProperty(key);
    expect(Array.isArray(body.predicted_issues)).toBe(true);
    expect(JSON.parse(JSON.stringify(body))).toEqual(body);
  });
});

describe('parseProxBalanceRequest', () => {
  it('reads thresholds and period, with defaults', () => {
    expect(
      parseProxBalanceRequest({ cpu_threshold: 65, mem_threshold: '80', analysis_period: '7d' }),
    ).toEqual({
      cpuThreshold: 65,
      memThreshold: 80,
      period: '7d',
    });
    expect(parseProxBalanceRequest(undefined)).toEqual({ cpuThreshold: 60, memThreshold: 70, period: '24h' });
    expect(parseProxBalanceRequest('{"cpu_threshold": 50}', { period: '6h' })).toEqual({
      cpuThreshold: 50,
      memThreshold: 70,
      period: '6h',
    });
  });

  it('throws a ValidationError naming every bad key', () => {
    let caught: unknown;
    try {
      parseProxBalanceRequest({ cpu_threshold: 'lots', mem_threshold: 150, analysis_period: '3w' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: 'validation_failed' });
    const issues = (caught as { issues: Array<{ path: string }> }).issues.map((issue) => issue.path);
    expect(issues).toEqual(['cpu_threshold', 'mem_threshold', 'analysis_period']);
    expect(toProxBalanceErrorResponse(caught)).toMatchObject({ success: false, code: 'validation_failed' });
    expect(() => parseProxBalanceRequest('{oops')).toThrow(/not valid JSON/);
  });
});
