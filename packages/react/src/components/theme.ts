import type { CSSProperties } from 'react';

/**
 * Every colour and size the components use, as CSS variables with fallbacks. A host restyles (and
 * switches to dark mode) by setting the variables on any ancestor; no stylesheet is injected. The
 * fallbacks are CSS system colours (`Canvas`, `CanvasText`), so a page with
 * `color-scheme: light dark` gets a dark dashboard with no variable set at all.
 *
 * | variable | use |
 * | --- | --- |
 * | `--ballast-bg`, `--ballast-fg`, `--ballast-muted`, `--ballast-border` | surfaces and text |
 * | `--ballast-accent`, `--ballast-ok`, `--ballast-warn`, `--ballast-danger` | state colours |
 * | `--ballast-series-0` … `--ballast-series-7` | chart lines |
 * | `--ballast-radius`, `--ballast-font` | shape and type |
 */
export const themeVariables = {
  bg: 'var(--ballast-bg, Canvas)',
  fg: 'var(--ballast-fg, CanvasText)',
  muted: 'var(--ballast-muted, GrayText)',
  border: 'var(--ballast-border, color-mix(in srgb, CanvasText 18%, transparent))',
  subtle: 'var(--ballast-subtle, color-mix(in srgb, CanvasText 6%, transparent))',
  accent: 'var(--ballast-accent, #2563eb)',
  ok: 'var(--ballast-ok, #16a34a)',
  warn: 'var(--ballast-warn, #d97706)',
  danger: 'var(--ballast-danger, #dc2626)',
  radius: 'var(--ballast-radius, 8px)',
  font: 'var(--ballast-font, inherit)',
} as const;

const seriesFallbacks = [
  '#2563eb',
  '#db2777',
  '#16a34a',
  '#d97706',
  '#7c3aed',
  '#0891b2',
  '#dc2626',
  '#65a30d',
];

/** The colour of the `index`-th chart series (`--ballast-series-N`, eight, then repeating). */
export function seriesColor(index: number): string {
  const slot = index % seriesFallbacks.length;
  return `var(--ballast-series-${slot}, ${seriesFallbacks[slot]})`;
}

/** Root box of every component. */
export const rootStyle: CSSProperties = {
  fontFamily: themeVariables.font,
  color: themeVariables.fg,
  background: themeVariables.bg,
  border: `1px solid ${themeVariables.border}`,
  borderRadius: themeVariables.radius,
  padding: 16,
  display: 'grid',
  gap: 16,
};

export const tableStyle: CSSProperties = { width: '100%', borderCollapse: 'collapse', fontSize: 14 };
export const cellStyle: CSSProperties = {
  textAlign: 'left',
  padding: '6px 8px',
  borderBottom: `1px solid ${themeVariables.border}`,
};
export const numberCellStyle: CSSProperties = {
  ...cellStyle,
  textAlign: 'right',
  fontVariantNumeric: 'tabular-nums',
};
export const buttonStyle: CSSProperties = {
  font: 'inherit',
  color: themeVariables.fg,
  background: themeVariables.subtle,
  border: `1px solid ${themeVariables.border}`,
  borderRadius: themeVariables.radius,
  padding: '4px 12px',
  cursor: 'pointer',
};
export const primaryButtonStyle: CSSProperties = {
  ...buttonStyle,
  color: '#fff',
  background: themeVariables.accent,
  borderColor: themeVariables.accent,
};
export const mutedStyle: CSSProperties = { color: themeVariables.muted, fontSize: 13 };
/** Hidden on screen, read by screen readers. */
export const visuallyHidden: CSSProperties = {
  position: 'absolute',
  width: 1,
  height: 1,
  overflow: 'hidden',
  clip: 'rect(0 0 0 0)',
  whiteSpace: 'nowrap',
};
