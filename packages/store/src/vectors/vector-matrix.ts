import { type DotProductKernel, dotProductKernel } from './dot-product-kernel';
import { TopK } from './top-k';

const pageBytes = 65_536;
/** WebAssembly 32-bit memories end at 4 GiB. */
const maxPages = 65_536;
const minimumCapacity = 256;

/** Told about every row change, so an index over the rows (IVF lists) stays in step. */
export interface VectorMatrixObserver {
  rowSet(row: number): void;
  rowDeleted(row: number): void;
  /** Rows were renumbered (compaction): row numbers held so far are void. */
  rowsMoved(): void;
}

/**
 * Unit-length float32 vectors of one collection, one row each, in one contiguous block of
 * WebAssembly memory, scored against a query by a SIMD kernel (see `dot-product-kernel.ts`; a
 * scalar loop when the runtime lacks SIMD). Cosine similarity is the dot product of unit vectors.
 *
 * Rows are updated in place (`set`, `delete`), never rebuilt: a deleted row becomes a hole that the
 * next insert reuses, and holes are compacted away once they are a quarter of the rows. Memory is
 * `(rows + query) × dimensions × 4` bytes plus 12 bytes of scratch per row (100 000 × 384 ≈ 155 MB),
 * and one matrix cannot exceed 4 GiB.
 *
 * @example
 * ```ts
 * const matrix = new VectorMatrix<string>(384);
 * matrix.set('doc#0', embedding);
 * matrix.search(queryEmbedding, 5); // [{ key: 'doc#0', score: 0.93 }]
 * ```
 */
export class VectorMatrix<Key> {
  /** Floats per row: the dimensions rounded up to a multiple of 4 (the tail is zeros). */
  readonly stride: number;
  /** Bumped whenever rows are renumbered. */
  layoutVersion = 0;
  observer: VectorMatrixObserver | undefined;
  private readonly memory = new WebAssembly.Memory({ initial: 1 });
  private readonly kernel: DotProductKernel | null;
  private floats = new Float32Array(this.memory.buffer);
  private capacity = 0;
  /** Rows in use or holes: rows `0…rowCount-1`. */
  private rowCount = 0;
  private readonly keys: Array<Key | undefined> = [];
  private readonly rows = new Map<Key, number>();
  private readonly holes: number[] = [];

  constructor(readonly dimensions: number) {
    this.stride = Math.ceil(dimensions / 4) * 4;
    this.kernel = dotProductKernel(this.memory);
    this.reserve(minimumCapacity);
  }

  /** Vectors held. */
  get size(): number {
    return this.rows.size;
  }

  /** Rows `0…rowSpan-1` hold every vector (holes included). */
  get rowSpan(): number {
    return this.rowCount;
  }

  /** Bytes of memory this matrix holds. */
  get byteSize(): number {
    return this.memory.buffer.byteLength;
  }

  /** Whether SIMD scoring is in use. */
  get simd(): boolean {
    return this.kernel !== null;
  }

  /** The key of a row, `undefined` for a hole or past the end. */
  keyAt(row: number): Key | undefined {
    return this.keys[row];
  }

  /** The row holding `key`, if any. */
  rowOf(key: Key): number | undefined {
    return this.rows.get(key);
  }

  /** A live view of a row's (unit) vector, `stride` floats long; do not keep it across writes. */
  rowVector(row: number): Float32Array {
    const start = this.matrixOffset() / 4 + row * this.stride;
    return this.floats.subarray(start, start + this.stride);
  }

  /** Adds or replaces `key`'s vector (normalised to unit length; all zeros stays zeros). */
  set(key: Key, vector: ArrayLike<number>): void {
    if (vector.length !== this.dimensions)
      throw new RangeError(`Vector has ${vector.length} dimensions; this matrix holds ${this.dimensions}`);
    let row = this.rows.get(key);
    if (row === undefined) {
      row = this.holes.pop();
      if (row === undefined) {
        this.reserve(this.rowCount + 1);
        row = this.rowCount++;
      }
      this.rows.set(key, row);
      this.keys[row] = key;
    }
    writeUnit(this.floats, this.matrixOffset() / 4 + row * this.stride, vector, this.stride);
    this.observer?.rowSet(row);
  }

  /** Removes `key`; returns whether it was there. */
  delete(key: Key): boolean {
    const row = this.rows.get(key);
    if (row === undefined) return false;
    this.rows.delete(key);
    this.keys[row] = undefined;
    this.floats.fill(
      0,
      this.matrixOffset() / 4 + row * this.stride,
      this.matrixOffset() / 4 + (row + 1) * this.stride,
    );
    this.holes.push(row);
    this.observer?.rowDeleted(row);
    if (this.holes.length >= Math.max(minimumCapacity, this.rowCount / 4)) this.compact();
    return true;
  }

  /** Writes the unit query into the matrix's query slot; `scoreRow` then scores against it. */
  loadQuery(query: ArrayLike<number>): void {
    writeUnit(this.floats, 0, query, this.stride);
  }

  /** Cosine similarity of a row with the loaded query. */
  scoreRow(row: number): number {
    const offset = this.matrixOffset() + row * this.stride * 4;
    if (this.kernel) return this.kernel.dot(offset, 0, this.stride);
    let dot = 0;
    const start = offset / 4;
    for (let index = 0; index < this.stride; index++)
      dot += this.floats[start + index]! * this.floats[index]!;
    return dot;
  }

  /** Scores of every row (holes score 0) against the loaded query, as a view valid until the next write. */
  scoreAll(): Float64Array {
    const out = this.scoresOffset();
    if (this.kernel) this.kernel.scoreRange(this.matrixOffset(), this.rowCount, this.stride, 0, out);
    const scores = new Float64Array(this.memory.buffer, out, this.rowCount);
    if (!this.kernel) for (let row = 0; row < this.rowCount; row++) scores[row] = this.scoreRow(row);
    return scores;
  }

  /** Scores of rows `first…first+count-1` against the loaded query, as a view valid until the next write. */
  scoreSpan(first: number, count: number): Float64Array {
    const out = this.scoresOffset();
    const scores = new Float64Array(this.memory.buffer, out, count);
    if (this.kernel)
      this.kernel.scoreRange(this.matrixOffset() + first * this.stride * 4, count, this.stride, 0, out);
    else for (let index = 0; index < count; index++) scores[index] = this.scoreRow(first + index);
    return scores;
  }

  /**
   * Scores of the given rows (in that order) against the loaded query, as a view valid until the
   * next write: one kernel call for the whole list.
   */
  scoreRows(rows: readonly number[]): Float64Array {
    const count = Math.min(rows.length, this.capacity);
    const out = this.scoresOffset();
    const scores = new Float64Array(this.memory.buffer, out, count);
    if (!this.kernel) {
      for (let index = 0; index < count; index++) scores[index] = this.scoreRow(rows[index]!);
      return scores;
    }
    const indices = new Int32Array(this.memory.buffer, out + this.capacity * 8, count);
    for (let index = 0; index < count; index++) indices[index] = rows[index]!;
    this.kernel.scoreRows(this.matrixOffset(), out + this.capacity * 8, count, this.stride, 0, out);
    return scores;
  }

  /** The `k` keys most similar to `query` (cosine, best first), scanning every row. */
  search(query: ArrayLike<number>, k: number): Array<{ key: Key; score: number }> {
    if (query.length !== this.dimensions || this.size === 0) return [];
    this.loadQuery(query);
    const scores = this.scoreAll();
    const best = new TopK(Math.min(k, this.size));
    for (let row = 0; row < scores.length; row++) {
      const score = scores[row]!;
      if (score >= best.threshold && this.keys[row] !== undefined) best.push(score, row);
    }
    return best.results().map(({ row, score }) => ({ key: this.keys[row] as Key, score }));
  }

  /** Byte offset of row 0 (after the query slot). */
  private matrixOffset(): number {
    return this.stride * 4;
  }

  /** Byte offset of the scores scratch (8 bytes per row), followed by a row-number scratch (4 per row). */
  private scoresOffset(): number {
    return this.matrixOffset() + this.capacity * this.stride * 4;
  }

  /** Grows the memory to hold `rows` rows and their scratch space (call before a bulk load). */
  reserve(rows: number): void {
    if (rows <= this.capacity) return;
    const capacity = Math.max(rows, Math.ceil(this.capacity * 1.5), minimumCapacity);
    const bytes = this.matrixOffset() + capacity * (this.stride * 4 + 8 + 4);
    const pages = Math.ceil(bytes / pageBytes);
    if (pages > maxPages)
      throw new RangeError(
        `A vector matrix of ${capacity} × ${this.dimensions} float32 would exceed 4 GiB; lower maxChunksPerCollection`,
      );
    const current = this.memory.buffer.byteLength / pageBytes;
    if (pages > current) this.memory.grow(pages - current);
    this.floats = new Float32Array(this.memory.buffer);
    this.capacity = capacity;
  }

  /** Moves the last rows into the holes so rows `0…size-1` are all live. */
  private compact(): void {
    const holes = this.holes.sort((a, b) => a - b);
    const base = this.matrixOffset() / 4;
    let last = this.rowCount - 1;
    for (const hole of holes) {
      while (last > hole && this.keys[last] === undefined) last -= 1;
      if (last <= hole) break;
      const key = this.keys[last] as Key;
      this.floats.copyWithin(
        base + hole * this.stride,
        base + last * this.stride,
        base + (last + 1) * this.stride,
      );
      this.keys[hole] = key;
      this.keys[last] = undefined;
      this.rows.set(key, hole);
      last -= 1;
    }
    this.rowCount = this.rows.size;
    this.keys.length = this.rowCount;
    this.floats.fill(0, base + this.rowCount * this.stride, base + this.capacity * this.stride);
    holes.length = 0;
    this.layoutVersion += 1;
    this.observer?.rowsMoved();
  }
}

/** Writes `vector` scaled to unit length at `start`, zero-padded to `stride` floats. */
function writeUnit(floats: Float32Array, start: number, vector: ArrayLike<number>, stride: number): void {
  // Copy first (a typed-array copy when it can be), then scale in place: one monomorphic loop
  // over float32 values whatever the caller passed (arrays from the API, views from the database).
  if (vector instanceof Float32Array) floats.set(vector, start);
  else for (let index = 0; index < vector.length; index++) floats[start + index] = vector[index]!;
  const end = start + vector.length;
  floats.fill(0, end, start + stride);
  let norm = 0;
  for (let index = start; index < end; index++) norm += floats[index]! * floats[index]!;
  if (norm === 0) return;
  const scale = 1 / Math.sqrt(norm);
  for (let index = start; index < end; index++) floats[index]! *= scale;
}
