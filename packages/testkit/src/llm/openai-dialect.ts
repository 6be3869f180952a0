import { countWords, deterministicEmbedding, embeddingInputs } from './deterministic-embedding';
import { randomId, requestedModel, splitText, type WireDialect } from './dialect';
import { type FakeLlmServer, type FakeLlmServerOptions, startFakeLlmServer } from './fake-llm-server';
import type { ScriptedFinish, ScriptedReply, ScriptedToolCall, ScriptedUsage } from './scripted-reply';

const finishReasons: Record<ScriptedFinish, string> = {
  stop: 'stop',
  length: 'length',
  tool_calls: 'tool_calls',
  content_filter: 'content_filter',
};

const errorTypes: Record<number, { type: string; code: string | null }> = {
  400: { type: 'invalid_request_error', code: null },
  401: { type: 'invalid_request_error', code: 'invalid_api_key' },
  403: { type: 'invalid_request_error', code: 'unsupported_country_region_territory' },
  404: { type: 'invalid_request_error', code: 'model_not_found' },
  408: { type: 'server_error', code: null },
  409: { type: 'server_error', code: null },
  429: { type: 'requests', code: 'rate_limit_exceeded' },
  500: { type: 'server_error', code: null },
  502: { type: 'server_error', code: null },
  503: { type: 'server_error', code: 'service_unavailable' },
};

/**
 * `POST /v1/embeddings`: deterministic vectors ({@link deterministicEmbedding}) of `dimensions`
 * (default 256) values, as floats or as base64 float32 (`encoding_format: 'base64'`, what the
 * official SDK asks for by default).
 */
function openaiEmbeddings(body: unknown) {
  const request = (body ?? {}) as {
    input?: unknown;
    model?: unknown;
    dimensions?: unknown;
    encoding_format?: unknown;
  };
  const inputs = embeddingInputs(request.input);
  if (!inputs) return undefined;
  const dimensions =
    typeof request.dimensions === 'number' && request.dimensions > 0 ? request.dimensions : 256;
  const tokens = countWords(inputs);
  return {
    object: 'list',
    model: typeof request.model === 'string' ? request.model : 'unknown-model',
    data: inputs.map((text, index) => {
      const vector = deterministicEmbedding(text, dimensions);
      return {
        object: 'embedding',
        index,
        embedding:
          request.encoding_format === 'base64'
            ? Buffer.from(Float32Array.from(vector).buffer).toString('base64')
            : vector,
      };
    }),
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}

function finishOf(reply: ScriptedReply): string {
  return finishReasons[reply.finish ?? (reply.toolCalls?.length ? 'tool_calls' : 'stop')];
}

function toolCallId(call: ScriptedToolCall, index: number): string {
  return call.id ?? `call_${index}${randomId('').slice(0, 16)}`;
}

function argumentsText(call: ScriptedToolCall): string {
  return typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments);
}

function usageBody(usage: ScriptedUsage) {
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
    prompt_tokens_details: { cached_tokens: usage.cachedInputTokens ?? 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: usage.reasoningTokens ?? 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

/**
 * The OpenAI Chat Completions wire format (`POST /v1/chat/completions`, JSON and SSE). Groq,
 * xAI, vLLM, LM Studio and Gemini's compatibility endpoint speak it too.
 */
export const openaiDialect: WireDialect = {
  name: 'openai',
  isChatPath: (method, path) => method === 'POST' && /\/chat\/completions$/.test(path),
  answerOther: (method, path, body) => {
    if (method === 'GET' && /\/models$/.test(path)) return { object: 'list', data: [] };
    if (method === 'POST' && /\/embeddings$/.test(path)) return openaiEmbeddings(body);
    return undefined;
  },
  wantsStream: (body) => (body as { stream?: unknown } | undefined)?.stream === true,
  isAuthorized: (headers, apiKey) => apiKey === undefined || headers.authorization === `Bearer ${apiKey}`,

  renderResponse(reply, request, usage) {
    const toolCalls = reply.toolCalls ?? [];
    return {
      id: randomId('chatcmpl-'),
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: requestedModel(request),
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: reply.text ?? (toolCalls.length ? null : 'OK'),
            refusal: null,
            annotations: [],
            ...(toolCalls.length
              ? {
                  tool_calls: toolCalls.map((call, index) => ({
                    id: toolCallId(call, index),
                    type: 'function',
                    function: { name: call.name, arguments: argumentsText(call) },
                  })),
                }
              : {}),
          },
          logprobs: null,
          finish_reason: finishOf(reply),
        },
      ],
      usage: usageBody(usage),
      service_tier: 'default',
      system_fingerprint: 'fp_fake',
    };
  },

  renderStream(reply, request, usage) {
    const id = randomId('chatcmpl-');
    const created = Math.floor(Date.now() / 1000);
    const model = requestedModel(request);
    const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, system_fingerprint: 'fp_fake', choices, ...extra })}\n\n`;
    const delta = (value: Record<string, unknown>, finish: string | null = null) =>
      chunk([{ index: 0, delta: value, logprobs: null, finish_reason: finish }]);

    const frames = [delta({ role: 'assistant', content: '', refusal: null })];
    const text = reply.text ?? (reply.toolCalls?.length ? '' : 'OK');
    for (const piece of splitText(text, reply.chunkSize ?? 4)) frames.push(delta({ content: piece }));
    (reply.toolCalls ?? []).forEach((call, index) => {
      frames.push(
        delta({
          tool_calls: [
            {
              index,
              id: toolCallId(call, index),
              type: 'function',
              function: { name: call.name, arguments: '' },
            },
          ],
        }),
      );
      for (const piece of splitText(argumentsText(call), reply.chunkSize ?? 8)) {
        frames.push(delta({ tool_calls: [{ index, function: { arguments: piece } }] }));
      }
    });
    frames.push(delta({}, finishOf(reply)));
    const body = request.body as { stream_options?: { include_usage?: boolean } } | undefined;
    if (body?.stream_options?.include_usage) frames.push(chunk([], { usage: usageBody(usage) }));
    frames.push('data: [DONE]\n\n');
    return { contentType: 'text/event-stream; charset=utf-8', frames };
  },

  renderError(status, message, code) {
    const known = errorTypes[status] ?? {
      type: status >= 500 ? 'server_error' : 'invalid_request_error',
      code: null,
    };
    const defaultMessage =
      status === 429
        ? 'Rate limit reached for requests. Please try again in 1s.'
        : status === 404
          ? 'The model `unknown` does not exist or you do not have access to it.'
          : status >= 500
            ? 'The server had an error while processing your request. Sorry about that!'
            : `Request failed with status ${status}`;
    return {
      body: {
        error: {
          message: message ?? defaultMessage,
          type: known.type,
          param: null,
          code: code ?? known.code,
        },
      },
      headers: { 'x-request-id': randomId('req_') },
    };
  },

  malformedFrame: 'data: {"id":"chatcmpl-broken","choices":[{"delta":{"content":"oops"\n\n',
};

/**
 * Starts a fake OpenAI API on 127.0.0.1. Point the `openai` SDK (or Ballast's adapter) at
 * `${fake.url}/v1`.
 *
 * @example
 * ```ts
 * const fake = await startFakeOpenAI();
 * fake.enqueue({ text: 'Hello from the fake' });
 * const model = createOpenAI({ baseURL: `${fake.url}/v1`, apiKey: 'test' }).chatModel('gpt-4o-mini');
 * await model.chat({ messages: [{ role: 'user', content: 'hi' }] });
 * await fake.close();
 * ```
 */
export function startFakeOpenAI(options?: FakeLlmServerOptions): Promise<FakeLlmServer> {
  return startFakeLlmServer(openaiDialect, options);
}
