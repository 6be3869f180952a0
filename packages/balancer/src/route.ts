import type { ChatChunk, ChatResult } from '@ballast/core';
import type { ScoreComponents } from './scoring';
import type { StrategyName } from './strategies';

/** A candidate's score for one call. */
export interface RouteScore {
  target: string;
  total: number;
  components: ScoreComponents;
  /** Expected cost of this request on this target (USD), when the price is known. */
  expectedCostUsd?: number;
  /** Expected latency (p50; TTFT for streams), when measured. */
  expectedLatencyMs?: number;
}

/** One attempt of a call. */
export interface RouteAttempt {
  target: string;
  /** `success`, an error code (`rate_limited`, `timeout`, …) or `cancelled` (a lost hedge). */
  outcome: 'success' | (string & {});
  /** Epoch milliseconds. */
  startedAt: number;
  durationMs: number;
  /** The wait the target asked for, when it sent Retry-After. */
  retryAfterMs?: number;
  /** Set on the second leg of a hedged request. */
  hedge?: boolean;
  /** Error message (secrets already removed by the adapter). */
  message?: string;
}

/** A target the balancer did not try, and why. */
export interface SkippedTarget {
  target: string;
  /** `circuit_open`, `capability_mismatch`, `task_type_unsupported`, `cost_constraint`, `cost_unknown`, `latency_constraint`. */
  reason: string;
  message: string;
}

/**
 * What the balancer did for one call: the chosen target, the strategy, every candidate's score
 * breakdown ("why this provider"), every attempt, and the targets it skipped.
 *
 * @example
 * ```ts
 * const { text, route } = await balancer.chat(request);
 * console.log(route.target, route.attempts.map((a) => `${a.target}:${a.outcome}`));
 * ```
 */
export interface Route {
  target: string;
  strategy: StrategyName;
  scores: RouteScore[];
  attempts: RouteAttempt[];
  skipped: SkippedTarget[];
}

/** A chat result with the route that produced it. */
export type BalancedChatResult = ChatResult & { route: Route };

/** A stream chunk of a balancer: the `finish` chunk's result carries the route. */
export type BalancedChatChunk =
  | Exclude<ChatChunk, { type: 'finish' }>
  | { type: 'finish'; result: BalancedChatResult };

const routes = new WeakMap<object, Route>();

/** @internal Remembers the route of an error the balancer throws. */
export function attachRoute(error: unknown, route: Route): void {
  if (typeof error === 'object' && error !== null && !routes.has(error)) routes.set(error, route);
}

/**
 * The route of an error thrown by a balancer (every attempt made before it gave up), without
 * mutating the error object.
 *
 * @example
 * ```ts
 * try { await balancer.chat(request); }
 * catch (error) { console.log(routeOfError(error)?.attempts); }
 * ```
 */
export function routeOfError(error: unknown): Route | undefined {
  return typeof error === 'object' && error !== null ? routes.get(error) : undefined;
}
