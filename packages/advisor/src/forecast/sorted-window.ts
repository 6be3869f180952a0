/**
 * The last `capacity` numbers pushed, kept both in arrival order (to evict the oldest) and sorted
 * (for quantiles in O(1)). Push is O(capacity). Internal to the forecasters.
 *
 * @internal
 * @example
 * ```ts
 * const window = new SortedWindow(3);
 * for (const value of [5, 1, 4, 2]) window.push(value);
 * window.quantile(0.5); // 2 (of 1, 2, 4)
 * ```
 */
export class SortedWindow {
  private readonly order: number[] = [];
  private readonly sorted: number[] = [];
  private head = 0;

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.sorted.length;
  }

  push(value: number): void {
    if (this.sorted.length === this.capacity) {
      const oldest = this.order[this.head]!;
      this.order[this.head] = value;
      this.head = (this.head + 1) % this.capacity;
      this.sorted.splice(this.lowerBound(oldest), 1);
    } else {
      this.order.push(value);
    }
    this.sorted.splice(this.lowerBound(value), 0, value);
  }

  /** Linear-interpolated empirical quantile (`NaN` when empty). */
  quantile(probability: number): number {
    const count = this.sorted.length;
    if (count === 0) return Number.NaN;
    const position = Math.min(1, Math.max(0, probability)) * (count - 1);
    const below = Math.floor(position);
    const above = Math.min(count - 1, below + 1);
    return this.sorted[below]! + (this.sorted[above]! - this.sorted[below]!) * (position - below);
  }

  /**
   * The same quantile of the absolute values (`NaN` when empty), read from the signed ones: the
   * negatives' absolute values ascend from zero to the left, the others to the right, and the
   * `k`-th smallest of the two is found by binary search. Equal to `quantile` on a window of the
   * absolute values, without keeping one.
   */
  absoluteQuantile(probability: number): number {
    const count = this.sorted.length;
    if (count === 0) return Number.NaN;
    const position = Math.min(1, Math.max(0, probability)) * (count - 1);
    const below = Math.floor(position);
    const above = Math.min(count - 1, below + 1);
    const low = this.kthAbsolute(below);
    return low + (this.kthAbsolute(above) - low) * (position - below);
  }

  /** The `k`-th smallest absolute value (0-based). */
  private kthAbsolute(k: number): number {
    const sorted = this.sorted;
    // Negatives are sorted[0, zero): |·| ascends as sorted[zero − 1 − i]; the others as sorted[zero + j].
    // abs throughout: a −0 (not below 0) reads as the +0 a window of absolute values would hold.
    const zero = this.lowerBound(0);
    const others = sorted.length - zero;
    // Take `i` of the smallest from the negatives and `k + 1 − i` from the others.
    let low = Math.max(0, k + 1 - others);
    let high = Math.min(k + 1, zero);
    while (low < high) {
      const i = (low + high) >>> 1;
      if (Math.abs(sorted[zero - 1 - i]!) < Math.abs(sorted[zero + k - i]!)) low = i + 1;
      else high = i;
    }
    const j = k + 1 - low;
    const fromNegatives = low > 0 ? Math.abs(sorted[zero - low]!) : Number.NEGATIVE_INFINITY;
    const fromOthers = j > 0 ? Math.abs(sorted[zero + j - 1]!) : Number.NEGATIVE_INFINITY;
    return Math.max(fromNegatives, fromOthers);
  }

  values(): readonly number[] {
    return this.sorted;
  }

  private lowerBound(value: number): number {
    let low = 0;
    let high = this.sorted.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.sorted[middle]! < value) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
