import type { z } from 'zod';
import type { ChatModel } from './chat-model';
import type { CallOptions, ChatMessage, ChatRequest, ToolCall } from './chat-request';
import { addUsage, type ChatResult, emptyUsage, type Usage } from './chat-result';
import { findConflictingKeys, type JsonPath } from './conflicting-keys';
import { NoObjectGeneratedError, type ObjectAttempt } from './errors/no-object-generated-error';
import type { ValidationIssue } from './errors/validation-error';
import { safeExtractJson } from './extract-json';
import { toJsonSchema } from './json-schema';
import { type StructuredOutputMode, schemaInstruction, structuredOutputModeFor } from './structured-output';

/**
 * How `generateObject` asks for structure: one of the {@link StructuredOutputMode}s, or `auto`
 * (default), the strongest the model's capabilities allow. A balancer advertises `json-schema`
 * and adapts the request to each target it tries, so with a balancer `auto` reaches every target.
 */
export type ObjectMode = 'auto' | StructuredOutputMode;

/** Options of {@link generateObject}. */
export interface GenerateObjectOptions<Schema extends z.ZodType> {
  schema: Schema;
  /** A user prompt; appended after `messages` when both are given. */
  prompt?: string;
  messages?: ChatMessage[];
  system?: string;
  /** Name of the object, used as the schema or tool name (`[a-zA-Z0-9_-]`). */
  schemaName?: string;
  schemaDescription?: string;
  mode?: ObjectMode;
  /** How many times to re-ask with the validation errors after the first answer. Default 2. */
  maxRepairs?: number;
  temperature?: number;
  maxTokens?: number;
}

/** The validated object and what it took to get it. */
export interface GenerateObjectResult<T> {
  object: T;
  /** Number of model calls made (1 when the first answer was valid). */
  calls: number;
  /** The mode that served the accepted answer (a balancer reports its target's). */
  mode: StructuredOutputMode;
  /** Usage summed over every call. */
  usage: Usage;
  /** Cost summed over every call; `undefined` if any call's cost was unknown. */
  costUsd: number | undefined;
  /** The last model result (the one that produced `object`). */
  result: ChatResult;
  /** Answers refused before the accepted one, with the reasons. */
  rejectedAttempts: ObjectAttempt[];
}

/**
 * Asks a model for an object matching a zod schema and returns it only once it validates.
 *
 * Uses the provider's native structured output where it exists, falls back to JSON extraction
 * from prose, and re-asks up to `maxRepairs` times with the validation errors. Never returns a
 * made-up object: when every attempt fails it throws {@link NoObjectGeneratedError} listing them.
 * Errors of the model call itself (rate limits, timeouts) propagate unchanged.
 *
 * @example
 * ```ts
 * const { object } = await generateObject(model, {
 *   schema: z.object({ city: z.string(), population: z.number().int() }),
 *   prompt: 'Largest city in Norway?',
 * });
 * ```
 */
export async function generateObject<Schema extends z.ZodType>(
  model: ChatModel,
  options: GenerateObjectOptions<Schema>,
  callOptions?: CallOptions,
): Promise<GenerateObjectResult<z.output<Schema>>> {
  const mode = resolveMode(model, options.mode ?? 'auto');
  const maxRepairs = options.maxRepairs ?? 2;
  const jsonSchema = toJsonSchema(options.schema);
  const name = options.schemaName ?? 'result';
  const messages = initialMessages(options, mode, jsonSchema);
  const rejectedAttempts: ObjectAttempt[] = [];
  let usage = emptyUsage();
  let costUsd: number | undefined = 0;

  for (let call = 1; call <= maxRepairs + 1; call++) {
    const result = await model.chat(buildRequest(options, mode, messages, jsonSchema, name), callOptions);
    usage = addUsage(usage, result.usage);
    costUsd = costUsd === undefined || result.costUsd === undefined ? undefined : costUsd + result.costUsd;

    const toolCall =
      mode === 'tool' ? result.toolCalls.find((candidate) => candidate.name === name) : undefined;
    const answer = readAnswer(result, toolCall);
    const outcome = validate(options.schema, answer, toolCall, result);
    if (outcome.ok) {
      return {
        object: outcome.value as z.output<Schema>,
        calls: call,
        mode: result.structuredOutputMode ?? mode,
        usage,
        costUsd,
        result,
        rejectedAttempts,
      };
    }
    rejectedAttempts.push({ text: answer, issues: outcome.issues });
    messages.push(...repairMessages(toolCall, answer, outcome.issues));
  }

  throw new NoObjectGeneratedError({
    message: `${model.provider}:${model.modelId} gave no valid object in ${maxRepairs + 1} attempts; last problem: ${
      rejectedAttempts.at(-1)?.issues[0]?.message ?? 'unknown'
    }`,
    attempts: rejectedAttempts,
  });
}

function resolveMode(model: ChatModel, mode: ObjectMode): StructuredOutputMode {
  return mode === 'auto' ? structuredOutputModeFor(model.capabilities) : mode;
}

function initialMessages(
  options: GenerateObjectOptions<z.ZodType>,
  mode: StructuredOutputMode,
  jsonSchema: Record<string, unknown>,
): ChatMessage[] {
  const messages: ChatMessage[] = [];
  const instructions: string[] = [];
  if (options.system) instructions.push(options.system);
  if (mode === 'json' || mode === 'text') {
    instructions.push(schemaInstruction(jsonSchema));
  }
  if (instructions.length > 0) messages.push({ role: 'system', content: instructions.join('\n\n') });
  messages.push(...(options.messages ?? []));
  if (options.prompt !== undefined) messages.push({ role: 'user', content: options.prompt });
  return messages;
}

function buildRequest(
  options: GenerateObjectOptions<z.ZodType>,
  mode: StructuredOutputMode,
  messages: ChatMessage[],
  jsonSchema: Record<string, unknown>,
  name: string,
): ChatRequest {
  const request: ChatRequest = { messages: [...messages] };
  if (options.temperature !== undefined) request.temperature = options.temperature;
  if (options.maxTokens !== undefined) request.maxTokens = options.maxTokens;
  const description =
    options.schemaDescription === undefined ? {} : { description: options.schemaDescription };
  if (mode === 'json-schema')
    request.responseFormat = { type: 'json', schema: jsonSchema, name, ...description };
  if (mode === 'json') request.responseFormat = { type: 'json' };
  if (mode === 'tool') {
    request.tools = [{ name, parameters: jsonSchema, ...description }];
    request.toolChoice = { name };
  }
  return request;
}

function readAnswer(result: ChatResult, toolCall: ToolCall | undefined): string {
  return toolCall ? toolCall.rawArguments : result.text;
}

function validate(
  schema: z.ZodType,
  answer: string,
  toolCall: ToolCall | undefined,
  result: ChatResult,
): { ok: true; value: unknown } | { ok: false; issues: ValidationIssue[] } {
  let candidate: unknown;
  let conflicts: JsonPath[] = [];
  if (toolCall && !toolCall.argumentsError) {
    candidate = toolCall.arguments;
    conflicts = conflictingKeysOf(toolCall.rawArguments);
  } else {
    const extracted = safeExtractJson(answer);
    if (!extracted.ok) {
      const truncated =
        result.finishReason.unified === 'length' ? ' (the answer was cut off at maxTokens)' : '';
      return {
        ok: false,
        issues: [{ path: '(root)', message: `no JSON found in the answer${truncated}`, code: 'no_json' }],
      };
    }
    candidate = extracted.value;
    conflicts = extracted.conflictingKeys ?? [];
  }
  // JSON keeps the last of a repeated key silently; the model is asked again instead.
  if (conflicts.length > 0) {
    return {
      ok: false,
      issues: conflicts.map((path) => ({
        path: path.map(String).join('.') || '(root)',
        message: 'given more than once with different values; give it once',
        code: 'duplicate_key',
      })),
    };
  }
  const parsed = schema.safeParse(candidate);
  if (parsed.success) return { ok: true, value: parsed.data };
  return {
    ok: false,
    issues: parsed.error.issues.map((issue) => ({
      path: issue.path.map(String).join('.') || '(root)',
      message: issue.message,
      code: issue.code,
    })),
  };
}

/** Repeated keys of a tool call's raw arguments; none when the text is not plain JSON (it was repaired). */
function conflictingKeysOf(rawArguments: string): JsonPath[] {
  try {
    JSON.parse(rawArguments);
  } catch {
    return [];
  }
  return findConflictingKeys(rawArguments);
}

function repairMessages(
  toolCall: ToolCall | undefined,
  answer: string,
  issues: ValidationIssue[],
): ChatMessage[] {
  const problems = issues.map((issue) => `- ${issue.path}: ${issue.message}`).join('\n');
  const instruction = `Your answer did not match the required schema:\n${problems}\nAnswer again with the corrected JSON only.`;
  if (toolCall) {
    return [
      { role: 'assistant', content: '', toolCalls: [toolCall] },
      { role: 'tool', toolCallId: toolCall.id, toolName: toolCall.name, content: instruction, isError: true },
    ];
  }
  return [
    { role: 'assistant', content: answer },
    { role: 'user', content: instruction },
  ];
}
