import { afterEach, describe, expect, it } from 'vitest';
import type { AuditEntryInput, AuditLogOptions, AuditLogStore } from '../audit/audit-log-store';
import { StoreError } from '../errors/store-error';

/** How the contract suite gets fresh audit logs of one implementation. */
export interface AuditLogHarness {
  create(options: AuditLogOptions): Promise<AuditLogStore>;
  reopen?: (store: AuditLogStore, options: AuditLogOptions) => Promise<AuditLogStore>;
}

/** The one contract every {@link AuditLogStore} passes. */
export function describeAuditLogContract(name: string, harness: AuditLogHarness): void {
  describe(`AuditLogStore contract: ${name}`, () => {
    let now = 5_000_000;
    const opened: AuditLogStore[] = [];
    const create = async (options: AuditLogOptions = {}) => {
      const store = await harness.create({ now: () => now, ...options });
      opened.push(store);
      return store;
    };
    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close().catch(() => undefined);
      now = 5_000_000;
    });
    const routing = (overrides: Partial<AuditEntryInput> = {}): AuditEntryInput => ({
      kind: 'routing-decision',
      actor: 'app-key',
      subject: 'openai/gpt-4o-mini',
      summary: 'routed to openai/gpt-4o-mini (weighted)',
      details: { attempts: 1 },
      ...overrides,
    });

    it('appends routing decisions, confirmed writes and configuration changes; lists newest first', async () => {
      const store = await create();
      const first = await store.append(routing());
      now += 10;
      await store.append({
        kind: 'confirmed-write',
        summary: 'migrated 101 pve1->pve2',
        details: { upid: 'UPID:1' },
      });
      now += 10;
      await store.append({
        kind: 'configuration-change',
        actor: 'admin',
        subject: 'weights',
        summary: 'weight 1->3',
      });
      expect(first).toMatchObject({
        kind: 'routing-decision',
        at: 5_000_000,
        actor: 'app-key',
        details: { attempts: 1 },
      });
      const all = await store.list();
      expect(all.map((entry) => entry.kind)).toEqual([
        'configuration-change',
        'confirmed-write',
        'routing-decision',
      ]);
      expect(all[1]).toMatchObject({ actor: null, subject: null, details: { upid: 'UPID:1' } });
      expect((await store.list({ kind: 'confirmed-write' })).length).toBe(1);
      expect((await store.list({ since: 5_000_010 })).length).toBe(2);
      expect((await store.list({ limit: 1 }))[0]!.kind).toBe('configuration-change');
    });

    it('keeps to its bounds', async () => {
      const store = await create({ maxEntries: 3, retentionMs: 1_000 });
      await store.append(routing({ at: now - 5_000 }));
      for (let index = 0; index < 5; index++) await store.append(routing({ summary: `decision ${index}` }));
      await store.prune();
      expect((await store.list()).map((entry) => entry.summary)).toEqual([
        'decision 4',
        'decision 3',
        'decision 2',
      ]);
    });

    it('refuses bad input with a typed error', async () => {
      const store = await create();
      await expect(
        store.append({ ...routing(), kind: 'gossip' } as unknown as AuditEntryInput),
      ).rejects.toThrow(StoreError);
      await expect(store.append(routing({ summary: '' }))).rejects.toThrow(/summary/);
    });

    it('never stores a secret in clear', async () => {
      const store = await create({ knownSecrets: ['pve-token-secret-uuid'] });
      const key = ['sk', 'A1b2C3d4E5f6G7h8I9j0K1l2'].join('-');
      await store.append(
        routing({
          summary: `Authorization: Bearer ${key}`,
          details: {
            headers: { authorization: `Bearer ${key}` },
            token: 'pve-token-secret-uuid',
            nested: [key],
          },
        }),
      );
      const text = JSON.stringify(await store.list());
      expect(text).not.toContain(key);
      expect(text).not.toContain('pve-token-secret-uuid');
      expect(text).toContain('[redacted]');
    });

    it('appends a batch in order, redacted, with the same bounds', async () => {
      const store = await create({ maxEntries: 150, knownSecrets: ['pve-token-secret-uuid'] });
      const key = ['sk', 'A1b2C3d4E5f6G7h8I9j0K1l2'].join('-');
      const batch = Array.from({ length: 160 }, (_, index) =>
        routing({ at: now + index, summary: `decision ${index}`, details: { index, token: key } }),
      );
      batch[3] = routing({ at: now + 3, summary: 'decision 3', actor: 'pve-token-secret-uuid' });
      expect(await store.appendMany(batch)).toBe(160);
      expect(await store.appendMany([])).toBe(0);
      await store.prune();
      const listed = await store.list({ limit: 1_000 });
      expect(listed.length).toBe(150);
      expect(listed[0]!.summary).toBe('decision 159');
      expect(listed.at(-1)!.summary).toBe('decision 10');
      const ids = listed.map((entry) => entry.id);
      expect(ids).toEqual([...ids].sort((a, b) => b - a));
      const text = JSON.stringify(await store.list({ limit: 1_000, since: 0 }));
      expect(text).not.toContain(key);
      const all = await harness.create({ now: () => now, knownSecrets: ['pve-token-secret-uuid'] });
      opened.push(all);
      await all.appendMany(batch.slice(0, 5));
      expect(JSON.stringify(await all.list())).not.toContain('pve-token-secret-uuid');
    });

    it('appends nothing of a batch with a bad entry, naming its index', async () => {
      const store = await create();
      await expect(store.appendMany([routing(), routing({ summary: '' }), routing()])).rejects.toThrow(
        /Entry 1: .*summary/,
      );
      expect(await store.list()).toEqual([]);
    });

    if (harness.reopen)
      it('keeps the log across restarts', async () => {
        const store = await create();
        await store.append(routing());
        const reopened = await harness.reopen!(store, { now: () => now });
        opened.push(reopened);
        expect((await reopened.list()).length).toBe(1);
      });
  });
}
