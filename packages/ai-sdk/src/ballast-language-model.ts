import {
  InvalidArgumentError,
  type LanguageModelV3,
  type LanguageModelV3CallOptions,
  type LanguageModelV3Content,
  type LanguageModelV3GenerateResult,
  type LanguageModelV3StreamResult,
} from '@ai-sdk/provider';
import {
  type CallOptions,
  type ChatChunk,
  type ChatModel,
  type ChatResult,
  ConfigError,
} from '@ballast/core';
import { aiSdkErrorFromBallast, type FailedCallContext } from './ai-sdk-error-from-ballast';
import {
  type BallastLanguageModelOptions,
  ballastLanguageModelOptionsSchema,
  ballastProviderOptionsSchema,
} from './ballast-language-model-options';
import { ballastMetadataKey, ballastMetadataOf } from './ballast-metadata';
import { ballastRequestFromCallOptions } from './ballast-request-from-call-options';
import { streamPartsFromChunks } from './stream-parts-from-chunks';
import { toAiSdkUsage } from './usage-conversion';

const defaultSupportedUrls = { 'image/*': [/^https?:\/\/.+$/i] };

/**
 * Makes any Ballast {@link ChatModel} (one vendor's model or a whole balancer) an AI SDK language
 * model (specification v3, for `ai` 6), so `generateText`, `streamText`, `generateObject`,
 * `Output`, tools with multi-step loops and `useChat` all get Ballast's routing, failover, circuit
 * breakers and metrics.
 *
 * Every result carries `providerMetadata.ballast`: the provider and model that served the call,
 * cost, latency and, for a balancer, its `route` (target, strategy, scores, every attempt). Errors
 * arrive as AI SDK errors (`APICallError` with status, `isRetryable` and `retry-after-ms`), with
 * the Ballast error as `cause`. A balancer already retries and fails over, so pass
 * `maxRetries: 0` to the AI SDK call unless you want it to retry the whole balancer again.
 *
 * @param model The Ballast model or balancer to expose.
 * @throws {ConfigError} when `model` is not a ChatModel or `options` are invalid.
 * @example
 * ```ts
 * import { streamText } from 'ai';
 * const model = createBallastLanguageModel(balancer);
 * const result = streamText({ model, prompt: 'Hello', maxRetries: 0 });
 * for await (const text of result.textStream) process.stdout.write(text);
 * console.log((await result.providerMetadata)?.ballast?.route);
 * ```
 */
export function createBallastLanguageModel(
  model: ChatModel,
  options: BallastLanguageModelOptions = {},
): LanguageModelV3 {
  assertChatModel(model);
  const parsed = ballastLanguageModelOptionsSchema.safeParse(options);
  if (!parsed.success) throw ConfigError.fromZod('createBallastLanguageModel options', parsed.error);
  const settings = parsed.data;
  const provider = settings.provider ?? `${ballastMetadataKey}.${model.provider}`;
  const modelId = settings.modelId ?? model.modelId;

  const prepare = (callOptions: LanguageModelV3CallOptions) => {
    const { request, warnings } = ballastRequestFromCallOptions(callOptions);
    const context: FailedCallContext = { provider, modelId, request, abortSignal: callOptions.abortSignal };
    return { request, warnings, context, ballastOptions: ballastCallOptions(callOptions, settings) };
  };

  return {
    specificationVersion: 'v3',
    provider,
    modelId,
    supportedUrls: settings.supportedUrls ?? defaultSupportedUrls,

    async doGenerate(callOptions): Promise<LanguageModelV3GenerateResult> {
      const { request, warnings, context, ballastOptions } = prepare(callOptions);
      let result: ChatResult;
      try {
        result = await model.chat(request, ballastOptions);
      } catch (error) {
        throw aiSdkErrorFromBallast(error, context);
      }
      return {
        content: contentOf(result),
        finishReason: result.finishReason,
        usage: toAiSdkUsage(result.usage),
        providerMetadata: ballastMetadataOf(result),
        request: { body: request },
        response: {
          modelId: result.modelId,
          ...(result.responseId === undefined ? {} : { id: result.responseId }),
          body: result.raw,
        },
        warnings,
      };
    },

    async doStream(callOptions): Promise<LanguageModelV3StreamResult> {
      const { request, warnings, context, ballastOptions } = prepare(callOptions);
      const toError = (error: unknown) => aiSdkErrorFromBallast(error, context);
      let iterator: AsyncIterator<ChatChunk>;
      let first: IteratorResult<ChatChunk>;
      try {
        iterator = model.stream(request, ballastOptions)[Symbol.asyncIterator]();
        // Read up to the first chunk here: a call that fails before answering (every target down,
        // bad key) then rejects `doStream` like an HTTP provider's failed request, and the AI SDK's
        // retry and error handling see it as such.
        first = await iterator.next();
      } catch (error) {
        throw toError(error);
      }
      return {
        stream: streamPartsFromChunks(iterator, {
          first,
          warnings,
          includeRawChunks: callOptions.includeRawChunks === true,
          abortSignal: callOptions.abortSignal,
          toError,
        }),
        request: { body: request },
      };
    },
  };
}

function contentOf(result: ChatResult): LanguageModelV3Content[] {
  const content: LanguageModelV3Content[] = [];
  if (result.text.length > 0) content.push({ type: 'text', text: result.text });
  for (const call of result.toolCalls) {
    content.push({
      type: 'tool-call',
      toolCallId: call.id,
      toolName: call.name,
      // Raw, so the AI SDK validates it against the tool's schema (and can repair it) itself.
      input: call.rawArguments.trim() === '' ? '{}' : call.rawArguments,
    });
  }
  return content;
}

/** Ballast call options: defaults, then `providerOptions.ballast`, then the AI SDK's signal and headers. */
function ballastCallOptions(
  callOptions: LanguageModelV3CallOptions,
  settings: BallastLanguageModelOptions,
): CallOptions {
  const perCall = ballastProviderOptionsSchema.safeParse(
    callOptions.providerOptions?.[ballastMetadataKey] ?? {},
  );
  if (!perCall.success) {
    throw new InvalidArgumentError({
      argument: `providerOptions.${ballastMetadataKey}`,
      message: `Invalid providerOptions.${ballastMetadataKey}: ${perCall.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ')}`,
    });
  }
  const headers = Object.fromEntries(
    Object.entries(callOptions.headers ?? {}).filter(
      (entry): entry is [string, string] => entry[1] !== undefined,
    ),
  );
  const { timeoutMs = settings.timeoutMs, ...extra } = perCall.data;
  return {
    ...settings.callOptions,
    ...extra,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    ...(callOptions.abortSignal === undefined ? {} : { signal: callOptions.abortSignal }),
    ...(Object.keys(headers).length > 0 ? { headers } : {}),
  };
}

function assertChatModel(model: unknown): asserts model is ChatModel {
  const candidate = model as Partial<ChatModel> | null | undefined;
  if (
    typeof candidate?.chat !== 'function' ||
    typeof candidate.stream !== 'function' ||
    typeof candidate.provider !== 'string' ||
    typeof candidate.modelId !== 'string'
  ) {
    throw new ConfigError({
      message: 'createBallastLanguageModel needs a Ballast ChatModel (provider, modelId, chat, stream)',
      issues: [{ path: 'model', message: 'must be a ChatModel' }],
    });
  }
}
