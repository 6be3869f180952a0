import { readFileSync } from 'node:fs';
import { AbortedError, clusterSnapshotSchema } from '@ballast/core';
import { type FakeProxmox, startFakeProxmox } from '@ballast/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { collectCluster, collectClusterSnapshot, splitTags } from './collect-cluster-snapshot';
import { createProxmoxClient, type ProxmoxClient } from './proxmox-client';
import { rrdSeries, trimRows } from './rrd-series';
import { rrdRowSchema } from './wire-schemas';

const tokenId = 'ballast@pve!advisor';
const tokenSecret = '0b4f6d2e-1a3c-4e5f-8a7b-9c0d1e2f3a4b';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8'));

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const item of open.splice(0)) await item.close();
});

async function start(options: Parameters<typeof startFakeProxmox>[0]): Promise<[FakeProxmox, ProxmoxClient]> {
  const fake = await startFakeProxmox(options);
  const client = createProxmoxClient({ baseUrl: fake.url, tokenId, tokenSecret, retryBaseDelayMs: 1 });
  open.push(client, fake);
  return [fake, client];
}

describe('collectClusterSnapshot on the go-proxmox fixtures', () => {
  const T = 1766014200;
  const nodeRows = (maxcpu: number) => ({
    data: [
      // A real PVE 9 node point (reference section C), then an unknown bucket, then a known one.
      {
        time: T,
        cpu: 0.0277346455515237,
        maxcpu,
        loadavg: 3.44,
        iowait: 0.000922842288903207,
        memtotal: 135038619648,
        memused: 57576897877.3333,
        memavailable: 77461721770.6667,
        roottotal: 100861726720,
        rootused: 30622670848,
        netin: 95589.45,
        netout: 35853.7333333333,
        pressurecpusome: 0.0666666666666667,
      },
      { time: T + 60 },
      { time: T + 120, cpu: 0.5, maxcpu, memused: 2 ** 30, netin: '1000.5' },
    ],
  });

  const fixtureResponses = {
    'GET /cluster/resources': fixture('pve8_cluster_resources.json'),
    'GET /cluster/status': fixture('pve8_cluster_status.json'),
    'GET /cluster/ha/status/current': fixture('pve9_cluster_ha_status_current.json'),
    'GET /cluster/ha/rules': { data: [] },
    'GET /cluster/ha/groups': { data: [] },
    'GET /nodes/node1/rrddata': nodeRows(8),
    'GET /nodes/node2/rrddata': nodeRows(12),
    'GET /nodes/node3/rrddata': nodeRows(4),
    'GET /nodes/node4/rrddata': nodeRows(4),
    'GET /nodes/node1/qemu/101/rrddata': fixture('pve7_qemu101_rrddata_hour_stopped_vm.json'),
    'GET /nodes/node1/qemu/102/migrate': fixture('pve9_qemu101_migrate_precondition.json'),
  };

  it('converts units exactly (cpu × maxcpu, bytes) and keeps the wire facts', async () => {
    const [, client] = await start({ tokenId, tokenSecret, responses: fixtureResponses });
    const { snapshot, stats, warnings } = await collectCluster(client, {
      period: '1h',
      guestSeries: [101],
      localStorageContent: false,
    });
    expect(warnings).toEqual([]);
    expect(clusterSnapshotSchema.safeParse(snapshot).success).toBe(true);
    expect(snapshot.source).toEqual({ kind: 'proxmox', endpoint: client.baseUrl });
    expect(snapshot.period).toBe('hour');

    expect(snapshot.nodes.map((node) => node.name).sort()).toEqual(['node1', 'node2', 'node3', 'node4']);
    const node1 = snapshot.nodes.find((node) => node.name === 'node1')!;
    expect(node1.cpu).toEqual({ cores: 8, usageCores: 0.00336910406788121 * 8 });
    expect(node1.memory).toEqual({ totalBytes: 65919459328, usedBytes: 2113265664 });
    expect(node1.rootDisk).toEqual({ totalBytes: 951055941632, usedBytes: 10486546432 });
    // Node RRD: omitted keys skipped (no zero at T+60), numeric strings coerced.
    expect(node1.series?.cpuCores).toEqual({
      timestamps: [T * 1000, (T + 120) * 1000],
      values: [0.0277346455515237 * 8, 4],
    });
    expect(node1.series?.netInBytesPerSecond?.values).toEqual([95589.45, 1000.5]);
    expect(node1.series?.ioWaitFraction?.timestamps).toEqual([T * 1000]);

    const vm100 = snapshot.guests.find((guest) => guest.vmid === 100)!;
    expect(vm100).toMatchObject({
      kind: 'vm',
      node: 'node2',
      status: 'running',
      template: false,
      haManaged: true,
      haState: 'started',
    });
    expect(vm100.cpu).toEqual({ cores: 1, usageCores: 0.0249060195469461 });
    expect(vm100.memory).toEqual({ maxBytes: 1073741824, usedBytes: 842551296 });
    expect(snapshot.guests.find((guest) => guest.vmid === 101)).toMatchObject({
      template: true,
      status: 'stopped',
    });
    expect(snapshot.guests.find((guest) => guest.vmid === 102)?.tags).toEqual(['go-proxmox+cloud-init']);

    // The stopped VM's RRD has only time/maxcpu/maxmem/disk/maxdisk: no series, and certainly no zeros.
    expect(snapshot.guests.find((guest) => guest.vmid === 101)?.series).toBeUndefined();

    expect(snapshot.storages).toHaveLength(12);
    expect(snapshot.storages.every((storage) => !storage.shared)).toBe(true);
    expect(
      snapshot.storages.find((storage) => storage.id === 'local-zfs' && storage.node === 'node2'),
    ).toMatchObject({
      type: 'zfspool',
      totalBytes: 962664386560,
      usedBytes: 25294921728,
      content: ['images', 'rootdir'],
    });

    // resources + status + HA status + HA rules + HA groups (no rules) + 4 nodes + 1 guest RRD.
    expect(stats.apiCalls).toBe(10);
    expect(stats.byEndpoint['GET /cluster/resources']).toBe(1);
  });

  it('skips the omitted keys of the stopped-VM rrddata fixture when parsed directly', () => {
    const body = fixture('pve7_qemu101_rrddata_hour_stopped_vm.json') as { data: unknown[] };
    const rows = body.data.map((row) => rrdRowSchema.parse(row));
    expect(rows).toHaveLength(70);
    expect(rows.every((row) => row.cpu === undefined && row.mem === undefined)).toBe(true);
    expect(rrdSeries(rows, (row) => row.cpu).values).toEqual([]);
    const lastHour = trimRows(rows, 3600);
    expect(lastHour).toHaveLength(60);
    expect(rrdSeries(lastHour, (row) => row.maxmem).values.every((value) => value === 16777216000)).toBe(
      true,
    );
  });

  it('reads local disks from the migrate precondition only when asked', async () => {
    const [fake, client] = await start({ tokenId, tokenSecret, responses: fixtureResponses });
    const without = await collectClusterSnapshot(client, {
      period: '1h',
      ha: false,
      localStorageContent: false,
    });
    expect(without.guests.find((guest) => guest.vmid === 102)?.localDisks).toEqual([]);
    expect(fake.requests.some((request) => request.path.endsWith('/migrate'))).toBe(false);

    const { snapshot } = await collectCluster(client, {
      period: '1h',
      ha: false,
      checkLocalDisks: true,
      localStorageContent: false,
    });
    expect(snapshot.guests.find((guest) => guest.vmid === 102)).toMatchObject({
      localDisks: [{ volumeId: 'local-lvm:vm-101-disk-0', storage: 'local-lvm', sizeBytes: 34359738368 }],
      storages: ['local-lvm'],
    });
  });
});

describe('collectClusterSnapshot on the simulator', () => {
  it.each([9, 8] as const)(
    'collects PVE %i with the right resolution, units and call count',
    async (pveVersion) => {
      const [fake, client] = await start({
        cluster: {
          seed: 11,
          nodes: 3,
          guests: 18,
          pveVersion,
          imbalance: 'severe',
          now: Date.UTC(2026, 4, 4, 15),
        },
        tokenId,
        tokenSecret,
      });
      const { snapshot, stats, warnings } = await collectCluster(client, {
        period: '24h',
        localStorageContent: false,
      });
      expect(warnings).toEqual([]);
      expect(snapshot.period).toBe('day');
      const sim = fake.cluster;

      for (const node of snapshot.nodes) {
        const simNode = sim.node(node.name)!;
        expect(node.cpu.cores).toBe(simNode.maxcpu);
        const series = node.series!.cpuCores!;
        const step = (series.timestamps[1]! - series.timestamps[0]!) / 1000;
        expect(step).toBe(pveVersion === 9 ? 60 : 1800);
        expect(series.timestamps.at(-1)! - series.timestamps[0]!).toBeLessThan(24 * 3600 * 1000);
        // cpu fraction × maxcpu, checked against the rows PVE would send.
        const rows = sim.nodeRrd(node.name, 'day');
        const row = rows.find((entry) => entry.time * 1000 === series.timestamps[5])!;
        expect(series.values[5]).toBeCloseTo(row.cpu! * row.maxcpu!, 9);
        expect(series.values.every((value) => value > 0)).toBe(true);
      }
      // PVE 8 returns a trailing `{time}`-only row: it must not become a zero.
      if (pveVersion === 8) {
        const rows = sim.nodeRrd('pve1', 'day');
        expect(Object.keys(rows.at(-1)!)).toEqual(['time']);
      }
      // PVE 9: resources, status, HA status, HA rules + 3 nodes. PVE 8: + HA groups + HA resources.
      expect(stats.apiCalls).toBe(pveVersion === 9 ? 7 : 9);
    },
  );

  it('finds local disks with one content listing per node-local storage, not one call per guest', async () => {
    const [fake, client] = await start({
      cluster: { seed: 5, nodes: 3, guests: 20, pveVersion: 9, now: Date.UTC(2026, 4, 4, 15) },
      tokenId,
      tokenSecret,
    });
    const { snapshot, stats, warnings } = await collectCluster(client, { period: '1h', ha: false });
    expect(warnings).toEqual([]);
    const sim = fake.cluster;
    const localStorages = sim.storages
      .filter((storage) => !storage.shared && /images|rootdir/.test(storage.content.join(',')))
      .reduce(
        (count, storage) => count + storage.nodes.filter((node) => sim.node(node)?.online !== false).length,
        0,
      );
    expect(stats.apiCalls).toBe(2 + 3 + localStorages);
    for (const guest of sim.guests) {
      const local = guest.disks.filter(
        (disk) => !sim.storages.find((storage) => storage.id === disk.storage)?.shared,
      );
      const collected = snapshot.guests.find((entry) => entry.vmid === guest.vmid)!;
      expect(collected.localDisks.map((disk) => disk.volumeId).sort()).toEqual(
        local.map((disk) => disk.volid).sort(),
      );
      for (const disk of local) expect(collected.storages).toContain(disk.storage);
    }
    expect(snapshot.guests.some((guest) => guest.localDisks.length > 0)).toBe(true);
  });

  it('trims 6h to the last six hours and 7d to a week, and costs 2 + nodes without HA', async () => {
    const [, client] = await start({
      cluster: { seed: 3, nodes: 4, guests: 10, pveVersion: 8, now: Date.UTC(2026, 4, 4, 15) },
      tokenId,
      tokenSecret,
    });
    const six = await collectCluster(client, { period: '6h', ha: false, localStorageContent: false });
    const cpu = six.snapshot.nodes[0]!.series!.cpuCores!;
    expect(cpu.timestamps.at(-1)! - cpu.timestamps[0]!).toBeLessThanOrEqual(6 * 3600 * 1000);
    expect(six.stats.apiCalls).toBe(2 + 4);
    const week = await collectCluster(client, { period: '7d', ha: false, localStorageContent: false });
    const weekly = week.snapshot.nodes[0]!.series!.cpuCores!;
    expect((weekly.timestamps[1]! - weekly.timestamps[0]!) / 1000).toBe(10800);
    expect(weekly.timestamps.at(-1)! - weekly.timestamps[0]!).toBeLessThanOrEqual(7 * 86400 * 1000);
  });

  it('derives constraints from tags (PVE 8 separators too) and HA rules', async () => {
    const [, client9] = await start({
      cluster: { seed: 5, nodes: 3, guests: 16, pveVersion: 9 },
      tokenId,
      tokenSecret,
    });
    const snapshot = await collectClusterSnapshot(client9, { period: '1h' });
    const { constraints } = snapshot;
    const web = constraints.antiAffinityGroups.find((group) => group.id === 'tag:plb_anti_affinity_web');
    expect(web?.members).toEqual([104, 105, 106]);
    expect(constraints.affinityGroups.find((group) => group.id === 'tag:plb_affinity_db')?.members).toEqual([
      107, 108,
    ]);
    expect(constraints.ignoredGuests.map((entry) => entry.vmid)).toEqual([109]);
    expect(constraints.pins).toContainEqual(
      expect.objectContaining({ vmid: 110, nodes: ['pve1'], strict: true }),
    );
    // HA: node-affinity (non-strict) pin and a negative resource-affinity rule.
    expect(constraints.pins).toContainEqual(
      expect.objectContaining({
        vmid: 102,
        nodes: ['pve1', 'pve2'],
        strict: false,
        origin: { kind: 'ha-rule', rule: 'ha-app-prefer' },
      }),
    );
    expect(
      constraints.antiAffinityGroups.find((group) => group.id === 'ha-rule:ha-app-apart')?.members,
    ).toEqual([102, 103]);
    expect(snapshot.guests.filter((guest) => guest.haManaged).map((guest) => guest.vmid)).toEqual([102, 103]);
    expect(snapshot.guests.find((guest) => guest.vmid === 101)?.lock).toBe('backup');
    expect(snapshot.guests.find((guest) => guest.vmid === 100)?.template).toBe(true);

    const [, client8] = await start({
      cluster: { seed: 5, nodes: 3, guests: 16, pveVersion: 8 },
      tokenId,
      tokenSecret,
    });
    const snapshot8 = await collectClusterSnapshot(client8, { period: '1h' });
    expect(snapshot8.guests.find((guest) => guest.vmid === 107)?.tags).toEqual(['plb_affinity_db', 'prod']);
    expect(snapshot8.guests.find((guest) => guest.vmid === 110)?.tags).toEqual(['plb_pin_pve1', 'prod']);
    expect(snapshot8.constraints.pins).toContainEqual(
      expect.objectContaining({
        vmid: 102,
        strict: false,
        origin: { kind: 'ha-rule', rule: 'group:ha-prefer' },
      }),
    );
  });

  it('asks guest RRD only where asked, and skips offline and maintenance nodes correctly', async () => {
    const [fake, client] = await start({
      cluster: {
        seed: 9,
        pveVersion: 9,
        guests: 8,
        nodes: [
          { cores: 16, memoryGiB: 64 },
          { cores: 8, memoryGiB: 32, maintenance: true },
          { cores: 8, memoryGiB: 32, online: false },
        ],
      },
      tokenId,
      tokenSecret,
    });
    const running = fake.cluster.guests.find((guest) => guest.status === 'running' && guest.node === 'pve1')!;
    const { snapshot, stats } = await collectCluster(client, {
      period: '1h',
      guestSeries: [running.vmid],
      localStorageContent: false,
    });
    expect(snapshot.nodes.map((node) => [node.name, node.status, node.maintenance])).toEqual([
      ['pve1', 'online', false],
      ['pve2', 'online', true],
      ['pve3', 'offline', false],
    ]);
    expect(snapshot.nodes[2]!.series).toBeUndefined();
    expect(snapshot.constraints.maintenanceNodes.map((entry) => entry.node)).toEqual(['pve2']);
    const guest = snapshot.guests.find((entry) => entry.vmid === running.vmid)!;
    expect(guest.series?.cpuCores?.values.length).toBeGreaterThan(50);
    expect(guest.series!.cpuCores!.values.every((value) => value <= running.maxcpu)).toBe(true);
    expect(fake.requests.filter((request) => /\/(qemu|lxc)\/\d+\/rrddata$/.test(request.path))).toHaveLength(
      1,
    );
    expect(fake.requests.some((request) => request.path === '/nodes/pve3/rrddata')).toBe(false);
    expect(stats.apiCalls).toBe(4 + 2 + 1);
    expect(splitTags('a, b c;d')).toEqual(['a', 'b', 'c', 'd']);
  });

  it('keeps going with a warning when one node RRD fails, and stops on abort', async () => {
    const [fake, client] = await start({ cluster: { seed: 2, nodes: 3, guests: 6 }, tokenId, tokenSecret });
    fake.addFault({
      path: '/nodes/pve2/rrddata',
      fault: { type: 'status', status: 403, message: 'Permission check failed (/nodes/pve2, Sys.Audit)' },
    });
    const { snapshot, warnings } = await collectCluster(client, { period: '1h' });
    expect(snapshot.nodes.find((node) => node.name === 'pve2')?.series).toBeUndefined();
    expect(warnings).toEqual([expect.stringContaining('RRD of node pve2 unavailable')]);

    fake.addFault({ path: '/nodes/pve1/rrddata', fault: { type: 'hang' } });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await expect(collectCluster(client, { period: '1h', signal: controller.signal })).rejects.toSatisfy(
      (error: unknown) => AbortedError.isInstance(error),
    );
  });
});
