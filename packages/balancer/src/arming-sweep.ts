/** Something whose abort machinery (timers, listeners) can be set up late. */
export interface Armable {
  /** Set once the thing has ended: the sweep skips it. */
  readonly settled: boolean;
  /** Installs timers and listeners; idempotent. */
  arm(): void;
}

/**
 * Arms the deadlines and abort listeners of calls that are still running one timer tick after
 * they started, in one batch per tick.
 *
 * Why: a timer, an AbortController and an abort listener cost more than a whole call to a fast
 * model (≈ 0.2 µs, ≈ 1–5 µs and ≈ 1 µs here, against ≈ 5 µs for all of a balanced call). Most
 * calls to in-process or cached models are over before a timer could fire, so the balancer only
 * polls the signal and the clock at its own checkpoints, and installs the real machinery for the
 * calls this sweep finds still running. A deadline then fires at most one tick (≈ 1 ms) late in
 * the worst case — only when the process was too busy to run the sweep — and never early.
 */
export class ArmingSweep {
  private batch: Armable[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private compactAt = 256;

  constructor(private readonly delayMs = 1) {}

  /** Arms `item` at the next sweep unless it has settled by then. */
  watch(item: Armable): void {
    // A caller looping over instant calls in microtasks never lets the timer run: drop the
    // settled entries now and then, or the batch would keep every call of the loop alive.
    if (this.batch.length >= this.compactAt) this.compact();
    this.batch.push(item);
    if (this.timer === undefined) {
      this.timer = setTimeout(this.sweep, this.delayMs);
      // A pending sweep must not keep the process alive: whatever it would arm is unref'd too.
      this.timer.unref?.();
    }
  }

  private compact(): void {
    let kept = 0;
    for (const item of this.batch) if (!item.settled) this.batch[kept++] = item;
    this.batch.length = kept;
    // Amortized O(1) per watch: the next compaction waits until the batch has doubled.
    this.compactAt = Math.max(256, kept * 2);
  }

  private readonly sweep = (): void => {
    const batch = this.batch;
    this.batch = [];
    this.timer = undefined;
    this.compactAt = 256;
    for (const item of batch) if (!item.settled) item.arm();
  };
}
