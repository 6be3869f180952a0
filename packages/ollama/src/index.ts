export type { OllamaEmbeddingOptions } from './ollama-embedding-model';
export { type OllamaErrorContext, toOllamaError } from './ollama-error';
export {
  fromOllamaDoneReason,
  fromOllamaToolCalls,
  fromOllamaUsage,
  type OllamaAnswer,
  type OllamaRequestDefaults,
  toOllamaChatBody,
  toOllamaMessages,
} from './ollama-format';
export { createOllama, type OllamaProvider } from './ollama-provider';
export type { OllamaChatModelOptions, OllamaSettings } from './ollama-settings';
