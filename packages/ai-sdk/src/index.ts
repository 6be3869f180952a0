export { abortReasonOf, aiSdkErrorFromBallast, type FailedCallContext } from './ai-sdk-error-from-ballast';
export { createBallastLanguageModel } from './ballast-language-model';
export {
  type BallastLanguageModelOptions,
  type BallastProviderOptions,
  ballastLanguageModelOptionsSchema,
  ballastProviderOptionsSchema,
} from './ballast-language-model-options';
export {
  ballastRequestFromCallOptions,
  type ConvertedCallOptions,
} from './ballast-request-from-call-options';
export { ballastMetadataKey, routeMetadataOf } from './route-metadata';
export { type StreamPartsOptions, streamPartsFromChunks } from './stream-parts-from-chunks';
export { fromAiSdkUsage, toAiSdkUsage } from './usage-conversion';
