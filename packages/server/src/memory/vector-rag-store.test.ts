import { createOllama } from '@ballast/ollama';
import { createInMemoryVectorStore } from '@ballast/store';
import { deterministicEmbedding, type FakeLlmServer, startFakeOllama } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embedderFromModel, ragStoreFromVectorStore } from './vector-rag-store';

let fake: FakeLlmServer;
beforeAll(async () => {
  fake = await startFakeOllama();
});
afterAll(() => fake.close());

describe('gateway adapters over @ballast/store and EmbeddingModel', () => {
  it('embeds through an EmbeddingModel in batches the model accepts', async () => {
    const embedder = embedderFromModel(
      createOllama({ host: fake.url }).embeddingModel('nomic-embed-text', {
        dimensions: 64,
        maxValuesPerCall: 2,
      }),
    );
    expect(embedder).toMatchObject({ id: 'ollama:nomic-embed-text', dimensions: 64 });
    const before = fake.requests.length;
    const vectors = await embedder.embed(['one', 'two', 'three']);
    expect(vectors).toEqual(['one', 'two', 'three'].map((text) => deterministicEmbedding(text, 64)));
    expect(fake.requests.length - before).toBe(2);
  });

  it('serves the gateway RagStore from a VectorStore, hybrid when the query text is known', async () => {
    const vectors = createInMemoryVectorStore();
    const rag = ragStoreFromVectorStore(vectors);
    await rag.upsert('runbooks', [
      { id: 'a#0', documentId: 'a', text: 'evacuate the proxmox node first', embedding: [1, 0] },
      { id: 'b#0', documentId: 'b', text: 'bake bread', embedding: [0, 1] },
    ]);
    expect(await rag.collections()).toEqual([{ name: 'runbooks', chunks: 2 }]);
    const hits = await rag.query('runbooks', [0, 1], 2, 'evacuate proxmox');
    expect(hits.map((hit) => hit.id).sort()).toEqual(['a#0', 'b#0']);
    const vectorOnly = await rag.query('runbooks', [1, 0], 1);
    expect(vectorOnly[0]).toMatchObject({ id: 'a#0', documentId: 'a' });
    expect(vectorOnly[0]!.score).toBeCloseTo(1, 5);
    await rag.deleteCollection('runbooks');
    expect(await rag.collections()).toEqual([]);
  });
});
