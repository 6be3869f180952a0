import { randomUUID } from 'node:crypto';
import type { ChatResult, ToolCall, UnifiedFinishReason, Usage } from '@ballast/core';

/** OpenAI `finish_reason` of a unified finish reason. */
export function toOpenAIFinishReason(
  reason: UnifiedFinishReason,
): 'stop' | 'length' | 'tool_calls' | 'content_filter' {
  switch (reason) {
    case 'length':
      return 'length';
    case 'tool-calls':
      return 'tool_calls';
    case 'content-filter':
      return 'content_filter';
    default:
      return 'stop';
  }
}

/** OpenAI `usage` of a Ballast usage. */
export function toOpenAIUsage(usage: Usage) {
  const prompt = usage.inputTokens ?? 0;
  const completion = usage.outputTokens ?? 0;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: usage.totalTokens ?? prompt + completion,
    ...(usage.cachedInputTokens === undefined
      ? {}
      : { prompt_tokens_details: { cached_tokens: usage.cachedInputTokens } }),
    ...(usage.reasoningTokens === undefined
      ? {}
      : { completion_tokens_details: { reasoning_tokens: usage.reasoningTokens } }),
  };
}

/** A fresh completion id, `chatcmpl-<uuid>`. */
export function completionId(): string {
  return `chatcmpl-${randomUUID().replaceAll('-', '')}`;
}

function toOpenAIToolCall(call: ToolCall) {
  return {
    id: call.id,
    type: 'function' as const,
    function: { name: call.name, arguments: call.rawArguments || JSON.stringify(call.arguments) },
  };
}

/**
 * An OpenAI `chat.completion` object of a Ballast result.
 *
 * @example
 * ```ts
 * return json(toChatCompletion(await balancer.chat(request), { id: completionId(), created }));
 * ```
 */
export function toChatCompletion(result: ChatResult, meta: { id: string; created: number }) {
  const toolCalls = result.toolCalls.map(toOpenAIToolCall);
  return {
    id: meta.id,
    object: 'chat.completion' as const,
    created: meta.created,
    model: result.modelId,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant' as const,
          content: result.text === '' && toolCalls.length ? null : result.text,
          refusal: null,
          ...(toolCalls.length ? { tool_calls: toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: toOpenAIFinishReason(result.finishReason.unified),
      },
    ],
    usage: toOpenAIUsage(result.usage),
  };
}

const encoder = new TextEncoder();

/** One SSE `data:` frame. */
export function sseFrame(data: unknown): Uint8Array {
  return encoder.encode(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
}

/** Builds `chat.completion.chunk` objects of one stream. */
export function createChunkWriter(meta: { id: string; created: number; model: string }) {
  const base = (delta: Record<string, unknown>, finish: string | null = null) => ({
    id: meta.id,
    object: 'chat.completion.chunk' as const,
    created: meta.created,
    model: meta.model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  });
  return {
    role: () => base({ role: 'assistant', content: '' }),
    text: (text: string) => base({ content: text }),
    toolCall: (
      index: number,
      call: { id?: string | undefined; name?: string | undefined; arguments: string },
    ) =>
      base({
        tool_calls: [
          {
            index,
            ...(call.id === undefined ? {} : { id: call.id, type: 'function' }),
            function: { ...(call.name === undefined ? {} : { name: call.name }), arguments: call.arguments },
          },
        ],
      }),
    finish: (result: ChatResult) => base({}, toOpenAIFinishReason(result.finishReason.unified)),
    usage: (usage: Usage) => ({
      id: meta.id,
      object: 'chat.completion.chunk' as const,
      created: meta.created,
      model: meta.model,
      choices: [],
      usage: toOpenAIUsage(usage),
    }),
  };
}
