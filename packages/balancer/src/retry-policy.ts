import { ApiCallError, BallastError } from '@ballast/core';

/** How the balancer retries and fails over. Every field has a default. */
export interface RetryPolicyOptions {
  /** Attempts per call across every target, the first included. Default 5. */
  maxAttempts?: number;
  /** Extra attempts on one target after its first failure. Default 2. */
  maxRetriesPerTarget?: number;
  /** Backoff base: the n-th retry of a target waits a random time in [0, min(maxDelayMs, baseDelayMs·2^n)]. Default 200. */
  baseDelayMs?: number;
  /** Backoff cap. Default 8 000. */
  maxDelayMs?: number;
  /** Longest Retry-After the balancer will wait for; longer asks mean "fail over". Default 60 000. */
  maxRetryAfterMs?: number;
  /** Retry budget, or `false` for none. */
  budget?: RetryBudgetOptions | false;
}

/** What to do after an attempt failed. */
export type FailureKind =
  /** The caller aborted or the overall deadline passed: stop everything. */
  | 'cancelled'
  /** Auth, unknown model, quota: this target cannot serve any call. Fail over, never retry it. */
  | 'target-unavailable'
  /** Rate limit, overload, 5xx, network, timeout, cut stream: try elsewhere or later. */
  | 'retryable'
  /** Bad request, context too long, content filtered: every target would refuse it. Fail now. */
  | 'request-error';

/**
 * Sorts a failure into what the balancer does next. Request errors fail the call at once: a
 * broken request sent to every target only multiplies the bill and the load (LiteLLM and Portkey
 * both spray it). `isTargetUnavailable` wins over `isRetryable`.
 *
 * @example
 * ```ts
 * classifyFailure(new ApiCallError({ message: 'bad key', code: 'authentication_failed', provider: 'openai', isRetryable: false, isTargetUnavailable: true }));
 * // 'target-unavailable'
 * ```
 */
export function classifyFailure(error: unknown): FailureKind {
  if (!BallastError.isInstance(error)) return 'retryable';
  if (error.code === 'aborted') return 'cancelled';
  if (ApiCallError.isInstance(error) && error.isTargetUnavailable) return 'target-unavailable';
  if (error.isRetryable) return 'retryable';
  return 'request-error';
}

/**
 * Exponential backoff with FULL jitter: a uniformly random wait in `[0, min(maxDelayMs,
 * baseDelayMs · 2^retry)]` (AWS's "full jitter"), so synchronized clients spread out instead of
 * retrying in lock-step. `retry` is 0 for the first retry.
 *
 * @example
 * ```ts
 * computeBackoffMs(3, { baseDelayMs: 100, maxDelayMs: 5_000 }, Math.random); // somewhere in [0, 800]
 * ```
 */
export function computeBackoffMs(
  retry: number,
  options: { baseDelayMs: number; maxDelayMs: number },
  random: () => number,
): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, retry));
  return Math.floor(random() * ceiling);
}

/**
 * The wait before retrying a target: the server's Retry-After when it sent one (it asked for
 * exactly that), else full-jitter backoff. Returns `undefined` when Retry-After exceeds
 * `maxRetryAfterMs`: the target asked for longer than we will wait, so fail over instead.
 *
 * @example
 * ```ts
 * retryDelayMs({ retry: 0, retryAfterMs: 1_500 }, { baseDelayMs: 100, maxDelayMs: 5_000, maxRetryAfterMs: 60_000 }, Math.random); // 1500
 * ```
 */
export function retryDelayMs(
  input: { retry: number; retryAfterMs: number | undefined },
  options: { baseDelayMs: number; maxDelayMs: number; maxRetryAfterMs: number },
  random: () => number,
): number | undefined {
  if (input.retryAfterMs !== undefined) {
    if (input.retryAfterMs > options.maxRetryAfterMs) return undefined;
    return input.retryAfterMs;
  }
  return computeBackoffMs(input.retry, options, random);
}

/** Retry budget: retries may be at most `ratio` of recent calls, plus a small floor. */
export interface RetryBudgetOptions {
  /** Retry tokens earned per call. Default 0.2 (retries ≤ 20 % of calls). */
  ratio?: number;
  /** Tokens earned per second regardless of traffic, so a quiet service can still retry. Default 5. */
  minPerSecond?: number;
  /** Most tokens saved up. Default 50. */
  maxTokens?: number;
}

/**
 * A token bucket that stops retry storms: every call deposits `ratio` tokens, time deposits
 * `minPerSecond`, and every re-try of a target the call already tried (or hedge) withdraws one; a
 * failover to a target not yet tried is never charged. When the bucket is empty the
 * balancer fails the call (listing `retry_budget_exhausted`) instead of multiplying the load on
 * upstreams that are already struggling.
 *
 * @example
 * ```ts
 * const budget = new RetryBudget({ ratio: 0.2, minPerSecond: 5 }, () => Date.now());
 * budget.recordRequest();
 * if (budget.tryWithdraw()) retry();
 * ```
 */
export class RetryBudget {
  private readonly ratio: number;
  private readonly minPerSecond: number;
  private readonly maxTokens: number;
  private tokens: number;
  private updatedAt: number;

  constructor(
    options: RetryBudgetOptions,
    private readonly now: () => number,
  ) {
    this.ratio = options.ratio ?? 0.2;
    this.minPerSecond = options.minPerSecond ?? 5;
    this.maxTokens = options.maxTokens ?? 50;
    this.tokens = Math.min(this.maxTokens, Math.max(1, this.minPerSecond));
    this.updatedAt = now();
  }

  /** A call started: earn `ratio` tokens. */
  recordRequest(at = this.now()): void {
    this.refill(at);
    this.tokens = Math.min(this.maxTokens, this.tokens + this.ratio);
  }

  /** Takes one token for a retry, failover or hedge; `false` when the budget is spent. */
  tryWithdraw(): boolean {
    this.refill();
    if (this.tokens < 1 - 1e-9) return false;
    this.tokens = Math.max(0, this.tokens - 1);
    return true;
  }

  /** Tokens available now. */
  available(): number {
    this.refill();
    return this.tokens;
  }

  private refill(now = this.now()): void {
    const elapsed = Math.max(0, now - this.updatedAt) / 1000;
    this.updatedAt = now;
    if (elapsed > 0) this.tokens = Math.min(this.maxTokens, this.tokens + elapsed * this.minPerSecond);
  }
}
