/**
 * Balancer overhead: a balancer over 8 in-process instant ChatModels vs calling one model
 * directly, in many short interleaved rounds (alternating order), p50/p95 per call and the
 * difference; then the cost of `snapshot()` (first, then repeated) after 100k recorded calls
 * spread over 24 hours of buckets.
 */

import { createBalancer } from '@ballast/balancer';
import { type ChatModel, type ChatRequest, type ChatResult, createUsage } from '@ballast/core';

function instantModel(modelId: string): ChatModel {
  const result: ChatResult = {
    text: 'ok',
    toolCalls: [],
    finishReason: { unified: 'stop', raw: 'stop' },
    usage: createUsage({ inputTokens: 10, outputTokens: 2 }),
    costUsd: 0.000_01,
    latencyMs: 0,
    provider: 'bench',
    modelId,
    raw: undefined,
  };
  return {
    provider: 'bench',
    modelId,
    capabilities: { tools: true, vision: false, jsonMode: true, jsonSchema: true, streaming: true },
    chat: async () => result,
    async *stream() {
      yield { type: 'finish', result };
    },
  };
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
}

const micro = (ms: number) => Number((ms * 1000).toFixed(2));

export default async function run(): Promise<{
  name: string;
  rows: Array<Record<string, string | number>>;
  notes: string[];
}> {
  const models = Array.from({ length: 8 }, (_, index) => instantModel(`m${index}`));
  const balancer = createBalancer(
    {
      name: 'bench',
      targets: models.map((model, index) => ({
        model,
        price: { inputPerMillion: 0.1 * (index + 1), outputPerMillion: 0.4 },
      })),
    },
    {},
  );
  const direct = models[0] as ChatModel;
  const request: ChatRequest = { messages: [{ role: 'user', content: 'benchmark prompt' }], maxTokens: 16 };
  // Many short rounds, alternating which side goes first, so drift (other load on the 2 noisy
  // cores, GC, CPU frequency) hits both sides alike; both sides run the same timing loop.
  const rounds = 40;
  const perRound = 2_500;
  const warmUp = 20_000;
  const balanced: number[] = [];
  const plain: number[] = [];
  const roundDifferences: number[] = [];
  for (let warm = 0; warm < warmUp; warm++) {
    await balancer.chat(request);
    await direct.chat(request);
  }
  const timeRound = async (model: ChatModel, into: number[]): Promise<number> => {
    const times: number[] = [];
    for (let index = 0; index < perRound; index++) {
      const started = performance.now();
      await model.chat(request);
      times.push(performance.now() - started);
    }
    into.push(...times);
    return quantile(
      times.sort((a, b) => a - b),
      0.5,
    );
  };
  for (let round = 0; round < rounds; round++) {
    let directP50: number;
    let balancerP50: number;
    if (round % 2 === 0) {
      directP50 = await timeRound(direct, plain);
      balancerP50 = await timeRound(balancer, balanced);
    } else {
      balancerP50 = await timeRound(balancer, balanced);
      directP50 = await timeRound(direct, plain);
    }
    roundDifferences.push(balancerP50 - directP50);
  }
  balanced.sort((a, b) => a - b);
  plain.sort((a, b) => a - b);
  roundDifferences.sort((a, b) => a - b);

  const clock = { time: Date.now() };
  const recorder = createBalancer(
    { name: 'snapshot', now: () => clock.time, targets: models.map((model) => ({ model })) },
    {},
  );
  const recorded = 100_000;
  const recordStarted = performance.now();
  for (let index = 0; index < recorded; index++) {
    recorder.record({
      targetId: `bench:m${index % 8}`,
      outcome: index % 20 === 0 ? 'failure' : 'success',
      latencyMs: 50 + (index % 400),
      ...(index % 20 === 0
        ? { errorCode: 'rate_limited' }
        : { usage: { inputTokens: 100, outputTokens: 20 } }),
    });
    clock.time += 864; // 100k calls over 24 h
  }
  const recordMs = performance.now() - recordStarted;
  // The first snapshot over a range builds the hourly rollups it then reuses: report it apart.
  const coldStarted = performance.now();
  recorder.snapshot();
  const coldSnapshotMs = performance.now() - coldStarted;
  const snapshotTimes: number[] = [];
  for (let index = 0; index < 20; index++) {
    const started = performance.now();
    recorder.snapshot();
    snapshotTimes.push(performance.now() - started);
  }
  snapshotTimes.sort((a, b) => a - b);
  const lastHour: number[] = [];
  for (let index = 0; index < 20; index++) {
    const started = performance.now();
    recorder.snapshot({ sinceMs: 3_600_000 });
    lastHour.push(performance.now() - started);
  }
  lastHour.sort((a, b) => a - b);

  return {
    name: 'balancer overhead',
    rows: [
      {
        case: 'direct model.chat',
        calls: plain.length,
        'p50 µs': micro(quantile(plain, 0.5)),
        'p95 µs': micro(quantile(plain, 0.95)),
      },
      {
        case: 'balancer.chat (8 targets, weighted)',
        calls: balanced.length,
        'p50 µs': micro(quantile(balanced, 0.5)),
        'p95 µs': micro(quantile(balanced, 0.95)),
      },
      {
        case: 'overhead (balancer − direct)',
        calls: balanced.length,
        'p50 µs': micro(quantile(balanced, 0.5) - quantile(plain, 0.5)),
        'p95 µs': micro(quantile(balanced, 0.95) - quantile(plain, 0.95)),
      },
      {
        case: `overhead, per-round p50 differences (${rounds} rounds)`,
        calls: rounds,
        'p50 µs': micro(quantile(roundDifferences, 0.5)),
        'p95 µs': `min ${micro(roundDifferences[0] ?? Number.NaN)} / max ${micro(roundDifferences[rounds - 1] ?? Number.NaN)}`,
      },
      {
        case: `record() × ${recorded} (24 h of 1-min buckets)`,
        calls: recorded,
        'p50 µs': micro(recordMs / recorded),
        'p95 µs': '',
      },
      {
        case: 'first snapshot() over 24 h (builds rollups)',
        calls: 1,
        'p50 µs': micro(coldSnapshotMs),
        'p95 µs': '',
      },
      {
        case: 'snapshot() over 24 h after 100k calls',
        calls: 20,
        'p50 µs': micro(quantile(snapshotTimes, 0.5)),
        'p95 µs': micro(quantile(snapshotTimes, 0.95)),
      },
      {
        case: 'snapshot({ sinceMs: 1 h })',
        calls: 20,
        'p50 µs': micro(quantile(lastHour, 0.5)),
        'p95 µs': micro(quantile(lastHour, 0.95)),
      },
    ],
    notes: [
      `${rounds} interleaved rounds × ${perRound} sequential calls each way (order alternating), after ${warmUp} warm-up calls each; target p50 overhead ≤ 20 µs.`,
      'Compare direct and balancer within one run only; the per-round row shows how much the overhead moves between rounds.',
      'Models answer instantly in-process, so the numbers are the balancer’s own cost: selection, scoring, route, metrics.',
    ],
  };
}
