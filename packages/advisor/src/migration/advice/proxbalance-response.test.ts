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

describe('toProxBalanceResponse compatibility', () => {
  it('risk 0–1, three priorities, evacuations flagged high, bundles marked, reasoning on the imbalance_* basis', async () => {
    const snapshot = adviceCluster();
    // pve4 in maintenance hosts two guests; an affinity pair on pve1 moves as one bundle.
    snapshot.guests.push(
      { ...snapshot.guests.find((guest) => guest.vmid === 301)!, vmid: 401, name: 'evac1', node: 'pve4' },
      { ...snapshot.guests.find((guest) => guest.vmid === 301)!, vmid: 402, name: 'evac2', node: 'pve4' },
    );
    snapshot.constraints.affinityGroups.push({
      id: 'ha-rule:pair',
      name: 'pair',
      members: [101, 102],
      strict: true,
      origin: { kind: 'ha-rule', rule: 'pair' },
    });
    const advice = await adviseMigrations({ snapshot, options: { plan: { minGain: 0.01 } } });
    const body = toProxBalanceResponse(advice);
    expect(body.recommendations.length).toBeGreaterThan(2);
    for (const rec of body.recommendations) {
      expect(['high', 'medium', 'low']).toContain(rec.priority);
      expect(rec.risk_score).not.toBeNull();
      expect(rec.risk_score!).toBeGreaterThanOrEqual(0);
      expect(rec.risk_score!).toBeLessThanOrEqual(1);
      if (rec.kind === 'evacuation') expect(rec).toMatchObject({ priority: 'high', evacuation: true });
      else expect(rec.evacuation).toBe(false);
    }
    expect(
      body.recommendations
        .filter((rec) => rec.evacuation)
        .map((rec) => rec.vmid)
        .sort(),
    ).toEqual([401, 402]);
    const bundled = body.recommendations.filter((rec) => rec.bundle !== null);
    expect(bundled.map((rec) => rec.vmid).sort()).toEqual([101, 102]);
    expect(bundled[0]!.bundle).toEqual(bundled[1]!.bundle);
    expect(bundled[0]!.bundle!.members).toEqual([101, 102]);
    // Single moves: the reasoning's "cluster imbalance X → Y" is the imbalance_* pair (same basis).
    for (const rec of body.recommendations.filter(
      (entry) => entry.bundle === null && entry.kind === 'balance',
    )) {
      expect(rec.reasoning).toContain(
        `cluster imbalance ${rec.imbalance_before.toFixed(2)} → ${rec.imbalance_after.toFixed(2)}`,
      );
    }
  });
});
