/** Something whose abort machinery (timers, listeners) can be set up late. */
export interface Armable {
  /** Set once the thing has ended: the sweep skips it. */
  readonly settled: boolean;
  /** Installs timers and listeners; idempotent. */
  arm(): void;
  /** Where the thing sits in the sweep's batch, −1 when in none (written by the sweep only). */
  sweepSlot: number;
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
 *
 * A call that ends leaves the batch at once ({@link ArmingSweep.unwatch}, O(1)), so the batch holds
 * only the calls still running. (It used to keep ended calls until the sweep, and a caller looping
 * over instant calls in microtasks never lets the timer run: every 256th call then compacted the
 * batch, a scan of 256 ended calls scattered over the heap. That scan was the slowest 1 % of plain
 * calls in the bench — a third of the samples above p99 fell on one residue mod 256.)
 */
export class ArmingSweep {
  private batch: Armable[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly delayMs = 1) {}

  /** Arms `item` at the next sweep unless it has settled by then. */
  watch(item: Armable): void {
    item.sweepSlot = this.batch.length;
    this.batch.push(item);
    if (this.timer === undefined) {
      this.timer = setTimeout(this.sweep, this.delayMs);
      // A pending sweep must not keep the process alive: whatever it would arm is unref'd too.
      this.timer.unref?.();
    }
  }

  /**
   * `item` ended before the sweep reached it: it leaves the batch now (the last item takes its
   * slot). Most calls end in the order they started, so this is usually a pop.
   */
  unwatch(item: Armable): void {
    const slot = item.sweepSlot;
    if (slot < 0) return;
    item.sweepSlot = -1;
    const last = this.batch.pop() as Armable;
    if (last === item) return;
    this.batch[slot] = last;
    last.sweepSlot = slot;
  }

  private readonly sweep = (): void => {
    const batch = this.batch;
    this.batch = [];
    this.timer = undefined;
    // Out of the batch before any is armed: arming may stop a call, which unwatches it.
    for (const item of batch) item.sweepSlot = -1;
    for (const item of batch) if (!item.settled) item.arm();
  };
}
