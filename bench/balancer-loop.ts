/**
 * A fixed amount of balancer work for instruction counts: `calls` calls of one bench case after
 * `warmUp` calls, nothing else. On this shared, noisy machine wall time is unreliable, but the
 * instructions a run executes are repeatable under any load:
 *
 *   valgrind --tool=callgrind --callgrind-out-file=/dev/null \
 *     node --single-threaded --import tsx --conditions=@ballast/source bench/balancer-loop.ts defaults 100000
 *
 * Instructions per call = (that run − the same run with `calls` = 0) / calls. (Bundling this file
 * first, e.g. with esbuild and `--conditions=@ballast/source`, keeps tsx's compiler out of the run.)
 * Add `--import ./bench/fixed-clock.mjs` to stop the clocks: then two runs of the same code agree
 * to a few instructions per call (see docs/balancer.md, Performance, and docs/history/balancer-performance.md).
 *
 * With `--allocation` after the counts, the loop prints the bytes per call allocated on the
 * JavaScript heap instead (V8's sampling heap profiler at a 64-byte interval, objects the GC
 * already collected included).
 *
 * Cases: `defaults`, `everything` (`timeoutMs` + `attemptTimeoutMs` + a caller signal), `stream`
 * (a whole stream), `first-chunk` (a stream closed after its first chunk), `failover` (a failing
 * first target, as in the bench), `concurrent` (batches of 32 calls; `calls` counts calls).
 */
import { Session } from 'node:inspector/promises';
import type { ChatModel } from '@ballast/core';
import { balancerOf, instantModel, models, readAll, request } from './balancer.bench';

const cases: Record<string, () => () => Promise<number>> = {
  defaults: () => {
    const balancer = balancerOf();
    return async () => {
      await balancer.chat(request);
      return 1;
    };
  },
  everything: () => {
    const balancer = balancerOf({ attemptTimeoutMs: 30_000, firstTokenTimeoutMs: 10_000 });
    const signal = new AbortController().signal;
    return async () => {
      await balancer.chat(request, { signal, timeoutMs: 30_000 });
      return 1;
    };
  },
  'first-chunk': () => {
    const balancer = balancerOf();
    return async () => {
      for await (const _chunk of balancer.stream(request)) break;
      return 1;
    };
  },
  stream: () => {
    const balancer = balancerOf();
    return async () => {
      await readAll(balancer.stream(request));
      return 1;
    };
  },
  failover: () => {
    const failing: ChatModel = instantModel('failing', true);
    const balancer = balancerOf(
      { strategy: 'failover', retry: { budget: false }, circuitBreaker: { minimumRequests: 1_000_000_000 } },
      [failing, ...models.slice(1)],
    );
    return async () => {
      await balancer.chat(request);
      return 1;
    };
  },
  concurrent: () => {
    const balancer = balancerOf();
    return async () => {
      await Promise.all(Array.from({ length: 32 }, () => balancer.chat(request)));
      return 32;
    };
  },
};

async function main(): Promise<void> {
  const [name = 'defaults', callsArgument = '100000', warmUpArgument = '20000', mode] = process.argv.slice(2);
  const build = cases[name];
  const calls = Number(callsArgument);
  const warmUp = Number(warmUpArgument);
  if (!build || !(calls >= 0) || !(warmUp >= 0)) {
    console.error(`usage: balancer-loop.ts <${Object.keys(cases).join('|')}> [calls] [warm-up calls]`);
    process.exitCode = 1;
    return;
  }
  const operation = build();
  for (let done = 0; done < warmUp; ) done += await operation();
  if (mode === '--allocation') {
    console.log(`${name}: ${Math.round(await allocatedPerCall(operation, calls))} B/call`);
    return;
  }
  for (let done = 0; done < calls; ) done += await operation();
}

interface SampledNode {
  selfSize: number;
  children: SampledNode[];
}

/** Bytes `calls` calls allocate, per call, by V8's sampling heap profiler. */
async function allocatedPerCall(operation: () => Promise<number>, calls: number): Promise<number> {
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 64,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  for (let done = 0; done < calls; ) done += await operation();
  const { profile } = (await session.post('HeapProfiler.stopSampling')) as { profile: { head: SampledNode } };
  session.disconnect();
  const total = (node: SampledNode): number =>
    node.children.reduce((sum, child) => sum + total(child), node.selfSize);
  return total(profile.head) / calls;
}

await main();
