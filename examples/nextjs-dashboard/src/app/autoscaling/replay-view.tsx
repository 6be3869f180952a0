'use client';
import { LineChart, ScalingRecommendationCard } from '@ballast/react';
import type { AutoscalingReplay } from '../../lib/autoscaling-replay';

const percent = (value: number) => `${(value * 100).toFixed(1)} %`;

export function ReplayView({ replay }: { replay: AutoscalingReplay }) {
  return (
    <>
      <ScalingRecommendationCard cluster="demo" namespace="shop" deployment="web" intervalMs={30_000} />
      <section aria-label="Replayed trace" style={{ display: 'grid', gap: 12 }}>
        <h2 style={{ margin: 0, fontSize: 20 }}>
          Replay: {replay.steps} steps of {replay.trace}, HPA vs Ballast
        </h2>
        <LineChart
          title="Replicas against demand (pods needed at the 70 % target)"
          labels={replay.labels}
          series={[
            { name: 'demand', values: replay.demandPods },
            ...replay.policies.map((policy) => ({ name: policy.name, values: policy.replicas })),
          ]}
          formatValue={(value) => value.toFixed(0)}
          height={220}
        />
        <table style={{ borderCollapse: 'collapse', width: '100%' }}>
          <caption style={{ textAlign: 'left', fontWeight: 600 }}>
            Back-test (SPEC elasticity metrics)
          </caption>
          <thead>
            <tr>
              {[
                'Policy',
                'Under-provisioned steps',
                'SLO violations',
                'Pod hours',
                'Scaling actions',
                'Mean replicas',
              ].map((label) => (
                <th key={label} scope="col" style={{ textAlign: 'left', padding: 6 }}>
                  {label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {replay.policies.map((policy) => (
              <tr key={policy.name}>
                <th scope="row" style={{ textAlign: 'left', padding: 6 }}>
                  {policy.name}
                </th>
                <td style={{ padding: 6 }}>{percent(policy.metrics.underProvisioningTimeshare)}</td>
                <td style={{ padding: 6 }}>{policy.metrics.sloViolationSteps}</td>
                <td style={{ padding: 6 }}>{(policy.metrics.podSeconds / 3600).toFixed(0)}</td>
                <td style={{ padding: 6 }}>{policy.metrics.scalingActions}</td>
                <td style={{ padding: 6 }}>{policy.metrics.meanReplicas.toFixed(1)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  );
}
