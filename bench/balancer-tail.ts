/**
 * What the slowest 1 % of balanced calls have in common: whether they recur every so many calls
 * (a periodic cost of the balancer, or of V8 driven by its allocation) or come in bursts (the
 * machine: another job's time slice, an interrupt). Times `calls` sequential calls of one case
 * after a warm-up, then, over the calls at or above p99:
 *
 * - the most common gaps between consecutive slow calls (a gap of 1 is a burst);
 * - the periods whose most frequent residue holds far more slow calls than chance would give
 *   (excess = that count ÷ slow calls per residue; with ~600 slow calls an excess under ~10 is
 *   chance for periods in the hundreds).
 *
 *   npx tsx --conditions=@ballast/source bench/balancer-tail.ts failover [calls] [padBytes]
 *
 * `padBytes` allocates that much more per call (a plain array): a period that shrinks with it is
 * paid per bytes allocated, not per call. Cases: `defaults`, `failover` (as in the bench),
 * `stream` (a whole stream), `floor` (80 plain awaits, no balancer code).
 */
import type { ChatModel } from '@ballast/core';
import { balancerOf, instantModel, models, readAll, request } from './balancer.bench';

const failing: ChatModel = instantModel('failing', true);
const failover = balancerOf(
  { strategy: 'failover', retry: { budget: false }, circuitBreaker: { minimumRequests: 1_000_000_000 } },
  [failing, ...models.slice(1)],
);
const plain = balancerOf();

const cases: Record<string, () => Promise<unknown>> = {
  defaults: () => plain.chat(request),
  failover: () => failover.chat(request),
  stream: () => readAll(plain.stream(request)),
  floor: async () => {
    let sum = 0;
    for (let index = 0; index < 80; index++) sum += await Promise.resolve(index);
    return sum;
  },
};

/** Held until the next call, so the padding is not optimised away. */
let padding: number[] = [];

async function main(): Promise<void> {
  const [name = 'failover', callsArgument = '60000', padArgument = '0'] = process.argv.slice(2);
  const call = cases[name];
  const calls = Number(callsArgument);
  const padLength = Math.round(Number(padArgument) / 8);
  if (!call || !(calls >= 1000) || !(padLength >= 0)) {
    console.error(`usage: balancer-tail.ts <${Object.keys(cases).join('|')}> [calls ≥ 1000] [padBytes]`);
    process.exitCode = 1;
    return;
  }
  const operation = () => {
    if (padLength > 0) padding = new Array<number>(padLength).fill(0.5);
    return call();
  };
  for (let index = 0; index < 20_000; index++) await operation();
  const times = new Float64Array(calls);
  for (let index = 0; index < calls; index++) {
    const started = performance.now();
    await operation();
    times[index] = performance.now() - started;
  }
  report(name, times);
  if (padding.length < 0) console.log(padding); // keeps `padding` read
}

function report(name: string, times: Float64Array): void {
  const sorted = Array.from(times).sort((a, b) => a - b);
  const quantile = (q: number) => sorted[Math.ceil(q * sorted.length) - 1] ?? Number.NaN;
  const p99 = quantile(0.99);
  const slow: number[] = [];
  for (let index = 0; index < times.length; index++) if ((times[index] ?? 0) >= p99) slow.push(index);
  const µs = (ms: number) => (ms * 1000).toFixed(2);
  console.log(
    `${name}: p50 ${µs(quantile(0.5))} µs, p99 ${µs(p99)} µs, p99.9 ${µs(quantile(0.999))} µs; ${slow.length} calls at or above p99`,
  );
  const gaps = new Map<number, number>();
  for (let index = 1; index < slow.length; index++) {
    const gap = (slow[index] ?? 0) - (slow[index - 1] ?? 0);
    gaps.set(gap, (gaps.get(gap) ?? 0) + 1);
  }
  const commonGaps = [...gaps.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8);
  console.log(
    `  most common gaps (gap: count): ${commonGaps.map(([gap, count]) => `${gap}: ${count}`).join(', ')}`,
  );
  const periods: Array<[number, number]> = [];
  for (let period = 2; period <= 600; period++) {
    const residues = new Map<number, number>();
    for (const index of slow) residues.set(index % period, (residues.get(index % period) ?? 0) + 1);
    periods.push([period, Math.max(...residues.values()) / (slow.length / period)]);
  }
  periods.sort((a, b) => b[1] - a[1]);
  console.log(
    `  periods (period: excess): ${periods
      .slice(0, 6)
      .map(([period, excess]) => `${period}: ${excess.toFixed(1)}`)
      .join(', ')}`,
  );
}

await main();
