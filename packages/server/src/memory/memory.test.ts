import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminKey,
  clientKey,
  type GatewayFixture,
  startGatewayFixture,
} from '../gateway/gateway.test-helper';
import { cosineSimilarity, createHashedBagOfWordsEmbedder } from './embedder';
import { createInMemoryMemoryStore } from './memory-store';
import { chunkText } from './rag-store';

describe('hashed bag-of-words embedder', () => {
  it('is deterministic and scores word overlap', async () => {
    const embedder = createHashedBagOfWordsEmbedder();
    const [a, b, c, again] = await embedder.embed([
      'the proxmox node pve1 is overloaded',
      'why is pve1 overloaded',
      'bake bread at 220 degrees',
      'the proxmox node pve1 is overloaded',
    ]);
    expect(again).toEqual(a);
    expect(cosineSimilarity(a!, b!)).toBeGreaterThan(cosineSimilarity(a!, c!));
    expect(cosineSimilarity(a!, a!)).toBeCloseTo(1, 10);
  });

  it('chunks long text on boundaries with overlap', () => {
    const text = Array.from(
      { length: 40 },
      (_, index) => `Sentence number ${index} about load balancing.`,
    ).join(' ');
    const chunks = chunkText(text, { size: 200, overlap: 40 });
    expect(chunks.length).toBeGreaterThan(5);
    for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(200);
    expect(chunks.join(' ')).toContain('Sentence number 39');
  });

  it('keeps sessions apart, bounded and TTL’d', async () => {
    let now = 1_000;
    const store = createInMemoryMemoryStore({ maxEntriesPerSession: 3, ttlMs: 100, now: () => now });
    await store.append(
      'a',
      [1, 2, 3, 4].map((n) => ({ role: 'user' as const, content: `m${n}`, createdAt: now })),
    );
    await store.append('b', [{ role: 'user', content: 'other', createdAt: now }]);
    expect((await store.recent('a', 10)).map((entry) => entry.content)).toEqual(['m2', 'm3', 'm4']);
    expect((await store.recent('b', 10)).map((entry) => entry.content)).toEqual(['other']);
    now += 200;
    expect(await store.recent('a', 10)).toEqual([]);
  });
});

describe('gateway memory and RAG', () => {
  let fixture: GatewayFixture;
  let client: OpenAI;
  beforeAll(async () => {
    fixture = await startGatewayFixture({ memory: true, rag: { collections: ['runbooks'] } });
    client = new OpenAI({ apiKey: clientKey, baseURL: `${fixture.url}/v1`, maxRetries: 0 });
  });
  afterAll(async () => {
    await fixture.close();
  });
  const sentMessages = () =>
    (fixture.openai.requests.at(-1)?.body as { messages: Array<{ role: string; content: string }> }).messages;

  it('replays a session’s turns, per API key, under session_id', async () => {
    fixture.openai.enqueue(
      { text: 'Nice to meet you, Ada.' },
      { text: 'Your name is Ada.' },
      { text: 'I do not know.' },
    );
    const ask = (content: string, key = clientKey) =>
      new OpenAI({ apiKey: key, baseURL: `${fixture.url}/v1`, maxRetries: 0 }).chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content }],
        session_id: 'chat-1',
      } as OpenAI.ChatCompletionCreateParamsNonStreaming);
    await ask('My name is Ada.');
    await expect.poll(async () => (await fixture.gateway.health()).memory).toMatchObject({ sessions: 1 });
    await ask('What is my name?');
    const messages = sentMessages();
    expect(messages.map((message) => message.content)).toEqual([
      'My name is Ada.',
      'Nice to meet you, Ada.',
      'What is my name?',
    ]);
    // Another key with the same session id sees nothing of it.
    await ask('What is my name?', adminKey);
    expect(sentMessages().map((message) => message.content)).toEqual(['What is my name?']);
  });

  it('ingests documents and retrieves the relevant chunks for rag_collection', async () => {
    const ingest = await fetch(`${fixture.url}/v1/rag/collections/runbooks/documents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        documents: [
          {
            id: 'evacuate',
            text: 'To evacuate a Proxmox node, migrate its guests with HA in maintenance mode first.',
          },
          { id: 'bread', text: 'Sourdough bread needs a long cold proof in the fridge.' },
        ],
      }),
    });
    expect(ingest.status).toBe(201);
    expect(await ingest.json()).toMatchObject({ collection: 'runbooks', documents: 2, chunks: 2 });
    fixture.openai.enqueue({ text: 'Use maintenance mode [1].' });
    await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'You are an SRE.' },
        { role: 'user', content: 'How do I evacuate a Proxmox node?' },
      ],
      rag_collection: 'runbooks',
      rag_top_k: 1,
    } as OpenAI.ChatCompletionCreateParamsNonStreaming);
    const messages = sentMessages();
    expect(messages[0]).toEqual({ role: 'system', content: 'You are an SRE.' });
    expect(messages[1]?.role).toBe('system');
    expect(messages[1]?.content).toContain('maintenance mode');
    expect(messages[1]?.content).not.toContain('Sourdough');
    expect(messages.at(-1)?.content).toBe('How do I evacuate a Proxmox node?');
  });

  it('lists collections and one model by name', async () => {
    const headers = { authorization: `Bearer ${clientKey}` };
    const collections = await (await fetch(`${fixture.url}/v1/rag/collections`, { headers })).json();
    expect(collections.data).toEqual([{ name: 'runbooks', chunks: 2 }]);
    const model = await (await fetch(`${fixture.url}/v1/models/fast`, { headers })).json();
    expect(model).toMatchObject({ id: 'fast', object: 'model', targets: ['openai:gpt-4o-mini'] });
    expect((await fetch(`${fixture.url}/v1/models/nope`, { headers })).status).toBe(404);
  });

  it('refuses an unknown collection and non-admin ingest', async () => {
    const chat = await fetch(`${fixture.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${clientKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'x' }],
        rag_collection: 'secrets',
      }),
    });
    expect(chat.status).toBe(404);
    const ingest = await fetch(`${fixture.url}/v1/rag/collections/runbooks/documents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${clientKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ documents: [{ text: 'x' }] }),
    });
    expect(ingest.status).toBe(403);
  });
});
