import type { ChatMessage, ChatRequest, ToolCall, Usage } from '@ballast/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ballastRequestFromCallOptions } from './ballast-request-from-call-options';
import { callOptionsFromBallastRequest } from './call-options-from-ballast-request';
import { fromAiSdkUsage, toAiSdkUsage } from './usage-conversion';

// The two directions of the bridge are inverses on everything both contracts can express: a
// Ballast request sent through an AI SDK model and read back by createBallastLanguageModel (the
// round trip a Ballast model makes through `createChatModelFromAiSdk(createBallastLanguageModel(m))`)
// arrives unchanged, and so does usage.

const count = fc.nat({ max: 1_000_000 });
const usageArbitrary: fc.Arbitrary<Usage> = fc
  .record({ input: count, cached: count, output: count, reasoning: count })
  .map(({ input, cached, output, reasoning }) => ({
    inputTokens: input + cached,
    cachedInputTokens: cached,
    outputTokens: output + reasoning,
    reasoningTokens: reasoning,
    totalTokens: input + cached + output + reasoning,
  }));

describe('usage conversion', () => {
  it('round-trips every usage whose parts fit inside their totals', () => {
    fc.assert(
      fc.property(usageArbitrary, (usage) => {
        expect(fromAiSdkUsage(toAiSdkUsage(usage))).toEqual(usage);
      }),
    );
  });

  it.each([
    [
      'cached and reasoning tokens split out',
      { inputTokens: 100, outputTokens: 40, cachedInputTokens: 30, reasoningTokens: 10, totalTokens: 140 },
      {
        inputTokens: { total: 100, noCache: 70, cacheRead: 30 },
        outputTokens: { total: 40, text: 30, reasoning: 10 },
      },
    ],
    [
      'unknown totals stay unknown',
      {
        inputTokens: undefined,
        outputTokens: undefined,
        cachedInputTokens: undefined,
        reasoningTokens: undefined,
        totalTokens: undefined,
      },
      {
        inputTokens: { total: undefined, noCache: undefined, cacheRead: undefined },
        outputTokens: { total: undefined, text: undefined, reasoning: undefined },
      },
    ],
  ] as const)('%s', (_, usage, expected) => {
    expect(toAiSdkUsage(usage)).toMatchObject(expected);
  });

  it('derives totals from the parts when a provider reports only the parts', () => {
    const usage = fromAiSdkUsage({
      inputTokens: { total: undefined, noCache: 8, cacheRead: 2, cacheWrite: undefined },
      outputTokens: { total: undefined, text: 5, reasoning: 1 },
    });
    expect(usage).toEqual({
      inputTokens: 10,
      cachedInputTokens: 2,
      outputTokens: 6,
      reasoningTokens: 1,
      totalTokens: 16,
    });
    expect(fromAiSdkUsage(undefined).totalTokens).toBeUndefined();
  });
});

const text = fc.string({ maxLength: 40 });
const name = fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9_-]{0,20}$/);
const jsonArguments = fc.dictionary(
  name,
  fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.boolean()),
  {
    maxKeys: 3,
  },
);
const toolCall: fc.Arbitrary<ToolCall> = fc
  .record({ id: name, name, arguments: jsonArguments })
  .map((call) => ({ ...call, rawArguments: JSON.stringify(call.arguments) }));

const message: fc.Arbitrary<ChatMessage> = fc.oneof(
  fc.record({ role: fc.constant('system' as const), content: text }),
  fc.record({ role: fc.constant('user' as const), content: text }),
  fc.record({
    role: fc.constant('user' as const),
    content: fc
      .array(
        fc.oneof(
          fc.record({ type: fc.constant('text' as const), text }),
          fc.record({
            type: fc.constant('image' as const),
            url: fc.constantFrom('https://example.com/rack.png', 'https://example.com/a/b.jpg?size=2'),
          }),
          fc.record({
            type: fc.constant('image' as const),
            data: fc.base64String({ minLength: 4, maxLength: 40 }),
            mediaType: fc.constantFrom('image/png', 'image/jpeg'),
          }),
        ),
        { minLength: 1, maxLength: 3 },
      )
      .filter((parts) => parts.some((part) => part.type === 'image')),
  }),
  fc
    .record({ content: text, toolCalls: fc.array(toolCall, { maxLength: 2 }) })
    .map(({ content, toolCalls }) => ({
      role: 'assistant' as const,
      content,
      ...(toolCalls.length > 0 ? { toolCalls } : {}),
    })),
  fc
    .record({ toolCallId: name, toolName: name, content: text, isError: fc.boolean() })
    .map(({ isError, ...rest }) => ({
      role: 'tool' as const,
      ...rest,
      ...(isError ? { isError: true } : {}),
    })),
);

const request: fc.Arbitrary<ChatRequest> = fc
  .record(
    {
      messages: fc.array(message, { minLength: 1, maxLength: 6 }),
      tools: fc.array(
        fc.record({
          name,
          description: text,
          parameters: fc.constant({
            type: 'object',
            properties: { city: { type: 'string' } },
            required: ['city'],
          }),
        }),
        { minLength: 1, maxLength: 2 },
      ),
      toolChoice: fc.oneof(
        fc.constantFrom('auto' as const, 'none' as const, 'required' as const),
        name.map((toolName) => ({ name: toolName })),
      ),
      responseFormat: fc.oneof(
        fc.constant({ type: 'json' as const }),
        fc.record({
          type: fc.constant('json' as const),
          name,
          schema: fc.constant({ type: 'object', properties: { node: { type: 'string' } } }),
        }),
      ),
      temperature: fc.double({ min: 0, max: 2, noNaN: true }),
      topP: fc.double({ min: 0, max: 1, noNaN: true }),
      maxTokens: fc.integer({ min: 1, max: 10_000 }),
      stopSequences: fc.array(text, { minLength: 1, maxLength: 2 }),
      seed: fc.integer(),
    },
    { requiredKeys: ['messages'] },
  )
  .map((generated) => {
    // Ballast sends a tool choice only with tools, and the AI SDK has no choice without them.
    if (generated.tools === undefined) delete generated.toolChoice;
    return generated;
  });

describe('request conversion', () => {
  it('a Ballast request survives the trip through AI SDK call options and back', () => {
    fc.assert(
      fc.property(request, (original) => {
        const { request: back, warnings } = ballastRequestFromCallOptions(
          callOptionsFromBallastRequest(original),
        );
        expect(warnings).toEqual([]);
        expect(back).toEqual(original);
      }),
      { numRuns: 200 },
    );
  });

  it('folds consecutive tool results into one AI SDK tool message', () => {
    const options = callOptionsFromBallastRequest({
      messages: [
        { role: 'tool', toolCallId: 'a', toolName: 'f', content: '1' },
        { role: 'tool', toolCallId: 'b', toolName: 'f', content: 'boom', isError: true },
      ],
    });
    expect(options.prompt).toEqual([
      {
        role: 'tool',
        content: [
          { type: 'tool-result', toolCallId: 'a', toolName: 'f', output: { type: 'text', value: '1' } },
          {
            type: 'tool-result',
            toolCallId: 'b',
            toolName: 'f',
            output: { type: 'error-text', value: 'boom' },
          },
        ],
      },
    ]);
  });
});
