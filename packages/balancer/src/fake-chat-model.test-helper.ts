import {
  AbortedError,
  ApiCallError,
  type CallOptions,
  type ChatChunk,
  type ChatModel,
  type ChatModelCapabilities,
  type ChatRequest,
  type ChatResult,
  createUsage,
} from '@ballast/core';

/** What one call of a fake model does: answer text, throw, or wait first. */
export type FakeStep =
  | { text?: string; delayMs?: number; chunks?: number; failAfterChunks?: number }
  | { error: Error; delayMs?: number };

/** An in-process ChatModel for tests: scripted per call, honours abort. */
export interface FakeChatModel extends ChatModel {
  calls: number;
  active: number;
  maxActive: number;
}

export function fakeModel(
  modelId: string,
  script: (call: number) => FakeStep = () => ({ text: 'ok' }),
  options: { provider?: string; capabilities?: Partial<ChatModelCapabilities> } = {},
): FakeChatModel {
  const provider = options.provider ?? 'fake';
  const capabilities: ChatModelCapabilities = {
    tools: true,
    vision: false,
    jsonMode: true,
    jsonSchema: true,
    streaming: true,
    ...options.capabilities,
  };
  const result = (text: string, latencyMs: number): ChatResult => ({
    text,
    toolCalls: [],
    finishReason: { unified: 'stop', raw: 'stop' },
    usage: createUsage({ inputTokens: 10, outputTokens: 5 }),
    costUsd: 0.0001,
    latencyMs,
    provider,
    modelId,
    raw: undefined,
  });
  const wait = (ms: number, signal: AbortSignal | undefined) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(new AbortedError());
      const timer = setTimeout(resolve, ms);
      signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(new AbortedError());
      });
    });
  const model: FakeChatModel = {
    provider,
    modelId,
    capabilities,
    calls: 0,
    active: 0,
    maxActive: 0,
    async chat(_request: ChatRequest, callOptions?: CallOptions) {
      const step = script(model.calls++);
      model.active++;
      model.maxActive = Math.max(model.maxActive, model.active);
      try {
        if (step.delayMs) await wait(step.delayMs, callOptions?.signal);
        if ('error' in step) throw step.error;
        return result(step.text ?? 'ok', step.delayMs ?? 0);
      } finally {
        model.active--;
      }
    },
    async *stream(_request: ChatRequest, callOptions?: CallOptions): AsyncGenerator<ChatChunk> {
      const step = script(model.calls++);
      if (step.delayMs) await wait(step.delayMs, callOptions?.signal);
      if ('error' in step) throw step.error;
      const text = step.text ?? 'ok';
      const chunks = step.chunks ?? 2;
      for (let index = 0; index < chunks; index++) {
        if (step.failAfterChunks === index) throw serverError(provider, 'cut mid-stream');
        yield { type: 'text-delta', text: `${text}${index}` };
        await Promise.resolve();
      }
      yield { type: 'finish', result: result(text, 0) };
    },
  };
  return model;
}

export function serverError(provider = 'fake', message = 'boom', retryAfterMs?: number): ApiCallError {
  return new ApiCallError({
    message,
    code: 'server_error',
    provider,
    statusCode: 500,
    isRetryable: true,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}

export function rateLimited(retryAfterMs?: number): ApiCallError {
  return new ApiCallError({
    message: 'slow down',
    code: 'rate_limited',
    provider: 'fake',
    statusCode: 429,
    isRetryable: true,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}

export function authError(): ApiCallError {
  return new ApiCallError({
    message: 'bad key',
    code: 'authentication_failed',
    provider: 'fake',
    statusCode: 401,
    isRetryable: false,
    isTargetUnavailable: true,
  });
}

export function badRequest(): ApiCallError {
  return new ApiCallError({
    message: 'context too long',
    code: 'context_length_exceeded',
    provider: 'fake',
    statusCode: 400,
    isRetryable: false,
  });
}

/** A manual clock. */
export function manualClock(start = 1_700_000_000_000) {
  let time = start;
  return {
    now: () => time,
    advance: (ms: number) => {
      time += ms;
    },
  };
}

/** A deterministic RNG (mulberry32). */
export function seededRandom(seed = 42): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A promise the test resolves by hand (`open()`), so the order of events never depends on the clock. */
export function gate(): { until: Promise<void>; open: () => void } {
  let open: () => void = () => {};
  const until = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { until, open };
}
