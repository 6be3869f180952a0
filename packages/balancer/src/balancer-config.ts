import {
  type CallOptions,
  type ChatModel,
  ConfigError,
  type PricingTable,
  type SharedState,
} from '@ballast/core';
import { z } from 'zod';
import type { CircuitBreakerOptions } from './circuit-breaker';
import type { MetricsOptions } from './metrics';
import type { RetryPolicyOptions } from './retry-policy';
import type { Route } from './route';
import type { ReliabilityPrior, ScoreWeights } from './scoring';
import type { SharedStateLinkOptions } from './shared-state-link';
import { type ExplorationOptions, type StrategyName, strategyNames } from './strategies';
import type { BalancerTarget, TaskType } from './target';

/**
 * Configuration of {@link createBalancer}. Only `targets` is required.
 *
 * @example
 * ```ts
 * const config: BalancerConfig = {
 *   name: 'chat',
 *   targets: [{ model: openai.chatModel('gpt-4o-mini') }, { model: groq.chatModel('llama-3.1-8b-instant'), weight: 2 }],
 *   weights: { cost: 50 },
 *   retry: { maxAttempts: 3 },
 *   timeoutMs: 30_000,
 * };
 * ```
 */
export interface BalancerConfig {
  /** Reported as the balancer's `modelId`. Default `balancer`. */
  name?: string;
  targets: BalancerTarget[];
  /** Default `weighted`. */
  strategy?: StrategyName;
  /** Score weights; see {@link resolveScoreWeights} for the env variables. */
  weights?: Partial<ScoreWeights>;
  exploration?: ExplorationOptions;
  reliabilityPrior?: Partial<ReliabilityPrior>;
  retry?: RetryPolicyOptions;
  circuitBreaker?: CircuitBreakerOptions;
  /**
   * Deadline of a whole call: every attempt, queue wait and backoff, and for streams the whole
   * stream. A call's own `timeoutMs` wins. Default 120 000 ms.
   */
  timeoutMs?: number;
  /** Deadline of one `chat` attempt; when it passes, the balancer fails over. Default 60 000 ms. */
  attemptTimeoutMs?: number;
  /**
   * Deadline of one stream attempt until its first content chunk (the failover point).
   * Default: `attemptTimeoutMs` when configured, else 30 000 ms.
   */
  firstTokenTimeoutMs?: number;
  /** Start a second target when the first has not answered after this long; first success wins. */
  hedgeAfterMs?: number;
  /** Calls that may wait for a slot per target. Default 100. */
  maxQueue?: number;
  /** Longest wait for a slot. Default 10 000 ms. */
  queueTimeoutMs?: number;
  /** Output tokens assumed when a request has no `maxTokens`. Default 256. */
  defaultOutputTokens?: number;
  /** Latency windows: samples kept and their age limit. Defaults 256 samples, 5 minutes. */
  latencyWindow?: { capacity?: number; windowMs?: number };
  /** Window of the reliability score. Default 300 000 ms. */
  reliabilityWindowMs?: number;
  metrics?: MetricsOptions;
  /** Prices for expected-cost scoring (default `defaultPricing` of `@ballast/core`). */
  pricing?: PricingTable;
  /**
   * Live state shared with other replicas of this balancer (a `SharedState` of `@ballast/store`,
   * e.g. on Redis), so N processes behave as one balancer: `maxConcurrent` caps the calls of all
   * replicas together (expiring leases), a breaker opened by one replica opens on every replica,
   * and scoring reads the outcome and latency windows of all. Best-effort by design: when the
   * shared state is slow or down, each replica decides locally (its own cap, breakers and windows)
   * and re-syncs when it is back; a call never fails or hangs because of it. Absent (the
   * default), nothing is shared and nothing is added to a call.
   */
  sharedState?: SharedStateLinkOptions;
  /** Clock in epoch milliseconds (inject for tests). */
  now?: () => number;
  /** Random numbers in [0, 1) (inject for deterministic tests). */
  random?: () => number;
}

/** The deadlines a balancer applies, after defaults. */
export interface Timeouts {
  timeoutMs: number;
  attemptTimeoutMs: number;
  firstTokenTimeoutMs: number;
}

/**
 * The balancer's default deadlines. A hung upstream must not hold a call for the SDK's own
 * timeout (10 minutes for OpenAI's) while a healthy fallback sits idle, so every call and attempt
 * is bounded unless configured otherwise: generous enough for long answers, short enough that a
 * hang becomes a failover.
 */
export const defaultTimeouts: Readonly<Timeouts> = Object.freeze({
  timeoutMs: 120_000,
  attemptTimeoutMs: 60_000,
  firstTokenTimeoutMs: 30_000,
});

/**
 * The effective deadlines of a configuration.
 *
 * @example
 * ```ts
 * resolveTimeouts({ targets, attemptTimeoutMs: 5_000 });
 * // { timeoutMs: 120_000, attemptTimeoutMs: 5_000, firstTokenTimeoutMs: 5_000 }
 * ```
 */
export function resolveTimeouts(
  config: Pick<BalancerConfig, 'timeoutMs' | 'attemptTimeoutMs' | 'firstTokenTimeoutMs'>,
): Timeouts {
  return {
    timeoutMs: config.timeoutMs ?? defaultTimeouts.timeoutMs,
    attemptTimeoutMs: config.attemptTimeoutMs ?? defaultTimeouts.attemptTimeoutMs,
    firstTokenTimeoutMs:
      config.firstTokenTimeoutMs ?? config.attemptTimeoutMs ?? defaultTimeouts.firstTokenTimeoutMs,
  };
}

/** Per-call routing options of a balancer. */
export interface RoutingOptions {
  /** Picks the target's model for this task type (`models.reasoning`, …); `vision` is implied by images. */
  taskType?: TaskType;
  /** Skip targets whose expected cost of this request is above this (or unknown). */
  maxCostUsd?: number;
  /** Skip targets whose p95 latency (TTFT for streams) is above this. */
  maxLatencyMs?: number;
  /** Try targets of this provider first (others stay as fallbacks). */
  preferredProvider?: string;
  /** Capabilities or tags a target must have, added to those derived from the request. */
  requiredCapabilities?: string[];
  /** Strategy for this call only. */
  strategy?: StrategyName;
}

/** Call options of a balancer: the usual {@link CallOptions} plus `routing`. */
export interface BalancerCallOptions extends CallOptions {
  routing?: RoutingOptions;
  /**
   * Called once when the call commits to a target: for `chat` before it returns, for `stream`
   * before the first chunk is yielded (so a server can name the serving target in its response
   * headers). `route.attempts` holds the attempts made so far.
   */
  onRoute?: (route: Route) => void;
}

/**
 * Per-target settings that may change while the balancer runs
 * ({@link Balancer.configureTarget}); health, breakers and metrics carry on.
 */
export interface TargetSettings {
  /** Share of traffic for the weighted strategies (finite, ≥ 0). */
  weight?: number;
  /** Lower is preferred (finite). */
  priority?: number;
  /** In-flight cap (a positive integer), or `null` to remove the cap. */
  maxConcurrent?: number | null;
}

/** Zod schema of {@link TargetSettings}. */
export const targetSettingsSchema = z
  .object({
    weight: z.number().finite().min(0).optional(),
    priority: z.number().finite().optional(),
    maxConcurrent: z.number().int().positive().nullable().optional(),
  })
  .strict();

const isChatModel = (value: unknown): value is ChatModel =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as ChatModel).chat === 'function' &&
  typeof (value as ChatModel).stream === 'function' &&
  typeof (value as ChatModel).provider === 'string' &&
  typeof (value as ChatModel).modelId === 'string';

const chatModelSchema = z.custom<ChatModel>(
  isChatModel,
  'must be a ChatModel (provider, modelId, chat, stream)',
);
const nonNegative = z.number().finite().min(0);
const positive = z.number().finite().positive();
const priceSchema = z.object({
  inputPerMillion: nonNegative,
  outputPerMillion: nonNegative,
  cachedInputPerMillion: nonNegative.optional(),
});

/** Zod schema of one target (structure only; duplicate ids are checked on the list). */
export const balancerTargetSchema = z.object({
  id: z
    .string()
    .min(1)
    // Ids key the metrics snapshot and the server's JSON, where a "__proto__" key would vanish.
    .refine((id) => id !== '__proto__', 'must not be "__proto__"')
    .optional(),
  model: chatModelSchema,
  weight: nonNegative.optional(),
  priority: z.number().finite().optional(),
  maxConcurrent: z.number().int().positive().optional(),
  maxQueue: z.number().int().min(0).optional(),
  price: priceSchema.optional(),
  capabilities: z.array(z.string()).optional(),
  tags: z.array(z.string()).optional(),
  models: z
    .object({
      chat: chatModelSchema.optional(),
      vision: chatModelSchema.optional(),
      reasoning: chatModelSchema.optional(),
      artifact: chatModelSchema.optional(),
    })
    .strict()
    .optional(),
});

const fn = z.custom<() => number>((value) => typeof value === 'function', 'must be a function');

const sharedStateMethods = [
  'acquireSlot',
  'releaseSlot',
  'setBreaker',
  'readBreakers',
  'onBreakerChange',
  'recordOutcomes',
  'readWindow',
  'onReconnect',
] as const;
const isSharedState = (value: unknown): value is SharedState =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as SharedState).replicaId === 'string' &&
  sharedStateMethods.every((method) => typeof (value as Record<string, unknown>)[method] === 'function');

/** Zod schema of {@link BalancerConfig}. */
export const balancerConfigSchema = z.object({
  name: z.string().min(1).optional(),
  targets: z
    .array(balancerTargetSchema)
    .min(1, 'needs at least one target')
    .superRefine((targets, context) => {
      const seen = new Map<string, number>();
      targets.forEach((target, index) => {
        const id = target.id ?? `${target.model.provider}:${target.model.modelId}`;
        const first = seen.get(id);
        if (first !== undefined)
          context.addIssue({
            code: 'custom',
            path: [index, 'id'],
            message: `duplicate target id "${id}" (also targets.${first}); give each target a unique id`,
          });
        else seen.set(id, index);
      });
    }),
  strategy: z.enum(strategyNames as [StrategyName, ...StrategyName[]]).optional(),
  weights: z.record(z.string(), nonNegative).optional(),
  exploration: z
    .object({
      mode: z.enum(['softmax', 'power-of-two', 'none']).optional(),
      temperature: positive.optional(),
    })
    .optional(),
  reliabilityPrior: z
    .object({ successRate: z.number().min(0).max(1).optional(), strength: nonNegative.optional() })
    .optional(),
  retry: z
    .object({
      maxAttempts: z.number().int().min(1).optional(),
      maxRetriesPerTarget: z.number().int().min(0).optional(),
      baseDelayMs: nonNegative.optional(),
      maxDelayMs: nonNegative.optional(),
      maxRetryAfterMs: nonNegative.optional(),
      budget: z
        .union([
          z.literal(false),
          z.object({
            ratio: nonNegative.optional(),
            minPerSecond: nonNegative.optional(),
            maxTokens: positive.optional(),
          }),
        ])
        .optional(),
    })
    .optional(),
  circuitBreaker: z
    .object({
      windowMs: positive.optional(),
      minimumRequests: z.number().int().min(1).optional(),
      failureRateThreshold: z.number().gt(0).max(1).optional(),
      cooldownMs: nonNegative.optional(),
      cooldownMultiplier: z.number().min(1).optional(),
      maxCooldownMs: nonNegative.optional(),
      probeTimeoutMs: positive.optional(),
    })
    .optional(),
  timeoutMs: positive.optional(),
  attemptTimeoutMs: positive.optional(),
  firstTokenTimeoutMs: positive.optional(),
  hedgeAfterMs: nonNegative.optional(),
  maxQueue: z.number().int().min(0).optional(),
  queueTimeoutMs: nonNegative.optional(),
  defaultOutputTokens: z.number().int().min(0).optional(),
  latencyWindow: z
    .object({ capacity: z.number().int().min(1).optional(), windowMs: positive.optional() })
    .optional(),
  reliabilityWindowMs: positive.optional(),
  metrics: z
    .object({
      bucketMs: positive.optional(),
      retentionMs: positive.optional(),
      relativeAccuracy: z.number().gt(0).lt(1).optional(),
      reservoirSize: z.number().int().min(1).optional(),
    })
    .optional(),
  pricing: z.record(z.string(), z.record(z.string(), priceSchema)).optional(),
  sharedState: z
    .object({
      state: z.custom<SharedState>(isSharedState, 'must be a SharedState (e.g. createRedisSharedState())'),
      scope: z.string().min(1).optional(),
      leaseMs: z.number().int().min(1_000).optional(),
      flushIntervalMs: positive.optional(),
      refreshIntervalMs: positive.optional(),
    })
    .optional(),
  now: fn.optional(),
  random: fn.optional(),
});

/**
 * Validates a balancer configuration.
 *
 * @throws {ConfigError} listing every problem (empty target list, duplicate ids, negative weights…).
 * @example
 * ```ts
 * validateBalancerConfig({ targets: [] }); // throws ConfigError: targets: needs at least one target
 * ```
 */
export function validateBalancerConfig(config: BalancerConfig): void {
  const parsed = balancerConfigSchema.safeParse(config);
  if (!parsed.success) throw ConfigError.fromZod('balancer config', parsed.error);
}
