import type { z } from 'zod';

/** A JSON Schema object, as sent to providers for tool parameters and structured output. */
export type JsonSchema = Record<string, unknown>;

/** A schema given either as zod (converted with `z.toJSONSchema`) or as plain JSON Schema. */
export type SchemaInput = z.ZodType | JsonSchema;

/** Text or an image inside a user message. Images are a URL or base64 data. */
export type UserContentPart =
  | { type: 'text'; text: string }
  | { type: 'image'; url: string }
  | { type: 'image'; data: string; mediaType: string };

/** A tool call the model asked for, normalized across providers. */
export interface ToolCall {
  /** The provider's call id, or a synthesized `call_<n>` where the provider sends none (Ollama). */
  id: string;
  name: string;
  /** Parsed arguments. `{}` when the provider sent none or sent malformed JSON (see `argumentsError`). */
  arguments: Record<string, unknown>;
  /** Arguments exactly as the provider sent them (a JSON string). */
  rawArguments: string;
  /** Set when `rawArguments` was not a JSON object: the model produced a broken call. */
  argumentsError?: string;
}

/** The system prompt. Anthropic receives it as the top-level `system` field. */
export interface SystemMessage {
  role: 'system';
  content: string;
}

/** What the user said: text, or text and images. */
export interface UserMessage {
  role: 'user';
  content: string | UserContentPart[];
}

/** A previous model turn, including the tool calls it made. */
export interface AssistantMessage {
  role: 'assistant';
  content: string;
  toolCalls?: ToolCall[];
}

/** The result of running a tool, sent back to the model. */
export interface ToolMessage {
  role: 'tool';
  toolCallId: string;
  toolName: string;
  content: string;
  isError?: boolean;
}

/** One message of a conversation. */
export type ChatMessage = SystemMessage | UserMessage | AssistantMessage | ToolMessage;

/** A tool the model may call. */
export interface ToolDefinition {
  /** `[a-zA-Z0-9_-]{1,64}`, the strictest rule among providers. */
  name: string;
  description?: string;
  /** Parameters as a zod schema or JSON Schema object. */
  parameters: SchemaInput;
}

/** Whether and which tool the model must call. */
export type ToolChoice = 'auto' | 'none' | 'required' | { name: string };

/**
 * What the model should answer with. `json` with a `schema` uses the provider's native structured
 * output where it has one; `json` alone asks for any JSON object.
 */
export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json'; schema?: SchemaInput; name?: string; description?: string };

/**
 * One chat call, provider-neutral.
 *
 * @example
 * ```ts
 * const request: ChatRequest = {
 *   messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hello' }],
 *   temperature: 0.2,
 *   maxTokens: 200,
 * };
 * ```
 */
export interface ChatRequest {
  messages: ChatMessage[];
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  responseFormat?: ResponseFormat;
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  stopSequences?: string[];
  seed?: number;
}

/** Per-call options every `ChatModel` honours. */
export interface CallOptions {
  /** Cancels the call. The promise rejects with `AbortedError`; streams end with it. */
  signal?: AbortSignal;
  /** Deadline for the whole call (for streams: until the last chunk). Rejects with `TimeoutError`. */
  timeoutMs?: number;
  /** Extra HTTP headers for this call only. */
  headers?: Record<string, string>;
}
