/**
 * The `k` best (score, row) pairs seen, in a binary min-heap of fixed size: O(log k) per accepted
 * candidate, one comparison per rejected one. Equal scores prefer the lower row, so results are
 * deterministic for a given matrix layout.
 */
export class TopK {
  private readonly scores: Float64Array;
  private readonly rows: Int32Array;
  private count = 0;

  constructor(readonly k: number) {
    this.scores = new Float64Array(Math.max(0, k));
    this.rows = new Int32Array(Math.max(0, k));
  }

  /** The score a candidate must beat once the heap is full (−∞ until then). */
  get threshold(): number {
    return this.count < this.k ? Number.NEGATIVE_INFINITY : this.scores[0]!;
  }

  /** Offers a candidate. */
  push(score: number, row: number): void {
    if (this.k === 0) return;
    if (this.count < this.k) {
      let position = this.count++;
      while (position > 0) {
        const parent = (position - 1) >> 1;
        if (!this.worse(score, row, this.scores[parent]!, this.rows[parent]!)) break;
        this.scores[position] = this.scores[parent]!;
        this.rows[position] = this.rows[parent]!;
        position = parent;
      }
      this.scores[position] = score;
      this.rows[position] = row;
      return;
    }
    if (!this.worse(this.scores[0]!, this.rows[0]!, score, row)) return;
    let position = 0;
    for (;;) {
      const left = 2 * position + 1;
      if (left >= this.count) break;
      const right = left + 1;
      const child =
        right < this.count &&
        this.worse(this.scores[right]!, this.rows[right]!, this.scores[left]!, this.rows[left]!)
          ? right
          : left;
      if (!this.worse(this.scores[child]!, this.rows[child]!, score, row)) break;
      this.scores[position] = this.scores[child]!;
      this.rows[position] = this.rows[child]!;
      position = child;
    }
    this.scores[position] = score;
    this.rows[position] = row;
  }

  /** The pairs, best first. */
  results(): Array<{ row: number; score: number }> {
    const out: Array<{ row: number; score: number }> = [];
    for (let index = 0; index < this.count; index++)
      out.push({ row: this.rows[index]!, score: this.scores[index]! });
    return out.sort((a, b) => b.score - a.score || a.row - b.row);
  }

  /** Whether (scoreA, rowA) ranks below (scoreB, rowB). */
  private worse(scoreA: number, rowA: number, scoreB: number, rowB: number): boolean {
    return scoreA < scoreB || (scoreA === scoreB && rowA > rowB);
  }
}
