export { type ExampleModel, llmSettingsHelp, llmSettingsLink, modelFromEnvironment } from './llm-settings';
