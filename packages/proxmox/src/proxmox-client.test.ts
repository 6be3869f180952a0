import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { AbortedError, CollectorError, ConfigError, TimeoutError } from '@ballast/core';
import { type FakeProxmox, startFakeProxmox } from '@ballast/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createProxmoxClient, type ProxmoxClient } from './proxmox-client';

const tokenId = 'ballast@pve!advisor';
const tokenSecret = '6c3f1a52-9d8e-4b7a-a1f0-c2d4e6f8a0b2';

let fake: FakeProxmox;
let client: ProxmoxClient;

beforeEach(async () => {
  fake = await startFakeProxmox({
    cluster: { seed: 7, nodes: 3, guests: 16, pveVersion: 9 },
    tokenId,
    tokenSecret,
  });
  client = createProxmoxClient({ baseUrl: fake.url, tokenId, tokenSecret, retryBaseDelayMs: 1 });
});

afterEach(async () => {
  await client.close();
  await fake.close();
});

function expectNoSecret(error: unknown): void {
  const views = [
    String(error),
    (error as Error).message,
    (error as Error).stack ?? '',
    JSON.stringify(error),
    inspect(error, { depth: 10, showHidden: true }),
    String((error as Error).cause ?? ''),
  ];
  for (const view of views) expect(view).not.toContain(tokenSecret);
}

describe('createProxmoxClient', () => {
  it('sends the PVEAPIToken header and unwraps {"data": ...}', async () => {
    const resources = await client.getClusterResources({ type: 'node' });
    expect(resources.map((row) => row.node)).toEqual(['pve1', 'pve2', 'pve3']);
    const request = fake.requests.at(-1)!;
    expect(request.headers.authorization).toBe(`PVEAPIToken=${tokenId}=${tokenSecret}`);
    expect(request.path).toBe('/cluster/resources');
    expect(request.query).toEqual({ type: 'node' });
    expect(client.stats.apiCalls).toBe(1);
  });

  it('turns a wrong token into a CollectorError naming the endpoint and never the secret', async () => {
    const wrong = createProxmoxClient({ baseUrl: fake.url, tokenId, tokenSecret: `${tokenSecret}x` });
    const error = await wrong.getClusterStatus().catch((caught: unknown) => caught);
    expect(CollectorError.isInstance(error)).toBe(true);
    const collector = error as CollectorError;
    expect(collector.statusCode).toBe(401);
    expect(collector.endpoint).toBe('GET /cluster/status');
    expect(collector.source).toBe('proxmox');
    expect(collector.message).toContain('authentication failure');
    expect(collector.isRetryable).toBe(false);
    for (const view of [
      collector.message,
      collector.stack ?? '',
      JSON.stringify(collector),
      inspect(collector),
    ]) {
      expect(view).not.toContain(`${tokenSecret}x`);
    }
    expectNoSecret(error);
    await wrong.close();
  });

  it('never leaks the secret from network, timeout, HTTP and validation errors', async () => {
    fake.addFault({ path: '/cluster/status', fault: { type: 'reset' } });
    fake.addFault({ path: '/cluster/options', fault: { type: 'hang' } });
    fake.addFault({
      path: '/version',
      fault: { type: 'status', status: 500, message: `boom ${tokenSecret}` },
    });
    const quick = createProxmoxClient({
      baseUrl: fake.url,
      tokenId,
      tokenSecret,
      retries: 0,
      timeoutMs: 100,
    });
    const errors = await Promise.all([
      quick.getClusterStatus().catch((error: unknown) => error),
      quick.getClusterOptions().catch((error: unknown) => error),
      quick.getVersion().catch((error: unknown) => error),
    ]);
    for (const error of errors) {
      expect(CollectorError.isInstance(error)).toBe(true);
      expectNoSecret(error);
    }
    await quick.close();
  });

  it('validates responses and names the endpoint when they do not match', async () => {
    const bad = await startFakeProxmox({
      cluster: { seed: 1, nodes: 1, guests: 0 },
      tokenId,
      tokenSecret,
      responses: { 'GET /cluster/status': { data: [{ type: 'node', id: 42 }] } },
    });
    const badClient = createProxmoxClient({ baseUrl: bad.url, tokenId, tokenSecret });
    const error = await badClient.getClusterStatus().catch((caught: unknown) => caught);
    expect(CollectorError.isInstance(error)).toBe(true);
    expect((error as CollectorError).endpoint).toBe('GET /cluster/status');
    expect((error as CollectorError).message).toMatch(/unexpected response: data\.0\.id/);
    await badClient.close();
    await bad.close();
  });

  it('coerces 0/1 booleans and numeric strings leniently and keeps unknown fields', async () => {
    const lenient = await startFakeProxmox({
      cluster: { seed: 1, nodes: 1, guests: 0 },
      tokenId,
      tokenSecret,
      responses: {
        'GET /cluster/resources': {
          data: [
            {
              id: 'lxc/200',
              type: 'lxc',
              vmid: '200',
              node: 'pve1',
              cpu: '0.46',
              template: 0,
              extra: 'kept',
            },
          ],
        },
      },
    });
    const lenientClient = createProxmoxClient({ baseUrl: lenient.url, tokenId, tokenSecret });
    const [row] = await lenientClient.getClusterResources();
    expect(row).toMatchObject({ vmid: 200, cpu: 0.46, template: false, extra: 'kept' });
    await lenientClient.close();
    await lenient.close();
  });

  it('retries GET on 5xx a bounded number of times', async () => {
    fake.addFault({ path: '/cluster/status', fault: { type: 'status', status: 503, message: 'busy' } });
    const error = await client.getClusterStatus().catch((caught: unknown) => caught);
    expect((error as CollectorError).statusCode).toBe(503);
    expect(fake.requests.filter((request) => request.path === '/cluster/status')).toHaveLength(3);
    expect(client.stats.retries).toBe(2);
  });

  it('recovers when a retry succeeds (5xx then reset then OK)', async () => {
    fake.addFault({ path: '/cluster/status', times: 1, fault: { type: 'status', status: 502 } });
    fake.addFault({ path: '/cluster/status', times: 1, fault: { type: 'reset' } });
    const status = await client.getClusterStatus();
    expect(status[0]?.type).toBe('cluster');
    expect(fake.requests.filter((request) => request.path === '/cluster/status')).toHaveLength(3);
  });

  it('does not retry 4xx or 501', async () => {
    fake.addFault({
      path: '/cluster/status',
      fault: { type: 'status', status: 403, message: 'Permission check failed' },
    });
    await expect(client.getClusterStatus()).rejects.toMatchObject({ statusCode: 403 });
    expect(fake.requests.filter((request) => request.path === '/cluster/status')).toHaveLength(1);
  });

  it('never retries POST, on 5xx or on a reset', async () => {
    fake.addFault({ method: 'POST', path: /\/migrate$/, times: 1, fault: { type: 'status', status: 500 } });
    fake.addFault({ method: 'POST', path: /\/migrate$/, times: 1, fault: { type: 'reset' } });
    const guest = fake.cluster.guests.find(
      (entry) => entry.kind === 'qemu' && entry.status === 'running' && !entry.haManaged,
    )!;
    const target = fake.cluster.nodes.find((node) => node.name !== guest.node)!.name;
    await expect(client.migrateVm(guest.node, guest.vmid, { target, online: true })).rejects.toMatchObject({
      statusCode: 500,
    });
    await expect(client.migrateVm(guest.node, guest.vmid, { target, online: true })).rejects.toSatisfy(
      (error: unknown) => CollectorError.isInstance(error) && error.statusCode === undefined,
    );
    expect(fake.requests.filter((request) => request.method === 'POST')).toHaveLength(2);
  });

  it('times out each attempt and retries GET, then reports a CollectorError caused by a TimeoutError', async () => {
    fake.addFault({ path: '/cluster/status', fault: { type: 'hang' } });
    const quick = createProxmoxClient({
      baseUrl: fake.url,
      tokenId,
      tokenSecret,
      // Long enough for a request to reach the fake on a heavily loaded machine: the assertion
      // below counts attempts the fake received, so an attempt must not time out in transit.
      timeoutMs: 1_000,
      retries: 1,
      retryBaseDelayMs: 1,
    });
    const error = await quick.getClusterStatus().catch((caught: unknown) => caught);
    expect(CollectorError.isInstance(error)).toBe(true);
    expect((error as CollectorError).message).toContain('timed out after 1000 ms');
    expect(TimeoutError.isInstance((error as CollectorError).cause)).toBe(true);
    expect(fake.requests.filter((request) => request.path === '/cluster/status')).toHaveLength(2);
    await quick.close();
  });

  it('stops at once when the caller aborts', async () => {
    fake.addFault({ path: '/cluster/status', fault: { type: 'hang' } });
    const controller = new AbortController();
    const pending = client.getClusterStatus({ signal: controller.signal }).catch((caught: unknown) => caught);
    // Abort once the request has reached the fake (an event), not after a fixed delay.
    await expect
      .poll(() => fake.requests.filter((request) => request.path === '/cluster/status').length, {
        timeout: 10_000,
      })
      .toBe(1);
    controller.abort();
    const error = await pending;
    expect(AbortedError.isInstance(error)).toBe(true);
    expect(fake.requests.filter((request) => request.path === '/cluster/status')).toHaveLength(1);
  });

  it('returns [] for HA rules on PVE 8 (501) and parses PVE 9 rules', async () => {
    expect((await client.getHaRules()).map((rule) => rule.rule)).toEqual(['ha-app-prefer', 'ha-app-apart']);
    const pve8 = await startFakeProxmox({
      cluster: { seed: 7, nodes: 3, guests: 16, pveVersion: 8 },
      tokenId,
      tokenSecret,
    });
    const client8 = createProxmoxClient({ baseUrl: `${pve8.url}/api2/json/`, tokenId, tokenSecret });
    expect(await client8.getHaRules()).toEqual([]);
    expect((await client8.getHaGroups())[0]).toMatchObject({ group: 'ha-prefer', restricted: false });
    await client8.close();
    await pve8.close();
  });

  it('rejects bad options with a ConfigError that does not echo the secret', () => {
    expect(() => createProxmoxClient({ baseUrl: 'https://pve:8006', tokenId: 'root', tokenSecret })).toThrow(
      ConfigError,
    );
    expect(() => createProxmoxClient({ tokenId, tokenSecret })).toThrow(/baseUrl or host/);
    try {
      createProxmoxClient({ baseUrl: 'https://pve:8006', tokenId, tokenSecret: 'has space' });
    } catch (error) {
      expect(String((error as Error).message)).not.toContain('has space');
    }
    const byHost = createProxmoxClient({ host: 'pve1.example.com', tokenId, tokenSecret });
    expect(byHost.baseUrl).toBe('https://pve1.example.com:8006');
  });
});

describe('TLS verification', () => {
  const cert = readFileSync(new URL('./__fixtures__/loopback-cert.pem', import.meta.url));
  const key = readFileSync(new URL('./__fixtures__/loopback-key.pem', import.meta.url));
  const fingerprint =
    '70:0B:91:43:3D:9C:A6:15:F9:05:47:97:2C:83:68:78:FC:2D:85:DA:2B:20:3F:FD:A4:6B:07:1F:F6:E0:5C:26';
  let server: Server;
  let url: string;

  beforeEach(async () => {
    server = createServer({ cert, key }, (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ data: { version: '9.0.10', release: '9.0' } }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const versionWith = async (tls?: Parameters<typeof createProxmoxClient>[0]['tls']) => {
    const tlsClient = createProxmoxClient({
      baseUrl: url,
      tokenId,
      tokenSecret,
      retries: 0,
      onWarning: () => {},
      ...(tls ? { tls } : {}),
    });
    try {
      return await tlsClient.getVersion();
    } finally {
      await tlsClient.close();
    }
  };

  it('verifies certificates by default (a self-signed one is refused)', async () => {
    await expect(versionWith()).rejects.toSatisfy((error: unknown) => CollectorError.isInstance(error));
  });

  it('accepts the server with its CA', async () => {
    await expect(versionWith({ ca: cert })).resolves.toMatchObject({ version: '9.0.10' });
  });

  it('accepts a pinned fingerprint and refuses a different one', async () => {
    await expect(versionWith({ fingerprint })).resolves.toMatchObject({ version: '9.0.10' });
    await expect(
      versionWith({ fingerprint: fingerprint.toLowerCase().replaceAll(':', '') }),
    ).resolves.toBeDefined();
    const wrong = `AA${fingerprint.slice(2)}`;
    const error = await versionWith({ fingerprint: wrong }).catch((caught: unknown) => caught);
    expect(CollectorError.isInstance(error)).toBe(true);
    expect((error as CollectorError).message).toContain('ERR_PROXMOX_FINGERPRINT_MISMATCH');
  });

  it('skips verification only with an explicit insecureSkipVerify: true (or the older insecure: true)', async () => {
    await expect(versionWith({ insecureSkipVerify: true })).resolves.toMatchObject({ version: '9.0.10' });
    await expect(versionWith({ insecure: true })).resolves.toMatchObject({ version: '9.0.10' });
    for (const tls of [{ insecure: false }, { insecureSkipVerify: false }]) {
      const refused = await versionWith(tls).catch((caught: unknown) => caught);
      expect(CollectorError.isInstance(refused)).toBe(true);
      expect(refused).toMatchObject({
        code: 'collector_failed',
        source: 'proxmox',
        endpoint: 'GET /version',
        statusCode: undefined,
        message:
          'Proxmox API GET /version request failed: DEPTH_ZERO_SELF_SIGNED_CERT self-signed certificate',
      });
      expect((refused as CollectorError).cause).toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    }
  });
});
