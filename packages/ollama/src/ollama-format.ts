import {
  type ChatMessage,
  type ChatRequest,
  createUsage,
  type FinishReason,
  parseToolArguments,
  type ToolCall,
  toJsonSchema,
  type Usage,
  type UserContentPart,
  ValidationError,
} from '@ballast/core';
import type { Message, ChatRequest as OllamaChatRequest, Tool } from 'ollama';

// Wire mapping for Ollama's native `/api/chat`, on the SDK's request types.

/**
 * Per-model request defaults: `keep_alive` and extra runtime options.
 *
 * @example
 * ```ts
 * toOllamaChatBody('llama3.2', request, { keepAlive: '10m', options: { num_ctx: 8192 } });
 * ```
 */
export interface OllamaRequestDefaults {
  keepAlive?: string | number | undefined;
  options?: Record<string, unknown> | undefined;
}

/**
 * Builds the `/api/chat` body (without `stream`) from a Ballast request: messages, tools,
 * `format` (`"json"` or a JSON Schema object) and `options` (`temperature`, `top_p`,
 * `num_predict`, `stop`, `seed`).
 *
 * Ollama has no `tool_choice`: `'none'` sends no tools, `{ name }` sends only that tool, and
 * `'required'` cannot be enforced.
 *
 * @throws {ValidationError} for an image given by http(s) URL (Ollama accepts only inline data).
 * @example
 * ```ts
 * const body = toOllamaChatBody('llama3.2', { messages: [{ role: 'user', content: 'Hi' }], maxTokens: 50 });
 * // { model: 'llama3.2', messages: [...], options: { num_predict: 50 } }
 * ```
 */
export function toOllamaChatBody(
  modelId: string,
  request: ChatRequest,
  defaults: OllamaRequestDefaults = {},
): OllamaChatRequest {
  const body: OllamaChatRequest = { model: modelId, messages: toOllamaMessages(request.messages) };
  const tools = selectTools(request);
  if (tools.length) body.tools = tools;
  const format = request.responseFormat;
  if (format?.type === 'json') body.format = format.schema ? toJsonSchema(format.schema) : 'json';
  const options: Record<string, unknown> = { ...defaults.options };
  if (request.temperature !== undefined) options.temperature = request.temperature;
  if (request.topP !== undefined) options.top_p = request.topP;
  if (request.maxTokens !== undefined) options.num_predict = request.maxTokens;
  if (request.stopSequences?.length) options.stop = request.stopSequences;
  if (request.seed !== undefined) options.seed = request.seed;
  if (Object.keys(options).length) body.options = options as NonNullable<OllamaChatRequest['options']>;
  if (defaults.keepAlive !== undefined) body.keep_alive = defaults.keepAlive;
  return body;
}

function selectTools(request: ChatRequest): Tool[] {
  const choice = request.toolChoice;
  if (!request.tools?.length || choice === 'none') return [];
  const chosen =
    typeof choice === 'object' ? request.tools.filter((tool) => tool.name === choice.name) : request.tools;
  return chosen.map((tool) => ({
    type: 'function',
    function: {
      name: tool.name,
      ...(tool.description === undefined ? {} : { description: tool.description }),
      parameters: toJsonSchema(tool.parameters) as NonNullable<Tool['function']['parameters']>,
    },
  }));
}

/**
 * Converts Ballast messages to Ollama messages: images become inline data, assistant tool calls
 * carry object arguments, and tool results are `{ role: 'tool', content, tool_name }`.
 *
 * @example
 * ```ts
 * toOllamaMessages([{ role: 'tool', toolCallId: 'call_0', toolName: 'get_load', content: '0.4' }]);
 * // [{ role: 'tool', content: '0.4', tool_name: 'get_load' }]
 * ```
 */
export function toOllamaMessages(messages: readonly ChatMessage[]): Message[] {
  return messages.map((message, index): Message => {
    switch (message.role) {
      case 'system':
        return { role: 'system', content: message.content };
      case 'user': {
        if (typeof message.content === 'string') return { role: 'user', content: message.content };
        const text = message.content.flatMap((part) => (part.type === 'text' ? [part.text] : []));
        const images = message.content.flatMap((part) =>
          part.type === 'image' ? [imageBytes(part, index)] : [],
        );
        return { role: 'user', content: text.join('\n'), ...(images.length ? { images } : {}) };
      }
      case 'assistant':
        return {
          role: 'assistant',
          content: message.content,
          ...(message.toolCalls?.length
            ? {
                tool_calls: message.toolCalls.map((call) => ({
                  function: { name: call.name, arguments: call.arguments },
                })),
              }
            : {}),
        };
      default:
        return { role: 'tool', content: message.content, tool_name: message.toolName };
    }
  });
}

/**
 * Images go to the SDK as bytes: ollama-js base64-encodes a `Uint8Array`, whereas a string that
 * happens to name an existing file would be read from disk and sent.
 */
function imageBytes(part: Extract<UserContentPart, { type: 'image' }>, messageIndex: number): Uint8Array {
  if ('data' in part) return Uint8Array.from(Buffer.from(part.data, 'base64'));
  const match = /^data:[^;,]*;base64,(.*)$/s.exec(part.url);
  if (match?.[1] !== undefined) return Uint8Array.from(Buffer.from(match[1], 'base64'));
  throw new ValidationError({
    message:
      'Ollama accepts images only as inline data: pass { type: "image", data, mediaType } or a base64 data: URL',
    issues: [{ path: `messages.${messageIndex}.content`, message: 'image URL is not a base64 data: URL' }],
  });
}

/**
 * The parts of an `/api/chat` answer (or NDJSON stream line) the adapter reads.
 *
 * @example
 * ```ts
 * const answer: OllamaAnswer = { message: { content: 'Hi' }, done: true, done_reason: 'stop', eval_count: 2 };
 * ```
 */
export interface OllamaAnswer {
  message?: {
    content?: string | null;
    tool_calls?: Array<{ id?: string; function?: { name?: string; arguments?: unknown } }> | null;
  } | null;
  done?: boolean;
  done_reason?: string | null;
  prompt_eval_count?: number | null;
  eval_count?: number | null;
}

/**
 * Reads the tool calls of an answer, synthesizing `call_<n>` ids where Ollama sends none.
 *
 * @example
 * ```ts
 * fromOllamaToolCalls([{ function: { name: 'f', arguments: { a: 1 } } }]); // [{ id: 'call_0', name: 'f', arguments: { a: 1 }, ... }]
 * ```
 */
export function fromOllamaToolCalls(
  calls: NonNullable<NonNullable<OllamaAnswer['message']>['tool_calls']> | undefined,
  firstIndex = 0,
): ToolCall[] {
  return (calls ?? []).map((call, offset) => ({
    id: call.id || `call_${firstIndex + offset}`,
    name: call.function?.name ?? '',
    ...parseToolArguments(call.function?.arguments),
  }));
}

/**
 * Normalizes `done_reason`. Ollama has no tool-call stop reason, so tool calls are detected by
 * their presence.
 *
 * @example
 * ```ts
 * fromOllamaDoneReason('stop', true); // { unified: 'tool-calls', raw: 'stop' }
 * ```
 */
export function fromOllamaDoneReason(raw: string | null | undefined, hasToolCalls: boolean): FinishReason {
  const unified = hasToolCalls
    ? 'tool-calls'
    : raw === 'stop'
      ? 'stop'
      : raw === 'length'
        ? 'length'
        : 'other';
  return { unified, raw: raw ?? undefined };
}

/**
 * Usage from `prompt_eval_count` and `eval_count`. Ollama omits a count that is zero (a prompt
 * served entirely from its cache has no `prompt_eval_count`), so on a final answer that reports
 * `eval_count` a missing `prompt_eval_count` means 0.
 *
 * @example
 * ```ts
 * fromOllamaUsage({ prompt_eval_count: 26, eval_count: 298 }); // { inputTokens: 26, outputTokens: 298, totalTokens: 324, ... }
 * ```
 */
export function fromOllamaUsage(answer: OllamaAnswer | undefined): Usage {
  const output = answer?.eval_count ?? undefined;
  const input = answer?.prompt_eval_count ?? (output === undefined ? undefined : 0);
  return createUsage({ inputTokens: input, outputTokens: output });
}
