import type { BallastError, TargetAttempt } from '@ballast/core';

/** In {@link RetryState}'s map in place of a count of tries: a target the call is done with. */
const givenUp = -1;

/**
 * What one call's attempt loop remembers once a round failed (built on the call's first failure
 * or wait: most calls never need one).
 *
 * Every target that failed in the call is one entry of one map: its failed tries while it may
 * still be retried after a backoff, or "given up". A set of retriable targets, a set of given-up
 * ones and a map of tries held the same facts in three structures, each built and looked up apart
 * (a failover round looked every target up in both sets).
 */
export class RetryState {
  private readonly targets = new Map<string, number>();
  /**
   * Whether a target was ever left to be retried in this call (a later failure may have given
   * it up since): only then does the loop look for a retry once nothing fresh is left.
   */
  hadRetriable = false;
  /** Reasons for the final error that are not attempts (deadlines, limits). */
  readonly extra: TargetAttempt[] = [];
  lastError: BallastError | undefined = undefined;
  /** The target and code of the last failure (for the `retry` / `failover` events). */
  previousId: string | undefined = undefined;
  previousCode = '';
  /** Time already waited for a Retry-After before this round: reported with the retry. */
  heldOffMs = 0;

  /**
   * Whether a ranking leaves the target out: a fresh round skips every target that failed, a
   * retry round (`retrying`) only those the call gave up.
   */
  excludes(id: string, retrying: boolean): boolean {
    if (this.targets.size === 0) return false;
    const tries = this.targets.get(id);
    return tries !== undefined && (!retrying || tries === givenUp);
  }

  /** Failed tries of a target that may still be retried (`undefined` for any other). */
  triesOf(id: string): number | undefined {
    const tries = this.targets.get(id);
    return tries === givenUp ? undefined : tries;
  }

  /** The call is done with the target (unavailable, out of tries, or no time left to retry it). */
  giveUp(id: string): void {
    this.targets.set(id, givenUp);
  }

  /** Books a transient failure: the target may be retried, unless it used up `maxRetries`. */
  failedTry(id: string, maxRetries: number): void {
    const tries = (this.triesOf(id) ?? 0) + 1;
    if (tries > maxRetries) {
      this.giveUp(id);
      return;
    }
    this.targets.set(id, tries);
    this.hadRetriable = true;
  }
}
