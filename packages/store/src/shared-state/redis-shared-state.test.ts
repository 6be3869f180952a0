import { randomUUID } from 'node:crypto';
import { ConfigError, type SharedState } from '@ballast/core';
import { redisForTests, startTcpFaultProxy } from '@ballast/testkit';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createRedisSharedState, type RedisSharedState } from './redis-shared-state';
import { describeSharedStateContract } from './shared-state.contract.test-helper';
import { SharedStateUnavailableError } from './shared-state-error';

const redis = await redisForTests();
// One prefix per test file (and run), so parallel files never see each other's keys.
const filePrefix = `ballast-test:rss:${randomUUID().slice(0, 8)}`;

/** Deletes every key under `prefix` (SCAN, never KEYS: the server is shared). */
async function deleteKeys(url: string, prefix: string): Promise<void> {
  const admin = new Redis(url, { lazyConnect: true });
  await admin.connect();
  let cursor = '0';
  do {
    const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await admin.del(...keys);
  } while (cursor !== '0');
  admin.disconnect();
}

async function untilTrue(check: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 25));
}

describe.skipIf(redis.skip !== undefined)(
  `Redis shared state${redis.skip ? ` (skipped: ${redis.skip})` : ''}`,
  () => {
    if (redis.skip !== undefined) return;
    const url = redis.url;
    afterAll(() => deleteKeys(url, filePrefix));

    describeSharedStateContract('Redis', async () => {
      const keyPrefix = `${filePrefix}:${randomUUID().slice(0, 8)}`;
      const opened: RedisSharedState[] = [];
      return {
        async open(options = {}) {
          // Generous command timeout: the machine may be heavily loaded; faults are tested below.
          const state = createRedisSharedState({ url, keyPrefix, commandTimeoutMs: 10_000, ...options });
          opened.push(state);
          expect(await state.ready(10_000)).toBe(true);
          return state;
        },
        async dispose() {
          await Promise.all(opened.map((state) => state.close()));
        },
      };
    });

    it('renews the leases of a live replica beyond their first expiry', async () => {
      const keyPrefix = `${filePrefix}:${randomUUID().slice(0, 8)}`;
      const state = createRedisSharedState({
        url,
        keyPrefix,
        leaseRenewIntervalMs: 50,
        commandTimeoutMs: 10_000,
      });
      const admin = new Redis(url);
      try {
        await state.ready(10_000);
        const lease = (await state.acquireSlot('renewed', 1, 600)) as string;
        const key = `${keyPrefix}:slots:{renewed}`;
        const firstExpiry = Number(await admin.zscore(key, lease));
        // Wait for the renewal itself (the lease's expiry moving forward), not for a span of time.
        await untilTrue(async () => Number(await admin.zscore(key, lease)) > firstExpiry);
        await state.releaseSlot('renewed', lease);
        expect(await admin.zscore(key, lease)).toBeNull();
      } finally {
        admin.disconnect();
        await state.close();
      }
    });

    it('reloads its scripts after the server forgot them (EVALSHA falls back to EVAL)', async () => {
      const state = createRedisSharedState({ url, keyPrefix: `${filePrefix}:${randomUUID().slice(0, 8)}` });
      const admin = new Redis(url);
      try {
        await state.ready(10_000);
        expect(await state.acquireSlot('s', 1, 30_000)).toBeTypeOf('string');
        await admin.script('FLUSH');
        expect(await state.slotsInFlight('s')).toBe(1);
      } finally {
        admin.disconnect();
        await state.close();
      }
    });

    it('fails fast with a typed error while Redis is cut, and tells listeners when it is back', async () => {
      const proxy = await startTcpFaultProxy({ targetPort: redis.port, targetHost: redis.host });
      const password = new URL(url).password;
      const auth = password ? `:${encodeURIComponent(password)}@` : '';
      const state = createRedisSharedState({
        url: `redis://${auth}127.0.0.1:${proxy.port}`,
        keyPrefix: `${filePrefix}:${randomUUID().slice(0, 8)}`,
      });
      try {
        expect(await state.ready(10_000)).toBe(true);
        const reconnected = new Promise<void>((resolve) => state.onReconnect(resolve));
        proxy.setMode('refuse');
        await untilTrue(() => !state.isAvailable());
        const error = await state.acquireSlot('cut', 8, 30_000).catch((caught: unknown) => caught);
        expect(SharedStateUnavailableError.isInstance(error)).toBe(true);
        expect((error as SharedStateUnavailableError).code).toBe('shared_state_unavailable');
        expect((error as Error).message).not.toContain(String(proxy.port));
        proxy.setMode('forward');
        await reconnected;
        await untilTrue(() => state.isAvailable());
        expect(await state.acquireSlot('cut', 8, 30_000)).toBeTypeOf('string');
      } finally {
        await state.close();
        await proxy.close();
      }
    });

    it('bounds a command sent into a connection that went silent (half-open path)', async () => {
      const proxy = await startTcpFaultProxy({ targetPort: redis.port, targetHost: redis.host });
      const state = createRedisSharedState({
        url: `redis://127.0.0.1:${proxy.port}`,
        keyPrefix: `${filePrefix}:${randomUUID().slice(0, 8)}`,
        commandTimeoutMs: 200,
      });
      try {
        expect(await state.ready(10_000)).toBe(true);
        proxy.setMode('blackhole');
        // Still "ready" as far as the socket knows: only the command timeout can end this.
        const error = await state.slotsInFlight('silent').catch((caught: unknown) => caught);
        expect(SharedStateUnavailableError.isInstance(error)).toBe(true);
      } finally {
        await state.close();
        await proxy.close();
      }
    });

    it('rejects bad options with a ConfigError naming the key and never echoing the URL', () => {
      const secretUrl = ['http://user:', 'hunter', '2@host:6379'].join('');
      try {
        createRedisSharedState({ url: secretUrl });
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        expect((error as ConfigError).issues.map((issue) => issue.path)).toContain('url');
        expect((error as Error).message).not.toContain('hunter');
      }
      // Malformed URLs: ioredis threw Node's bare TypeError, whose `input` held the password.
      for (const malformed of ['redis://:hunter2@[bad', 'redis://:hunter2@127.0.0.1:99999']) {
        const error = (() => {
          try {
            createRedisSharedState({ url: malformed });
          } catch (caught) {
            return caught;
          }
        })();
        expect(error).toBeInstanceOf(ConfigError);
        expect((error as ConfigError).issues.map((issue) => issue.path)).toContain('url');
        expect(JSON.stringify(error)).not.toContain('hunter');
        expect((error as Error).message).not.toContain('hunter');
      }
      expect(() => createRedisSharedState({ keyPrefix: 'has space' })).toThrow(ConfigError);
      expect(() => createRedisSharedState({ commandTimeoutMs: 0 })).toThrow(ConfigError);
    });

    it('refuses a lease shorter than three renewal intervals', async () => {
      const state: SharedState = createRedisSharedState({
        url,
        keyPrefix: `${filePrefix}:${randomUUID().slice(0, 8)}`,
      });
      try {
        await expect(state.acquireSlot('short', 1, 1_000)).rejects.toThrow(ConfigError);
      } finally {
        await state.close();
      }
    });
  },
);
