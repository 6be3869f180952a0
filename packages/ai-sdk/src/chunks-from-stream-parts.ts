import type { LanguageModelV3StreamPart, SharedV3ProviderMetadata } from '@ai-sdk/provider';
import {
  type ChatChunk,
  type ChatResult,
  parseToolArguments,
  type ToolCall,
  type Usage,
} from '@ballast/core';
import { fromAiSdkUsage } from './usage-conversion';

type LanguageModelV3FinishPart = Extract<LanguageModelV3StreamPart, { type: 'finish' }>;

/** What {@link chunksFromStreamParts} needs to build the final result. */
export interface ChunkContext {
  provider: string;
  modelId: string;
  /** `performance.now()` when the call started. */
  startedAt: number;
  /** Cost of the call; the finish part's provider metadata may already carry it (a Ballast model). */
  costOf: (usage: Usage, providerMetadata: SharedV3ProviderMetadata | undefined) => number | undefined;
  /** Turns an `error` part into the Ballast error to throw. */
  toError: (error: unknown) => Error;
}

/** A tool call while its input streams: its place in the stream and the input so far. */
interface StreamingToolCall {
  index: number;
  id: string;
  name: string;
  input: string;
  /** The complete input from the `tool-call` part, which wins over the concatenated deltas. */
  finalInput?: string;
}

/**
 * Reads an AI SDK V3 stream and yields Ballast chunks: `text-delta` per text delta,
 * `tool-call-delta` per tool-input part (or one per whole `tool-call` that was not streamed), and
 * at the end one `tool-call` per call and the `finish` chunk with the whole result. An `error`
 * part throws; a stream that ends without a `finish` part yields no `finish` chunk, which
 * Ballast's `runControlledStream` reports as a cut stream. Reasoning, sources and files have no
 * Ballast chunk and are skipped.
 *
 * @example
 * ```ts
 * const { stream } = await languageModel.doStream(options);
 * for await (const chunk of chunksFromStreamParts(stream, context)) console.log(chunk.type);
 * ```
 */
export async function* chunksFromStreamParts(
  stream: ReadableStream<LanguageModelV3StreamPart>,
  context: ChunkContext,
): AsyncGenerator<ChatChunk, void, undefined> {
  const reader = stream.getReader();
  const toolCalls = new Map<string, StreamingToolCall>();
  let text = '';
  let firstTokenAt: number | undefined;
  let responseId: string | undefined;
  let finish: LanguageModelV3FinishPart | undefined;
  const markFirstToken = () => {
    firstTokenAt ??= performance.now();
  };
  const startToolCall = (id: string, name: string): StreamingToolCall => {
    const call: StreamingToolCall = { index: toolCalls.size, id, name, input: '' };
    toolCalls.set(id, call);
    return call;
  };

  try {
    while (true) {
      const { done, value: part } = await reader.read();
      if (done) break;
      switch (part.type) {
        case 'text-delta':
          if (part.delta.length === 0) break;
          markFirstToken();
          text += part.delta;
          yield { type: 'text-delta', text: part.delta };
          break;
        case 'tool-input-start': {
          if (part.providerExecuted) break;
          markFirstToken();
          const call = startToolCall(part.id, part.toolName);
          yield {
            type: 'tool-call-delta',
            index: call.index,
            id: call.id,
            name: call.name,
            argumentsDelta: '',
          };
          break;
        }
        case 'tool-input-delta': {
          const call = toolCalls.get(part.id);
          if (!call || part.delta.length === 0) break;
          call.input += part.delta;
          yield { type: 'tool-call-delta', index: call.index, argumentsDelta: part.delta };
          break;
        }
        case 'tool-call': {
          if (part.providerExecuted) break;
          const streamed = toolCalls.get(part.toolCallId);
          if (streamed) {
            streamed.finalInput = part.input;
            break;
          }
          markFirstToken();
          const call = startToolCall(part.toolCallId, part.toolName);
          call.input = part.input;
          yield {
            type: 'tool-call-delta',
            index: call.index,
            id: call.id,
            name: call.name,
            argumentsDelta: part.input,
          };
          break;
        }
        case 'response-metadata':
          responseId = part.id ?? responseId;
          break;
        case 'error':
          throw context.toError(part.error);
        case 'finish':
          finish = part;
          break;
        default:
          // stream-start, reasoning, sources, files, raw chunks: nothing Ballast streams.
          break;
      }
    }
  } finally {
    // Releases the provider's HTTP response when the consumer stops early or an error is thrown.
    await reader.cancel().catch(() => {});
  }
  if (!finish) return;

  const completed: ToolCall[] = [...toolCalls.values()].map((call) => ({
    id: call.id,
    name: call.name,
    ...parseToolArguments(call.finalInput ?? call.input),
  }));
  for (const toolCall of completed) yield { type: 'tool-call', toolCall };
  const usage = fromAiSdkUsage(finish.usage);
  const now = performance.now();
  const result: ChatResult = {
    text,
    toolCalls: completed,
    finishReason: finish.finishReason,
    usage,
    costUsd: context.costOf(usage, finish.providerMetadata),
    latencyMs: now - context.startedAt,
    provider: context.provider,
    modelId: context.modelId,
    raw: finish,
    ...(firstTokenAt === undefined ? {} : { timeToFirstTokenMs: firstTokenAt - context.startedAt }),
    ...(responseId === undefined ? {} : { responseId }),
  };
  yield { type: 'finish', result };
}
