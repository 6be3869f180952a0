import type { CallOptions, ChatRequest } from './chat-request';
import type { ChatChunk, ChatResult } from './chat-result';

/** What a model can do; routers use it to send a request only where it can be served. */
export interface ChatModelCapabilities {
  tools: boolean;
  vision: boolean;
  /** Accepts "answer with any JSON object" (OpenAI `json_object`, Ollama `format: "json"`). */
  jsonMode: boolean;
  /** Accepts a JSON Schema and constrains its output to it. */
  jsonSchema: boolean;
  streaming: boolean;
}

/**
 * The one contract every provider adapter, the balancer and every advisor share. Anything in
 * Ballast that takes a model takes a `ChatModel`, so a balancer nests wherever one provider fits.
 *
 * Implementations must: honour `signal` and `timeoutMs`, throw only Ballast errors, fill
 * `usage`/`costUsd`/`latencyMs`, and end every stream with one `finish` chunk or an error.
 *
 * @example
 * ```ts
 * const result = await model.chat({ messages: [{ role: 'user', content: 'Hello' }] }, { timeoutMs: 10_000 });
 * for await (const chunk of model.stream({ messages })) if (chunk.type === 'text-delta') process.stdout.write(chunk.text);
 * ```
 */
export interface ChatModel {
  /** Provider name, e.g. `openai`, `anthropic`, `ollama`, `groq`, or a custom OpenAI-compatible name. */
  readonly provider: string;
  /** The model id as configured, e.g. `gpt-4o-mini`. Never a hard-coded default. */
  readonly modelId: string;
  readonly capabilities: ChatModelCapabilities;
  chat(request: ChatRequest, options?: CallOptions): Promise<ChatResult>;
  stream(request: ChatRequest, options?: CallOptions): AsyncIterable<ChatChunk>;
}
