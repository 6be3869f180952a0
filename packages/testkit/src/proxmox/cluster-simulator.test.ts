import { describe, expect, it } from 'vitest';
import { createClusterSimulator } from './cluster-simulator';
import { rrdResolution } from './rrd-format';

const now = Date.UTC(2026, 4, 4, 15, 0, 30);

describe('createClusterSimulator', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const a = createClusterSimulator({ seed: 42, nodes: 4, guests: 20, now });
    const b = createClusterSimulator({ seed: 42, nodes: 4, guests: 20, now });
    const c = createClusterSimulator({ seed: 43, nodes: 4, guests: 20, now });
    expect(JSON.stringify(a.guests)).toBe(JSON.stringify(b.guests));
    expect(a.nodeRrd('pve1', 'day')).toEqual(b.nodeRrd('pve1', 'day'));
    expect(JSON.stringify(a.guests)).not.toBe(JSON.stringify(c.guests));
  });

  it('builds a realistic mix: sizes, VMs and CTs, tags, template, lock, HA, shared and local storage', () => {
    const sim = createClusterSimulator({ seed: 1, nodes: 4, guests: 24, now });
    expect(new Set(sim.nodes.map((node) => node.maxcpu)).size).toBeGreaterThan(1);
    expect(sim.guests.some((guest) => guest.kind === 'lxc')).toBe(true);
    expect(sim.guests.some((guest) => guest.kind === 'qemu')).toBe(true);
    const tags = sim.guests.flatMap((guest) => guest.tags);
    for (const tag of ['plb_anti_affinity_web', 'plb_affinity_db', 'ignore', 'plb_pin_pve1'])
      expect(tags).toContain(tag);
    expect(sim.guests.filter((guest) => guest.template)).toHaveLength(1);
    expect(sim.guests.find((guest) => guest.lock !== undefined)?.lock).toBe('backup');
    expect(sim.guests.filter((guest) => guest.haManaged).length).toBeGreaterThan(0);
    expect(sim.storages.find((storage) => storage.id === 'ceph-vm')?.shared).toBe(true);
    expect(sim.storages.find((storage) => storage.id === 'local-lvm')?.shared).toBe(false);
    expect(sim.guests.some((guest) => guest.profile.kind === 'growing')).toBe(true);
    expect(sim.haRules.map((rule) => rule.type)).toEqual(['node-affinity', 'resource-affinity']);
    expect(
      createClusterSimulator({ seed: 1, nodes: 4, guests: 24, now, pveVersion: 8 }).haGroups,
    ).toHaveLength(1);
  });

  it('renders RRD at the PVE 8 and PVE 9 resolutions', () => {
    for (const version of [8, 9] as const) {
      const sim = createClusterSimulator({ seed: 3, nodes: 2, guests: 6, now, pveVersion: version });
      for (const timeframe of ['hour', 'day', 'week'] as const) {
        const { stepSeconds, rows } = rrdResolution(version, timeframe);
        const nodeRows = sim.nodeRrd('pve1', timeframe);
        // PVE 9 drops the trailing empty bucket; PVE 8 keeps it as a `{time}` row.
        expect(nodeRows).toHaveLength(version === 9 ? rows - 1 : rows);
        expect(nodeRows[1]!.time - nodeRows[0]!.time).toBe(stepSeconds);
        expect(nodeRows.every((row) => row.time % stepSeconds === 0)).toBe(true);
      }
      const row = sim.nodeRrd('pve1', 'hour')[10]!;
      expect('memavailable' in row).toBe(version === 9);
      expect('pressureiosome' in row).toBe(version === 9);
      expect('pressurecpufull' in row).toBe(false);
      if (version === 8) expect(Object.keys(sim.nodeRrd('pve1', 'hour').at(-1)!)).toEqual(['time']);
    }
  });

  it('omits unknown values for stopped guests and node downtime instead of writing zeros', () => {
    const base = Math.floor(now / 60_000) * 60_000;
    const sim = createClusterSimulator({
      seed: 5,
      now,
      guests: 14,
      nodes: [
        { cores: 16, memoryGiB: 64, downtime: [{ fromMs: base - 30 * 60_000, toMs: base - 20 * 60_000 }] },
        { cores: 16, memoryGiB: 64 },
      ],
    });
    const stopped = sim.guests.find((guest) => guest.status === 'stopped' && !guest.template)!;
    for (const row of sim.guestRrd(stopped.vmid, 'hour')) {
      expect(Object.keys(row).sort()).toEqual(['disk', 'maxcpu', 'maxdisk', 'maxmem', 'time']);
    }
    const rows = sim.nodeRrd('pve1', 'hour');
    const down = rows.filter(
      (row) => row.time * 1000 >= base - 30 * 60_000 && row.time * 1000 < base - 20 * 60_000,
    );
    expect(down.length).toBe(10);
    expect(down.every((row) => Object.keys(row).length === 1)).toBe(true);
  });

  it('has a diurnal shape and node load that follows its guests', () => {
    const sim = createClusterSimulator({ seed: 8, nodes: 2, guests: 20, now, imbalance: 'severe' });
    const diurnal = sim.guests.find(
      (guest) => guest.profile.kind === 'diurnal' && guest.status === 'running',
    )!;
    const values = sim
      .guestRrd(diurnal.vmid, 'week')
      .map((row) => row.cpu)
      .filter((value): value is number => value !== undefined);
    expect(Math.max(...values) / Math.min(...values)).toBeGreaterThan(1.3);
    // Severe imbalance piles guests onto pve1, but only as far as they physically fit.
    const onFirst = sim.guests.filter((guest) => guest.node === 'pve1').length;
    expect(onFirst).toBeGreaterThan(sim.guests.length - onFirst - 6);
    const first = sim.node('pve1')!;
    const firstUsage = sim.nodeUsageAt('pve1', Math.floor(now / 1000))!;
    expect(firstUsage.memused).toBeLessThanOrEqual(first.maxmem);
    const guestCores = sim.guests
      .filter((guest) => guest.node === 'pve1')
      .reduce(
        (sum, guest) => sum + (sim.guestUsageAt(guest.vmid, Math.floor(now / 1000))?.cpu ?? 0) * guest.maxcpu,
        0,
      );
    expect(guestCores).toBeLessThanOrEqual(first.maxcpu);

    const t = Math.floor(now / 1000);
    const before = sim.nodeUsageAt('pve2', t)!.memused;
    const mover = sim.guests.find(
      (guest) => guest.node === 'pve1' && guest.status === 'running' && !guest.template,
    )!;
    sim.advance(60_000);
    sim.moveGuest(mover.vmid, 'pve2');
    expect(sim.nodeUsageAt('pve2', t + 120)!.memused).toBeGreaterThan(before);
    // History stays where it was: an hour ago the guest still ran on pve1.
    expect(sim.guestUsageAt(mover.vmid, t - 3600)).toBeDefined();
    expect(sim.nodeRrd('pve1', 'hour')).toHaveLength(59);
  });
});
