import { ensembleMembers } from './ensemble-members';

const MEMBER_COUNT = ensembleMembers.length;

/**
 * The member forecasts and ensemble means made at the last `horizon + 1` origins, ring-indexed
 * by origin: every one is still waiting for (or just got) its target, and is scored when it
 * arrives. Fixed-size typed arrays, so keeping them allocates nothing per step.
 *
 * @internal
 * @example
 * ```ts
 * const kept = new OriginForecasts(12);
 * kept.storeMembers(t, 3, memberForecasts);
 * kept.memberErrors(t, 3, valueAtTPlus3, errorsOut);
 * ```
 */
export class OriginForecasts {
  private readonly ring: number;
  private readonly members: Float64Array;
  private readonly means: Float64Array;

  constructor(private readonly horizon: number) {
    this.ring = horizon + 1;
    this.members = new Float64Array(this.ring * horizon * MEMBER_COUNT).fill(Number.NaN);
    this.means = new Float64Array(this.ring * horizon).fill(Number.NaN);
  }

  /** Keeps the member forecasts (one per member, `NaN` where absent) from origin `t` for `h` steps ahead. */
  storeMembers(t: number, h: number, values: Float64Array): void {
    const row = this.cell(t, h) * MEMBER_COUNT;
    for (let member = 0; member < MEMBER_COUNT; member++) this.members[row + member] = values[member]!;
  }

  /** Each member's error `value − forecast` of its forecast from `origin` for `h` steps ahead, into `out`. */
  memberErrors(origin: number, h: number, value: number, out: Float64Array): void {
    const row = this.cell(origin, h) * MEMBER_COUNT;
    for (let member = 0; member < MEMBER_COUNT; member++) out[member] = value - this.members[row + member]!;
  }

  storeMean(t: number, h: number, mean: number): void {
    this.means[this.cell(t, h)] = mean;
  }

  /** The ensemble mean forecast from `origin` for `h` steps ahead (`NaN` if none was made). */
  mean(origin: number, h: number): number {
    return this.means[this.cell(origin, h)]!;
  }

  private cell(t: number, h: number): number {
    return (t % this.ring) * this.horizon + h - 1;
  }
}
