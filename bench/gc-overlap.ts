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
 * asynchronously: call {@link GcRecorder.flush} (which yields one macrotask) after a measurement
 * and before reading {@link GcRecorder.pauses}; never during one, so the measured loop is not
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

  /** Lets pending 'gc' entries be delivered (Node queues them behind a timer tick). */
  async flush(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 0));
    await new Promise((resolve) => setImmediate(resolve));
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
