// Client choice (issue 14): ioredis, not node-redis (`redis` 5/6). Both are maintained by Redis
// and run on Node 20; Redis recommends node-redis for new projects. What decided it is the one
// guarantee the balancer cannot do without: a command that was already SENT on a connection that
// then went silent must still fail in bounded time. ioredis's `commandTimeout` rejects any
// command that has no reply in N ms; node-redis's command timeout only covers commands still
// waiting to be written, so a half-open socket can hold a call for the kernel's TCP timeout.
// ioredis also gives `enableOfflineQueue: false` (fail at once while disconnected instead of
// queueing unboundedly), `defineCommand` (EVALSHA with an automatic EVAL fallback on NOSCRIPT,
// e.g. after a Redis restart emptied the script cache), automatic re-subscription after a
// reconnect, and bundled TypeScript types.
import type {
  OutcomeSample,
  RateVerdict,
  SharedBreakerRecord,
  SharedState,
  SharedWindowView,
} from '@ballast/core';
import { ConfigError } from '@ballast/core';
import { Redis } from 'ioredis';
import { z } from 'zod';
import {
  acquireSlotScript,
  consumeRateScript,
  readWindowScript,
  recordOutcomesScript,
  renewSlotsScript,
  setBreakerScript,
  slotsInFlightScript,
} from './redis-scripts';
import { type RedisSharedStateOptions, redisSharedStateOptionsSchema } from './redis-shared-state-options';
import { newReplicaId } from './replica-id';
import { SharedStateUnavailableError } from './shared-state-error';
import { checkSharedStateInput } from './shared-state-input';

/** The scripts, as ioredis exposes them after `defineCommand`. */
interface ScriptCommands {
  ballastAcquireSlot(key: string, limit: number, leaseMs: number, leaseId: string): Promise<number>;
  ballastRenewSlots(key: string, leaseMs: number, ...leaseIds: string[]): Promise<number>;
  ballastSlotsInFlight(key: string): Promise<number>;
  ballastConsumeRate(key: string, limit: number, windowMs: number, member: string): Promise<number[]>;
  ballastSetBreaker(
    key: string,
    scope: string,
    record: string,
    channel: string,
    message: string,
    ttlMs: number,
  ): Promise<number>;
  ballastRecordOutcomes(
    outcomes: string,
    latencies: string,
    ...args: Array<string | number>
  ): Promise<number>;
  ballastReadWindow(
    outcomes: string,
    latencies: string,
    bucketMs: number,
    firstBucket: number,
    cutoff: number,
  ): Promise<Array<string | number>>;
}

/**
 * The Redis {@link SharedState}, plus a way to wait for the first connection.
 *
 * @example
 * ```ts
 * const state = createRedisSharedState({ url: 'redis://127.0.0.1:6379' });
 * await state.ready(2_000); // optional: commands fail fast (and callers fall back) until then
 * ```
 */
export interface RedisSharedState extends SharedState {
  /** Resolves `true` once connected, `false` if not connected within `timeoutMs`. Never rejects. */
  ready(timeoutMs?: number): Promise<boolean>;
}

const breakerMessageSchema = z.object({
  scope: z.string(),
  record: z.object({
    state: z.enum(['open', 'closed']),
    openUntil: z.number(),
    origin: z.string(),
    updatedAt: z.number(),
    reason: z.string().optional(),
  }),
});

/** Breaker records outlive any cooldown; the hash is dropped a day after its last write. */
const breakerHashTtlMs = 86_400_000;

/**
 * A {@link SharedState} on Redis (standalone server; Sentinel/Cluster are not supported yet).
 * Slots are sorted sets of leases scored by expiry (server clock), taken and renewed by Lua
 * scripts; a background timer renews this handle's leases, so a killed replica's leases expire
 * after `leaseMs`. Rate limits are exact sliding windows (one sorted-set entry per request, at most
 * `limit`). Breakers are a hash plus a pub/sub channel, written together by one script. Windows
 * are per-bucket counters and a capped latency list, both with a TTL.
 *
 * Every command is bounded by `commandTimeoutMs`, and while disconnected commands fail at once
 * (no offline queue) with {@link SharedStateUnavailableError}. The client reconnects on its own
 * (backing off up to `maxReconnectDelayMs`) and `onReconnect` listeners fire when it is back.
 *
 * @example
 * ```ts
 * const state = createRedisSharedState({ url: process.env.REDIS_URL, keyPrefix: 'gateway' });
 * const lease = await state.acquireSlot('target:gpt', 8, 15_000);
 * ```
 */
export function createRedisSharedState(options: RedisSharedStateOptions = {}): RedisSharedState {
  const parsed = redisSharedStateOptionsSchema.safeParse(options);
  if (!parsed.success) throw ConfigError.fromZod('Redis shared-state options', parsed.error);
  const config = parsed.data;
  const url = config.url ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  // A malformed `REDIS_URL` would reach ioredis, whose `TypeError` carries the whole URL.
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && !URL.canParse(url))
    throw new ConfigError({
      message: 'Invalid Redis shared-state options: url (REDIS_URL): must be a valid URL',
      issues: [{ path: 'url', message: 'must be a valid URL (redis://user@host:6379)' }],
    });
  const replicaId = config.replicaId ?? newReplicaId();
  const prefix = config.keyPrefix;
  const channel = `${prefix}:breaker-changes`;
  const breakersKey = `${prefix}:breakers`;
  // Hash tags keep the two keys of one scope's window in one slot (Cluster-ready key layout).
  const slotsKey = (scope: string) => `${prefix}:slots:{${scope}}`;
  const rateKey = (scope: string) => `${prefix}:rate:{${scope}}`;
  const outcomesKey = (scope: string) => `${prefix}:window:{${scope}}:outcomes`;
  const latencyKey = (scope: string) => `${prefix}:window:{${scope}}:latency`;

  const retryStrategy = (attempt: number) =>
    Math.min(config.maxReconnectDelayMs, 50 * 2 ** Math.min(attempt, 10));
  const client = new Redis(url, {
    commandTimeout: config.commandTimeoutMs,
    connectTimeout: config.connectTimeoutMs,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy,
    lazyConnect: false,
  });
  // The subscriber waits for its SUBSCRIBE (offline queue on): it is never on a call's path.
  const subscriber = new Redis(url, {
    connectTimeout: config.connectTimeoutMs,
    retryStrategy,
    lazyConnect: false,
    autoResubscribe: true,
  });
  // Without listeners, ioredis would report connection errors as unhandled 'error' events.
  client.on('error', () => {});
  subscriber.on('error', () => {});

  const scripts = client as unknown as ScriptCommands;
  client.defineCommand('ballastAcquireSlot', { numberOfKeys: 1, lua: acquireSlotScript });
  client.defineCommand('ballastRenewSlots', { numberOfKeys: 1, lua: renewSlotsScript });
  client.defineCommand('ballastSlotsInFlight', { numberOfKeys: 1, lua: slotsInFlightScript });
  client.defineCommand('ballastConsumeRate', { numberOfKeys: 1, lua: consumeRateScript });
  client.defineCommand('ballastSetBreaker', { numberOfKeys: 1, lua: setBreakerScript });
  client.defineCommand('ballastRecordOutcomes', { numberOfKeys: 2, lua: recordOutcomesScript });
  client.defineCommand('ballastReadWindow', { numberOfKeys: 2, lua: readWindowScript });

  const breakerListeners = new Set<(scope: string, record: SharedBreakerRecord) => void>();
  const reconnectListeners = new Set<() => void>();
  /** scope → lease id → leaseMs, renewed by the timer while this handle lives. */
  const held = new Map<string, Map<string, number>>();
  let counter = 0;
  let closed = false;

  const notifyReconnect = () => {
    for (const listener of reconnectListeners) {
      try {
        listener();
      } catch {
        // A listener's failure must not stop the others from re-syncing.
      }
    }
  };
  let clientWasReady = false;
  client.on('ready', () => {
    if (clientWasReady) notifyReconnect();
    clientWasReady = true;
  });
  let subscriberWasReady = false;
  subscriber.on('ready', () => {
    if (subscriberWasReady) notifyReconnect();
    subscriberWasReady = true;
  });
  subscriber.subscribe(channel).catch(() => {
    // Retried by autoResubscribe after the next connect.
  });
  subscriber.on('message', (from: string, message: string) => {
    if (from !== channel) return;
    let parsedMessage: z.infer<typeof breakerMessageSchema>;
    try {
      parsedMessage = breakerMessageSchema.parse(JSON.parse(message));
    } catch {
      return; // Not ours or malformed: a foreign publisher must not crash a replica.
    }
    if (parsedMessage.record.origin === replicaId) return;
    const record = withoutUndefined(parsedMessage.record);
    for (const listener of breakerListeners) listener(parsedMessage.scope, record);
  });

  /** Runs one command, turning "not connected", timeouts and server errors into the typed error. */
  const run = async <T>(operation: string, command: () => Promise<T>): Promise<T> => {
    if (closed) throw new SharedStateUnavailableError({ operation, reason: 'closed' });
    if (client.status !== 'ready')
      throw new SharedStateUnavailableError({ operation, reason: `not connected (${client.status})` });
    try {
      return await command();
    } catch (error) {
      const reason = error instanceof Error ? error.message : 'unknown failure';
      throw new SharedStateUnavailableError({ operation, reason, cause: error });
    }
  };

  const renewTimer = setInterval(() => {
    if (client.status !== 'ready') return;
    for (const [scope, leases] of held) {
      if (leases.size === 0) continue;
      // Leases of one scope share a renewal; the longest-lived sets the new expiry floor.
      const byLength = new Map<number, string[]>();
      for (const [id, leaseMs] of leases) byLength.set(leaseMs, [...(byLength.get(leaseMs) ?? []), id]);
      for (const [leaseMs, ids] of byLength)
        scripts.ballastRenewSlots(slotsKey(scope), leaseMs, ...ids).catch(() => {
          // Missed renewal: the next tick retries; a lease lost meanwhile stays lost (never revived).
        });
    }
  }, config.leaseRenewIntervalMs);
  renewTimer.unref();

  return {
    replicaId,
    kind: 'redis',
    isAvailable: () => !closed && client.status === 'ready',

    ready(timeoutMs = config.connectTimeoutMs * 5) {
      if (client.status === 'ready') return Promise.resolve(true);
      return new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => finish(false), timeoutMs);
        const onReady = () => finish(true);
        const finish = (value: boolean) => {
          clearTimeout(timer);
          client.off('ready', onReady);
          resolve(value);
        };
        client.on('ready', onReady);
      });
    },

    async acquireSlot(scope, limit, leaseMs) {
      checkSharedStateInput.acquireSlot(scope, limit, leaseMs);
      if (leaseMs < config.leaseRenewIntervalMs * 3)
        throw new ConfigError({
          message: `leaseMs ${leaseMs} must be at least 3 × leaseRenewIntervalMs (${config.leaseRenewIntervalMs})`,
        });
      const leaseId = `${replicaId}:${++counter}`;
      const taken = await run('acquireSlot', () =>
        scripts.ballastAcquireSlot(slotsKey(scope), limit, leaseMs, leaseId),
      );
      if (taken !== 1) return undefined;
      let leases = held.get(scope);
      if (!leases) {
        leases = new Map();
        held.set(scope, leases);
      }
      leases.set(leaseId, leaseMs);
      return leaseId;
    },

    async releaseSlot(scope, leaseId) {
      // Forget it locally first: even if Redis is away, the renewal stops and the lease expires.
      held.get(scope)?.delete(leaseId);
      await run('releaseSlot', () => client.zrem(slotsKey(scope), leaseId));
    },

    async slotsInFlight(scope) {
      return run('slotsInFlight', () => scripts.ballastSlotsInFlight(slotsKey(scope)));
    },

    async consumeRate(scope, limit, windowMs): Promise<RateVerdict> {
      checkSharedStateInput.consumeRate(scope, limit, windowMs);
      const member = `${replicaId}:${++counter}`;
      const [allowed, count, retryAfterMs] = await run('consumeRate', () =>
        scripts.ballastConsumeRate(rateKey(scope), limit, windowMs, member),
      );
      return { allowed: allowed === 1, count: Number(count), retryAfterMs: Number(retryAfterMs) };
    },

    async setBreaker(scope, record) {
      const stored = JSON.stringify(record);
      const message = JSON.stringify({ scope, record });
      await run('setBreaker', () =>
        scripts.ballastSetBreaker(breakersKey, scope, stored, channel, message, breakerHashTtlMs),
      );
    },

    async readBreakers() {
      const raw = await run('readBreakers', () => client.hgetall(breakersKey));
      const records = new Map<string, SharedBreakerRecord>();
      for (const [scope, json] of Object.entries(raw)) {
        try {
          const record = breakerMessageSchema.shape.record.parse(JSON.parse(json));
          records.set(scope, withoutUndefined(record));
        } catch {
          // A malformed field (written by something else) is skipped, not fatal.
        }
      }
      return records;
    },

    onBreakerChange(listener) {
      breakerListeners.add(listener);
      return () => breakerListeners.delete(listener);
    },

    async recordOutcomes(scope, samples: readonly OutcomeSample[]) {
      checkSharedStateInput.recordOutcomes(scope, samples);
      if (samples.length === 0) return;
      const args: Array<string | number> = [config.bucketMs, config.retentionMs, config.latencyCapacity];
      for (const sample of samples) {
        const latency =
          sample.latencyMs !== undefined && Number.isFinite(sample.latencyMs) && sample.latencyMs >= 0
            ? String(Math.round(sample.latencyMs * 1000) / 1000)
            : '';
        args.push(sample.success ? '1' : '0', latency, String(Math.round(sample.at)));
      }
      await run('recordOutcomes', () =>
        scripts.ballastRecordOutcomes(outcomesKey(scope), latencyKey(scope), ...args),
      );
    },

    async readWindow(scope, windowMs): Promise<SharedWindowView> {
      checkSharedStateInput.readWindow(scope, windowMs);
      const at = Date.now();
      const span = Math.min(windowMs, config.retentionMs);
      const firstBucket = Math.floor((at - span) / config.bucketMs);
      const reply = await run('readWindow', () =>
        scripts.ballastReadWindow(
          outcomesKey(scope),
          latencyKey(scope),
          config.bucketMs,
          firstBucket,
          at - span,
        ),
      );
      const [successes, failures, ...latencies] = reply;
      return {
        successes: Number(successes ?? 0),
        failures: Number(failures ?? 0),
        latenciesMs: latencies.map(Number),
      };
    },

    onReconnect(listener) {
      reconnectListeners.add(listener);
      return () => reconnectListeners.delete(listener);
    },

    async close() {
      if (closed) return;
      closed = true;
      clearInterval(renewTimer);
      held.clear();
      breakerListeners.clear();
      reconnectListeners.clear();
      // disconnect(), not quit(): quit waits for a reply that a dead server never sends.
      client.disconnect();
      subscriber.disconnect();
    },
  };
}

/** Drops an absent optional `reason` (exactOptionalPropertyTypes forbids `reason: undefined`). */
function withoutUndefined(record: {
  state: 'open' | 'closed';
  openUntil: number;
  origin: string;
  updatedAt: number;
  reason?: string | undefined;
}): SharedBreakerRecord {
  const { reason, ...rest } = record;
  return reason === undefined ? rest : { ...rest, reason };
}
