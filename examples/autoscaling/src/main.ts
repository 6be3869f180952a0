/**
 * Ballast autoscaling demo (a simulation): a real CPU trace replayed through a fake Kubernetes API
 * server, HPA parity vs Ballast's advice, applied to the fake, with a back-test summary.
 *
 *   pnpm --filter @ballast/example-autoscaling start
 *
 * Environment:
 * - OPENAI_API_KEY, ANTHROPIC_API_KEY, GROQ_API_KEY or OLLAMA_HOST: add the LLM candidate (first one
 *   set wins); BALLAST_MODEL overrides the model id.
 * - BALLAST_DEMO_STEPS: steps to replay (default 576 = two days; 24 when a model is configured).
 */

import { createAnthropic } from '@ballast/anthropic';
import type { ChatModel } from '@ballast/core';
import { createGroq } from '@ballast/groq';
import { createOllama } from '@ballast/ollama';
import { createOpenAI } from '@ballast/openai';
import { runAutoscalingDemo } from './demo';

function modelFromEnvironment(): ChatModel | undefined {
  const id = process.env.BALLAST_MODEL;
  if (process.env.OPENAI_API_KEY) return createOpenAI().chatModel(id ?? 'gpt-4o-mini');
  if (process.env.ANTHROPIC_API_KEY) return createAnthropic().chatModel(id ?? 'claude-haiku-4-5');
  if (process.env.GROQ_API_KEY) return createGroq().chatModel(id ?? 'openai/gpt-oss-120b');
  if (process.env.OLLAMA_HOST) return createOllama().chatModel(id ?? 'qwen2.5:7b');
  return undefined;
}

async function main() {
  const model = modelFromEnvironment();
  const requested = Number(process.env.BALLAST_DEMO_STEPS);
  const steps = Number.isInteger(requested) && requested > 0 ? requested : model ? 24 : 576;
  const started = performance.now();
  await runAutoscalingDemo({ steps, model, every: model ? 1 : 12 });
  console.log(`\nDone in ${((performance.now() - started) / 1000).toFixed(1)} s (wall clock).`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
