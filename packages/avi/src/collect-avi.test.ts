import { CollectorError } from '@ballast/core';
import { aviScenario, type FakeAviController, startFakeAviController } from '@ballast/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AviClient, createAviClient } from './avi-client';
import { collectAvi } from './collect-avi';

let avi: FakeAviController;
let client: AviClient;

beforeEach(async () => {
  avi = await startFakeAviController({ defaultPageSize: 2 });
  client = createAviClient({ baseUrl: avi.url, username: avi.username, password: avi.password, pageSize: 2 });
});

afterEach(async () => {
  await client.close();
  await avi.close();
});

describe('collectAvi', () => {
  it('builds a snapshot of VSs with their pools, servers, SEs, state, health and recent metrics', async () => {
    const snapshot = await collectAvi({ client, now: () => 1_700_000_000_000 });
    expect(snapshot.source).toEqual({ controller: avi.url, version: '20.1.1', tenant: 'admin' });
    const shop = snapshot.virtualServices.find((vs) => vs.name === 'vs-shop')!;
    expect(shop).toMatchObject({
      uuid: aviScenario.vsShop,
      operState: 'OPER_UP',
      healthScore: 58,
      poolUuids: [aviScenario.poolShopWeb],
      serviceEngineUuids: [aviScenario.seHot],
    });
    expect(shop.metrics.errorRate5xxPercent?.latest).toBe(9.5);
    expect(shop.metrics.bandwidthBitsPerSecond?.values).toHaveLength(12);
    const pool = snapshot.pools.find((candidate) => candidate.uuid === aviScenario.poolShopWeb)!;
    expect(pool.healthMonitors).toEqual(['hm-shop-http']);
    expect(pool.servers.map((server) => [server.ip, server.operState])).toEqual([
      ['10.10.1.11', 'OPER_UP'],
      ['10.10.1.12', 'OPER_UP'],
      ['10.10.1.13', 'OPER_DOWN'],
    ]);
    expect(pool.servers[2]!.operReasons[0]).toMatch(/failed health monitor hm-shop-http/);
    const hot = snapshot.serviceEngines.find((se) => se.uuid === aviScenario.seHot)!;
    expect(hot).toMatchObject({
      cpuPercent: 91,
      memoryPercent: 68,
      virtualServiceUuids: [aviScenario.vsShop],
    });
    expect(snapshot.serviceEngineGroups[0]).toMatchObject({ maxServiceEnginesPerVirtualService: 4 });
    // All pages were followed (page size 2) and no secret was copied.
    expect(snapshot.virtualServices).toHaveLength(4);
    expect(JSON.stringify(snapshot)).not.toMatch(/aes_key|hmac_key|tls_ticket_key|U2hvcEFlc0tleTEyMzQ1Ng/);
  });

  it.each([
    ['HTML', { type: 'html' } as const],
    ['a 500', { type: 'status', status: 500 } as const],
    ['truncated JSON', { type: 'truncated-json' } as const],
  ])('fails with a CollectorError naming the endpoint on %s', async (_, fault) => {
    avi.addFault({ path: '/api/pool-inventory', fault });
    const error = await collectAvi({ client }).catch((caught: unknown) => caught);
    expect(CollectorError.isInstance(error)).toBe(true);
    expect((error as CollectorError).endpoint).toBe('GET /api/pool-inventory');
  });

  it('survives a session expiring in the middle of paging', async () => {
    avi.addFault({
      path: '/api/virtualservice-inventory',
      query: { page: '2' },
      fault: { type: 'expire-session' },
      times: 1,
    });
    const snapshot = await collectAvi({ client });
    expect(snapshot.virtualServices).toHaveLength(4);
    expect(client.stats.relogins).toBe(1);
  });
});
