import { PerformanceObserver } from 'node:perf_hooks';

/** One garbage collection, on the `performance.now()` timeline. */
export interface GcPause {
  start: number;
  end: number;
}

/** Timed samples of one side of a benchmark row, in the order they were taken. */
export interface TimedSamples {
  /** `performance.now()` at each sample's start. */
  starts: number[];
  /** `performance.now()` at each sample's end. */
  ends: number[];
}

/**
 * Records every garbage collection of the process (`PerformanceObserver` 'gc' entries), so a
 * benchmark can say which of its samples a GC pause landed in. The entries arrive
 * late: call {@link GcRecorder.flush} (which turns the event loop) after all measurements and
 * before reading {@link GcRecorder.pauses}; never during one, so the measured loop is not
 * changed.
 */
export class GcRecorder {
  readonly pauses: GcPause[] = [];
  private readonly observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries())
      this.pauses.push({ start: entry.startTime, end: entry.startTime + entry.duration });
  });

  constructor() {
    this.observer.observe({ entryTypes: ['gc'] });
  }

  /**
   * Lets pending 'gc' entries be delivered: Node queues them on its event loop, which a measured
   * loop of microtasks never reaches, and may deliver them several loop turns later. Turns the
   * loop until a turn delivers nothing new (and at least `minTurns` times).
   */
  async flush(thorough = false): Promise<void> {
    const minTurns = thorough ? 5 : 1;
    for (let turn = 0; ; turn++) {
      const before = this.pauses.length;
      await new Promise((resolve) => setTimeout(resolve, thorough ? 10 : 0));
      await new Promise((resolve) => setImmediate(resolve));
      if (turn + 1 >= minTurns && this.pauses.length === before) return;
    }
  }

  dispose(): void {
    this.observer.disconnect();
  }

  /**
   * Which samples overlap a GC pause, and how many pauses started inside a sample.
   * `hit[i]` is true when sample `i` overlapped a pause.
   */
  overlap(samples: TimedSamples): { hit: boolean[]; pausesInside: number } {
    const pauses = this.pauses.slice().sort((a, b) => a.start - b.start);
    const hit = new Array<boolean>(samples.starts.length).fill(false);
    let pausesInside = 0;
    const counted = new Set<GcPause>();
    // Samples are in time order and pauses sorted by start: one forward sweep.
    let first = 0;
    for (let index = 0; index < samples.starts.length; index++) {
      const start = samples.starts[index] ?? 0;
      const end = samples.ends[index] ?? 0;
      while (first < pauses.length && (pauses[first]?.end ?? 0) <= start) first++;
      for (let at = first; at < pauses.length; at++) {
        const pause = pauses[at] as GcPause;
        if (pause.start >= end) break;
        hit[index] = true;
        if (!counted.has(pause)) {
          counted.add(pause);
          pausesInside++;
        }
      }
    }
    return { hit, pausesInside };
  }
}
