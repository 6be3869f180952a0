import type {
  OutcomeSample,
  RateVerdict,
  SharedBreakerRecord,
  SharedState,
  SharedWindowView,
} from '@ballast/core';
import { ConfigError } from '@ballast/core';
import { newReplicaId } from './replica-id';
import { checkSharedStateInput } from './shared-state-input';
import { type WindowBoundsInput, windowBoundsSchema } from './window-options';

type BreakerListener = { replicaId: string; listener: (scope: string, record: SharedBreakerRecord) => void };

/**
 * The storage behind one or more in-memory shared-state handles. One process normally has one
 * handle; tests (and a host that runs several balancers in one process) give several handles the
 * same hub so they share slots, counters, breakers and windows exactly as Redis replicas do.
 *
 * @example
 * ```ts
 * const hub = createInMemorySharedStateHub();
 * const a = createInMemorySharedState({ hub });
 * const b = createInMemorySharedState({ hub }); // sees a's slots and breakers
 * ```
 */
export interface InMemorySharedStateHub {
  /** @internal */ readonly slots: Map<string, Map<string, number>>;
  /** @internal */ readonly rates: Map<string, number[]>;
  /** @internal */ readonly breakers: Map<string, SharedBreakerRecord>;
  /** @internal */ readonly outcomes: Map<string, Map<number, { successes: number; failures: number }>>;
  /** @internal */ readonly latencies: Map<string, Array<{ at: number; ms: number }>>;
  /** @internal */ readonly listeners: Set<BreakerListener>;
}

/**
 * A fresh, empty {@link InMemorySharedStateHub}.
 *
 * @example
 * ```ts
 * const hub = createInMemorySharedStateHub();
 * ```
 */
export function createInMemorySharedStateHub(): InMemorySharedStateHub {
  return {
    slots: new Map(),
    rates: new Map(),
    breakers: new Map(),
    outcomes: new Map(),
    latencies: new Map(),
    listeners: new Set(),
  };
}

/** Options of {@link createInMemorySharedState}. */
export interface InMemorySharedStateOptions extends WindowBoundsInput {
  /** Storage shared with other handles; default a private one. */
  hub?: InMemorySharedStateHub;
  /** Default `host:pid:random`. */
  replicaId?: string;
  /** Clock in epoch ms (inject for tests). Default `Date.now`. */
  now?: () => number;
}

/**
 * The single-process {@link SharedState}: the same semantics as the Redis one (expiring leases,
 * exact sliding-window counters, bounded windows, breaker notifications to other handles), held
 * in maps. Always available. Leases held by a live handle are renewed lazily: they only expire
 * once the handle is closed (a closed handle stands for a killed replica).
 *
 * @example
 * ```ts
 * const state = createInMemorySharedState();
 * const lease = await state.acquireSlot('target:a', 8, 15_000);
 * ```
 */
export function createInMemorySharedState(options: InMemorySharedStateOptions = {}): SharedState {
  const hub = options.hub ?? createInMemorySharedStateHub();
  const parsed = windowBoundsSchema.safeParse({
    retentionMs: options.retentionMs,
    bucketMs: options.bucketMs,
    latencyCapacity: options.latencyCapacity,
  });
  if (!parsed.success) throw ConfigError.fromZod('in-memory shared-state options', parsed.error);
  const bounds = parsed.data;
  const now = options.now ?? Date.now;
  const replicaId = options.replicaId ?? newReplicaId();
  /** Leases this handle holds (scope → lease → leaseMs), renewed on every access while open. */
  const held = new Map<string, Map<string, number>>();
  let closed = false;
  let leaseCounter = 0;

  const liveSlots = (scope: string, at: number): Map<string, number> => {
    let leases = hub.slots.get(scope);
    if (!leases) {
      leases = new Map();
      hub.slots.set(scope, leases);
    }
    for (const [id, expiry] of leases) if (expiry <= at) leases.delete(id);
    return leases;
  };
  // Stands in for the Redis implementation's background renewal: while open, every lease of
  // this handle is pushed forward whenever anyone looks at the slots.
  const renewHeld = (at: number) => {
    if (closed) return;
    for (const [scope, leases] of held) {
      const stored = hub.slots.get(scope);
      if (!stored) continue;
      for (const [id, leaseMs] of leases) if (stored.has(id)) stored.set(id, at + leaseMs);
    }
  };

  return {
    replicaId,
    kind: 'memory',
    isAvailable: () => true,

    async acquireSlot(scope, limit, leaseMs) {
      checkSharedStateInput.acquireSlot(scope, limit, leaseMs);
      const at = now();
      renewHeld(at);
      const leases = liveSlots(scope, at);
      if (leases.size >= limit) return undefined;
      const id = `${replicaId}:${++leaseCounter}`;
      leases.set(id, at + leaseMs);
      let mine = held.get(scope);
      if (!mine) {
        mine = new Map();
        held.set(scope, mine);
      }
      mine.set(id, leaseMs);
      return id;
    },

    async releaseSlot(scope, leaseId) {
      hub.slots.get(scope)?.delete(leaseId);
      held.get(scope)?.delete(leaseId);
    },

    async slotsInFlight(scope) {
      const at = now();
      renewHeld(at);
      return liveSlots(scope, at).size;
    },

    async consumeRate(scope, limit, windowMs): Promise<RateVerdict> {
      checkSharedStateInput.consumeRate(scope, limit, windowMs);
      const at = now();
      const entries = (hub.rates.get(scope) ?? []).filter((time) => time > at - windowMs);
      hub.rates.set(scope, entries);
      if (entries.length < limit) {
        entries.push(at);
        return { allowed: true, count: entries.length, retryAfterMs: 0 };
      }
      const oldest = entries[0] ?? at;
      return { allowed: false, count: entries.length, retryAfterMs: Math.max(0, oldest + windowMs - at) };
    },

    async setBreaker(scope, record) {
      hub.breakers.set(scope, { ...record });
      for (const entry of hub.listeners) {
        if (entry.replicaId !== replicaId) entry.listener(scope, { ...record });
      }
    },

    async readBreakers() {
      return new Map([...hub.breakers].map(([scope, record]) => [scope, { ...record }]));
    },

    onBreakerChange(listener) {
      const entry: BreakerListener = { replicaId, listener };
      hub.listeners.add(entry);
      return () => hub.listeners.delete(entry);
    },

    async recordOutcomes(scope, samples: readonly OutcomeSample[]) {
      checkSharedStateInput.recordOutcomes(scope, samples);
      let buckets = hub.outcomes.get(scope);
      if (!buckets) {
        buckets = new Map();
        hub.outcomes.set(scope, buckets);
      }
      let latencies = hub.latencies.get(scope);
      if (!latencies) {
        latencies = [];
        hub.latencies.set(scope, latencies);
      }
      let newest = Number.NEGATIVE_INFINITY;
      for (const sample of samples) {
        const bucket = Math.floor(sample.at / bounds.bucketMs);
        const counts = buckets.get(bucket) ?? { successes: 0, failures: 0 };
        if (sample.success) counts.successes++;
        else counts.failures++;
        buckets.set(bucket, counts);
        if (sample.latencyMs !== undefined && Number.isFinite(sample.latencyMs) && sample.latencyMs >= 0)
          latencies.push({ at: sample.at, ms: sample.latencyMs });
        newest = Math.max(newest, sample.at);
      }
      const oldestKept = Math.floor((newest - bounds.retentionMs) / bounds.bucketMs);
      for (const bucket of buckets.keys()) if (bucket < oldestKept) buckets.delete(bucket);
      if (latencies.length > bounds.latencyCapacity)
        latencies.splice(0, latencies.length - bounds.latencyCapacity);
    },

    async readWindow(scope, windowMs): Promise<SharedWindowView> {
      checkSharedStateInput.readWindow(scope, windowMs);
      const at = now();
      const span = Math.min(windowMs, bounds.retentionMs);
      const firstBucket = Math.floor((at - span) / bounds.bucketMs);
      let successes = 0;
      let failures = 0;
      for (const [bucket, counts] of hub.outcomes.get(scope) ?? []) {
        if (bucket < firstBucket) continue;
        successes += counts.successes;
        failures += counts.failures;
      }
      const latenciesMs = (hub.latencies.get(scope) ?? [])
        .filter((sample) => sample.at >= at - span)
        .map((sample) => sample.ms);
      return { successes, failures, latenciesMs };
    },

    onReconnect: () => () => {},

    async close() {
      if (closed) return;
      closed = true;
      held.clear();
      for (const entry of [...hub.listeners]) if (entry.replicaId === replicaId) hub.listeners.delete(entry);
    },
  };
}
