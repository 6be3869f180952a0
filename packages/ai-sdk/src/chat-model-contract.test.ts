import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { createPricingTable } from '@ballast/core';
import { createOpenAI } from '@ballast/openai';
import { type FakeLlmServer, startFakeOpenAI } from '@ballast/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBallastLanguageModel } from './ballast-language-model';
import { describeChatModelContract } from './chat-model-contract.test-helper';
import { createChatModelFromAiSdk } from './chat-model-from-ai-sdk';

// One contract, three implementations: Ballast's own OpenAI adapter (the reference), a real AI
// SDK provider made a ChatModel, and a Ballast model that went through the AI SDK and back.

let fake: FakeLlmServer;
beforeAll(async () => {
  fake = await startFakeOpenAI();
});
afterAll(async () => {
  await fake.close();
});
afterEach(() => {
  expect(fake.pending()).toBe(0);
});

const ballastOpenAI = (server = fake) =>
  createOpenAI({ apiKey: 'test-contract-key', baseURL: `${server.url}/v1` }).chatModel('gpt-4o-mini');
const compatPricing = createPricingTable({
  compat: { 'gpt-4o-mini': { inputPerMillion: 1, outputPerMillion: 2 } },
});
const aiSdkCompat = (server: FakeLlmServer) =>
  createChatModelFromAiSdk(
    createOpenAICompatible({ name: 'compat', baseURL: `${server.url}/v1`, includeUsage: true }).chatModel(
      'gpt-4o-mini',
    ),
    { pricing: compatPricing },
  );

describeChatModelContract('@ballast/openai (reference)', {
  fake: () => fake,
  model: () => ballastOpenAI(),
  modelFor: ballastOpenAI,
});

describeChatModelContract('createChatModelFromAiSdk(@ai-sdk/openai-compatible)', {
  fake: () => fake,
  model: () => aiSdkCompat(fake),
  modelFor: aiSdkCompat,
});

describeChatModelContract('createChatModelFromAiSdk(createBallastLanguageModel(@ballast/openai))', {
  fake: () => fake,
  model: () => createChatModelFromAiSdk(createBallastLanguageModel(ballastOpenAI())),
  modelFor: (server) => createChatModelFromAiSdk(createBallastLanguageModel(ballastOpenAI(server))),
});

describe('a Ballast model through the AI SDK and back', () => {
  it('keeps its provider name, and the cost the serving model computed', async () => {
    fake.enqueue({ text: 'priced', usage: { inputTokens: 1_000_000, outputTokens: 0 } });
    const direct = ballastOpenAI();
    const roundTrip = createChatModelFromAiSdk(createBallastLanguageModel(direct));
    expect(roundTrip.provider).toBe('openai');
    const result = await roundTrip.chat({ messages: [{ role: 'user', content: 'Hello' }] });
    expect(result.provider).toBe('openai');
    expect(result.costUsd).toBeGreaterThan(0);
  });
});
