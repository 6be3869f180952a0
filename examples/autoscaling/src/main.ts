/**
 * Ballast autoscaling demo (a simulation): a real CPU trace replayed through a fake Kubernetes API
 * server, HPA parity vs Ballast's advice, applied to the fake, with a back-test summary.
 *
 *   pnpm --filter @ballast/example-autoscaling start
 *
 * Environment:
 * - LLM settings (docs/getting-started.md#llm-settings): <PROVIDER>_API_KEY + <PROVIDER>_MODEL for
 *   OPENAI, ANTHROPIC, GROQ, or OLLAMA_HOST + OLLAMA_MODEL, add the LLM candidate; every configured
 *   provider goes behind one balancer. Without them the demo runs on rules alone.
 * - BALLAST_DEMO_STEPS: steps to replay (default 576 = two days; 24 when a model is configured).
 */

import { modelFromEnvironment } from '@ballast/example-shared';
import { runAutoscalingDemo } from './demo';

async function main() {
  const { model, description } = modelFromEnvironment(process.env);
  const requested = Number(process.env.BALLAST_DEMO_STEPS);
  const steps = Number.isInteger(requested) && requested > 0 ? requested : model ? 24 : 576;
  const started = performance.now();
  await runAutoscalingDemo({ steps, model, modelDescription: description, every: model ? 1 : 12 });
  console.log(`\nDone in ${((performance.now() - started) / 1000).toFixed(1)} s (wall clock).`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
