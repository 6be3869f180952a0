import type { BallastError, TargetAttempt } from '@ballast/core';

/** In {@link RetryState}'s table in place of a count of tries: a target the call is done with. */
const givenUp = -1;

/**
 * What one call's attempt loop remembers once a round failed (built on the call's first failure
 * or wait: most calls never need one).
 *
 * Every target that failed in the call is one entry of one table, indexed by the target's position
 * in the configuration: its failed tries while it may still be retried after a backoff, or "given
 * up" (0: it has not failed in this call). A set of retriable targets, a set of given-up ones and
 * a map of tries held the same facts in three structures, each built and looked up apart (a
 * failover round looked every target up in both sets); a map keyed by target id then cost a string
 * hash lookup per target and ranking, where the table is one indexed read.
 */
export class RetryState {
  /** Per target (configuration order): failed tries, {@link givenUp}, or 0 when it has not failed. */
  private readonly targets: Int32Array;
  /** Targets with an entry (tries or given up): a ranking skips every lookup while none has. */
  private failed = 0;
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

  /** @param targetCount How many targets the balancer has (targets are numbered 0…count − 1). */
  constructor(targetCount: number) {
    this.targets = new Int32Array(targetCount);
  }

  /**
   * Whether a ranking leaves the target (its position in the configuration) out: a fresh round
   * skips every target that failed, a retry round (`retrying`) only those the call gave up.
   */
  excludes(target: number, retrying: boolean): boolean {
    if (this.failed === 0) return false;
    const tries = this.targets[target] ?? 0;
    return tries !== 0 && (!retrying || tries === givenUp);
  }

  /** Failed tries of a target that may still be retried (`undefined` for any other). */
  triesOf(target: number): number | undefined {
    const tries = this.targets[target] ?? 0;
    return tries === givenUp || tries === 0 ? undefined : tries;
  }

  /** The call is done with the target (unavailable, out of tries, or no time left to retry it). */
  giveUp(target: number): void {
    this.set(target, givenUp);
  }

  /** Books a transient failure: the target may be retried, unless it used up `maxRetries`. */
  failedTry(target: number, maxRetries: number): void {
    const tries = (this.triesOf(target) ?? 0) + 1;
    if (tries > maxRetries) {
      this.giveUp(target);
      return;
    }
    this.set(target, tries);
    this.hadRetriable = true;
  }

  private set(target: number, entry: number): void {
    if (target < 0 || target >= this.targets.length) throw new RangeError(`No target at ${target}`);
    if (this.targets[target] === 0) this.failed++;
    this.targets[target] = entry;
  }
}
