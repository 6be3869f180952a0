import { createAnthropic } from '@ballast/anthropic';
import { createBalancer } from '@ballast/balancer';
import type { ChatModel } from '@ballast/core';
import { createGroq } from '@ballast/groq';
import { createOllama } from '@ballast/ollama';
import { createOpenAI } from '@ballast/openai';

/** The model an example will use, or why there is none. */
export type ExampleModel =
  | { model: ChatModel; description: string }
  | { model: undefined; description: string };

/** Where the convention is documented, for messages. */
export const llmSettingsLink = 'docs/getting-started.md#llm-settings';

/** One line telling a user how to add an LLM. */
export const llmSettingsHelp = `to add one, set e.g. OPENAI_API_KEY and OPENAI_MODEL; see ${llmSettingsLink}`;

/** Each provider: the variable that enables it, the one naming its model, and how to build it. */
const providers: ReadonlyArray<{
  enabledBy: string;
  modelVar: string;
  create: (modelId: string, env: NodeJS.ProcessEnv) => ChatModel;
}> = [
  {
    enabledBy: 'OPENAI_API_KEY',
    modelVar: 'OPENAI_MODEL',
    create: (id, env) =>
      createOpenAI(env.OPENAI_BASE_URL ? { baseURL: env.OPENAI_BASE_URL } : {}, env).chatModel(id),
  },
  {
    enabledBy: 'ANTHROPIC_API_KEY',
    modelVar: 'ANTHROPIC_MODEL',
    create: (id, env) => createAnthropic({}, env).chatModel(id),
  },
  {
    enabledBy: 'GROQ_API_KEY',
    modelVar: 'GROQ_MODEL',
    create: (id, env) => createGroq({}, env).chatModel(id),
  },
  {
    enabledBy: 'OLLAMA_HOST',
    modelVar: 'OLLAMA_MODEL',
    create: (id, env) => createOllama({}, env).chatModel(id),
  },
];

/**
 * The examples' one LLM convention: each provider is configured by its key (or host) and its model
 * id, `OPENAI_API_KEY` + `OPENAI_MODEL` (and `OPENAI_BASE_URL` for a compatible server),
 * `ANTHROPIC_API_KEY` + `ANTHROPIC_MODEL`, `GROQ_API_KEY` + `GROQ_MODEL`, `OLLAMA_HOST` +
 * `OLLAMA_MODEL`. Every configured provider goes behind one balancer. There are no built-in model
 * ids: a key without a model id is reported, not guessed.
 */
export function modelFromEnvironment(env: NodeJS.ProcessEnv): ExampleModel {
  const found: Array<{ model: ChatModel; label: string }> = [];
  const missingModel: string[] = [];
  for (const { enabledBy, modelVar, create } of providers) {
    if (!env[enabledBy]) continue;
    const modelId = env[modelVar]?.trim();
    if (!modelId) {
      missingModel.push(`${enabledBy} is set but ${modelVar} is not`);
      continue;
    }
    const model = create(modelId, env);
    found.push({ model, label: `${model.provider}:${model.modelId}` });
  }
  if (found.length === 0) {
    const hint = missingModel.length > 0 ? ` (${missingModel.join('; ')})` : '';
    return { model: undefined, description: `not configured${hint}: ${llmSettingsHelp}` };
  }
  // Always through the balancer, even with one provider: it adds retries with backoff, the
  // circuit breaker and a route that says what happened.
  const label = found.map((entry) => entry.label).join(', ');
  const balancer = createBalancer({ name: label, targets: found.map(({ model }) => ({ model })) }, env);
  const skipped = missingModel.length > 0 ? ` (skipped: ${missingModel.join('; ')})` : '';
  return { model: balancer, description: `balancer over ${label}${skipped}` };
}
