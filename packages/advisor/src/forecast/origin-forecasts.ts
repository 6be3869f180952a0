import { ensembleMembers } from './ensemble-members';

const MEMBER_COUNT = ensembleMembers.length;

/**
 * The member forecasts and ensemble means still waiting for their targets: at horizon `h`, those
 * of the last `h` origins, ring-indexed by origin (`h(h+1)/2` cells over all horizons, half the
 * `(horizon + 1) × horizon` square kept before). The forecast from origin `t − h` is scored when
 * `y(t)` arrives, just before the forecast from `t` takes its cell. Fixed-size typed arrays, so
 * keeping them allocates nothing per step.
 *
 * @internal
 * @example
 * ```ts
 * const kept = new OriginForecasts(12);
 * kept.storeMembers(t, 3, memberForecasts);
 * kept.memberErrors(t, 3, valueAtTPlus3, errorsOut); // before storing origin t + 3's
 * ```
 */
export class OriginForecasts {
  private readonly members: Float64Array;
  private readonly means: Float64Array;

  constructor(horizon: number) {
    const cells = forecastCells(horizon);
    this.members = new Float64Array(cells * MEMBER_COUNT).fill(Number.NaN);
    this.means = new Float64Array(cells).fill(Number.NaN);
  }

  /** Cells kept: one per pending `(origin, h)` forecast. */
  get cells(): number {
    return this.means.length;
  }

  /** Keeps the member forecasts (one per member, `NaN` where absent) from origin `t` for `h` steps ahead. */
  storeMembers(t: number, h: number, values: Float64Array): void {
    const row = forecastCell(t, h) * MEMBER_COUNT;
    for (let member = 0; member < MEMBER_COUNT; member++) this.members[row + member] = values[member]!;
  }

  /** Each member's error `value − forecast` of its forecast from `origin` for `h` steps ahead, into `out`. */
  memberErrors(origin: number, h: number, value: number, out: Float64Array): void {
    const row = forecastCell(origin, h) * MEMBER_COUNT;
    for (let member = 0; member < MEMBER_COUNT; member++) out[member] = value - this.members[row + member]!;
  }

  storeMean(t: number, h: number, mean: number): void {
    this.means[forecastCell(t, h)] = mean;
  }

  /** The ensemble mean forecast from `origin` for `h` steps ahead (`NaN` if none was made). */
  mean(origin: number, h: number): number {
    return this.means[forecastCell(origin, h)]!;
  }
}

/**
 * Cells of the pending forecasts up to `horizon`: `h` at each horizon `h` (origins `t − h + 1 … t`).
 *
 * @internal
 */
export function forecastCells(horizon: number): number {
  return (horizon * (horizon + 1)) / 2;
}

/**
 * Cell of the forecast from origin `t` for `h` steps ahead: horizon `h`'s ring of `h` origins
 * starts after the `h(h−1)/2` cells of the shorter horizons. Origins `t` and `t + h` share a cell:
 * the first is scored (its target is `t + h`) before the second is stored.
 *
 * @internal
 */
export function forecastCell(t: number, h: number): number {
  return (h * (h - 1)) / 2 + (t % h);
}
