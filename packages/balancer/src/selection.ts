import type { Usage } from '@ballast/core';
import type { RouteScore, SkippedTarget } from './route';
import type { ScoreComponents } from './scoring';
import type { StrategyName } from './strategies';
import type { TaskType } from './target';

/**
 * What a host that calls providers itself asks {@link Balancer.select} for (the shape of the
 * Next.js seed's `POST /api/load-balancing/select` body).
 *
 * @example
 * ```ts
 * const request: SelectRequest = { modelType: 'chat', maxTokens: 500, estimatedInputTokens: 1_200, requiredCapabilities: ['tools'] };
 * ```
 */
export interface SelectRequest {
  /** Task type (`chat`, `vision`, `reasoning`, `artifact`); alias of `taskType`. */
  modelType?: TaskType;
  taskType?: TaskType;
  /** Expected output tokens. Default: the balancer's `defaultOutputTokens`. */
  maxTokens?: number;
  /** Expected input tokens. Default 0. */
  estimatedInputTokens?: number;
  requiredCapabilities?: string[];
  maxCostUsd?: number;
  maxLatencyMs?: number;
  preferredProvider?: string;
  strategy?: StrategyName;
  /** Score latency by time to first token. */
  stream?: boolean;
}

/**
 * The chosen target and why.
 *
 * @example
 * ```ts
 * const { provider, model, targetId, breakdown } = balancer.select({ modelType: 'chat' });
 * ```
 */
export interface Selection {
  provider: string;
  /** Model id to call. */
  model: string;
  targetId: string;
  /** Composite score in [0, 1]. */
  score: number;
  breakdown: ScoreComponents;
  expectedCostUsd: number | undefined;
  strategy: StrategyName;
  /** Every candidate's score. */
  scores: RouteScore[];
  skipped: SkippedTarget[];
  /**
   * The target is half-open and this selection is its single probe: `record()` its outcome,
   * which closes or re-opens the circuit (until then no other selection gets the target).
   */
  probe: boolean;
}

/**
 * An outcome observed outside the balancer (a host that used {@link Balancer.select} and called
 * the provider itself), fed back so health, scores and metrics stay true.
 *
 * @example
 * ```ts
 * balancer.record({ targetId, outcome: 'failure', latencyMs: 830, errorCode: 'rate_limited', retryAfterMs: 2_000 });
 * ```
 */
export interface RecordOutcome {
  targetId: string;
  outcome: 'success' | 'failure';
  latencyMs: number;
  ttftMs?: number;
  usage?: Partial<Usage>;
  costUsd?: number;
  /** An `ApiCallErrorCode` (`rate_limited`, `authentication_failed`, …) or any string. */
  errorCode?: string;
  retryAfterMs?: number;
}

/**
 * A call made outside the balancer, counted against its target from {@link Balancer.acquire}
 * until released: routing sees the load, and `maxConcurrent` includes it.
 *
 * @example
 * ```ts
 * const lease = balancer.acquire('openai');
 * try {
 *   const started = performance.now();
 *   await callProviderMyself();
 *   lease.release({ outcome: 'success', latencyMs: performance.now() - started });
 * } catch {
 *   lease.release({ outcome: 'failure', latencyMs: 0, errorCode: 'api_error' });
 * }
 * ```
 */
export interface TargetLease {
  readonly targetId: string;
  /**
   * Gives the slot back; with an outcome, also records it (as {@link Balancer.record}).
   * Idempotent: only the first release counts.
   */
  release(outcome?: Omit<RecordOutcome, 'targetId'>): void;
}
