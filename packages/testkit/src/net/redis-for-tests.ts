import { connect } from 'node:net';

/** What {@link redisForTests} found: a URL to use, or why the Redis tests are skipped. */
export type RedisForTests = { url: string; host: string; port: number; skip: undefined } | { skip: string };

/**
 * Finds the Redis server that tests may use: `REDIS_URL`, else `redis://127.0.0.1:6379` when it
 * accepts a connection. When none answers, returns a one-line skip reason naming `REDIS_URL`; under
 * `CI=true` a missing server is a failure instead, so CI can never pass by skipping.
 *
 * @example
 * ```ts
 * const redis = await redisForTests();
 * describe.skipIf(redis.skip !== undefined)('redis contract', () => { ... });
 * ```
 */
export async function redisForTests(): Promise<RedisForTests> {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const parsed = new URL(url);
  const host = parsed.hostname || '127.0.0.1';
  const port = Number(parsed.port || 6379);
  const reachable = await new Promise<boolean>((resolve) => {
    const socket = connect({ host, port });
    const done = (value: boolean) => {
      socket.destroy();
      resolve(value);
    };
    socket.setTimeout(2_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
  if (reachable) return { url, host, port, skip: undefined };
  const reason = `Redis not reachable at ${host}:${port}: set REDIS_URL to run these tests`;
  if (process.env.CI === 'true') throw new Error(`${reason} (CI=true: a missing Redis is a failure)`);
  return { skip: reason };
}
