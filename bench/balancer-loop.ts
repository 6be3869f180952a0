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
 *
 * Cases: `defaults`, `stream` (a whole stream), `failover` (a failing first target, as in the
 * bench), `concurrent` (batches of 32 calls; `calls` counts calls).
 */
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
  const [name = 'defaults', callsArgument = '100000', warmUpArgument = '20000'] = process.argv.slice(2);
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
  for (let done = 0; done < calls; ) done += await operation();
}

await main();
