import type { ScalingAdvice, ScalingAdviceOption } from '../api-types';
import type { BallastClient } from '../client/ballast-client';
import { useScalingAdvice } from '../hooks/use-scaling-advice';
import { formatPercent, formatUsd } from './format';
import {
  buttonStyle,
  cellStyle,
  mutedStyle,
  numberCellStyle,
  rootStyle,
  tableStyle,
  themeVariables,
} from './theme';

/** Props of {@link ScalingRecommendationCard}. */
export interface ScalingRecommendationCardProps {
  cluster: string;
  deployment: string;
  namespace?: string;
  /** Re-evaluate every N ms (default 60 000). */
  intervalMs?: number;
  className?: string;
  client?: BallastClient;
}

const actionText: Record<ScalingAdviceOption['action'], string> = {
  scale_up: 'Scale up',
  scale_down: 'Scale down',
  maintain: 'Keep',
  at_max: 'At maximum',
};

const sourceText = (source: string) =>
  source === 'hpa'
    ? 'HPA rule'
    : source === 'forecast'
      ? 'forecast'
      : source === 'llm'
        ? 'LLM (validated)'
        : source;

/**
 * The Kubernetes advisor's recommendation card: the chosen replica count with confidence,
 * reasoning, risk, cost and performance impact, timing and factors, which source it came from
 * (the rule-based HPA answer whenever the LLM is absent, failed or invalid, and why), and the
 * other candidates side by side.
 *
 * @example
 * ```tsx
 * <ScalingRecommendationCard cluster="prod" namespace="shop" deployment="web" />
 * ```
 */
export function ScalingRecommendationCard({
  cluster,
  deployment,
  namespace = 'default',
  intervalMs,
  className,
  client,
}: ScalingRecommendationCardProps) {
  const { advice, error, isLoading, isRefreshing, refresh } = useScalingAdvice({
    cluster,
    deployment,
    namespace,
    ...(intervalMs === undefined ? {} : { intervalMs }),
    ...(client ? { client } : {}),
  });
  const title = `${namespace}/${deployment} on ${cluster}`;
  return (
    <section
      className={className}
      aria-label={`Scaling advice for ${title}`}
      aria-busy={isLoading || isRefreshing}
      style={rootStyle}
    >
      <header style={{ display: 'flex', alignItems: 'center', gap: 12, flexWrap: 'wrap' }}>
        <h2 style={{ margin: 0, fontSize: 18 }}>{title}</h2>
        <span role="status" aria-live="polite" style={{ ...mutedStyle, marginLeft: 'auto' }}>
          {isLoading ? 'Loading…' : isRefreshing ? 'Refreshing…' : ''}
        </span>
        <button type="button" style={buttonStyle} onClick={() => void refresh()}>
          Refresh
        </button>
      </header>
      {error ? (
        <p role="alert" style={{ margin: 0, color: themeVariables.danger }}>
          Could not load scaling advice: {error.message}
        </p>
      ) : null}
      {advice ? <ScalingAdviceView advice={advice} /> : null}
    </section>
  );
}

/**
 * The card's body for advice the host already has.
 *
 * @example
 * ```tsx
 * <ScalingAdviceView advice={advice} />
 * ```
 */
export function ScalingAdviceView({ advice }: { advice: ScalingAdvice }) {
  const chosen = advice.chosen;
  const fallback = chosen.source !== 'llm' && advice.llm.status !== 'used';
  const facts: Array<[string, string]> = [
    ['Confidence', formatPercent(chosen.confidence, 0)],
    ['Risk', chosen.risk ?? '–'],
    ['Cost impact', chosen.costImpact ?? '–'],
    ['Performance', chosen.performanceImpact ?? '–'],
    ['Timing', chosen.timing ?? '–'],
    [
      'Cost Δ / hour',
      chosen.impact?.costDeltaUsdPerHour === undefined ? '–' : formatUsd(chosen.impact.costDeltaUsdPerHour),
    ],
  ];
  const candidates = (['hpa', 'forecast', 'llm'] as const)
    .map((name) => [name, advice.sources[name]] as const)
    .filter(
      (entry): entry is readonly ['hpa' | 'forecast' | 'llm', ScalingAdviceOption] => entry[1] !== null,
    );
  return (
    <>
      <p style={{ margin: 0, fontSize: 24, fontWeight: 600 }}>
        {actionText[chosen.action]}: {chosen.currentReplicas} → {chosen.targetReplicas} replicas
      </p>
      <p style={{ margin: 0, ...mutedStyle }}>
        from the {sourceText(chosen.source)} · bounds {advice.bounds.minReplicas}–{advice.bounds.maxReplicas}
      </p>
      {fallback ? (
        <p role="note" style={{ margin: 0, color: themeVariables.warn }}>
          Rule-based answer: the LLM was {advice.llm.status.replace('_', ' ')}
          {advice.llm.reason ? ` (${advice.llm.reason})` : ''}.
        </p>
      ) : null}
      <dl
        style={{
          margin: 0,
          display: 'grid',
          gap: 8,
          gridTemplateColumns: 'repeat(auto-fit, minmax(110px, 1fr))',
        }}
      >
        {facts.map(([label, value]) => (
          <div key={label}>
            <dt style={mutedStyle}>{label}</dt>
            <dd style={{ margin: 0, fontWeight: 600 }}>{value}</dd>
          </div>
        ))}
      </dl>
      <p style={{ margin: 0 }}>{chosen.reasoning}</p>
      <p style={{ margin: 0, ...mutedStyle }}>{advice.why}</p>
      {chosen.factors.length > 0 ? (
        <ul aria-label="Factors considered" style={{ margin: 0 }}>
          {chosen.factors.map((factor) => (
            <li key={factor}>{factor}</li>
          ))}
        </ul>
      ) : null}
      <table style={tableStyle}>
        <caption style={{ textAlign: 'left', fontWeight: 600, paddingBottom: 4 }}>Candidates</caption>
        <thead>
          <tr>
            <th scope="col" style={cellStyle}>
              Source
            </th>
            <th scope="col" style={cellStyle}>
              Action
            </th>
            <th scope="col" style={numberCellStyle}>
              Replicas
            </th>
            <th scope="col" style={numberCellStyle}>
              Confidence
            </th>
          </tr>
        </thead>
        <tbody>
          {candidates.map(([name, option]) => (
            <tr key={name} aria-current={option.source === chosen.source ? 'true' : undefined}>
              <th scope="row" style={cellStyle}>
                {sourceText(name)}
                {option.source === chosen.source ? ' (chosen)' : ''}
              </th>
              <td style={cellStyle}>{actionText[option.action]}</td>
              <td style={numberCellStyle}>{option.targetReplicas}</td>
              <td style={numberCellStyle}>{formatPercent(option.confidence, 0)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {advice.notes.length > 0 ? (
        <ul aria-label="Notes" style={{ margin: 0, ...mutedStyle }}>
          {advice.notes.map((note) => (
            <li key={note}>{note}</li>
          ))}
        </ul>
      ) : null}
    </>
  );
}
