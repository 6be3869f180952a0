import type { BallastConfig } from '@ballast/advisor';
import { createAnthropic } from '@ballast/anthropic';
import { createBalancer } from '@ballast/balancer';
import type { ChatModel } from '@ballast/core';
import { createGroq } from '@ballast/groq';
import { createOllama } from '@ballast/ollama';
import { createOpenAI } from '@ballast/openai';

/** The model the demo will use, or why there is none. */
export type DemoModel = { model: ChatModel; description: string } | { model: undefined; description: string };

/**
 * Builds the LLM from the environment: every provider whose key (or host) and model id are set,
 * behind a balancer. Model ids are configuration: nothing is assumed.
 */
export function modelFromEnvironment(env: NodeJS.ProcessEnv): DemoModel {
  const found: Array<{ model: ChatModel; label: string }> = [];
  const missingModel: string[] = [];
  const add = (keyVar: string, modelVar: string, create: (modelId: string) => ChatModel) => {
    if (!env[keyVar]) return;
    const modelId = env[modelVar];
    if (!modelId) {
      missingModel.push(`${keyVar} is set but ${modelVar} is not`);
      return;
    }
    const model = create(modelId);
    found.push({ model, label: `${model.provider}:${model.modelId}` });
  };
  add('OPENAI_API_KEY', 'OPENAI_MODEL', (id) =>
    createOpenAI(env.OPENAI_BASE_URL ? { baseURL: env.OPENAI_BASE_URL } : {}, env).chatModel(id),
  );
  add('ANTHROPIC_API_KEY', 'ANTHROPIC_MODEL', (id) => createAnthropic({}, env).chatModel(id));
  add('GROQ_API_KEY', 'GROQ_MODEL', (id) => createGroq({}, env).chatModel(id));
  add('OLLAMA_HOST', 'OLLAMA_MODEL', (id) => createOllama({}, env).chatModel(id));

  if (found.length === 0) {
    const hint = missingModel.length > 0 ? ` (${missingModel.join('; ')})` : '';
    return {
      model: undefined,
      description: `not configured${hint}: set e.g. OPENAI_API_KEY and OPENAI_MODEL to add an LLM's analysis`,
    };
  }
  // Always through the balancer, even with one provider: it adds retries with backoff, the
  // circuit breaker and a route that says what happened.
  const label = found.map((entry) => entry.label).join(', ');
  const balancer = createBalancer({ name: label, targets: found.map(({ model }) => ({ model })) }, env);
  return { model: balancer, description: `balancer over ${label}` };
}

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
