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
