import { type FakeProxmox, startFakeProxmox } from '@ballast/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collectClusterSnapshot } from './collect-cluster-snapshot';
import { executeMigrations, type MigrationMove, type MigrationProgressEvent } from './execute-migrations';
import { createProxmoxClient, type ProxmoxClient } from './proxmox-client';

const tokenId = 'ballast@pve!migrator';
const tokenSecret = '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b';

let fake: FakeProxmox;
let client: ProxmoxClient;

async function setup(options: Partial<Parameters<typeof startFakeProxmox>[0]> = {}, pveVersion: 8 | 9 = 9) {
  fake = await startFakeProxmox({
    cluster: { seed: 4, nodes: 3, guests: 18, pveVersion, imbalance: 'mild' },
    tokenId,
    tokenSecret,
    migrationDurationMs: 60,
    ...options,
  });
  client = createProxmoxClient({ baseUrl: fake.url, tokenId, tokenSecret, retryBaseDelayMs: 1 });
}

beforeEach(async () => {
  await setup();
});
afterEach(async () => {
  await client.close();
  await fake.close();
});

const otherNode = (node: string) => fake.cluster.nodes.find((entry) => entry.name !== node)!.name;
const moveOf = (vmid: number, target?: string): MigrationMove => {
  const guest = fake.cluster.guest(vmid)!;
  return {
    vmid,
    kind: guest.kind === 'qemu' ? 'vm' : 'ct',
    source: guest.node,
    target: target ?? otherNode(guest.node),
  };
};
const posts = () => fake.requests.filter((request) => request.method === 'POST');

describe('executeMigrations', () => {
  it('dry-runs by default: reads preconditions, reports the request it would send, changes nothing', async () => {
    const move = moveOf(104);
    const report = await executeMigrations(client, [move], { pollIntervalMs: 5 });
    expect(report.applied).toBe(false);
    expect(report.summary.planned).toBe(1);
    const [entry] = report.moves;
    expect(entry).toMatchObject({
      status: 'planned',
      request: {
        method: 'POST',
        path: `/nodes/${move.source}/qemu/104/migrate`,
        params: { target: move.target, online: 1 },
      },
      precondition: { running: true, localResources: [] },
    });
    expect(entry?.precondition?.allowedNodes).toContain(move.target);
    expect(posts()).toHaveLength(0);
    expect(fake.cluster.guest(104)!.node).toBe(move.source);
  });

  it('applies: migrates online, polls the task to OK, and a re-collection shows the guest moved', async () => {
    const move = moveOf(104);
    const report = await executeMigrations(client, [move], { apply: true, pollIntervalMs: 10 });
    const [entry] = report.moves;
    expect(entry?.status).toBe('succeeded');
    expect(entry?.exitStatus).toBe('OK');
    expect(entry?.upid).toMatch(
      new RegExp(
        `^UPID:${move.source}:[0-9A-F]{8}:[0-9A-F]{8}:[0-9A-F]{8}:qmigrate:104:ballast@pve!migrator:$`,
      ),
    );
    expect(posts()[0]?.body).toEqual({ target: move.target, online: '1' });
    const snapshot = await collectClusterSnapshot(client, { period: '1h', ha: false });
    expect(snapshot.guests.find((guest) => guest.vmid === 104)?.node).toBe(move.target);
  });

  it('adds with-local-disks for local disks, and refuses when withLocalDisks is false', async () => {
    const local = moveOf(112);
    const refused = await executeMigrations(client, [{ ...local, withLocalDisks: false }]);
    expect(refused.moves[0]).toMatchObject({
      status: 'refused',
      reason: expect.stringContaining('local disks'),
    });
    const report = await executeMigrations(client, [local], { apply: true, pollIntervalMs: 10 });
    expect(report.moves[0]).toMatchObject({
      status: 'succeeded',
      request: { params: { 'with-local-disks': 1 } },
    });
    expect(fake.cluster.guest(112)!.node).toBe(local.target);
  });

  it('refuses a target PVE does not allow (storage missing there) without sending anything', async () => {
    const pinnedStorage = moveOf(113, 'pve2');
    const report = await executeMigrations(client, [pinnedStorage], { apply: true });
    expect(report.moves[0]).toMatchObject({
      status: 'refused',
      reason: expect.stringContaining(`storage not available there: nvme-pve1`),
    });
    expect(posts()).toHaveLength(0);
  });

  it('refuses wrong sources, same-node moves, locked guests and unknown targets', async () => {
    const guest = fake.cluster.guest(105)!;
    const report = await executeMigrations(client, [
      {
        ...moveOf(105),
        source: otherNode(guest.node),
        target: fake.cluster.nodes.find(
          (node) => node.name !== guest.node && node.name !== otherNode(guest.node),
        )!.name,
      },
      { ...moveOf(105), target: guest.node },
      moveOf(101),
      { ...moveOf(105), target: 'pve9' },
    ]);
    expect(report.moves.map((entry) => entry.status)).toEqual(['refused', 'refused', 'refused', 'refused']);
    expect(report.moves.map((entry) => entry.reason)).toEqual([
      expect.stringContaining(`is on ${guest.node}`),
      'source and target are the same node',
      'guest 101 is locked (backup)',
      'target node pve9 does not exist',
    ]);
  });

  it('reports a failed task as a failure with its exit status, and leaves the guest in place', async () => {
    await client.close();
    await fake.close();
    await setup({ failMigrations: (vmid) => (vmid === 104 ? 'migration aborted' : false) });
    const move = moveOf(104);
    const report = await executeMigrations(client, [move, moveOf(105)], { apply: true, pollIntervalMs: 10 });
    expect(report.moves[0]).toMatchObject({
      status: 'failed',
      exitStatus: 'migration aborted',
      reason: 'task ended with: migration aborted',
    });
    expect(report.moves[1]?.status).toBe('succeeded');
    expect(report.summary).toMatchObject({ failed: 1, succeeded: 1 });
    expect(fake.cluster.guest(104)!.node).toBe(move.source);
  });

  it('stops after a failure with stopOnFailure', async () => {
    await client.close();
    await fake.close();
    await setup({ failMigrations: () => true });
    const report = await executeMigrations(client, [moveOf(104), moveOf(105)], {
      apply: true,
      pollIntervalMs: 10,
      stopOnFailure: true,
    });
    expect(report.moves.map((entry) => entry.status)).toEqual(['failed', 'skipped']);
    expect(report.moves[0]?.exitStatus).toBe('migration aborted');
  });

  it('migrates CTs with restart=1 and HA guests through the HA stack', async () => {
    const ct = moveOf(106);
    const ha = moveOf(102);
    const report = await executeMigrations(client, [ct, ha], { apply: true, pollIntervalMs: 10 });
    expect(report.moves[0]).toMatchObject({ status: 'succeeded', request: { params: { restart: 1 } } });
    expect(report.moves[0]?.upid).toContain(':vzmigrate:106:');
    expect(report.moves[1]).toMatchObject({
      status: 'succeeded',
      haManaged: true,
      request: { path: '/cluster/ha/resources/vm:102/migrate', params: { node: ha.target } },
    });
    expect(report.moves[1]?.upid).toContain(':qmigrate:102:root@pam:');
    expect(fake.cluster.guest(106)!.node).toBe(ct.target);
    expect(fake.cluster.guest(102)!.node).toBe(ha.target);
  });

  it('follows a guest put under HA after the listing was read: waits for hamigrate, reports the spawned task', async () => {
    const guest = fake.cluster.guests.find(
      (entry) => entry.kind === 'qemu' && !entry.haManaged && entry.lock === undefined,
    )!;
    const move = moveOf(guest.vmid);
    const report = await executeMigrations(client, [move], {
      apply: true,
      pollIntervalMs: 10,
      // The listing is read before the first `checking` event: an HA rule added now is a race
      // the run only learns of from PVE's answer to the plain migrate.
      onProgress: (event) => {
        if (event.status === 'checking') guest.haManaged = true;
      },
    });
    expect(report.moves[0]).toMatchObject({ status: 'succeeded', haManaged: true, exitStatus: 'OK' });
    expect(report.moves[0]?.request?.path).toBe(`/nodes/${move.source}/qemu/${guest.vmid}/migrate`);
    expect(report.moves[0]?.upid).toContain(`:qmigrate:${guest.vmid}:`);
    expect(fake.cluster.guest(guest.vmid)!.node).toBe(move.target);
  });

  it('respects the parallel limit, in plan order', async () => {
    const plan = [104, 105, 107, 114].map((vmid) => moveOf(vmid));
    let inFlight = 0;
    let peak = 0;
    const started: number[] = [];
    const onProgress = (event: MigrationProgressEvent) => {
      if (event.status === 'started') {
        started.push(event.vmid);
        peak = Math.max(peak, ++inFlight);
      }
      if (event.status === 'succeeded' || event.status === 'failed') inFlight--;
    };
    const report = await executeMigrations(client, plan, {
      apply: true,
      parallel: 2,
      pollIntervalMs: 5,
      onProgress,
    });
    expect(report.summary.succeeded).toBe(4);
    expect(peak).toBe(2);
    expect(started.slice(0, 2).sort()).toEqual([104, 105]);
  });

  it('stops waiting on abort and reports the move as aborted, the rest as not started', async () => {
    await client.close();
    await fake.close();
    // The task never finishes on its own, so the abort always lands while it runs.
    await setup({ holdMigrationsUntil: new Promise(() => {}) });
    const controller = new AbortController();
    const onProgress = (event: MigrationProgressEvent) => {
      if (event.status === 'started') setTimeout(() => controller.abort(), 20);
    };
    const report = await executeMigrations(client, [moveOf(104), moveOf(105)], {
      apply: true,
      pollIntervalMs: 10,
      signal: controller.signal,
      onProgress,
    });
    expect(report.moves[0]).toMatchObject({
      status: 'aborted',
      reason: expect.stringContaining('may still be running'),
    });
    expect(report.moves[0]?.upid).toMatch(/^UPID:/);
    expect(report.moves[1]?.status).toBe('aborted');
    expect(posts()).toHaveLength(1);
  });

  it('times out a task that never finishes and reports it as failed', async () => {
    await client.close();
    await fake.close();
    await setup({ holdMigrationsUntil: new Promise(() => {}) });
    const report = await executeMigrations(client, [moveOf(104)], {
      apply: true,
      pollIntervalMs: 10,
      timeoutMs: 100,
    });
    expect(report.moves[0]).toMatchObject({ status: 'failed', reason: expect.stringContaining('timed out') });
  });

  it('checks local storages itself on PVE 8, where running VMs get no allowed_nodes', async () => {
    await client.close();
    await fake.close();
    await setup({}, 8);
    const report = await executeMigrations(client, [moveOf(104), moveOf(113, 'pve2')]);
    expect(report.moves[0]?.precondition?.allowedNodes).toBeUndefined();
    expect(report.moves[0]?.status).toBe('planned');
    expect(report.moves[1]).toMatchObject({
      status: 'refused',
      reason: 'storage not available on pve2: nvme-pve1',
    });
  });
});
