import { AbortedError, ApiCallError, ConfigError } from '@ballast/core';
import { deterministicEmbedding, type FakeLlmServer, startFakeOpenAI } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAI } from './openai-provider';

const apiKey = ['sk', 'test', 'embeddings0123456789abcdef'].join('-');
let fake: FakeLlmServer;
beforeAll(async () => {
  fake = await startFakeOpenAI({ apiKey });
});
afterAll(() => fake.close());

const cosine = (a: number[], b: number[]) => a.reduce((sum, value, index) => sum + value * b[index]!, 0);

describe('OpenAI embeddings through the official SDK', () => {
  it('returns one deterministic vector per value, in order, with usage', async () => {
    const model = createOpenAI({ apiKey, baseURL: `${fake.url}/v1` }).embeddingModel(
      'text-embedding-3-small',
      {
        dimensions: 64,
      },
    );
    expect(model).toMatchObject({ provider: 'openai', modelId: 'text-embedding-3-small', dimensions: 64 });
    const values = [
      'the proxmox node pve1 is overloaded',
      'why is pve1 overloaded',
      'bake bread at 220 degrees',
    ];
    const { embeddings, usage } = await model.embed({ values });
    expect(embeddings).toHaveLength(3);
    expect(embeddings[0]).toHaveLength(64);
    // The SDK asked for base64 float32 and decoded it: values match the fake's to float32 precision.
    const expected = deterministicEmbedding(values[0]!, 64);
    for (const [index, value] of embeddings[0]!.entries()) expect(value).toBeCloseTo(expected[index]!, 6);
    expect(cosine(embeddings[0]!, embeddings[1]!)).toBeGreaterThan(cosine(embeddings[0]!, embeddings[2]!));
    expect(usage.inputTokens).toBe(15);
    const request = fake.requests.at(-1)!;
    expect(request.path).toBe('/v1/embeddings');
    expect(request.body).toMatchObject({ model: 'text-embedding-3-small', dimensions: 64, input: values });
  });

  it('answers an empty input without a request, and refuses a bad configuration', async () => {
    const before = fake.requests.length;
    const model = createOpenAI({ apiKey, baseURL: `${fake.url}/v1` }).embeddingModel(
      'text-embedding-3-small',
    );
    expect(await model.embed({ values: [] })).toEqual({ embeddings: [], usage: { inputTokens: 0 } });
    expect(fake.requests.length).toBe(before);
    expect(() => createOpenAI({ apiKey }).embeddingModel('')).toThrow(ConfigError);
    expect(() => createOpenAI({ apiKey }).embeddingModel('m', { dimensions: 0 })).toThrow(ConfigError);
  });

  it('turns failures into Ballast errors without the key', async () => {
    const unreachable = createOpenAI({
      apiKey,
      baseURL: 'http://127.0.0.1:1/v1',
      maxRetries: 0,
    }).embeddingModel('text-embedding-3-small');
    const error = await unreachable.embed({ values: ['x'] }).catch((caught: unknown) => caught);
    expect(ApiCallError.isInstance(error)).toBe(true);
    expect((error as ApiCallError).code).toBe('network_error');
    expect(JSON.stringify(error)).not.toContain(apiKey);
    const controller = new AbortController();
    controller.abort();
    const model = createOpenAI({ apiKey, baseURL: `${fake.url}/v1` }).embeddingModel(
      'text-embedding-3-small',
    );
    await expect(model.embed({ values: ['x'], signal: controller.signal })).rejects.toThrow(AbortedError);
  });
});
