import { createBalancer } from '@ballast/balancer';
import { type ChatModel, type ChatResult, createUsage } from '@ballast/core';
function instantModel(modelId: string): ChatModel {
  const result: ChatResult = { text: 'ok', toolCalls: [], finishReason: { unified: 'stop', raw: 'stop' },
    usage: createUsage({ inputTokens: 10, outputTokens: 2 }), costUsd: 0.00001, latencyMs: 0, provider: 'bench', modelId, raw: undefined };
  return { provider: 'bench', modelId, capabilities: { tools: true, vision: false, jsonMode: true, jsonSchema: true, streaming: true },
    chat: async () => result, async *stream() { yield { type: 'finish', result }; } };
}
const models = Array.from({ length: 8 }, (_, i) => instantModel(`m${i}`));
const b = createBalancer({ name: 'bench', targets: models.map((model, i) => ({ model, price: { inputPerMillion: 0.1 * (i + 1), outputPerMillion: 0.4 } })) }, {});
const req = { messages: [{ role: 'user' as const, content: 'benchmark prompt' }], maxTokens: 16 };
const mode = process.argv[2] ?? 'chat';
if (mode === 'chat') {
  const t = performance.now();
  for (let i = 0; i < 300_000; i++) await b.chat(req);
  console.log('per call µs', ((performance.now() - t) * 1000) / 300_000);
} else {
  let time = Date.now();
  const r = createBalancer({ name: 's', now: () => time, targets: models.map((model) => ({ model })) }, {});
  for (let i = 0; i < 100_000; i++) { r.record({ targetId: `bench:m${i % 8}`, outcome: i % 20 === 0 ? 'failure' : 'success', latencyMs: 50 + (i % 400), ...(i % 20 === 0 ? { errorCode: 'rate_limited' } : { usage: { inputTokens: 100, outputTokens: 20 } }) }); time += 864; }
  const t = performance.now();
  for (let i = 0; i < 40; i++) r.snapshot();
  console.log('snapshot ms', (performance.now() - t) / 40);
}
