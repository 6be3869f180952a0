import { AbortedError, ApiCallError, ConfigError } from '@ballast/core';
import { deterministicEmbedding, type FakeLlmServer, startFakeOllama } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOllama } from './ollama-provider';

let fake: FakeLlmServer;
beforeAll(async () => {
  fake = await startFakeOllama();
});
afterAll(() => fake.close());

describe('Ollama embeddings through the official client', () => {
  it('returns one deterministic vector per value, in order, with usage', async () => {
    const model = createOllama({ host: fake.url }).embeddingModel('nomic-embed-text');
    expect(model).toMatchObject({ provider: 'ollama', modelId: 'nomic-embed-text', dimensions: undefined });
    const values = ['evacuate the proxmox node', 'scale the deployment'];
    const { embeddings, usage } = await model.embed({ values });
    expect(embeddings).toEqual(values.map((value) => deterministicEmbedding(value, 256)));
    expect(usage.inputTokens).toBe(7);
    expect(fake.requests.at(-1)).toMatchObject({
      method: 'POST',
      path: '/api/embed',
      body: { model: 'nomic-embed-text', input: values },
    });
    const shorter = await createOllama({ host: fake.url })
      .embeddingModel('nomic-embed-text', { dimensions: 32 })
      .embed({ values: ['x'] });
    expect(shorter.embeddings[0]).toHaveLength(32);
  });

  it('refuses a bad configuration and turns failures into Ballast errors', async () => {
    expect(() => createOllama({ host: fake.url }).embeddingModel(' ')).toThrow(ConfigError);
    const unreachable = createOllama({ host: 'http://127.0.0.1:1' }).embeddingModel('nomic-embed-text');
    const error = await unreachable.embed({ values: ['x'] }).catch((caught: unknown) => caught);
    expect(ApiCallError.isInstance(error)).toBe(true);
    expect((error as ApiCallError).code).toBe('network_error');
    const controller = new AbortController();
    controller.abort();
    await expect(
      createOllama({ host: fake.url })
        .embeddingModel('nomic-embed-text')
        .embed({ values: ['x'], signal: controller.signal }),
    ).rejects.toThrow(AbortedError);
  });
});
