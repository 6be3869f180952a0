import { randomBytes } from 'node:crypto';
import { Socket } from 'node:net';
import pg from 'pg';
import { describe, it } from 'vitest';

const localUrl = 'postgres://postgres@127.0.0.1:5432/test';

/** Where PostgreSQL tests run, or why they are skipped. */
export type PostgresTestTarget =
  | { url: string; skipReason?: undefined }
  | { url?: undefined; skipReason: string };

function reachable(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    let host = '127.0.0.1';
    let port = 5432;
    try {
      const parsed = new URL(url);
      host = parsed.hostname || host;
      port = Number(parsed.port || 5432);
    } catch {
      resolve(false);
      return;
    }
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(3_000, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, host, () => done(true));
  });
}

/**
 * The PostgreSQL used by the contract suites: `DATABASE_URL`, or the local server when it answers.
 * Without one the suites skip with a one-line reason naming `DATABASE_URL`; under `CI=true` a
 * missing server throws instead, so CI can never pass by skipping.
 */
export async function postgresTestTarget(): Promise<PostgresTestTarget> {
  const url = process.env.DATABASE_URL ?? localUrl;
  if (await reachable(url)) return { url };
  const reason = `PostgreSQL unreachable at ${new URL(url).host}: set DATABASE_URL to run these tests`;
  if (process.env.CI === 'true') throw new Error(`${reason} (CI=true: a missing server is a failure)`);
  return { skipReason: reason };
}

/** A fresh schema name for one test file (`prefix_<random>`), so parallel files never collide. */
export function uniqueSchemaName(prefix: string): string {
  return `${prefix.toLowerCase().replace(/[^a-z0-9_]/g, '_')}_${randomBytes(5).toString('hex')}`;
}

/** Drops a test schema and everything in it. */
export async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/**
 * Declares PostgreSQL tests: runs `declare(url)` when a server is there, otherwise one skipped
 * test whose title is the reason (naming `DATABASE_URL`). Under `CI=true` a missing server fails.
 */
export async function describeWithPostgres(title: string, declare: (url: string) => void): Promise<void> {
  const target = await postgresTestTarget();
  if (target.url !== undefined) declare(target.url);
  else {
    const reason = target.skipReason;
    describe(title, () => it.skip(reason, () => {}));
  }
}
