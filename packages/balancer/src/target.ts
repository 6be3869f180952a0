import type { ChatModel, ChatRequest, ModelPrice } from '@ballast/core';

/** Kinds of work a target may serve with a dedicated model. */
export type TaskType = 'chat' | 'vision' | 'reasoning' | 'artifact';

/**
 * One upstream of a balancer.
 *
 * @example
 * ```ts
 * const target: BalancerTarget = {
 *   id: 'groq-fast',
 *   model: groq.chatModel('llama-3.3-70b-versatile'),
 *   weight: 2,
 *   maxConcurrent: 16,
 *   tags: ['fast'],
 *   models: { reasoning: groq.chatModel('openai/gpt-oss-120b') },
 * };
 * ```
 */
export interface BalancerTarget {
  /** Unique id; default `provider:modelId`. */
  id?: string;
  model: ChatModel;
  /** Traffic weight for `weighted` and `random` (default 1). 0 keeps it as a fallback only. */
  weight?: number;
  /** Lower is preferred; `failover` tries targets by priority. Default 0. */
  priority?: number;
  /** Most calls in flight at once; more wait in a bounded queue. Default unlimited. */
  maxConcurrent?: number;
  /** Most calls waiting for a slot. Default: the balancer's `maxQueue`. */
  maxQueue?: number;
  /** Price override (USD per million tokens); default from the pricing table. */
  price?: ModelPrice;
  /** Replaces the capabilities derived from the model (`tools`, `vision`, `json`, `streaming`, …). */
  capabilities?: string[];
  /** Added to the capabilities (free-form: `eu`, `fast`, `reasoning`…). */
  tags?: string[];
  /** Models for specific task types; a task type without one uses `model`. */
  models?: Partial<Record<TaskType, ChatModel>>;
}

/** Capabilities a model advertises, as strings. */
export function capabilitiesOfModel(model: ChatModel): string[] {
  const found: string[] = [];
  const capabilities = model.capabilities;
  if (capabilities.tools) found.push('tools');
  if (capabilities.vision) found.push('vision');
  if (capabilities.jsonMode || capabilities.jsonSchema) found.push('json');
  if (capabilities.jsonSchema) found.push('json-schema');
  if (capabilities.streaming) found.push('streaming');
  return found;
}

/**
 * Capabilities a request needs: `tools` when it has tools, `vision` when a message holds an image,
 * `streaming` for streams. A JSON response format needs nothing: every attempt adapts it to its
 * target's strongest native mode (`prepareStructuredRequest`), so structured output can fail over
 * to any target. Ask for `json-schema` in `routing.requiredCapabilities` to insist on native output.
 *
 * @example
 * ```ts
 * requiredCapabilitiesOf({ messages, tools: [weatherTool] }, 'chat'); // ['tools']
 * ```
 */
export function requiredCapabilitiesOf(request: ChatRequest, kind: 'chat' | 'stream'): string[] {
  const needs: string[] = [];
  if (request.tools && request.tools.length > 0) needs.push('tools');
  if (hasImage(request)) needs.push('vision');
  if (kind === 'stream') needs.push('streaming');
  return needs;
}

/** Whether any user message carries an image part. */
export function hasImage(request: ChatRequest): boolean {
  for (const message of request.messages) {
    if (message.role === 'user' && Array.isArray(message.content)) {
      for (const part of message.content) if (part.type === 'image') return true;
    }
  }
  return false;
}

/**
 * Rough token counts of a request before it is sent: characters / 4 for text (tools and schemas
 * included), 256 per image, and `maxTokens` (or `defaultOutputTokens`) for the answer.
 *
 * @example
 * ```ts
 * estimateTokens({ messages: [{ role: 'user', content: 'x'.repeat(400) }], maxTokens: 50 }, 256); // { inputTokens: 100, outputTokens: 50 }
 * ```
 */
export function estimateTokens(
  request: ChatRequest,
  defaultOutputTokens: number,
): { inputTokens: number; outputTokens: number } {
  let characters = 0;
  let images = 0;
  for (const message of request.messages) {
    if (typeof message.content === 'string') characters += message.content.length;
    else
      for (const part of message.content) {
        if (part.type === 'text') characters += part.text.length;
        else images++;
      }
    if (message.role === 'assistant' && message.toolCalls)
      for (const call of message.toolCalls) characters += call.rawArguments.length + call.name.length;
  }
  for (const tool of request.tools ?? [])
    characters += tool.name.length + (tool.description?.length ?? 0) + 200;
  return {
    inputTokens: Math.ceil(characters / 4) + images * 256,
    outputTokens: request.maxTokens ?? defaultOutputTokens,
  };
}
