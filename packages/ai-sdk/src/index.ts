export { abortReasonOf, aiSdkErrorFromBallast, type FailedCallContext } from './ai-sdk-error-from-ballast';
export { type AiSdkFailureContext, ballastErrorFromAiSdk } from './ballast-error-from-ai-sdk';
export { createBallastLanguageModel } from './ballast-language-model';
export {
  type BallastLanguageModelOptions,
  type BallastProviderOptions,
  ballastLanguageModelOptionsSchema,
  ballastProviderOptionsSchema,
} from './ballast-language-model-options';
export {
  type BallastMetadata,
  ballastMetadataKey,
  ballastMetadataOf,
  ballastMetadataSchema,
  readBallastMetadata,
} from './ballast-metadata';
export {
  ballastRequestFromCallOptions,
  type ConvertedCallOptions,
} from './ballast-request-from-call-options';
export { callOptionsFromBallastRequest } from './call-options-from-ballast-request';
export { createChatModelFromAiSdk } from './chat-model-from-ai-sdk';
export {
  type ChatModelFromAiSdkOptions,
  chatModelFromAiSdkOptionsSchema,
} from './chat-model-from-ai-sdk-options';
export { type ChunkContext, chunksFromStreamParts } from './chunks-from-stream-parts';
export { type StreamPartsOptions, streamPartsFromChunks } from './stream-parts-from-chunks';
export { fromAiSdkUsage, toAiSdkUsage } from './usage-conversion';
