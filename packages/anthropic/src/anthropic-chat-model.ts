import type Anthropic from '@anthropic-ai/sdk';
import {
  type BallastError,
  type CallOptions,
  type ChatChunk,
  type ChatModel,
  type ChatModelCapabilities,
  type ChatRequest,
  type ChatResult,
  computeCostUsd,
  defaultPricing,
  findModelPrice,
  type PricingTable,
  runControlledCall,
  runControlledStream,
  StreamAccumulator,
  type Usage,
} from '@ballast/core';
import {
  type AnthropicUsage,
  fromAnthropicContent,
  fromAnthropicStopReason,
  fromAnthropicUsage,
  mergeAnthropicUsage,
  toAnthropicBody,
} from './anthropic-messages';

/** What one Anthropic chat model needs: the SDK client, its error mapping and defaults. */
export interface AnthropicChatModelConfig {
  modelId: string;
  client: Anthropic;
  capabilities: ChatModelCapabilities;
  toError(error: unknown): BallastError;
  pricing?: PricingTable | undefined;
  defaultMaxTokens: number;
}

const provider = 'anthropic';

/**
 * A {@link ChatModel} over `client.messages.create`: plain calls return the `Message`, streams
 * read the raw SSE events (`text_delta`, `input_json_delta` by content block) into a
 * {@link StreamAccumulator} under {@link runControlledStream}.
 *
 * @example
 * ```ts
 * const model = createAnthropicChatModel({ modelId, client, capabilities, defaultMaxTokens: 4096, toError });
 * ```
 */
export function createAnthropicChatModel(config: AnthropicChatModelConfig): ChatModel {
  const { modelId, client, toError } = config;
  const price = findModelPrice(config.pricing ?? defaultPricing, provider, modelId);
  const cost = (usage: Usage) => computeCostUsd(price, usage);
  const bodyOptions = {
    defaultMaxTokens: config.defaultMaxTokens,
    nativeJsonSchema: config.capabilities.jsonSchema,
  };
  const requestOptions = (signal: AbortSignal, options: CallOptions | undefined): Anthropic.RequestOptions =>
    options?.headers ? { signal, headers: options.headers } : { signal };

  async function* produce(
    request: ChatRequest,
    options: CallOptions | undefined,
    signal: AbortSignal,
  ): AsyncGenerator<ChatChunk> {
    const startedAt = performance.now();
    const body = toAnthropicBody(modelId, request, bodyOptions);
    const stream = await client.messages.create({ ...body, stream: true }, requestOptions(signal, options));
    const accumulator = new StreamAccumulator({ provider, modelId, startedAt });
    // Anthropic numbers content blocks (text and tool_use together); Ballast numbers tool calls.
    const toolIndexByBlock = new Map<number, number>();
    let responseId: string | undefined;
    let usage: AnthropicUsage | undefined;
    let stopReason: string | null | undefined;
    let last: Anthropic.RawMessageStreamEvent | undefined;

    for await (const event of stream) {
      last = event;
      switch (event.type) {
        case 'message_start':
          responseId = event.message.id;
          usage = event.message.usage;
          break;
        case 'content_block_start': {
          const block = event.content_block;
          if (block.type === 'text' && block.text) yield accumulator.textDelta(block.text);
          if (block.type === 'tool_use') {
            const index = toolIndexByBlock.size;
            toolIndexByBlock.set(event.index, index);
            const input = block.input as Record<string, unknown> | undefined;
            // The API starts every tool_use with `input: {}` and streams the JSON in deltas.
            const initial = input && Object.keys(input).length > 0 ? JSON.stringify(input) : '';
            yield accumulator.toolCallDelta(index, {
              id: block.id,
              name: block.name,
              argumentsDelta: initial,
            });
          }
          break;
        }
        case 'content_block_delta': {
          const delta = event.delta;
          if (delta.type === 'text_delta') {
            if (delta.text) yield accumulator.textDelta(delta.text);
          } else if (delta.type === 'input_json_delta') {
            const index = toolIndexByBlock.get(event.index);
            if (index !== undefined && delta.partial_json) {
              yield accumulator.toolCallDelta(index, { argumentsDelta: delta.partial_json });
            }
          }
          break;
        }
        case 'message_delta':
          stopReason = event.delta.stop_reason;
          usage = mergeAnthropicUsage(usage, event.usage);
          break;
        default:
          break;
      }
    }
    // Without a stop_reason the server stopped mid-answer: runControlledStream reports it.
    if (!stopReason) return;
    const finalUsage = fromAnthropicUsage(usage);
    yield* accumulator.finish({
      finishReason: fromAnthropicStopReason(stopReason),
      usage: finalUsage,
      costUsd: cost(finalUsage),
      raw: last,
      responseId,
    });
  }

  return {
    provider,
    modelId,
    capabilities: config.capabilities,

    async chat(request: ChatRequest, options?: CallOptions): Promise<ChatResult> {
      const startedAt = performance.now();
      const body = toAnthropicBody(modelId, request, bodyOptions);
      const message = await runControlledCall(
        options,
        (signal) => client.messages.create(body, requestOptions(signal, options)),
        toError,
      );
      if (!Array.isArray(message?.content)) throw toError(new Error('the response has no content'));
      const usage = fromAnthropicUsage(message.usage);
      return {
        ...fromAnthropicContent(message.content),
        finishReason: fromAnthropicStopReason(message.stop_reason),
        usage,
        costUsd: cost(usage),
        latencyMs: performance.now() - startedAt,
        provider,
        modelId,
        ...(message.id ? { responseId: message.id } : {}),
        raw: message,
      };
    },

    stream(request: ChatRequest, options?: CallOptions): AsyncIterable<ChatChunk> {
      return runControlledStream(
        options,
        { provider, modelId },
        (signal) => produce(request, options, signal),
        toError,
      );
    },
  };
}
