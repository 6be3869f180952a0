import { describe, expect, it } from 'vitest';
import { MetricsRecorder } from './metrics';

describe('MetricsRecorder.timeline', () => {
  it('cuts the range into whole-bucket steps, oldest first, the open bucket in the last step', () => {
    let now = 10 * 3_600_000; // hour 10, minute 0
    const metrics = new MetricsRecorder({}, () => now);
    metrics.record({ target: 'a', model: 'p:a' }, { success: true, latencyMs: 100, costUsd: 0.5 });
    metrics.recordCall({ success: true, latencyMs: 100, costUsd: 0.5 });
    now += 30 * 60_000; // 30 minutes later
    metrics.record({ target: 'a', model: 'p:a' }, { success: false, code: 'server_error', latencyMs: 300 });
    metrics.record({ target: 'b', model: 'p:b' }, { success: true, latencyMs: 200, costUsd: 0.25 });
    metrics.recordCall({ success: true, latencyMs: 300, costUsd: 0.25 });

    const timeline = metrics.timeline({ sinceMs: 3_600_000, points: 4 });
    expect(timeline.stepMs).toBe(15 * 60_000);
    expect(timeline.calls).toHaveLength(4);
    expect(timeline.calls.map((point) => point.start)).toEqual(
      [0, 1, 2, 3].map((step) => timeline.since + step * timeline.stepMs),
    );
    // The first call (minute 0) is 30 minutes before the newest: two steps back.
    expect(timeline.calls.map((point) => point.requests)).toEqual([0, 1, 0, 1]);
    expect(timeline.targets.a?.map((point) => point.failures)).toEqual([0, 0, 0, 1]);
    expect(timeline.targets.a?.[1]).toMatchObject({ requests: 1, costUsd: 0.5 });
    expect(timeline.targets.a?.[1]?.p50LatencyMs).toBeCloseTo(100, -1);
    expect(timeline.targets.b?.[3]?.p95LatencyMs).toBeCloseTo(200, -1);
    expect(timeline.targets.a?.[0]?.p50LatencyMs).toBeUndefined();
  });

  it('leaves out targets with no request in the range and never returns zero steps', () => {
    let now = 0;
    const metrics = new MetricsRecorder({}, () => now);
    metrics.record({ target: 'old', model: 'p:old' }, { success: true });
    now += 3 * 3_600_000;
    const timeline = metrics.timeline({ sinceMs: 60_000, points: 0 });
    expect(timeline.targets).toEqual({});
    expect(timeline.calls).toHaveLength(1);
  });
});
