/**
 * What the AI SDK bridge costs: the same calls against one fake OpenAI upstream (testkit,
 * loopback), made directly and through the bridge, measured side by side in interleaved rounds
 * (alternating which side goes first):
 *
 * - Ballast → AI SDK: `model.chat` / `model.stream` of `@ballast/openai` against `generateText` /
 *   `streamText` over `createBallastLanguageModel(model)` (time to first text and to the end);
 * - AI SDK → Ballast: `generateText` over `@ai-sdk/openai-compatible` against
 *   `createChatModelFromAiSdk(thatModel).chat`.
 *
 * The difference is the bridge plus, for the first pair, the `ai` package's own work.
 */

import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { createBallastLanguageModel, createChatModelFromAiSdk } from '@ballast/ai-sdk';
import { type ChatRequest, createPricingTable } from '@ballast/core';
import { createOpenAI } from '@ballast/openai';
import { startFakeOpenAI } from '@ballast/testkit';
import { generateText, streamText } from 'ai';

const rounds = 300;
const ask: ChatRequest = { messages: [{ role: 'user', content: 'Hello' }] };

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
}
const ms = (value: number) => Number(value.toFixed(3));

async function timed(call: () => Promise<number | undefined>): Promise<{ totalMs: number; firstMs: number }> {
  const started = performance.now();
  const first = await call();
  return { totalMs: performance.now() - started, firstMs: (first ?? performance.now()) - started };
}

export default async function run() {
  const upstream = await startFakeOpenAI({
    responder: () => ({ text: 'Hello from the upstream, four words.', chunkSize: 6 }),
  });
  try {
    const ballastModel = createOpenAI({ apiKey: 'sk-bench', baseURL: `${upstream.url}/v1` }).chatModel(
      'gpt-4o-mini',
    );
    const bridged = createBallastLanguageModel(ballastModel);
    const aiSdkModel = createOpenAICompatible({
      name: 'compat',
      baseURL: `${upstream.url}/v1`,
      includeUsage: true,
    }).chatModel('gpt-4o-mini');
    const asTarget = createChatModelFromAiSdk(aiSdkModel, {
      pricing: createPricingTable({
        compat: { 'gpt-4o-mini': { inputPerMillion: 0.15, outputPerMillion: 0.6 } },
      }),
    });

    const sides: Record<string, () => Promise<number | undefined>> = {
      'ballast chat': async () => {
        await ballastModel.chat(ask);
        return undefined;
      },
      'generateText(bridge)': async () => {
        await generateText({ model: bridged, prompt: 'Hello', maxRetries: 0 });
        return undefined;
      },
      'ballast stream': async () => {
        let first: number | undefined;
        for await (const chunk of ballastModel.stream(ask))
          if (chunk.type === 'text-delta') first ??= performance.now();
        return first;
      },
      'streamText(bridge)': async () => {
        let first: number | undefined;
        const result = streamText({ model: bridged, prompt: 'Hello', maxRetries: 0 });
        for await (const _text of result.textStream) first ??= performance.now();
        return first;
      },
      'generateText(@ai-sdk)': async () => {
        await generateText({ model: aiSdkModel, prompt: 'Hello', maxRetries: 0 });
        return undefined;
      },
      'chat(createChatModelFromAiSdk)': async () => {
        await asTarget.chat(ask);
        return undefined;
      },
    };
    const names = Object.keys(sides);
    const samples = new Map(names.map((name) => [name, [] as Array<{ totalMs: number; firstMs: number }>]));
    for (const name of names) await sides[name]?.(); // warm-up: connections, JIT
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? names : [...names].reverse();
      for (const name of order)
        samples.get(name)?.push(await timed(sides[name] as () => Promise<number | undefined>));
    }
    const rows = names.map((name) => {
      const runs = samples.get(name) ?? [];
      const total = runs.map((run) => run.totalMs).sort((a, b) => a - b);
      const first = runs.map((run) => run.firstMs).sort((a, b) => a - b);
      const streaming = name.includes('tream');
      return {
        side: name,
        calls: runs.length,
        'p50 ms': ms(quantile(total, 0.5)),
        'p95 ms': ms(quantile(total, 0.95)),
        'first text p50 ms': streaming ? ms(quantile(first, 0.5)) : '-',
      };
    });
    const p50 = (name: string) => Number(rows.find((row) => row.side === name)?.['p50 ms']);
    return {
      name: 'AI SDK bridge overhead (loopback fake OpenAI, sequential calls)',
      rows,
      notes: [
        `generateText over the bridge adds ${ms(p50('generateText(bridge)') - p50('ballast chat'))} ms p50 to a Ballast chat call (the ai package and the bridge together).`,
        `streamText over the bridge adds ${ms(p50('streamText(bridge)') - p50('ballast stream'))} ms p50 to a Ballast stream.`,
        `An AI SDK model as a Ballast target: ${ms(p50('chat(createChatModelFromAiSdk)') - p50('generateText(@ai-sdk)'))} ms p50 against generateText on the same model.`,
      ],
    };
  } finally {
    await upstream.close();
  }
}
