import type { ToolCall } from './chat-request';
import { DEFAULT_MAX_TOOL_ARGUMENTS_LENGTH } from './input-limits';

/**
 * Normalizes tool-call arguments from any provider: OpenAI and Groq send a JSON string (which a
 * model can break), Anthropic and Ollama send an object. Never throws: a broken string is kept
 * in `rawArguments` and explained in `argumentsError`. A string longer than `maxLength` (default
 * {@link DEFAULT_MAX_TOOL_ARGUMENTS_LENGTH}) is not parsed; `rawArguments` keeps its first
 * 1 000 characters and `argumentsError` says why.
 *
 * @example
 * ```ts
 * parseToolArguments('{"city":"Oslo"}'); // { arguments: { city: 'Oslo' }, rawArguments: '{"city":"Oslo"}' }
 * ```
 */
export function parseToolArguments(
  input: unknown,
  options: { maxLength?: number | undefined } = {},
): Pick<ToolCall, 'arguments' | 'rawArguments' | 'argumentsError'> {
  if (input === undefined || input === null || input === '') return { arguments: {}, rawArguments: '' };
  const maxLength = options.maxLength ?? DEFAULT_MAX_TOOL_ARGUMENTS_LENGTH;
  if (typeof input === 'string' && input.length > maxLength) {
    return {
      arguments: {},
      rawArguments: input.slice(0, 1_000),
      argumentsError: `arguments are ${input.length} characters, over the limit of ${maxLength}`,
    };
  }
  if (typeof input !== 'string') {
    if (isPlainObject(input)) return { arguments: input, rawArguments: JSON.stringify(input) };
    return {
      arguments: {},
      rawArguments: JSON.stringify(input),
      argumentsError: 'arguments are not a JSON object',
    };
  }
  try {
    const parsed: unknown = JSON.parse(input);
    if (isPlainObject(parsed)) return { arguments: parsed, rawArguments: input };
    return { arguments: {}, rawArguments: input, argumentsError: 'arguments are not a JSON object' };
  } catch (error) {
    return {
      arguments: {},
      rawArguments: input,
      argumentsError: `arguments are not valid JSON: ${(error as Error).message}`,
    };
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
