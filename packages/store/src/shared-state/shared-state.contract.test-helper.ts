import { ConfigError, type SharedBreakerRecord, type SharedState } from '@ballast/core';
import { afterAll, describe, expect, it } from 'vitest';

/** One implementation under the contract: handles that share one backing store. */
export interface SharedStateFixture {
  /** A new handle (a "replica") on the fixture's backing store. */
  open(options?: { leaseRenewIntervalMs?: number }): Promise<SharedState>;
  /** Drops everything the fixture stored and closes what it opened. */
  dispose(): Promise<void>;
}

/**
 * The contract every {@link SharedState} passes: in memory and on Redis alike. Each handle
 * stands for one gateway replica.
 */
export function describeSharedStateContract(
  name: string,
  makeFixture: () => Promise<SharedStateFixture>,
): void {
  describe(`SharedState contract: ${name}`, () => {
    const fixtures: SharedStateFixture[] = [];
    const fresh = async () => {
      const fixture = await makeFixture();
      fixtures.push(fixture);
      return fixture;
    };
    afterAll(async () => {
      await Promise.all(fixtures.map((fixture) => fixture.dispose()));
    });

    it('caps slots across replicas, and a release frees one (idempotently)', async () => {
      const fixture = await fresh();
      const [a, b] = [await fixture.open(), await fixture.open()];
      const first = await a.acquireSlot('t', 2, 30_000);
      const second = await b.acquireSlot('t', 2, 30_000);
      expect(first).toBeTypeOf('string');
      expect(second).toBeTypeOf('string');
      expect(await a.acquireSlot('t', 2, 30_000)).toBeUndefined();
      expect(await b.slotsInFlight('t')).toBe(2);
      expect(await a.acquireSlot('other', 2, 30_000)).toBeTypeOf('string');
      await a.releaseSlot('t', first as string);
      await a.releaseSlot('t', first as string);
      await b.releaseSlot('t', 'never-issued');
      expect(await a.slotsInFlight('t')).toBe(1);
      expect(await b.acquireSlot('t', 2, 30_000)).toBeTypeOf('string');
    });

    it('grants exactly `limit` slots to a burst of concurrent acquires from three replicas', async () => {
      const fixture = await fresh();
      const replicas = [await fixture.open(), await fixture.open(), await fixture.open()];
      const leases = await Promise.all(
        Array.from({ length: 60 }, (_, index) =>
          (replicas[index % 3] as SharedState).acquireSlot('burst', 8, 30_000),
        ),
      );
      expect(leases.filter((lease) => lease !== undefined)).toHaveLength(8);
      expect(new Set(leases.filter(Boolean)).size).toBe(8);
    });

    it("expires a closed replica's leases (a killed replica cannot leak slots)", async () => {
      const fixture = await fresh();
      const doomed = await fixture.open({ leaseRenewIntervalMs: 50 });
      const survivor = await fixture.open();
      expect(await doomed.acquireSlot('leak', 1, 300)).toBeTypeOf('string');
      await doomed.close();
      // Wait for the event (the lease expiring), not for a fixed time: poll until a slot frees.
      let lease: string | undefined;
      while (lease === undefined) {
        lease = await survivor.acquireSlot('leak', 1, 30_000);
        if (lease === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(await survivor.slotsInFlight('leak')).toBe(1);
    });

    it('counts requests in an exact sliding window shared by replicas', async () => {
      const fixture = await fresh();
      const [a, b] = [await fixture.open(), await fixture.open()];
      const verdicts = [];
      for (let index = 0; index < 5; index++)
        verdicts.push(await (index % 2 ? a : b).consumeRate('rpm', 5, 60_000));
      expect(verdicts.map((verdict) => verdict.allowed)).toEqual([true, true, true, true, true]);
      expect(verdicts.map((verdict) => verdict.count)).toEqual([1, 2, 3, 4, 5]);
      const refused = await a.consumeRate('rpm', 5, 60_000);
      expect(refused.allowed).toBe(false);
      expect(refused.count).toBe(5);
      expect(refused.retryAfterMs).toBeGreaterThan(0);
      expect(refused.retryAfterMs).toBeLessThanOrEqual(60_000);
      expect((await b.consumeRate('other-rpm', 5, 60_000)).allowed).toBe(true);
    });

    it('tells other replicas about a breaker change, never the writer itself, and keeps it for re-sync', async () => {
      const fixture = await fresh();
      const [writer, reader] = [await fixture.open(), await fixture.open()];
      const ownEvents: string[] = [];
      writer.onBreakerChange((scope) => ownEvents.push(scope));
      const seen = new Promise<[string, SharedBreakerRecord]>((resolve) =>
        reader.onBreakerChange((scope, record) => resolve([scope, record])),
      );
      // A Redis subscriber needs its SUBSCRIBE acknowledged before it can hear anything: keep
      // publishing until the reader hears one (each publish is idempotent).
      const record: SharedBreakerRecord = {
        state: 'open',
        openUntil: Date.now() + 60_000,
        origin: writer.replicaId,
        updatedAt: Date.now(),
        reason: 'error-rate',
      };
      let heard = false;
      void seen.then(() => {
        heard = true;
      });
      while (!heard) {
        await writer.setBreaker('target:a', record);
        await Promise.race([seen, new Promise((resolve) => setTimeout(resolve, 50))]);
      }
      const [scope, received] = await seen;
      expect(scope).toBe('target:a');
      expect(received).toEqual(record);
      expect(ownEvents).toEqual([]);
      expect((await reader.readBreakers()).get('target:a')).toEqual(record);
      const closed: SharedBreakerRecord = {
        state: 'closed',
        openUntil: 0,
        origin: reader.replicaId,
        updatedAt: Date.now(),
      };
      await reader.setBreaker('target:a', closed);
      expect((await writer.readBreakers()).get('target:a')).toEqual(closed);
    });

    it('merges outcome and latency windows of every replica, bounded in time', async () => {
      const fixture = await fresh();
      const [a, b] = [await fixture.open(), await fixture.open()];
      const now = Date.now();
      await a.recordOutcomes('w', [
        { success: true, latencyMs: 10, at: now },
        { success: true, latencyMs: 20, at: now },
        { success: false, at: now },
        // Far older than any window read below: must not count.
        { success: false, latencyMs: 999, at: now - 3_600_000 },
      ]);
      await b.recordOutcomes('w', [{ success: true, latencyMs: 30, at: now }]);
      await b.recordOutcomes('w', []);
      for (const replica of [a, b]) {
        const view = await replica.readWindow('w', 60_000);
        expect(view.successes).toBe(3);
        expect(view.failures).toBe(1);
        expect([...view.latenciesMs].sort((x, y) => x - y)).toEqual([10, 20, 30]);
      }
      expect(await a.readWindow('empty', 60_000)).toEqual({ successes: 0, failures: 0, latenciesMs: [] });
    });

    it('keeps at most `latencyCapacity` latency samples per scope', async () => {
      const fixture = await fresh();
      const replica = await fixture.open();
      const now = Date.now();
      await replica.recordOutcomes(
        'cap',
        Array.from({ length: 300 }, (_, index) => ({ success: true, latencyMs: index, at: now })),
      );
      const view = await replica.readWindow('cap', 60_000);
      expect(view.successes).toBe(300);
      expect(view.latenciesMs).toHaveLength(256);
      expect(Math.min(...view.latenciesMs)).toBe(44); // the newest 256 of 0..299
    });

    it('refuses bad numbers with the same typed ConfigError, naming the argument, and changes nothing', async () => {
      const fixture = await fresh();
      const replica = await fixture.open();
      const refusal = async (work: () => Promise<unknown>): Promise<ConfigError> => {
        let caught: unknown;
        try {
          await work();
        } catch (error) {
          caught = error;
        }
        expect(ConfigError.isInstance(caught), `expected a ConfigError, got ${String(caught)}`).toBe(true);
        return caught as ConfigError;
      };
      const state = replica as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
      const cases: Array<[operation: string, args: unknown[], path: string]> = [
        ['consumeRate', ['bad', Number.NaN, 60_000], 'limit'],
        ['consumeRate', ['bad', Number.POSITIVE_INFINITY, 60_000], 'limit'],
        ['consumeRate', ['bad', -1, 60_000], 'limit'],
        ['consumeRate', ['bad', '5', 60_000], 'limit'],
        ['consumeRate', ['bad', undefined, 60_000], 'limit'],
        ['consumeRate', ['bad', 5, Number.NaN], 'windowMs'],
        ['consumeRate', ['bad', 5, 0], 'windowMs'],
        ['consumeRate', ['bad', 5, -60_000], 'windowMs'],
        ['consumeRate', ['bad', 5, 1.5], 'windowMs'],
        ['consumeRate', ['bad', 5, Number.POSITIVE_INFINITY], 'windowMs'],
        ['consumeRate', ['bad', 5, 2 ** 31], 'windowMs'],
        ['consumeRate', ['bad', 5, '60000'], 'windowMs'],
        ['consumeRate', [undefined, 5, 60_000], 'scope'],
        ['acquireSlot', ['bad', Number.NaN, 30_000], 'limit'],
        ['acquireSlot', ['bad', -2, 30_000], 'limit'],
        ['acquireSlot', ['bad', Number.NEGATIVE_INFINITY, 30_000], 'limit'],
        ['acquireSlot', ['bad', 2, Number.NaN], 'leaseMs'],
        ['acquireSlot', ['bad', 2, -30_000], 'leaseMs'],
        ['acquireSlot', ['bad', 2, 30_000.5], 'leaseMs'],
        ['acquireSlot', ['bad', 2, 2 ** 31], 'leaseMs'],
        ['acquireSlot', [42, 2, 30_000], 'scope'],
        ['readWindow', ['bad', Number.NaN], 'windowMs'],
        ['readWindow', ['bad', 0], 'windowMs'],
        ['readWindow', ['bad', -1], 'windowMs'],
        ['readWindow', ['bad', '60000'], 'windowMs'],
        ['recordOutcomes', ['bad', [{ success: true, at: Number.NaN }]], 'samples.0.at'],
        [
          'recordOutcomes',
          [
            'bad',
            [
              { success: true, at: Date.now() },
              { success: true, at: '1' },
            ],
          ],
          'samples.1.at',
        ],
        [
          'recordOutcomes',
          ['bad', [{ success: true, at: Date.now(), latencyMs: Number.NaN }]],
          'samples.0.latencyMs',
        ],
        [
          'recordOutcomes',
          ['bad', [{ success: true, at: Date.now(), latencyMs: -5 }]],
          'samples.0.latencyMs',
        ],
        ['recordOutcomes', ['bad', [{ success: 'yes', at: Date.now() }]], 'samples.0.success'],
        ['recordOutcomes', ['bad', 'not samples'], 'samples'],
      ];
      for (const [operation, args, path] of cases) {
        const error = await refusal(() =>
          (state[operation] as (...a: unknown[]) => Promise<unknown>)(...args),
        );
        expect(
          error.issues.map((issue) => issue.path),
          `${operation}(${String(args.slice(1))})`,
        ).toEqual([path]);
        expect(error.message).toContain(operation);
        expect(error.isRetryable).toBe(false);
      }
      // Nothing was counted, taken or recorded by a refused call.
      expect(await replica.consumeRate('bad', 5, 60_000)).toEqual({
        allowed: true,
        count: 1,
        retryAfterMs: 0,
      });
      expect(await replica.slotsInFlight('bad')).toBe(0);
      expect(await replica.readWindow('bad', 60_000)).toEqual({ successes: 0, failures: 0, latenciesMs: [] });
      // The edges that are fine: a limit of 0 refuses every request, a fractional limit is a ceiling.
      expect((await replica.consumeRate('zero', 0, 60_000)).allowed).toBe(false);
      expect(await replica.acquireSlot('zero', 0, 30_000)).toBeUndefined();
      expect((await replica.consumeRate('edge', 1.5, 2 ** 31 - 1)).allowed).toBe(true);
      expect((await replica.consumeRate('edge', 1.5, 2 ** 31 - 1)).allowed).toBe(true);
      expect((await replica.consumeRate('edge', 1.5, 2 ** 31 - 1)).allowed).toBe(false);
      expect(await replica.readWindow('edge', Number.MAX_SAFE_INTEGER)).toEqual({
        successes: 0,
        failures: 0,
        latenciesMs: [],
      });
    });

    it('closes idempotently', async () => {
      const fixture = await fresh();
      const replica = await fixture.open();
      await replica.close();
      await replica.close();
      expect(replica.replicaId).toBeTypeOf('string');
    });
  });
}
