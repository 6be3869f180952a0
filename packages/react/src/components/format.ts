/** Shared number formats of the components (locale-independent, so SSR and the browser agree). */
export const formatMs = (value: number | null | undefined): string =>
  value === null || value === undefined
    ? '–'
    : value >= 1000
      ? `${(value / 1000).toFixed(2)} s`
      : `${Math.round(value)} ms`;
export const formatPercent = (value: number | null | undefined, digits = 1): string =>
  value === null || value === undefined ? '–' : `${(value * 100).toFixed(digits)} %`;
export const formatUsd = (value: number | null | undefined): string =>
  value === null || value === undefined
    ? '–'
    : value < 0.01 && value > 0
      ? `$${value.toFixed(4)}`
      : `$${value.toFixed(2)}`;
export const formatCount = (value: number): string =>
  String(Math.round(value)).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
/** `HH:MM` in UTC: the same text on the server and in every browser. */
export const formatClock = (iso: string | number): string => new Date(iso).toISOString().slice(11, 16);
