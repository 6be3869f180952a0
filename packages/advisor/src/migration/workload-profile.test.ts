import { describe, expect, it } from 'vitest';
import { GiB, hourly, makeCluster, makeGuest } from './__fixtures__/snapshots';
import { profileWorkload, profileWorkloads } from './workload-profile';

const guest = (series: Parameters<typeof makeGuest>[1]['series'], extra = {}) =>
  makeGuest(101, { node: 'a', cores: 4, memGiB: 8, series, ...extra });

describe('profileWorkload', () => {
  it('reports insufficient_data for short or missing series without inventing values', () => {
    const short = profileWorkload(guest({ cpuCores: hourly(5, () => 1) }));
    expect(short).toMatchObject({ classes: ['insufficient_data'], primary: 'insufficient_data' });
    expect(short.metrics).toEqual({ samples: 5, spanHours: 4 });
    expect(profileWorkload(guest(undefined)).reasons[0]).toContain('only 0 samples');
  });

  it('detects bursty CPU (peak/mean) with the numbers', () => {
    const profile = profileWorkload(guest({ cpuCores: hourly(48, (hour) => (hour % 6 === 0 ? 3.6 : 0.2)) }));
    expect(profile.classes).toEqual(['bursty']);
    expect(profile.metrics.cpuPeakToMean).toBeGreaterThan(2);
    expect(profile.reasons[0]).toMatch(/^bursty: CPU peak 3\.60 cores/);
  });

  it('detects steady, cpu-bound and memory-bound guests', () => {
    const profile = profileWorkload(
      guest({
        cpuCores: hourly(48, (hour) => 3 + (hour % 2) * 0.1),
        memoryUsedBytes: hourly(48, () => 7 * GiB),
      }),
    );
    expect(profile.classes).toEqual(['cpu-bound', 'memory-bound', 'steady']);
    expect(profile.primary).toBe('cpu-bound');
    expect(profile.metrics.cpuUtilization).toBeCloseTo(3.05 / 4, 6);
    expect(profile.metrics.memoryUtilization).toBeCloseTo(7 / 8, 6);
  });

  it('detects growth only with a good fit', () => {
    const growing = profileWorkload(
      guest({ memoryUsedBytes: hourly(72, (hour) => (2 + hour * 0.05) * GiB) }),
    );
    expect(growing.classes).toContain('growing');
    expect(growing.metrics.memorySlopePerDay).toBeCloseTo((0.05 * 24) / 8, 6);
    expect(growing.metrics.memoryRSquared).toBeCloseTo(1, 6);
    const noisy = profileWorkload(
      guest({ memoryUsedBytes: hourly(72, (hour) => (4 + (hour % 2 === 0 ? 2 : -2) + hour * 0.001) * GiB) }),
    );
    expect(noisy.classes).not.toContain('growing');
  });

  it('detects io-heavy guests from read + write rates', () => {
    const profile = profileWorkload(
      guest({
        cpuCores: hourly(24, () => 0.5),
        diskReadBytesPerSecond: hourly(24, () => 15 * 2 ** 20),
        diskWriteBytesPerSecond: hourly(24, () => 10 * 2 ** 20),
      }),
    );
    expect(profile.classes).toContain('io-heavy');
    expect(profile.metrics.diskBytesPerSecond).toBeCloseTo(25 * 2 ** 20, 0);
  });

  it('profiles a whole snapshot by vmid', () => {
    const snapshot = makeCluster({ a: { cores: 8, memGiB: 32 } }, { 7: { node: 'a' }, 3: { node: 'a' } });
    expect([...profileWorkloads(snapshot).keys()]).toEqual([3, 7]);
  });
});
