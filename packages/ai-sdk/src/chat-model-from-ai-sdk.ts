import type {
  LanguageModelV3,
  LanguageModelV3CallOptions,
  LanguageModelV3GenerateResult,
  SharedV3ProviderMetadata,
} from '@ai-sdk/provider';
import {
  type CallOptions,
  type ChatModel,
  type ChatModelCapabilities,
  type ChatRequest,
  type ChatResult,
  ConfigError,
  computeCostUsd,
  defaultPricing,
  findModelPrice,
  parseToolArguments,
  runControlledCall,
  runControlledStream,
  type ToolCall,
  type Usage,
} from '@ballast/core';
import { type AiSdkFailureContext, ballastErrorFromAiSdk } from './ballast-error-from-ai-sdk';
import { ballastMetadataKey, readBallastMetadata } from './ballast-metadata';
import { callOptionsFromBallastRequest } from './call-options-from-ballast-request';
import {
  type ChatModelFromAiSdkOptions,
  chatModelFromAiSdkOptionsSchema,
} from './chat-model-from-ai-sdk-options';
import { type ChunkContext, chunksFromStreamParts } from './chunks-from-stream-parts';
import { fromAiSdkUsage } from './usage-conversion';

const defaultCapabilities: ChatModelCapabilities = {
  tools: true,
  vision: true,
  jsonMode: true,
  jsonSchema: true,
  streaming: true,
};

/**
 * Makes any AI SDK provider model (specification v3: `@ai-sdk/openai`, `@ai-sdk/anthropic`,
 * `@ai-sdk/openai-compatible`, … at the versions that go with `ai` 6) a Ballast {@link ChatModel},
 * so it can be a target of a balancer, an advisor's model, or a fallback next to Ballast's own
 * adapters.
 *
 * Calls honour `signal` and `timeoutMs` (the abort reaches the provider's `fetch`), throw only
 * Ballast errors (see `ballastErrorFromAiSdk`: status codes, `isRetryable` and Retry-After carry
 * over), and fill usage, `costUsd` from the pricing table and `latencyMs`. Streams end with one
 * `finish` chunk or an error, and release the HTTP response when the consumer stops early.
 *
 * Set the AI SDK provider's own retries to none where it has that setting: the balancer retries,
 * and sees every attempt only when nothing below it retries on its own.
 *
 * @throws {ConfigError} when `languageModel` is not a v3 language model or `options` are invalid.
 * @example
 * ```ts
 * import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
 * const vllm = createOpenAICompatible({ name: 'vllm', baseURL: 'http://gpu-box:8000/v1' });
 * const balancer = createBalancer({
 *   targets: [
 *     { id: 'vllm', model: createChatModelFromAiSdk(vllm.chatModel('Qwen/Qwen2.5-7B-Instruct')) },
 *     { id: 'openai', model: createOpenAI().chatModel('gpt-4o-mini') },
 *   ],
 * });
 * ```
 */
export function createChatModelFromAiSdk(
  languageModel: LanguageModelV3,
  options: ChatModelFromAiSdkOptions = {},
): ChatModel {
  assertLanguageModelV3(languageModel);
  const parsed = chatModelFromAiSdkOptionsSchema.safeParse(options);
  if (!parsed.success) throw ConfigError.fromZod('createChatModelFromAiSdk options', parsed.error);
  const settings = parsed.data;
  const provider = settings.provider ?? ballastProviderName(languageModel.provider);
  const modelId = settings.modelId ?? languageModel.modelId;
  const pricing = settings.pricing ?? defaultPricing;
  const failureContext: AiSdkFailureContext = { provider, modelId, secrets: settings.secrets };
  const toError = (error: unknown) => ballastErrorFromAiSdk(error, failureContext);
  // A Ballast model behind the AI SDK already computed its cost (from the model that served);
  // otherwise the price is looked up on first use, so a model nobody calls never warns.
  const costOf = (usage: Usage, providerMetadata: SharedV3ProviderMetadata | undefined) =>
    readBallastMetadata(providerMetadata)?.costUsd ??
    computeCostUsd(findModelPrice(pricing, provider, modelId), usage);

  const callOptionsFor = (
    request: ChatRequest,
    options: CallOptions | undefined,
    signal: AbortSignal,
  ): LanguageModelV3CallOptions => ({
    ...callOptionsFromBallastRequest(request),
    abortSignal: signal,
    ...(options?.headers === undefined ? {} : { headers: options.headers }),
    ...(settings.providerOptions === undefined ? {} : { providerOptions: settings.providerOptions }),
  });

  return {
    provider,
    modelId,
    capabilities: { ...defaultCapabilities, ...options.capabilities },

    async chat(request, callOptions) {
      const startedAt = performance.now();
      const generated = await runControlledCall(
        callOptions,
        async (signal) => await languageModel.doGenerate(callOptionsFor(request, callOptions, signal)),
        toError,
      );
      return resultOf(generated, { provider, modelId, startedAt, costOf });
    },

    stream(request, callOptions) {
      const startedAt = performance.now();
      return runControlledStream(
        callOptions,
        { provider, modelId },
        (signal) => streamChunks(signal),
        toError,
      );

      async function* streamChunks(signal: AbortSignal) {
        const { stream } = await languageModel.doStream(callOptionsFor(request, callOptions, signal));
        yield* chunksFromStreamParts(stream, { provider, modelId, startedAt, costOf, toError });
      }
    },
  };
}

function resultOf(
  generated: LanguageModelV3GenerateResult,
  context: {
    provider: string;
    modelId: string;
    startedAt: number;
    costOf: ChunkContext['costOf'];
  },
): ChatResult {
  let text = '';
  const toolCalls: ToolCall[] = [];
  for (const part of generated.content) {
    if (part.type === 'text') text += part.text;
    else if (part.type === 'tool-call' && !part.providerExecuted) {
      toolCalls.push({ id: part.toolCallId, name: part.toolName, ...parseToolArguments(part.input) });
    }
  }
  const usage = fromAiSdkUsage(generated.usage);
  const responseId = generated.response?.id;
  return {
    text,
    toolCalls,
    finishReason: generated.finishReason,
    usage,
    costUsd: context.costOf(usage, generated.providerMetadata),
    latencyMs: performance.now() - context.startedAt,
    provider: context.provider,
    modelId: context.modelId,
    raw: generated.response?.body ?? generated.content,
    ...(responseId === undefined ? {} : { responseId }),
  };
}

/**
 * The Ballast provider name of an AI SDK provider id: `openai.chat` → `openai` (the part before
 * the first dot), and `ballast.openai` (a Ballast model exposed through the AI SDK) → `openai`.
 */
function ballastProviderName(aiSdkProvider: string): string {
  const [first, second] = aiSdkProvider.split('.');
  if (first === ballastMetadataKey && second) return second;
  return first || aiSdkProvider;
}

function assertLanguageModelV3(model: unknown): asserts model is LanguageModelV3 {
  const candidate = model as Partial<LanguageModelV3> | null | undefined;
  const version = (candidate as { specificationVersion?: unknown } | null | undefined)?.specificationVersion;
  if (
    version !== 'v3' ||
    typeof candidate?.doGenerate !== 'function' ||
    typeof candidate.doStream !== 'function' ||
    typeof candidate.provider !== 'string' ||
    typeof candidate.modelId !== 'string'
  ) {
    throw new ConfigError({
      message:
        typeof model === 'string'
          ? `createChatModelFromAiSdk needs a language model object, not the id "${model}": call your provider, e.g. openai('gpt-4o-mini')`
          : `createChatModelFromAiSdk needs an AI SDK language model of specification v3 (ai 6 providers), got ${version === undefined ? 'something else' : `specification ${String(version)}`}`,
      issues: [{ path: 'languageModel', message: 'must be a LanguageModelV3' }],
    });
  }
}
