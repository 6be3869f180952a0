import type { ChatModelCapabilities } from './chat-model';
import type { ChatMessage, ChatRequest, JsonSchema } from './chat-request';
import type { ChatChunk, ChatResult } from './chat-result';
import { toJsonSchema } from './json-schema';

/**
 * How a model is asked to answer with JSON, strongest first:
 * - `json-schema`: the provider's native structured output (OpenAI `json_schema`, Ollama `format`);
 * - `tool`: a forced call of one tool whose parameters are the schema (Anthropic, Groq);
 * - `json`: JSON mode plus the schema in the system prompt;
 * - `text`: the schema in the system prompt, JSON extracted from the prose.
 */
export type StructuredOutputMode = 'json-schema' | 'tool' | 'json' | 'text';

/**
 * The strongest {@link StructuredOutputMode} a model with these capabilities supports.
 *
 * @example
 * ```ts
 * structuredOutputModeFor({ tools: true, vision: true, jsonMode: false, jsonSchema: false, streaming: true }); // 'tool'
 * ```
 */
export function structuredOutputModeFor(capabilities: ChatModelCapabilities): StructuredOutputMode {
  if (capabilities.jsonSchema) return 'json-schema';
  if (capabilities.tools) return 'tool';
  if (capabilities.jsonMode) return 'json';
  return 'text';
}

/** The system instruction that carries a schema when the provider cannot take it natively. */
export function schemaInstruction(jsonSchema: JsonSchema): string {
  return `Answer with one JSON value that matches this JSON Schema, and nothing else:\n${JSON.stringify(jsonSchema)}`;
}

/** The system instruction for JSON mode without a schema on a provider that has no JSON mode. */
export const anyJsonInstruction = 'Answer with one JSON object and nothing else.';

/**
 * A request rewritten for one model, and what is needed to read its answer back as JSON text.
 * `mode` is `undefined` when the request asks for no JSON at all (then nothing was changed).
 */
export interface StructuredRequest {
  request: ChatRequest;
  mode: StructuredOutputMode | undefined;
  /** In `tool` mode: the name of the forced tool whose arguments are the answer. */
  toolName?: string;
}

/**
 * Rewrites a request whose `responseFormat` asks for JSON into the strongest form that one model
 * supports, so every model can serve it: a router decides this per attempt, for the target it is
 * about to call, instead of sending a `json_schema` request only where it is native.
 *
 * - With a schema: native `json-schema` when the model has it; else a forced tool whose parameters
 *   are the schema (only when the request has no tools of its own, which a forced call would
 *   shadow); else JSON mode or plain text, with the schema in the system prompt.
 * - Without a schema (`{ type: 'json' }`): JSON mode where native, else an instruction.
 *
 * The request is returned unchanged (same object) when it asks for no JSON or the model serves it
 * natively, so the common path allocates nothing. Read the answer with
 * {@link restoreStructuredResult} / {@link restoreStructuredStream}.
 *
 * @example
 * ```ts
 * const prepared = prepareStructuredRequest(request, anthropicModel.capabilities);
 * const result = restoreStructuredResult(await anthropicModel.chat(prepared.request), prepared);
 * JSON.parse(result.text); // the forced tool's arguments
 * ```
 */
export function prepareStructuredRequest(
  request: ChatRequest,
  capabilities: ChatModelCapabilities,
): StructuredRequest {
  const format = request.responseFormat;
  if (format?.type !== 'json') return { request, mode: undefined };
  if (format.schema === undefined) {
    if (capabilities.jsonMode || capabilities.jsonSchema) return { request, mode: 'json' };
    return { request: withInstruction(withoutResponseFormat(request), anyJsonInstruction), mode: 'text' };
  }
  const hasOwnTools = (request.tools?.length ?? 0) > 0;
  const mode = structuredOutputModeFor(hasOwnTools ? { ...capabilities, tools: false } : capabilities);
  if (mode === 'json-schema') return { request, mode };
  const jsonSchema = toJsonSchema(format.schema);
  if (mode === 'tool') {
    const toolName = format.name ?? 'response';
    const forced: ChatRequest = {
      ...withoutResponseFormat(request),
      tools: [
        {
          name: toolName,
          parameters: jsonSchema,
          ...(format.description === undefined ? {} : { description: format.description }),
        },
      ],
      toolChoice: { name: toolName },
    };
    return { request: forced, mode, toolName };
  }
  const instructed = withInstruction(withoutResponseFormat(request), schemaInstruction(jsonSchema));
  if (mode === 'json') instructed.responseFormat = { type: 'json' };
  return { request: instructed, mode };
}

/**
 * Reads a result of a {@link prepareStructuredRequest} request back as if the model had answered
 * natively: in `tool` mode the forced call's arguments become `text` and the call is removed.
 * Sets `structuredOutputMode` so callers can tell which mode served the answer.
 *
 * @example
 * ```ts
 * const result = restoreStructuredResult(await model.chat(prepared.request), prepared);
 * result.structuredOutputMode; // 'tool'
 * ```
 */
export function restoreStructuredResult(result: ChatResult, prepared: StructuredRequest): ChatResult {
  if (prepared.mode === undefined) return result;
  if (prepared.mode !== 'tool') return { ...result, structuredOutputMode: prepared.mode };
  const forced = result.toolCalls.find((call) => call.name === prepared.toolName);
  if (!forced) return { ...result, structuredOutputMode: 'tool' };
  return {
    ...result,
    text: forced.rawArguments,
    toolCalls: result.toolCalls.filter((call) => call !== forced),
    finishReason:
      result.finishReason.unified === 'tool-calls'
        ? { ...result.finishReason, unified: 'stop' }
        : result.finishReason,
    structuredOutputMode: 'tool',
  };
}

/**
 * The stream form of {@link restoreStructuredResult}: in `tool` mode, argument deltas of the forced
 * call arrive as `text-delta` chunks and the finished call is not emitted as a tool call.
 *
 * @example
 * ```ts
 * for await (const chunk of restoreStructuredStream(model.stream(prepared.request), prepared)) {
 *   if (chunk.type === 'text-delta') process.stdout.write(chunk.text); // the JSON, as it arrives
 * }
 * ```
 */
export async function* restoreStructuredStream(
  chunks: AsyncIterable<ChatChunk>,
  prepared: StructuredRequest,
): AsyncGenerator<ChatChunk, void, undefined> {
  if (prepared.mode !== 'tool') {
    for await (const chunk of chunks) {
      yield chunk.type === 'finish'
        ? { type: 'finish', result: restoreStructuredResult(chunk.result, prepared) }
        : chunk;
    }
    return;
  }
  // Indexes of the forced call's deltas; providers name a call on its first delta only.
  const forcedIndexes = new Set<number>();
  let streamedArguments = false;
  for await (const chunk of chunks) {
    if (chunk.type === 'tool-call-delta') {
      if (chunk.name === prepared.toolName) forcedIndexes.add(chunk.index);
      if (forcedIndexes.has(chunk.index)) {
        if (chunk.argumentsDelta.length > 0) {
          streamedArguments = true;
          yield { type: 'text-delta', text: chunk.argumentsDelta };
        }
        continue;
      }
    } else if (chunk.type === 'tool-call' && chunk.toolCall.name === prepared.toolName) {
      // Providers that send a call whole, without deltas (Ollama), still stream it as text.
      if (!streamedArguments) yield { type: 'text-delta', text: chunk.toolCall.rawArguments };
      continue;
    } else if (chunk.type === 'finish') {
      yield { type: 'finish', result: restoreStructuredResult(chunk.result, prepared) };
      continue;
    }
    yield chunk;
  }
}

function withoutResponseFormat(request: ChatRequest): ChatRequest {
  const { responseFormat: _dropped, ...rest } = request;
  return rest;
}

/** Appends an instruction to the leading system message, or adds one. */
function withInstruction(request: ChatRequest, instruction: string): ChatRequest {
  const [first, ...rest] = request.messages;
  const messages: ChatMessage[] =
    first?.role === 'system'
      ? [{ role: 'system', content: `${first.content}\n\n${instruction}` }, ...rest]
      : [{ role: 'system', content: instruction }, ...request.messages];
  return { ...request, messages };
}
