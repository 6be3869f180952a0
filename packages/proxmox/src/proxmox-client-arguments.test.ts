import { ConfigError } from '@ballast/core';
import { type FakeProxmox, startFakeProxmox } from '@ballast/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createProxmoxClient, type ProxmoxClient } from './proxmox-client';
import { rrdSeries, trimRows } from './rrd-series';
import type { RrdRow } from './wire-schemas';

// Arguments of the client's calls, as an LLM's advice or a typo delivers them: a node named `..`
// (or holding a `/`) reached another endpoint of the API, a POST included; `NaN` was sent as the
// text "NaN". Each is now a ConfigError naming the argument, and nothing is sent.

const tokenId = 'ballast@pve!args';
const tokenSecret = '2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c6d';

let fake: FakeProxmox;
let client: ProxmoxClient;
beforeEach(async () => {
  fake = await startFakeProxmox({
    cluster: { seed: 4, nodes: 3, guests: 6, pveVersion: 9 },
    tokenId,
    tokenSecret,
  });
  client = createProxmoxClient({ baseUrl: fake.url, tokenId, tokenSecret, retryBaseDelayMs: 1 });
});
afterEach(async () => {
  await client.close();
  await fake.close();
});

async function refusal(work: () => Promise<unknown>): Promise<string[]> {
  const error = await work().then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(ConfigError.isInstance(error), String(error)).toBe(true);
  return (error as ConfigError).issues.map((issue) => issue.path);
}

describe('ProxmoxClient call arguments', () => {
  it.each<[string, (client: ProxmoxClient, node: string) => Promise<unknown>, string]>([
    ['a node ".."', (c) => c.getNodeStorage('..'), 'node'],
    ['a node with a slash', (c) => c.getNodeRrdData('pve1/qemu/101', { timeframe: 'hour' }), 'node'],
    ['an empty node', (c) => c.listNodeTasks(''), 'node'],
    [
      'an HA sid that climbs out',
      (c) => c.migrateHaResource('vm:101/../../../nodes/pve1/qemu/101/status/stop', 'pve2'),
      'sid',
    ],
    ['a UPID with a slash', (c, node) => c.getTaskStatus(node, 'UPID:a/b'), 'upid'],
    ['a storage ".."', (c, node) => c.getStorageContent(node, '..'), 'storage'],
    ['a NaN vmid', (c, node) => c.getGuestRrdData(node, 'qemu', Number.NaN, { timeframe: 'hour' }), 'vmid'],
    ['a fractional vmid', (c, node) => c.getMigratePrecondition(node, 'qemu', 101.5), 'vmid'],
    [
      'a guest kind that is not qemu/lxc',
      (c, node) => c.getMigratePrecondition(node, 'vm' as never, 101),
      'kind',
    ],
    [
      'a NaN bwlimit',
      (c, node) => c.migrateVm(node, 104, { target: 'pve2', bwlimit: Number.NaN }),
      'body.bwlimit',
    ],
    [
      'an Infinity CT timeout',
      (c, node) => c.migrateContainer(node, 105, { target: 'pve2', timeout: Number.POSITIVE_INFINITY }),
      'body.timeout',
    ],
    ['a NaN task limit', (c, node) => c.listNodeTasks(node, { limit: Number.NaN }), 'query.limit'],
  ])('refuses %s before sending anything', async (_, call, path) => {
    const node = fake.cluster.nodes[0]!.name;
    expect(await refusal(() => call(client, node))).toEqual([path]);
    expect(fake.requests).toHaveLength(0);
  });

  it('refuses a raw request whose path climbs out with "..", and still serves real names', async () => {
    expect(await refusal(() => client.request('GET', '/nodes/../storage', {} as never))).toEqual(['path']);
    expect(fake.requests).toHaveLength(0);
    const node = fake.cluster.nodes[0]!.name;
    expect(Array.isArray(await client.listNodeTasks(node, { limit: 5 }))).toBe(true);
  });
});

describe('RRD helpers', () => {
  const rows = [{ time: 0 }, { time: 60 }, { time: 120, cpu: 0.5 }] as RrdRow[];

  it('trimRows refuses a window that is not a positive number instead of returning no rows', () => {
    for (const window of [Number.NaN, -1, 0, '3600' as unknown as number])
      expect(() => trimRows(rows, window)).toThrow(ConfigError);
    expect(trimRows(rows, Number.POSITIVE_INFINITY)).toHaveLength(3);
    expect(trimRows(rows, 61)).toEqual([{ time: 60 }, { time: 120, cpu: 0.5 }]);
  });

  it('rrdSeries leaves a row without a finite time out instead of a NaN timestamp', () => {
    const series = rrdSeries(
      [
        { time: Number.NaN, cpu: 1 },
        { time: 60, cpu: 2 },
      ] as RrdRow[],
      (row) => row.cpu,
    );
    expect(series).toEqual({ timestamps: [60_000], values: [2] });
  });
});
