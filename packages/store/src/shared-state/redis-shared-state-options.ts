import { z } from 'zod';
import { windowBoundsSchema } from './window-options';

/**
 * Options of {@link createRedisSharedState}, validated with zod (a bad value is a `ConfigError`
 * naming the key, never a silent default).
 *
 * @example
 * ```ts
 * redisSharedStateOptionsSchema.parse({ url: 'redis://127.0.0.1:6379', keyPrefix: 'gw-prod' });
 * ```
 */
export const redisSharedStateOptionsSchema = windowBoundsSchema.extend({
  /** `redis://` or `rediss://` URL. Default `REDIS_URL`, else `redis://127.0.0.1:6379`. */
  url: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    // Checked here: a malformed one reached ioredis, whose `TypeError` carried the whole URL.
    .refine((url) => URL.canParse(url), 'must be a valid URL (redis://user@host:6379)')
    .optional(),
  /** Prefix of every key and channel, so several deployments can share one Redis. Default `ballast`. */
  keyPrefix: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits, _ . : - only')
    .default('ballast'),
  /**
   * Longest wait for any one command, sent or not. Past it the command fails with
   * `SharedStateUnavailableError` and the balancer uses its local state. Default 500 ms.
   */
  commandTimeoutMs: z.number().int().positive().max(60_000).default(500),
  /** Longest wait for a TCP connection. Default 1 000 ms. */
  connectTimeoutMs: z.number().int().positive().max(60_000).default(1_000),
  /** Longest pause between reconnection attempts (they back off up to it). Default 1 000 ms. */
  maxReconnectDelayMs: z.number().int().positive().max(60_000).default(1_000),
  /** How often held slot leases are renewed; each lease must be at least 3× longer. Default 2 000 ms. */
  leaseRenewIntervalMs: z.number().int().positive().default(2_000),
  /** Id of this replica; default `host:pid:random`. */
  replicaId: z.string().min(1).max(200).optional(),
});

/** Input of {@link redisSharedStateOptionsSchema}. */
export type RedisSharedStateOptions = z.input<typeof redisSharedStateOptionsSchema>;
