import { createOllama } from '@ballast/ollama';
import { type FakeLlmServer, startFakeOllama } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteDatabase } from '../sqlite/open-sqlite-database';
import { createInMemoryVectorStore } from './in-memory-vector-store';
import { createRagIndex } from './rag-index';
import { createSqlVectorStore } from './sql-vector-store';

let fake: FakeLlmServer;
beforeAll(async () => {
  fake = await startFakeOllama();
});
afterAll(() => fake.close());

const runbook = [
  'To evacuate a Proxmox node, put HA into maintenance mode and migrate every guest to the least loaded node.',
  'Kubernetes deployments scale through their HPA: raise maxReplicas when the CPU target is always exceeded.',
  'An Avi virtual service pool balances traffic across its servers; drain a server before maintenance.',
  'Bread wants a hot oven: bake it at 220 degrees for forty minutes.',
].join('\n\n');

describe('RAG index: documents chunked, embedded (Ollama through its client), searched', () => {
  it('retrieves the relevant chunk in hybrid mode with an embedding model', async () => {
    const database = await openSqliteDatabase({ path: ':memory:' });
    const vectors = createSqlVectorStore(database);
    const rag = createRagIndex({
      vectors,
      embeddingModel: createOllama({ host: fake.url }).embeddingModel('nomic-embed-text', {
        maxValuesPerCall: 2,
      }),
      chunkSize: 120,
      chunkOverlap: 0,
    });
    expect(rag.mode).toBe('hybrid');
    const added = await rag.addDocuments('runbooks', [
      { id: 'ops', text: runbook, metadata: { team: 'sre' } },
    ]);
    expect(added.chunks).toBeGreaterThanOrEqual(4);
    expect(added.embeddingTokens).toBeGreaterThan(0);
    // Batches of at most 2 values per embed request.
    const embedRequests = fake.requests.filter((request) => request.path === '/api/embed');
    expect(embedRequests.length).toBe(Math.ceil(added.chunks / 2));
    const result = await rag.query('runbooks', 'how do I evacuate a proxmox node?', { topK: 2 });
    expect(result.mode).toBe('hybrid');
    expect(result.hits[0]!.text).toContain('evacuate a Proxmox node');
    expect(result.hits[0]!.metadata).toEqual({ team: 'sre' });
    // Re-adding a shorter version replaces the document's chunks.
    await rag.addDocuments('runbooks', [{ id: 'ops', text: 'Only one short chunk now.' }]);
    expect(await vectors.collections()).toEqual([{ name: 'runbooks', chunks: 1, dimensions: 256 }]);
    await database.close();
  });

  it('falls back to lexical retrieval without an embedding model', async () => {
    const rag = createRagIndex({ vectors: createInMemoryVectorStore(), chunkSize: 120, chunkOverlap: 0 });
    expect(rag.mode).toBe('lexical');
    await rag.addDocuments('runbooks', [{ id: 'ops', text: runbook }]);
    const result = await rag.query('runbooks', 'raise maxReplicas of the HPA', { topK: 1 });
    expect(result).toMatchObject({ mode: 'lexical', hits: [{ documentId: 'ops' }] });
    expect(result.hits[0]!.text).toContain('maxReplicas');
  });
});
