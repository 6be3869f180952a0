/** A tool call the fake model makes, in provider-neutral form. */
export interface ScriptedToolCall {
  /** Call id; the fake generates one in the provider's style when omitted (Ollama sends none). */
  id?: string;
  name: string;
  /** An object, or a raw string to send as-is (to script malformed arguments). */
  arguments: Record<string, unknown> | string;
}

/** Token counts the fake reports. */
export interface ScriptedUsage {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens?: number;
  reasoningTokens?: number;
}

/** Why the fake model stopped, in neutral terms; each dialect renders its own wire value. */
export type ScriptedFinish = 'stop' | 'length' | 'tool_calls' | 'content_filter';

/**
 * A fault to inject instead of (or before) a normal answer:
 * - `status`: an HTTP error with the provider's realistic error body (override with `body`);
 * - `delay`: wait, then answer normally;
 * - `hold`: wait until `until` settles, then answer normally (a test decides when, no timers);
 * - `hang`: accept the request and never answer;
 * - `reset`: destroy the connection without a response;
 * - `malformed-json`: a 200 whose body is not valid JSON (for streams: a broken event);
 * - `cut-stream`: send `afterChunks` stream events (or half the JSON body), then drop the connection;
 * - `end-stream-early`: send `afterChunks` events, then close the response cleanly, unfinished.
 */
export type Fault =
  | {
      type: 'status';
      status: number;
      message?: string;
      code?: string;
      body?: unknown;
      retryAfter?: string;
      headers?: Record<string, string>;
    }
  | { type: 'delay'; ms: number }
  | { type: 'hold'; until: Promise<unknown> }
  | { type: 'hang' }
  | { type: 'reset' }
  | { type: 'malformed-json' }
  | { type: 'cut-stream'; afterChunks: number }
  | { type: 'end-stream-early'; afterChunks: number };

/**
 * One scripted answer of a fake server. Everything is optional: an empty reply answers `"OK"`.
 *
 * @example
 * ```ts
 * fake.enqueue({ text: 'Hello!' });
 * fake.enqueue({ toolCalls: [{ name: 'get_weather', arguments: { city: 'Oslo' } }] });
 * fake.enqueue({ fault: { type: 'status', status: 429, retryAfter: '1' } });
 * ```
 */
export interface ScriptedReply {
  text?: string;
  toolCalls?: ScriptedToolCall[];
  /** Defaults to `tool_calls` when there are tool calls, else `stop`. */
  finish?: ScriptedFinish;
  /** Defaults to a count derived from the request and answer sizes. */
  usage?: ScriptedUsage;
  /** Characters of text per stream event. Default 4. */
  chunkSize?: number;
  /** Milliseconds between stream events. Default 0. */
  chunkDelayMs?: number;
  fault?: Fault;
}

/** A request the fake received, kept for assertions. */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body (or `undefined` when it was not JSON). */
  body: unknown;
  receivedAt: number;
}

/** Computes a reply from the request; used when the script queue is empty. */
export type Responder = (request: ReceivedRequest) => ScriptedReply;
