import { APIError } from '@anthropic-ai/sdk';
import { AbortedError } from '@ballast/core';
import { describe, expect, it } from 'vitest';
import { toAnthropicError } from './anthropic-error';
import {
  fromAnthropicContent,
  fromAnthropicStopReason,
  fromAnthropicUsage,
  mergeAnthropicUsage,
  toAnthropicMessages,
} from './anthropic-messages';

describe('Anthropic message mapping', () => {
  it('joins system messages into the top-level system and keeps the turn order', () => {
    const { system, messages } = toAnthropicMessages([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi' },
      { role: 'system', content: 'Use metric units.' },
      { role: 'assistant', content: 'Hello!' },
      { role: 'assistant', content: '' },
    ]);
    expect(system).toBe('Be brief.\n\nUse metric units.');
    expect(messages).toEqual([
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello!' },
    ]);
  });

  it('starts a new tool_result message after any other turn', () => {
    const result = (id: string) => ({ role: 'tool' as const, toolCallId: id, toolName: 't', content: 'ok' });
    const call = (id: string) => ({ id, name: 't', arguments: {}, rawArguments: '{}' });
    const { messages } = toAnthropicMessages([
      { role: 'assistant', content: '', toolCalls: [call('toolu_1')] },
      result('toolu_1'),
      { role: 'assistant', content: '', toolCalls: [call('toolu_2'), call('toolu_3')] },
      result('toolu_2'),
      result('toolu_3'),
    ]);
    expect(
      messages.map((message) => [message.role, Array.isArray(message.content) ? message.content.length : 0]),
    ).toEqual([
      ['assistant', 1],
      ['user', 1],
      ['assistant', 2],
      ['user', 2],
    ]);
  });

  it('normalizes stop reasons, keeping the raw value', () => {
    expect(fromAnthropicStopReason('end_turn')).toEqual({ unified: 'stop', raw: 'end_turn' });
    expect(fromAnthropicStopReason('stop_sequence')).toEqual({ unified: 'stop', raw: 'stop_sequence' });
    expect(fromAnthropicStopReason('max_tokens').unified).toBe('length');
    expect(fromAnthropicStopReason('model_context_window_exceeded').unified).toBe('length');
    expect(fromAnthropicStopReason('tool_use').unified).toBe('tool-calls');
    expect(fromAnthropicStopReason('refusal').unified).toBe('content-filter');
    expect(fromAnthropicStopReason('pause_turn')).toEqual({ unified: 'other', raw: 'pause_turn' });
    expect(fromAnthropicStopReason(null)).toEqual({ unified: 'other', raw: undefined });
  });

  it('adds cache reads and writes back into input tokens', () => {
    expect(
      fromAnthropicUsage({
        input_tokens: 100,
        cache_read_input_tokens: 900,
        cache_creation_input_tokens: 50,
        output_tokens: 40,
        output_tokens_details: { thinking_tokens: 10 },
      }),
    ).toEqual({
      inputTokens: 1050,
      cachedInputTokens: 900,
      outputTokens: 40,
      reasoningTokens: 10,
      totalTokens: 1090,
    });
    expect(fromAnthropicUsage(undefined).inputTokens).toBeUndefined();
    expect(
      fromAnthropicUsage({ input_tokens: 5, output_tokens: 1, cache_read_input_tokens: null })
        .cachedInputTokens,
    ).toBe(undefined);
  });

  it('merges message_delta usage over message_start usage', () => {
    expect(
      mergeAnthropicUsage(
        { input_tokens: 10, cache_read_input_tokens: 5, output_tokens: 1 },
        { output_tokens: 42, input_tokens: null },
      ),
    ).toEqual({ input_tokens: 10, cache_read_input_tokens: 5, output_tokens: 42 });
  });

  it('reads text blocks joined and tool_use blocks with object input', () => {
    expect(
      fromAnthropicContent([
        { type: 'text', text: 'Part one, ' },
        { type: 'thinking' },
        { type: 'text', text: 'part two.' },
        { type: 'tool_use', id: 'toolu_1', name: 'f', input: [1, 2] },
      ]),
    ).toEqual({
      text: 'Part one, part two.',
      toolCalls: [
        {
          id: 'toolu_1',
          name: 'f',
          arguments: {},
          rawArguments: '[1,2]',
          argumentsError: 'arguments are not a JSON object',
        },
      ],
    });
  });
});

describe('toAnthropicError', () => {
  const context = { modelId: 'claude-sonnet-4-6', apiKey: 'sk-ant-secret-value-123456' };

  it('classifies an `event: error` sent mid-stream (no HTTP status) by its type', () => {
    const body = { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } };
    const error = toAnthropicError(
      new APIError(undefined, body, undefined, new Headers(), 'overloaded_error'),
      context,
    );
    expect(error).toMatchObject({ code: 'overloaded', isRetryable: true, statusCode: 529 });
    const rateLimited = toAnthropicError(
      new APIError(
        undefined,
        { type: 'error', error: { type: 'rate_limit_error', message: 'slow down' } },
        undefined,
        new Headers(),
      ),
      context,
    );
    expect(rateLimited).toMatchObject({ code: 'rate_limited', isRetryable: true });
  });

  it('maps aborts, unknown throws and secrets', () => {
    expect(toAnthropicError(new (class extends Error {})('x'), context)).toMatchObject({
      code: 'invalid_response',
      isRetryable: true,
    });
    const leaked = toAnthropicError(new Error(`boom ${context.apiKey}`), context);
    expect(leaked.message).not.toContain(context.apiKey);
    expect(toAnthropicError(Object.assign(new TypeError('terminated'), {}), context)).toMatchObject({
      code: 'network_error',
    });
  });

  it('maps the SDK user abort to AbortedError', async () => {
    const { APIUserAbortError } = await import('@anthropic-ai/sdk');
    expect(toAnthropicError(new APIUserAbortError(), context)).toBeInstanceOf(AbortedError);
  });
});
