import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeProxmox, startFakeProxmox } from './fake-proxmox';

const tokenId = 'root@pam!ci';
const tokenSecret = 'd1c2b3a4-0000-4000-8000-123456789abc';
const auth = { authorization: `PVEAPIToken=${tokenId}=${tokenSecret}` };

let fake: FakeProxmox;
beforeEach(async () => {
  fake = await startFakeProxmox({
    cluster: { seed: 2, nodes: 3, guests: 16, pveVersion: 9, now: Date.UTC(2026, 0, 1) },
    tokenId,
    tokenSecret,
    migrationDurationMs: 30,
  });
});
afterEach(async () => {
  await fake.close();
});

const get = async (path: string, headers: Record<string, string> = auth) => {
  const response = await fetch(`${fake.url}/api2/json${path}`, { headers });
  return {
    status: response.status,
    statusText: response.statusText,
    body: (await response.json()) as { data: unknown },
  };
};

describe('startFakeProxmox', () => {
  it('answers 401 {"data":null} like PVE without a valid token', async () => {
    expect(await get('/cluster/resources', {})).toMatchObject({
      status: 401,
      statusText: 'No ticket',
      body: { data: null },
    });
    const wrong = await get('/cluster/resources', { authorization: `PVEAPIToken=${tokenId}=nope` });
    expect(wrong).toMatchObject({ status: 401, statusText: 'authentication failure', body: { data: null } });
  });

  it('speaks the wire format: envelope, 0/1 booleans, PVE 9 fields, sdn/pool rows', async () => {
    const { body } = await get('/cluster/resources');
    const rows = body.data as Array<Record<string, unknown>>;
    const vm = rows.find((row) => row.type === 'qemu' && row.status === 'running')!;
    expect(vm.template).toBe(0);
    expect(typeof vm.memhost).toBe('number');
    expect(rows.find((row) => row.type === 'node')!['host-arch']).toBe('x86_64');
    expect(rows.some((row) => row.type === 'network')).toBe(true);
    expect(rows.find((row) => row.type === 'storage' && row.storage === 'ceph-vm')!.shared).toBe(1);
    const status = (await get('/nodes/pve1/status')).body.data as { loadavg: unknown[] };
    expect(status.loadavg.every((value) => typeof value === 'string')).toBe(true);
    expect((await get('/cluster/ha/rules')).status).toBe(200);
  });

  it('runs a migration as a task with a real-format UPID, then moves the guest', async () => {
    // The task stays running until the test releases it, so no poll races the migration's timer.
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    await fake.close();
    fake = await startFakeProxmox({
      cluster: { seed: 2, nodes: 3, guests: 16, pveVersion: 9, now: Date.UTC(2026, 0, 1) },
      tokenId,
      tokenSecret,
      migrationDurationMs: 30,
      holdMigrationsUntil: released,
    });
    const guest = fake.cluster.guests.find(
      (entry) =>
        entry.kind === 'qemu' &&
        entry.status === 'running' &&
        !entry.haManaged &&
        !entry.lock &&
        entry.disks.every((disk) => disk.storage === 'ceph-vm'),
    )!;
    const source = guest.node;
    const target = fake.cluster.nodes.find((node) => node.name !== source)!.name;
    const response = await fetch(`${fake.url}/api2/json/nodes/${source}/qemu/${guest.vmid}/migrate`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' },
      body: `target=${target}&online=1`,
    });
    const upid = ((await response.json()) as { data: string }).data;
    expect(upid).toMatch(
      new RegExp(`^UPID:${source}:[0-9A-F]{8}:[0-9A-F]{8}:[0-9A-F]{8}:qmigrate:${guest.vmid}:root@pam!ci:$`),
    );
    expect(fake.cluster.guest(guest.vmid)!.lock).toBe('migrate');
    const running = await get(`/nodes/${source}/tasks/${encodeURIComponent(upid)}/status`);
    expect(running.body.data).toMatchObject({ status: 'running', user: 'root@pam', tokenid: 'ci' });
    release();
    // Poll like a client would, until the task has stopped (bounded by the test timeout).
    let done = await get(`/nodes/${source}/tasks/${encodeURIComponent(upid)}/status`);
    while ((done.body.data as { status?: string }).status === 'running') {
      await new Promise((resolve) => setTimeout(resolve, 10));
      done = await get(`/nodes/${source}/tasks/${encodeURIComponent(upid)}/status`);
    }
    expect(done.body.data).toMatchObject({ status: 'stopped', exitstatus: 'OK' });
    expect(fake.cluster.guest(guest.vmid)!.node).toBe(target);
    const archived = (await get(`/nodes/${source}/tasks?vmid=${guest.vmid}`)).body.data as unknown[];
    expect(archived).toHaveLength(1);
  });

  it('refuses a running VM without online=1 and rejects parameters like PVE', async () => {
    const guest = fake.cluster.guests.find(
      (entry) => entry.kind === 'qemu' && entry.status === 'running' && !entry.haManaged && !entry.lock,
    )!;
    const post = (body: string) =>
      fetch(`${fake.url}/api2/json/nodes/${guest.node}/qemu/${guest.vmid}/migrate`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
    const target = fake.cluster.nodes.find((node) => node.name !== guest.node)!.name;
    const offline = await post(`target=${target}`);
    expect(offline.status).toBe(500);
    expect(offline.statusText).toBe("can't migrate running VM without --online");
    const missing = await post('');
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ data: null, errors: { target: expect.any(String) } });
  });

  it('injects faults by path: status, delay, reset and hang', async () => {
    fake.addFault({
      path: '/cluster/status',
      times: 1,
      fault: { type: 'status', status: 503, message: 'busy' },
    });
    expect((await get('/cluster/status')).status).toBe(503);
    expect((await get('/cluster/status')).status).toBe(200);
    fake.addFault({ path: '/version', fault: { type: 'reset' } });
    await expect(get('/version')).rejects.toThrow();
    fake.clearFaults();
    fake.addFault({ path: /rrddata$/, fault: { type: 'delay', ms: 30 } });
    const started = Date.now();
    expect((await get('/nodes/pve1/rrddata?timeframe=hour')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
    fake.addFault({ path: '/cluster/options', fault: { type: 'hang' } });
    await expect(
      fetch(`${fake.url}/api2/json/cluster/options`, { headers: auth, signal: AbortSignal.timeout(50) }),
    ).rejects.toThrow();
  });
});
