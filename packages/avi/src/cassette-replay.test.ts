import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AviCassette, startAviCassetteReplay } from '@ballast/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createAviClient } from './avi-client';
import { poolSchema, tenantSchema, virtualServiceSchema, vsVipSchema } from './wire-schemas';
import { type AviWriteMethod, createWriteLedger } from './write-plan';

// Every recorded cassette of the alb-sdk (real Avi 20.1.1 traffic, see __fixtures__/README.md) is
// replayed through the client: each recorded call is made again, the replay server checks the
// request (path, query, body, tenant, CSRF token and cookie, Referer) and answers with the recorded
// bytes, and the objects the client returns must equal the recorded ones.

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '__fixtures__', 'cassettes');
const load = (file: string) => JSON.parse(readFileSync(join(fixtures, file), 'utf8')) as AviCassette;
const cassetteFiles = readdirSync(fixtures)
  .filter((file) => file.endsWith('.json'))
  .sort();
const fallbackLogin = load('test_user_login.json').interactions[0]!;

const schemaFor: Record<string, z.ZodType> = {
  virtualservice: virtualServiceSchema,
  pool: poolSchema,
  vsvip: vsVipSchema,
  tenant: tenantSchema,
};

const results: Array<{ cassette: string; calls: number; objects: number }> = [];

afterAll(() => {
  // The measured replay, for the closing note.
  console.info(
    `cassette replay: ${results.map((row) => `${row.cassette} ${row.calls} calls/${row.objects} objects`).join('; ')}`,
  );
});

describe('recorded controller traffic replayed through the client', () => {
  it.each(cassetteFiles)('%s gives the recorded objects', async (file) => {
    const cassette = load(file);
    const replay = await startAviCassetteReplay(cassette, { fallbackLogin });
    const client = createAviClient({ baseUrl: replay.url, username: 'admin', password: 'password' });
    const ledger = createWriteLedger();
    let calls = 0;
    let objects = 0;
    try {
      const interactions = cassette.interactions.filter(
        (item) => new URL(item.request.uri).pathname !== '/login',
      );
      for (let index = 0; index < interactions.length; index++) {
        const interaction = interactions[index]!;
        const url = new URL(interaction.request.uri);
        calls++;
        const tenant = interaction.request.headers['X-Avi-Tenant']?.[0];
        const recordedText = interaction.response.body.string;
        const method = interaction.request.method;
        const recordedJson =
          method === 'GET' ? (JSON.parse(recordedText) as { results?: unknown }) : undefined;
        if (method === 'GET' && !recordedJson?.results) {
          // A singleton (`/api/systemconfiguration`), not a collection.
          expect(
            await client.get(url.pathname, z.looseObject({}), tenant === undefined ? {} : { tenant }),
          ).toEqual(recordedJson);
          objects++;
        } else if (method === 'GET') {
          const type = url.pathname.split('/')[2]!;
          const { fields, ...filters } = Object.fromEntries(url.searchParams);
          const items = await client.listAll(url.pathname, schemaFor[type] ?? z.looseObject({}), {
            ...(fields === undefined ? {} : { fields: fields.split(',') }),
            filters,
            ...(tenant === undefined ? {} : { tenant }),
          });
          const recorded = JSON.parse(recordedText) as { results: unknown[] };
          expect(items).toEqual(recorded.results);
          objects += items.length;
        } else {
          const body = interaction.request.body
            ? (JSON.parse(interaction.request.body) as unknown)
            : undefined;
          const { token } = ledger.propose({
            method: method as AviWriteMethod,
            path: url.pathname,
            ...(body === undefined ? {} : { body }),
            ...(tenant === undefined ? {} : { tenant }),
            risk: 'low',
            summary: `replay ${method} ${url.pathname}`,
          });
          const result = await client.execute(ledger.confirm(token));
          // A recorded 401: the client logged in again and its retry was answered by the next
          // recorded interaction, whose body is the result.
          const answered = interaction.response.status.code === 401 ? interactions[++index]! : interaction;
          const answeredText = answered.response.body.string;
          expect(result).toEqual(answeredText.trim() === '' ? null : JSON.parse(answeredText));
          if (result !== null) objects++;
        }
      }
      expect(replay.mismatches).toEqual([]);
      expect(replay.remaining()).toEqual([]);
      results.push({ cassette: file, calls, objects });
    } finally {
      await client.close();
      await replay.close();
    }
  });

  it('re-logs in on the recorded 401 (CSRF token missing or incorrect.) and retries once', async () => {
    const cassette = load('test_retry_unauth_api.json');
    const replay = await startAviCassetteReplay(cassette, { fallbackLogin });
    const client = createAviClient({ baseUrl: replay.url, username: 'admin', password: 'password' });
    const ledger = createWriteLedger();
    try {
      const { token } = ledger.propose({
        method: 'POST',
        path: '/api/tenant',
        body: { name: 'tenant1', local: 'true' },
        tenant: 'admin',
        risk: 'low',
        summary: 'create tenant1',
      });
      const created = (await client.execute(ledger.confirm(token))) as { name: string };
      expect(created.name).toBe('tenant1');
      expect(client.stats).toMatchObject({ logins: 2, relogins: 1 });
      expect(replay.mismatches).toEqual([]);
    } finally {
      await client.close();
      await replay.close();
    }
  });
});
