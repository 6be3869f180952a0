/**
 * Balancer overhead, honestly: p50 and p99 of calling 8 in-process instant ChatModels through a
 * balancer, next to calling one model directly, for every configuration that adds machinery —
 * the defaults, a per-call `timeoutMs`, `attemptTimeoutMs`, a caller signal, all of them at once,
 * streams (first chunk and whole stream), a failing first target (one failover) and 32 concurrent
 * callers. Every configuration runs in many short interleaved rounds (alternating which side goes
 * first) so drift on the noisy shared cores hits both sides alike; the overhead row of each is
 * the balancer's quantile minus the direct quantile. Every GC pause of the process is recorded
 * (`PerformanceObserver`), so each row also says how many samples a pause landed in and what its
 * p99 is without them. Noise floors (plain awaits, no balancer code) show what the shared machine
 * does to code of the same length: one per row (a column), and two rows, the default row's and
 * the concurrent batch's. Then the cost of `record()` and `snapshot()`.
 */

import { type Balancer, type BalancerConfig, createBalancer } from '@ballast/balancer';
import { ApiCallError, type ChatModel, type ChatRequest, type ChatResult, createUsage } from '@ballast/core';
import { GcRecorder, type TimedSamples } from './gc-overlap';
import { allocatedBytesPerCall } from './heap-allocation';

export function instantModel(modelId: string, fail = false): ChatModel {
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
  const error = new ApiCallError({
    message: 'instant 503',
    code: 'overloaded',
    provider: 'bench',
    statusCode: 503,
    isRetryable: true,
  });
  return {
    provider: 'bench',
    modelId,
    capabilities: { tools: true, vision: false, jsonMode: true, jsonSchema: true, streaming: true },
    chat: fail
      ? async () => {
          throw error;
        }
      : async () => result,
    async *stream() {
      yield { type: 'text-delta', text: 'ok' };
      yield { type: 'finish', result };
    },
  };
}

export function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
}

const micro = (ms: number) => Number((ms * 1000).toFixed(2));

export const request: ChatRequest = {
  messages: [{ role: 'user', content: 'benchmark prompt' }],
  maxTokens: 16,
};
export const models = Array.from({ length: 8 }, (_, index) => instantModel(`m${index}`));
const direct = models[0] as ChatModel;

export function balancerOf(extra: Partial<BalancerConfig> = {}, targets = models): Balancer {
  return createBalancer(
    {
      name: 'bench',
      targets: targets.map((model, index) => ({
        id: `t${index}`,
        model,
        priority: index,
        price: { inputPerMillion: 0.1 * (index + 1), outputPerMillion: 0.4 },
      })),
      ...extra,
    },
    {},
  );
}

/** One timed operation; resolves to the number of calls it stands for. */
export type Operation = () => Promise<number>;

interface Case {
  name: string;
  direct: Operation;
  balanced: Operation;
}

const callers = 32;

const one =
  (run: () => Promise<unknown>): Operation =>
  async () => {
    await run();
    return 1;
  };

export async function readAll(stream: AsyncIterable<unknown>): Promise<void> {
  for await (const _chunk of stream) {
    // drain
  }
}

async function firstChunk(stream: AsyncIterable<unknown>): Promise<void> {
  for await (const _chunk of stream) return; // `return` closes the stream (and books it as cancelled)
}

function cases(): Case[] {
  const plain = balancerOf();
  const withTimeout = balancerOf();
  const withAttemptTimeout = balancerOf({ attemptTimeoutMs: 30_000 });
  const everything = balancerOf({ attemptTimeoutMs: 30_000, firstTokenTimeoutMs: 10_000 });
  const signal = new AbortController().signal;
  const failing = instantModel('failing', true);
  // The circuit must stay closed, or the failing target would be skipped instead of failed over.
  const failover = balancerOf(
    { strategy: 'failover', retry: { budget: false }, circuitBreaker: { minimumRequests: 1_000_000_000 } },
    [failing, ...models.slice(1)],
  );
  const concurrent = balancerOf();
  // Both sides the same way: `callers` calls started together, awaited as one batch.
  const batch = (model: ChatModel): Operation => batchOf(() => model.chat(request));
  return [
    {
      name: 'defaults (120 s call / 60 s attempt deadlines)',
      direct: one(() => direct.chat(request)),
      balanced: one(() => plain.chat(request)),
    },
    {
      name: 'timeoutMs: 30 000 per call',
      direct: one(() => direct.chat(request)),
      balanced: one(() => withTimeout.chat(request, { timeoutMs: 30_000 })),
    },
    {
      name: 'attemptTimeoutMs: 30 000',
      direct: one(() => direct.chat(request)),
      balanced: one(() => withAttemptTimeout.chat(request)),
    },
    {
      name: 'caller signal',
      direct: one(() => direct.chat(request, { signal })),
      balanced: one(() => plain.chat(request, { signal })),
    },
    {
      name: 'timeoutMs + attemptTimeoutMs + signal',
      direct: one(() => direct.chat(request, { signal })),
      balanced: one(() => everything.chat(request, { signal, timeoutMs: 30_000 })),
    },
    {
      name: 'stream: first chunk (TTFT overhead)',
      direct: one(() => firstChunk(direct.stream(request))),
      balanced: one(() => firstChunk(plain.stream(request))),
    },
    {
      name: 'stream: whole stream',
      direct: one(() => readAll(direct.stream(request))),
      balanced: one(() => readAll(plain.stream(request))),
    },
    {
      name: 'failing first target (one failover)',
      direct: one(async () => {
        await failing.chat(request).catch(() => undefined);
        return direct.chat(request);
      }),
      balanced: one(() => failover.chat(request)),
    },
    {
      name: `${callers} concurrent callers (per call)`,
      direct: batch(direct),
      balanced: batch(concurrent),
    },
  ];
}

/**
 * The machine's own tail: a loop of resolved awaits that takes as long as a balanced call at the
 * median but runs no balancer code. Whatever p99 it shows is scheduling and interrupt noise on
 * this shared machine, which any code of that duration suffers; the balancer's p99 is read
 * against it.
 */
export function noiseFloor(awaits: number): Operation {
  const tick = async (value: number) => value + 1;
  return async () => {
    let sum = 0;
    for (let index = 0; index < awaits; index++) sum += await tick(index);
    return sum >= 0 ? 1 : 1;
  };
}

/**
 * The p99 of a noise-floor loop as long as a row's balanced call at the median, measured right
 * after the row in rounds interleaved with that call (order alternating): what the machine alone
 * does to code of the row's length, at nearly the same moment. The row's p99 above it is, within
 * the drift of a minute on a shared machine, the balancer's own tail.
 */
async function ownNoiseFloor(
  balanced: Operation,
  p50Ms: number,
  rounds: number,
  perRound: number,
): Promise<{ awaits: number; p99: number }> {
  const awaits = await calibrateNoiseFloor(p50Ms);
  const floorTimes: number[] = [];
  const scratch: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const pair: Array<[Operation, number[]]> = [
      [noiseFloor(awaits), floorTimes],
      [balanced, scratch],
    ];
    if (round % 2 === 1) pair.reverse();
    for (const [operation, into] of pair) await measure(operation, perRound, into);
  }
  floorTimes.sort((a, b) => a - b);
  return { awaits, p99: quantile(floorTimes, 0.99) };
}

/** `callers` runs of `run` started together and awaited as one batch: one sample per batch. */
function batchOf(run: () => Promise<unknown>): Operation {
  return async () => {
    await Promise.all(Array.from({ length: callers }, run));
    return callers;
  };
}

/**
 * The concurrent row's noise floor: `callers` await loops started together, as long per call as
 * the concurrent row at the median. A batch runs `callers` times longer than one call, so a
 * descheduling of the process (a time slice of another job on the shared cores, milliseconds
 * long) lands in far more batches than single calls; this row shows how much of the concurrent
 * row's p99 that alone explains.
 */
function batchNoiseFloor(awaits: number): Operation {
  const loop = noiseFloor(awaits);
  return batchOf(loop);
}

async function medianOf(operation: Operation, iterations: number): Promise<number> {
  const times: number[] = [];
  await measure(operation, iterations, times);
  return quantile(
    times.sort((a, b) => a - b),
    0.5,
  );
}

/**
 * How many awaits make the noise-floor loop as long as `targetMs` at the median (per call: for a
 * batch, each of its loops).
 */
export async function calibrateNoiseFloor(
  targetMs: number,
  floor: (awaits: number) => Operation = noiseFloor,
): Promise<number> {
  const probe = 100;
  const iterations = floor === noiseFloor ? 5_000 : 500;
  await measure(floor(probe), iterations, []);
  const perAwaitMs = (await medianOf(floor(probe), iterations)) / probe;
  const estimate = Math.max(1, Math.round(targetMs / perAwaitMs));
  // An await costs less in a short loop than in a long one (more garbage): check the estimate
  // once at its own length and rescale.
  const measured = await medianOf(floor(estimate), iterations);
  return Math.max(1, Math.round((estimate * targetMs) / measured));
}

/** Runs `operation` `iterations` times; pushes the time per call of each, and its start and end. */
export async function measure(
  operation: Operation,
  iterations: number,
  into: number[],
  timed?: TimedSamples,
): Promise<void> {
  for (let index = 0; index < iterations; index++) {
    const started = performance.now();
    const calls = await operation();
    const ended = performance.now();
    into.push((ended - started) / calls);
    timed?.starts.push(started);
    timed?.ends.push(ended);
  }
}

/** What the GC did to one side of a row: pauses per 1 000 calls, share of samples hit, p99 without them. */
function gcEffect(
  gc: GcRecorder,
  times: readonly number[],
  timed: TimedSamples,
  callsPerSample: number,
): { pausesPer1kCalls: number; hitShare: number; p99WithoutHit: number } {
  const { hit, pausesInside } = gc.overlap(timed);
  const clean = times.filter((_, index) => !hit[index]).sort((a, b) => a - b);
  const hits = hit.filter(Boolean).length;
  return {
    pausesPer1kCalls: (pausesInside / (times.length * callsPerSample)) * 1000,
    hitShare: hits / Math.max(1, times.length),
    p99WithoutHit: quantile(clean, 0.99),
  };
}

export default async function run(): Promise<{
  name: string;
  rows: Array<Record<string, string | number>>;
  notes: string[];
}> {
  const rounds = 20;
  const perRound = 1_500;
  const warmUp = 10_000;
  const rows: Array<Record<string, string | number>> = [];
  const all = cases();
  const gc = new GcRecorder();
  const gcPending: Array<{
    index: number;
    callsPerSample: number;
    direct: { times: number[]; timed: TimedSamples };
    balanced: { times: number[]; timed: TimedSamples };
  }> = [];
  // One pass over every case first, so the first row does not pay for JIT warm-up and for the
  // garbage of whatever ran before it.
  for (const testCase of all) {
    await measure(testCase.direct, 2_000, []);
    await measure(testCase.balanced, 2_000, []);
  }
  for (const testCase of all) {
    const concurrent = testCase.name.includes('concurrent');
    const iterations = concurrent ? Math.ceil(perRound / 32) * 4 : perRound;
    const scratch: number[] = [];
    await measure(testCase.direct, concurrent ? warmUp / 32 : warmUp, scratch);
    await measure(testCase.balanced, concurrent ? warmUp / 32 : warmUp, scratch);
    const directTimes: number[] = [];
    const balancedTimes: number[] = [];
    const directTimed: TimedSamples = { starts: [], ends: [] };
    const balancedTimed: TimedSamples = { starts: [], ends: [] };
    for (let round = 0; round < rounds; round++) {
      if (round % 2 === 0) {
        await measure(testCase.direct, iterations, directTimes, directTimed);
        await measure(testCase.balanced, iterations, balancedTimes, balancedTimed);
      } else {
        await measure(testCase.balanced, iterations, balancedTimes, balancedTimed);
        await measure(testCase.direct, iterations, directTimes, directTimed);
      }
    }
    // GC entries arrive late (Node delivers them from its event loop, which the measured loop of
    // microtasks never reaches): the GC columns are filled in at the end, from these.
    gcPending.push({
      index: rows.length,
      callsPerSample: concurrent ? callers : 1,
      direct: { times: directTimes.slice(), timed: directTimed },
      balanced: { times: balancedTimes.slice(), timed: balancedTimed },
    });
    directTimes.sort((a, b) => a - b);
    balancedTimes.sort((a, b) => a - b);
    const directBytes = await allocatedBytesPerCall(
      testCase.direct,
      concurrent ? 100 : 400,
      concurrent ? 1 : 16,
    );
    const balancedBytes = await allocatedBytesPerCall(
      testCase.balanced,
      concurrent ? 100 : 400,
      concurrent ? 1 : 16,
    );
    const p50 = quantile(balancedTimes, 0.5) - quantile(directTimes, 0.5);
    const p99 = quantile(balancedTimes, 0.99) - quantile(directTimes, 0.99);
    // The concurrent row's floor is a batch of loops, measured below with the other floor row.
    const ownFloor = concurrent
      ? undefined
      : await ownNoiseFloor(testCase.balanced, quantile(balancedTimes, 0.5), rounds, perRound);
    rows.push({
      case: testCase.name,
      'p99 above noise floor µs': '',
      samples: balancedTimes.length,
      'direct p50 µs': micro(quantile(directTimes, 0.5)),
      'direct p99 µs': micro(quantile(directTimes, 0.99)),
      'balancer p50 µs': micro(quantile(balancedTimes, 0.5)),
      'balancer p99 µs': micro(quantile(balancedTimes, 0.99)),
      'overhead p50 µs': micro(p50),
      'overhead p99 µs': micro(p99),
      'direct B/call': directBytes,
      'balancer B/call': balancedBytes,
      'GC pauses /1k calls, direct / balancer': '',
      'samples a GC hit %, direct / balancer': '',
      'balancer p99 µs without GC-hit samples': '',
      'noise floor p99 µs (same p50)': ownFloor ? micro(ownFloor.p99) : '',
    });
  }

  // The noise floor, measured interleaved with the default configuration it is calibrated to.
  const defaults = all[0] as Case;
  const awaits = await calibrateNoiseFloor(await medianOf(defaults.balanced, 5_000));
  const floorTimes: number[] = [];
  const defaultTimes: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const pair: Array<[Operation, number[]]> = [
      [noiseFloor(awaits), floorTimes],
      [defaults.balanced, defaultTimes],
    ];
    if (round % 2 === 1) pair.reverse();
    for (const [operation, into] of pair) await measure(operation, perRound, into);
  }
  floorTimes.sort((a, b) => a - b);
  defaultTimes.sort((a, b) => a - b);
  rows.push(
    floorRow(`noise floor: ${awaits} plain awaits (no balancer code), same p50 as defaults`, floorTimes),
  );

  // The concurrent row's own floor: batches of plain await loops as long as its batches, interleaved.
  const concurrentCase = all.find((testCase) => testCase.name.includes('concurrent')) as Case;
  const batchIterations = Math.ceil(perRound / callers) * 4;
  const batchAwaits = await calibrateNoiseFloor(
    await medianOf(concurrentCase.balanced, 500),
    batchNoiseFloor,
  );
  const batchFloorTimes: number[] = [];
  const batchTimes: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const pair: Array<[Operation, number[]]> = [
      [batchNoiseFloor(batchAwaits), batchFloorTimes],
      [concurrentCase.balanced, batchTimes],
    ];
    if (round % 2 === 1) pair.reverse();
    for (const [operation, into] of pair) await measure(operation, batchIterations, into);
  }
  batchFloorTimes.sort((a, b) => a - b);
  const batchFloorP99 = quantile(batchFloorTimes, 0.99);
  rows.push(
    floorRow(
      `noise floor (concurrent): ${callers} × ${batchAwaits} plain awaits started together, same per-call p50 as the concurrent row`,
      batchFloorTimes,
    ),
  );
  for (const row of rows) {
    if (typeof row['balancer p99 µs'] !== 'number' || String(row.case).startsWith('noise floor')) continue;
    if (String(row.case).includes('concurrent')) row['noise floor p99 µs (same p50)'] = micro(batchFloorP99);
    const floor = Number(row['noise floor p99 µs (same p50)']) / 1000;
    row['p99 above noise floor µs'] = micro(Number(row['balancer p99 µs']) / 1000 - floor);
  }
  await gc.flush(true);
  for (const { index, callsPerSample, direct, balanced } of gcPending) {
    const row = rows[index] as Record<string, string | number>;
    const directGc = gcEffect(gc, direct.times, direct.timed, callsPerSample);
    const balancedGc = gcEffect(gc, balanced.times, balanced.timed, callsPerSample);
    row['GC pauses /1k calls, direct / balancer'] =
      `${directGc.pausesPer1kCalls.toFixed(2)} / ${balancedGc.pausesPer1kCalls.toFixed(2)}`;
    row['samples a GC hit %, direct / balancer'] =
      `${(directGc.hitShare * 100).toFixed(2)} / ${(balancedGc.hitShare * 100).toFixed(2)}`;
    row['balancer p99 µs without GC-hit samples'] = micro(balancedGc.p99WithoutHit);
  }
  gc.dispose();

  const clock = { time: Date.now() };
  const recorder = createBalancer(
    {
      name: 'snapshot',
      now: () => clock.time,
      targets: models.map((model) => ({ model, price: { inputPerMillion: 0.1, outputPerMillion: 0.4 } })),
    },
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
  const timing = (name: string, samples: number, p50: number, p99: number | string) => ({
    ...emptyRow,
    case: name,
    'p99 above noise floor µs': '',
    samples,
    'direct p50 µs': '',
    'direct p99 µs': '',
    'balancer p50 µs': micro(p50),
    'balancer p99 µs': typeof p99 === 'number' ? micro(p99) : p99,
    'overhead p50 µs': '',
    'overhead p99 µs': '',
  });
  rows.push(
    timing(`record() × ${recorded} (mean, 24 h of 1-min buckets)`, recorded, recordMs / recorded, ''),
    timing('first snapshot() over 24 h (builds rollups)', 1, coldSnapshotMs, ''),
    timing(
      'snapshot() over 24 h after 100k calls',
      20,
      quantile(snapshotTimes, 0.5),
      quantile(snapshotTimes, 0.99),
    ),
    timing('snapshot({ sinceMs: 1 h })', 20, quantile(lastHour, 0.5), quantile(lastHour, 0.99)),
  );

  return {
    name: 'balancer overhead',
    rows: rows.map(({ 'p99 above noise floor µs': aboveFloor, ...row }) => ({
      ...row,
      'p99 above noise floor µs': aboveFloor ?? '',
    })),
    notes: [
      `Each configuration: ${rounds} interleaved rounds × ${perRound} sequential calls each way (order alternating) after ${warmUp} warm-up calls each; 8 instant targets.`,
      'Overhead = balancer quantile − direct quantile (a difference of distributions, not of paired calls). Goal: p50 ≤ 5 µs, p99 ≤ 20 µs.',
      `Concurrent row: ${callers} calls started together and awaited as a batch, on both sides; one sample = batch time / ${callers}. Its p99 is the p99 of batches: a batch runs ${callers}× longer than one call, so a GC pause or a descheduling of the process lands in ${callers}× more samples; read it against its own noise floor (the "noise floor (concurrent)" row).`,
      'GC columns: every GC pause of the process (PerformanceObserver "gc" entries) against the samples it overlapped; "without GC-hit samples" is the p99 of the samples no pause touched (shown, not used for the overhead).',
      'B/call: JavaScript heap allocated per call (median growth of the used heap over short blocks of calls, see bench/heap-allocation.ts); the direct column is the floor of calling a model and awaiting it.',
      'Noise floor: a loop of resolved awaits (no balancer code) calibrated to a row\'s balancer p50 and measured in rounds interleaved with it; its p99 ("noise floor p99 µs (same p50)") is what this shared machine does to any code of that length at that moment, and "p99 above noise floor" is the row\'s balancer p99 minus it. The two noise-floor rows: the default row\'s floor, and the concurrent row\'s (batches of loops).',
      'Runs from source under tsx (esbuild keepNames), slightly slower than the built package. Compare rows within one run only.',
    ],
  };
}

/** The columns a row without a direct side leaves empty. */
const emptyRow: Record<string, string> = {
  'direct B/call': '',
  'balancer B/call': '',
  'GC pauses /1k calls, direct / balancer': '',
  'samples a GC hit %, direct / balancer': '',
  'balancer p99 µs without GC-hit samples': '',
  'noise floor p99 µs (same p50)': '',
};

/** A noise-floor row: plain awaits, no balancer code; its p50 and p99 in the balancer columns. */
function floorRow(name: string, sorted: readonly number[]): Record<string, string | number> {
  return {
    case: name,
    'p99 above noise floor µs': '',
    samples: sorted.length,
    'direct p50 µs': '',
    'direct p99 µs': '',
    'balancer p50 µs': micro(quantile(sorted, 0.5)),
    'balancer p99 µs': micro(quantile(sorted, 0.99)),
    'overhead p50 µs': '',
    'overhead p99 µs': '',
    ...emptyRow,
  };
}
