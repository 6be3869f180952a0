import {
  type LanguageModelV3CallOptions,
  type LanguageModelV3FilePart,
  type LanguageModelV3Message,
  type LanguageModelV3ToolResultOutput,
  type SharedV3Warning,
  UnsupportedFunctionalityError,
} from '@ai-sdk/provider';
import {
  type AssistantMessage,
  type ChatMessage,
  type ChatRequest,
  type JsonSchema,
  parseToolArguments,
  type ToolCall,
  type ToolChoice,
  type ToolDefinition,
  type UserContentPart,
} from '@ballast/core';

/** A Ballast request made from AI SDK call options, and what could not be carried over. */
export interface ConvertedCallOptions {
  request: ChatRequest;
  /** Settings and prompt parts Ballast has no place for, reported back to the AI SDK caller. */
  warnings: SharedV3Warning[];
}

/**
 * Converts AI SDK V3 call options into a Ballast {@link ChatRequest}: messages, function tools,
 * tool choice, JSON response format and sampling settings. What Ballast's contract cannot carry
 * (top-k, penalties, provider-defined tools, reasoning in the history) becomes a warning, never a
 * silent drop; a file that is not an image cannot be sent at all and throws.
 *
 * @throws {UnsupportedFunctionalityError} for a file part that is not an image.
 * @example
 * ```ts
 * const { request, warnings } = ballastRequestFromCallOptions({ prompt: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }] });
 * ```
 */
export function ballastRequestFromCallOptions(options: LanguageModelV3CallOptions): ConvertedCallOptions {
  const warnings: SharedV3Warning[] = [];
  const request: ChatRequest = {
    messages: options.prompt.flatMap((message) => toMessages(message, warnings)),
  };

  const tools = toTools(options.tools, warnings);
  if (tools.length > 0) {
    request.tools = tools;
    const toolChoice = toToolChoice(options.toolChoice);
    if (toolChoice !== undefined) request.toolChoice = toolChoice;
  }
  if (options.responseFormat?.type === 'json') {
    const { schema, name, description } = options.responseFormat;
    request.responseFormat = {
      type: 'json',
      ...(schema === undefined ? {} : { schema: schema as JsonSchema }),
      ...(name === undefined ? {} : { name }),
      ...(description === undefined ? {} : { description }),
    };
  }
  if (options.temperature !== undefined) request.temperature = options.temperature;
  if (options.topP !== undefined) request.topP = options.topP;
  if (options.maxOutputTokens !== undefined) request.maxTokens = options.maxOutputTokens;
  if (options.stopSequences !== undefined && options.stopSequences.length > 0)
    request.stopSequences = options.stopSequences;
  if (options.seed !== undefined) request.seed = options.seed;
  for (const setting of ['topK', 'presencePenalty', 'frequencyPenalty'] as const) {
    if (options[setting] !== undefined) warnings.push({ type: 'unsupported', feature: setting });
  }
  return { request, warnings };
}

function toMessages(message: LanguageModelV3Message, warnings: SharedV3Warning[]): ChatMessage[] {
  switch (message.role) {
    case 'system':
      return [{ role: 'system', content: message.content }];
    case 'user': {
      const parts: UserContentPart[] = message.content.map((part) =>
        part.type === 'text' ? { type: 'text', text: part.text } : toImagePart(part),
      );
      // Plain text stays a string: every provider accepts that, not every one accepts parts.
      const onlyText = parts.every((part) => part.type === 'text');
      return [
        {
          role: 'user',
          content: onlyText ? parts.map((part) => (part.type === 'text' ? part.text : '')).join('\n') : parts,
        },
      ];
    }
    case 'assistant':
      return [toAssistantMessage(message.content, warnings)];
    case 'tool':
      return message.content.flatMap((part) =>
        part.type === 'tool-result'
          ? [
              {
                role: 'tool' as const,
                toolCallId: part.toolCallId,
                toolName: part.toolName,
                ...toolResultContent(part.output),
              },
            ]
          : // Approval responses answer provider-executed tools, which Ballast models never run.
            [],
      );
  }
}

function toAssistantMessage(
  content: Extract<LanguageModelV3Message, { role: 'assistant' }>['content'],
  warnings: SharedV3Warning[],
): AssistantMessage {
  let text = '';
  const toolCalls: ToolCall[] = [];
  for (const part of content) {
    if (part.type === 'text') text += part.text;
    else if (part.type === 'tool-call' && !part.providerExecuted) {
      const rawArguments = typeof part.input === 'string' ? part.input : JSON.stringify(part.input ?? {});
      toolCalls.push({ id: part.toolCallId, name: part.toolName, ...parseToolArguments(rawArguments) });
    } else {
      warnings.push({
        type: 'other',
        message: `an assistant ${part.type} part in the history cannot be sent through Ballast and was left out`,
      });
    }
  }
  return { role: 'assistant', content: text, ...(toolCalls.length > 0 ? { toolCalls } : {}) };
}

function toImagePart(part: LanguageModelV3FilePart): UserContentPart {
  if (!part.mediaType.startsWith('image/')) {
    throw new UnsupportedFunctionalityError({
      functionality: `file parts of type ${part.mediaType}`,
      message: `Ballast chat models accept images only, not ${part.mediaType} files`,
    });
  }
  if (part.data instanceof URL) return { type: 'image', url: part.data.toString() };
  // `image/*` means "some image": the AI SDK's own OpenAI-compatible provider sends it as JPEG too.
  const mediaType = part.mediaType === 'image/*' ? 'image/jpeg' : part.mediaType;
  const data = typeof part.data === 'string' ? part.data : bytesToBase64(part.data);
  return { type: 'image', data, mediaType };
}

/** Base64 without Node's Buffer, so the bridge also runs on edge runtimes. */
function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  const step = 0x8000;
  for (let offset = 0; offset < bytes.length; offset += step) {
    binary += String.fromCharCode(...bytes.subarray(offset, offset + step));
  }
  return btoa(binary);
}

function toolResultContent(output: LanguageModelV3ToolResultOutput): { content: string; isError?: true } {
  switch (output.type) {
    case 'text':
      return { content: output.value };
    case 'json':
      return { content: JSON.stringify(output.value) };
    case 'error-text':
      return { content: output.value, isError: true };
    case 'error-json':
      return { content: JSON.stringify(output.value), isError: true };
    case 'execution-denied':
      return {
        content: `The tool was not run: ${output.reason ?? 'the user denied its execution'}`,
        isError: true,
      };
    case 'content':
      // Ballast tool messages are text; other parts are described so the model knows they existed.
      return {
        content: output.value
          .map((part) => (part.type === 'text' ? part.text : `[${part.type} omitted]`))
          .join('\n'),
      };
  }
}

function toTools(tools: LanguageModelV3CallOptions['tools'], warnings: SharedV3Warning[]): ToolDefinition[] {
  const converted: ToolDefinition[] = [];
  for (const tool of tools ?? []) {
    if (tool.type === 'function') {
      converted.push({
        name: tool.name,
        parameters: tool.inputSchema as JsonSchema,
        ...(tool.description === undefined ? {} : { description: tool.description }),
      });
    } else {
      warnings.push({
        type: 'unsupported',
        feature: `provider-defined tool ${tool.id}`,
        details: 'Ballast chat models run function tools only',
      });
    }
  }
  return converted;
}

function toToolChoice(choice: LanguageModelV3CallOptions['toolChoice']): ToolChoice | undefined {
  if (choice === undefined) return undefined;
  return choice.type === 'tool' ? { name: choice.toolName } : choice.type;
}
