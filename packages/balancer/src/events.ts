import type { BallastError } from '@ballast/core';
import type { CircuitOpenReason } from './circuit-breaker';
import type { RouteScore } from './route';
import type { StrategyName } from './strategies';

/**
 * Events a balancer emits (eventemitter3, synchronous, cheap when nobody listens).
 *
 * @example
 * ```ts
 * balancer.on('circuit-open', ({ target, cooldownMs, reason }) => log.warn({ target, cooldownMs, reason }));
 * balancer.on('failover', ({ from, code }) => metrics.increment('failover', { from, code }));
 * ```
 */
export interface BalancerEvents {
  /** Candidates were scored and the first target chosen. */
  selected: (event: { target: string; strategy: StrategyName; scores: RouteScore[] }) => void;
  /** An attempt starts. */
  attempt: (event: { target: string; attempt: number; hedge: boolean }) => void;
  /** An attempt succeeded (for streams: the stream finished). */
  success: (event: { target: string; durationMs: number; costUsd: number | undefined }) => void;
  /** An attempt failed. */
  failure: (event: { target: string; code: string; durationMs: number; error: BallastError }) => void;
  /** The same target is retried after `delayMs` (its backoff, or the Retry-After it asked for). */
  retry: (event: { target: string; attempt: number; delayMs: number; code: string }) => void;
  /** The call moves on from a failed target. */
  failover: (event: { from: string; code: string }) => void;
  /** A hedge leg was started because the first was slower than `hedgeAfterMs`. */
  hedge: (event: { primary: string; hedge: string }) => void;
  'circuit-open': (event: { target: string } & CircuitOpenReason) => void;
  'circuit-half-open': (event: { target: string }) => void;
  'circuit-close': (event: { target: string }) => void;
  /** A target's settings changed at run time ({@link Balancer.configureTarget}). */
  'target-configured': (event: {
    target: string;
    weight: number;
    priority: number;
    maxConcurrent: number | undefined;
  }) => void;
}
