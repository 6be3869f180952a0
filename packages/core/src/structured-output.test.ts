import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ChatModelCapabilities } from './chat-model';
import type { ChatRequest } from './chat-request';
import { type ChatChunk, type ChatResult, createUsage } from './chat-result';
import {
  prepareStructuredRequest,
  restoreStructuredResult,
  restoreStructuredStream,
  type StructuredOutputMode,
} from './structured-output';

const none: ChatModelCapabilities = {
  tools: false,
  vision: false,
  jsonMode: false,
  jsonSchema: false,
  streaming: true,
};
const schema = z.object({ vmid: z.number().int(), target: z.string() });
const asksForPlan: ChatRequest = {
  messages: [
    { role: 'system', content: 'You balance clusters.' },
    { role: 'user', content: 'Which guest should move?' },
  ],
  responseFormat: { type: 'json', schema, name: 'plan', description: 'One move' },
};

function resultOf(partial: Partial<ChatResult>): ChatResult {
  return {
    text: '',
    toolCalls: [],
    finishReason: { unified: 'stop', raw: 'stop' },
    usage: createUsage({ inputTokens: 1, outputTokens: 1 }),
    costUsd: undefined,
    latencyMs: 1,
    provider: 'p',
    modelId: 'm',
    raw: null,
    ...partial,
  };
}

async function collect(chunks: AsyncIterable<ChatChunk>): Promise<ChatChunk[]> {
  const out: ChatChunk[] = [];
  for await (const chunk of chunks) out.push(chunk);
  return out;
}

async function* from(chunks: ChatChunk[]): AsyncGenerator<ChatChunk> {
  yield* chunks;
}

describe('prepareStructuredRequest', () => {
  it.each([
    [{ jsonSchema: true, tools: true, jsonMode: true }, 'json-schema'],
    [{ tools: true, jsonMode: true }, 'tool'],
    [{ jsonMode: true }, 'json'],
    [{}, 'text'],
  ] as const)('serves a schema with the strongest native mode for %o', (capabilities, mode) => {
    const prepared = prepareStructuredRequest(asksForPlan, { ...none, ...capabilities });
    expect(prepared.mode).toBe(mode);
    const request = prepared.request;
    if (mode === 'json-schema') expect(request).toBe(asksForPlan);
    if (mode === 'tool') {
      expect(request.responseFormat).toBeUndefined();
      expect(request.toolChoice).toEqual({ name: 'plan' });
      expect(request.tools).toEqual([
        { name: 'plan', description: 'One move', parameters: expect.objectContaining({ type: 'object' }) },
      ]);
      expect(prepared.toolName).toBe('plan');
    }
    if (mode === 'json') expect(request.responseFormat).toEqual({ type: 'json' });
    if (mode === 'text') expect(request.responseFormat).toBeUndefined();
    if (mode === 'json' || mode === 'text') {
      // The schema joins the existing system prompt instead of adding a second one.
      expect(request.messages).toHaveLength(2);
      expect(request.messages[0]?.content).toMatch(/^You balance clusters\.\n\nAnswer with one JSON value/);
      expect(request.messages[0]?.content).toContain('"vmid"');
    }
  });

  it('leaves requests that ask for no JSON untouched, without copying them', () => {
    const plain: ChatRequest = { messages: [{ role: 'user', content: 'Hi' }] };
    expect(prepareStructuredRequest(plain, none)).toEqual({ request: plain, mode: undefined });
    expect(prepareStructuredRequest(plain, none).request).toBe(plain);
  });

  it('does not force a schema tool over the request’s own tools', () => {
    const withTools: ChatRequest = {
      ...asksForPlan,
      tools: [{ name: 'get_load', parameters: { type: 'object' } }],
    };
    const prepared = prepareStructuredRequest(withTools, { ...none, tools: true, jsonMode: true });
    expect(prepared.mode).toBe('json');
    expect(prepared.request.tools).toEqual(withTools.tools);
    expect(prepared.request.toolChoice).toBeUndefined();
  });

  it('turns JSON mode into an instruction where the model has no JSON mode', () => {
    const anyJson: ChatRequest = {
      messages: [{ role: 'user', content: 'List' }],
      responseFormat: { type: 'json' },
    };
    const prepared = prepareStructuredRequest(anyJson, none);
    expect(prepared.mode).toBe('text');
    expect(prepared.request.messages[0]).toEqual({
      role: 'system',
      content: 'Answer with one JSON object and nothing else.',
    });
    expect(prepareStructuredRequest(anyJson, { ...none, jsonMode: true }).request).toBe(anyJson);
  });

  it('never sends a model a format it lacks (property)', () => {
    const capabilities = fc.record({
      tools: fc.boolean(),
      vision: fc.boolean(),
      jsonMode: fc.boolean(),
      jsonSchema: fc.boolean(),
      streaming: fc.boolean(),
    });
    const request = fc.record({
      withSchema: fc.boolean(),
      ownTools: fc.boolean(),
      system: fc.option(fc.string(), { nil: undefined }),
    });
    fc.assert(
      fc.property(capabilities, request, (caps, shape) => {
        const original: ChatRequest = {
          messages: [
            ...(shape.system === undefined ? [] : [{ role: 'system' as const, content: shape.system }]),
            { role: 'user', content: 'go' },
          ],
          responseFormat: shape.withSchema ? { type: 'json', schema, name: 'plan' } : { type: 'json' },
          ...(shape.ownTools ? { tools: [{ name: 'own', parameters: { type: 'object' } }] } : {}),
        };
        const { request: sent, mode } = prepareStructuredRequest(original, caps);
        const format = sent.responseFormat;
        if (format?.type === 'json' && format.schema !== undefined) expect(caps.jsonSchema).toBe(true);
        if (format?.type === 'json') expect(caps.jsonMode || caps.jsonSchema).toBe(true);
        if (sent.toolChoice !== undefined) {
          expect(caps.tools).toBe(true);
          expect(shape.ownTools).toBe(false);
        }
        // The caller's conversation is never lost: the last message is still the user's.
        expect(sent.messages.at(-1)).toEqual({ role: 'user', content: 'go' });
        expect(sent.messages.filter((message) => message.role === 'system')).toHaveLength(
          mode === 'text' || (mode === 'json' && shape.withSchema) || shape.system !== undefined ? 1 : 0,
        );
        expect(original.responseFormat?.type).toBe('json');
      }),
    );
  });
});

describe('restoreStructuredResult', () => {
  const toolPrepared = prepareStructuredRequest(asksForPlan, { ...none, tools: true });

  it('reads the forced tool call back as the JSON text', () => {
    const result = restoreStructuredResult(
      resultOf({
        toolCalls: [
          {
            id: 'c1',
            name: 'plan',
            arguments: { vmid: 1, target: 'b' },
            rawArguments: '{"vmid":1,"target":"b"}',
          },
        ],
        finishReason: { unified: 'tool-calls', raw: 'tool_use' },
      }),
      toolPrepared,
    );
    expect(result).toMatchObject({
      text: '{"vmid":1,"target":"b"}',
      toolCalls: [],
      finishReason: { unified: 'stop', raw: 'tool_use' },
      structuredOutputMode: 'tool',
    });
  });

  it('keeps the answer as it is when the model did not call the tool', () => {
    const result = restoreStructuredResult(resultOf({ text: 'I cannot.' }), toolPrepared);
    expect(result.text).toBe('I cannot.');
    expect(result.structuredOutputMode).toBe('tool');
  });

  it.each(['json-schema', 'json', 'text'] as const)('labels %s answers with their mode', (mode) => {
    const prepared = { request: asksForPlan, mode: mode as StructuredOutputMode };
    expect(restoreStructuredResult(resultOf({ text: '{}' }), prepared).structuredOutputMode).toBe(mode);
  });
});

describe('restoreStructuredStream', () => {
  const toolPrepared = prepareStructuredRequest(asksForPlan, { ...none, tools: true });
  const finish = (result: Partial<ChatResult>): ChatChunk => ({ type: 'finish', result: resultOf(result) });
  const call = { id: 'c1', name: 'plan', arguments: { vmid: 1 }, rawArguments: '{"vmid":1}' };

  it('streams the forced call’s argument deltas as text', async () => {
    const chunks = await collect(
      restoreStructuredStream(
        from([
          { type: 'tool-call-delta', index: 0, id: 'c1', name: 'plan', argumentsDelta: '{"vm' },
          { type: 'tool-call-delta', index: 0, argumentsDelta: 'id":1}' },
          { type: 'tool-call', toolCall: call },
          finish({ toolCalls: [call], finishReason: { unified: 'tool-calls', raw: 'tool_use' } }),
        ]),
        toolPrepared,
      ),
    );
    expect(chunks.slice(0, 2)).toEqual([
      { type: 'text-delta', text: '{"vm' },
      { type: 'text-delta', text: 'id":1}' },
    ]);
    expect(chunks).toHaveLength(3);
    expect(chunks[2]).toMatchObject({ type: 'finish', result: { text: '{"vmid":1}', toolCalls: [] } });
  });

  it('streams a call that arrives whole (no deltas) as one text chunk', async () => {
    const chunks = await collect(
      restoreStructuredStream(
        from([{ type: 'tool-call', toolCall: call }, finish({ toolCalls: [call] })]),
        toolPrepared,
      ),
    );
    expect(chunks[0]).toEqual({ type: 'text-delta', text: '{"vmid":1}' });
    expect(chunks).toHaveLength(2);
  });

  it('passes other modes through and labels the finish', async () => {
    const prepared = prepareStructuredRequest(asksForPlan, { ...none, jsonMode: true });
    const chunks = await collect(
      restoreStructuredStream(from([{ type: 'text-delta', text: '{}' }, finish({ text: '{}' })]), prepared),
    );
    expect(chunks[0]).toEqual({ type: 'text-delta', text: '{}' });
    expect(chunks[1]).toMatchObject({ type: 'finish', result: { structuredOutputMode: 'json' } });
  });
});
