// The contract of live state that several balancer replicas share (issue 14). It lives in core,
// not in `@ballast/store`, so that `@ballast/balancer` can accept it without depending on the
// store (and on its native SQLite driver); `@ballast/store` re-exports it with its in-memory and
// Redis implementations. Every method is asynchronous because the shared implementation is a
// network round trip; callers on a hot path must bound and tolerate failures of each one.

/**
 * Concurrency slots with expiring leases, counted across every replica that shares the state.
 * A lease that its holder neither releases nor renews (the process was killed) expires after
 * `leaseMs`, so a dead replica cannot hold slots forever. Live holders renew their leases
 * themselves (the implementation does it in the background).
 *
 * @example
 * ```ts
 * const lease = await state.acquireSlot('target:gpt', 8, 15_000);
 * if (lease) {
 *   try { await call(); } finally { await state.releaseSlot('target:gpt', lease); }
 * }
 * ```
 */
export interface SharedSlots {
  /**
   * Takes one of `limit` slots of `scope` for at most `leaseMs` (renewed while held), or returns
   * `undefined` when all are taken. Returns the lease id to release.
   */
  acquireSlot(scope: string, limit: number, leaseMs: number): Promise<string | undefined>;
  /** Gives a lease back. Releasing an unknown or expired lease is a no-op. */
  releaseSlot(scope: string, leaseId: string): Promise<void>;
  /** Live (unexpired) leases of `scope`, across every replica. */
  slotsInFlight(scope: string): Promise<number>;
}

/**
 * Result of {@link SharedRateLimits.consumeRate}.
 *
 * @example
 * ```ts
 * const verdict: RateVerdict = { allowed: false, count: 60, retryAfterMs: 1_200 };
 * ```
 */
export interface RateVerdict {
  /** Whether this request fits under the limit (and was counted). */
  allowed: boolean;
  /** Requests counted in the window, this one included when allowed. */
  count: number;
  /** When refused: how long until the oldest counted request leaves the window. 0 when allowed. */
  retryAfterMs: number;
}

/**
 * Sliding-window request counters shared by every replica (exact: one entry per counted request,
 * never more than `limit` entries per scope).
 *
 * @example
 * ```ts
 * const { allowed, retryAfterMs } = await state.consumeRate('target:gpt:rpm', 600, 60_000);
 * ```
 */
export interface SharedRateLimits {
  /** Counts one request against `limit` per `windowMs` when it fits; refuses it otherwise. */
  consumeRate(scope: string, limit: number, windowMs: number): Promise<RateVerdict>;
}

/**
 * A breaker's state as replicas share it: `open` until `openUntil` (epoch ms), or `closed`.
 * Half-open is not shared: each replica derives it when `openUntil` has passed and sends its own
 * probe.
 *
 * @example
 * ```ts
 * const record: SharedBreakerRecord = { state: 'open', openUntil: Date.now() + 5_000, origin: 'gw-1', updatedAt: Date.now(), reason: 'error-rate' };
 * ```
 */
export interface SharedBreakerRecord {
  state: 'open' | 'closed';
  /** Epoch ms until which the circuit stays open (0 when closed). */
  openUntil: number;
  /** Replica that made the change ({@link SharedStateLifecycle.replicaId}). */
  origin: string;
  /** Epoch ms of the change (the writer's clock). */
  updatedAt: number;
  /** Why it opened (`error-rate`, `target-unavailable`, `probe-failed`), when open. */
  reason?: string;
}

/**
 * Breaker states shared across replicas, with change notifications: a breaker opened by one
 * replica reaches the others' listeners without polling.
 *
 * @example
 * ```ts
 * const stop = state.onBreakerChange((scope, record) => console.log(scope, record.state));
 * await state.setBreaker('target:gpt', { state: 'open', openUntil: Date.now() + 5_000, origin: state.replicaId, updatedAt: Date.now() });
 * ```
 */
export interface SharedBreakers {
  /** Stores `record` as the state of `scope` and notifies the other replicas. */
  setBreaker(scope: string, record: SharedBreakerRecord): Promise<void>;
  /** Every stored breaker state (used to re-sync after a start or a reconnect). */
  readBreakers(): Promise<Map<string, SharedBreakerRecord>>;
  /**
   * Calls `listener` for each change made by ANOTHER replica (a replica never hears its own
   * writes). Returns a function that removes the listener.
   */
  onBreakerChange(listener: (scope: string, record: SharedBreakerRecord) => void): () => void;
}

/**
 * One observed call outcome, for {@link SharedWindows.recordOutcomes}.
 *
 * @example
 * ```ts
 * const outcome: OutcomeSample = { success: true, latencyMs: 240, at: Date.now() };
 * ```
 */
export interface OutcomeSample {
  success: boolean;
  /** Latency of a completed call; omitted for failures that say nothing about speed. */
  latencyMs?: number;
  /** Epoch ms when the call ended. */
  at: number;
}

/**
 * The merged view of a scope's recent outcomes across replicas.
 *
 * @example
 * ```ts
 * const view: SharedWindowView = { successes: 97, failures: 3, latenciesMs: [210, 250, 198] };
 * ```
 */
export interface SharedWindowView {
  successes: number;
  failures: number;
  /** The newest latency samples within the window (at most the implementation's capacity). */
  latenciesMs: number[];
}

/**
 * Outcome and latency windows merged across replicas, bounded in time and size.
 *
 * @example
 * ```ts
 * await state.recordOutcomes('target:gpt', [{ success: true, latencyMs: 240, at: Date.now() }]);
 * const view = await state.readWindow('target:gpt', 60_000);
 * ```
 */
export interface SharedWindows {
  /** Adds outcomes (batch them: one round trip per batch). */
  recordOutcomes(scope: string, samples: readonly OutcomeSample[]): Promise<void>;
  /** Outcomes and latencies of `scope` within the last `windowMs`. */
  readWindow(scope: string, windowMs: number): Promise<SharedWindowView>;
}

/**
 * Identity, health and lifetime of a shared state.
 *
 * @example
 * ```ts
 * state.onReconnect(() => resyncBreakers());
 * await state.close();
 * ```
 */
export interface SharedStateLifecycle {
  /** Unique id of this replica's handle; written as `origin` of its breaker changes. */
  readonly replicaId: string;
  /** `memory` (one process) or `redis`. */
  readonly kind: string;
  /** Whether the backing store answers right now (always true in memory). */
  isAvailable(): boolean;
  /**
   * Calls `listener` each time the connection comes back after a loss, so the holder can
   * re-publish what it changed while offline and re-read the others' state.
   */
  onReconnect(listener: () => void): () => void;
  /** Stops background work (lease renewal, subscriptions) and closes connections. Idempotent. */
  close(): Promise<void>;
}

/**
 * Live balancer state shared by several replicas so they behave as one balancer: concurrency
 * slots, rate-limit counters, breaker states and outcome/latency windows. `@ballast/store`
 * implements it in memory (one process) and on Redis.
 *
 * @example
 * ```ts
 * import { createRedisSharedState } from '@ballast/store';
 * const sharedState: SharedState = createRedisSharedState({ url: process.env.REDIS_URL });
 * const balancer = createBalancer({ targets, sharedState });
 * ```
 */
export interface SharedState
  extends SharedSlots,
    SharedRateLimits,
    SharedBreakers,
    SharedWindows,
    SharedStateLifecycle {}
