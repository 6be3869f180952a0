import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTcpFaultProxy } from '@ballast/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { StoreError } from './errors/store-error';
import { openStores, type Stores } from './open-stores';
import { connectPostgresDatabase } from './postgres/connect-postgres-database';
import { openSqliteDatabase } from './sqlite/open-sqlite-database';
import { describeWithPostgres, dropSchema, uniqueSchemaName } from './testing/postgres-test-database';

/**
 * Bad input and misuse, as a skeptical user tries them, on every backend: each gets a typed
 * `StoreError` (never a crash, a silent default or a loss) and the same answer everywhere.
 */

const directory = mkdtempSync(join(tmpdir(), 'ballast-bad-input-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** The error `work` throws or rejects with (undefined when it does not fail). */
async function failure(work: () => unknown): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  return undefined;
}

function expectStoreError(error: unknown, reason: StoreError['reason']): void {
  expect(StoreError.isInstance(error), String(error)).toBe(true);
  expect((error as StoreError).reason).toBe(reason);
}

function describeBadInput(name: string, open: () => Promise<Stores>): void {
  describe(`bad input: ${name}`, () => {
    const opened: Stores[] = [];
    const create = async () => {
      const stores = await open();
      opened.push(stores);
      return stores;
    };
    afterAll(async () => {
      for (const stores of opened) await stores.close().catch(() => undefined);
    });
    const now = Date.now();

    it('refuses a NUL character in stored text with invalid_input, and a refused call never blocks the metrics buffer', async () => {
      const stores = await create();
      expect(() =>
        stores.metrics.record({ at: now, provider: 'open\u0000ai', model: 'm', outcome: 'success' }),
      ).toThrow(expect.objectContaining({ reason: 'invalid_input' }));
      stores.metrics.record({ at: now, provider: 'openai', model: 'm', outcome: 'success', latencyMs: 5 });
      await stores.metrics.flush();
      expect((await stores.metrics.performance({ hours: 1 })).totals.requests).toBe(1);
      expect((await stores.metrics.describe()).buffer).toMatchObject({ buffered: 0, failedWrites: 0 });

      expectStoreError(
        await failure(() => stores.audit.append({ kind: 'routing-decision', summary: 'a\u0000b' })),
        'invalid_input',
      );
      expectStoreError(
        await failure(() =>
          stores.memory.append('session', [{ role: 'user', content: 'a\u0000b', createdAt: now }]),
        ),
        'invalid_input',
      );
      expectStoreError(
        await failure(() =>
          stores.history.record({
            kind: 'migration',
            snapshotFingerprint: 'f',
            source: 'rule',
            subject: 'guest/1\u0000',
            action: 'migrate a->b',
          }),
        ),
        'invalid_input',
      );
      expectStoreError(
        await failure(() => stores.vectors.upsert('docs', [{ id: 'a', documentId: 'd', text: 't\u0000' }])),
        'invalid_input',
      );
    });

    it('refuses a lone UTF-16 surrogate instead of storing it altered (U+FFFD) on one engine and intact on another', async () => {
      const stores = await create();
      for (const content of ['a\uD800b', 'a\uDC00']) {
        expectStoreError(
          await failure(() => stores.memory.append('session', [{ role: 'user', content, createdAt: now }])),
          'invalid_input',
        );
      }
      const family = 'family 👩‍👩‍👧 \u202Eabc';
      await stores.memory.append('emoji', [{ role: 'user', content: family, createdAt: now }]);
      expect((await stores.memory.recent('emoji', 1))[0]?.content).toBe(family);
    });

    it('refuses an applied time that is not an epoch ms, instead of storing null or failing in the driver', async () => {
      const stores = await create();
      const record = await stores.history.record({
        kind: 'migration',
        snapshotFingerprint: 'f',
        source: 'rule',
        subject: 'guest/1',
        action: 'migrate a->b',
      });
      for (const appliedAt of [Number.NaN, -1, 1.5])
        expectStoreError(
          await failure(() => stores.history.markApplied(record.id, appliedAt)),
          'invalid_input',
        );
      expect((await stores.history.get(record.id))?.applied).toBe(false);
    });

    it('refuses JSON details that cannot be stored as JSON, instead of crashing or storing {}', async () => {
      const stores = await create();
      const circular: Record<string, unknown> = { a: 1 };
      circular.self = circular;
      for (const details of [
        { big: 10n },
        circular,
        { when: new Date(0) },
        { map: new Map([[1, 2]]) },
        { ratio: Number.NaN },
        { ratio: Number.POSITIVE_INFINITY },
        { call: () => 1 },
      ]) {
        expectStoreError(
          await failure(() => stores.audit.append({ kind: 'routing-decision', summary: 's', details })),
          'invalid_input',
        );
        expectStoreError(
          await failure(() =>
            stores.history.record({
              kind: 'migration',
              snapshotFingerprint: 'f',
              source: 'rule',
              subject: 'guest/1',
              action: 'migrate a->b',
              payload: details,
            }),
          ),
          'invalid_input',
        );
      }
      expect(await stores.audit.list()).toEqual([]);
    });

    it('never stores an API key or Authorization value under a secret-named JSON field', async () => {
      const stores = await create();
      const details = {
        headers: {
          'x-api-key': 'gw-live-abc123',
          'proxy-authorization': 'Basic dXNlcjpwYXNzd29yZA==',
          cookie: 'session=abc123',
        },
        ai_api_key: 'abcd1234',
        accessToken: 'tok-123456',
        client_secret: 'cs-123456',
        proxmox_api_token_secret: 'aaaa-bbbb-cccc',
        tokenizer: 'cl100k',
        apiKeyId: 'key-1',
      };
      await stores.audit.append({
        kind: 'routing-decision',
        summary: 'upstream said Authorization: Basic dXNlcjpwYXNzd29yZA==',
        details,
      });
      const [entry] = await stores.audit.list({ limit: 1 });
      const stored = JSON.stringify(entry);
      for (const secret of [
        'gw-live-abc123',
        'dXNlcjpwYXNzd29yZA==',
        'abc123',
        'abcd1234',
        'tok-123456',
        'cs-123456',
        'aaaa-bbbb-cccc',
      ])
        expect(stored).not.toContain(secret);
      // Fields that are not secrets keep their values.
      expect(entry?.details).toMatchObject({ tokenizer: 'cl100k', apiKeyId: 'key-1' });
    });

    it('refuses non-finite numbers in queries with invalid_input, not a driver error or a silent []', async () => {
      const stores = await create();
      for (const query of [
        () => stores.audit.list({ limit: Number.NaN }),
        () => stores.audit.list({ since: Number.NaN }),
        () => stores.audit.list({ since: Number.POSITIVE_INFINITY }),
        () => stores.history.recent({ limit: Number.NaN }),
        () => stores.history.recent({ since: Number.NaN }),
        () => stores.memory.recent('session', Number.NaN),
        () => stores.memory.recent('session', Number.POSITIVE_INFINITY),
        () => stores.metrics.performance({ hours: Number.NaN }),
        () => stores.metrics.recentCalls({ limit: Number.NaN }),
      ])
        expectStoreError(await failure(query), 'invalid_input');
    });

    it('refuses token counts no call can have, so a rollup sum never overflows the database', async () => {
      const stores = await create();
      expect(() =>
        stores.metrics.record({
          at: now,
          provider: 'p',
          model: 'm',
          outcome: 'success',
          inputTokens: Number.MAX_SAFE_INTEGER,
        }),
      ).toThrow(expect.objectContaining({ reason: 'invalid_input' }));
    });

    it('answers every call after close() with a typed closed error, and close() twice is fine', async () => {
      const stores = await create();
      await stores.close();
      await stores.close();
      const calls: Array<() => unknown> = [
        () => stores.metrics.record({ at: now, provider: 'p', model: 'm', outcome: 'success' }),
        () => stores.audit.append({ kind: 'routing-decision', summary: 's' }),
        () => stores.memory.append('s', [{ role: 'user', content: 'x', createdAt: now }]),
        () =>
          stores.history.record({
            kind: 'migration',
            snapshotFingerprint: 'f',
            source: 'rule',
            subject: 'guest/1',
            action: 'migrate a->b',
          }),
        () => stores.vectors.upsert('docs', [{ id: 'a', documentId: 'd', text: 't' }]),
        () => stores.describe(),
      ];
      for (const call of calls) expectStoreError(await failure(call), 'closed');
    });
  });
}

describeBadInput('memory', () => openStores('memory'));
let sqliteFiles = 0;
describeBadInput('SQLite', () => openStores(`sqlite:${join(directory, `bad-${++sqliteFiles}.db`)}`));

describe('SQLite database after close', () => {
  it('answers statements, transactions and schemaVersion with a typed closed error', async () => {
    const database = await openSqliteDatabase({ path: join(directory, 'closed.db') });
    await database.close();
    await database.close();
    expectStoreError(await failure(() => database.query('SELECT 1')), 'closed');
    expectStoreError(await failure(() => database.transaction(async () => 1)), 'closed');
    expectStoreError(await failure(() => database.schemaVersion()), 'closed');
  });
});

describe('database options', () => {
  it.each([Number.NaN, -5, Number.POSITIVE_INFINITY])(
    'refuses SQLite busyTimeoutMs %s instead of silently waiting 0 ms',
    async (busyTimeoutMs) => {
      expectStoreError(
        await failure(() => openSqliteDatabase({ path: join(directory, 'busy.db'), busyTimeoutMs })),
        'invalid_input',
      );
    },
  );
});

describe('two SQLite handles on one file in one process', () => {
  it('never fail each other with "database is locked" while one holds a transaction', async () => {
    const path = join(directory, 'two-handles.db');
    // A short busy timeout keeps the old failure quick: better-sqlite3 waits for the lock
    // synchronously, so the transaction holding it could never finish meanwhile.
    const first = await openSqliteDatabase({ path, busyTimeoutMs: 100 });
    const second = await openSqliteDatabase({ path, busyTimeoutMs: 100 });
    const insert =
      "INSERT INTO audit_log (at, kind, summary, details) VALUES (1, 'routing-decision', ?, '{}')";
    const results = await Promise.allSettled([
      first.transaction(async (executor) => {
        await executor.run(insert, ['first-1']);
        await new Promise((resolve) => setTimeout(resolve, 20));
        await executor.run(insert, ['first-2']);
      }),
      second.run(insert, ['second']),
      second.transaction((executor) => executor.run(insert, ['second-tx'])),
    ]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
    expect(await first.query('SELECT summary FROM audit_log ORDER BY id')).toHaveLength(4);
    await first.close();
    await second.close();
  });
});

describe('PostgreSQL connection strings', () => {
  it.each([
    'postgres://ballast:hunter2-secret@[bad/test',
    'postgres://ballast:hunter2-secret@127.0.0.1:99999/test',
  ])('refuses the malformed %s with invalid_input, never echoing the password', async (connectionString) => {
    for (const open of [
      () => connectPostgresDatabase({ connectionString }),
      () => openStores(connectionString),
    ]) {
      const error = await failure(open);
      expectStoreError(error, 'invalid_input');
      expect(JSON.stringify(error)).not.toContain('hunter2');
      expect(String((error as Error).message)).not.toContain('hunter2');
      expect(String((error as Error).cause ?? '')).not.toContain('hunter2');
      expect(JSON.stringify((error as Error).cause ?? null)).not.toContain('hunter2');
    }
  });
});

await describeWithPostgres('bad input: PostgreSQL', (url) => {
  const schemas: string[] = [];
  afterAll(async () => {
    for (const schema of schemas) await dropSchema(url, schema);
  });
  describeBadInput('PostgreSQL', () => {
    const schema = uniqueSchemaName('test_bad_input');
    schemas.push(schema);
    return openStores(url, { schema });
  });

  describe('PostgreSQL options', () => {
    it.each([0, -1, Number.NaN, 1.5])(
      'refuses maxConnections %s at once instead of a silent default or a connect that waits',
      async (maxConnections) => {
        expectStoreError(
          await failure(() =>
            connectPostgresDatabase({ connectionString: url, schema: 'test_bad_unused', maxConnections }),
          ),
          'invalid_input',
        );
      },
    );
  });

  describe('PostgreSQL connection that goes silent', () => {
    it('fails a statement with a typed error after queryTimeoutMs instead of waiting forever', async () => {
      const schema = uniqueSchemaName('test_bad_silent');
      schemas.push(schema);
      const target = new URL(url);
      const proxy = await startTcpFaultProxy({
        targetHost: target.hostname,
        targetPort: Number(target.port || 5432),
      });
      target.host = `127.0.0.1:${proxy.port}`;
      const database = await connectPostgresDatabase({
        connectionString: target.toString(),
        schema,
        maxConnections: 1,
        queryTimeoutMs: 500,
      });
      try {
        expect(await database.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
        proxy.setMode('blackhole');
        const error = await failure(() => database.query('SELECT 2 AS two'));
        expectStoreError(error, 'query_failed');
        expect((error as StoreError).isRetryable).toBe(true);
      } finally {
        proxy.setMode('refuse');
        await database.close().catch(() => undefined);
        await proxy.close();
      }
    }, 30_000);
  });

  describe('PostgreSQL queryTimeoutMs and opening', () => {
    it('never cuts a migration short: a fresh schema opens even with a 1 ms queryTimeoutMs', async () => {
      const schema = uniqueSchemaName('test_bad_migrate');
      schemas.push(schema);
      // Every migration statement takes well over 1 ms; before, the first one failed start-up with
      // "Query read timeout", and a large table's migration would have failed it at 30 s.
      const database = await connectPostgresDatabase({ connectionString: url, schema, queryTimeoutMs: 1 });
      await database.close();
      const reopened = await connectPostgresDatabase({ connectionString: url, schema });
      try {
        expect(await reopened.schemaVersion()).toBeGreaterThan(0);
      } finally {
        await reopened.close();
      }
    });
  });

  describe('PostgreSQL database after close', () => {
    it('answers statements and transactions with a typed closed error, and close() twice is fine', async () => {
      const schema = uniqueSchemaName('test_bad_close');
      schemas.push(schema);
      const database = await connectPostgresDatabase({ connectionString: url, schema });
      await database.close();
      await database.close();
      for (const call of [
        () => database.query('SELECT 1'),
        () => database.run('SELECT 1'),
        () => database.transaction(async () => 1),
        () => database.schemaVersion(),
      ]) {
        const error = await failure(call);
        expectStoreError(error, 'closed');
        expect((error as StoreError).isRetryable).toBe(false);
      }
    });
  });
});
