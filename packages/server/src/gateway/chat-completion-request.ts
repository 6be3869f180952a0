import type { ChatMessage, ChatRequest, ResponseFormat, ToolChoice, UserContentPart } from '@ballast/core';
import { z } from 'zod';
import { HttpError } from '../http/http-error';

const textPart = z.object({ type: z.literal('text'), text: z.string() }).strict();
const imagePart = z
  .object({
    type: z.literal('image_url'),
    image_url: z
      .object({
        // Checked here, so the pass-through fast path refuses it too instead of forwarding it.
        url: z
          .string()
          .min(1)
          .refine(
            (url) => /^https?:\/\//i.test(url) || /^data:[^;,]+;base64,/.test(url),
            'must be an http(s) URL or a base64 data URL',
          ),
        detail: z.enum(['auto', 'low', 'high']).optional(),
      })
      .strict(),
  })
  .strict();
// An empty parts array is refused here, as OpenAI and Anthropic refuse it, rather than sent upstream.
const textContent = z.union([z.string(), z.array(textPart).min(1)]);

const toolCallSchema = z
  .object({
    id: z.string().min(1),
    type: z.literal('function'),
    function: z.object({ name: z.string().min(1), arguments: z.string() }).strict(),
  })
  .strict();

const messageSchema = z.discriminatedUnion('role', [
  z.object({ role: z.literal('system'), content: textContent, name: z.string().optional() }).strict(),
  z.object({ role: z.literal('developer'), content: textContent, name: z.string().optional() }).strict(),
  z
    .object({
      role: z.literal('user'),
      content: z.union([z.string(), z.array(z.union([textPart, imagePart])).min(1)]),
      name: z.string().optional(),
    })
    .strict(),
  z
    .object({
      role: z.literal('assistant'),
      content: z.union([textContent, z.null()]).optional(),
      tool_calls: z.array(toolCallSchema).optional(),
      name: z.string().optional(),
      refusal: z.string().nullable().optional(),
    })
    .strict(),
  z.object({ role: z.literal('tool'), tool_call_id: z.string().min(1), content: textContent }).strict(),
]);

const toolSchema = z
  .object({
    type: z.literal('function'),
    function: z
      .object({
        name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, _ or -'),
        description: z.string().optional(),
        parameters: z.record(z.string(), z.unknown()).optional(),
        strict: z.boolean().nullable().optional(),
      })
      .strict(),
  })
  .strict();

const responseFormatSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }).strict(),
  z.object({ type: z.literal('json_object') }).strict(),
  z
    .object({
      type: z.literal('json_schema'),
      json_schema: z
        .object({
          name: z.string().min(1).max(64),
          description: z.string().optional(),
          schema: z.record(z.string(), z.unknown()).optional(),
          strict: z.boolean().nullable().optional(),
        })
        .strict(),
    })
    .strict(),
]);

/**
 * The body of `POST /v1/chat/completions`: the OpenAI Chat Completions fields Ballast can honour
 * across providers, plus `session_id`, `rag_collection` and `rag_top_k`. Unknown fields are
 * refused (400 `unsupported_parameter`) instead of being forwarded to a provider that would choke.
 */
export const chatCompletionRequestSchema = z
  .object({
    model: z.string().min(1).max(256),
    messages: z.array(messageSchema).min(1, 'needs at least one message').max(2048),
    stream: z.boolean().nullable().optional(),
    stream_options: z.object({ include_usage: z.boolean().optional() }).strict().nullable().optional(),
    temperature: z.number().min(0).max(2).nullable().optional(),
    top_p: z.number().min(0).max(1).nullable().optional(),
    max_tokens: z.number().int().positive().nullable().optional(),
    max_completion_tokens: z.number().int().positive().nullable().optional(),
    stop: z
      .union([z.string(), z.array(z.string()).max(4)])
      .nullable()
      .optional(),
    seed: z.number().int().nullable().optional(),
    n: z.literal(1, 'only n=1 is supported').nullable().optional(),
    user: z.string().max(256).optional(),
    tools: z.array(toolSchema).max(128).optional(),
    tool_choice: z
      .union([
        z.enum(['auto', 'none', 'required']),
        z.object({ type: z.literal('function'), function: z.object({ name: z.string() }).strict() }).strict(),
      ])
      .optional(),
    parallel_tool_calls: z.boolean().optional(),
    response_format: responseFormatSchema.optional(),
    metadata: z.record(z.string(), z.string()).optional(),
    session_id: z.string().min(1).max(256).optional(),
    rag_collection: z.string().min(1).max(128).optional(),
    rag_top_k: z.number().int().min(1).max(50).optional(),
  })
  .strict()
  .superRefine((body, context) => {
    // Parameters that only make sense together: refused here, so both chat routes agree and no
    // provider silently ignores half of them.
    if (body.rag_top_k !== undefined && body.rag_collection === undefined)
      context.addIssue({ code: 'custom', path: ['rag_top_k'], message: 'needs rag_collection' });
    if (body.stream_options != null && body.stream !== true)
      context.addIssue({ code: 'custom', path: ['stream_options'], message: 'needs stream: true' });
    const choice = body.tool_choice;
    if (choice === 'required' || typeof choice === 'object') {
      const names = (body.tools ?? []).map((tool) => tool.function.name);
      if (names.length === 0)
        context.addIssue({ code: 'custom', path: ['tool_choice'], message: 'needs tools' });
      else if (typeof choice === 'object' && !names.includes(choice.function.name))
        context.addIssue({
          code: 'custom',
          path: ['tool_choice'],
          message: 'names a function that is not in tools',
        });
    }
  });

/** A validated `POST /v1/chat/completions` body. */
export type ChatCompletionRequest = z.infer<typeof chatCompletionRequestSchema>;

const textOf = (content: string | Array<{ text: string }> | null | undefined): string =>
  typeof content === 'string' ? content : (content ?? []).map((part) => part.text).join('');

/**
 * Converts an OpenAI-format body into a Ballast {@link ChatRequest} (the provider-neutral form the
 * balancer routes). `developer` messages become system messages; a tool message gets its tool's
 * name from the assistant call it answers.
 *
 * @example
 * ```ts
 * const request = toChatRequest(chatCompletionRequestSchema.parse(body));
 * ```
 */
export function toChatRequest(body: ChatCompletionRequest): ChatRequest {
  const toolNames = new Map<string, string>();
  const messages = body.messages.map((message): ChatMessage => {
    switch (message.role) {
      case 'system':
      case 'developer':
        return { role: 'system', content: textOf(message.content) };
      case 'user':
        return {
          role: 'user',
          content:
            typeof message.content === 'string'
              ? message.content
              : message.content.map(
                  (part): UserContentPart =>
                    part.type === 'text'
                      ? { type: 'text', text: part.text }
                      : toImagePart(part.image_url.url),
                ),
        };
      case 'assistant': {
        const calls = (message.tool_calls ?? []).map((call) => {
          toolNames.set(call.id, call.function.name);
          let parsed: Record<string, unknown> = {};
          try {
            const value: unknown = JSON.parse(call.function.arguments || '{}');
            if (value && typeof value === 'object' && !Array.isArray(value))
              parsed = value as Record<string, unknown>;
          } catch {
            // Keep the raw text: the provider sees exactly what the model produced before.
          }
          return {
            id: call.id,
            name: call.function.name,
            arguments: parsed,
            rawArguments: call.function.arguments,
          };
        });
        return {
          role: 'assistant',
          content: textOf(message.content),
          ...(calls.length ? { toolCalls: calls } : {}),
        };
      }
      default:
        return {
          role: 'tool',
          toolCallId: message.tool_call_id,
          toolName: toolNames.get(message.tool_call_id) ?? 'tool',
          content: textOf(message.content),
        };
    }
  });
  const request: ChatRequest = { messages };
  if (body.tools?.length)
    request.tools = body.tools.map((tool) => ({
      name: tool.function.name,
      ...(tool.function.description === undefined ? {} : { description: tool.function.description }),
      parameters: tool.function.parameters ?? { type: 'object', properties: {} },
    }));
  if (body.tool_choice !== undefined) request.toolChoice = toToolChoice(body.tool_choice);
  const format = toResponseFormat(body.response_format);
  if (format) request.responseFormat = format;
  if (body.temperature != null) request.temperature = body.temperature;
  if (body.top_p != null) request.topP = body.top_p;
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  if (maxTokens != null) request.maxTokens = maxTokens;
  if (body.stop != null) request.stopSequences = typeof body.stop === 'string' ? [body.stop] : body.stop;
  if (body.seed != null) request.seed = body.seed;
  return request;
}

function toImagePart(url: string): UserContentPart {
  const data = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  if (data) return { type: 'image', mediaType: data[1]!, data: data[2]! };
  if (!/^https?:\/\//i.test(url))
    throw new HttpError(
      400,
      'validation_failed',
      'image_url.url must be an http(s) URL or a base64 data URL',
    );
  return { type: 'image', url };
}

function toToolChoice(choice: NonNullable<ChatCompletionRequest['tool_choice']>): ToolChoice {
  return typeof choice === 'string' ? choice : { name: choice.function.name };
}

function toResponseFormat(format: ChatCompletionRequest['response_format']): ResponseFormat | undefined {
  if (!format) return undefined;
  if (format.type === 'text') return { type: 'text' };
  if (format.type === 'json_object') return { type: 'json' };
  return {
    type: 'json',
    name: format.json_schema.name,
    ...(format.json_schema.description === undefined ? {} : { description: format.json_schema.description }),
    ...(format.json_schema.schema === undefined ? {} : { schema: format.json_schema.schema }),
  };
}

/** The text of the last user message (what memory recall and RAG search with). */
export function lastUserText(request: ChatRequest): string {
  for (let index = request.messages.length - 1; index >= 0; index--) {
    const message = request.messages[index]!;
    if (message.role !== 'user') continue;
    return typeof message.content === 'string'
      ? message.content
      : message.content.map((part) => (part.type === 'text' ? part.text : '')).join(' ');
  }
  return '';
}
