import { randomId, requestedModel, splitText, type WireDialect } from './dialect';
import { type FakeLlmServer, type FakeLlmServerOptions, startFakeLlmServer } from './fake-llm-server';
import type { ScriptedFinish, ScriptedReply, ScriptedToolCall, ScriptedUsage } from './scripted-reply';

const stopReasons: Record<ScriptedFinish, string> = {
  stop: 'end_turn',
  length: 'max_tokens',
  tool_calls: 'tool_use',
  content_filter: 'refusal',
};

/** Anthropic's error `type` and default message per HTTP status (docs: "HTTP errors"). */
const errorTypes: Record<number, { type: string; message: string }> = {
  400: { type: 'invalid_request_error', message: 'messages: at least one message is required' },
  401: { type: 'authentication_error', message: 'invalid x-api-key' },
  402: { type: 'billing_error', message: 'Your credit balance is too low to access the Anthropic API.' },
  403: {
    type: 'permission_error',
    message: 'Your API key does not have permission to use the specified resource.',
  },
  404: { type: 'not_found_error', message: 'model: claude-unknown' },
  413: { type: 'request_too_large', message: 'Request exceeds the maximum allowed number of bytes.' },
  429: {
    type: 'rate_limit_error',
    message:
      'This request would exceed the rate limit for your organization of 50 requests per minute. Please try again later.',
  },
  500: { type: 'api_error', message: 'Internal server error' },
  504: { type: 'timeout_error', message: 'Request timed out' },
  529: { type: 'overloaded_error', message: 'Overloaded' },
};

function stopReasonOf(reply: ScriptedReply): string {
  return stopReasons[reply.finish ?? (reply.toolCalls?.length ? 'tool_calls' : 'stop')];
}

function toolUseId(call: ScriptedToolCall): string {
  return call.id ?? `toolu_01${randomId('').slice(0, 22)}`;
}

/** Anthropic sends tool input as an object; a scripted string is parsed when it can be. */
function toolInput(call: ScriptedToolCall): unknown {
  if (typeof call.arguments !== 'string') return call.arguments;
  try {
    return JSON.parse(call.arguments);
  } catch {
    return call.arguments;
  }
}

function inputJson(call: ScriptedToolCall): string {
  return typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments);
}

/**
 * Neutral usage counts input including cached tokens; Anthropic reports the uncached part in
 * `input_tokens` and the cached part in `cache_read_input_tokens`.
 */
function usageBody(usage: ScriptedUsage, outputTokens = usage.outputTokens) {
  const cached = Math.min(usage.cachedInputTokens ?? 0, usage.inputTokens);
  return {
    input_tokens: usage.inputTokens - cached,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: cached,
    cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
    output_tokens: outputTokens,
    service_tier: 'standard',
  };
}

function textOf(reply: ScriptedReply): string {
  return reply.text ?? (reply.toolCalls?.length ? '' : 'OK');
}

function event(name: string, data: Record<string, unknown>): string {
  return `event: ${name}\ndata: ${JSON.stringify({ type: name, ...data })}\n\n`;
}

/**
 * The Anthropic Messages wire format (`POST /v1/messages`, JSON and SSE with `event:` lines).
 *
 * Answers carry `text` and `tool_use` content blocks (`toolu_` ids, `input` as an object), a
 * `stop_reason` (`end_turn`, `max_tokens`, `tool_use`, `refusal`) and usage split into
 * `input_tokens`, `cache_read_input_tokens` and `cache_creation_input_tokens`. Streams send
 * `message_start`, `content_block_start`, `ping`, `content_block_delta` (`text_delta`,
 * `input_json_delta`), `content_block_stop`, `message_delta` and `message_stop`. Errors use
 * Anthropic's body (`{"type":"error","error":{"type":"overloaded_error",…},"request_id":…}`) and a
 * `request-id` header; status 529 is `overloaded_error`.
 *
 * The key is accepted in `x-api-key` (the documented header) or as `Authorization: Bearer`, which
 * is what `@anthropic-ai/sdk` 1.x sends.
 *
 * @example
 * ```ts
 * const fake = await startFakeLlmServer(anthropicDialect, { apiKey: 'test' });
 * ```
 */
export const anthropicDialect: WireDialect = {
  name: 'anthropic',
  isChatPath: (method, path) => method === 'POST' && /\/v1\/messages$/.test(path),
  answerOther: (method, path) =>
    method === 'GET' && /\/v1\/models$/.test(path)
      ? { data: [], has_more: false, first_id: null, last_id: null }
      : undefined,
  wantsStream: (body) => (body as { stream?: unknown } | undefined)?.stream === true,
  isAuthorized: (headers, apiKey) =>
    apiKey === undefined || headers['x-api-key'] === apiKey || headers.authorization === `Bearer ${apiKey}`,

  renderResponse(reply, request, usage) {
    const text = textOf(reply);
    return {
      id: randomId('msg_01'),
      type: 'message',
      role: 'assistant',
      model: requestedModel(request),
      content: [
        ...(text ? [{ type: 'text', text, citations: null }] : []),
        ...(reply.toolCalls ?? []).map((call) => ({
          type: 'tool_use',
          id: toolUseId(call),
          name: call.name,
          input: toolInput(call),
        })),
      ],
      stop_reason: stopReasonOf(reply),
      stop_sequence: null,
      usage: usageBody(usage),
    };
  },

  renderStream(reply, request, usage) {
    const message = {
      id: randomId('msg_01'),
      type: 'message',
      role: 'assistant',
      model: requestedModel(request),
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: usageBody(usage, 1),
    };
    const frames = [event('message_start', { message })];
    let index = 0;
    const text = textOf(reply);
    if (text) {
      frames.push(event('content_block_start', { index, content_block: { type: 'text', text: '' } }));
      frames.push(event('ping', {}));
      for (const piece of splitText(text, reply.chunkSize ?? 4)) {
        frames.push(event('content_block_delta', { index, delta: { type: 'text_delta', text: piece } }));
      }
      frames.push(event('content_block_stop', { index }));
      index++;
    } else {
      frames.push(event('ping', {}));
    }
    for (const call of reply.toolCalls ?? []) {
      frames.push(
        event('content_block_start', {
          index,
          content_block: { type: 'tool_use', id: toolUseId(call), name: call.name, input: {} },
        }),
      );
      frames.push(
        event('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: '' } }),
      );
      for (const piece of splitText(inputJson(call), reply.chunkSize ?? 8)) {
        frames.push(
          event('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: piece } }),
        );
      }
      frames.push(event('content_block_stop', { index }));
      index++;
    }
    frames.push(
      event('message_delta', {
        delta: { stop_reason: stopReasonOf(reply), stop_sequence: null },
        usage: usageBody(usage),
      }),
    );
    frames.push(event('message_stop', {}));
    return { contentType: 'text/event-stream; charset=utf-8', frames };
  },

  renderError(status, message, code) {
    const known = errorTypes[status] ?? {
      type: status >= 500 ? 'api_error' : 'invalid_request_error',
      message: `Request failed with status ${status}`,
    };
    // Anthropic error types all end in `_error` (or are `request_too_large`); anything else
    // (such as the harness's `invalid_api_key`) is a detail code, as the API sends in `details`.
    const isType = code !== undefined && (code.endsWith('_error') || code === 'request_too_large');
    const requestId = randomId('req_011');
    return {
      body: {
        type: 'error',
        error: {
          type: isType ? code : known.type,
          message: message ?? known.message,
          ...(code !== undefined && !isType ? { details: { error_code: code } } : {}),
        },
        request_id: requestId,
      },
      headers: { 'request-id': requestId },
    };
  },

  malformedFrame:
    'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"oops"\n\n',
};

/**
 * Starts a fake Anthropic Messages API on 127.0.0.1. Point `@anthropic-ai/sdk` (or Ballast's
 * adapter) at `fake.url` as its `baseURL`: the SDK appends `/v1/messages` itself.
 *
 * @example
 * ```ts
 * const fake = await startFakeAnthropic({ apiKey: 'test' });
 * fake.enqueue({ text: 'Hello from the fake' });
 * fake.enqueue({ fault: { type: 'status', status: 529 } }); // overloaded_error
 * const model = createAnthropic({ baseURL: fake.url, apiKey: 'test' }).chatModel('claude-haiku-4-5');
 * await model.chat({ messages: [{ role: 'user', content: 'hi' }] });
 * await fake.close();
 * ```
 */
export function startFakeAnthropic(options?: FakeLlmServerOptions): Promise<FakeLlmServer> {
  return startFakeLlmServer(anthropicDialect, options);
}
