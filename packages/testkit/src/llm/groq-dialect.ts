import type { WireDialect } from './dialect';
import { type FakeLlmServer, type FakeLlmServerOptions, startFakeLlmServer } from './fake-llm-server';
import { openaiDialect } from './openai-dialect';

/**
 * Groq's dialect of the OpenAI format (`POST /openai/v1/chat/completions`): identical, except that
 * streams report usage in `x_groq.usage` on the chunk that carries `finish_reason`, and its error
 * codes include `tool_use_failed` (with `failed_generation`) and `model_decommissioned`.
 */
export const groqDialect: WireDialect = {
  ...openaiDialect,
  name: 'groq',
  renderStream(reply, request, usage) {
    const rendered = openaiDialect.renderStream(reply, request, usage);
    const frames = rendered.frames.map((frame) => {
      if (!frame.startsWith('data: {') || !frame.includes('"finish_reason":"')) return frame;
      const chunk = JSON.parse(frame.slice('data: '.length)) as Record<string, unknown>;
      chunk.x_groq = {
        id: 'req_fake',
        usage: {
          queue_time: 0.01,
          prompt_tokens: usage.inputTokens,
          prompt_time: 0.001,
          completion_tokens: usage.outputTokens,
          completion_time: 0.01,
          total_tokens: usage.inputTokens + usage.outputTokens,
          total_time: 0.011,
        },
      };
      return `data: ${JSON.stringify(chunk)}\n\n`;
    });
    return { ...rendered, frames };
  },
  renderError(status, message, code) {
    if (code === 'tool_use_failed') {
      return {
        body: {
          error: {
            message:
              message ??
              "Failed to call a function. Please adjust your prompt. See 'failed_generation' for more details.",
            type: 'invalid_request_error',
            code,
            failed_generation: '<function=get_load{"node": "pve1"}</function>',
          },
        },
      };
    }
    if (code === 'model_decommissioned') {
      return {
        body: {
          error: {
            message:
              message ?? 'The model `mixtral-8x7b-32768` has been decommissioned and is no longer supported.',
            type: 'invalid_request_error',
            code,
          },
        },
      };
    }
    return openaiDialect.renderError(status, message, code);
  },
};

/**
 * Starts a fake Groq API on 127.0.0.1; point `groq-sdk` at `fake.url` (it adds `/openai/v1`).
 *
 * @example
 * ```ts
 * const fake = await startFakeGroq();
 * fake.enqueue({ fault: { type: 'status', status: 400, code: 'tool_use_failed' } });
 * const model = createGroq({ apiKey: 'test', baseURL: fake.url }).chatModel('llama-3.3-70b-versatile');
 * ```
 */
export function startFakeGroq(options?: FakeLlmServerOptions): Promise<FakeLlmServer> {
  return startFakeLlmServer(groqDialect, options);
}
