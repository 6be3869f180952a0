import type { ServerResponse } from 'node:http';
import {
  AbortedError,
  ApiCallError,
  apiCallErrorFromResponse,
  BallastError,
  describeNetworkFailure,
  isNetworkFailure,
  type OpenAIFormatUsage,
  TimeoutError,
} from '@ballast/core';
import { AttemptCancellation, type CancellationSignal } from './attempt-cancellation';
import type { PassThroughClient, UpstreamAnswer } from './pass-through-upstream';
import { createSseRelay } from './sse-relay';

/** Largest upstream error body read (the rest is dropped): enough for any real error JSON. */
const maxErrorBodyBytes = 65_536;

/** What one attempt against one upstream needs. */
export interface AttemptInput {
  client: PassThroughClient;
  provider: string;
  modelId: string;
  body: Buffer;
  stream: boolean;
  /** Drop the usage-only event the gateway asked for on the client's behalf. */
  dropUsageEvent: boolean;
  /** The client's disconnect (or the server's shutdown). */
  signal: AbortSignal;
  /** Until the whole answer (JSON) or the first event (stream). */
  firstByteTimeoutMs: number;
  /** Until the stream's end, from the start of the attempt. */
  totalTimeoutMs: number;
  secrets: ReadonlyArray<string | undefined>;
  /** Writes the response head once the attempt commits (the first event or the whole JSON is in hand). */
  commit: (contentType: string, contentLength: number | undefined) => ServerResponse;
}

/** How an attempt ended. */
export type AttemptOutcome =
  /** Nothing reached the client: the caller may fail over. */
  | { kind: 'failed'; error: BallastError; durationMs: number }
  /** The answer was relayed whole. */
  | {
      kind: 'served';
      durationMs: number;
      ttftMs: number | undefined;
      usage: OpenAIFormatUsage | undefined;
    }
  /** The stream broke after its first event: the client got an SSE `error` event. */
  | { kind: 'broken'; error: BallastError; durationMs: number; ttftMs: number }
  /** The client went away (or the server shut down) mid-answer; the upstream call was aborted. */
  | { kind: 'cancelled'; durationMs: number };

/**
 * One pass-through attempt: send the body, and either relay the answer (committing the response
 * at the first event, so anything that fails before it stays invisible to the client and can be
 * failed over) or report why nothing was sent. Aborting `signal` aborts the upstream request.
 */
export async function runPassThroughAttempt(input: AttemptInput): Promise<AttemptOutcome> {
  const startedAt = performance.now();
  const elapsed = () => performance.now() - startedAt;
  const controller = new AttemptCancellation();
  const onCancel = () => controller.abort(new AbortedError({ message: 'The client disconnected' }));
  if (input.signal.aborted) return { kind: 'cancelled', durationMs: 0 };
  input.signal.addEventListener('abort', onCancel, { once: true });
  let timer = setTimeout(
    () => controller.abort(new TimeoutError({ timeoutMs: input.firstByteTimeoutMs })),
    input.firstByteTimeoutMs,
  );
  const failure = (error: unknown): AttemptOutcome =>
    input.signal.aborted
      ? { kind: 'cancelled', durationMs: elapsed() }
      : { kind: 'failed', error: toAttemptError(error, controller, input), durationMs: elapsed() };
  try {
    let answer: UpstreamAnswer;
    try {
      answer = await input.client.send(input.body, controller);
    } catch (error) {
      return failure(error);
    }
    if (answer.statusCode < 200 || answer.statusCode >= 300) {
      const text = await readCapped(answer, maxErrorBodyBytes).catch(() => '');
      return {
        kind: 'failed',
        error: apiCallErrorFromResponse({
          provider: input.provider,
          modelId: input.modelId,
          statusCode: answer.statusCode,
          headers: answer.headers as Record<string, string | string[] | undefined>,
          body: text,
          url: input.client.url,
          secrets: input.secrets,
        }),
        durationMs: elapsed(),
      };
    }
    const contentType = headerText(answer.headers['content-type']);
    if (!input.stream) {
      let bytes: Buffer;
      try {
        bytes = await readAll(answer);
      } catch (error) {
        return failure(error);
      }
      let usage: OpenAIFormatUsage | undefined;
      try {
        // One parse of the whole answer: it checks the body is complete JSON (a cut body fails
        // over instead of reaching the client) and yields the token counts.
        const parsed = JSON.parse(bytes.toString('utf8')) as { usage?: OpenAIFormatUsage; choices?: unknown };
        if (!Array.isArray(parsed.choices)) throw new Error('no choices');
        usage = parsed.usage ?? undefined;
      } catch {
        return failure(invalidResponse(input, 'The upstream answer is not a chat completion'));
      }
      if (input.signal.aborted) return { kind: 'cancelled', durationMs: elapsed() };
      input.commit(contentType ?? 'application/json', bytes.length).end(bytes);
      return { kind: 'served', durationMs: elapsed(), ttftMs: undefined, usage };
    }
    return await relayStream(input, answer, controller, contentType, startedAt, () => {
      clearTimeout(timer);
      const left = input.totalTimeoutMs - elapsed();
      timer = setTimeout(
        () => controller.abort(new TimeoutError({ timeoutMs: input.totalTimeoutMs })),
        Math.max(0, left),
      );
    });
  } finally {
    clearTimeout(timer);
    input.signal.removeEventListener('abort', onCancel);
  }
}

/** Relays SSE bytes as they arrive; commits the response at the first complete event. */
function relayStream(
  input: AttemptInput,
  answer: UpstreamAnswer,
  controller: AttemptCancellation,
  contentType: string | undefined,
  startedAt: number,
  onFirstEvent: () => void,
): Promise<AttemptOutcome> {
  const relay = createSseRelay({ dropUsageEvent: input.dropUsageEvent });
  const body = answer.body;
  let outgoing: ServerResponse | undefined;
  let ttftMs = 0;
  return new Promise<AttemptOutcome>((resolve) => {
    let settled = false;
    const settle = (outcome: AttemptOutcome) => {
      if (settled) return;
      settled = true;
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', onError);
      body.off('close', onClose);
      outgoing?.off('drain', onDrain);
      resolve(outcome);
    };
    const onDrain = () => body.resume();
    const onData = (chunk: Buffer) => {
      const out = relay.push(chunk);
      if (!out) return;
      if (!outgoing) {
        if (relay.upstreamError !== undefined) {
          // An error event before any content: nothing was sent yet, so it is a plain failure.
          body.destroy();
          settle({
            kind: 'failed',
            error: inStreamError(input, relay.upstreamError),
            durationMs: performance.now() - startedAt,
          });
          return;
        }
        ttftMs = performance.now() - startedAt;
        onFirstEvent();
        outgoing = input.commit(contentType ?? 'text/event-stream; charset=utf-8', undefined);
        outgoing.on('drain', onDrain);
      }
      if (!outgoing.write(out)) body.pause();
    };
    const onEnd = () => {
      const rest = relay.flush();
      if (rest && outgoing) outgoing.write(rest);
      const durationMs = performance.now() - startedAt;
      if (!outgoing) {
        settle({
          kind: 'failed',
          error: invalidResponse(input, 'The upstream stream ended before its first event'),
          durationMs,
        });
        return;
      }
      if (relay.done && relay.upstreamError === undefined) {
        outgoing.end();
        settle({ kind: 'served', durationMs, ttftMs, usage: relay.usage });
        return;
      }
      const error =
        relay.upstreamError === undefined
          ? invalidResponse(input, 'The upstream stream ended without finishing')
          : inStreamError(input, relay.upstreamError);
      // An upstream error event was already relayed as it came; a silent cut gets one of ours.
      if (relay.upstreamError === undefined) outgoing.write(errorEvent(error));
      outgoing.end();
      settle({ kind: 'broken', error, durationMs, ttftMs });
    };
    const onError = (cause: Error) => {
      const durationMs = performance.now() - startedAt;
      if (input.signal.aborted) {
        settle({ kind: 'cancelled', durationMs });
        return;
      }
      const error = toAttemptError(cause, controller, input);
      if (!outgoing) {
        settle({ kind: 'failed', error, durationMs });
        return;
      }
      outgoing.end(errorEvent(error));
      settle({ kind: 'broken', error, durationMs, ttftMs });
    };
    // A body destroyed without an error (an abort of ours) only closes.
    const onClose = () => onError(new Error('The upstream stream closed'));
    body.on('data', onData);
    body.on('end', onEnd);
    body.on('error', onError);
    body.once('close', onClose);
  });
}

/** The SSE `error` event the `openai` SDK throws as an `APIError` (same shape as the SDK path's). */
function errorEvent(error: BallastError): string {
  const code = error.code === 'timeout' ? 'upstream_timeout' : 'upstream_error';
  const message =
    error.code === 'timeout'
      ? 'The upstream provider timed out mid-stream'
      : `The upstream stream failed (${error.code})`;
  return `data: ${JSON.stringify({ error: { code, message, type: 'upstream_error' } })}\n\n`;
}

function toAttemptError(error: unknown, attempt: CancellationSignal, input: AttemptInput): BallastError {
  // Our own abort: a deadline (TimeoutError) or the client (AbortedError).
  if (attempt.aborted && BallastError.isInstance(attempt.reason)) return attempt.reason;
  if (BallastError.isInstance(error)) return error;
  return apiCallErrorFromResponse({
    provider: input.provider,
    modelId: input.modelId,
    message: isNetworkFailure(error) ? describeNetworkFailure(error) : 'network failure',
    url: input.client.url,
    cause: error,
    secrets: input.secrets,
  });
}

function invalidResponse(input: AttemptInput, message: string): ApiCallError {
  return new ApiCallError({
    message: `${input.provider}:${input.modelId}: ${message}`,
    code: 'invalid_response',
    provider: input.provider,
    modelId: input.modelId,
    url: input.client.url,
    isRetryable: true,
  });
}

function inStreamError(input: AttemptInput, error: unknown): ApiCallError {
  return apiCallErrorFromResponse({
    provider: input.provider,
    modelId: input.modelId,
    body: { error },
    url: input.client.url,
    secrets: input.secrets,
  });
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function readAll(answer: UpstreamAnswer): Promise<Buffer> {
  // Events, not `for await`: a one-chunk answer (the usual case) then costs no extra promise hops.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    answer.body.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
    });
    let ended = false;
    answer.body.once('end', () => {
      ended = true;
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    });
    answer.body.once('error', reject);
    answer.body.once('close', () => {
      if (!ended) reject(new Error('The upstream answer was cut'));
    });
  });
}

async function readCapped(answer: UpstreamAnswer, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of answer.body as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= maxBytes) {
      answer.body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).toString('utf8').slice(0, maxBytes);
}
