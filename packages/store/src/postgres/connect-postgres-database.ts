import pg from 'pg';
import { StoreError } from '../errors/store-error';
import type { SqlDatabase, SqlExecutor, SqlValue } from '../sql/sql-database';
import { postgresMigrations } from './postgres-migrations';

/** Options of {@link connectPostgresDatabase}. */
export interface PostgresDatabaseOptions {
  /** `postgres://user@host:5432/database` (usually `DATABASE_URL`). */
  connectionString: string;
  /** Schema holding Ballast's tables (created when missing). Default `ballast`. */
  schema?: string;
  /** Connections in the pool. Default 4. */
  maxConnections?: number;
  /**
   * Longest wait for the answer to one statement (client side), so a connection that went silent
   * (a half-open network path) fails the statement with a retryable `query_failed` instead of
   * holding it, and the metrics flush or `close()` behind it, forever. Default 30 000 ms. Opening
   * (the schema migrations, and the wait for another replica's) is exempt: it may take up to 10
   * minutes or `queryTimeoutMs`, whichever is longer.
   */
  queryTimeoutMs?: number;
}

const schemaPattern = /^[a-z_][a-z0-9_]{0,62}$/;
/** The longest any statement of opening (migrations included) may wait for its answer. */
const OPEN_TIMEOUT_MS = 600_000;

/** Refuses a bad option or connection string before anything connects. */
function refuseInput(message: string): never {
  throw new StoreError({ message, backend: 'postgres', reason: 'invalid_input' });
}

/** `value` (or `fallback` when unset) if it is a whole number of 1 or more; refused otherwise. */
function positiveInteger(value: number | undefined, fallback: number, rule: string): number {
  const chosen = value ?? fallback;
  if (!Number.isInteger(chosen) || chosen < 1) refuseInput(`Invalid PostgreSQL option ${rule}`);
  return chosen;
}

/** The connection string without user, password and query (safe for logs and `/healthz`). */
export function describePostgresLocation(connectionString: string, schema: string): string {
  try {
    const url = new URL(connectionString);
    return `postgres://${url.hostname}:${url.port || '5432'}${url.pathname}#${schema}`;
  } catch {
    return `postgres://(unparsable)#${schema}`;
  }
}

/** Rewrites `?` placeholders to PostgreSQL's `$1, $2…` (statements here never hold a literal `?`). */
function numbered(sql: string): string {
  let index = 0;
  return sql.replace(/\?/g, () => `$${++index}`);
}

/**
 * Connects a pool to PostgreSQL, creates the schema when missing, applies every pending versioned
 * migration under an advisory lock (so replicas starting together never race), and detects the
 * `vector` extension (pgvector): vector search uses it when installed and an exact scan
 * otherwise; {@link SqlDatabase.hasPgvector} says which.
 *
 * @throws {StoreError} `invalid_input` for a bad schema name, `open_failed` when the server cannot
 * be reached, `migration_failed` when the schema is newer than this Ballast or a migration fails.
 * @example
 * ```ts
 * const database = await connectPostgresDatabase({ connectionString: process.env.DATABASE_URL!, schema: 'ballast' });
 * ```
 */
export async function connectPostgresDatabase(options: PostgresDatabaseOptions): Promise<SqlDatabase> {
  const schema = options.schema ?? 'ballast';
  // A malformed URL would surface as pg's bare `TypeError`, whose `input` holds the whole
  // string, password included: refused here, and nothing of it echoed.
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(options.connectionString) && !URL.canParse(options.connectionString))
    refuseInput('Invalid PostgreSQL connection string: not a valid URL (postgres://user@host:5432/database)');
  // pg took 0 and NaN as its default (10) and waited out the connection timeout for a negative.
  const maxConnections = positiveInteger(
    options.maxConnections,
    4,
    'maxConnections: use an integer of 1 or more',
  );
  const queryTimeoutMs = positiveInteger(
    options.queryTimeoutMs,
    30_000,
    'queryTimeoutMs: use an integer number of milliseconds, 1 or more',
  );
  const location = describePostgresLocation(options.connectionString, schema);
  if (!schemaPattern.test(schema))
    refuseInput(`Invalid PostgreSQL schema name "${schema}": use lower-case letters, digits and _`);
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: maxConnections,
    connectionTimeoutMillis: 10_000,
    query_timeout: queryTimeoutMs,
    // The schema is a startup parameter of every connection, not a `SET` sent from a 'connect'
    // listener: that raced the pool's first query on the same client (pg 8 deprecates overlapping
    // queries on one client). `schemaPattern` above keeps the name safe here.
    options: `-c search_path=${schema}`,
  });
  // Idle clients can fail (server restart); the pool replaces them, the error must not crash the process.
  pool.on('error', () => undefined);
  const fail = (sql: string, cause: unknown, reason: StoreError['reason'] = 'query_failed'): never => {
    throw new StoreError({
      message: `PostgreSQL ${reason === 'open_failed' ? `at ${location} unreachable` : 'statement failed'} (${(cause as Error).message})${reason === 'query_failed' ? `: ${sql.slice(0, 120)}` : ''}`,
      backend: 'postgres',
      reason,
      isRetryable: reason !== 'invalid_input',
      cause,
    });
  };
  const executorOf = (client: pg.Pool | pg.PoolClient): SqlExecutor => ({
    async query<Row>(sql: string, params: readonly SqlValue[] = []) {
      try {
        return (await client.query(numbered(sql), params as unknown[])).rows as Row[];
      } catch (cause) {
        return fail(sql, cause);
      }
    },
    async run(sql: string, params: readonly SqlValue[] = []) {
      try {
        return (await client.query(numbered(sql), params as unknown[])).rowCount ?? 0;
      } catch (cause) {
        return fail(sql, cause);
      }
    },
  });
  let closed = false;
  let ending: Promise<void> | undefined;
  const refuseClosed = () => {
    if (closed)
      throw new StoreError({
        message: `The PostgreSQL database at ${location} is closed`,
        backend: 'postgres',
        reason: 'closed',
      });
  };
  const transaction = async <T>(work: (executor: SqlExecutor) => Promise<T>): Promise<T> => {
    refuseClosed();
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (cause) {
      return fail('', cause, 'open_failed');
    }
    try {
      await client.query(`SET search_path TO "${schema}"`);
      await client.query('BEGIN');
      const result = await work(executorOf(client));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  };
  let hasPgvector = false;
  try {
    const client = await pool.connect().catch((cause: unknown) => fail('', cause, 'open_failed'));
    // Opening is exempt from `queryTimeoutMs`: a migration of a large table, or the wait for another
    // replica's migration behind the advisory lock, can take minutes, and cutting it short would
    // fail start-up for good. A connection that goes silent still ends it within the bound.
    const migrationTimeoutMs = Math.max(queryTimeoutMs, OPEN_TIMEOUT_MS);
    const opening = (text: string, values?: unknown[]) =>
      client.query({ text, values, query_timeout: migrationTimeoutMs } as pg.QueryConfig & {
        query_timeout: number;
      });
    try {
      await opening('BEGIN');
      // One migrator per schema at a time, whatever the number of replicas starting (taken before
      // CREATE SCHEMA: concurrent `CREATE SCHEMA IF NOT EXISTS` can still collide).
      await opening("SELECT pg_advisory_xact_lock(hashtext('ballast_schema_migrations:' || $1))", [schema]);
      await opening(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      await opening(`SET search_path TO "${schema}"`);
      await opening(`CREATE TABLE IF NOT EXISTS ballast_schema_migrations (
        version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`);
      const applied = Number(
        (await opening('SELECT coalesce(max(version), 0) AS version FROM ballast_schema_migrations')).rows[0]
          .version,
      );
      if (applied > postgresMigrations.length)
        throw new Error(
          `the schema has version ${applied}, this Ballast knows up to ${postgresMigrations.length}`,
        );
      for (const migration of postgresMigrations.filter((candidate) => candidate.version > applied)) {
        for (const statement of migration.statements) await opening(statement);
        await opening(
          'INSERT INTO ballast_schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)',
          [migration.version, migration.name, Date.now()],
        );
      }
      await opening('COMMIT');
      hasPgvector = (await opening("SELECT 1 FROM pg_extension WHERE extname = 'vector'")).rowCount === 1;
    } catch (cause) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw StoreError.isInstance(cause)
        ? cause
        : new StoreError({
            message: `PostgreSQL schema migration failed at ${location}: ${(cause as Error).message}`,
            backend: 'postgres',
            reason: 'migration_failed',
            cause,
          });
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
  const executor = executorOf(pool);
  return {
    dialect: 'postgres',
    location,
    hasPgvector,
    async query<Row>(sql: string, params?: readonly SqlValue[]) {
      refuseClosed();
      return executor.query<Row>(sql, params);
    },
    async run(sql: string, params?: readonly SqlValue[]) {
      refuseClosed();
      return executor.run(sql, params);
    },
    transaction,
    async schemaVersion() {
      refuseClosed();
      const [row] = await executor.query<{ version: number }>(
        'SELECT coalesce(max(version), 0) AS version FROM ballast_schema_migrations',
      );
      return Number(row?.version ?? 0);
    },
    close() {
      closed = true;
      ending ??= pool.end();
      return ending;
    },
  };
}
