/** Options of {@link createWriteBuffer}. */
export interface WriteBufferOptions<Item> {
  /** Writes one batch; throwing keeps the batch for the next attempt. */
  write: (batch: Item[]) => Promise<void>;
  /** A batch is written as soon as this many items wait. */
  batchSize: number;
  /** …or this long after the first item of a batch arrived. */
  flushIntervalMs: number;
  /** Items held while the database is failing; beyond it the oldest are dropped (and counted). */
  maxBuffered: number;
  /** Called with each failed write (already redacted by the store). */
  onError?: (error: unknown) => void;
}

/** State of a metrics store's write buffer, for health reports. */
export interface WriteBufferStats {
  buffered: number;
  written: number;
  dropped: number;
  failedWrites: number;
}

/** Batches items and writes them one batch at a time (see {@link createWriteBuffer}). */
export interface WriteBuffer<Item> {
  add(item: Item): void;
  /** Writes everything buffered now; rejects when the write fails (the items stay buffered). */
  flush(): Promise<void>;
  stats(): WriteBufferStats;
  /** Flushes, then stops the timer; later `add`s are refused. */
  close(): Promise<void>;
}

/**
 * The flush policy of the durable metrics stores: items wait in memory until `batchSize` of them
 * are buffered or `flushIntervalMs` has passed since the first one, then one transaction writes
 * the batch. Writes never overlap. A process killed between two flushes loses at most what was
 * buffered; a failing database keeps at most `maxBuffered` items (oldest dropped first) so memory
 * stays bounded. The timer is `unref`'d: it never keeps a process alive.
 */
export function createWriteBuffer<Item>(options: WriteBufferOptions<Item>): WriteBuffer<Item> {
  let buffer: Item[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let writing: Promise<void> = Promise.resolve();
  let closed = false;
  const stats = { written: 0, dropped: 0, failedWrites: 0 };

  const trim = () => {
    if (buffer.length <= options.maxBuffered) return;
    const excess = buffer.length - options.maxBuffered;
    buffer.splice(0, excess);
    stats.dropped += excess;
  };
  const writeNow = (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const run = async () => {
      while (buffer.length > 0) {
        const batch = buffer.splice(0, options.batchSize);
        try {
          await options.write(batch);
        } catch (error) {
          // Put the batch back in front; if the buffer overflowed meanwhile, the oldest go first.
          buffer = [...batch, ...buffer];
          trim();
          stats.failedWrites += 1;
          options.onError?.(error);
          scheduleTimer();
          throw error;
        }
        stats.written += batch.length;
      }
    };
    const next = writing.then(run, run);
    writing = next.catch(() => undefined);
    return next;
  };
  const scheduleTimer = () => {
    if (timer || closed || buffer.length === 0) return;
    timer = setTimeout(() => {
      timer = undefined;
      writeNow().catch(() => undefined);
    }, options.flushIntervalMs);
    timer.unref?.();
  };
  return {
    add(item) {
      if (closed) throw new Error('write buffer closed');
      buffer.push(item);
      trim();
      if (buffer.length >= options.batchSize) writeNow().catch(() => undefined);
      else scheduleTimer();
    },
    flush: writeNow,
    stats: () => ({ buffered: buffer.length, ...stats }),
    async close() {
      if (closed) return;
      await writeNow();
      closed = true;
      if (timer) clearTimeout(timer);
    },
  };
}
