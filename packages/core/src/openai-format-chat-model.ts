import { runControlledCall } from './call-control';
import type { ChatModel, ChatModelCapabilities } from './chat-model';
import type { CallOptions, ChatRequest } from './chat-request';
import type { ChatChunk, ChatResult, Usage } from './chat-result';
import { runControlledStream } from './controlled-stream';
import type { BallastError } from './errors/ballast-error';
import {
  fromOpenAIFormatFinishReason,
  fromOpenAIFormatUsage,
  type OpenAIFormatUsage,
  toOpenAIFormatMessages,
  toOpenAIFormatOptions,
} from './openai-format';
import { computeCostUsd, defaultPricing, findModelPrice, type PricingTable } from './pricing';
import { StreamAccumulator } from './stream-accumulator';
import { parseToolArguments } from './tool-arguments';

/** The parts of an OpenAI-format completion the chat model reads. */
interface Completion {
  id?: string;
  choices?: Array<{
    message: {
      content?: string | null;
      tool_calls?: Array<{
        id: string;
        type?: string;
        function?: { name: string; arguments: string };
      }> | null;
    };
    finish_reason?: string | null;
  }>;
  usage?: OpenAIFormatUsage | null;
}

/** The parts of an OpenAI-format stream chunk the chat model reads. */
interface CompletionChunk {
  id?: string;
  choices?: Array<{
    delta?: {
      content?: string | null;
      tool_calls?: Array<{
        index: number;
        id?: string;
        function?: { name?: string; arguments?: string };
      }> | null;
    };
    finish_reason?: string | null;
  }>;
  usage?: OpenAIFormatUsage | null;
  /** Groq reports stream usage here. */
  x_groq?: { usage?: OpenAIFormatUsage | null } | null;
}

/** How to reach one OpenAI-format endpoint: the SDK call, its error mapping and wire options. */
export interface OpenAIFormatChatModelConfig {
  provider: string;
  modelId: string;
  capabilities: ChatModelCapabilities;
  /** Sends a Chat Completions request through the vendor SDK (`client.chat.completions.create`). */
  create(
    body: Record<string, unknown>,
    options: { signal: AbortSignal; headers?: Record<string, string> },
  ): Promise<unknown>;
  /** Converts whatever the SDK throws into a Ballast error. */
  toError(error: unknown): BallastError;
  pricing?: PricingTable | undefined;
  maxTokensField: 'max_tokens' | 'max_completion_tokens';
  /** Send `stream_options.include_usage` (not every compatible server accepts it). */
  includeStreamUsage: boolean;
}

/**
 * A {@link ChatModel} for any provider that speaks the OpenAI Chat Completions format through its
 * own official SDK (the `openai` SDK for OpenAI and compatible servers, `groq-sdk` for Groq).
 * The vendor package supplies the SDK call and error mapping; this does the rest once.
 *
 * @example
 * ```ts
 * const model = createOpenAIFormatChatModel({
 *   provider: 'groq', modelId, capabilities, maxTokensField: 'max_completion_tokens', includeStreamUsage: false,
 *   create: (body, options) => client.chat.completions.create(body as never, options),
 *   toError: (error) => toGroqError(error, { modelId, apiKey }),
 * });
 * ```
 */
export function createOpenAIFormatChatModel(config: OpenAIFormatChatModelConfig): ChatModel {
  const { provider, modelId } = config;
  const price = findModelPrice(config.pricing ?? defaultPricing, provider, modelId);
  const cost = (usage: Usage) => computeCostUsd(price, usage);
  const buildBody = (request: ChatRequest): Record<string, unknown> => ({
    model: modelId,
    messages: toOpenAIFormatMessages(request.messages),
    ...toOpenAIFormatOptions(request, config.maxTokensField),
  });
  const requestOptions = (signal: AbortSignal, options: CallOptions | undefined) =>
    options?.headers ? { signal, headers: options.headers } : { signal };

  async function* produce(request: ChatRequest, options: CallOptions | undefined, signal: AbortSignal) {
    const startedAt = performance.now();
    const body = {
      ...buildBody(request),
      stream: true,
      ...(config.includeStreamUsage ? { stream_options: { include_usage: true } } : {}),
    };
    const stream = (await config.create(
      body,
      requestOptions(signal, options),
    )) as AsyncIterable<CompletionChunk>;
    const accumulator = new StreamAccumulator({ provider, modelId, startedAt });
    let finishReason: string | undefined;
    let usage: Usage | undefined;
    let last: CompletionChunk | undefined;
    for await (const chunk of stream) {
      last = chunk;
      const reported = chunk.usage ?? chunk.x_groq?.usage;
      if (reported) usage = fromOpenAIFormatUsage(reported);
      const choice = chunk.choices?.[0];
      if (!choice) continue;
      if (choice.delta?.content) yield accumulator.textDelta(choice.delta.content);
      for (const call of choice.delta?.tool_calls ?? []) {
        yield accumulator.toolCallDelta(call.index, {
          id: call.id,
          name: call.function?.name,
          argumentsDelta: call.function?.arguments ?? '',
        });
      }
      if (choice.finish_reason) finishReason = choice.finish_reason;
    }
    // Without a finish_reason the server stopped mid-answer: runControlledStream reports it.
    if (!finishReason) return;
    const finalUsage = usage ?? fromOpenAIFormatUsage(undefined);
    yield* accumulator.finish({
      finishReason: fromOpenAIFormatFinishReason(finishReason),
      usage: finalUsage,
      costUsd: cost(finalUsage),
      raw: last,
      responseId: last?.id,
    });
  }

  return {
    provider,
    modelId,
    capabilities: config.capabilities,

    async chat(request: ChatRequest, options?: CallOptions): Promise<ChatResult> {
      const startedAt = performance.now();
      const body = { ...buildBody(request), stream: false };
      const completion = (await runControlledCall(
        options,
        (signal) => config.create(body, requestOptions(signal, options)),
        config.toError,
      )) as Completion;
      const choice = completion?.choices?.[0];
      if (!choice?.message) throw config.toError(new Error('the response has no choices'));
      const usage = fromOpenAIFormatUsage(completion.usage);
      return {
        text: choice.message.content ?? '',
        toolCalls: (choice.message.tool_calls ?? []).flatMap((call) =>
          call.function
            ? [{ id: call.id, name: call.function.name, ...parseToolArguments(call.function.arguments) }]
            : [],
        ),
        finishReason: fromOpenAIFormatFinishReason(choice.finish_reason),
        usage,
        costUsd: cost(usage),
        latencyMs: performance.now() - startedAt,
        provider,
        modelId,
        ...(completion.id ? { responseId: completion.id } : {}),
        raw: completion,
      };
    },

    stream(request: ChatRequest, options?: CallOptions): AsyncIterable<ChatChunk> {
      return runControlledStream(
        options,
        { provider, modelId },
        (signal) => produce(request, options, signal),
        config.toError,
      );
    },
  };
}
