import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreError } from '../errors/store-error';
import type { VectorChunk, VectorStore, VectorStoreOptions } from '../vectors/vector-store';

/** How the contract suite gets fresh vector stores of one implementation. */
export interface VectorStoreHarness {
  create(options: VectorStoreOptions): Promise<VectorStore>;
  reopen?: (store: VectorStore, options: VectorStoreOptions) => Promise<VectorStore>;
  /** Another store on the same data while `store` stays open (a second replica); SQL stores only. */
  sibling?: (store: VectorStore, options: VectorStoreOptions) => Promise<VectorStore>;
}

/** Cosine similarity in double precision: the reference the stores are checked against. */
function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  a.forEach((value, index) => {
    dot += value * b[index]!;
    normA += value * value;
    normB += b[index]! * b[index]!;
  });
  return normA === 0 || normB === 0 ? 0 : dot / Math.sqrt(normA * normB);
}

/** The best `k` reference scores among `chunks` (descending). */
function referenceScores(chunks: Iterable<VectorChunk>, query: readonly number[], k: number): number[] {
  return [...chunks]
    .filter((chunk) => chunk.embedding)
    .map((chunk) => cosine(chunk.embedding!, query))
    .sort((a, b) => b - a)
    .slice(0, k);
}

const documents: VectorChunk[] = [
  {
    id: 'evacuate#0',
    documentId: 'evacuate',
    text: 'To evacuate a Proxmox node, migrate its guests with HA in maintenance mode first.',
    embedding: [1, 0, 0, 0],
    metadata: { source: 'runbook' },
  },
  {
    id: 'scale#0',
    documentId: 'scale',
    text: 'Scale a Kubernetes deployment by raising its HPA maximum replicas.',
    embedding: [0, 1, 0, 0],
  },
  {
    id: 'bread#0',
    documentId: 'bread',
    text: 'Bake the bread at 220 degrees for forty minutes.',
    embedding: [0, 0, 1, 0],
  },
  {
    id: 'evacuate#1',
    documentId: 'evacuate',
    text: 'After the node is empty, reboot it and leave maintenance mode.',
    embedding: [0.8, 0, 0, 0.6],
  },
];

/** The one contract every {@link VectorStore} passes. */
export function describeVectorStoreContract(name: string, harness: VectorStoreHarness): void {
  describe(`VectorStore contract: ${name}`, () => {
    const opened: VectorStore[] = [];
    const create = async (options: VectorStoreOptions = {}) => {
      const store = await harness.create(options);
      opened.push(store);
      return store;
    };
    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close().catch(() => undefined);
    });

    it('finds the top-k chunks by cosine similarity, with scores, best first', async () => {
      const store = await create();
      await store.upsert('runbooks', documents);
      const result = await store.search('runbooks', { embedding: [0.9, 0, 0, 0.1], topK: 2 });
      expect(result.mode).toBe('vector');
      expect(result.hits.map((hit) => hit.id)).toEqual(['evacuate#0', 'evacuate#1']);
      expect(result.hits[0]!.score).toBeCloseTo(0.9 / Math.sqrt(0.82), 5);
      expect(result.hits[0]).toMatchObject({ documentId: 'evacuate', metadata: { source: 'runbook' } });
      expect(result.hits[0]).not.toHaveProperty('embedding');
    });

    it('falls back to lexical (BM25-style) retrieval without an embedding', async () => {
      const store = await create();
      await store.upsert(
        'plain',
        documents.map(({ embedding: _embedding, ...chunk }) => chunk),
      );
      const result = await store.search('plain', { text: 'how do I evacuate a proxmox node?', topK: 3 });
      expect(result.mode).toBe('lexical');
      expect(result.hits[0]!.id).toBe('evacuate#0');
      expect(result.hits.map((hit) => hit.id)).not.toContain('bread#0');
      expect(result.hits[0]!.score).toBeGreaterThan(0);
      expect((await store.search('plain', { text: '???', topK: 3 })).hits).toEqual([]);
    });

    it('fuses both rankings in hybrid mode', async () => {
      const store = await create();
      await store.upsert('runbooks', documents);
      // The vector points at "scale", the words at "bread": both must appear, fused.
      const result = await store.search('runbooks', { text: 'bake bread', embedding: [0, 1, 0, 0], topK: 2 });
      expect(result.mode).toBe('hybrid');
      expect(result.hits.map((hit) => hit.id).sort()).toEqual(['bread#0', 'scale#0']);
      const vectorOnly = await store.search('runbooks', {
        text: 'bake bread',
        embedding: [0, 1, 0, 0],
        topK: 1,
        mode: 'vector',
      });
      expect(vectorOnly.hits.map((hit) => hit.id)).toEqual(['scale#0']);
    });

    it('replaces chunks by id, deletes documents and collections, lists collections', async () => {
      const store = await create();
      await store.upsert('runbooks', documents);
      await store.upsert('runbooks', [
        { ...documents[2]!, text: 'Bread is off topic now.', embedding: [0, 0, 0, 1] },
      ]);
      await store.upsert('other', [{ id: 'x', documentId: 'x', text: 'lonely chunk' }]);
      expect(await store.collections()).toEqual([
        { name: 'other', chunks: 1, dimensions: null },
        { name: 'runbooks', chunks: 4, dimensions: 4 },
      ]);
      const hit = await store.search('runbooks', { embedding: [0, 0, 0, 1], topK: 1 });
      expect(hit.hits[0]).toMatchObject({ id: 'bread#0', text: 'Bread is off topic now.' });
      expect(await store.deleteDocument('runbooks', 'evacuate')).toBe(2);
      expect((await store.search('runbooks', { text: 'evacuate proxmox', topK: 5 })).hits).toEqual([]);
      await store.deleteCollection('runbooks');
      expect((await store.collections()).map((collection) => collection.name)).toEqual(['other']);
      expect(await store.search('runbooks', { embedding: [1, 0, 0, 0], topK: 3 })).toEqual({
        mode: 'vector',
        hits: [],
      });
    });

    it('refuses mixed vector lengths, bad names, bad queries and overfull collections', async () => {
      const store = await create({ maxChunksPerCollection: 4, maxCollections: 2 });
      await store.upsert('runbooks', documents);
      await expect(
        store.upsert('runbooks', [
          { id: 'short', documentId: 'short', text: 'short vector', embedding: [1, 0] },
        ]),
      ).rejects.toThrow(/dimension/);
      await expect(
        store.upsert('runbooks', [{ id: 'fifth', documentId: 'f', text: 'one too many' }]),
      ).rejects.toThrow(StoreError);
      await expect(store.upsert('bad name!', [])).rejects.toThrow(/collection name/);
      await expect(store.search('runbooks', { topK: 3 })).rejects.toThrow(StoreError);
      await expect(store.search('runbooks', { text: 'x', topK: 0 })).rejects.toThrow(/topK/);
      await expect(store.search('runbooks', { text: 'x', topK: 3, mode: 'vector' })).rejects.toThrow(
        /embedding/,
      );
      await store.upsert('second', [{ id: 'a', documentId: 'a', text: 'a' }]);
      await expect(store.upsert('third', [{ id: 'a', documentId: 'a', text: 'a' }])).rejects.toThrow(
        StoreError,
      );
      expect((await store.collections()).map((collection) => collection.chunks)).toEqual([4, 1]);
    });

    it('keeps __proto__, constructor and prototype metadata keys as plain fields (no pollution, no loss)', async () => {
      const store = await create();
      // As a JSON body arrives: `__proto__` is an own field here, not the prototype.
      const metadata = JSON.parse(
        '{"__proto__":"evil","constructor":"ctor","prototype":"proto","team":"sre"}',
      ) as Record<string, string>;
      await store.upsert('keys', [{ id: 'k', documentId: 'k', text: 'drain the node first', metadata }]);
      const [hit] = (await store.search('keys', { text: 'drain node', topK: 1 })).hits;
      expect(Object.keys(hit!.metadata).sort()).toEqual(['__proto__', 'constructor', 'prototype', 'team']);
      expect(Object.getOwnPropertyDescriptor(hit!.metadata, '__proto__')?.value).toBe('evil');
      expect(Object.getPrototypeOf(hit!.metadata)).toBe(Object.prototype);
      expect(hit!.metadata.constructor).toBe('ctor');
      expect(JSON.parse(JSON.stringify(hit!.metadata))).toEqual(metadata);
      expect(({} as Record<string, unknown>).evil).toBeUndefined();
      // A `__proto__` whose value is not a string is refused like any other field, never skipped.
      for (const bad of ['{"__proto__":{"polluted":"yes"}}', '{"__proto__":42}', '{"constructor":null}']) {
        await expect(
          store.upsert('keys', [
            { id: 'b', documentId: 'b', text: 'x', metadata: JSON.parse(bad) as Record<string, string> },
          ]),
        ).rejects.toSatisfy(
          (error: unknown) => StoreError.isInstance(error) && error.reason === 'invalid_input',
        );
      }
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect((await store.collections()).find((collection) => collection.name === 'keys')?.chunks).toBe(1);
    });

    it('never stores a secret in clear', async () => {
      const store = await create({ knownSecrets: ['internal-wiki-pass'] });
      const key = ['xai', 'Ab12Cd34Ef56Gh78Ij90'].join('-');
      await store.upsert('notes', [
        {
          id: 'n',
          documentId: 'n',
          text: `grok key ${key}, wiki internal-wiki-pass`,
          metadata: { note: key },
        },
      ]);
      const text = JSON.stringify(await store.search('notes', { text: 'grok key wiki', topK: 1 }));
      expect(text).not.toContain(key);
      expect(text).not.toContain('internal-wiki-pass');
      expect(text).toContain('[redacted]');
    });

    it('keeps vector search in step with every write (model-based, against a brute-force reference)', async () => {
      const operation = fc.oneof(
        fc.record({
          kind: fc.constant('upsert' as const),
          chunk: fc.integer({ min: 0, max: 11 }),
          vector: fc.option(fc.array(fc.integer({ min: -4, max: 4 }), { minLength: 3, maxLength: 3 }), {
            nil: undefined,
          }),
        }),
        fc.record({ kind: fc.constant('delete' as const), document: fc.integer({ min: 0, max: 3 }) }),
        fc.record({
          kind: fc.constant('search' as const),
          vector: fc.array(fc.integer({ min: -4, max: 4 }), { minLength: 3, maxLength: 3 }),
          topK: fc.integer({ min: 1, max: 6 }),
        }),
      );
      let run = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 25 }), async (operations) => {
          const store = await create();
          const collection = `model-${++run}`;
          const reference = new Map<string, VectorChunk>();
          for (const step of operations) {
            if (step.kind === 'upsert') {
              const chunk: VectorChunk = {
                id: `c${step.chunk}`,
                documentId: `d${step.chunk % 4}`,
                text: `chunk ${step.chunk}`,
                ...(step.vector ? { embedding: step.vector } : {}),
              };
              await store.upsert(collection, [chunk]);
              reference.set(chunk.id, chunk);
            } else if (step.kind === 'delete') {
              const expected = [...reference.values()].filter(
                (chunk) => chunk.documentId === `d${step.document}`,
              );
              expect(await store.deleteDocument(collection, `d${step.document}`)).toBe(expected.length);
              for (const chunk of expected) reference.delete(chunk.id);
            } else {
              const { hits } = await store.search(collection, {
                embedding: step.vector,
                topK: step.topK,
                mode: 'vector',
              });
              const expected = referenceScores(reference.values(), step.vector, step.topK);
              expect(hits.map((hit) => hit.score)).toEqual(expected.map((score) => expect.closeTo(score, 5)));
              for (const hit of hits)
                expect(cosine(reference.get(hit.id)!.embedding!, step.vector)).toBeCloseTo(hit.score, 5);
            }
          }
          await store.close();
        }),
        { seed: 14, numRuns: 25 },
      );
    });

    if (harness.sibling)
      it("sees another replica's writes on the next search (collection version)", async () => {
        const store = await create();
        await store.upsert('shared', documents);
        expect((await store.search('shared', { embedding: [0, 0, 1, 0], topK: 1 })).hits[0]!.id).toBe(
          'bread#0',
        );
        const replica = await harness.sibling!(store, {});
        await replica.upsert('shared', [{ ...documents[1]!, embedding: [0, 0.1, 1, 0] }]);
        await replica.deleteDocument('shared', 'bread');
        const after = await store.search('shared', { embedding: [0, 0, 1, 0], topK: 4 });
        expect(after.hits.map((hit) => hit.id)[0]).toBe('scale#0');
        expect(after.hits.map((hit) => hit.id).sort()).toEqual(['evacuate#0', 'evacuate#1', 'scale#0']);
        // And this store's own writes keep its matrix current (no reload needed, same answer).
        await store.upsert('shared', [
          { id: 'new', documentId: 'new', text: 'new', embedding: [0, 0, 1, 0] },
        ]);
        expect((await store.search('shared', { embedding: [0, 0, 1, 0], topK: 1 })).hits[0]!.id).toBe('new');
        expect((await replica.search('shared', { embedding: [0, 0, 1, 0], topK: 1 })).hits[0]!.id).toBe(
          'new',
        );
        await replica.close();
      });

    it('finds neighbours with an IVF-flat index and says so', async () => {
      const store = await create({ vectorIndex: { kind: 'ivf-flat', probes: 4 } });
      let seed = 3;
      const random = () => {
        seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
        return seed / 2_147_483_648 - 0.5;
      };
      // 2 500 vectors (enough for the index to build: 50 lists) around 25 well-separated centres.
      const centres = Array.from({ length: 25 }, () => Array.from({ length: 8 }, random));
      const chunks: VectorChunk[] = Array.from({ length: 2_500 }, (_, index) => ({
        id: `v${index}`,
        documentId: `doc${index % 50}`,
        text: `vector ${index}`,
        embedding: centres[index % 25]!.map((value) => value + random() * 0.1),
      }));
      for (let start = 0; start < chunks.length; start += 500)
        await store.upsert('ann', chunks.slice(start, start + 500));
      const query = centres[7]!.map((value) => value + 0.01);
      const { hits } = await store.search('ann', { embedding: query, topK: 5 });
      expect(hits.map((hit) => hit.score)).toEqual(
        referenceScores(chunks, query, 5).map((score) => expect.closeTo(score, 5)),
      );
      const description = await store.describe();
      expect(description.vectorSearch).toBe(
        description.vectorIndex.engine === 'pgvector' ? 'pgvector' : 'ivf-flat',
      );
      await expect(create({ vectorIndex: { kind: 'ivf-flat', probes: 0 } })).rejects.toThrow(/vectorIndex/);
    });

    it('describes its search modes', async () => {
      const store = await create();
      const description = await store.describe();
      expect(['exact-scan', 'pgvector']).toContain(description.vectorSearch);
      expect(['wasm-simd', 'scalar', 'pgvector']).toContain(description.vectorIndex.engine);
      expect(['bm25', 'sqlite-fts5-bm25', 'postgres-full-text']).toContain(description.lexicalSearch);
    });

    if (harness.reopen)
      it('keeps collections across restarts', async () => {
        const store = await create();
        await store.upsert('runbooks', documents);
        const reopened = await harness.reopen!(store, {});
        opened.push(reopened);
        const result = await reopened.search('runbooks', {
          text: 'evacuate',
          embedding: [1, 0, 0, 0],
          topK: 1,
        });
        expect(result.hits[0]!.id).toBe('evacuate#0');
      });
  });
}
