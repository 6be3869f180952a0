import { useState } from 'react';
import type { MigrationMove, MigrationRecommendation, NodeLoad } from '../api-types';
import type { BallastClient } from '../client/ballast-client';
import { type MigrationAdviceOptions, useMigrationAdvice } from '../hooks/use-migration-advice';
import { formatPercent } from './format';
import { buttonStyle, mutedStyle, primaryButtonStyle, rootStyle, themeVariables } from './theme';

/** Props of {@link MigrationAdvicePanel}. */
export interface MigrationAdvicePanelProps extends Omit<MigrationAdviceOptions, 'client'> {
  title?: string;
  className?: string;
  client?: BallastClient;
  /** Hide the apply buttons (read-only dashboards). */
  readOnly?: boolean;
}

const toMove = (recommendation: MigrationRecommendation): MigrationMove => ({
  vmid: recommendation.vmid,
  type: recommendation.type,
  source_node: recommendation.source_node,
  target_node: recommendation.target_node,
});

/**
 * Migration advice for the Proxmox cluster (ProxBalance's AI recommendations panel, made safe):
 * node load bars before and after the plan, each recommendation with its reasons, risk, confidence
 * and source (rule or LLM), what was rejected and why, and a two-step apply: a dry run first, then
 * an explicit confirm.
 *
 * @example
 * ```tsx
 * <MigrationAdvicePanel period="6h" cpuThreshold={60} className="panel" />
 * ```
 */
export function MigrationAdvicePanel({
  title = 'Migration advice',
  className,
  readOnly,
  ...options
}: MigrationAdvicePanelProps) {
  const state = useMigrationAdvice(options);
  const { advice, error, isLoading, isRefreshing } = state;
  const [pending, setPending] = useState<MigrationRecommendation[] | undefined>(undefined);
  const execution = state.execution;
  const startApply = async (recommendation: MigrationRecommendation) => {
    // Members of an affinity bundle move together or not at all.
    const bundle = recommendation.bundle;
    const group = bundle
      ? (advice?.recommendations.filter((other) => other.bundle?.id === bundle.id) ?? [recommendation])
      : [recommendation];
    setPending(group);
    await state.execute(group.map(toMove), { confirm: false });
  };
  const confirm = async () => {
    if (!pending) return;
    await state.execute(pending.map(toMove), { confirm: true });
    setPending(undefined);
  };
  const cancel = () => {
    setPending(undefined);
    state.resetExecution();
  };
  return (
    <section className={className} aria-label={title} aria-busy={isLoading || isRefreshing} style={rootStyle}>
      <header style={{ display: 'flex', alignItems: 'center', gap: 12, flexWrap: 'wrap' }}>
        <h2 style={{ margin: 0, fontSize: 20 }}>{title}</h2>
        {advice ? (
          <span style={mutedStyle}>
            {advice.analysis_period} · source {advice.source} · imbalance {advice.imbalance.before.toFixed(3)}{' '}
            → {advice.imbalance.after.toFixed(3)}
          </span>
        ) : null}
        <span role="status" aria-live="polite" style={{ ...mutedStyle, marginLeft: 'auto' }}>
          {isLoading ? 'Loading…' : isRefreshing ? 'Refreshing…' : ''}
        </span>
        <button type="button" style={buttonStyle} onClick={() => void state.refresh()}>
          Refresh
        </button>
      </header>
      {error ? (
        <p role="alert" style={{ margin: 0, color: themeVariables.danger }}>
          Could not load advice: {error.message}
        </p>
      ) : null}
      <ExecutionStatus
        pending={pending}
        execution={execution}
        onConfirm={() => void confirm()}
        onCancel={cancel}
      />
      {advice ? (
        <>
          <p style={{ margin: 0, whiteSpace: 'pre-wrap' }}>{advice.analysis}</p>
          {advice.node_loads ? (
            <NodeLoads before={advice.node_loads.before} after={advice.node_loads.after} />
          ) : null}
          <h3 style={{ margin: 0, fontSize: 16 }}>Recommendations ({advice.recommendations.length})</h3>
          {advice.recommendations.length === 0 ? (
            <p style={mutedStyle}>The cluster is balanced: nothing to move.</p>
          ) : null}
          <ol style={{ margin: 0, padding: 0, listStyle: 'none', display: 'grid', gap: 8 }}>
            {advice.recommendations.map((recommendation) => (
              <li key={`${recommendation.vmid}-${recommendation.step}`}>
                <RecommendationItem
                  recommendation={recommendation}
                  readOnly={readOnly === true || execution.status === 'running' || pending !== undefined}
                  onApply={() => void startApply(recommendation)}
                />
              </li>
            ))}
          </ol>
          {advice.rejected.length > 0 ? (
            <details>
              <summary>Rejected ({advice.rejected.length})</summary>
              <ul>
                {advice.rejected.map((rejection) => (
                  <li key={`${rejection.source}-${rejection.index}`}>
                    {rejection.source} #{rejection.index}:{' '}
                    {rejection.reasons.map((reason) => reason.message).join('; ')}
                  </li>
                ))}
              </ul>
            </details>
          ) : null}
        </>
      ) : null}
    </section>
  );
}

function RecommendationItem({
  recommendation,
  readOnly,
  onApply,
}: {
  recommendation: MigrationRecommendation;
  readOnly: boolean;
  onApply: () => void;
}) {
  const risk = recommendation.risk_score;
  const riskColor =
    risk === null
      ? themeVariables.muted
      : risk >= 0.6
        ? themeVariables.danger
        : risk >= 0.3
          ? themeVariables.warn
          : themeVariables.ok;
  return (
    <article
      aria-label={`Move ${recommendation.name} from ${recommendation.source_node} to ${recommendation.target_node}`}
      style={{
        border: `1px solid ${themeVariables.border}`,
        borderRadius: themeVariables.radius,
        padding: 12,
        display: 'grid',
        gap: 6,
      }}
    >
      <div style={{ display: 'flex', gap: 8, flexWrap: 'wrap', alignItems: 'baseline' }}>
        <strong>
          {recommendation.type} {recommendation.vmid} {recommendation.name}
        </strong>
        <span>
          {recommendation.source_node} → {recommendation.target_node}
        </span>
        <span style={mutedStyle}>
          {recommendation.priority} priority ·{' '}
          {recommendation.source === 'llm' ? 'LLM (validated)' : 'rule planner'}
          {recommendation.confidence_score === null
            ? ''
            : ` · confidence ${recommendation.confidence_score} %`}
        </span>
        <span style={{ color: riskColor, fontSize: 13 }}>
          risk {risk === null ? 'unknown' : formatPercent(risk, 0)}
        </span>
        {readOnly ? null : (
          <button type="button" style={{ ...buttonStyle, marginLeft: 'auto' }} onClick={onApply}>
            Apply…
          </button>
        )}
      </div>
      <p style={{ margin: 0, fontSize: 14 }}>{recommendation.reasoning}</p>
      {recommendation.bundle ? (
        <p style={mutedStyle}>
          Moves with {recommendation.bundle.members.join(', ')} (affinity group{' '}
          {recommendation.bundle.groups.join(', ')})
        </p>
      ) : null}
    </article>
  );
}

function ExecutionStatus({
  pending,
  execution,
  onConfirm,
  onCancel,
}: {
  pending: MigrationRecommendation[] | undefined;
  execution: ReturnType<typeof useMigrationAdvice>['execution'];
  onConfirm: () => void;
  onCancel: () => void;
}) {
  if (execution.status === 'error')
    return (
      <div role="alert" style={{ color: themeVariables.danger }}>
        Migration failed: {execution.error?.message}{' '}
        <button type="button" style={buttonStyle} onClick={onCancel}>
          Dismiss
        </button>
      </div>
    );
  if (pending) {
    const dryRun = execution.data && !execution.data.applied ? execution.data.report : undefined;
    const refused = dryRun?.moves.filter((move) => move.status === 'refused') ?? [];
    return (
      <div
        role="alertdialog"
        aria-label="Confirm migration"
        style={{
          border: `2px solid ${themeVariables.accent}`,
          borderRadius: themeVariables.radius,
          padding: 12,
          display: 'grid',
          gap: 8,
        }}
      >
        <strong>
          {pending
            .map(
              (move) =>
                `Move ${move.type} ${move.vmid} (${move.name}) from ${move.source_node} to ${move.target_node}`,
            )
            .join('; ')}
          ?
        </strong>
        {execution.status === 'running' ? <span role="status">Checking preconditions…</span> : null}
        {dryRun ? (
          <span>
            Dry run:{' '}
            {refused.length === 0
              ? 'preconditions pass, nothing has moved yet.'
              : `refused: ${refused.map((move) => move.reason).join('; ')}`}
          </span>
        ) : null}
        <div style={{ display: 'flex', gap: 8 }}>
          <button
            type="button"
            style={primaryButtonStyle}
            disabled={!dryRun || refused.length > 0 || execution.status === 'running'}
            onClick={onConfirm}
          >
            Confirm migration
          </button>
          <button type="button" style={buttonStyle} onClick={onCancel}>
            Cancel
          </button>
        </div>
      </div>
    );
  }
  if (execution.status === 'success' && execution.data?.applied) {
    const summary = execution.data.report.summary;
    return (
      <p role="status" style={{ margin: 0, color: themeVariables.ok }}>
        Migration applied: {summary.succeeded ?? 0} succeeded, {summary.failed ?? 0} failed.
      </p>
    );
  }
  return null;
}

function NodeLoads({ before, after }: { before: NodeLoad[]; after: NodeLoad[] }) {
  const afterOf = new Map(after.map((load) => [load.node, load]));
  return (
    <section aria-label="Node load before and after the plan" style={{ display: 'grid', gap: 6 }}>
      <h3 style={{ margin: 0, fontSize: 16 }}>Node load (before → after the plan)</h3>
      {before.map((load) => {
        const next = afterOf.get(load.node);
        return (
          <div
            key={load.node}
            style={{ display: 'grid', gridTemplateColumns: '80px 1fr', gap: 8, alignItems: 'center' }}
          >
            <span>{load.node}</span>
            <div style={{ display: 'grid', gap: 2 }}>
              <LoadBar label={`${load.node} before`} value={load.load} color={themeVariables.muted} />
              {next ? (
                <LoadBar label={`${load.node} after`} value={next.load} color={themeVariables.accent} />
              ) : null}
            </div>
          </div>
        );
      })}
    </section>
  );
}

function LoadBar({ label, value, color }: { label: string; value: number; color: string }) {
  const percent = Math.max(0, Math.min(100, value * 100));
  return (
    // A native <meter> cannot follow the theme variables without a stylesheet (its bar is a
    // pseudo-element), and the components inject none: an ARIA meter drawn with divs instead.
    // biome-ignore lint/a11y/useSemanticElements: see above.
    <div
      role="meter"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.round(percent)}
      aria-valuetext={`${percent.toFixed(0)} %`}
      style={{ display: 'flex', alignItems: 'center', gap: 6 }}
    >
      <div style={{ flex: 1, height: 8, background: themeVariables.subtle, borderRadius: 4 }}>
        <div style={{ width: `${percent}%`, height: '100%', background: color, borderRadius: 4 }} />
      </div>
      <span style={{ ...mutedStyle, width: 44, textAlign: 'right' }}>{percent.toFixed(0)} %</span>
    </div>
  );
}
