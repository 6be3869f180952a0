import type {
  JSONSchema7,
  LanguageModelV3CallOptions,
  LanguageModelV3FunctionTool,
  LanguageModelV3Message,
  LanguageModelV3ToolChoice,
  LanguageModelV3ToolResultPart,
} from '@ai-sdk/provider';
import {
  type ChatMessage,
  type ChatRequest,
  type ToolChoice,
  toJsonSchema,
  type UserContentPart,
} from '@ballast/core';

/**
 * Converts a Ballast {@link ChatRequest} into AI SDK V3 call options: the prompt (consecutive
 * tool results folded into one `tool` message, as the spec wants), function tools with JSON
 * Schema parameters (zod schemas converted), tool choice, JSON response format and sampling
 * settings. The abort signal and headers are added by the caller.
 *
 * @example
 * ```ts
 * const options = callOptionsFromBallastRequest({ messages: [{ role: 'user', content: 'Hi' }], maxTokens: 100 });
 * await languageModel.doGenerate({ ...options, abortSignal });
 * ```
 */
export function callOptionsFromBallastRequest(request: ChatRequest): LanguageModelV3CallOptions {
  const options: LanguageModelV3CallOptions = { prompt: toPrompt(request.messages) };
  if (request.tools !== undefined && request.tools.length > 0) {
    options.tools = request.tools.map(
      (tool): LanguageModelV3FunctionTool => ({
        type: 'function',
        name: tool.name,
        inputSchema: toJsonSchema(tool.parameters) as JSONSchema7,
        ...(tool.description === undefined ? {} : { description: tool.description }),
      }),
    );
    if (request.toolChoice !== undefined) options.toolChoice = toToolChoice(request.toolChoice);
  }
  const format = request.responseFormat;
  if (format?.type === 'json') {
    options.responseFormat = {
      type: 'json',
      ...(format.schema === undefined ? {} : { schema: toJsonSchema(format.schema) as JSONSchema7 }),
      ...(format.name === undefined ? {} : { name: format.name }),
      ...(format.description === undefined ? {} : { description: format.description }),
    };
  }
  if (request.temperature !== undefined) options.temperature = request.temperature;
  if (request.topP !== undefined) options.topP = request.topP;
  if (request.maxTokens !== undefined) options.maxOutputTokens = request.maxTokens;
  if (request.stopSequences !== undefined) options.stopSequences = request.stopSequences;
  if (request.seed !== undefined) options.seed = request.seed;
  return options;
}

function toPrompt(messages: ChatMessage[]): LanguageModelV3Message[] {
  const prompt: LanguageModelV3Message[] = [];
  for (const message of messages) {
    switch (message.role) {
      case 'system':
        prompt.push({ role: 'system', content: message.content });
        break;
      case 'user':
        prompt.push({
          role: 'user',
          content:
            typeof message.content === 'string'
              ? [{ type: 'text', text: message.content }]
              : message.content.map(toUserPart),
        });
        break;
      case 'assistant':
        prompt.push({
          role: 'assistant',
          content: [
            ...(message.content.length > 0 ? [{ type: 'text' as const, text: message.content }] : []),
            ...(message.toolCalls ?? []).map((call) => ({
              type: 'tool-call' as const,
              toolCallId: call.id,
              toolName: call.name,
              input: call.arguments,
            })),
          ],
        });
        break;
      case 'tool': {
        const part: LanguageModelV3ToolResultPart = {
          type: 'tool-result',
          toolCallId: message.toolCallId,
          toolName: message.toolName,
          output: message.isError
            ? { type: 'error-text', value: message.content }
            : { type: 'text', value: message.content },
        };
        const previous = prompt.at(-1);
        if (previous?.role === 'tool') previous.content.push(part);
        else prompt.push({ role: 'tool', content: [part] });
        break;
      }
    }
  }
  return prompt;
}

function toUserPart(part: UserContentPart) {
  if (part.type === 'text') return { type: 'text' as const, text: part.text };
  if ('url' in part) return { type: 'file' as const, data: new URL(part.url), mediaType: 'image/*' };
  return { type: 'file' as const, data: part.data, mediaType: part.mediaType };
}

function toToolChoice(choice: ToolChoice): LanguageModelV3ToolChoice {
  return typeof choice === 'string' ? { type: choice } : { type: 'tool', toolName: choice.name };
}
