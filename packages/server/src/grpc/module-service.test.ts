import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminKey,
  clientKey,
  type GatewayFixture,
  startGatewayFixture,
} from '../gateway/gateway.test-helper';
import { loadModuleServiceDefinition, type ModuleServiceServer, startModuleService } from './module-service';

let fixture: GatewayFixture;
let service: ModuleServiceServer;
let client: grpc.Client & Record<string, (...args: unknown[]) => unknown>;

const call = <T>(method: string, request: object, key: string | undefined = clientKey): Promise<T> =>
  new Promise((resolve, reject) => {
    const metadata = new grpc.Metadata();
    if (key) metadata.set('authorization', `Bearer ${key}`);
    (
      client[method] as (
        r: object,
        m: grpc.Metadata,
        o: object,
        cb: (e: grpc.ServiceError | null, v: T) => void,
      ) => void
    )(request, metadata, { deadline: Date.now() + 15_000 }, (error, value) =>
      error ? reject(error) : resolve(value),
    );
  });

beforeAll(async () => {
  fixture = await startGatewayFixture();
  service = await startModuleService(fixture.gateway, { port: 0, version: '0.1.0' });
  const ModuleService = loadModuleServiceDefinition();
  client = new ModuleService(`127.0.0.1:${service.port}`, grpc.credentials.createInsecure()) as never;
  await fetch(`${fixture.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${clientKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
  });
});
afterAll(async () => {
  client.close();
  await service.close();
  await fixture.close();
});

describe('gRPC ModuleService with a real grpc-js client', () => {
  it('GetStatus reports the module, its providers and features', async () => {
    const status = await call<{
      module_id: string;
      status: string;
      providers: Array<{ target: string; status: string }>;
      strategy: string;
      version: string;
    }>('GetStatus', {});
    expect(status).toMatchObject({
      module_id: 'ballast-gateway',
      status: 'ok',
      strategy: 'weighted',
      version: '0.1.0',
    });
    expect(status.providers.map((provider) => provider.target)).toEqual([
      'openai:gpt-4o-mini',
      'anthropic:claude-3-5-haiku-latest',
    ]);
  });

  it('GetRoutes lists HTTP routes and model names', async () => {
    const routes = await call<{ routes: Array<{ path: string }>; models: Array<{ id: string }> }>(
      'GetRoutes',
      {},
    );
    expect(routes.routes.map((route) => route.path)).toContain('/v1/chat/completions');
    expect(routes.models.map((model) => model.id)).toContain('smart');
  });

  it('GetMetrics reports measured per-target figures', async () => {
    const metrics = await call<{
      total_requests: number;
      targets: Array<{ target: string; requests: number; latency_p50_ms: number }>;
    }>('GetMetrics', { window_minutes: 60 });
    expect(metrics.total_requests).toBe(1);
    const openai = metrics.targets.find((target) => target.target === 'openai:gpt-4o-mini');
    expect(openai?.requests).toBe(1);
    expect(openai?.latency_p50_ms).toBeGreaterThan(0);
  });

  it('refuses calls without a key and writes without an admin key', async () => {
    await expect(call('GetStatus', {}, '')).rejects.toMatchObject({
      code: grpc.status.UNAUTHENTICATED,
    });
    await expect(call('Reload', {}, clientKey)).rejects.toMatchObject({
      code: grpc.status.PERMISSION_DENIED,
    });
  });

  it('SetTrafficWeight, ApplyRateLimit and Reload change the running gateway', async () => {
    const weight = await call<{ success: boolean; target: string }>(
      'SetTrafficWeight',
      { target: 'anthropic', weight: 5, max_concurrent: 4 },
      adminKey,
    );
    expect(weight).toMatchObject({ success: true, target: 'anthropic:claude-3-5-haiku-latest' });
    expect(fixture.gateway.targetSettings()['anthropic:claude-3-5-haiku-latest']).toEqual({
      weight: 5,
      maxConcurrent: 4,
    });
    await expect(call('SetTrafficWeight', { target: 'nobody', weight: 1 }, adminKey)).rejects.toMatchObject({
      code: grpc.status.NOT_FOUND,
    });
    // As over HTTP: a weight that would make routing scores Infinity is refused, nothing changes.
    await expect(
      call('SetTrafficWeight', { target: 'anthropic', weight: 1e308 }, adminKey),
    ).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
    expect(fixture.gateway.targetSettings()['anthropic:claude-3-5-haiku-latest']?.weight).toBe(5);

    expect(
      await call('ApplyRateLimit', { key_id: 'client', requests_per_minute: 1 }, adminKey),
    ).toMatchObject({ success: true });
    const models = () =>
      fetch(`${fixture.url}/v1/models`, { headers: { authorization: `Bearer ${clientKey}` } });
    expect((await models()).status).toBe(200);
    expect((await models()).status).toBe(429);
    await call('ApplyRateLimit', { key_id: 'client', requests_per_minute: 0 }, adminKey);
    expect((await models()).status).toBe(200);

    const reloaded = await call<{ strategy: string }>('Reload', { strategy: 'round_robin' }, adminKey);
    expect(reloaded.strategy).toBe('round-robin');
    expect(
      (
        await (
          await fetch(`${fixture.url}/api/routing/stats`, {
            headers: { authorization: `Bearer ${clientKey}` },
          })
        ).json()
      ).strategy,
    ).toBe('round-robin');
    await expect(call('Reload', { strategy: 'chaos' }, adminKey)).rejects.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
    });
  });
});
