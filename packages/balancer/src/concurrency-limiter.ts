/** Why a slot could not be had. */
export type SlotRefusal = 'queue_full' | 'queue_timeout' | 'aborted';

/** Thrown (as a plain value, caught by the balancer) when a queued acquire fails. */
export class SlotUnavailable extends Error {
  constructor(readonly reason: SlotRefusal) {
    super(`No slot: ${reason}`);
    this.name = 'SlotUnavailable';
  }
}

/** Gives a slot back. Safe to call more than once: only the first call counts. */
export type ReleaseSlot = () => void;

/**
 * Counts in-flight calls of one target and caps them at `maxConcurrent`, with a bounded FIFO wait
 * queue. A released slot is handed straight to the next waiter, so no caller can overtake the
 * queue between a release and a wake-up; every release function is idempotent, so a `finally`
 * that runs twice (or a hedge loser and winner racing) can never leak or double-free a slot.
 *
 * @example
 * ```ts
 * const limiter = new ConcurrencyLimiter({ maxConcurrent: 4, maxQueue: 100 });
 * const release = limiter.tryAcquire() ?? (await limiter.acquire({ timeoutMs: 1_000 }));
 * try { await call(); } finally { release(); }
 * ```
 */
export class ConcurrencyLimiter {
  private max: number | undefined;
  readonly maxQueue: number;
  private active = 0;
  private readonly waiters: Array<{ grant: (release: ReleaseSlot) => void }> = [];

  constructor(options: { maxConcurrent?: number | undefined; maxQueue?: number | undefined } = {}) {
    this.max = options.maxConcurrent;
    this.maxQueue = options.maxQueue ?? 100;
  }

  /** Calls holding a slot. */
  /** The limit; `undefined` means unlimited. */
  get maxConcurrent(): number | undefined {
    return this.max;
  }

  /**
   * Changes the limit at run time. Raising it hands the new slots to queued waiters at once;
   * lowering it never interrupts a call in flight: new calls wait until the count is under it.
   */
  setMaxConcurrent(maxConcurrent: number | undefined): void {
    this.max = maxConcurrent;
    this.grantWaiters();
  }

  /**
   * Counts a call that runs outside the balancer (a caller that reports its own load), limit or
   * not: it is happening anyway, and hiding it would let the balancer overload the target.
   * Returns the idempotent release.
   */
  acquireUnconditionally(): ReleaseSlot {
    this.active++;
    return this.releaser();
  }

  get inFlight(): number {
    return this.active;
  }

  /** Calls waiting for a slot. */
  get queued(): number {
    return this.waiters.length;
  }

  /** Whether a slot is free right now. */
  hasCapacity(): boolean {
    return this.max === undefined || this.active < this.max;
  }

  /** Whether a caller may join the wait queue. */
  canQueue(): boolean {
    return this.waiters.length < this.maxQueue;
  }

  /** Takes a slot if one is free, else returns `undefined`. */
  tryAcquire(): ReleaseSlot | undefined {
    if (!this.hasCapacity()) return undefined;
    this.active++;
    return this.releaser();
  }

  /**
   * Takes a slot, waiting in the queue when none is free. Rejects with {@link SlotUnavailable}
   * when the queue is full, the wait times out or `signal` aborts.
   */
  acquire(
    options: { signal?: AbortSignal | undefined; timeoutMs?: number | undefined } = {},
  ): Promise<ReleaseSlot> {
    const immediate = this.tryAcquire();
    if (immediate) return Promise.resolve(immediate);
    if (!this.canQueue()) return Promise.reject(new SlotUnavailable('queue_full'));
    if (options.signal?.aborted) return Promise.reject(new SlotUnavailable('aborted'));
    return new Promise<ReleaseSlot>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const waiter = {
        grant: (release: ReleaseSlot) => {
          cleanup();
          resolve(release);
        },
      };
      const leave = (reason: SlotRefusal) => {
        const index = this.waiters.indexOf(waiter);
        if (index === -1) return; // already granted
        this.waiters.splice(index, 1);
        cleanup();
        reject(new SlotUnavailable(reason));
      };
      const onAbort = () => leave('aborted');
      const cleanup = () => {
        if (timer) clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
      };
      this.waiters.push(waiter);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      if (options.timeoutMs !== undefined) {
        timer = setTimeout(() => leave('queue_timeout'), Math.max(0, options.timeoutMs));
        timer.unref?.();
      }
    });
  }

  private releaser(): ReleaseSlot {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      this.grantWaiters();
    };
  }

  /** Hands free slots to waiters, first come first served, while the limit allows. */
  private grantWaiters(): void {
    while (this.waiters.length > 0 && this.hasCapacity()) {
      const next = this.waiters.shift();
      if (!next) return;
      this.active++;
      next.grant(this.releaser());
    }
  }
}
