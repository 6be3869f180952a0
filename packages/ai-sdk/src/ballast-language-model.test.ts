import { createBalancer } from '@ballast/balancer';
import type { ChatModel } from '@ballast/core';
import { createOpenAI } from '@ballast/openai';
import { type FakeLlmServer, startFakeOpenAI } from '@ballast/testkit';
import { generateText, streamText } from 'ai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createBallastLanguageModel } from './ballast-language-model';

// The real `ai` package drives Ballast models that talk real HTTP to the testkit's fake OpenAI.

let primary: FakeLlmServer;
let backup: FakeLlmServer;
let primaryModel: ChatModel;
let backupModel: ChatModel;

beforeAll(async () => {
  [primary, backup] = await Promise.all([startFakeOpenAI(), startFakeOpenAI()]);
  primaryModel = createOpenAI({ apiKey: 'test-key-primary', baseURL: `${primary.url}/v1` }).chatModel(
    'gpt-4o-mini',
  );
  backupModel = createOpenAI({
    name: 'backup',
    apiKey: 'test-key-backup',
    baseURL: `${backup.url}/v1`,
  }).chatModel('gpt-4.1-mini');
});
afterAll(async () => {
  await Promise.all([primary.close(), backup.close()]);
});
beforeEach(() => {
  for (const fake of [primary, backup]) {
    fake.requests.length = 0;
    fake.setResponder(() => ({ text: 'OK' }));
  }
});

/** Primary first, backup second, no retry on the same target: a failure always fails over. */
const failoverBalancer = () =>
  createBalancer({
    name: 'chat',
    strategy: 'failover',
    targets: [
      { id: 'primary', model: primaryModel, priority: 0 },
      { id: 'backup', model: backupModel, priority: 1 },
    ],
    retry: { maxRetriesPerTarget: 0, baseDelayMs: 1, maxDelayMs: 2 },
  });

describe('createBallastLanguageModel with generateText', () => {
  it('answers with text, usage, finish reason and Ballast metadata', async () => {
    primary.enqueue({
      text: 'Hello from Ballast',
      usage: { inputTokens: 12, outputTokens: 4, cachedInputTokens: 2 },
    });
    const result = await generateText({
      model: createBallastLanguageModel(primaryModel),
      system: 'Be brief.',
      prompt: 'Say hello',
      temperature: 0.3,
      maxOutputTokens: 50,
    });
    expect(result.text).toBe('Hello from Ballast');
    expect(result.finishReason).toBe('stop');
    expect(result.usage).toMatchObject({
      inputTokens: 12,
      outputTokens: 4,
      totalTokens: 16,
      inputTokenDetails: { cacheReadTokens: 2, noCacheTokens: 10 },
    });
    expect(result.providerMetadata?.ballast).toMatchObject({ provider: 'openai', modelId: 'gpt-4o-mini' });
    expect(result.response.modelId).toBe('gpt-4o-mini');
    const sent = primary.requests[0]?.body as { messages: unknown[]; temperature: number };
    expect(sent.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Say hello' },
    ]);
    expect(sent.temperature).toBe(0.3);
  });

  it('shows a balancer failover in providerMetadata.ballast.route', async () => {
    primary.enqueue({ fault: { type: 'status', status: 503, message: 'primary is overloaded' } });
    backup.enqueue({ text: 'served by the backup' });
    const result = await generateText({
      model: createBallastLanguageModel(failoverBalancer()),
      prompt: 'Hello',
      maxRetries: 0,
    });
    expect(result.text).toBe('served by the backup');
    const ballast = result.providerMetadata?.ballast as {
      provider: string;
      route: { target: string; attempts: Array<{ target: string; outcome: string }> };
    };
    expect(ballast.provider).toBe('backup');
    expect(ballast.route.target).toBe('backup');
    expect(ballast.route.attempts.map((attempt) => [attempt.target, attempt.outcome])).toEqual([
      ['primary', 'overloaded'],
      ['backup', 'success'],
    ]);
  });
});

describe('createBallastLanguageModel with streamText', () => {
  it('streams text deltas and ends with usage, finish reason and metadata', async () => {
    primary.enqueue({
      text: 'Streaming through Ballast',
      chunkSize: 5,
      usage: { inputTokens: 7, outputTokens: 5 },
    });
    const result = streamText({ model: createBallastLanguageModel(primaryModel), prompt: 'Stream please' });
    const deltas: string[] = [];
    for await (const delta of result.textStream) deltas.push(delta);
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe('Streaming through Ballast');
    expect(await result.finishReason).toBe('stop');
    expect(await result.usage).toMatchObject({ inputTokens: 7, outputTokens: 5, totalTokens: 12 });
    expect((await result.providerMetadata)?.ballast).toMatchObject({
      provider: 'openai',
      modelId: 'gpt-4o-mini',
    });
  });

  it('streams from the backup when the primary fails, and says so in the route', async () => {
    primary.enqueue({ fault: { type: 'status', status: 500 } });
    backup.enqueue({ text: 'backup stream' });
    const result = streamText({
      model: createBallastLanguageModel(failoverBalancer()),
      prompt: 'Hello',
      maxRetries: 0,
    });
    expect(await result.text).toBe('backup stream');
    const ballast = (await result.providerMetadata)?.ballast as {
      route: { target: string; attempts: Array<{ target: string; outcome: string }> };
    };
    expect(ballast.route.target).toBe('backup');
    expect(ballast.route.attempts.map((attempt) => attempt.outcome)).toEqual(['server_error', 'success']);
  });
});
