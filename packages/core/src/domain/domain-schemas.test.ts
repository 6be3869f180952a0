import { describe, expect, it } from 'vitest';
import { clusterSnapshotSchema } from './cluster-snapshot';
import { llmMigrationAdviceSchema, llmMigrationRecommendationSchema } from './llm-migration-advice';
import { llmScalingAdviceSchema } from './llm-scaling-advice';
import { migrationRecommendationSchema } from './migration-recommendation';
import { scalingRecommendationSchema } from './scaling-recommendation';
import { seriesFromPoints, seriesSchema, seriesToPoints } from './series';
import { workloadSnapshotSchema } from './workload-snapshot';

describe('domain schemas', () => {
  it('parses a minimal cluster snapshot with defaults', () => {
    const snapshot = clusterSnapshotSchema.parse({
      collectedAt: 1,
      source: { kind: 'proxmox', endpoint: 'https://pve1:8006' },
      nodes: [
        {
          name: 'pve1',
          status: 'online',
          maintenance: false,
          cpu: { cores: 12, usageCores: 0.04 },
          memory: { totalBytes: 33567911936, usedBytes: 8127873024 },
          rootDisk: { totalBytes: 940166742016, usedBytes: 2797338624 },
        },
      ],
      guests: [
        {
          vmid: 100,
          name: 'server1',
          kind: 'vm',
          node: 'pve1',
          status: 'running',
          cpu: { cores: 1, usageCores: 0.025 },
          memory: { maxBytes: 1073741824, usedBytes: 842551296 },
        },
      ],
    });
    expect(snapshot.storages).toEqual([]);
    expect(snapshot.constraints.pins).toEqual([]);
    expect(snapshot.guests[0]).toMatchObject({
      template: false,
      tags: [],
      haManaged: false,
      storages: [],
      localDisks: [],
    });
  });

  it('keeps no credentials: unknown source keys are stripped', () => {
    const parsed = clusterSnapshotSchema.parse({
      collectedAt: 1,
      source: { kind: 'proxmox', endpoint: 'https://pve1:8006', token: 'PVEAPIToken=root@pam!x=secret' },
      nodes: [],
      guests: [],
    });
    expect(JSON.stringify(parsed)).not.toContain('secret');
  });

  it('rejects series of different lengths and converts points', () => {
    expect(seriesSchema.safeParse({ timestamps: [1, 2], values: [1] }).success).toBe(false);
    const series = seriesFromPoints([
      { timestamp: 2, value: 5 },
      { timestamp: 1, value: 4 },
      { timestamp: 3, value: Number.NaN },
    ]);
    expect(series).toEqual({ timestamps: [1, 2], values: [4, 5] });
    expect(seriesToPoints(series)).toEqual([
      { timestamp: 1, value: 4 },
      { timestamp: 2, value: 5 },
    ]);
  });

  it('bounds recommendation fields', () => {
    const base = {
      vmid: 101,
      name: 'web1',
      type: 'vm',
      sourceNode: 'pve1',
      targetNode: 'pve2',
      priority: 'high',
      reasoning: 'r',
      source: 'llm',
      withLocalDisks: false,
    };
    expect(migrationRecommendationSchema.safeParse(base).success).toBe(true);
    expect(migrationRecommendationSchema.safeParse({ ...base, riskScore: 101 }).success).toBe(false);
    expect(migrationRecommendationSchema.safeParse({ ...base, confidence: 1.2 }).success).toBe(false);
    expect(migrationRecommendationSchema.safeParse({ ...base, priority: 'urgent' }).success).toBe(false);
    expect(
      scalingRecommendationSchema.safeParse({
        action: 'at_min',
        currentReplicas: 2,
        targetReplicas: 2,
        confidence: 0.5,
        reasoning: 'r',
        source: 'rule',
      }).success,
    ).toBe(false);
  });

  it('accepts the lenient model shapes', () => {
    expect(
      llmMigrationAdviceSchema.parse({
        success: true,
        analysis: 'a',
        recommendations: [{}],
        predicted_issues: null,
      }),
    ).toMatchObject({ recommendations: [{}] });
    expect(
      llmMigrationRecommendationSchema.safeParse({
        vmid: '101',
        source_node: 'a',
        target_node: 'b',
        name: null,
      }).success,
    ).toBe(true);
    expect(
      llmScalingAdviceSchema.safeParse({ target_replicas: '5', confidence: 0.5, extra: true }).success,
    ).toBe(true);
  });

  it('parses a workload snapshot from the HPA reference example', () => {
    const workload = workloadSnapshotSchema.parse({
      collectedAt: 1772444700000,
      source: { kind: 'kubernetes' },
      deployment: {
        namespace: 'shop',
        name: 'web',
        replicas: { desired: 5, current: 5, ready: 4, available: 4 },
        selector: { matchLabels: { 'app.kubernetes.io/name': 'web' } },
        containers: [
          {
            name: 'app',
            requests: { cpuCores: 0.5, memoryBytes: 268435456 },
            limits: { cpuCores: 1, memoryBytes: 536870912 },
          },
          { name: 'envoy', requests: { cpuCores: 0.1, memoryBytes: 67108864 } },
        ],
      },
      hpa: {
        name: 'web',
        spec: {
          minReplicas: 2,
          maxReplicas: 12,
          metrics: [
            { type: 'Resource', name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
            { type: 'Resource', name: 'memory', target: { type: 'AverageValue', averageValue: 419430400 } },
          ],
          behavior: {
            scaleUp: {
              stabilizationWindowSeconds: 0,
              selectPolicy: 'Max',
              policies: [
                { type: 'Pods', value: 4, periodSeconds: 15 },
                { type: 'Percent', value: 100, periodSeconds: 15 },
              ],
            },
            scaleDown: {
              stabilizationWindowSeconds: 300,
              selectPolicy: 'Max',
              policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
            },
          },
        },
        status: {
          currentReplicas: 4,
          desiredReplicas: 5,
          lastScaleTime: Date.parse('2026-03-02T09:41:07Z'),
          currentMetrics: [
            { type: 'Resource', name: 'cpu', current: { averageValue: 0.492, averageUtilization: 82 } },
          ],
        },
      },
      podMetrics: [
        {
          pod: 'web-7c9d8f6b5d-2xk8q',
          cpuCores: 0.4696,
          memoryBytes: 301662208,
          timestamp: 1772445898000,
          windowSeconds: 15.012,
        },
      ],
    });
    expect(workload.hpa?.spec.behavior?.scaleDown?.stabilizationWindowSeconds).toBe(300);
    expect(workload.events).toEqual([]);
  });
});
