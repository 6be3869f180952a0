import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { StoreError } from './errors/store-error';
import { openStores, parseStoreSpec } from './open-stores';
import { connectPostgresDatabase } from './postgres/connect-postgres-database';
import { openSqliteDatabase } from './sqlite/open-sqlite-database';
import { describeWithPostgres, dropSchema, uniqueSchemaName } from './testing/postgres-test-database';

const directory = mkdtempSync(join(tmpdir(), 'ballast-open-stores-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('parseStoreSpec', () => {
  it.each([
    ['memory', { kind: 'memory' }],
    ['sqlite:./data/ballast.db', { kind: 'sqlite', path: './data/ballast.db' }],
    ['/var/lib/ballast.sqlite', { kind: 'sqlite', path: '/var/lib/ballast.sqlite' }],
    ['postgres://u@db:5432/ballast', { kind: 'postgres', connectionString: 'postgres://u@db:5432/ballast' }],
    ['postgresql://u@db/ballast', { kind: 'postgres', connectionString: 'postgresql://u@db/ballast' }],
  ])('%s', (spec, expected) => {
    expect(parseStoreSpec(spec)).toEqual(expected);
  });

  it.each(['', 'sqlite:', 'mysql://root:hunter2@db/x', 'redis://x'])(
    'refuses %j without echoing it',
    (spec) => {
      const error = (() => {
        try {
          parseStoreSpec(spec);
        } catch (caught) {
          return caught;
        }
      })();
      expect(StoreError.isInstance(error)).toBe(true);
      expect((error as StoreError).reason).toBe('invalid_input');
      expect((error as Error).message).not.toContain('hunter2');
    },
  );
});

describe('openStores', () => {
  it('opens every store on one SQLite file and describes it', async () => {
    const path = join(directory, 'all.db');
    const stores = await openStores(`sqlite:${path}`);
    stores.metrics.record({
      at: Date.now(),
      provider: 'openai',
      model: 'gpt-4o-mini',
      outcome: 'success',
      latencyMs: 5,
    });
    await stores.memory.append('s', [{ role: 'user', content: 'hi', createdAt: Date.now() }]);
    expect(await stores.describe()).toEqual({
      kind: 'sqlite',
      location: path,
      schemaVersion: 5,
      vectorSearch: 'exact-scan',
      vectorIndex: { location: 'process', engine: 'wasm-simd', cachedCollections: 0, cachedBytes: 0 },
      lexicalSearch: 'sqlite-fts5-bm25',
      metricsBuffer: { buffered: 1, written: 0, dropped: 0, failedWrites: 0 },
    });
    await stores.close();
    const reopened = await openStores(`sqlite:${path}`);
    expect((await reopened.metrics.performance({ hours: 1 })).totals.requests).toBe(1);
    await reopened.close();
  });

  it('opens in-memory stores', async () => {
    const stores = await openStores('memory');
    expect(await stores.describe()).toMatchObject({
      kind: 'memory',
      vectorSearch: 'exact-scan',
      lexicalSearch: 'bm25',
    });
    await stores.close();
  });
});

describe('SQLite schema migrations', () => {
  it('are applied once, recorded, and WAL is on', async () => {
    const path = join(directory, 'migrations.db');
    const first = await openSqliteDatabase({ path });
    await first.close();
    const second = await openSqliteDatabase({ path });
    expect(await second.schemaVersion()).toBe(5);
    await second.close();
    const raw = new Database(path);
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(
      raw.prepare('SELECT version, name FROM ballast_schema_migrations ORDER BY version').all(),
    ).toHaveLength(5);
    raw.close();
  });

  it('refuse a database written by a newer Ballast', async () => {
    const path = join(directory, 'newer.db');
    await (await openSqliteDatabase({ path })).close();
    const raw = new Database(path);
    raw
      .prepare("INSERT INTO ballast_schema_migrations (version, name, applied_at) VALUES (99, 'future', 0)")
      .run();
    raw.close();
    await expect(openSqliteDatabase({ path })).rejects.toMatchObject({
      code: 'store_failed',
      reason: 'migration_failed',
    });
  });

  it('fail with a typed error when the file cannot be opened', async () => {
    await expect(openSqliteDatabase({ path: join(directory, 'missing-dir', 'x.db') })).rejects.toMatchObject({
      reason: 'open_failed',
    });
  });
});

await describeWithPostgres('PostgreSQL schema migrations', (url) => {
  describe('PostgreSQL schema migrations', () => {
    const schema = uniqueSchemaName('test_open');
    afterAll(() => dropSchema(url, schema));

    it('let replicas start together: one migrates, all open', async () => {
      const databases = await Promise.all(
        [1, 2, 3].map(() => connectPostgresDatabase({ connectionString: url, schema, maxConnections: 1 })),
      );
      for (const database of databases) expect(await database.schemaVersion()).toBe(5);
      expect(databases[0]!.hasPgvector).toBe(false);
      expect(databases[0]!.location).toMatch(/^postgres:\/\/127\.0\.0\.1:5432\/test#test_open_/);
      await Promise.all(databases.map((database) => database.close()));
    });

    it('refuse a bad schema name and an unreachable server with typed errors, without the password', async () => {
      await expect(
        connectPostgresDatabase({ connectionString: url, schema: 'Robert"); DROP' }),
      ).rejects.toMatchObject({
        reason: 'invalid_input',
      });
      const error = await connectPostgresDatabase({
        connectionString: 'postgres://ballast:hunter2-secret@127.0.0.1:1/test',
      }).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 'store_failed', reason: 'open_failed' });
      expect(String((error as Error).message)).not.toContain('hunter2-secret');
    });
  });
});
