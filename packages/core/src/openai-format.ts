import type { ChatMessage, ChatRequest, ToolChoice } from './chat-request';
import { createUsage, type FinishReason, type Usage } from './chat-result';
import { toJsonSchema } from './json-schema';

// Wire mapping for the OpenAI Chat Completions format, shared by every adapter whose provider
// speaks it (OpenAI and compatible servers, Groq). It works on plain JSON shapes, not SDK types,
// so core stays free of vendor SDKs.

/** A message in the OpenAI Chat Completions wire format. */
export type OpenAIFormatMessage =
  | { role: 'system'; content: string }
  | {
      role: 'user';
      content:
        | string
        | Array<{ type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } }>;
    }
  | {
      role: 'assistant';
      content: string | null;
      tool_calls?: Array<{ id: string; type: 'function'; function: { name: string; arguments: string } }>;
    }
  | { role: 'tool'; tool_call_id: string; content: string };

/** Converts Ballast messages to OpenAI-format messages. */
export function toOpenAIFormatMessages(messages: readonly ChatMessage[]): OpenAIFormatMessage[] {
  return messages.map((message): OpenAIFormatMessage => {
    switch (message.role) {
      case 'system':
        return { role: 'system', content: message.content };
      case 'user':
        return {
          role: 'user',
          content:
            typeof message.content === 'string'
              ? message.content
              : message.content.map((part) => {
                  if (part.type === 'text') return { type: 'text' as const, text: part.text };
                  const url = 'url' in part ? part.url : `data:${part.mediaType};base64,${part.data}`;
                  return { type: 'image_url' as const, image_url: { url } };
                }),
        };
      case 'assistant':
        return {
          role: 'assistant',
          content: message.content === '' && message.toolCalls?.length ? null : message.content,
          ...(message.toolCalls?.length
            ? {
                tool_calls: message.toolCalls.map((call) => ({
                  id: call.id,
                  type: 'function' as const,
                  function: {
                    name: call.name,
                    arguments: call.rawArguments || JSON.stringify(call.arguments),
                  },
                })),
              }
            : {}),
        };
      default:
        return { role: 'tool', tool_call_id: message.toolCallId, content: message.content };
    }
  });
}

/** The request fields other than messages, in OpenAI format (tools, tool_choice, response_format, sampling). */
export function toOpenAIFormatOptions(
  request: ChatRequest,
  maxTokensField: 'max_tokens' | 'max_completion_tokens',
): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (request.tools?.length) {
    body.tools = request.tools.map((tool) => ({
      type: 'function',
      function: {
        name: tool.name,
        ...(tool.description === undefined ? {} : { description: tool.description }),
        parameters: toJsonSchema(tool.parameters),
      },
    }));
  }
  if (request.toolChoice !== undefined) body.tool_choice = toOpenAIToolChoice(request.toolChoice);
  const format = request.responseFormat;
  if (format?.type === 'json') {
    body.response_format = format.schema
      ? {
          type: 'json_schema',
          json_schema: {
            name: format.name ?? 'response',
            ...(format.description === undefined ? {} : { description: format.description }),
            schema: toJsonSchema(format.schema),
            strict: false,
          },
        }
      : { type: 'json_object' };
  }
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.maxTokens !== undefined) body[maxTokensField] = request.maxTokens;
  if (request.stopSequences?.length) body.stop = request.stopSequences;
  if (request.seed !== undefined) body.seed = request.seed;
  return body;
}

function toOpenAIToolChoice(choice: ToolChoice): unknown {
  return typeof choice === 'string' ? choice : { type: 'function', function: { name: choice.name } };
}

/** Normalizes an OpenAI-format `finish_reason`. */
export function fromOpenAIFormatFinishReason(raw: string | null | undefined): FinishReason {
  const unified =
    raw === 'stop'
      ? 'stop'
      : raw === 'length'
        ? 'length'
        : raw === 'tool_calls' || raw === 'function_call'
          ? 'tool-calls'
          : raw === 'content_filter'
            ? 'content-filter'
            : 'other';
  return { unified, raw: raw ?? undefined };
}

/** The `usage` object of an OpenAI-format response. */
export interface OpenAIFormatUsage {
  prompt_tokens?: number | null;
  completion_tokens?: number | null;
  total_tokens?: number | null;
  prompt_tokens_details?: { cached_tokens?: number | null } | null;
  completion_tokens_details?: { reasoning_tokens?: number | null } | null;
}

/** Normalizes an OpenAI-format `usage` object. */
export function fromOpenAIFormatUsage(usage: OpenAIFormatUsage | null | undefined): Usage {
  return createUsage({
    inputTokens: usage?.prompt_tokens ?? undefined,
    outputTokens: usage?.completion_tokens ?? undefined,
    totalTokens: usage?.total_tokens ?? undefined,
    cachedInputTokens: usage?.prompt_tokens_details?.cached_tokens ?? undefined,
    reasoningTokens: usage?.completion_tokens_details?.reasoning_tokens ?? undefined,
  });
}
