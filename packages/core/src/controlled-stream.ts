import { abortGraceMs, createCallControl, settledWithin } from './call-control';
import type { CallOptions } from './chat-request';
import type { ChatChunk, ChatResult } from './chat-result';
import { ApiCallError } from './errors/api-call-error';
import { BallastError } from './errors/ballast-error';

/**
 * Runs a provider stream under the call's abort signal and timeout, converts every failure into a
 * Ballast error, aborts the HTTP request when the consumer stops early, and guarantees the
 * contract: the stream ends with exactly one `finish` chunk, or throws. A provider stream that
 * stops without finishing (a cut connection) becomes a retryable `invalid_response` error.
 *
 * @example
 * ```ts
 * stream(request, options) {
 *   return runControlledStream(options, { provider, modelId }, (signal) => this.produceChunks(request, signal), toError);
 * }
 * ```
 */
export async function* runControlledStream(
  options: CallOptions | undefined,
  context: { provider: string; modelId: string },
  produce: (signal: AbortSignal) => AsyncIterable<ChatChunk>,
  toError: (error: unknown) => BallastError,
): AsyncGenerator<ChatChunk, void, undefined> {
  const control = createCallControl(options);
  let iterator: AsyncIterator<ChatChunk> | undefined;
  let finished = false;
  try {
    iterator = produce(control.signal)[Symbol.asyncIterator]();
    while (true) {
      const next = await Promise.race([iterator.next(), control.aborted]);
      if (next.done) break;
      if (next.value.type === 'finish') {
        finished = true;
        yield next.value;
        break;
      }
      yield next.value;
    }
    if (!finished) {
      throw new ApiCallError({
        message: `${context.provider}:${context.modelId} stream ended before the provider finished the answer`,
        code: 'invalid_response',
        provider: context.provider,
        modelId: context.modelId,
        isRetryable: true,
      });
    }
  } catch (error) {
    throw control.failure() ?? (BallastError.isInstance(error) ? error : toError(error));
  } finally {
    if (!finished && !control.failure()) control.cancel();
    control.dispose();
    // Release the HTTP response (the provider iterator may already be closed), and end only once it
    // is released, so a router that counts streams in flight never sees a closed stream still open
    // at the server. Bounded: a provider iterator that never returns cannot hold the stream open.
    const released = iterator?.return?.();
    if (released) await settledWithin(released, abortGraceMs);
  }
}

/**
 * Reads a stream to its end and returns the final result (the `finish` chunk).
 *
 * @example
 * ```ts
 * const result = await collectStream(model.stream(request));
 * ```
 */
export async function collectStream(stream: AsyncIterable<ChatChunk>): Promise<ChatResult> {
  for await (const chunk of stream) {
    if (chunk.type === 'finish') return chunk.result;
  }
  throw new BallastError({
    message: 'The stream ended without a result',
    code: 'invalid_response',
    isRetryable: true,
  });
}
