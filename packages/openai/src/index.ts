export { createOpenAIEmbeddingModel, type OpenAIEmbeddingOptions } from './openai-embedding-model';
export { toOpenAIError } from './openai-error';
export {
  createOpenAI,
  createOpenAICompatible,
  type OpenAIProvider,
  openAICompatiblePresets,
} from './openai-provider';
export type { OpenAISettings } from './openai-settings';
