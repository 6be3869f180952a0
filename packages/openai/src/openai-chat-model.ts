import {
  type CallOptions,
  type ChatChunk,
  type ChatModel,
  type ChatModelCapabilities,
  type ChatRequest,
  type ChatResult,
  computeCostUsd,
  defaultPricing,
  findModelPrice,
  fromOpenAIFormatFinishReason,
  fromOpenAIFormatUsage,
  type OpenAIFormatUsage,
  parseToolArguments,
  runControlledCall,
  runControlledStream,
  StreamAccumulator,
  toOpenAIFormatMessages,
  toOpenAIFormatOptions,
  type Usage,
} from '@ballast/core';
import type OpenAI from 'openai';
import { toOpenAIError } from './openai-error';
import type { ResolvedOpenAISettings } from './openai-settings';

const defaultCapabilities: ChatModelCapabilities = {
  tools: true,
  vision: true,
  jsonMode: true,
  jsonSchema: true,
  streaming: true,
};

/**
 * A {@link ChatModel} over the official `openai` SDK's Chat Completions API. Created by
 * `createOpenAI(...).chatModel(id)`; works with any OpenAI-compatible server.
 */
export class OpenAIChatModel implements ChatModel {
  readonly provider: string;
  readonly capabilities: ChatModelCapabilities;

  constructor(
    readonly modelId: string,
    private readonly client: OpenAI,
    private readonly settings: ResolvedOpenAISettings,
    capabilities: Partial<ChatModelCapabilities> = {},
  ) {
    this.provider = settings.name;
    this.capabilities = { ...defaultCapabilities, ...settings.capabilities, ...capabilities };
  }

  async chat(request: ChatRequest, options?: CallOptions): Promise<ChatResult> {
    const startedAt = performance.now();
    const body = { ...this.buildBody(request), stream: false as const };
    const response = await runControlledCall(
      options,
      (signal) => this.client.chat.completions.create(body as never, { signal, ...headersOf(options) }),
      (error) => this.toError(error),
    );
    const completion = response as OpenAI.Chat.Completions.ChatCompletion;
    const choice = completion.choices?.[0];
    if (!choice) throw this.toError(new Error('response has no choices'));
    const usage = fromOpenAIFormatUsage(completion.usage as OpenAIFormatUsage | undefined);
    return {
      text: choice.message.content ?? '',
      toolCalls: (choice.message.tool_calls ?? []).flatMap((call) =>
        call.type === 'function'
          ? [{ id: call.id, name: call.function.name, ...parseToolArguments(call.function.arguments) }]
          : [],
      ),
      finishReason: fromOpenAIFormatFinishReason(choice.finish_reason),
      usage,
      costUsd: this.cost(usage),
      latencyMs: performance.now() - startedAt,
      provider: this.provider,
      modelId: this.modelId,
      responseId: completion.id,
      raw: completion,
    };
  }

  stream(request: ChatRequest, options?: CallOptions): AsyncIterable<ChatChunk> {
    return runControlledStream(
      options,
      { provider: this.provider, modelId: this.modelId },
      (signal) => this.produce(request, options, signal),
      (error) => this.toError(error),
    );
  }

  private async *produce(request: ChatRequest, options: CallOptions | undefined, signal: AbortSignal) {
    const startedAt = performance.now();
    const body = {
      ...this.buildBody(request),
      stream: true as const,
      ...(this.settings.includeStreamUsage ? { stream_options: { include_usage: true } } : {}),
    };
    const stream = await this.client.chat.completions.create(body as never, {
      signal,
      ...headersOf(options),
    });
    const accumulator = new StreamAccumulator({ provider: this.provider, modelId: this.modelId, startedAt });
    let finishReason: string | null | undefined;
    let usage: Usage | undefined;
    let last: OpenAI.Chat.Completions.ChatCompletionChunk | undefined;
    for await (const chunk of stream as unknown as AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>) {
      last = chunk;
      if (chunk.usage) usage = fromOpenAIFormatUsage(chunk.usage as OpenAIFormatUsage);
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
    // No finish_reason means the server stopped mid-answer; runControlledStream reports it.
    if (!finishReason) return;
    const finalUsage = usage ?? fromOpenAIFormatUsage(undefined);
    yield* accumulator.finish({
      finishReason: fromOpenAIFormatFinishReason(finishReason),
      usage: finalUsage,
      costUsd: this.cost(finalUsage),
      raw: last,
      responseId: last?.id,
    });
  }

  private buildBody(request: ChatRequest): Record<string, unknown> {
    return {
      model: this.modelId,
      messages: toOpenAIFormatMessages(request.messages),
      ...toOpenAIFormatOptions(request, this.settings.maxTokensField),
    };
  }

  private cost(usage: Usage): number | undefined {
    return computeCostUsd(
      findModelPrice(this.settings.pricing ?? defaultPricing, this.provider, this.modelId),
      usage,
    );
  }

  private toError(error: unknown) {
    return toOpenAIError(error, {
      provider: this.provider,
      modelId: this.modelId,
      apiKey: this.settings.apiKey,
    });
  }
}

function headersOf(options: CallOptions | undefined): { headers?: Record<string, string> } {
  return options?.headers ? { headers: options.headers } : {};
}
