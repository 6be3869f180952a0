export {
  apiCallErrorFromResponse,
  type FailedResponse,
  invalidResponseError,
} from './api-call-error-from-response';
export { type CallControl, createCallControl, runControlledCall } from './call-control';
export type { ChatModel, ChatModelCapabilities } from './chat-model';
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
export { collectStream, runControlledStream } from './controlled-stream';
export * from './domain/index';
export * from './errors/index';
export { type ExtractedJson, extractJson, safeExtractJson } from './extract-json';
export {
  type GenerateObjectOptions,
  type GenerateObjectResult,
  generateObject,
  type ObjectMode,
} from './generate-object';
export { isZodSchema, toJsonSchema } from './json-schema';
export { describeNetworkFailure, isNetworkFailure } from './network-failure';
export {
  fromOpenAIFormatFinishReason,
  fromOpenAIFormatUsage,
  type OpenAIFormatMessage,
  type OpenAIFormatUsage,
  toOpenAIFormatMessages,
  toOpenAIFormatOptions,
} from './openai-format';
export { createOpenAIFormatChatModel, type OpenAIFormatChatModelConfig } from './openai-format-chat-model';
export {
  computeCostUsd,
  createPricingTable,
  defaultPricing,
  estimateCostUsd,
  findModelPrice,
  type ModelPrice,
  type PricingTable,
} from './pricing';
export { redactSecrets } from './redact';
export { type HeadersLike, parseRetryAfterMs, readHeader } from './retry-after';
export { type SdkLogger, type SdkLogLevel, sdkLoggingSettingsSchema } from './sdk-logger';
export { StreamAccumulator } from './stream-accumulator';
export {
  anyJsonInstruction,
  prepareStructuredRequest,
  restoreStructuredResult,
  restoreStructuredStream,
  type StructuredOutputMode,
  type StructuredRequest,
  schemaInstruction,
  structuredOutputModeFor,
} from './structured-output';
export { parseToolArguments } from './tool-arguments';
