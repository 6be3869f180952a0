/**
 * Ballast provider demo: the provider contract end to end, with no keys and no network.
 *
 * It starts the testkit's fake OpenAI and Groq servers on 127.0.0.1, then drives them through
 * the real adapters (the official SDKs underneath) and prints what a host application sees:
 * normalized text, finish reasons, usage, cost, latency, streaming, tool calls, validated
 * structured output, and typed errors.
 */

import { createAnthropic } from '@ballast/anthropic';
import { ApiCallError, type ChatModel, type ChatResult, generateObject } from '@ballast/core';
import { createGroq } from '@ballast/groq';
import { createOllama } from '@ballast/ollama';
import { createOpenAI } from '@ballast/openai';
import {
  type FakeLlmServer,
  startFakeAnthropic,
  startFakeGroq,
  startFakeOllama,
  startFakeOpenAI,
} from '@ballast/testkit';
import { z } from 'zod';

const fakeKey = 'demo-key-not-secret';

function describe(result: ChatResult): string {
  const { usage } = result;
  const cost = result.costUsd === undefined ? 'unknown' : `$${result.costUsd.toFixed(7)}`;
  const ttft =
    result.timeToFirstTokenMs === undefined ? '' : `, first token ${result.timeToFirstTokenMs.toFixed(1)} ms`;
  return [
    `   provider/model: ${result.provider}/${result.modelId}`,
    `   finish:         ${result.finishReason.unified} (raw "${result.finishReason.raw}")`,
    `   usage:          ${usage.inputTokens} in / ${usage.outputTokens} out tokens, cost ${cost}`,
    `   latency:        ${result.latencyMs.toFixed(1)} ms${ttft}`,
  ].join('\n');
}

/** The fake servers and the models pointed at them. */
interface Fakes {
  openaiFake: FakeLlmServer;
  groqFake: FakeLlmServer;
  anthropicFake: FakeLlmServer;
  ollamaFake: FakeLlmServer;
  openai: ChatModel;
  groq: ChatModel;
}

const question = { role: 'user' as const, content: 'How loaded is pve3?' };

async function main() {
  const openaiFake = await startFakeOpenAI({ apiKey: fakeKey });
  const groqFake = await startFakeGroq({ apiKey: fakeKey });
  const anthropicFake = await startFakeAnthropic({ apiKey: fakeKey });
  const ollamaFake = await startFakeOllama();
  const fakes: Fakes = {
    openaiFake,
    groqFake,
    anthropicFake,
    ollamaFake,
    openai: createOpenAI({ apiKey: fakeKey, baseURL: `${openaiFake.url}/v1` }).chatModel('gpt-4o-mini'),
    groq: createGroq({ apiKey: fakeKey, baseURL: groqFake.url }).chatModel('llama-3.3-70b-versatile'),
  };
  try {
    console.log('Ballast provider demo: fake providers on 127.0.0.1, official SDKs, no keys needed\n');
    await chat(fakes);
    await streaming(fakes);
    await toolCallRoundTrip(fakes);
    await structuredOutput(fakes);
    await typedErrors(fakes);
    await oneShapeForEveryProvider(fakes);
    console.log(
      '\nDone. Real providers: createOpenAI(), createAnthropic(), createOllama(), createGroq() with your keys.',
    );
  } finally {
    await Promise.all([openaiFake.close(), groqFake.close(), anthropicFake.close(), ollamaFake.close()]);
  }
}

async function chat({ openaiFake, openai }: Fakes): Promise<void> {
  console.log(`1. Chat through @ballast/openai -> ${openaiFake.url}/v1`);
  openaiFake.enqueue({
    text: 'pve3 carries 71 % of the cluster memory; move one large guest off it.',
    usage: { inputTokens: 1200, outputTokens: 18, cachedInputTokens: 1024 },
  });
  const result = await openai.chat({
    messages: [
      { role: 'system', content: 'You are a Proxmox capacity planner.' },
      { role: 'user', content: 'Which node is overloaded?' },
    ],
    temperature: 0.2,
  });
  console.log(`   text:           ${result.text}\n${describe(result)}\n`);
}

async function streaming({ groqFake, groq }: Fakes): Promise<void> {
  console.log(`2. Streaming through @ballast/groq -> ${groqFake.url}/openai/v1`);
  groqFake.enqueue({
    text: 'Streaming token by token from the fake Groq server.',
    chunkSize: 6,
    chunkDelayMs: 15,
  });
  process.stdout.write('   text:           ');
  for await (const chunk of groq.stream({ messages: [{ role: 'user', content: 'Say something' }] })) {
    if (chunk.type === 'text-delta') process.stdout.write(chunk.text);
    if (chunk.type === 'finish') console.log(`\n${describe(chunk.result)}\n`);
  }
}

async function toolCallRoundTrip({ openaiFake, openai }: Fakes): Promise<void> {
  console.log('3. Tool call round trip');
  openaiFake.enqueue(
    { toolCalls: [{ id: 'call_1', name: 'node_load', arguments: { node: 'pve3' } }] },
    { text: 'pve3 is at 0.82 CPU and 0.71 memory.' },
  );
  const tools = [
    {
      name: 'node_load',
      description: 'Current load of a node',
      parameters: z.object({ node: z.string() }),
    },
  ];
  const call = await openai.chat({ messages: [question], tools });
  const toolCall = call.toolCalls[0];
  if (!toolCall) throw new Error('the fake was scripted to call a tool');
  console.log(`   model asked:    ${toolCall.name}(${JSON.stringify(toolCall.arguments)})`);
  const answer = await openai.chat({
    messages: [
      question,
      { role: 'assistant', content: '', toolCalls: call.toolCalls },
      {
        role: 'tool',
        toolCallId: toolCall.id,
        toolName: toolCall.name,
        content: '{"cpu":0.82,"memory":0.71}',
      },
    ],
    tools,
  });
  console.log(`   final answer:   ${answer.text}\n`);
}

async function structuredOutput({ openaiFake, openai }: Fakes): Promise<void> {
  console.log('4. Structured output with validation and one repair');
  openaiFake.enqueue(
    { text: 'Here it is:\n```json\n{"vmid": "101", "target": "pve1"}\n```' },
    { text: '{"vmid": 101, "target": "pve1"}' },
  );
  const { object, calls, rejectedAttempts } = await generateObject(openai, {
    schema: z.object({ vmid: z.number().int(), target: z.string() }),
    prompt: 'Which guest should move, and where?',
  });
  console.log(
    `   first answer refused: ${rejectedAttempts[0]?.issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`,
  );
  console.log(`   accepted after ${calls} calls: ${JSON.stringify(object)}\n`);
}

async function typedErrors({ openaiFake, openai }: Fakes): Promise<void> {
  console.log('5. Typed errors from injected faults');
  openaiFake.enqueue(
    { fault: { type: 'status', status: 429, retryAfter: '2' } },
    { fault: { type: 'status', status: 404, code: 'model_not_found' } },
    { fault: { type: 'reset' } },
  );
  for (const label of ['429 with Retry-After', '404 unknown model', 'connection reset']) {
    const error = await openai.chat({ messages: [question] }).catch((caught: unknown) => caught);
    if (!ApiCallError.isInstance(error)) throw error;
    const wait = error.retryAfterMs === undefined ? '' : `, retry after ${error.retryAfterMs} ms`;
    console.log(
      `   ${label.padEnd(22)} -> ${error.code} (retryable: ${error.isRetryable}, target unavailable: ${error.isTargetUnavailable}${wait})`,
    );
  }
}

async function oneShapeForEveryProvider(fakes: Fakes): Promise<void> {
  console.log('\n6. One request, four providers, one normalized result shape');
  const models: ChatModel[] = [
    fakes.openai,
    createAnthropic({ apiKey: fakeKey, baseURL: fakes.anthropicFake.url }).chatModel('claude-sonnet-4-6'),
    createOllama({ host: fakes.ollamaFake.url }).chatModel('llama3.1:8b'),
    fakes.groq,
  ];
  for (const fake of [fakes.openaiFake, fakes.anthropicFake, fakes.ollamaFake, fakes.groqFake]) {
    fake.enqueue({ text: 'Move VM 101 from pve3 to pve1.', usage: { inputTokens: 420, outputTokens: 12 } });
  }
  const rows = [];
  for (const model of models) {
    const result = await model.chat({ messages: [question], maxTokens: 100 });
    rows.push({
      provider: result.provider,
      model: result.modelId,
      text: result.text,
      finish: result.finishReason.unified,
      'tokens in/out': `${result.usage.inputTokens}/${result.usage.outputTokens}`,
      'cost USD': result.costUsd?.toFixed(6) ?? 'unknown',
    });
  }
  console.table(rows);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
