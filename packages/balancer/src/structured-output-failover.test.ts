import { createAnthropic } from '@ballast/anthropic';
import { type ChatModel, collectStream, generateObject } from '@ballast/core';
import { createGroq } from '@ballast/groq';
import { createOllama } from '@ballast/ollama';
import { createOpenAI } from '@ballast/openai';
import {
  type FakeLlmServer,
  type ReceivedRequest,
  type ScriptedReply,
  startFakeAnthropic,
  startFakeGroq,
  startFakeOllama,
  startFakeOpenAI,
} from '@ballast/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createBalancer } from './balancer';
import type { StrategyName } from './strategies';

// Structured output through a balancer of all four real adapters, each against its fake over
// loopback HTTP. Every target must be reachable: the JSON request is adapted per attempt to the
// target's strongest native mode (OpenAI json_schema, Anthropic and Groq a forced tool, Ollama
// `format`), so a target without native JSON Schema is never skipped as capability_mismatch.

const move = z.object({ vmid: z.number().int(), target: z.string().min(1) });
const answer = { vmid: 101, target: 'pve2' };

/** Answers the way the real provider would for what it was asked: a forced tool call or text. */
function structuredResponder(request: ReceivedRequest): ScriptedReply {
  const body = request.body as {
    tools?: Array<{ name?: string; function?: { name: string } }>;
    tool_choice?: unknown;
  };
  const forced = body.tool_choice !== undefined && body.tools?.[0];
  if (forced) return { toolCalls: [{ name: forced.name ?? forced.function?.name ?? '', arguments: answer }] };
  return { text: JSON.stringify(answer) };
}

const down: ScriptedReply = { fault: { type: 'status', status: 503, message: 'upstream overloaded' } };

let openai: FakeLlmServer;
let anthropic: FakeLlmServer;
let groq: FakeLlmServer;
let ollama: FakeLlmServer;
let models: Record<'openai' | 'anthropic' | 'groq' | 'ollama', ChatModel>;

beforeAll(async () => {
  [openai, anthropic, groq, ollama] = await Promise.all([
    startFakeOpenAI(),
    startFakeAnthropic(),
    startFakeGroq(),
    startFakeOllama(),
  ]);
  models = {
    openai: createOpenAI({ apiKey: 'test-openai-key', baseURL: `${openai.url}/v1` }).chatModel('gpt-4o-mini'),
    anthropic: createAnthropic({ apiKey: 'test-anthropic-key', baseURL: anthropic.url }).chatModel(
      'claude-sonnet-4-6',
    ),
    groq: createGroq({ apiKey: 'test-groq-key', baseURL: groq.url }).chatModel('llama-3.3-70b-versatile'),
    ollama: createOllama({ host: ollama.url }).chatModel('llama3.2'),
  };
});
afterAll(async () => {
  await Promise.all([openai, anthropic, groq, ollama].map((fake) => fake.close()));
});
beforeEach(() => {
  for (const fake of [openai, anthropic, groq, ollama]) {
    fake.requests.length = 0;
    fake.setResponder(structuredResponder);
  }
});

const balancerOf = (strategy: StrategyName) =>
  createBalancer({
    name: 'structured',
    strategy,
    targets: Object.entries(models).map(([id, model]) => ({ id, model })),
    retry: { baseDelayMs: 1, maxDelayMs: 2 },
  });

describe('structured output across a balancer of all four adapters', () => {
  it('reaches every target, each with its own native mode', async () => {
    const balancer = balancerOf('round-robin');
    const served = new Map<string, string>();
    for (let call = 0; call < 8; call++) {
      const result = await generateObject(balancer, {
        schema: move,
        prompt: 'Which guest moves?',
        schemaName: 'move',
      });
      expect(result.object).toEqual(answer);
      expect(result.calls).toBe(1);
      served.set((result.result as { route?: { target: string } }).route?.target ?? '?', result.mode);
    }
    expect(Object.fromEntries(served)).toEqual({
      openai: 'json-schema',
      anthropic: 'tool',
      groq: 'tool',
      ollama: 'json-schema',
    });
    // What each provider actually received on the wire.
    expect(openai.requests[0]?.body).toMatchObject({ response_format: { type: 'json_schema' } });
    expect(anthropic.requests[0]?.body).toMatchObject({ tool_choice: { type: 'tool', name: 'move' } });
    expect(groq.requests[0]?.body).toMatchObject({
      tool_choice: { type: 'function', function: { name: 'move' } },
    });
    expect(ollama.requests[0]?.body).toMatchObject({ format: { type: 'object' } });
  });

  it.each(['openai', 'anthropic', 'groq', 'ollama'] as const)(
    'fails over to the others when %s is down',
    async (failing) => {
      const fakes = { openai, anthropic, groq, ollama };
      fakes[failing].setResponder(() => down);
      for (const strategy of ['weighted', 'round-robin', 'random', 'least-busy'] as const) {
        const balancer = balancerOf(strategy);
        for (let call = 0; call < 6; call++) {
          const result = await generateObject(balancer, { schema: move, prompt: 'Which guest moves?' });
          expect(result.object).toEqual(answer);
          const route = (result.result as { route?: { target: string } }).route;
          expect(route?.target).not.toBe(failing);
        }
        // Nothing was skipped for lack of a capability: only the failing target was ever refused.
        expect(
          balancer
            .health()
            .filter((target) => target.target !== failing)
            .every((t) => t.state === 'closed'),
        ).toBe(true);
      }
    },
  );

  it('streams structured output from a target without native JSON Schema as JSON text', async () => {
    openai.setResponder(() => down);
    ollama.setResponder(() => down);
    groq.setResponder(() => down);
    const balancer = balancerOf('failover');
    const result = await collectStream(
      balancer.stream({
        messages: [{ role: 'user', content: 'Which guest moves?' }],
        responseFormat: { type: 'json', schema: move, name: 'move' },
      }),
    );
    expect(JSON.parse(result.text)).toEqual(answer);
    expect(result.toolCalls).toEqual([]);
    expect(result.structuredOutputMode).toBe('tool');
  });

  it('still honours an explicit demand for native JSON Schema', async () => {
    openai.setResponder(() => down);
    ollama.setResponder(() => down);
    const balancer = balancerOf('round-robin');
    const error = await balancer
      .chat(
        { messages: [{ role: 'user', content: 'go' }], responseFormat: { type: 'json', schema: move } },
        { routing: { requiredCapabilities: ['json-schema'] } },
      )
      .catch((failure: unknown) => failure);
    expect(error).toMatchObject({ code: 'no_healthy_target' });
    expect(anthropic.requests).toHaveLength(0);
    expect(groq.requests).toHaveLength(0);
  });
});
