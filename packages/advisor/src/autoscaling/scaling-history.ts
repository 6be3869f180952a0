import { redactThenTruncate } from '@ballast/core';
import type { HistoryOptions } from '../history/recommendation-history';
import type { ScalingHistoryItem } from './scaling-hysteresis';

/** How long a scaling decision holds by default: six HPA scale-down stabilisation windows. */
export const DEFAULT_SCALING_HOLD_MS = 30 * 60_000;
/** Most earlier recommendations cited in a prompt (newest first). */
const maxCited = 10;
/** Longest user reason cited or compared, after redaction. */
const maxReasonLength = 200;

/**
 * Subject of a deployment in the recommendation history: `deployment/<namespace>/<name>`.
 *
 * @example
 * ```ts
 * scalingSubject({ namespace: 'shop', name: 'web' }); // 'deployment/shop/web'
 * ```
 */
export function scalingSubject(deployment: { namespace: string; name: string }): string {
  return `deployment/${deployment.namespace}/${deployment.name}`;
}

/**
 * Action of a replica recommendation in the history: `scale 3->5`, or `maintain 3`.
 *
 * @example
 * ```ts
 * scalingHistoryAction(3, 5); // 'scale 3->5'
 * ```
 */
export function scalingHistoryAction(from: number, to: number): string {
  return from === to ? `maintain ${from}` : `scale ${from}->${to}`;
}

const actionPattern = /^(?:scale (\d+)->(\d+)|maintain (\d+))$/;

/**
 * The deployment's recommendations within the hold window, newest first, read from the history.
 * A failing history never fails the advice: the error is returned and the advice goes on without.
 */
export async function loadScalingHistory(
  options: HistoryOptions,
  subject: string,
  now: number,
): Promise<{ items: ScalingHistoryItem[]; error?: string }> {
  let records: Awaited<ReturnType<HistoryOptions['history']['recent']>>;
  try {
    records = await options.history.recent({
      kind: 'scaling',
      subject,
      since: now - (options.holdMs ?? DEFAULT_SCALING_HOLD_MS),
      limit: 50,
    });
  } catch (error) {
    return { items: [], error: `history unavailable: ${(error as Error).name}` };
  }
  const items: ScalingHistoryItem[] = [];
  for (const record of records) {
    // Another subject's record (a history that ignores `subject`) or one written by someone else.
    if (record.subject !== subject) continue;
    const parsed = actionPattern.exec(record.action);
    if (!parsed) continue;
    const from = Number(parsed[1] ?? parsed[3]);
    const to = Number(parsed[2] ?? parsed[3]);
    const rejected = record.feedback?.decision === 'rejected';
    const reason = rejected ? record.feedback?.reason : undefined;
    items.push({
      from,
      to,
      status: rejected
        ? 'rejected'
        : record.applied
          ? 'applied'
          : record.feedback?.decision === 'accepted'
            ? 'accepted'
            : 'proposed',
      at: record.createdAt,
      ...(reason ? { reason: redactThenTruncate(reason, maxReasonLength) } : {}),
      ...(record.snapshotFingerprint ? { snapshotFingerprint: record.snapshotFingerprint } : {}),
    });
  }
  items.sort((a, b) => b.at - a.at);
  return { items };
}

/**
 * The `recent_recommendations` of the scaling prompt: at most ten, newest first, each with its
 * time, change and what became of it. Only replica counts, times, statuses and the user's
 * (redacted, 200-character) reason: nothing else from the history reaches the model.
 *
 * @example
 * ```ts
 * scalingHistoryPrompt([{ from: 3, to: 5, status: 'applied', at: Date.UTC(2026, 0, 1) }]);
 * // [{ time: '2026-01-01T00:00:00.000Z', change: '3->5', status: 'applied' }]
 * ```
 */
export function scalingHistoryPrompt(
  items: readonly ScalingHistoryItem[],
): Array<{ time: string; change: string; status: ScalingHistoryItem['status']; reason?: string }> {
  return items.slice(0, maxCited).map((item) => ({
    time: new Date(item.at).toISOString(),
    change: item.from === item.to ? `maintain ${item.from}` : `${item.from}->${item.to}`,
    status: item.status,
    ...(item.reason ? { reason: item.reason } : {}),
  }));
}
