import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStores, type Stores } from '@ballast/store';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminKey,
  clientKey,
  type GatewayFixture,
  startGatewayFixture,
  upstreamKey,
} from './gateway.test-helper';

const directory = mkdtempSync(join(tmpdir(), 'ballast-gateway-store-'));
let stores: Stores;
let fixture: GatewayFixture;
let client: OpenAI;

beforeAll(async () => {
  stores = await openStores(`sqlite:${join(directory, 'gateway.db')}`, { knownSecrets: [upstreamKey] });
  fixture = await startGatewayFixture({ store: stores, memory: true, rag: true });
  client = new OpenAI({ apiKey: clientKey, baseURL: `${fixture.url}/v1`, maxRetries: 0 });
});
afterAll(async () => {
  await fixture.close();
  await stores.close();
  rmSync(directory, { recursive: true, force: true });
});

describe('gateway over durable stores (SQLite)', () => {
  it('records every attempt: a retried 500 counts as one failure and one success of the provider', async () => {
    fixture.openai.enqueue(
      { fault: { type: 'status', status: 500, message: 'boom' } },
      { text: 'recovered' },
    );
    const reply = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hello' }],
    });
    expect(reply.choices[0]?.message.content).toBe('recovered');
    const response = await fetch(`${fixture.url}/api/monitoring/performance?hours=1`, {
      headers: { authorization: `Bearer ${clientKey}` },
    });
    const report = (await response.json()) as {
      source: string;
      providers: Record<
        string,
        { requests: number; failures: number; failuresByCode: Record<string, number> }
      >;
    };
    expect(report.source).toBe('store');
    expect(report.providers.openai).toMatchObject({
      requests: 2,
      failures: 1,
      failuresByCode: { server_error: 1 },
    });
  });

  it('keeps session memory and RAG chunks in the store, retrieving documents in hybrid mode', async () => {
    const ingest = await fetch(`${fixture.url}/v1/rag/collections/runbooks/documents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        documents: [
          {
            id: 'evacuate',
            text: 'To evacuate a Proxmox node, migrate its guests with HA in maintenance mode first.',
          },
          { id: 'bread', text: 'Sourdough needs a long proof and a hot oven.' },
        ],
      }),
    });
    expect(ingest.status).toBe(201);
    expect(await stores.vectors.collections()).toEqual([{ name: 'runbooks', chunks: 2, dimensions: 512 }]);
    fixture.openai.enqueue({ text: 'Use maintenance mode.' });
    await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'How do I evacuate a Proxmox node?' }],
      rag_collection: 'runbooks',
      rag_top_k: 1,
      session_id: 'chat-1',
    } as OpenAI.ChatCompletionCreateParamsNonStreaming);
    const sent = (fixture.openai.requests.at(-1)?.body as { messages: Array<{ content: string }> }).messages;
    expect(sent[0]?.content).toContain('maintenance mode');
    expect(sent[0]?.content).not.toContain('Sourdough');
    await expect.poll(() => stores.memory.recent('client:chat-1', 10)).toHaveLength(2);
  });

  it('keeps a __proto__ metadata key of an ingested document as a plain field', async () => {
    const ingest = await fetch(`${fixture.url}/v1/rag/collections/keys/documents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      // Raw JSON: an object literal would make `__proto__` the prototype, not a field.
      body: '{"documents":[{"id":"d","text":"drain the node first","metadata":{"__proto__":"evil","constructor":"c","team":"sre"}}]}',
    });
    expect(ingest.status).toBe(201);
    const [hit] = (await stores.vectors.search('keys', { text: 'drain node', topK: 1 })).hits;
    expect(Object.keys(hit!.metadata).sort()).toEqual(['__proto__', 'constructor', 'team']);
    expect(Object.getOwnPropertyDescriptor(hit!.metadata, '__proto__')?.value).toBe('evil');
    const refused = await fetch(`${fixture.url}/v1/rag/collections/keys/documents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: '{"documents":[{"text":"x","metadata":{"__proto__":{"polluted":"yes"}}}]}',
    });
    expect(refused.status).toBe(400);
    expect((await refused.json()).error.issues[0].path).toBe('documents.0.metadata.__proto__');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('audits routing decisions and target settings changes, and reports the store in /healthz', async () => {
    fixture.gateway.configureTarget(fixture.gateway.catalog.targetIds[0]!, { weight: 3 });
    await expect.poll(async () => (await stores.audit.list({ kind: 'configuration-change' })).length).toBe(1);
    // One decision per call of the earlier tests (appends are asynchronous: wait for them).
    await expect.poll(async () => (await stores.audit.list({ kind: 'routing-decision' })).length).toBe(2);
    const decisions = await stores.audit.list({ kind: 'routing-decision' });
    expect(decisions[0]).toMatchObject({ actor: 'client' });
    expect(JSON.stringify(decisions)).not.toContain(upstreamKey);
    const health = (await (await fetch(`${fixture.url}/healthz`)).json()) as { store: unknown };
    expect(health.store).toMatchObject({
      kind: 'sqlite',
      vectorSearch: 'exact-scan',
      vectorIndex: { location: 'process', engine: 'wasm-simd' },
      lexicalSearch: 'sqlite-fts5-bm25',
    });
  });
});
