import { BallastError, CollectorError, ConfigError, ValidationError } from '@ballast/core';
import { aviScenario, type FakeAviController, startFakeAviController } from '@ballast/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AviClient, createAviClient } from './avi-client';
import { poolSchema } from './wire-schemas';
import { type ConfirmedAviWrite, createWriteLedger } from './write-plan';

let avi: FakeAviController;
let client: AviClient;

beforeEach(async () => {
  avi = await startFakeAviController();
  client = createAviClient({ baseUrl: avi.url, username: avi.username, password: avi.password });
});

afterEach(async () => {
  await client.close();
  await avi.close();
});

const sessionSecrets = () =>
  avi.requests.flatMap((request) => {
    const cookie = request.headers.cookie;
    return typeof cookie === 'string' ? cookie.split(';').map((part) => part.split('=')[1]!.trim()) : [];
  });

describe('session', () => {
  it('logs in once, then sends cookies, X-CSRFToken, Referer, X-Avi-Version and the tenant', async () => {
    await client.listVirtualServices();
    const [login, list] = avi.requests;
    expect(login).toMatchObject({ method: 'POST', path: '/login', status: 200 });
    expect(list).toMatchObject({ method: 'GET', path: '/api/virtualservice', status: 200 });
    expect(list!.headers.cookie).toMatch(/avi-sessionid=\w+/);
    expect(list!.headers['x-csrftoken']).toMatch(/^\w{32}$/);
    expect(list!.headers.cookie).toContain(`csrftoken=${list!.headers['x-csrftoken']}`);
    expect(list!.headers.referer).toBe(avi.url);
    expect(list!.headers['x-avi-version']).toBe('20.1.1');
    expect(list!.headers['x-avi-tenant']).toBe('admin');
    expect(client.apiVersion).toBe('20.1.1');
  });

  it('takes the rotated CSRF token from every write answer', async () => {
    const ledger = createWriteLedger();
    for (const name of ['hm-a', 'hm-b', 'hm-c']) {
      const { token } = ledger.propose({
        method: 'POST',
        path: '/api/healthmonitor',
        body: { name, type: 'HEALTH_MONITOR_TCP' },
        risk: 'low',
        summary: `create ${name}`,
      });
      await client.execute(ledger.confirm(token));
    }
    const tokens = avi.requests.filter(
      (request) => request.method === 'POST' && request.path === '/api/healthmonitor',
    );
    expect(tokens.map((request) => request.status)).toEqual([201, 201, 201]);
    expect(new Set(tokens.map((request) => request.headers['x-csrftoken'])).size).toBe(3);
    expect(avi.writes).toHaveLength(3);
  });

  it('logs in again and retries once when the session expires (419)', async () => {
    await client.listPools();
    avi.expireSessions();
    const pools = await client.listPools();
    expect(pools.length).toBeGreaterThan(0);
    expect(avi.logins).toBe(2);
    expect(client.stats.relogins).toBe(1);
    expect(avi.requests.map((request) => request.status)).toEqual([200, 200, 419, 200, 200]);
  });

  it('re-logs in when the session expires in the middle of paging, and loses no page', async () => {
    const expected = avi.objects('pool').length - 1; // one pool is in test-tenant
    avi.addFault({
      method: 'GET',
      path: '/api/pool',
      query: { page: '2' },
      fault: { type: 'expire-session' },
      times: 1,
    });
    const pools = await client.listPools({ pageSize: 2 });
    expect(pools).toHaveLength(expected);
    expect(new Set(pools.map((pool) => pool.uuid)).size).toBe(expected);
    expect(client.stats.relogins).toBe(1);
    expect(client.stats.pagesFollowed).toBe(1);
    const secondPage = avi.requests.filter(
      (request) => request.path === '/api/pool' && request.query.page === '2',
    );
    expect(secondPage.map((request) => request.status)).toEqual([419, 200]);
  });

  it('logs out', async () => {
    await client.listPools();
    await client.logout();
    expect(avi.requests.at(-1)).toMatchObject({ method: 'POST', path: '/logout', status: 200 });
  });

  it('refuses a wrong password with a CollectorError that does not echo it', async () => {
    const wrong = createAviClient({ baseUrl: avi.url, username: 'admin', password: 'not-the-password-42' });
    const error = await wrong.listPools().catch((caught: unknown) => caught);
    expect(CollectorError.isInstance(error)).toBe(true);
    expect((error as CollectorError).statusCode).toBe(401);
    expect(String((error as Error).message)).not.toContain('not-the-password-42');
    await wrong.close();
  });
});

describe('reads', () => {
  it('follows next across pages (page_size 1) and returns every object once', async () => {
    const all = await client.listAll('/api/virtualservice', poolSchema.pick({ uuid: true, name: true }), {
      pageSize: 1,
    });
    const names = all.map((vs) => vs.name).sort();
    expect(names).toEqual(['basic_vs', 'ssl_vs', 'vs-api', 'vs-shop']);
    expect(client.stats.pagesFollowed).toBe(3);
  });

  it('passes fields, include_name and filters', async () => {
    const [vs] = await client.listVirtualServices({ includeName: true, filters: { name: 'vs-shop' } });
    expect(vs?.pool_ref).toMatch(/#pool-shop-web$/);
    const projected = await client.listPools({ fields: ['servers'], filters: { 'name.contains': 'shop' } });
    expect(projected.map((pool) => Object.keys(pool).sort())).toEqual([
      ['name', 'servers', 'url', 'uuid'],
      ['name', 'servers', 'url', 'uuid'],
    ]);
  });

  it('keeps unknown fields', async () => {
    const vs = await client.getObject('virtualservice', aviScenario.vsShop);
    expect(vs).toHaveProperty('tls_ticket_key');
    expect(vs.name).toBe('vs-shop');
  });

  it('selects the tenant by name or uuid, per client or per call', async () => {
    const tenantUuid = avi.objects('tenant').find((tenant) => tenant.name === 'test-tenant')!.uuid as string;
    const byName = await client.listPools({ tenant: 'test-tenant' });
    const byUuid = await client.listPools({ tenantUuid });
    expect(byName.map((pool) => pool.name)).toEqual(['basic_vs-pool-test-tenant']);
    expect(byUuid).toEqual(byName);
    expect(avi.requests.at(-1)!.headers['x-avi-tenant-uuid']).toBe(tenantUuid);
  });

  it('reads the three inventories with runtime state and health scores', async () => {
    const [vs] = await client.listVirtualServiceInventory({ filters: { name: 'vs-shop' } });
    expect(vs?.runtime?.oper_status?.state).toBe('OPER_UP');
    expect(vs?.health_score?.health_score).toBe(58);
    const [pool] = await client.listPoolInventory({ filters: { name: 'pool-shop-web' } });
    expect(pool?.runtime?.servers?.map((server) => server.oper_status?.state)).toEqual([
      'OPER_UP',
      'OPER_UP',
      'OPER_DOWN',
    ]);
    const engines = await client.listServiceEngineInventory();
    expect(engines.find((se) => se.uuid === aviScenario.seHot)?.runtime?.power_state).toBe('SE_POWER_ON');
  });

  it('reads analytics one entity at a time and in a batch', async () => {
    const single = await client.getMetrics('virtualservice', aviScenario.vsShop, {
      metricIds: ['l4_client.avg_bandwidth', 'l7_client.pct_response_errors'],
      step: 300,
      limit: 6,
    });
    expect(single.series.map((series) => series.header.name)).toEqual([
      'l4_client.avg_bandwidth',
      'l7_client.pct_response_errors',
    ]);
    expect(single.series[0]!.data).toHaveLength(6);
    const batch = await client.getMetricsCollection([
      {
        id: 'cpu',
        entity_uuid: aviScenario.seHot,
        metric_entity: 'SE_METRICS_ENTITY',
        metric_id: 'se_stats.avg_cpu_usage',
        step: 300,
        limit: 1,
      },
    ]);
    expect(batch.series.cpu?.[aviScenario.seHot]?.[0]?.data[0]?.value).toBe(91);
  });

  it('refuses page sizes over 200 before sending anything', async () => {
    await expect(client.listPools({ pageSize: 500 })).rejects.toSatisfy(ValidationError.isInstance);
    expect(avi.requests).toHaveLength(0);
  });
});

describe('bad controller answers', () => {
  const cases = [
    ['HTML instead of JSON', { type: 'html' }, /returned HTML, not JSON/],
    ['a 500', { type: 'status', status: 500 }, /failed with 500/],
    ['truncated JSON', { type: 'truncated-json' }, /not JSON \(truncated or corrupt/],
    ['a dropped connection', { type: 'reset' }, /request failed/],
  ] as const;

  it.each(cases)(
    '%s gives a CollectorError naming the endpoint, never a secret',
    async (_, fault, message) => {
      await client.listPools(); // logged in: the session cookie exists and must not leak
      avi.addFault({ method: 'GET', path: '/api/virtualservice', fault, times: 1 });
      const error = await client.listVirtualServices().catch((caught: unknown) => caught);
      expect(CollectorError.isInstance(error)).toBe(true);
      const collector = error as CollectorError;
      expect(collector.source).toBe('avi');
      expect(collector.endpoint).toBe('GET /api/virtualservice');
      expect(collector.message).toMatch(message);
      for (const secret of [avi.password, ...sessionSecrets()])
        expect(collector.message).not.toContain(secret);
    },
  );

  it('a wrong shape is a CollectorError naming the field', async () => {
    avi.addFault({
      method: 'GET',
      path: '/api/pool',
      fault: { type: 'status', status: 200, body: { results: 'nope' } },
    });
    await expect(client.listPools()).rejects.toThrow(
      /GET \/api\/pool returned an unexpected response: results/,
    );
  });

  it('a next link to another path is refused', async () => {
    avi.addFault({
      method: 'GET',
      path: '/api/pool',
      fault: {
        type: 'status',
        status: 200,
        body: { count: 2, results: [], next: `${avi.url}/api/useraccount?page=2` },
      },
    });
    await expect(client.listPools()).rejects.toThrow(/next link to another path/);
  });
});

describe('writes', () => {
  it('refuses anything that is not a confirmed plan, and sends nothing', async () => {
    const forged = {
      plan: {
        method: 'DELETE',
        path: `/api/virtualservice/${aviScenario.vsShop}`,
        risk: 'high',
        summary: '',
      },
      planHash: 'x',
    };
    await expect(client.execute(forged as unknown as ConfirmedAviWrite)).rejects.toSatisfy(
      ValidationError.isInstance,
    );
    expect(avi.writes).toEqual([]);
    expect(avi.requests).toEqual([]);
  });

  it('runs a confirmed plan once; the token cannot be reused', async () => {
    const ledger = createWriteLedger();
    const { token } = ledger.propose({
      method: 'POST',
      path: `/api/virtualservice/${aviScenario.vsShop}/scaleout`,
      body: { vip_id: '0' },
      risk: 'medium',
      summary: 'scale out',
    });
    await client.execute(ledger.confirm(token));
    expect(avi.writes).toHaveLength(1);
    expect(() => ledger.confirm(token)).toThrow(expect.objectContaining({ reason: 'token_used' }));
  });
});

describe('options', () => {
  it.each([
    ['plain http to a remote host', { baseUrl: 'http://avi.example.com', username: 'a', password: 'b' }],
    [
      'both password and token',
      { baseUrl: 'https://avi.example.com', username: 'a', password: 'b', token: 'c' },
    ],
    ['a path in baseUrl', { baseUrl: 'https://avi.example.com/api', username: 'a', password: 'b' }],
    [
      'a bad fingerprint',
      { baseUrl: 'https://avi.example.com', username: 'a', password: 'b', tls: { fingerprint: 'zz' } },
    ],
    ['page size 0', { baseUrl: 'https://avi.example.com', username: 'a', password: 'b', pageSize: 0 }],
  ])('%s is a ConfigError', (_, options) => {
    expect(() => createAviClient(options)).toThrow(expect.objectContaining({ code: 'config_invalid' }));
    try {
      createAviClient(options);
    } catch (error) {
      expect(ConfigError.isInstance(error) && BallastError.isInstance(error)).toBe(true);
    }
  });

  it('warns when TLS verification is off', () => {
    const warnings: string[] = [];
    const insecure = createAviClient({
      baseUrl: 'https://avi.example.com',
      username: 'a',
      password: 'b',
      tls: { insecure: true },
      onWarning: (message) => warnings.push(message),
    });
    expect(warnings.join()).toMatch(/verification is off/);
    return insecure.close();
  });
});
