import { CollectorError } from '@ballast/core';
import { describe, expect, it } from 'vitest';
import { collectCluster } from './collect-cluster-snapshot';
import { createProxmoxClient } from './proxmox-client';
import { checkClusterResources } from './resource-integrity';
import type { ClusterResource } from './wire-schemas';

const GiB = 2 ** 30;
const node = (name: string, extra: Record<string, unknown> = {}) => ({
  id: `node/${name}`,
  type: 'node',
  node: name,
  status: 'online',
  cpu: 0.2,
  maxcpu: 16,
  mem: 20 * GiB,
  maxmem: 64 * GiB,
  disk: 10 * GiB,
  maxdisk: 100 * GiB,
  ...extra,
});
const guest = (vmid: number, on: string, extra: Record<string, unknown> = {}) => ({
  id: `qemu/${vmid}`,
  type: 'qemu',
  vmid,
  node: on,
  name: `vm${vmid}`,
  status: 'running',
  cpu: 0.5,
  maxcpu: 4,
  mem: 4 * GiB,
  maxmem: 8 * GiB,
  ...extra,
});

/** A client whose `/cluster/resources` answers `rows`; every other endpoint answers `[]`. */
function clientServing(rows: unknown[]) {
  return createProxmoxClient({
    baseUrl: 'http://127.0.0.1:8006',
    tokenId: 'ballast@pve!advisor',
    tokenSecret: 'secret-0000',
    retries: 0,
    fetch: async (url) => {
      const data = new URL(url).pathname.endsWith('/cluster/resources') ? rows : [];
      return {
        status: 200,
        statusText: 'OK',
        ok: true,
        headers: new Headers(),
        text: async () => JSON.stringify({ data }),
      };
    },
  });
}

const collect = (rows: unknown[]) =>
  collectCluster(clientServing(rows), { ha: false, localStorageContent: false }).catch(
    (error: unknown) => error,
  );

describe('collectCluster refuses missing or impossible data instead of reading zeros (issue 10)', () => {
  it('collects a consistent cluster', async () => {
    const result = await collect([node('pve1'), node('pve2'), guest(101, 'pve1')]);
    expect(CollectorError.isInstance(result)).toBe(false);
  });

  it.each([
    [
      'an online node without maxcpu',
      [node('pve1', { maxcpu: undefined }), guest(101, 'pve1')],
      'node pve1 is online but reports no maxcpu',
    ],
    [
      'an online node without cpu usage',
      [node('pve1', { cpu: undefined, mem: undefined })],
      'node pve1 is online but reports no cpu, mem',
    ],
    ['a negative capacity', [node('pve1', { maxmem: -1 })], 'node/pve1: maxmem is -1, which is impossible'],
    [
      'a duplicate vmid',
      [node('pve1'), node('pve2'), guest(101, 'pve1'), guest(101, 'pve2')],
      'vmid 101 is listed twice',
    ],
    [
      'a guest on an unknown node',
      [node('pve1'), guest(101, 'pve9')],
      "guest 101 is on node pve9, which is not in the cluster's node list",
    ],
    [
      'a running guest without memory figures',
      [node('pve1'), guest(101, 'pve1', { maxmem: undefined, mem: undefined })],
      'guest 101 on node pve1 reports no maxmem, mem',
    ],
    ['a duplicate node', [node('pve1'), node('pve1')], 'node pve1 is listed twice'],
  ])('fails with a CollectorError for %s', async (_, rows, problem) => {
    const error = await collect(rows);
    expect(CollectorError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ source: 'proxmox', endpoint: 'GET /cluster/resources', statusCode: 200 });
    expect((error as CollectorError).message).toContain(problem);
  });

  it('accepts an offline node without capacity, with a warning, and never as a target', async () => {
    const result = await collect([
      node('pve1'),
      { id: 'node/pve2', type: 'node', node: 'pve2', status: 'offline' },
      guest(101, 'pve1'),
    ]);
    expect(CollectorError.isInstance(result)).toBe(false);
    const { snapshot, warnings } = result as Awaited<ReturnType<typeof collectCluster>>;
    expect(warnings).toContain('node pve2 is offline and reports no capacity; it is not a target');
    expect(snapshot.nodes.find((entry) => entry.name === 'pve2')?.status).toBe('offline');
  });

  it('lists every problem, not only the first', () => {
    const rows = [node('pve1', { maxcpu: -4 }), guest(101, 'pve7'), guest(101, 'pve1')] as ClusterResource[];
    expect(checkClusterResources(rows).problems).toEqual([
      'node/pve1: maxcpu is -4, which is impossible',
      "guest 101 is on node pve7, which is not in the cluster's node list",
      'vmid 101 is listed twice',
    ]);
  });
});
