import type { LanguageModelV3StreamPart } from '@ai-sdk/provider';
import { ApiCallError, type ChatChunk, type ChatResult, createUsage } from '@ballast/core';
import { describe, expect, it } from 'vitest';
import { chunksFromStreamParts } from './chunks-from-stream-parts';
import { streamPartsFromChunks } from './stream-parts-from-chunks';

// The stream converters on their own, for the orderings a real provider rarely produces: calls
// without ids, text after tool calls, final inputs that differ from the deltas, early cancels.

const result: ChatResult = {
  text: 'ab',
  toolCalls: [],
  finishReason: { unified: 'tool-calls', raw: 'tool_calls' },
  usage: createUsage({ inputTokens: 3, outputTokens: 4 }),
  costUsd: undefined,
  latencyMs: 1,
  provider: 'ollama',
  modelId: 'llama3.2',
  responseId: 'resp_1',
  raw: {},
};

async function* chunksOf(chunks: ChatChunk[], onReturn?: () => void): AsyncGenerator<ChatChunk> {
  try {
    yield* chunks;
  } finally {
    onReturn?.();
  }
}

async function readAll<T>(stream: ReadableStream<T>): Promise<T[]> {
  const parts: T[] = [];
  for await (const part of stream) parts.push(part);
  return parts;
}

async function partsFor(chunks: ChatChunk[], options: { includeRawChunks?: boolean; failWith?: Error } = {}) {
  async function* source() {
    yield* chunks;
    if (options.failWith) throw options.failWith;
  }
  const iterator = source();
  return readAll(
    streamPartsFromChunks(iterator, {
      first: await iterator.next(),
      warnings: [{ type: 'unsupported', feature: 'topK' }],
      includeRawChunks: options.includeRawChunks ?? false,
      abortSignal: undefined,
      toError: (error) => ({ mapped: error }),
    }),
  );
}

describe('streamPartsFromChunks', () => {
  it('orders text blocks and tool calls, and streams tool input only for calls with an id', async () => {
    const parts = await partsFor([
      { type: 'text-delta', text: 'a' },
      { type: 'tool-call-delta', index: 0, id: 'call_a', name: 'f', argumentsDelta: '{"x":' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '1}' },
      // Ollama-style: no id until the call is complete.
      { type: 'tool-call-delta', index: 1, name: 'g', argumentsDelta: '{}' },
      { type: 'text-delta', text: 'b' },
      {
        type: 'tool-call',
        toolCall: { id: 'call_a', name: 'f', arguments: { x: 1 }, rawArguments: '{"x":1}' },
      },
      { type: 'tool-call', toolCall: { id: 'call_1', name: 'g', arguments: {}, rawArguments: '' } },
      { type: 'finish', result },
    ]);
    expect(parts).toEqual([
      { type: 'stream-start', warnings: [{ type: 'unsupported', feature: 'topK' }] },
      { type: 'text-start', id: 'text-0' },
      { type: 'text-delta', id: 'text-0', delta: 'a' },
      { type: 'text-end', id: 'text-0' },
      { type: 'tool-input-start', id: 'call_a', toolName: 'f' },
      { type: 'tool-input-delta', id: 'call_a', delta: '{"x":' },
      { type: 'tool-input-delta', id: 'call_a', delta: '1}' },
      { type: 'text-start', id: 'text-1' },
      { type: 'text-delta', id: 'text-1', delta: 'b' },
      { type: 'text-end', id: 'text-1' },
      { type: 'tool-input-end', id: 'call_a' },
      { type: 'tool-call', toolCallId: 'call_a', toolName: 'f', input: '{"x":1}' },
      { type: 'tool-call', toolCallId: 'call_1', toolName: 'g', input: '{}' },
      { type: 'response-metadata', id: 'resp_1', modelId: 'llama3.2' },
      {
        type: 'finish',
        finishReason: { unified: 'tool-calls', raw: 'tool_calls' },
        usage: expect.objectContaining({ inputTokens: expect.objectContaining({ total: 3 }) }),
        providerMetadata: { ballast: expect.objectContaining({ provider: 'ollama', modelId: 'llama3.2' }) },
      },
    ]);
  });

  it('emits raw chunks on request', async () => {
    const parts = await partsFor([{ type: 'finish', result }], { includeRawChunks: true });
    expect(parts.filter((part) => part.type === 'raw')).toEqual([
      { type: 'raw', rawValue: { type: 'finish', result } },
    ]);
  });

  it('turns a failure mid-stream into an error part and a finish with reason error', async () => {
    const failure = new ApiCallError({
      message: 'cut',
      code: 'network_error',
      provider: 'p',
      isRetryable: true,
    });
    const parts = await partsFor([{ type: 'text-delta', text: 'par' }], { failWith: failure });
    expect(parts.slice(-3)).toEqual([
      { type: 'text-end', id: 'text-0' },
      { type: 'error', error: { mapped: failure } },
      {
        type: 'finish',
        finishReason: { unified: 'error', raw: undefined },
        usage: expect.objectContaining({ inputTokens: expect.objectContaining({ total: undefined }) }),
      },
    ]);
  });

  it('releases the Ballast stream when the consumer cancels', async () => {
    let released = false;
    const iterator = chunksOf(
      [
        { type: 'text-delta', text: 'a' },
        { type: 'text-delta', text: 'b' },
      ],
      () => {
        released = true;
      },
    );
    const stream = streamPartsFromChunks(iterator, {
      first: await iterator.next(),
      warnings: [],
      includeRawChunks: false,
      abortSignal: undefined,
      toError: (error) => error,
    });
    const reader = stream.getReader();
    await reader.read();
    await reader.cancel();
    expect(released).toBe(true);
  });
});

function streamOf(parts: LanguageModelV3StreamPart[]): ReadableStream<LanguageModelV3StreamPart> {
  return new ReadableStream({
    start(controller) {
      for (const part of parts) controller.enqueue(part);
      controller.close();
    },
  });
}

const context = {
  provider: 'compat',
  modelId: 'm',
  startedAt: performance.now(),
  costOf: () => 0.5,
  toError: (error: unknown) => new Error(`mapped: ${String(error)}`),
};
const finishPart: LanguageModelV3StreamPart = {
  type: 'finish',
  finishReason: { unified: 'tool-calls', raw: 'tool_calls' },
  usage: {
    inputTokens: { total: 5, noCache: 5, cacheRead: undefined, cacheWrite: undefined },
    outputTokens: { total: 2, text: 2, reasoning: undefined },
  },
};

async function chunksFor(parts: LanguageModelV3StreamPart[]): Promise<ChatChunk[]> {
  const chunks: ChatChunk[] = [];
  for await (const chunk of chunksFromStreamParts(streamOf(parts), context)) chunks.push(chunk);
  return chunks;
}

describe('chunksFromStreamParts', () => {
  it("prefers the tool call's final input over the concatenated deltas, and skips provider-executed calls", async () => {
    const chunks = await chunksFor([
      { type: 'stream-start', warnings: [] },
      { type: 'reasoning-delta', id: 'r', delta: 'thinking' },
      { type: 'tool-input-start', id: 'c1', toolName: 'f' },
      { type: 'tool-input-delta', id: 'c1', delta: '{"x":1' },
      { type: 'tool-call', toolCallId: 'c1', toolName: 'f', input: '{"x":1}' },
      { type: 'tool-call', toolCallId: 'web', toolName: 'search', input: '{}', providerExecuted: true },
      { type: 'tool-call', toolCallId: 'c2', toolName: 'g', input: '{"y":2}' },
      { type: 'response-metadata', id: 'resp_9' },
      finishPart,
    ]);
    expect(chunks.filter((chunk) => chunk.type === 'tool-call-delta')).toEqual([
      { type: 'tool-call-delta', index: 0, id: 'c1', name: 'f', argumentsDelta: '' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"x":1' },
      { type: 'tool-call-delta', index: 1, id: 'c2', name: 'g', argumentsDelta: '{"y":2}' },
    ]);
    const finish = chunks.at(-1);
    expect(finish?.type).toBe('finish');
    if (finish?.type !== 'finish') return;
    expect(finish.result.toolCalls).toEqual([
      { id: 'c1', name: 'f', arguments: { x: 1 }, rawArguments: '{"x":1}' },
      { id: 'c2', name: 'g', arguments: { y: 2 }, rawArguments: '{"y":2}' },
    ]);
    expect(finish.result).toMatchObject({ responseId: 'resp_9', costUsd: 0.5, provider: 'compat', text: '' });
    expect(finish.result.usage.totalTokens).toBe(7);
  });

  it('throws the mapped error of an error part', async () => {
    await expect(
      chunksFor([
        { type: 'text-delta', id: 't', delta: 'x' },
        { type: 'error', error: 'boom' },
      ]),
    ).rejects.toThrow('mapped: boom');
  });

  it('yields no finish chunk when the stream ends without a finish part', async () => {
    const chunks = await chunksFor([{ type: 'text-delta', id: 't', delta: 'partial' }]);
    expect(chunks).toEqual([{ type: 'text-delta', text: 'partial' }]);
  });
});
