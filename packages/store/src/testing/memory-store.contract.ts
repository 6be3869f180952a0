import { afterEach, describe, expect, it } from 'vitest';
import { StoreError } from '../errors/store-error';
import type { MemoryEntry, MemoryStore, MemoryStoreOptions } from '../memory/memory-store';

/** How the contract suite gets fresh memory stores of one implementation. */
export interface MemoryStoreHarness {
  create(options: MemoryStoreOptions): Promise<MemoryStore>;
  reopen?: (store: MemoryStore, options: MemoryStoreOptions) => Promise<MemoryStore>;
}

/** The one contract every {@link MemoryStore} passes. */
export function describeMemoryStoreContract(name: string, harness: MemoryStoreHarness): void {
  describe(`MemoryStore contract: ${name}`, () => {
    let now = 1_000_000;
    const opened: MemoryStore[] = [];
    const create = async (options: MemoryStoreOptions = {}) => {
      const store = await harness.create({ now: () => now, ...options });
      opened.push(store);
      return store;
    };
    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close().catch(() => undefined);
      now = 1_000_000;
    });
    const turn = (content: string, embedding?: number[]): MemoryEntry => ({
      role: 'user',
      content,
      createdAt: now,
      ...(embedding ? { embedding } : {}),
    });

    it('replays the last turns of a session, oldest first, sessions apart', async () => {
      const store = await create();
      await store.append('a', [turn('m1'), { ...turn('m2'), role: 'assistant' }]);
      await store.append('a', [turn('m3')]);
      await store.append('b', [turn('other')]);
      expect((await store.recent('a', 2)).map((entry) => entry.content)).toEqual(['m2', 'm3']);
      expect((await store.recent('a', 10))[1]).toEqual({ role: 'assistant', content: 'm2', createdAt: now });
      expect((await store.recent('b', 10)).map((entry) => entry.content)).toEqual(['other']);
      expect(await store.recent('nobody', 10)).toEqual([]);
      expect(await store.size()).toBe(2);
      await store.clear('a');
      expect(await store.recent('a', 10)).toEqual([]);
      expect(await store.size()).toBe(1);
    });

    it('is bounded per session, in sessions and in time', async () => {
      const store = await create({ maxEntriesPerSession: 3, maxSessions: 2, ttlMs: 100 });
      await store.append(
        'a',
        ['m1', 'm2', 'm3', 'm4'].map((content) => turn(content)),
      );
      expect((await store.recent('a', 10)).map((entry) => entry.content)).toEqual(['m2', 'm3', 'm4']);
      now += 1;
      await store.append('b', [turn('b1')]);
      now += 1;
      await store.append('c', [turn('c1')]);
      expect(await store.recent('a', 10)).toEqual([]); // least recently active session dropped
      expect(await store.size()).toBe(2);
      now += 200;
      expect(await store.recent('c', 10)).toEqual([]);
      expect(await store.size()).toBe(0);
    });

    it('recalls older entries by cosine similarity, best first', async () => {
      const store = await create();
      await store.append('s', [
        turn('about proxmox', [1, 0, 0]),
        turn('about bread', [0, 1, 0]),
        turn('mostly proxmox', [0.9, 0.1, 0]),
        turn('no vector'),
        turn('newest', [1, 0, 0]),
      ]);
      const hits = await store.search('s', [1, 0, 0], { topK: 2, minScore: 0.5, excludeRecent: 1 });
      expect(hits.map((hit) => hit.content)).toEqual(['about proxmox', 'mostly proxmox']);
      expect(hits[0]!.score).toBeCloseTo(1, 5);
      expect(hits[0]!.embedding).toEqual([1, 0, 0]);
    });

    it('refuses bad input with a typed error', async () => {
      const store = await create();
      await expect(store.append('', [turn('x')])).rejects.toThrow(StoreError);
      await expect(
        store.append('s', [{ ...turn('x'), role: 'system' } as unknown as MemoryEntry]),
      ).rejects.toThrow(/role/);
    });

    it('never stores a secret in clear', async () => {
      const store = await create({ knownSecrets: ['my-db-password-42'] });
      const key = ['gsk', 'Q1w2E3r4T5y6U7i8O9p0'].join('_');
      await store.append('s', [turn(`my groq key is ${key} and db password my-db-password-42`)]);
      const [entry] = await store.recent('s', 1);
      expect(entry!.content).not.toContain(key);
      expect(entry!.content).not.toContain('my-db-password-42');
      expect(entry!.content).toContain('[redacted]');
    });

    if (harness.reopen)
      it('remembers across restarts', async () => {
        const store = await create();
        await store.append('s', [turn('kept', [0.5, 0.5])]);
        const reopened = await harness.reopen!(store, { now: () => now });
        opened.push(reopened);
        expect(await reopened.recent('s', 5)).toEqual([
          { role: 'user', content: 'kept', createdAt: now, embedding: [0.5, 0.5] },
        ]);
      });
  });
}
