import type { ToolCall } from './chat-request';

/**
 * Normalizes tool-call arguments from any provider: OpenAI and Groq send a JSON string (which a
 * model can break), Anthropic and Ollama send an object. Never throws: a broken string is kept
 * in `rawArguments` and explained in `argumentsError`.
 *
 * @example
 * ```ts
 * parseToolArguments('{"city":"Oslo"}'); // { arguments: { city: 'Oslo' }, rawArguments: '{"city":"Oslo"}' }
 * ```
 */
export function parseToolArguments(
  input: unknown,
): Pick<ToolCall, 'arguments' | 'rawArguments' | 'argumentsError'> {
  if (input === undefined || input === null || input === '') return { arguments: {}, rawArguments: '' };
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
