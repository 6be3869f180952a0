export * from './errors/index';
export type {
  AssistantMessage,
  CallOptions,
  ChatMessage,
  ChatRequest,
  JsonSchema,
  ResponseFormat,
  SchemaInput,
  SystemMessage,
  ToolCall,
  ToolChoice,
  ToolDefinition,
  ToolMessage,
  UserContentPart,
  UserMessage,
} from './chat-request';
export {
  addUsage,
  type ChatChunk,
  type ChatResult,
  createUsage,
  emptyUsage,
  type FinishReason,
  type UnifiedFinishReason,
  type Usage,
} from './chat-result';
export type { ChatModel, ChatModelCapabilities } from './chat-model';
export {
  computeCostUsd,
  createPricingTable,
  defaultPricing,
  estimateCostUsd,
  findModelPrice,
  type ModelPrice,
  type PricingTable,
} from './pricing';
export { type HeadersLike, parseRetryAfterMs, readHeader } from './retry-after';
export { redactSecrets } from './redact';
export { apiCallErrorFromResponse, type FailedResponse } from './api-call-error-from-response';
export { type CallControl, createCallControl, runControlledCall } from './call-control';
export { collectStream, runControlledStream } from './controlled-stream';
export { StreamAccumulator } from './stream-accumulator';
export { parseToolArguments } from './tool-arguments';
export { isZodSchema, toJsonSchema } from './json-schema';
export { type ExtractedJson, extractJson, safeExtractJson } from './extract-json';
export {
  type GenerateObjectOptions,
  type GenerateObjectResult,
  generateObject,
  type ObjectMode,
} from './generate-object';
export * from './domain/index';
