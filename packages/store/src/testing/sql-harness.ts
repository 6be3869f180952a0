import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectPostgresDatabase } from '../postgres/connect-postgres-database';
import type { SqlDatabase } from '../sql/sql-database';
import { openSqliteDatabase } from '../sqlite/open-sqlite-database';
import { dropSchema, uniqueSchemaName } from './postgres-test-database';

/** Opens fresh databases for contract suites and cleans them up. */
export interface DatabaseFactory {
  /** A new, empty database plus a way to open it again after closing. */
  fresh(): Promise<{ database: SqlDatabase; reopen: () => Promise<SqlDatabase> }>;
  /** Removes every database this factory created. */
  cleanup(): Promise<void>;
}

/** SQLite files in a temporary directory. */
export function sqliteDatabaseFactory(): DatabaseFactory {
  const directory = mkdtempSync(join(tmpdir(), 'ballast-store-'));
  let count = 0;
  return {
    async fresh() {
      const path = join(directory, `store-${++count}.db`);
      return { database: await openSqliteDatabase({ path }), reopen: () => openSqliteDatabase({ path }) };
    },
    async cleanup() {
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** One new PostgreSQL schema per database (`<prefix>_<random>`), dropped at cleanup. */
export function postgresDatabaseFactory(url: string, prefix: string): DatabaseFactory {
  const schemas: string[] = [];
  return {
    async fresh() {
      const schema = uniqueSchemaName(prefix);
      schemas.push(schema);
      const open = () => connectPostgresDatabase({ connectionString: url, schema, maxConnections: 2 });
      return { database: await open(), reopen: open };
    },
    async cleanup() {
      for (const schema of schemas.splice(0)) await dropSchema(url, schema);
    },
  };
}

/**
 * Turns a store factory into a contract harness: each `create` gets a fresh database, the store's
 * `close` also closes its database, and `reopen` closes a store and builds another on the same data.
 */
export function sqlHarness<Store extends { close(): Promise<void> }, Options>(
  factory: DatabaseFactory,
  build: (database: SqlDatabase, options: Options) => Store,
) {
  const reopeners = new WeakMap<Store, () => Promise<SqlDatabase>>();
  const databases = new WeakMap<Store, SqlDatabase>();
  const wrap = (database: SqlDatabase, options: Options, reopen: () => Promise<SqlDatabase>) => {
    const store = build(database, options);
    const close = store.close.bind(store);
    store.close = async () => {
      await close();
      await database.close();
    };
    reopeners.set(store, reopen);
    databases.set(store, database);
    return store;
  };
  return {
    async create(options: Options): Promise<Store> {
      const { database, reopen } = await factory.fresh();
      return wrap(database, options, reopen);
    },
    /** Another store on the same database while `store` stays open (as a second replica would be). */
    async sibling(store: Store, options: Options): Promise<Store> {
      return build(databases.get(store)!, options);
    },
    async reopen(store: Store, options: Options): Promise<Store> {
      const reopen = reopeners.get(store)!;
      await store.close();
      return wrap(await reopen(), options, reopen);
    },
  };
}
