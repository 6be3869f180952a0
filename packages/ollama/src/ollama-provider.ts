import {
  type BallastError,
  type CallOptions,
  type ChatChunk,
  type ChatModel,
  type ChatModelCapabilities,
  type ChatRequest,
  type ChatResult,
  ConfigError,
  computeCostUsd,
  defaultPricing,
  type EmbeddingModel,
  findModelPrice,
  parseToolArguments,
  runControlledCall,
  runControlledStream,
  StreamAccumulator,
} from '@ballast/core';
import { Ollama } from 'ollama';
import { createOllamaEmbeddingModel, type OllamaEmbeddingOptions } from './ollama-embedding-model';
import { toOllamaError } from './ollama-error';
import {
  fromOllamaDoneReason,
  fromOllamaToolCalls,
  fromOllamaUsage,
  type OllamaAnswer,
  type OllamaRequestDefaults,
  toOllamaChatBody,
} from './ollama-format';
import {
  type OllamaChatModelOptions,
  type OllamaSettings,
  type ResolvedOllamaSettings,
  resolveOllamaSettings,
} from './ollama-settings';

const provider = 'ollama';

const defaultCapabilities: ChatModelCapabilities = {
  tools: true,
  vision: true,
  jsonMode: true,
  jsonSchema: true,
  streaming: true,
};

/**
 * Creates chat models served by one Ollama host.
 *
 * @example
 * ```ts
 * const ollama: OllamaProvider = createOllama();
 * const model = ollama.chatModel('llama3.2');
 * ```
 */
export interface OllamaProvider {
  readonly name: 'ollama';
  /** The normalized host every model of this provider calls, e.g. `http://127.0.0.1:11434`. */
  readonly host: string;
  /**
   * A chat model by the name Ollama knows it by (`llama3.2`, `qwen2.5:7b`). There is no default:
   * an unknown (not pulled) model fails with `model_not_found`. A model without tool or vision
   * support should say so in `capabilities`.
   *
   * @throws {ConfigError} when `modelId` is empty.
   */
  chatModel(modelId: string, options?: OllamaChatModelOptions): ChatModel;
  /**
   * An embedding model by name (`nomic-embed-text`, `mxbai-embed-large`), for memory recall and RAG.
   *
   * @throws {ConfigError} when `modelId` is empty.
   * @example
   * ```ts
   * const { embeddings } = await createOllama().embeddingModel('nomic-embed-text').embed({ values: ['hi'] });
   * ```
   */
  embeddingModel(modelId: string, options?: OllamaEmbeddingOptions): EmbeddingModel;
}

/**
 * Creates an Ollama provider over the official `ollama` SDK (native `/api/chat`).
 *
 * Every call gets its own SDK client whose fetch carries the call's abort signal, so aborts and
 * timeouts end the HTTP request (ollama-js 0.6 has no per-request signal). Tool calls get
 * synthesized `call_<n>` ids, usage comes from `prompt_eval_count`/`eval_count`, and cost is 0
 * unless `pricing` says otherwise.
 *
 * @param env Where to read `OLLAMA_HOST` (and `OLLAMA_API_KEY` for ollama.com); defaults to `process.env`.
 * @throws {ConfigError} on invalid settings or an unparseable host.
 * @example
 * ```ts
 * const ollama = createOllama({ host: 'http://gpu-box:11434' });
 * const model = ollama.chatModel('llama3.2');
 * const { text, usage } = await model.chat({ messages: [{ role: 'user', content: 'Hello' }] }, { timeoutMs: 60_000 });
 * ```
 */
export function createOllama(
  settings: OllamaSettings = {},
  env: NodeJS.ProcessEnv = process.env,
): OllamaProvider {
  const resolved = resolveOllamaSettings(settings, env);
  return {
    name: provider,
    host: resolved.host,
    chatModel(modelId, options = {}) {
      if (typeof modelId !== 'string' || modelId.trim() === '') {
        throw new ConfigError({
          message: 'ollama: a model id is required (the name of a pulled model, e.g. `ollama list`)',
          issues: [{ path: 'modelId', message: 'must be a non-empty string' }],
        });
      }
      return createOllamaChatModel(resolved, modelId, options);
    },
    embeddingModel: (modelId, options) => createOllamaEmbeddingModel(resolved, modelId, options),
  };
}

/** Response headers of one call, captured by its fetch for error reporting. */
interface CallState {
  headers?: Headers;
}

function createOllamaChatModel(
  resolved: ResolvedOllamaSettings,
  modelId: string,
  modelOptions: OllamaChatModelOptions,
): ChatModel {
  const capabilities = { ...defaultCapabilities, ...resolved.capabilities, ...modelOptions.capabilities };
  const price = findModelPrice(resolved.pricing ?? defaultPricing, provider, modelId);
  const url = `${resolved.host}/api/chat`;
  const defaults: OllamaRequestDefaults = {
    keepAlive: modelOptions.keepAlive ?? resolved.keepAlive,
    options: { ...resolved.options, ...modelOptions.options },
  };

  /** A client for one call: its fetch adds the call's signal to the SDK's own. */
  const connect = (signal: AbortSignal, options: CallOptions | undefined, state: CallState) => {
    const baseFetch = resolved.fetch ?? globalThis.fetch;
    const fetchWithSignal: typeof globalThis.fetch = async (input, init) => {
      const response = await baseFetch(input, {
        ...init,
        signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal,
      });
      state.headers = response.headers;
      return response;
    };
    return new Ollama({
      host: resolved.host,
      fetch: fetchWithSignal,
      headers: { ...resolved.headers, ...options?.headers },
    });
  };

  const toError = (error: unknown, state: CallState, midStream = false): BallastError =>
    toOllamaError(error, { modelId, url, headers: state.headers, secrets: resolved.secrets, midStream });

  async function* produce(
    request: ChatRequest,
    options: CallOptions | undefined,
    signal: AbortSignal,
    state: CallState,
  ): AsyncGenerator<ChatChunk> {
    const startedAt = performance.now();
    const body = toOllamaChatBody(modelId, request, defaults);
    const stream = await connect(signal, options, state).chat({ ...body, stream: true });
    const accumulator = new StreamAccumulator({ provider, modelId, startedAt });
    let toolCallCount = 0;
    let final: OllamaAnswer | undefined;
    try {
      for await (const response of stream) {
        const part = response as OllamaAnswer;
        if (part.message?.content) yield accumulator.textDelta(part.message.content);
        // Since Ollama 0.8 each tool call arrives whole, with object arguments, in one line.
        for (const call of part.message?.tool_calls ?? []) {
          yield accumulator.wholeToolCall(toolCallCount++, {
            id: call.id || undefined,
            name: call.function?.name ?? '',
            rawArguments: parseToolArguments(call.function?.arguments).rawArguments,
          });
        }
        if (part.done) {
          final = part;
          break;
        }
      }
    } catch (error) {
      throw toError(error, state, true);
    }
    // Without a done line the answer is unfinished: runControlledStream reports it.
    if (!final) return;
    const usage = fromOllamaUsage(final);
    yield* accumulator.finish({
      finishReason: fromOllamaDoneReason(final.done_reason, toolCallCount > 0),
      usage,
      costUsd: computeCostUsd(price, usage),
      raw: final,
    });
  }

  return {
    provider,
    modelId,
    capabilities,

    async chat(request: ChatRequest, options?: CallOptions): Promise<ChatResult> {
      const startedAt = performance.now();
      const body = toOllamaChatBody(modelId, request, defaults);
      const state: CallState = {};
      const answer = (await runControlledCall(
        options,
        (signal) => connect(signal, options, state).chat({ ...body, stream: false }),
        (error) => toError(error, state),
      )) as OllamaAnswer | null;
      if (
        typeof answer !== 'object' ||
        answer === null ||
        typeof answer.message !== 'object' ||
        !answer.message
      ) {
        throw toError(new Error('the response has no message'), state);
      }
      const toolCalls = fromOllamaToolCalls(answer.message.tool_calls ?? undefined);
      const usage = fromOllamaUsage(answer);
      return {
        text: answer.message.content ?? '',
        toolCalls,
        finishReason: fromOllamaDoneReason(answer.done_reason, toolCalls.length > 0),
        usage,
        costUsd: computeCostUsd(price, usage),
        latencyMs: performance.now() - startedAt,
        provider,
        modelId,
        raw: answer,
      };
    },

    stream(request: ChatRequest, options?: CallOptions): AsyncIterable<ChatChunk> {
      const state: CallState = {};
      return runControlledStream(
        options,
        { provider, modelId },
        (signal) => produce(request, options, signal, state),
        (error) => toError(error, state),
      );
    },
  };
}
