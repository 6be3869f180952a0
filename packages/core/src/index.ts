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
export { findConflictingKeys, type JsonPath } from './conflicting-keys';
export { collectStream, runControlledStream } from './controlled-stream';
export * from './domain/index';
export type { EmbeddingModel, EmbedOptions, EmbedResult } from './embedding-model';
export * from './errors/index';
export {
  type ExtractedJson,
  type ExtractJsonOptions,
  extractJson,
  safeExtractJson,
} from './extract-json';
export {
  type GenerateObjectOptions,
  type GenerateObjectResult,
  generateObject,
  type ObjectMode,
} from './generate-object';
export {
  DEFAULT_MAX_ERROR_BODY_PARSE_LENGTH,
  DEFAULT_MAX_MODEL_TEXT_LENGTH,
  DEFAULT_MAX_TOOL_ARGUMENTS_LENGTH,
  MAX_RETRY_AFTER_HEADER_LENGTH,
} from './input-limits';
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
  type FindModelPriceOptions,
  findModelPrice,
  type ModelPrice,
  type PricingTable,
} from './pricing';
export { type CappedBodySource, DEFAULT_MAX_RESPONSE_BYTES, readBodyCapped } from './read-body-capped';
export { redactSecrets, redactThenTruncate } from './redact';
export { type HeadersLike, parseRetryAfterMs, readHeader } from './retry-after';
export { sanitizeCause } from './sanitize-cause';
export { type SdkLogger, type SdkLogLevel, sdkLoggingSettingsSchema } from './sdk-logger';
export type {
  OutcomeSample,
  RateVerdict,
  SharedBreakerRecord,
  SharedBreakers,
  SharedRateLimits,
  SharedSlots,
  SharedState,
  SharedStateLifecycle,
  SharedWindows,
  SharedWindowView,
} from './shared-state';
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
