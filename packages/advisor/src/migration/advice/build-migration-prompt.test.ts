import { describe, expect, it } from 'vitest';
import { computeNodeTrends } from '../../forecast/trend';
import { makeCluster } from '../__fixtures__/snapshots';
import { planMigrations } from '../plan-migrations';
import { profileWorkloads } from '../workload-profile';
import { adviceCluster } from './__fixtures__/advice-cluster';
import { buildMigrationPrompt } from './build-migration-prompt';

const thresholds = { cpuThreshold: 60, memThreshold: 70 };

describe('buildMigrationPrompt', () => {
  it('carries the real per-guest CPU and memory numbers (ProxBalance sent zeros)', () => {
    const snapshot = adviceCluster();
    const { user } = buildMigrationPrompt(snapshot, { period: '24h', thresholds });
    const db1 = user.split('\n').find((line) => line.startsWith('101 | db1'));
    expect(db1).toBeDefined();
    expect(db1).toContain('CPU 3.25/8 cores');
    expect(db1).toContain('mem 12.5/16.0 GiB');
    expect(db1).toContain('pve1');
    expect(db1).toContain('tags prod,db');
    expect(user).toContain('105 | locked1 | pve1 | VM | running | CPU 0.80/2 cores');
    expect(user).toContain('locked (backup)');
    expect(user).toContain('201 | ct-dns | pve2 | CT');
    // Regression: no running guest with real usage is shown as 0.
    for (const guest of snapshot.guests) {
      const line = user.split('\n').find((candidate) => candidate.startsWith(`${guest.vmid} |`))!;
      expect(line).not.toMatch(/CPU 0\.00\//);
      expect(line).not.toMatch(/mem 0\.0\//);
    }
  });

  it('describes nodes with cores, usage, trends and valid targets', () => {
    const snapshot = adviceCluster();
    const { system, user } = buildMigrationPrompt(snapshot, {
      period: '24h',
      thresholds,
      trends: computeNodeTrends(snapshot, { recentWindowHours: 6 }),
      profiles: profileWorkloads(snapshot),
      plan: planMigrations(snapshot, { maxMigrations: 1 }),
    });
    // pve1: 0.5 + 3.25 + 2.5 + 1.75 + 1.2 + 0.8 = 10 cores of 16; 2 + 12.5 + 10 + 8 + 6 + 3 = 41.5 GiB of 64.
    expect(user).toContain(
      'pve1 | online | 16 cores | CPU 10.00 cores (62.5 %) | mem 41.5/64.0 GiB (64.8 %)',
    );
    expect(user).toMatch(
      /pve1 .*CPU trend: recent \(6 h\) [\d.]+ % vs period mean [\d.]+ %.*slope \+[\d.]+ pp\/day/,
    );
    expect(user).toContain('Valid target nodes: pve1, pve2, pve3.');
    expect(user).toContain('Not valid as targets: pve4 (maintenance).');
    expect(user).toContain('1. vmid 101 (db1) pve1 -> pve2');
    expect(user).toContain('Analysis period: 24h');
    expect(system).toContain('60 % CPU or 70 % memory');
    expect(system).toContain('"recommendations"');
  });

  it('caps the guest list, keeps plan guests, and never leaks credentials', () => {
    const guests = Object.fromEntries(
      Array.from({ length: 40 }, (_, index) => [
        1000 + index,
        { node: index % 2 === 0 ? 'a' : 'b', cpu: 0.1 + index * 0.01, memUsedGiB: 1 },
      ]),
    );
    const snapshot = makeCluster({ a: { cores: 32, memGiB: 256 }, b: { cores: 32, memGiB: 256 } }, guests);
    snapshot.source = { kind: 'proxmox', endpoint: 'https://root:hunter2@pve1.lan:8006/?token=abc' };
    const prompt = buildMigrationPrompt(snapshot, { period: '1h', thresholds, maxGuests: 10 });
    expect(prompt.guestsIncluded).toBe(10);
    expect(prompt.guestsOmitted).toBe(30);
    expect(prompt.user).toContain('1039 |'); // heaviest
    expect(prompt.user).not.toContain('1000 |'); // lightest
    expect(prompt.user).toContain('30 lighter guests not listed');
    expect(prompt.user).toContain('proxmox https://pve1.lan:8006');
    expect(prompt.user).not.toContain('hunter2');
    expect(prompt.user).not.toContain('token=abc');
  });
});
