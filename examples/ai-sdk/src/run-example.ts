import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { createBallastLanguageModel, createChatModelFromAiSdk, readBallastMetadata } from '@ballast/ai-sdk';
import { createBalancer } from '@ballast/balancer';
import { createPricingTable } from '@ballast/core';
import { createOpenAI } from '@ballast/openai';
import { type ReceivedRequest, type ScriptedReply, startFakeOpenAI } from '@ballast/testkit';
import { generateObject, stepCountIs, streamText, tool } from 'ai';
import { z } from 'zod';

/** What one run showed, for callers and tests. */
export interface AiSdkExampleOutcome {
  /** The streamed answer of the tool loop. */
  answer: string;
  /** Targets tried for the streamed call, in order, with their outcome. */
  attempts: Array<{ target: string; outcome: string }>;
  /** The object `generateObject` returned. */
  object: { node: string; cpuShare: number };
  /** Which target served `generateObject`. */
  objectTarget: string | undefined;
}

const pricing = createPricingTable({
  'openai-fake': { 'gpt-4o-mini': { inputPerMillion: 0.15, outputPerMillion: 0.6 } },
  'vllm-fake': { 'qwen2.5-7b': { inputPerMillion: 0.05, outputPerMillion: 0.1 } },
});

/**
 * The model behind both fakes: asks for `node_load` until the conversation holds its result,
 * then answers from it; asked for JSON (a schema in `response_format`), it answers with the
 * least loaded node.
 */
function scriptedModel(request: ReceivedRequest): ScriptedReply {
  const body = request.body as {
    messages: Array<{ role: string; content: string }>;
    response_format?: unknown;
  };
  if (body.response_format) return { text: JSON.stringify({ node: 'pve2', cpuShare: 0.18 }) };
  const last = body.messages.at(-1);
  if (last?.role !== 'tool') return { toolCalls: [{ name: 'node_load', arguments: { node: 'pve1' } }] };
  const load = JSON.parse(last.content) as { node: string; cpuShare: number };
  return {
    text: `${load.node} runs at ${Math.round(load.cpuShare * 100)} % CPU: move a guest to pve2.`,
    chunkSize: 6,
  };
}

/**
 * Runs the example: two fake OpenAI-compatible servers on 127.0.0.1, one behind Ballast's own
 * OpenAI adapter and one behind the AI SDK's `@ai-sdk/openai-compatible` provider (made a
 * Ballast target with `createChatModelFromAiSdk`), both in one balancer that the AI SDK then
 * drives as a language model (`createBallastLanguageModel`). The first target answers its first
 * call with a 503, so the route shows the failover.
 *
 * @example
 * ```ts
 * const outcome = await runAiSdkExample({ log: console.log });
 * ```
 */
export async function runAiSdkExample(io: { log: (line: string) => void }): Promise<AiSdkExampleOutcome> {
  const [openaiFake, vllmFake] = await Promise.all([startFakeOpenAI(), startFakeOpenAI()]);
  try {
    openaiFake.setResponder(scriptedModel);
    vllmFake.setResponder(scriptedModel);
    openaiFake.enqueue({ fault: { type: 'status', status: 503, message: 'upstream overloaded' } });

    const openaiTarget = createOpenAI({
      name: 'openai-fake',
      apiKey: 'offline-example',
      baseURL: `${openaiFake.url}/v1`,
      pricing,
    }).chatModel('gpt-4o-mini');
    const vllm = createOpenAICompatible({
      name: 'vllm-fake',
      baseURL: `${vllmFake.url}/v1`,
      includeUsage: true,
    });
    const vllmTarget = createChatModelFromAiSdk(vllm.chatModel('qwen2.5-7b'), { pricing });

    const balancer = createBalancer({
      name: 'chat',
      strategy: 'failover',
      targets: [
        { id: 'openai', model: openaiTarget, priority: 0 },
        { id: 'vllm', model: vllmTarget, priority: 1 },
      ],
      retry: { maxRetriesPerTarget: 0 },
      pricing,
    });
    const model = createBallastLanguageModel(balancer);

    io.log('streamText with a tool, through a balancer whose first target fails:');
    const result = streamText({
      model,
      maxRetries: 0, // the balancer retries and fails over itself
      stopWhen: stepCountIs(3),
      tools: {
        node_load: tool({
          description: 'CPU share of a Proxmox node',
          inputSchema: z.object({ node: z.string() }),
          execute: async ({ node }) => ({ node, cpuShare: 0.87 }),
        }),
      },
      prompt: 'Is pve1 overloaded?',
    });
    let answer = '';
    for await (const part of result.fullStream) {
      if (part.type === 'tool-call') io.log(`  tool call  ${part.toolName}(${JSON.stringify(part.input)})`);
      if (part.type === 'tool-result') io.log(`  tool result ${JSON.stringify(part.output)}`);
      if (part.type === 'text-delta') answer += part.text;
    }
    io.log(`  answer     ${answer}`);
    const steps = await result.steps;
    const attempts = steps.flatMap(
      (step) =>
        readBallastMetadata(step.providerMetadata)?.route?.attempts.map(({ target, outcome }) => ({
          target,
          outcome,
        })) ?? [],
    );
    steps.forEach((step, index) => {
      const ballast = readBallastMetadata(step.providerMetadata);
      const tried = ballast?.route?.attempts
        .map((attempt) => `${attempt.target}:${attempt.outcome}`)
        .join(' → ');
      io.log(
        `  step ${index + 1}     served by ${ballast?.route?.target} (${ballast?.provider}), attempts ${tried}`,
      );
    });

    io.log('generateObject through the same balancer:');
    const { object, providerMetadata } = await generateObject({
      model,
      maxRetries: 0,
      schema: z.object({ node: z.string(), cpuShare: z.number().min(0).max(1) }),
      prompt: 'Which node has the most headroom?',
    });
    const objectTarget = readBallastMetadata(providerMetadata)?.route?.target;
    io.log(`  object     ${JSON.stringify(object)} (served by ${objectTarget})`);
    return { answer, attempts, object, objectTarget };
  } finally {
    await Promise.all([openaiFake.close(), vllmFake.close()]);
  }
}
