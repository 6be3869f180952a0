import { CollectorError, ConfigError } from '@ballast/core';
import { type FakeProxmox, startFakeProxmox } from '@ballast/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collectCluster } from './collect-cluster-snapshot';
import { type ExecuteMigrationsOptions, executeMigrations, type MigrationMove } from './execute-migrations';
import { createProxmoxClient, type ProxmoxClient } from './proxmox-client';

// A skeptical user's options: each bad one is a ConfigError naming it before any request, never
// a run that silently does nothing, waits forever or sends `NaN` to the cluster.

const tokenId = 'ballast@pve!hunt';
const tokenSecret = '1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9';

let fake: FakeProxmox;
let client: ProxmoxClient;
beforeEach(async () => {
  fake = await startFakeProxmox({
    cluster: { seed: 4, nodes: 3, guests: 18, pveVersion: 9, imbalance: 'mild' },
    tokenId,
    tokenSecret,
    migrationDurationMs: 20,
  });
  client = createProxmoxClient({ baseUrl: fake.url, tokenId, tokenSecret, retryBaseDelayMs: 1 });
});
afterEach(async () => {
  await client.close();
  await fake.close();
});

const failure = (work: Promise<unknown>) =>
  work.then(
    () => undefined,
    (error: unknown) => error,
  );

function expectConfigError(error: unknown, path: string): void {
  expect(ConfigError.isInstance(error), String(error)).toBe(true);
  expect((error as ConfigError).issues.map((issue) => issue.path)).toEqual([path]);
}

describe('collectCluster options', () => {
  it.each([
    ['concurrency', { concurrency: Number.NaN }],
    ['concurrency', { concurrency: 0 }],
    ['concurrency', { concurrency: -2 }],
    ['concurrency', { concurrency: 2.5 }],
    ['concurrency', { concurrency: '4' }],
    ['period', { period: '2h' }],
    ['guestSeries', { guestSeries: [101, Number.NaN] }],
    ['guestSeries', { guestSeries: 'all' }],
    ['onProgress', { onProgress: 'log' }],
  ])('refuses a bad %s (%j) with a ConfigError before any request', async (path, options) => {
    expectConfigError(await failure(collectCluster(client, options as never)), path);
    expect(fake.requests).toHaveLength(0);
  });

  it('warns about a guestSeries vmid that is not in the cluster instead of skipping it silently', async () => {
    const known = fake.cluster.guests[0]!.vmid;
    const { snapshot, warnings } = await collectCluster(client, {
      localStorageContent: false,
      guestSeries: [known, 99_999],
    });
    expect(warnings).toContain('guestSeries: no guest 99999 in the cluster; no series for it');
    expect(warnings.join('\n')).not.toContain(`guest ${known} in the cluster`);
    expect(snapshot.guests.find((guest) => guest.vmid === known)).toBeDefined();
  });

  it('still collects every node series with the default concurrency (the NaN case used to collect none)', async () => {
    const { snapshot } = await collectCluster(client, { localStorageContent: false });
    const online = snapshot.nodes.filter((node) => node.status === 'online');
    expect(online.length).toBeGreaterThan(0);
    for (const node of online) expect(node.series?.cpuCores).toBeDefined();
  });
});

describe('collectCluster on a listing without nodes', () => {
  it('fails with a CollectorError that names the likely cause instead of an empty, "balanced" cluster', async () => {
    // What PVE answers a token without Sys.Audit/VM.Audit on /: an empty list, status 200.
    const empty = await startFakeProxmox({
      tokenId,
      tokenSecret,
      responses: { 'GET /cluster/resources': { data: [] } },
    });
    const emptyClient = createProxmoxClient({
      baseUrl: empty.url,
      tokenId,
      tokenSecret,
      retryBaseDelayMs: 1,
    });
    try {
      const error = await failure(collectCluster(emptyClient, { localStorageContent: false }));
      expect(CollectorError.isInstance(error), String(error)).toBe(true);
      expect((error as CollectorError).message).toMatch(/no node.*Sys\.Audit/);
      expect((error as CollectorError).endpoint).toBe('GET /cluster/resources');
    } finally {
      await emptyClient.close();
      await empty.close();
    }
  });
});

describe('executeMigrations options and plans', () => {
  const moveOf = (vmid: number): MigrationMove => {
    const guest = fake.cluster.guest(vmid)!;
    const target = fake.cluster.nodes.find((entry) => entry.name !== guest.node)!.name;
    return { vmid, kind: guest.kind === 'qemu' ? 'vm' : 'ct', source: guest.node, target };
  };

  it.each([
    ['parallel', { parallel: Number.NaN }],
    ['parallel', { parallel: 0 }],
    ['timeoutMs', { timeoutMs: Number.NaN }],
    ['timeoutMs', { timeoutMs: -1 }],
    ['pollIntervalMs', { pollIntervalMs: Number.NaN }],
    ['pollIntervalMs', { pollIntervalMs: 0 }],
    ['bwlimit', { bwlimit: Number.NaN }],
    ['bwlimit', { bwlimit: -5 }],
    ['restartTimeoutSeconds', { restartTimeoutSeconds: Number.POSITIVE_INFINITY }],
  ])('refuses a bad %s (%j) with a ConfigError before any request', async (path, options) => {
    const error = await failure(
      executeMigrations(client, [moveOf(104)], { apply: true, ...(options as ExecuteMigrationsOptions) }),
    );
    expectConfigError(error, path);
    expect(fake.requests).toHaveLength(0);
  });

  it('refuses a plan that is not an array, and moves with an impossible vmid or kind', async () => {
    expectConfigError(await failure(executeMigrations(client, 'all' as never)), 'plan');
    expectConfigError(
      await failure(executeMigrations(client, [{ ...moveOf(104), vmid: Number.NaN }])),
      'plan.0.vmid',
    );
    expectConfigError(
      await failure(executeMigrations(client, [{ ...moveOf(104), kind: 'qemu' as never }])),
      'plan.0.kind',
    );
    expectConfigError(
      await failure(executeMigrations(client, [{ ...moveOf(104), target: '' }])),
      'plan.0.target',
    );
    expect(fake.requests).toHaveLength(0);
  });

  it('sends one migration for a guest the plan lists twice, and refuses the second move', async () => {
    const move = moveOf(104);
    const report = await executeMigrations(client, [move, { ...move }], {
      apply: true,
      parallel: 2,
      pollIntervalMs: 5,
    });
    expect(report.moves.map((entry) => entry.status)).toEqual(['succeeded', 'refused']);
    expect(report.moves[1]!.reason).toBe('guest 104 is already moved by move 0 of this plan');
    expect(fake.requests.filter((request) => request.method === 'POST')).toHaveLength(1);
  });
});
