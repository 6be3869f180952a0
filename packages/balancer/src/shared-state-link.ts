import { ConfigError, type SharedBreakerRecord, type SharedState } from '@ballast/core';
import { type LatencyQuantiles, quantileOfSorted } from './latency-window';
import type { OutcomeCounts } from './outcome-window';

/**
 * How a balancer uses a {@link SharedState} (the `sharedState` option of `createBalancer`). Only
 * `state` is required.
 *
 * @example
 * ```ts
 * const sharedState: SharedStateLinkOptions = { state: createRedisSharedState({ url }), leaseMs: 30_000 };
 * ```
 */
export interface SharedStateLinkOptions {
  state: SharedState;
  /**
   * Prefix of every shared scope, so balancers with other targets can share one store. Default the
   * balancer's `name`. Replicas of one balancer must use the same prefix.
   */
  scope?: string;
  /**
   * Lease of a shared concurrency slot. Renewed while the call runs; a killed replica's slots come
   * back after at most this long. Default 15 000 ms.
   */
  leaseMs?: number;
  /** How often buffered outcomes are written (one round trip per target per flush). Default 250 ms. */
  flushIntervalMs?: number;
  /** How often the merged outcome and latency windows of every replica are read. Default 1 000 ms. */
  refreshIntervalMs?: number;
}

/** What the link needs of one balancer target. */
export interface LinkedTarget {
  id: string;
  /** Adopts another replica's breaker change locally (never re-published: see `adopting`). */
  adoptBreaker(record: SharedBreakerRecord): void;
  /** Whether the local breaker is open now (an open record is only re-published while it is). */
  isOpen(): boolean;
}

/** Gives a shared slot back (idempotent, never throws, never waits). */
export type ReleaseSharedSlot = () => void;

/** A merged view of one target across replicas, used by scoring in place of the local windows. */
export interface SharedTargetView {
  counts: OutcomeCounts;
  latency: LatencyQuantiles | undefined;
}

interface PendingOutcome {
  success: boolean;
  latencyMs?: number;
  at: number;
}

/** Outcomes buffered per target while Redis is away; the oldest are dropped past this. */
const maxBufferedOutcomes = 1_000;
const noop: ReleaseSharedSlot = () => {};

/**
 * The narrow seam between a balancer and a {@link SharedState}: shared slot leases on top of the
 * local limiter, breaker changes published and adopted, outcomes batched out and merged windows read
 * back. Every shared operation is best-effort: a Redis error or timeout means "decide locally" (the
 * local limiter, breaker and windows keep working), never a failed or hung call. When the
 * connection comes back, the link re-publishes its open breakers and adopts the others'.
 *
 * @example
 * ```ts
 * const link = new SharedStateLink({ state }, 'chat', targets);
 * const release = await link.acquireSlot('gpt', 8, { signal, deadline: Date.now() + 10_000 });
 * ```
 */
export class SharedStateLink {
  readonly state: SharedState;
  private readonly scope: string;
  private readonly leaseMs: number;
  private readonly targets = new Map<string, LinkedTarget>();
  private readonly pending = new Map<string, PendingOutcome[]>();
  private readonly views = new Map<string, { view: SharedTargetView; at: number }>();
  /** The newest record adopted per target, so a record is adopted once and never an older one. */
  private readonly adopted = new Map<string, SharedBreakerRecord>();
  /** Last `updatedAt` this replica wrote: strictly increasing, so an open and a close in the same millisecond stay ordered. */
  private lastWrittenAt = 0;
  /** The newest breaker record per target, published or adopted: what re-sync compares. */
  private readonly records = new Map<string, SharedBreakerRecord>();
  private readonly refreshIntervalMs: number;
  private readonly timers: Array<ReturnType<typeof setInterval>> = [];
  private readonly unsubscribe: Array<() => void> = [];
  private adopting = false;
  private disposed = false;
  private flushing = false;
  private refreshing = false;

  constructor(
    options: SharedStateLinkOptions,
    balancerName: string,
    targets: readonly LinkedTarget[],
    private readonly windows: { reliabilityWindowMs: number; latencyWindowMs: number },
  ) {
    this.state = options.state;
    this.scope = options.scope ?? balancerName;
    this.leaseMs = options.leaseMs ?? 15_000;
    this.refreshIntervalMs = options.refreshIntervalMs ?? 1_000;
    for (const target of targets) this.targets.set(target.id, target);
    this.unsubscribe.push(
      this.state.onBreakerChange((scope, record) => this.onRemoteBreaker(scope, record)),
      this.state.onReconnect(() => void this.resync(true)),
    );
    const flush = setInterval(() => void this.flush(), options.flushIntervalMs ?? 250);
    const refresh = setInterval(() => void this.refresh(), this.refreshIntervalMs);
    flush.unref?.();
    refresh.unref?.();
    this.timers.push(flush, refresh);
    void this.resync(false);
  }

  /**
   * Takes a shared slot of `targetId` (limit `limit` across replicas), polling while every slot is
   * taken. Resolves a release function, or `undefined` when the deadline passed or `signal`
   * aborted first. When the shared state is unavailable it resolves a no-op release at once: the
   * local limiter alone caps the call (degraded, documented), the call is never blocked on Redis.
   */
  async acquireSlot(
    targetId: string,
    limit: number,
    wait: { signal?: AbortSignal | undefined; deadline: number },
  ): Promise<ReleaseSharedSlot | undefined> {
    const scope = this.scopeOf(targetId);
    for (let round = 0; ; round++) {
      let lease: string | undefined;
      try {
        lease = await this.state.acquireSlot(scope, limit, this.leaseMs);
      } catch {
        return noop;
      }
      if (lease !== undefined) return this.releaser(scope, lease);
      const delayMs = Math.min(100, 5 * 2 ** Math.min(round, 5)) * (0.5 + Math.random());
      if (wait.signal?.aborted || Date.now() + delayMs > wait.deadline) return undefined;
      await sleep(delayMs, wait.signal);
    }
  }

  /**
   * Counts a call the host runs itself against `targetId`'s shared slots without waiting or
   * refusing (the shared twin of the local limiter's `acquireUnconditionally`): the lease is taken
   * in the background, past the cap if need be, so the other replicas see the load within one
   * round trip. The release gives the lease back exactly once, also when it comes before the
   * lease was granted (then the lease is released as soon as it lands). Redis trouble: no lease.
   */
  holdSlot(targetId: string): ReleaseSharedSlot {
    const scope = this.scopeOf(targetId);
    let released = false;
    let release: ReleaseSharedSlot | undefined;
    this.state.acquireSlot(scope, Number.MAX_SAFE_INTEGER, this.leaseMs).then(
      (lease) => {
        if (lease === undefined) return;
        release = this.releaser(scope, lease);
        if (released) release();
      },
      () => {
        // Shared state away: the local count alone holds this call (degraded, as for acquireSlot).
      },
    );
    return () => {
      if (released) return;
      released = true;
      release?.();
    };
  }

  /** Publishes a local breaker transition (fire and forget; adopted transitions are not echoed). */
  publishBreaker(targetId: string, state: 'open' | 'closed', cooldownMs = 0, reason?: string): void {
    if (this.adopting || this.disposed) return;
    const now = Date.now();
    this.lastWrittenAt = Math.max(now, this.lastWrittenAt + 1);
    const record: SharedBreakerRecord = {
      state,
      openUntil: state === 'open' ? now + cooldownMs : 0,
      origin: this.state.replicaId,
      updatedAt: this.lastWrittenAt,
      ...(reason === undefined ? {} : { reason }),
    };
    this.records.set(targetId, record);
    this.state.setBreaker(this.scopeOf(targetId), record).catch(() => {
      // Redis away: the change is re-published from the local breaker by resync() on reconnect.
    });
  }

  /** Buffers one outcome for the next flush. */
  recordOutcome(targetId: string, success: boolean, latencyMs: number | undefined, at: number): void {
    let buffer = this.pending.get(targetId);
    if (!buffer) {
      buffer = [];
      this.pending.set(targetId, buffer);
    }
    if (buffer.length >= maxBufferedOutcomes) buffer.shift();
    // A latency the shared state would refuse (`NaN`, negative: `record()` takes the host's word)
    // is left out; the outcome itself is still shared.
    const usable = latencyMs !== undefined && Number.isFinite(latencyMs) && latencyMs >= 0;
    buffer.push(usable ? { success, latencyMs, at } : { success, at });
  }

  /**
   * The merged view of `targetId`, or `undefined` when there is none fresh enough (never read yet,
   * or the shared state has been away for three refresh intervals): scoring then uses local windows.
   */
  view(targetId: string): SharedTargetView | undefined {
    const entry = this.views.get(targetId);
    if (!entry || Date.now() - entry.at > this.refreshIntervalMs * 3) return undefined;
    return entry.view;
  }

  /** Stops the timers and listeners (the shared state itself stays open: its owner closes it). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const timer of this.timers) clearInterval(timer);
    for (const stop of this.unsubscribe) stop();
    void this.flush();
  }

  /** Writes the buffered outcomes, one batch per target. Exposed for tests and shutdown. */
  async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      for (const [targetId, buffer] of this.pending) {
        if (buffer.length === 0) continue;
        const batch = buffer.splice(0, buffer.length);
        try {
          await this.state.recordOutcomes(this.scopeOf(targetId), batch);
        } catch (error) {
          // A refused batch would be refused again: only an outage is worth a retry.
          if (ConfigError.isInstance(error)) continue;
          // Put the batch back (bounded) for the next flush: outcomes survive a short outage.
          buffer.unshift(...batch.slice(-(maxBufferedOutcomes - buffer.length)));
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  /** Re-reads the merged windows of every target. Exposed for tests. */
  async refresh(): Promise<void> {
    if (this.refreshing || this.disposed) return;
    this.refreshing = true;
    try {
      // Safety net under pub/sub: a change published while this replica's subscriber was
      // reconnecting is still picked up within one refresh interval, and a local open whose
      // publication was lost is re-published.
      await this.resync(true);
      for (const targetId of this.targets.keys()) {
        const scope = this.scopeOf(targetId);
        const windowMs = Math.max(this.windows.reliabilityWindowMs, this.windows.latencyWindowMs);
        let merged: Awaited<ReturnType<SharedState['readWindow']>>;
        try {
          merged = await this.state.readWindow(scope, windowMs);
        } catch {
          return; // Views age out after three intervals and scoring falls back to local windows.
        }
        const sorted = Float64Array.from(merged.latenciesMs).sort();
        this.views.set(targetId, {
          at: Date.now(),
          view: {
            counts: { successes: merged.successes, failures: merged.failures },
            latency:
              sorted.length === 0
                ? undefined
                : {
                    p50: quantileOfSorted(sorted, 0.5),
                    p95: quantileOfSorted(sorted, 0.95),
                    p99: quantileOfSorted(sorted, 0.99),
                    count: sorted.length,
                  },
          },
        });
      }
    } finally {
      this.refreshing = false;
    }
  }

  /**
   * Brings local and shared breakers together: adopts the others' open breakers and, after a
   * reconnect, re-publishes the local open ones the others may have missed. Exposed for tests.
   */
  async resync(republish: boolean): Promise<void> {
    if (this.disposed) return;
    let stored: Map<string, SharedBreakerRecord>;
    try {
      stored = await this.state.readBreakers();
    } catch {
      return; // Next reconnect tries again.
    }
    const now = Date.now();
    for (const [targetId, target] of this.targets) {
      const remote = stored.get(this.scopeOf(targetId));
      const newest = this.records.get(targetId);
      const local =
        newest?.state === 'open' && newest.origin === this.state.replicaId && target.isOpen()
          ? newest
          : undefined;
      const remoteIsNewer = remote !== undefined && remote.updatedAt > (newest?.updatedAt ?? 0);
      if (remote && remote.origin !== this.state.replicaId && remoteIsNewer) {
        if (remote.state === 'open' && remote.openUntil > now) this.adopt(target, remote);
        else if (remote.state === 'closed' && target.isOpen()) this.adopt(target, remote);
      } else if (republish && local && remote?.updatedAt !== local.updatedAt) {
        this.state.setBreaker(this.scopeOf(targetId), local).catch(() => {});
      }
    }
  }

  private onRemoteBreaker(scope: string, record: SharedBreakerRecord): void {
    if (this.disposed || !scope.startsWith(`${this.scope}:`)) return;
    const target = this.targets.get(scope.slice(this.scope.length + 1));
    if (target) this.adopt(target, record);
  }

  private adopt(target: LinkedTarget, record: SharedBreakerRecord): void {
    const previous = this.adopted.get(target.id);
    if (
      previous &&
      (record.updatedAt < previous.updatedAt ||
        (record.updatedAt === previous.updatedAt && record.origin === previous.origin))
    )
      return;
    this.adopted.set(target.id, record);
    this.records.set(target.id, record);
    this.adopting = true;
    try {
      target.adoptBreaker(record);
    } finally {
      this.adopting = false;
    }
  }

  private releaser(scope: string, lease: string): ReleaseSharedSlot {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // Not awaited: a release lost to an outage is reclaimed by the lease's expiry.
      this.state.releaseSlot(scope, lease).catch(() => {});
    };
  }

  private scopeOf(targetId: string): string {
    return `${this.scope}:${targetId}`;
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
