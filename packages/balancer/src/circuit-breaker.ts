import { OutcomeWindow } from './outcome-window';

/** State of a circuit: `closed` serves traffic, `open` serves none, `half-open` lets one probe through. */
export type CircuitState = 'closed' | 'open' | 'half-open';

/** Thresholds of a {@link CircuitBreaker}. Every field has a default. */
export interface CircuitBreakerOptions {
  /** Sliding window the failure rate is measured over. Default 60 000 ms. */
  windowMs?: number;
  /** Calls the window must hold before the failure rate can open the circuit. Default 5. */
  minimumRequests?: number;
  /** Failure share (0..1] that opens the circuit. Default 0.5. */
  failureRateThreshold?: number;
  /** First cooldown before the half-open probe. Default 5 000 ms. */
  cooldownMs?: number;
  /** Each consecutive re-open multiplies the cooldown by this. Default 2. */
  cooldownMultiplier?: number;
  /** Longest cooldown, whatever the backoff or Retry-After says. Default 300 000 ms. */
  maxCooldownMs?: number;
  /**
   * How long the half-open probe may stay out without a verdict before another may go. A host
   * that took the probe with `select()` and never called `record()` must not wedge the target
   * half-open forever. Default 120 000 ms (the balancer passes its call timeout).
   */
  probeTimeoutMs?: number;
}

/** Why the circuit opened, passed to the transition listener. */
export interface CircuitOpenReason {
  /**
   * `error-rate`, `target-unavailable` (auth, unknown model, quota), `probe-failed`, or `shared`
   * (another replica opened it; see the balancer's `sharedState` option).
   */
  reason: 'error-rate' | 'target-unavailable' | 'probe-failed' | 'shared';
  cooldownMs: number;
  failureRate: number;
  /** The error code that tipped it over, when known. */
  code?: string;
}

/** Observable state of one breaker. */
export interface CircuitBreakerSnapshot {
  state: CircuitState;
  /** Failure share in the window (0 when empty). */
  failureRate: number;
  /** Calls counted in the window. */
  requests: number;
  /** Opens since the circuit last closed; drives the cooldown backoff. */
  consecutiveOpens: number;
  /** Milliseconds until an open circuit lets a probe through (0 when not open). */
  cooldownRemainingMs: number;
  /** Whether the single half-open probe is out. */
  probeInFlight: boolean;
}

/** A failure as the breaker sees it. */
export interface BreakerFailure {
  code: string;
  /** Auth, unknown model, quota: open at once. */
  targetUnavailable?: boolean;
  /** The server's Retry-After; an open cooldown is at least this long (capped by `maxCooldownMs`). */
  retryAfterMs?: number | undefined;
}

/** What {@link CircuitBreaker.tryAcquire} granted. */
export type BreakerPermit = 'normal' | 'probe';

/**
 * A per-target circuit breaker: closed → open by error rate over a sliding window with a minimum
 * sample, or at once when the target cannot serve anything (`isTargetUnavailable`); open →
 * half-open after a cooldown that grows exponentially on repeated opens (capped) and is never
 * shorter than the server's Retry-After; half-open lets exactly one probe through, which closes
 * the circuit on success or re-opens it with a longer cooldown on failure.
 *
 * Time comes from the injected `now`, so tests advance a fake clock instead of sleeping.
 *
 * @example
 * ```ts
 * const breaker = new CircuitBreaker({ minimumRequests: 5, failureRateThreshold: 0.5 }, () => Date.now());
 * const permit = breaker.tryAcquire();
 * if (permit) {
 *   try { await call(); breaker.onSuccess(permit); }
 *   catch (error) { breaker.onFailure(permit, { code: 'server_error' }); }
 * }
 * ```
 */
export class CircuitBreaker {
  private readonly window: OutcomeWindow;
  private readonly minimumRequests: number;
  private readonly threshold: number;
  private readonly cooldownMs: number;
  private readonly multiplier: number;
  private readonly maxCooldownMs: number;
  private current: CircuitState = 'closed';
  private opens = 0;
  private retryAt = 0;
  private probeOut = false;
  private probeSince = 0;
  private readonly probeTimeoutMs: number;

  constructor(
    options: CircuitBreakerOptions,
    private readonly now: () => number,
    private readonly onTransition: (to: CircuitState, reason?: CircuitOpenReason) => void = () => {},
  ) {
    this.window = new OutcomeWindow(options.windowMs ?? 60_000);
    this.minimumRequests = options.minimumRequests ?? 5;
    this.threshold = options.failureRateThreshold ?? 0.5;
    this.cooldownMs = options.cooldownMs ?? 5_000;
    this.multiplier = options.cooldownMultiplier ?? 2;
    this.maxCooldownMs = options.maxCooldownMs ?? 300_000;
    this.probeTimeoutMs = options.probeTimeoutMs ?? 120_000;
  }

  /** The current state (an open circuit whose cooldown has passed reports `half-open`). */
  state(): CircuitState {
    this.refresh();
    return this.current;
  }

  /** Whether a call could be let through now, without taking the probe. */
  canAttempt(): boolean {
    this.refresh();
    if (this.current === 'closed') return true;
    return this.current === 'half-open' && !this.probeOut;
  }

  /** Lets a call through: `normal` when closed, `probe` for the one half-open probe, else `undefined`. */
  tryAcquire(): BreakerPermit | undefined {
    this.refresh();
    if (this.current === 'closed') return 'normal';
    if (this.current === 'half-open' && !this.probeOut) {
      this.probeOut = true;
      this.probeSince = this.now();
      return 'probe';
    }
    return undefined;
  }

  /** The call succeeded (or the target answered a bad request correctly). */
  onSuccess(permit: BreakerPermit | undefined, at = this.now()): void {
    if (permit === 'probe' || this.current === 'half-open') {
      this.probeOut = false;
      this.close();
      return;
    }
    this.window.add(true, at);
  }

  /** The call failed because of the target (`at`: when, if the caller already read the clock). */
  onFailure(permit: BreakerPermit | undefined, failure: BreakerFailure, at = this.now()): void {
    const now = at;
    if (permit === 'probe' || this.current === 'half-open') {
      this.probeOut = false;
      this.open('probe-failed', failure);
      return;
    }
    if (this.current === 'open') return;
    this.window.add(false, now);
    if (failure.targetUnavailable) {
      this.open('target-unavailable', failure);
      return;
    }
    const { successes, failures } = this.window.counts(now);
    const total = successes + failures;
    if (total >= this.minimumRequests && failures / total >= this.threshold) this.open('error-rate', failure);
  }

  /** The call ended without telling anything about the target (caller abort, lost hedge). */
  onCancel(permit: BreakerPermit | undefined): void {
    if (permit === 'probe') this.probeOut = false;
  }

  /** Closes the circuit by hand (e.g. after an operator fixed a key). */
  reset(): void {
    this.probeOut = false;
    if (this.current !== 'closed') this.close();
  }

  /**
   * Opens the circuit for `cooldownMs` because another replica opened it (shared state). Unlike
   * a local open it does not grow the backoff; an open circuit only ever gets a later retry time.
   */
  adoptOpen(cooldownMs: number, code?: string): void {
    const retryAt = this.now() + Math.min(this.maxCooldownMs, Math.max(0, cooldownMs));
    if (this.current === 'open' && retryAt <= this.retryAt) return;
    this.current = 'open';
    this.probeOut = false;
    this.retryAt = retryAt;
    this.opens = Math.max(this.opens, 1);
    this.onTransition('open', {
      reason: 'shared',
      cooldownMs: retryAt - this.now(),
      failureRate: this.snapshotFailureRate(),
      ...(code === undefined ? {} : { code }),
    });
  }

  /** A JSON-safe view for dashboards. */
  snapshot(): CircuitBreakerSnapshot {
    this.refresh();
    const { successes, failures } = this.window.counts(this.now());
    const total = successes + failures;
    return {
      state: this.current,
      failureRate: total === 0 ? 0 : failures / total,
      requests: total,
      consecutiveOpens: this.opens,
      cooldownRemainingMs: this.current === 'open' ? Math.max(0, this.retryAt - this.now()) : 0,
      probeInFlight: this.probeOut,
    };
  }

  private snapshotFailureRate(): number {
    const { successes, failures } = this.window.counts(this.now());
    const total = successes + failures;
    return total === 0 ? 0 : failures / total;
  }

  private refresh(): void {
    if (this.current === 'closed') return;
    if (this.current === 'open' && this.now() >= this.retryAt) {
      this.current = 'half-open';
      this.probeOut = false;
      this.onTransition('half-open');
    } else if (this.probeOut && this.now() - this.probeSince >= this.probeTimeoutMs) {
      // The probe's verdict never came (a host that selected it did not record): let another go.
      this.probeOut = false;
    }
  }

  private open(reason: CircuitOpenReason['reason'], failure: BreakerFailure): void {
    const now = this.now();
    const { successes, failures } = this.window.counts(now);
    const total = successes + failures;
    this.opens++;
    const backoff = this.cooldownMs * this.multiplier ** (this.opens - 1);
    const cooldownMs = Math.min(this.maxCooldownMs, Math.max(backoff, failure.retryAfterMs ?? 0));
    this.current = 'open';
    this.retryAt = now + cooldownMs;
    this.onTransition('open', {
      reason,
      cooldownMs,
      failureRate: total === 0 ? 1 : failures / total,
      code: failure.code,
    });
  }

  private close(): void {
    this.current = 'closed';
    this.opens = 0;
    this.window.clear();
    this.onTransition('closed');
  }
}
