import type { PerformanceFigures, ProviderStatus } from '../api-types';
import type { BallastClient } from '../client/ballast-client';
import { type PerformanceMetrics, usePerformanceMonitoring } from '../hooks/use-performance-monitoring';
import { formatClock, formatCount, formatMs, formatPercent, formatUsd } from './format';
import { LineChart } from './line-chart';
import {
  buttonStyle,
  cellStyle,
  mutedStyle,
  numberCellStyle,
  rootStyle,
  tableStyle,
  themeVariables,
} from './theme';

/** Props of {@link PerformanceDashboard}. */
export interface PerformanceDashboardProps {
  /** Refresh every N ms while visible (default 30 000; 0: only by the button). */
  autoRefreshInterval?: number;
  /** Window in hours (default 24). */
  hours?: number;
  /** Chart steps over the window (default 48). */
  points?: number;
  title?: string;
  className?: string;
  client?: BallastClient;
}

/**
 * The monitoring dashboard (the Next.js seed's `<PerformanceDashboard autoRefreshInterval className />`):
 * totals, p95 latency and cost over time per provider, a per-provider table with each target's
 * circuit breaker, and a per-model table. Refreshes live; pauses while the tab is hidden.
 *
 * @example
 * ```tsx
 * <PerformanceDashboard autoRefreshInterval={5000} hours={24} className="my-dashboard" />
 * ```
 */
export function PerformanceDashboard({
  autoRefreshInterval = 30_000,
  hours = 24,
  points = 48,
  title = 'LLM performance',
  className,
  client,
}: PerformanceDashboardProps) {
  const monitoring = usePerformanceMonitoring(autoRefreshInterval, {
    hours,
    points,
    ...(client ? { client } : {}),
  });
  const { metrics, error, isLoading, isRefreshing, updatedAt } = monitoring;
  return (
    <section className={className} aria-label={title} aria-busy={isLoading || isRefreshing} style={rootStyle}>
      <header style={{ display: 'flex', alignItems: 'center', gap: 12, flexWrap: 'wrap' }}>
        <h2 style={{ margin: 0, fontSize: 20 }}>{title}</h2>
        <span style={mutedStyle}>last {hours} h</span>
        <span role="status" aria-live="polite" style={{ ...mutedStyle, marginLeft: 'auto' }}>
          {isLoading
            ? 'Loading…'
            : isRefreshing
              ? 'Refreshing…'
              : updatedAt === undefined
                ? ''
                : `Updated ${new Date(updatedAt).toISOString().slice(11, 19)} UTC`}
        </span>
        <button type="button" style={buttonStyle} onClick={() => void monitoring.refresh()}>
          Refresh
        </button>
      </header>
      {error ? (
        <p role="alert" style={{ margin: 0, color: themeVariables.danger }}>
          Could not load performance: {error.message}
        </p>
      ) : null}
      {metrics ? <PerformanceDashboardView metrics={metrics} /> : null}
    </section>
  );
}

/**
 * The dashboard's body for data the host already has (a server component, a test, a bench):
 * totals, charts and tables, with no fetching.
 *
 * @example
 * ```tsx
 * <PerformanceDashboardView metrics={{ report, providers }} />
 * ```
 */
export function PerformanceDashboardView({ metrics }: { metrics: PerformanceMetrics }) {
  const { report, providers } = metrics;
  const labels = report.series?.calls.map((point) => formatClock(point.start)) ?? [];
  const providerSeries = Object.entries(report.series?.providers ?? {});
  return (
    <>
      <Totals totals={report.totals} />
      {report.series ? (
        <div
          style={{ display: 'grid', gap: 16, gridTemplateColumns: 'repeat(auto-fit, minmax(280px, 1fr))' }}
        >
          <LineChart
            title="p95 latency by provider"
            labels={labels}
            series={providerSeries.map(([name, line]) => ({
              name,
              values: line.map((point) => point.p95LatencyMs),
            }))}
            formatValue={formatMs}
          />
          <LineChart
            title="Cost by provider (per step)"
            labels={labels}
            series={providerSeries.map(([name, line]) => ({
              name,
              values: line.map((point) => (point.requests > 0 ? point.costUsd : null)),
            }))}
            formatValue={formatUsd}
          />
        </div>
      ) : null}
      <ProviderTable figures={report.providers} status={providers} />
      <FiguresTable caption="By model" nameHeader="Model" figures={report.models} />
    </>
  );
}

function Totals({ totals }: { totals: PerformanceFigures }) {
  const items: Array<[string, string]> = [
    ['Requests', formatCount(totals.requests)],
    ['Success rate', formatPercent(totals.successRate)],
    ['p50 latency', formatMs(totals.p50LatencyMs)],
    ['p95 latency', formatMs(totals.p95LatencyMs)],
    ['Tokens', formatCount(totals.inputTokens + totals.outputTokens)],
    ['Cost', formatUsd(totals.costUsd)],
  ];
  return (
    <dl
      style={{
        margin: 0,
        display: 'grid',
        gap: 8,
        gridTemplateColumns: 'repeat(auto-fit, minmax(120px, 1fr))',
      }}
    >
      {items.map(([label, value]) => (
        <div
          key={label}
          style={{ background: themeVariables.subtle, borderRadius: themeVariables.radius, padding: 8 }}
        >
          <dt style={mutedStyle}>{label}</dt>
          <dd style={{ margin: 0, fontSize: 20, fontWeight: 600, fontVariantNumeric: 'tabular-nums' }}>
            {value}
          </dd>
        </div>
      ))}
    </dl>
  );
}

const circuitColor: Record<ProviderStatus['circuit'], string> = {
  closed: themeVariables.ok,
  'half-open': themeVariables.warn,
  open: themeVariables.danger,
};

function ProviderTable({
  figures,
  status,
}: {
  figures: Record<string, PerformanceFigures>;
  status: ProviderStatus[];
}) {
  const names = [...new Set([...Object.keys(figures), ...status.map((target) => target.provider)])].sort();
  return (
    <table style={tableStyle}>
      <caption style={{ textAlign: 'left', fontWeight: 600, paddingBottom: 4 }}>By provider</caption>
      <thead>
        <tr>
          <th scope="col" style={cellStyle}>
            Provider
          </th>
          <th scope="col" style={cellStyle}>
            Circuit
          </th>
          <th scope="col" style={numberCellStyle}>
            In flight
          </th>
          <FigureHeaders />
        </tr>
      </thead>
      <tbody>
        {names.map((name) => {
          const targets = status.filter((target) => target.provider === name);
          return (
            <tr key={name}>
              <th scope="row" style={cellStyle}>
                {name}
              </th>
              <td style={cellStyle}>
                {targets.length === 0
                  ? '–'
                  : targets.map((target) => (
                      <span
                        key={target.target}
                        title={target.target}
                        style={{ marginRight: 8, whiteSpace: 'nowrap' }}
                      >
                        <span aria-hidden="true" style={{ color: circuitColor[target.circuit] }}>
                          ●{' '}
                        </span>
                        {target.circuit}
                      </span>
                    ))}
              </td>
              <td style={numberCellStyle}>
                {targets.reduce((sum, target) => sum + target.inFlight + target.externalLoad, 0)}
              </td>
              <FigureCells figures={figures[name]} />
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function FiguresTable({
  caption,
  nameHeader,
  figures,
}: {
  caption: string;
  nameHeader: string;
  figures: Record<string, PerformanceFigures>;
}) {
  const names = Object.keys(figures).sort();
  return (
    <table style={tableStyle}>
      <caption style={{ textAlign: 'left', fontWeight: 600, paddingBottom: 4 }}>{caption}</caption>
      <thead>
        <tr>
          <th scope="col" style={cellStyle}>
            {nameHeader}
          </th>
          <FigureHeaders />
        </tr>
      </thead>
      <tbody>
        {names.length === 0 ? (
          <tr>
            <td colSpan={7} style={{ ...cellStyle, ...mutedStyle }}>
              No requests in this window yet.
            </td>
          </tr>
        ) : (
          names.map((name) => (
            <tr key={name}>
              <th scope="row" style={cellStyle}>
                {name}
              </th>
              <FigureCells figures={figures[name]} />
            </tr>
          ))
        )}
      </tbody>
    </table>
  );
}

function FigureHeaders() {
  return (
    <>
      {['Requests', 'Success', 'p50', 'p95', 'Tokens', 'Cost'].map((label) => (
        <th key={label} scope="col" style={numberCellStyle}>
          {label}
        </th>
      ))}
    </>
  );
}

function FigureCells({ figures }: { figures: PerformanceFigures | undefined }) {
  if (!figures)
    return (
      <>
        {[0, 1, 2, 3, 4, 5].map((index) => (
          <td key={index} style={numberCellStyle}>
            –
          </td>
        ))}
      </>
    );
  return (
    <>
      <td style={numberCellStyle}>{formatCount(figures.requests)}</td>
      <td style={numberCellStyle}>{formatPercent(figures.successRate)}</td>
      <td style={numberCellStyle}>{formatMs(figures.p50LatencyMs)}</td>
      <td style={numberCellStyle}>{formatMs(figures.p95LatencyMs)}</td>
      <td style={numberCellStyle}>{formatCount(figures.inputTokens + figures.outputTokens)}</td>
      <td style={numberCellStyle}>{formatUsd(figures.costUsd)}</td>
    </>
  );
}
