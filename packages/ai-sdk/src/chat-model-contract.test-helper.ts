import {
  AbortedError,
  ApiCallError,
  type ChatChunk,
  type ChatModel,
  type ChatRequest,
  TimeoutError,
} from '@ballast/core';
import { type FakeLlmServer, startFakeOpenAI } from '@ballast/testkit';
import { describe, expect, it } from 'vitest';

/** How the contract reaches one implementation: a model talking to a fake OpenAI server. */
export interface ContractSubject {
  /** The fake every call of `model()` ends up at. */
  fake: () => FakeLlmServer;
  model: () => ChatModel;
  /** The same implementation in front of another fake. */
  modelFor: (fake: FakeLlmServer) => ChatModel;
}

const ask: ChatRequest = { messages: [{ role: 'user', content: 'Hello' }] };

/**
 * The `ChatModel` contract (see `@ballast/core`'s `ChatModel`), run against one implementation:
 * results are filled, streams end with exactly one `finish` chunk, `signal` and `timeoutMs` are
 * honoured with Ballast errors, HTTP failures are `ApiCallError`s with their status, and a
 * consumer that stops early releases the upstream request.
 */
export function describeChatModelContract(name: string, subject: ContractSubject): void {
  describe(`ChatModel contract: ${name}`, () => {
    it('chat fills text, finish reason, usage, latency, provider and model', async () => {
      subject.fake().enqueue({ text: 'contract answer', usage: { inputTokens: 4, outputTokens: 2 } });
      const result = await subject.model().chat(ask);
      expect(result.text).toBe('contract answer');
      expect(result.finishReason.unified).toBe('stop');
      expect(result.usage).toMatchObject({ inputTokens: 4, outputTokens: 2, totalTokens: 6 });
      expect(result.latencyMs).toBeGreaterThanOrEqual(0);
      expect(result.provider).toBe(subject.model().provider);
      expect(result.modelId).toBe(subject.model().modelId);
    });

    it('a stream ends with exactly one finish chunk, whose text is the deltas', async () => {
      subject.fake().enqueue({ text: 'streamed contract answer', chunkSize: 3 });
      const chunks: ChatChunk[] = [];
      for await (const chunk of subject.model().stream(ask)) chunks.push(chunk);
      const finishes = chunks.filter((chunk) => chunk.type === 'finish');
      expect(finishes).toHaveLength(1);
      expect(chunks.at(-1)).toBe(finishes[0]);
      const deltas = chunks.flatMap((chunk) => (chunk.type === 'text-delta' ? [chunk.text] : [])).join('');
      expect(deltas).toBe('streamed contract answer');
      expect(finishes[0]?.type === 'finish' && finishes[0].result.text).toBe(deltas);
    });

    it('an abort through the signal rejects with AbortedError and closes the request', async () => {
      subject.fake().enqueue({ fault: { type: 'hang' } });
      const controller = new AbortController();
      const pending = subject.model().chat(ask, { signal: controller.signal });
      await expect.poll(() => subject.fake().inFlight, { timeout: 15_000 }).toBe(1);
      controller.abort();
      await expect(pending).rejects.toSatisfy(AbortedError.isInstance);
      await subject.fake().whenIdle();
    });

    it('timeoutMs rejects with TimeoutError', async () => {
      // A fake of its own, closed afterwards: on a loaded machine the deadline may pass while the
      // request is still on its way, and a late request must not take the next test's reply.
      const hung = await startFakeOpenAI({ responder: () => ({ fault: { type: 'hang' } }) });
      try {
        await expect(subject.modelFor(hung).chat(ask, { timeoutMs: 50 })).rejects.toSatisfy(
          TimeoutError.isInstance,
        );
      } finally {
        await hung.close();
      }
    });

    it('an HTTP failure is an ApiCallError with its status and retry flag', async () => {
      subject.fake().enqueue({ fault: { type: 'status', status: 503 } });
      const error = await subject
        .model()
        .chat(ask)
        .catch((caught: unknown) => caught);
      expect(ApiCallError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ statusCode: 503, isRetryable: true });
    });

    it('a consumer that stops reading early releases the upstream request', async () => {
      // 1 000 chunks, 200 ms apart: minutes of streaming unless the request is released.
      subject.fake().enqueue({ text: 'ab'.repeat(1_000), chunkSize: 2, chunkDelayMs: 200 });
      for await (const chunk of subject.model().stream(ask)) {
        if (chunk.type === 'text-delta') break;
      }
      await subject.fake().whenIdle();
      expect(subject.fake().inFlight).toBe(0);
    });
  });
}
