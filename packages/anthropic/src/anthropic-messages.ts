import type Anthropic from '@anthropic-ai/sdk';
import {
  anyJsonInstruction,
  type ChatMessage,
  type ChatRequest,
  createUsage,
  type FinishReason,
  parseToolArguments,
  schemaInstruction,
  type ToolCall,
  type ToolChoice,
  toJsonSchema,
  type UnifiedFinishReason,
  type Usage,
  type UserContentPart,
} from '@ballast/core';

/**
 * The Messages API body Ballast builds (the SDK's non-streaming create params without `stream`).
 *
 * @example
 * ```ts
 * const body: AnthropicMessagesBody = { model: 'claude-sonnet-4-6', max_tokens: 1024, messages: [] };
 * ```
 */
export type AnthropicMessagesBody = Omit<Anthropic.MessageCreateParamsNonStreaming, 'stream'>;

type ImageMediaType = Anthropic.Base64ImageSource['media_type'];

/**
 * Converts Ballast messages to the Messages API: system messages become the top-level `system`
 * (joined by a blank line), assistant tool calls become `tool_use` blocks, and tool results
 * become `tool_result` blocks of a user message; consecutive tool results share one message, as
 * Anthropic expects them.
 *
 * @example
 * ```ts
 * const { system, messages } = toAnthropicMessages([
 *   { role: 'system', content: 'Be brief.' },
 *   { role: 'user', content: 'Hello' },
 * ]);
 * // system === 'Be brief.', messages === [{ role: 'user', content: 'Hello' }]
 * ```
 */
export function toAnthropicMessages(messages: ChatMessage[]): {
  system: string | undefined;
  messages: Anthropic.MessageParam[];
} {
  const system: string[] = [];
  const converted: Anthropic.MessageParam[] = [];
  let toolResults: Anthropic.ToolResultBlockParam[] | undefined;

  for (const message of messages) {
    if (message.role !== 'tool') toolResults = undefined;
    switch (message.role) {
      case 'system':
        system.push(message.content);
        break;
      case 'user':
        converted.push({
          role: 'user',
          content:
            typeof message.content === 'string' ? message.content : message.content.map(toContentBlock),
        });
        break;
      case 'assistant': {
        const calls = message.toolCalls ?? [];
        if (calls.length === 0) {
          // Anthropic rejects an empty assistant turn; consecutive user turns are allowed.
          if (message.content) converted.push({ role: 'assistant', content: message.content });
          break;
        }
        const blocks: Array<Anthropic.TextBlockParam | Anthropic.ToolUseBlockParam> = [];
        // Anthropic rejects empty text blocks.
        if (message.content) blocks.push({ type: 'text', text: message.content });
        for (const call of calls)
          blocks.push({ type: 'tool_use', id: call.id, name: call.name, input: call.arguments });
        converted.push({ role: 'assistant', content: blocks });
        break;
      }
      case 'tool': {
        const block: Anthropic.ToolResultBlockParam = {
          type: 'tool_result',
          tool_use_id: message.toolCallId,
          content: message.content,
          ...(message.isError ? { is_error: true } : {}),
        };
        if (toolResults) {
          toolResults.push(block);
        } else {
          toolResults = [block];
          converted.push({ role: 'user', content: toolResults });
        }
        break;
      }
    }
  }
  return { system: system.length > 0 ? system.join('\n\n') : undefined, messages: converted };
}

function toContentBlock(part: UserContentPart): Anthropic.TextBlockParam | Anthropic.ImageBlockParam {
  if (part.type === 'text') return { type: 'text', text: part.text };
  if ('data' in part) {
    return {
      type: 'image',
      source: { type: 'base64', media_type: part.mediaType as ImageMediaType, data: part.data },
    };
  }
  // A data: URL is inline base64; Anthropic's `url` source only fetches http(s) URLs.
  const dataUrl = /^data:([^;,]+);base64,(.*)$/s.exec(part.url);
  if (dataUrl?.[1] && dataUrl[2] !== undefined) {
    return {
      type: 'image',
      source: { type: 'base64', media_type: dataUrl[1] as ImageMediaType, data: dataUrl[2] },
    };
  }
  return { type: 'image', source: { type: 'url', url: part.url } };
}

/**
 * Maps Ballast's tool choice to Anthropic's: `required` is `any`, a name is `{ type: 'tool' }`.
 *
 * @example
 * ```ts
 * toAnthropicToolChoice('required'); // { type: 'any' }
 * toAnthropicToolChoice({ name: 'get_load' }); // { type: 'tool', name: 'get_load' }
 * ```
 */
export function toAnthropicToolChoice(choice: ToolChoice): Anthropic.ToolChoice {
  if (choice === 'auto') return { type: 'auto' };
  if (choice === 'none') return { type: 'none' };
  if (choice === 'required') return { type: 'any' };
  return { type: 'tool', name: choice.name };
}

/**
 * How {@link toAnthropicBody} fills what a request leaves open.
 *
 * @example
 * ```ts
 * const options: AnthropicBodyOptions = { defaultMaxTokens: 4096, nativeJsonSchema: false };
 * ```
 */
export interface AnthropicBodyOptions {
  /** `max_tokens` when the request has no `maxTokens` (Anthropic requires the field). */
  defaultMaxTokens: number;
  /**
   * Send a `json` response format with a schema as native structured output
   * (`output_config.format`, Claude 4.5 and later). When false, the schema goes into `system`.
   */
  nativeJsonSchema: boolean;
}

/**
 * Builds the Messages API body for one request.
 *
 * - `max_tokens` is required by Anthropic: `defaultMaxTokens` fills it when the request has none.
 * - `temperature` and `topP` are not sent: API version 2026-10-21 (the one `@anthropic-ai/sdk`
 *   1.x speaks) rejects `temperature`, `top_p` and `top_k` with a 400, even at default values.
 *   `seed` has no Anthropic equivalent either.
 * - A `json` response format becomes `output_config.format` when `nativeJsonSchema` is on and a
 *   schema is given, otherwise an instruction appended to `system` (Anthropic has no JSON mode;
 *   `generateObject` forces a tool call instead, which every Claude model supports).
 *
 * @example
 * ```ts
 * const body = toAnthropicBody('claude-sonnet-4-6', { messages: [{ role: 'user', content: 'Hi' }] }, {
 *   defaultMaxTokens: 4096,
 *   nativeJsonSchema: false,
 * });
 * // { model: 'claude-sonnet-4-6', max_tokens: 4096, messages: [{ role: 'user', content: 'Hi' }] }
 * ```
 */
export function toAnthropicBody(
  modelId: string,
  request: ChatRequest,
  options: AnthropicBodyOptions,
): AnthropicMessagesBody {
  const { system, messages } = toAnthropicMessages(request.messages);
  const body: AnthropicMessagesBody = {
    model: modelId,
    max_tokens: request.maxTokens ?? options.defaultMaxTokens,
    messages,
  };
  const format = request.responseFormat;
  const instructions = [system];
  if (format?.type === 'json') {
    if (format.schema && options.nativeJsonSchema) {
      body.output_config = { format: { type: 'json_schema', schema: toJsonSchema(format.schema) } };
    } else {
      instructions.push(format.schema ? schemaInstruction(toJsonSchema(format.schema)) : anyJsonInstruction);
    }
  }
  const systemText = instructions.filter((part) => part !== undefined).join('\n\n');
  if (systemText) body.system = systemText;
  if (request.stopSequences?.length) body.stop_sequences = request.stopSequences;
  if (request.tools?.length) {
    body.tools = request.tools.map((tool) => ({
      name: tool.name,
      ...(tool.description === undefined ? {} : { description: tool.description }),
      input_schema: toJsonSchema(tool.parameters) as Anthropic.Tool.InputSchema,
    }));
    if (request.toolChoice) body.tool_choice = toAnthropicToolChoice(request.toolChoice);
  }
  return body;
}

const unifiedFinishReasons: Record<string, UnifiedFinishReason> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool-calls',
  refusal: 'content-filter',
  pause_turn: 'other',
};

/**
 * Normalizes Anthropic's `stop_reason`, keeping the raw value.
 *
 * @example
 * ```ts
 * fromAnthropicStopReason('tool_use'); // { unified: 'tool-calls', raw: 'tool_use' }
 * ```
 */
export function fromAnthropicStopReason(stopReason: string | null | undefined): FinishReason {
  if (!stopReason) return { unified: 'other', raw: undefined };
  return { unified: unifiedFinishReasons[stopReason] ?? 'other', raw: stopReason };
}

/**
 * Usage fields as Anthropic reports them (on `message`, `message_start` and `message_delta`).
 *
 * @example
 * ```ts
 * const usage: AnthropicUsage = { input_tokens: 100, cache_read_input_tokens: 900, output_tokens: 50 };
 * ```
 */
export interface AnthropicUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  output_tokens_details?: { thinking_tokens?: number | null } | null;
}

/**
 * Normalizes Anthropic usage. Anthropic's `input_tokens` counts only uncached input, so
 * `inputTokens` adds cache reads and cache writes back; `cachedInputTokens` is the cache reads.
 *
 * @example
 * ```ts
 * fromAnthropicUsage({ input_tokens: 100, cache_read_input_tokens: 900, output_tokens: 50 });
 * // { inputTokens: 1000, cachedInputTokens: 900, outputTokens: 50, totalTokens: 1050, reasoningTokens: undefined }
 * ```
 */
export function fromAnthropicUsage(usage: AnthropicUsage | null | undefined): Usage {
  if (!usage) return createUsage({});
  const uncached = usage.input_tokens ?? undefined;
  const cacheRead = usage.cache_read_input_tokens ?? undefined;
  const cacheWrite = usage.cache_creation_input_tokens ?? undefined;
  return createUsage({
    inputTokens: uncached === undefined ? undefined : uncached + (cacheRead ?? 0) + (cacheWrite ?? 0),
    outputTokens: usage.output_tokens ?? undefined,
    cachedInputTokens: cacheRead,
    reasoningTokens: usage.output_tokens_details?.thinking_tokens ?? undefined,
  });
}

/**
 * Merges the usage of `message_delta` over that of `message_start`: the delta's counts are
 * cumulative, and a field it leaves out (or sends as `null`) keeps the start value.
 *
 * @example
 * ```ts
 * mergeAnthropicUsage({ input_tokens: 10, output_tokens: 1 }, { output_tokens: 42 }); // { input_tokens: 10, output_tokens: 42 }
 * ```
 */
export function mergeAnthropicUsage(
  start: AnthropicUsage | null | undefined,
  delta: AnthropicUsage | null | undefined,
): AnthropicUsage {
  const merged: AnthropicUsage = { ...start };
  for (const [key, value] of Object.entries(delta ?? {})) {
    if (value !== null && value !== undefined) (merged as Record<string, unknown>)[key] = value;
  }
  return merged;
}

/** The content blocks of an Anthropic message that Ballast reads. */
export type AnthropicContentBlock = {
  type: string;
  text?: string;
  id?: string;
  name?: string;
  input?: unknown;
};

/**
 * Reads the text (all `text` blocks joined) and the tool calls (`tool_use` blocks, input object
 * kept as `arguments` and serialized as `rawArguments`) of an Anthropic message.
 *
 * @example
 * ```ts
 * fromAnthropicContent([{ type: 'tool_use', id: 'toolu_1', name: 'get_load', input: { node: 'pve1' } }]);
 * // { text: '', toolCalls: [{ id: 'toolu_1', name: 'get_load', arguments: { node: 'pve1' }, rawArguments: '{"node":"pve1"}' }] }
 * ```
 */
export function fromAnthropicContent(content: readonly AnthropicContentBlock[]): {
  text: string;
  toolCalls: ToolCall[];
} {
  let text = '';
  const toolCalls: ToolCall[] = [];
  for (const block of content) {
    if (block.type === 'text' && typeof block.text === 'string') text += block.text;
    if (block.type === 'tool_use' && block.id && block.name) {
      toolCalls.push({ id: block.id, name: block.name, ...parseToolArguments(block.input) });
    }
  }
  return { text, toolCalls };
}
