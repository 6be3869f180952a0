import { countWords, deterministicEmbedding, embeddingInputs } from './deterministic-embedding';
import { requestedModel, splitText, type WireDialect } from './dialect';
import { type FakeLlmServer, type FakeLlmServerOptions, startFakeLlmServer } from './fake-llm-server';
import type { ScriptedReply, ScriptedToolCall, ScriptedUsage } from './scripted-reply';

// Ollama has no tool-call or content-filter stop reason: a turn with tool calls ends with
// `done_reason: "stop"`, and clients detect the calls by their presence.
function doneReason(reply: ScriptedReply): string {
  return reply.finish === 'length' ? 'length' : 'stop';
}

/** Ollama sends arguments as an object; a scripted string that is not JSON is sent as-is (a broken server). */
function toolCallBody(call: ScriptedToolCall, index: number) {
  let args: unknown = call.arguments;
  if (typeof args === 'string') {
    try {
      args = JSON.parse(args);
    } catch {
      // keep the raw string
    }
  }
  // Ollama sends no call id unless one is scripted (newer servers add `id` and `index`).
  return {
    ...(call.id === undefined ? {} : { id: call.id }),
    function: { ...(call.id === undefined ? {} : { index }), name: call.name, arguments: args },
  };
}

/** Final-chunk metrics: token counts and plausible durations in nanoseconds. */
function metrics(usage: ScriptedUsage) {
  const promptEvalDuration = usage.inputTokens * 250_000;
  const evalDuration = usage.outputTokens * 12_000_000;
  const loadDuration = 8_500_000;
  return {
    total_duration: loadDuration + promptEvalDuration + evalDuration + 1_000_000,
    load_duration: loadDuration,
    prompt_eval_count: usage.inputTokens,
    prompt_eval_duration: promptEvalDuration,
    eval_count: usage.outputTokens,
    eval_duration: evalDuration,
  };
}

function createdAt(): string {
  // Ollama prints nanosecond precision: 2025-05-14T09:41:07.123456789Z
  return new Date().toISOString().replace(/\.(\d{3})Z$/, '.$1456789Z');
}

// What Ollama itself answers (a proxy in front of it adds 401 and 429).
function defaultErrorMessage(status: number): string {
  switch (status) {
    case 400:
      return 'json: cannot unmarshal string into Go struct field ChatRequest.messages of type []api.Message';
    case 401:
      return 'unauthorized';
    case 404:
      return 'model "llama3.2" not found, try pulling it first';
    case 429:
      return 'too many requests';
    case 500:
      return 'llama runner process has terminated: exit status 2';
    case 503:
      return 'server busy, please try again.  maximum pending requests exceeded';
    default:
      return `${status} error`;
  }
}

/**
 * `POST /api/embed`: deterministic vectors ({@link deterministicEmbedding}) of `dimensions`
 * (default 256) values for `input` (a string or an array), in Ollama's response shape.
 */
function ollamaEmbeddings(body: unknown) {
  const request = (body ?? {}) as { input?: unknown; model?: unknown; dimensions?: unknown };
  const inputs = embeddingInputs(request.input);
  if (!inputs) return undefined;
  const dimensions =
    typeof request.dimensions === 'number' && request.dimensions > 0 ? request.dimensions : 256;
  return {
    model: typeof request.model === 'string' ? request.model : 'unknown-model',
    embeddings: inputs.map((text) => deterministicEmbedding(text, dimensions)),
    total_duration: 1_000_000,
    load_duration: 100_000,
    prompt_eval_count: countWords(inputs),
  };
}

/**
 * The Ollama native wire format: `POST /api/chat` answered with one JSON object
 * (`stream: false`) or, by default, an NDJSON stream (`application/x-ndjson`, one JSON object
 * per line). Text arrives in `done: false` lines, tool calls arrive whole in one line (Ollama
 * ≥ 0.8, object arguments, no call ids), and a last `done: true` line carries `done_reason`,
 * `prompt_eval_count`, `eval_count` and durations in nanoseconds. Errors are `{"error": "..."}`.
 * Also answers `GET /api/version` and `GET /api/tags`. There is no auth unless the server was
 * started with an `apiKey`, then `Authorization: Bearer <key>` is checked (a proxied Ollama).
 *
 * @example
 * ```ts
 * const fake = await startFakeLlmServer(ollamaDialect);
 * fake.enqueue({ text: 'Hi' });
 * ```
 */
export const ollamaDialect: WireDialect = {
  name: 'ollama',
  isChatPath: (method, path) => method === 'POST' && path === '/api/chat',
  answerOther(method, path, body) {
    if (method === 'POST' && path === '/api/embed') return ollamaEmbeddings(body);
    if (method !== 'GET' && method !== 'HEAD') return undefined;
    if (path === '/api/version') return { version: '0.12.6' };
    if (path === '/api/tags') {
      return {
        models: [
          {
            name: 'llama3.2:latest',
            model: 'llama3.2:latest',
            modified_at: '2025-05-14T09:41:07.123456789Z',
            size: 2_019_393_189,
            digest: 'a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72',
            details: {
              parent_model: '',
              format: 'gguf',
              family: 'llama',
              families: ['llama'],
              parameter_size: '3.2B',
              quantization_level: 'Q4_K_M',
            },
          },
        ],
      };
    }
    if (path === '/api/ps') return { models: [] };
    return undefined;
  },
  // The REST API streams unless the body says `"stream": false`.
  wantsStream: (body) => (body as { stream?: unknown } | undefined)?.stream !== false,
  isAuthorized: (headers, apiKey) => apiKey === undefined || headers.authorization === `Bearer ${apiKey}`,

  renderResponse(reply, request, usage) {
    const toolCalls = reply.toolCalls ?? [];
    return {
      model: requestedModel(request),
      created_at: createdAt(),
      message: {
        role: 'assistant',
        content: reply.text ?? (toolCalls.length ? '' : 'OK'),
        ...(toolCalls.length ? { tool_calls: toolCalls.map(toolCallBody) } : {}),
      },
      done_reason: doneReason(reply),
      done: true,
      ...metrics(usage),
    };
  },

  renderStream(reply, request, usage) {
    const model = requestedModel(request);
    const line = (value: Record<string, unknown>) =>
      `${JSON.stringify({ model, created_at: createdAt(), ...value })}\n`;
    const frames: string[] = [];
    const toolCalls = reply.toolCalls ?? [];
    const text = reply.text ?? (toolCalls.length ? '' : 'OK');
    for (const piece of splitText(text, reply.chunkSize ?? 4)) {
      frames.push(line({ message: { role: 'assistant', content: piece }, done: false }));
    }
    if (toolCalls.length) {
      frames.push(
        line({
          message: { role: 'assistant', content: '', tool_calls: toolCalls.map(toolCallBody) },
          done: false,
        }),
      );
    }
    frames.push(
      line({
        message: { role: 'assistant', content: '' },
        done_reason: doneReason(reply),
        done: true,
        ...metrics(usage),
      }),
    );
    return { contentType: 'application/x-ndjson', frames };
  },

  renderError(status, message) {
    return { body: { error: message ?? defaultErrorMessage(status) } };
  },

  malformedFrame:
    '{"model":"llama3.2","created_at":"2025-05-14T09:41:07Z","message":{"role":"assistant","con\n',
};

/**
 * Starts a fake Ollama server on 127.0.0.1. Point the `ollama` SDK (or Ballast's adapter) at
 * `fake.url` as its host.
 *
 * @example
 * ```ts
 * const fake = await startFakeOllama();
 * fake.enqueue({ toolCalls: [{ name: 'get_load', arguments: { node: 'pve1' } }] });
 * const model = createOllama({ host: fake.url }).chatModel('llama3.2');
 * const { toolCalls } = await model.chat({ messages: [{ role: 'user', content: 'Load of pve1?' }] });
 * await fake.close();
 * ```
 */
export function startFakeOllama(options?: FakeLlmServerOptions): Promise<FakeLlmServer> {
  return startFakeLlmServer(ollamaDialect, options);
}
