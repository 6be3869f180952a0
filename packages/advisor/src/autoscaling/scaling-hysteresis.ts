/**
 * One earlier scaling recommendation for the same deployment, as the hysteresis rules read it.
 *
 * - `applied`: someone applied it (the history's `markApplied`);
 * - `rejected`: the user rejected it (feedback);
 * - `accepted`: the user accepted it but it is not marked applied yet;
 * - `proposed`: advised, nothing known since.
 *
 * @example
 * ```ts
 * const entry: ScalingHistoryItem = { from: 3, to: 5, status: 'applied', at: Date.now() - 600_000 };
 * ```
 */
export interface ScalingHistoryItem {
  from: number;
  to: number;
  status: 'applied' | 'rejected' | 'accepted' | 'proposed';
  /** Epoch ms of the recommendation. */
  at: number;
  /** The user's reason, when rejected (already redacted and bounded). */
  reason?: string;
  /** Snapshot fingerprint of the recommendation, when the history has it. */
  snapshotFingerprint?: string;
}

/**
 * Which hysteresis rule holds a change back:
 *
 * | rule | holds a change when, within the hold window, |
 * |---|---|
 * | `reverses_applied` | the newest applied change of the deployment went the other way (flapping) |
 * | `repeats_applied` | this very change (`from → to`) was applied and the deployment is back at `from` (something reverts it) |
 * | `rejected_recently` | the user rejected a change in the same direction from the same replica count |
 *
 * @example
 * ```ts
 * const rule: ScalingHoldRule = 'reverses_applied';
 * ```
 */
export type ScalingHoldRule = 'reverses_applied' | 'repeats_applied' | 'rejected_recently';

/**
 * What {@link scalingHold} decided: the rule that matched, the history entry it matched, and
 * whether the change is held (`held: false` means safety overrode the rule: see `message`).
 *
 * @example
 * ```ts
 * const line = (verdict: ScalingHoldVerdict) => `${verdict.rule}${verdict.held ? '' : ' (overridden)'}: ${verdict.message}`;
 * ```
 */
export interface ScalingHoldVerdict {
  rule: ScalingHoldRule;
  held: boolean;
  entry: ScalingHistoryItem;
  /** One sentence naming the earlier recommendation, when it was made, and why it holds (or not). */
  message: string;
}

/**
 * Input of {@link scalingHold}.
 *
 * @example
 * ```ts
 * const input: ScalingHoldInput = { currentReplicas: 5, targetReplicas: 3, bounds: { minReplicas: 2, maxReplicas: 10 }, scaleUpNeeded: false, recent: [], now: Date.now(), holdMs: 1_800_000 };
 * ```
 */
export interface ScalingHoldInput {
  currentReplicas: number;
  /** The replica count the advisor would recommend without history. */
  targetReplicas: number;
  bounds: { minReplicas: number; maxReplicas: number };
  /** Whether the HPA-parity answer scales up now, i.e. the current metrics need more pods. */
  scaleUpNeeded: boolean;
  /** This deployment's recommendations within the hold window, newest first. */
  recent: readonly ScalingHistoryItem[];
  now: number;
  holdMs: number;
}

/**
 * Hysteresis for replica advice: whether a recent recommendation for the same deployment holds
 * the proposed change back (see {@link ScalingHoldRule}); `undefined` when none does. Two things
 * are never held, whatever the history says: a change that brings the replica count back inside
 * `[minReplicas, maxReplicas]`, and a scale-up while the HPA-parity answer scales up too (the pods
 * are needed now: safety first; the verdict is then returned with `held: false`).
 *
 * @example
 * ```ts
 * const verdict = scalingHold({ currentReplicas: 5, targetReplicas: 3, bounds, scaleUpNeeded: false, now,
 *   holdMs: 1_800_000, recent: [{ from: 3, to: 5, status: 'applied', at: now - 600_000 }] });
 * // verdict.rule === 'reverses_applied', verdict.held === true
 * ```
 */
export function scalingHold(input: ScalingHoldInput): ScalingHoldVerdict | undefined {
  const { currentReplicas: current, targetReplicas: target, bounds } = input;
  const direction = Math.sign(target - current);
  if (direction === 0) return undefined;
  if (current < bounds.minReplicas || current > bounds.maxReplicas) return undefined;
  const match = matchingRule(input, direction);
  if (match === undefined) return undefined;
  const proposed = `${current} → ${target}`;
  const since = `${describeAge(input.now - match.entry.at)} ago, within the ${describeAge(input.holdMs)} hold`;
  const earlier = `${match.entry.from} → ${match.entry.to}`;
  let message: string;
  if (match.rule === 'reverses_applied')
    message = `${earlier} was applied ${since}; ${proposed} would reverse it (flapping)`;
  else if (match.rule === 'repeats_applied')
    message = `${earlier} was applied ${since}, yet the deployment is back at ${current}: something reverts it (another controller, a GitOps sync?), so it is not proposed again`;
  else
    message = `${earlier} was rejected ${since}${match.entry.reason ? ` (${match.entry.reason})` : ''}; not proposing to scale ${direction > 0 ? 'up' : 'down'} from ${current} again`;
  if (direction > 0 && input.scaleUpNeeded)
    return {
      ...match,
      held: false,
      message: `${message} — overridden: the HPA-parity answer scales up now, so the pods are needed`,
    };
  return { ...match, held: true, message };
}

function matchingRule(
  input: ScalingHoldInput,
  direction: number,
): { rule: ScalingHoldRule; entry: ScalingHistoryItem } | undefined {
  const { currentReplicas: current, targetReplicas: target } = input;
  const fresh = input.recent.filter((entry) => input.now - entry.at <= input.holdMs);
  const newestApplied = fresh.find((entry) => entry.status === 'applied' && entry.to !== entry.from);
  if (newestApplied && Math.sign(newestApplied.to - newestApplied.from) === -direction)
    return { rule: 'reverses_applied', entry: newestApplied };
  const repeated = fresh.find(
    (entry) => entry.status === 'applied' && entry.from === current && entry.to === target,
  );
  if (repeated) return { rule: 'repeats_applied', entry: repeated };
  const rejected = fresh.find(
    (entry) =>
      entry.status === 'rejected' && entry.from === current && Math.sign(entry.to - entry.from) === direction,
  );
  if (rejected) return { rule: 'rejected_recently', entry: rejected };
  return undefined;
}

/** `45 s`, `12 min`, `2.5 h`: an age for a sentence. */
function describeAge(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 120) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 120) return `${minutes} min`;
  return `${Math.round((minutes / 60) * 10) / 10} h`;
}
