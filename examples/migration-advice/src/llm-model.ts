import type { BallastConfig } from '@ballast/advisor';
import { createAnthropic } from '@ballast/anthropic';
import { type ExampleModel, modelFromEnvironment } from '@ballast/example-shared';
import { createGroq } from '@ballast/groq';
import { createOllama } from '@ballast/ollama';
import { createOpenAI } from '@ballast/openai';

/** The model the demo will use, or why there is none. */
export type DemoModel = ExampleModel;

/**
 * The LLM from the environment: the examples' shared convention (docs/getting-started.md#llm-settings),
 * every provider whose key (or host) and model id are set, behind a balancer.
 */
export { modelFromEnvironment };

/** The model a ProxBalance-style config asks for (`ai_enabled`, `ai_provider`, `ai_model`, ...). */
export function modelFromConfig(config: BallastConfig, env: NodeJS.ProcessEnv): DemoModel {
  if (!config.ai_enabled || !config.ai_provider || !config.ai_model) {
    return { model: undefined, description: 'disabled in the config (ai_enabled)' };
  }
  const key = config.ai_api_key === undefined ? {} : { apiKey: config.ai_api_key };
  const baseURL = config.ai_base_url === undefined ? {} : { baseURL: config.ai_base_url };
  const model = (() => {
    switch (config.ai_provider) {
      case 'openai':
        return createOpenAI({ ...key, ...baseURL }, env).chatModel(config.ai_model);
      case 'openai-compatible':
        return createOpenAI({ name: 'openai-compatible', ...key, ...baseURL }, env).chatModel(
          config.ai_model,
        );
      case 'anthropic':
        return createAnthropic({ ...key, ...baseURL }, env).chatModel(config.ai_model);
      case 'groq':
        return createGroq({ ...key, ...baseURL }, env).chatModel(config.ai_model);
      case 'ollama':
        return createOllama(config.ai_base_url ? { host: config.ai_base_url } : {}, env).chatModel(
          config.ai_model,
        );
    }
  })();
  return { model, description: `${model.provider}:${model.modelId} (from the config)` };
}
