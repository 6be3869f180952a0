import { aviScenario, type FakeAviController, startFakeAviController } from '@ballast/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AviClient, createAviClient } from './avi-client';
import { planCreate, planDelete, planUpdate } from './plan-object-writes';
import { createWriteLedger } from './write-plan';

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

describe('object write plans', () => {
  it('plans an update with a diff against the object as read now and names what uses it', async () => {
    const plan = await planUpdate(client, 'pool', aviScenario.poolShopWeb, {
      lb_algorithm: 'LB_ALGORITHM_ROUND_ROBIN',
    });
    expect(plan).toMatchObject({
      method: 'PUT',
      path: `/api/pool/${aviScenario.poolShopWeb}`,
      diff: { lb_algorithm: { from: 'LB_ALGORITHM_LEAST_CONNECTIONS', to: 'LB_ALGORITHM_ROUND_ROBIN' } },
      risk: 'medium',
    });
    expect(plan.summary).toContain('virtualservice vs-shop');
    expect(avi.writes).toEqual([]);
    const ledger = createWriteLedger();
    await client.execute(ledger.confirm(ledger.propose(plan).token));
    expect(avi.objects('pool').find((pool) => pool.uuid === aviScenario.poolShopWeb)?.lb_algorithm).toBe(
      'LB_ALGORITHM_ROUND_ROBIN',
    );
  });

  it('plans a delete as high risk when something refers to the object', async () => {
    const plan = await planDelete(client, 'pool', aviScenario.poolShopWeb);
    expect(plan).toMatchObject({ method: 'DELETE', risk: 'high' });
    expect(plan.summary).toMatch(/referred to by virtualservice vs-shop/);
  });

  it('plans a create', () => {
    expect(planCreate('healthmonitor', { name: 'hm-tcp', type: 'HEALTH_MONITOR_TCP' })).toMatchObject({
      method: 'POST',
      path: '/api/healthmonitor',
      risk: 'low',
      diff: { name: { to: 'hm-tcp' } },
    });
  });
});
