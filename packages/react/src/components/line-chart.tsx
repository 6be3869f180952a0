import { useId } from 'react';
import { mutedStyle, seriesColor, themeVariables } from './theme';

/** One line of a {@link LineChart}: a value (or a gap) per x label. */
export interface ChartSeries {
  name: string;
  values: ReadonlyArray<number | null>;
}

/** Props of {@link LineChart}. */
export interface LineChartProps {
  title: string;
  /** One label per step (e.g. `14:00`); the first, middle and last are drawn. */
  labels: readonly string[];
  series: readonly ChartSeries[];
  formatValue: (value: number) => string;
  /** Drawing height in px (the width follows the container). Default 160. */
  height?: number;
  className?: string;
}

const width = 600;
const padding = { top: 8, right: 8, bottom: 20, left: 56 };

/**
 * A small SVG line chart: no chart library (see the README for why), so it renders on the server,
 * costs about 1 KB gzip and follows the CSS variables. Gaps (`null`) break the line. For screen
 * readers the figure names each series with its latest value.
 *
 * @example
 * ```tsx
 * <LineChart title="p95 latency" labels={['10:00', '11:00']} series={[{ name: 'openai', values: [420, 380] }]} formatValue={(v) => `${v} ms`} />
 * ```
 */
export function LineChart({ title, labels, series, formatValue, height = 160, className }: LineChartProps) {
  const titleId = useId();
  let max = 0;
  for (const line of series) for (const value of line.values) if (value !== null && value > max) max = value;
  const top = max > 0 ? niceCeiling(max) : 1;
  const plotWidth = width - padding.left - padding.right;
  const plotHeight = height - padding.top - padding.bottom;
  const steps = Math.max(1, labels.length - 1);
  const x = (index: number) => padding.left + (index / steps) * plotWidth;
  const y = (value: number) => padding.top + plotHeight - (value / top) * plotHeight;
  const summary = series
    .map((line) => {
      const last = [...line.values].reverse().find((value) => value !== null);
      return `${line.name}: ${last === undefined || last === null ? 'no data' : formatValue(last)}`;
    })
    .join('; ');
  const tickIndexes = [...new Set([0, Math.floor(steps / 2), steps])].filter(
    (index) => index < labels.length,
  );
  return (
    <figure className={className} style={{ margin: 0, display: 'grid', gap: 4 }}>
      <figcaption id={titleId} style={{ fontWeight: 600, fontSize: 14 }}>
        {title}
      </figcaption>
      <svg
        role="img"
        aria-labelledby={titleId}
        aria-describedby={`${titleId}-summary`}
        viewBox={`0 0 ${width} ${height}`}
        preserveAspectRatio="none"
        style={{ width: '100%', height, display: 'block', overflow: 'visible' }}
      >
        <title>{title}</title>
        <desc id={`${titleId}-summary`}>{summary ? `Latest values. ${summary}` : 'No data'}</desc>
        {[0, 0.5, 1].map((fraction) => (
          <g key={fraction}>
            <line
              x1={padding.left}
              x2={width - padding.right}
              y1={y(top * fraction)}
              y2={y(top * fraction)}
              stroke={themeVariables.border}
              strokeWidth={1}
              vectorEffect="non-scaling-stroke"
            />
            <text
              x={padding.left - 6}
              y={y(top * fraction) + 4}
              textAnchor="end"
              fontSize={11}
              fill={themeVariables.muted}
            >
              {formatValue(top * fraction)}
            </text>
          </g>
        ))}
        {tickIndexes.map((index) => (
          <text
            key={index}
            x={x(index)}
            y={height - 4}
            textAnchor="middle"
            fontSize={11}
            fill={themeVariables.muted}
          >
            {labels[index]}
          </text>
        ))}
        {series.map((line, index) => (
          <path
            key={line.name}
            d={pathOf(line.values, x, y)}
            fill="none"
            stroke={seriesColor(index)}
            strokeWidth={2}
            vectorEffect="non-scaling-stroke"
            strokeLinejoin="round"
            strokeLinecap="round"
          />
        ))}
      </svg>
      <ul
        style={{
          ...mutedStyle,
          listStyle: 'none',
          margin: 0,
          padding: 0,
          display: 'flex',
          flexWrap: 'wrap',
          gap: 12,
        }}
      >
        {series.map((line, index) => (
          <li key={line.name} style={{ display: 'flex', alignItems: 'center', gap: 4 }}>
            <span
              aria-hidden="true"
              style={{ width: 10, height: 10, borderRadius: 2, background: seriesColor(index) }}
            />
            {line.name}
          </li>
        ))}
      </ul>
    </figure>
  );
}

/**
 * A path with a move at the start of every run of values, so gaps stay gaps. A run of one value
 * (a lone step with data) becomes a zero-length segment, which the round cap draws as a dot.
 */
function pathOf(
  values: ReadonlyArray<number | null>,
  x: (index: number) => number,
  y: (value: number) => number,
): string {
  let path = '';
  let runLength = 0;
  let last = '';
  const closeRun = () => {
    if (runLength === 1) path += `L${last}`;
    runLength = 0;
  };
  values.forEach((value, index) => {
    if (value === null) {
      closeRun();
      return;
    }
    last = `${x(index).toFixed(1)} ${y(value).toFixed(1)}`;
    path += `${runLength === 0 ? 'M' : 'L'}${last}`;
    runLength++;
  });
  closeRun();
  return path;
}

/** 1, 2 or 5 × 10ⁿ at or above `value`: round axis tops. */
function niceCeiling(value: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}
