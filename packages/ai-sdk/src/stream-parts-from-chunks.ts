import type { LanguageModelV3StreamPart, SharedV3Warning } from '@ai-sdk/provider';
import { type ChatChunk, emptyUsage } from '@ballast/core';
import { abortReasonOf } from './ai-sdk-error-from-ballast';
import { ballastMetadataOf } from './ballast-metadata';
import { toAiSdkUsage } from './usage-conversion';

/** How {@link streamPartsFromChunks} reports the stream. */
export interface StreamPartsOptions {
  /** Already-read first chunk (the bridge reads it before answering so start-up errors throw). */
  first: IteratorResult<ChatChunk>;
  warnings: SharedV3Warning[];
  /** Emits every Ballast chunk as a `raw` part too (`includeRawChunks`). */
  includeRawChunks: boolean;
  abortSignal: AbortSignal | undefined;
  /** Maps a Ballast error to what the AI SDK expects (see `aiSdkErrorFromBallast`). */
  toError: (error: unknown) => unknown;
}

/** Per tool call (by stream index): its id and name once known, and whether its input is streaming. */
interface ToolInputState {
  id: string | undefined;
  name: string | undefined;
  started: boolean;
  buffered: string;
}

/**
 * Turns a Ballast chunk stream into the AI SDK's V3 stream parts: `stream-start` with the
 * warnings, `text-start`/`text-delta`/`text-end`, `tool-input-start`/`-delta`/`-end` while a tool
 * call's arguments arrive, one `tool-call` per finished call, `response-metadata`, and `finish`
 * with usage, finish reason and Ballast's route in `providerMetadata.ballast`.
 *
 * Reading is pulled by the consumer; cancelling the stream releases the upstream request. A
 * failure mid-stream becomes an `error` part followed by a `finish` with reason `error`, as the
 * AI SDK's own providers do; an abort by the caller errors the stream with an `AbortError`, which
 * `streamText` turns into an `abort` part.
 *
 * @example
 * ```ts
 * const iterator = model.stream(request)[Symbol.asyncIterator]();
 * const stream = streamPartsFromChunks(iterator, { first: await iterator.next(), warnings: [], includeRawChunks: false, abortSignal, toError });
 * ```
 */
export function streamPartsFromChunks(
  iterator: AsyncIterator<ChatChunk>,
  options: StreamPartsOptions,
): ReadableStream<LanguageModelV3StreamPart> {
  let pendingFirst: IteratorResult<ChatChunk> | undefined = options.first;
  let textId: string | undefined;
  let textBlocks = 0;
  let finished = false;
  const toolInputs = new Map<number, ToolInputState>();

  const closeText = (parts: LanguageModelV3StreamPart[]) => {
    if (textId === undefined) return;
    parts.push({ type: 'text-end', id: textId });
    textId = undefined;
  };

  const partsOf = (chunk: ChatChunk): LanguageModelV3StreamPart[] => {
    const parts: LanguageModelV3StreamPart[] = [];
    if (options.includeRawChunks) parts.push({ type: 'raw', rawValue: chunk });
    switch (chunk.type) {
      case 'text-delta': {
        if (chunk.text.length === 0) break;
        if (textId === undefined) {
          textId = `text-${textBlocks++}`;
          parts.push({ type: 'text-start', id: textId });
        }
        parts.push({ type: 'text-delta', id: textId, delta: chunk.text });
        break;
      }
      case 'tool-call-delta': {
        const state = toolInputs.get(chunk.index) ?? {
          id: undefined,
          name: undefined,
          started: false,
          buffered: '',
        };
        toolInputs.set(chunk.index, state);
        state.id ??= chunk.id;
        state.name ??= chunk.name;
        if (!state.started && state.id !== undefined && state.name !== undefined) {
          closeText(parts);
          state.started = true;
          parts.push({ type: 'tool-input-start', id: state.id, toolName: state.name });
          if (state.buffered.length > 0)
            parts.push({ type: 'tool-input-delta', id: state.id, delta: state.buffered });
        }
        if (state.started && state.id !== undefined) {
          if (chunk.argumentsDelta.length > 0)
            parts.push({ type: 'tool-input-delta', id: state.id, delta: chunk.argumentsDelta });
        } else {
          state.buffered += chunk.argumentsDelta;
        }
        break;
      }
      case 'tool-call': {
        closeText(parts);
        const { toolCall } = chunk;
        const streamed = [...toolInputs.values()].find((state) => state.started && state.id === toolCall.id);
        if (streamed) parts.push({ type: 'tool-input-end', id: toolCall.id });
        parts.push({
          type: 'tool-call',
          toolCallId: toolCall.id,
          toolName: toolCall.name,
          // Raw, so the AI SDK validates it against the tool's schema (and can repair it) itself.
          input: toolCall.rawArguments.trim() === '' ? '{}' : toolCall.rawArguments,
        });
        break;
      }
      case 'finish': {
        closeText(parts);
        finished = true;
        const { result } = chunk;
        parts.push({
          type: 'response-metadata',
          modelId: result.modelId,
          ...(result.responseId === undefined ? {} : { id: result.responseId }),
        });
        parts.push({
          type: 'finish',
          finishReason: result.finishReason,
          usage: toAiSdkUsage(result.usage),
          providerMetadata: ballastMetadataOf(result),
        });
        break;
      }
    }
    return parts;
  };

  return new ReadableStream<LanguageModelV3StreamPart>({
    start(controller) {
      controller.enqueue({ type: 'stream-start', warnings: options.warnings });
    },
    async pull(controller) {
      try {
        const next = pendingFirst ?? (await iterator.next());
        pendingFirst = undefined;
        if (next.done) {
          controller.close();
          return;
        }
        for (const part of partsOf(next.value)) controller.enqueue(part);
        if (finished) {
          controller.close();
          await iterator.return?.();
        }
      } catch (error) {
        if (options.abortSignal?.aborted) {
          controller.error(abortReasonOf(options.abortSignal));
          return;
        }
        const parts: LanguageModelV3StreamPart[] = [];
        closeText(parts);
        for (const part of parts) controller.enqueue(part);
        controller.enqueue({ type: 'error', error: options.toError(error) });
        controller.enqueue({
          type: 'finish',
          finishReason: { unified: 'error', raw: undefined },
          usage: toAiSdkUsage(emptyUsage()),
        });
        controller.close();
      }
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}
