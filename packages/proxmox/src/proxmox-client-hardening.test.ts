import { inspect } from 'node:util';
import { CollectorError, ConfigError, DEFAULT_MAX_RESPONSE_BYTES } from '@ballast/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { maxEndpointKeys, otherEndpointsKey } from './endpoint-key';
import { createProxmoxClient, type ProxmoxFetch, type ProxmoxFetchResponse } from './proxmox-client';
import { isLoopbackHost } from './transport-security';

const tokenId = 'ballast@pve!advisor';
const tokenSecret = '6c3f1a52-9d8e-4b7a-a1f0-c2d4e6f8a0b2';

afterEach(() => {
  vi.restoreAllMocks();
});

function respond(
  body: string | ReadableStream<Uint8Array>,
  init: { status?: number; headers?: Record<string, string> } = {},
): ProxmoxFetchResponse {
  const status = init.status ?? 200;
  const headers = new Headers(init.headers);
  return {
    status,
    statusText: status === 200 ? 'OK' : 'Error',
    ok: status < 400,
    headers,
    ...(typeof body === 'string' ? {} : { body }),
    text: async () => (typeof body === 'string' ? body : new Response(body).text()),
  };
}

function clientWith(fetch: ProxmoxFetch, extra: Partial<Parameters<typeof createProxmoxClient>[0]> = {}) {
  return createProxmoxClient({
    baseUrl: 'http://127.0.0.1:8006',
    tokenId,
    tokenSecret,
    retries: 0,
    fetch,
    ...extra,
  });
}

function fragments(secret: string, length = 4): string[] {
  return Array.from({ length: secret.length - length + 1 }, (_, index) =>
    secret.slice(index, index + length),
  );
}

describe('Proxmox transport security (issue 10)', () => {
  it('refuses to send the token over http:// to a non-loopback host', () => {
    const create = () =>
      createProxmoxClient({ baseUrl: 'http://pve1.example.com:8006', tokenId, tokenSecret });
    expect(create).toThrow(ConfigError);
    expect(create).toThrow(/Refusing to send the Proxmox API token over plain HTTP to pve1.example.com:8006/);
    expect(() => createProxmoxClient({ baseUrl: 'http://10.0.0.5:8006', tokenId, tokenSecret })).toThrow(
      ConfigError,
    );
  });

  it('allows plain HTTP off loopback only with allowInsecureHttp, warning on every start', () => {
    const onWarning = vi.fn();
    for (let start = 0; start < 2; start++) {
      createProxmoxClient({
        baseUrl: 'http://pve1.lab:8006',
        tokenId,
        tokenSecret,
        allowInsecureHttp: true,
        onWarning,
      });
    }
    expect(onWarning).toHaveBeenCalledTimes(2);
    expect(onWarning).toHaveBeenLastCalledWith(
      '[ballast/proxmox] INSECURE: allowInsecureHttp is on; the API token is sent to pve1.lab:8006 in clear text over http://',
    );
  });

  it.each(['http://127.0.0.1:8006', 'http://127.8.9.10', 'http://localhost:8006', 'http://[::1]:8006'])(
    'accepts loopback %s over http without a warning',
    (baseUrl) => {
      const onWarning = vi.fn();
      expect(createProxmoxClient({ baseUrl, tokenId, tokenSecret, onWarning }).baseUrl).toBe(
        baseUrl.replace(/\/$/, ''),
      );
      expect(onWarning).not.toHaveBeenCalled();
    },
  );

  it('knows loopback from look-alikes', () => {
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('[::1]')).toBe(true);
    expect(isLoopbackHost('127.0.0.1.evil.example')).toBe(false);
    expect(isLoopbackHost('localhost.evil.example')).toBe(false);
    expect(isLoopbackHost('128.0.0.1')).toBe(false);
  });

  it('warns on every start when TLS verification is off, through onWarning or console.warn', () => {
    const onWarning = vi.fn();
    const tls = { insecureSkipVerify: true };
    createProxmoxClient({ baseUrl: 'https://pve1:8006', tokenId, tokenSecret, tls, onWarning });
    createProxmoxClient({
      baseUrl: 'https://pve1:8006',
      tokenId,
      tokenSecret,
      tls: { insecure: true },
      onWarning,
    });
    expect(onWarning).toHaveBeenCalledTimes(2);
    expect(onWarning.mock.calls[0]?.[0]).toMatch(
      /^\[ballast\/proxmox\] INSECURE: TLS certificate verification is off for pve1:8006/,
    );
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    createProxmoxClient({ baseUrl: 'https://pve1:8006', tokenId, tokenSecret, tls });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).not.toContain(tokenSecret);
  });
});

describe('Proxmox client resource bounds (issue 10)', () => {
  it('counts task polls under one endpoint key, not one per UPID', async () => {
    const client = clientWith(async () => respond('{"data":{"status":"running"}}'));
    for (let task = 0; task < 50; task++) {
      const upid = `UPID:pve${task % 3}:0000B0${task.toString(16).padStart(2, '0')}:0000B001:65A0F00D:qmigrate:${100 + task}:root@pam:`;
      await client.request('GET', `/nodes/pve${task % 3}/tasks/${upid}/status`, z.unknown());
      await client.request('GET', `/nodes/pve${task % 3}/qemu/${100 + task}/rrddata`, z.unknown());
    }
    expect(client.stats.byEndpoint).toEqual({
      'GET /nodes/{node}/tasks/{upid}/status': 50,
      'GET /nodes/{node}/qemu/{vmid}/rrddata': 50,
    });
  });

  it('keeps at most maxEndpointKeys keys, then counts under (other)', async () => {
    const client = clientWith(async () => respond('{"data":null}'));
    for (let index = 0; index < maxEndpointKeys + 50; index++) {
      await client.request('GET', `/custom/endpoint-${index}`, z.unknown());
    }
    expect(Object.keys(client.stats.byEndpoint)).toHaveLength(maxEndpointKeys + 1);
    expect(client.stats.byEndpoint[otherEndpointsKey]).toBe(50);
    expect(client.stats.apiCalls).toBe(maxEndpointKeys + 50);
  });

  it('refuses a body whose content-length is over the cap, without reading it', async () => {
    const text = vi.fn(async () => '{"data":[]}');
    const client = clientWith(async () => ({
      ...respond('{"data":[]}', { headers: { 'content-length': String(DEFAULT_MAX_RESPONSE_BYTES + 1) } }),
      text,
    }));
    const error = await client.getClusterResources().catch((caught: unknown) => caught);
    expect(CollectorError.isInstance(error)).toBe(true);
    expect((error as CollectorError).message).toBe(
      `Proxmox API GET /cluster/resources sent a response body of ${DEFAULT_MAX_RESPONSE_BYTES + 1} bytes, over the limit of ${DEFAULT_MAX_RESPONSE_BYTES} bytes (maxResponseBytes)`,
    );
    expect(text).not.toHaveBeenCalled();
  });

  it('stops reading a streamed body with no length once it passes maxResponseBytes', async () => {
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(1024).fill(0x20));
      },
    });
    const client = clientWith(async () => respond(endless), { maxResponseBytes: 10_000 });
    const error = await client.getClusterResources().catch((caught: unknown) => caught);
    expect(CollectorError.isInstance(error)).toBe(true);
    expect((error as CollectorError).message).toMatch(/over the limit of 10000 bytes \(maxResponseBytes\)$/);
    expect(pulled).toBeLessThan(20);
  });

  it('also checks bodies of fetch implementations without a stream', async () => {
    const client = clientWith(async () => respond(`{"data":"${'x'.repeat(2_000)}"}`), {
      maxResponseBytes: 1_000,
    });
    await expect(client.getVersion()).rejects.toThrow(/over the limit of 1000 bytes/);
  });
});

describe('Proxmox error messages redact before truncating (issue 10)', () => {
  it('keeps no fragment of a token secret that straddles the 120-character cut', async () => {
    // Before the fix the body was cut at 120 characters first, leaving the secret's first 13
    // characters, which no longer matched the secret and were not redacted.
    const body = `${'<html>proxy error '.padEnd(107, '.')}${tokenSecret} and more`;
    const client = clientWith(async () => respond(body));
    const error = await client.getVersion().catch((caught: unknown) => caught);
    expect(CollectorError.isInstance(error)).toBe(true);
    const printed = [inspect(error, { depth: 10 }), JSON.stringify(error), (error as Error).message].join(
      '\n',
    );
    for (const fragment of fragments(tokenSecret)) expect(printed).not.toContain(fragment);
    expect((error as Error).message).toContain('[redacted]');
  });
});
