import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import { StoreError } from '../errors/store-error';
import type { SqlDatabase, SqlExecutor, SqlValue } from '../sql/sql-database';
import { sqliteMigrations } from './sqlite-migrations';

/** Options of {@link openSqliteDatabase}. */
export interface SqliteDatabaseOptions {
  /** Database file (created when missing), or `:memory:` for a throw-away database. */
  path: string;
  /** How long a writer waits for another process's lock before failing. Default 5 000 ms. */
  busyTimeoutMs?: number;
}

const bind = (params: readonly SqlValue[]) =>
  params.map((value) => (typeof value === 'boolean' ? (value ? 1 : 0) : value));

/**
 * Opens (or creates) the embedded SQLite database: one file, WAL journal (readers never block
 * the writer, and a crash loses at most the transaction being written), `synchronous=NORMAL`,
 * foreign keys on, and every pending versioned migration applied in one transaction.
 *
 * better-sqlite3 is synchronous; statements are serialised through a queue so an asynchronous
 * transaction never interleaves with another caller's statements on the same connection.
 *
 * @throws {StoreError} `open_failed` when the file cannot be opened, `migration_failed` when the
 * schema is newer than this version of Ballast or a migration fails.
 * @example
 * ```ts
 * const database = await openSqliteDatabase({ path: './ballast.db' });
 * const metrics = createSqlMetricsStore(database);
 * ```
 */
export async function openSqliteDatabase(options: SqliteDatabaseOptions): Promise<SqlDatabase> {
  const busyTimeoutMs = options.busyTimeoutMs ?? 5_000;
  // NaN, Infinity and negatives all became `busy_timeout = 0` (never wait), silently.
  if (!Number.isFinite(busyTimeoutMs) || busyTimeoutMs < 0)
    throw new StoreError({
      message: 'Invalid SQLite option busyTimeoutMs: use a finite number of milliseconds, 0 or more',
      backend: 'sqlite',
      reason: 'invalid_input',
    });
  let db: Database.Database;
  try {
    db = new Database(options.path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma(`busy_timeout = ${Math.floor(busyTimeoutMs)}`);
    db.pragma('foreign_keys = ON');
  } catch (cause) {
    throw new StoreError({
      message: `Cannot open SQLite database ${options.path}: ${(cause as Error).message}`,
      backend: 'sqlite',
      reason: 'open_failed',
      cause,
    });
  }
  const statements = new Map<string, Database.Statement>();
  const prepare = (sql: string) => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      if (statements.size > 500) statements.clear();
      statements.set(sql, statement);
    }
    return statement;
  };
  const fail = (sql: string, cause: unknown): never => {
    throw new StoreError({
      message: `SQLite statement failed (${(cause as Error).message}): ${sql.slice(0, 120)}`,
      backend: 'sqlite',
      reason: db.open ? 'query_failed' : 'closed',
      isRetryable: (cause as { code?: string }).code === 'SQLITE_BUSY',
      cause,
    });
  };
  const executor: SqlExecutor = {
    async query<Row>(sql: string, params: readonly SqlValue[] = []) {
      try {
        return prepare(sql).all(...bind(params)) as Row[];
      } catch (cause) {
        return fail(sql, cause);
      }
    },
    async run(sql: string, params: readonly SqlValue[] = []) {
      try {
        return prepare(sql).run(...bind(params)).changes;
      } catch (cause) {
        return fail(sql, cause);
      }
    },
  };
  // After close() every call is refused at once with a typed error (better-sqlite3 would throw a
  // bare TypeError from some paths and the queue would hide it in others).
  let closed = false;
  const ifOpen = <T>(work: () => Promise<T>): Promise<T> =>
    closed
      ? Promise.reject(
          new StoreError({
            message: `The SQLite database ${options.path} is closed`,
            backend: 'sqlite',
            reason: 'closed',
          }),
        )
      : work();
  // Every statement and transaction waits its turn, on one queue per file shared by every handle
  // this process opened on it: better-sqlite3 waits for another connection's lock synchronously,
  // so a second handle writing while the first awaited inside a transaction blocked the event
  // loop for the whole busy timeout, then failed with "database is locked".
  const turns = fileQueue(options.path);
  const serialised = <T>(work: () => Promise<T>): Promise<T> => {
    const next = turns.queue.then(work, work);
    turns.queue = next.catch(() => undefined);
    return next;
  };
  const transaction = <T>(work: (executor: SqlExecutor) => Promise<T>) =>
    ifOpen(() =>
      serialised(async () => {
        db.exec('BEGIN IMMEDIATE');
        try {
          const result = await work(executor);
          db.exec('COMMIT');
          return result;
        } catch (error) {
          if (db.inTransaction) db.exec('ROLLBACK');
          throw error;
        }
      }),
    );
  applyMigrations(db);
  const schemaVersion = () =>
    (db.prepare('SELECT max(version) AS version FROM ballast_schema_migrations').get() as { version: number })
      .version;
  return {
    dialect: 'sqlite',
    location: options.path,
    hasPgvector: false,
    query: (sql, params) => ifOpen(() => serialised(() => executor.query(sql, params))),
    run: (sql, params) => ifOpen(() => serialised(() => executor.run(sql, params))),
    transaction,
    schemaVersion: () => ifOpen(async () => schemaVersion()),
    close: () => {
      if (!closed) turns.release();
      closed = true;
      return serialised(async () => {
        if (db.open) db.close();
      });
    },
  };
}

interface FileQueue {
  queue: Promise<unknown>;
  handles: number;
  release(): void;
}
const fileQueues = new Map<string, FileQueue>();

/** The statement queue of one database file in this process (a fresh one for `:memory:`). */
function fileQueue(path: string): FileQueue {
  const anonymous = path === '' || path === ':memory:' || path.startsWith('file:');
  let key: string | undefined;
  if (!anonymous) {
    try {
      key = realpathSync(path);
    } catch {
      key = resolve(path);
    }
  }
  const existing = key === undefined ? undefined : fileQueues.get(key);
  if (existing) {
    existing.handles += 1;
    return existing;
  }
  const created: FileQueue = {
    queue: Promise.resolve(),
    handles: 1,
    release() {
      created.handles -= 1;
      if (created.handles === 0 && key !== undefined && fileQueues.get(key) === created)
        fileQueues.delete(key);
    },
  };
  if (key !== undefined) fileQueues.set(key, created);
  return created;
}

function applyMigrations(db: Database.Database): void {
  try {
    db.exec(`CREATE TABLE IF NOT EXISTS ballast_schema_migrations (
      version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
    const applied =
      (
        db.prepare('SELECT max(version) AS version FROM ballast_schema_migrations').get() as {
          version: number | null;
        }
      ).version ?? 0;
    const known = sqliteMigrations.length;
    if (applied > known)
      throw new Error(`the database has schema version ${applied}, this Ballast knows up to ${known}`);
    const pending = sqliteMigrations.filter((migration) => migration.version > applied);
    // No write lock when there is nothing to apply: another handle of this process may hold it.
    if (pending.length === 0) return;
    db.transaction(() => {
      for (const migration of pending) {
        for (const statement of migration.statements) db.exec(statement);
        db.prepare('INSERT INTO ballast_schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
          migration.version,
          migration.name,
          Date.now(),
        );
      }
    }).immediate();
  } catch (cause) {
    db.close();
    throw new StoreError({
      message: `SQLite schema migration failed: ${(cause as Error).message}`,
      backend: 'sqlite',
      reason: 'migration_failed',
      cause,
    });
  }
}
