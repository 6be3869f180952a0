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
 * paid per bytes allocated, not per call.
 *
 * With `--events` after the arguments it also says, for each kind of periodic work the balancer
 * (or V8) does inside a call, in how many calls it happened and how many of the slow ones it
 * explains: a latency-window refresh, a metrics sketch that grew, a new metrics bucket, the
 * metrics prune, an outcome-window bucket roll, a GC pause overlapping the call, the first calls
 * after a pause. It reads the balancer's state between calls (outside the timed part, so the
 * calls themselves run unchanged) and the GC through `PerformanceObserver`. Cases: `defaults`, `failover` (as in the bench),
 * `stream` (a whole stream), `first-chunk` (a stream closed after its first chunk), `floor` (80 plain awaits, no balancer code).
 */
import type { Balancer } from '@ballast/balancer';
import type { ChatModel } from '@ballast/core';
import { balancerOf, instantModel, models, readAll, request } from './balancer.bench';
import { GcRecorder } from './gc-overlap';

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
  'first-chunk': async () => {
    for await (const _chunk of plain.stream(request)) break;
  },
  floor: async () => {
    let sum = 0;
    for (let index = 0; index < 80; index++) sum += await Promise.resolve(index);
    return sum;
  },
};

/** Held until the next call, so the padding is not optimised away. */
let padding: number[] = [];

const balancerOfCase: Record<string, Balancer | undefined> = {
  defaults: plain,
  failover,
  stream: plain,
  'first-chunk': plain,
};

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const withEvents = argv.includes('--events');
  const [name = 'failover', callsArgument = '60000', padArgument = '0'] = argv.filter(
    (a) => a !== '--events',
  );
  const call = cases[name];
  const calls = Number(callsArgument);
  const padLength = Math.round(Number(padArgument) / 8);
  if (!call || !(calls >= 1000) || !(padLength >= 0)) {
    console.error(
      `usage: balancer-tail.ts <${Object.keys(cases).join('|')}> [calls ≥ 1000] [padBytes] [--events]`,
    );
    process.exitCode = 1;
    return;
  }
  const operation = () => {
    if (padLength > 0) padding = new Array<number>(padLength).fill(0.5);
    return call();
  };
  for (let index = 0; index < 20_000; index++) await operation();
  const times = new Float64Array(calls);
  const starts = new Float64Array(calls);
  if (!withEvents) {
    for (let index = 0; index < calls; index++) {
      const started = performance.now();
      await operation();
      times[index] = performance.now() - started;
      starts[index] = started;
    }
    report(name, times);
    reportTimePeriods(times, starts);
  } else {
    const balancer = balancerOfCase[name];
    if (!balancer) throw new Error(`--events needs a balancer case, not ${name}`);
    const probe = new StateProbe(balancer);
    const gc = new GcRecorder();
    const events = new Uint32Array(calls);
    let state = probe.read();
    for (let index = 0; index < calls; index++) {
      const started = performance.now();
      await operation();
      times[index] = performance.now() - started;
      starts[index] = started;
      const next = probe.read();
      events[index] = probe.diff(state, next);
      state = next;
    }
    await gc.flush(true);
    gc.dispose();
    report(name, times);
    reportEvents(times, starts, events, gc.pauses);
    reportTimePeriods(times, starts);
  }
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
  console.log(`  periods (period: excess): ${strongestPeriods(slow)}`);
}

/** The six periods (in calls) whose fullest residue holds the most of `slow`, against chance. */
function strongestPeriods(slow: readonly number[]): string {
  const periods: Array<[number, number]> = [];
  for (let period = 2; period <= 600; period++) {
    const residues = new Map<number, number>();
    for (const index of slow) residues.set(index % period, (residues.get(index % period) ?? 0) + 1);
    periods.push([period, Math.max(...residues.values()) / (slow.length / period)]);
  }
  periods.sort((a, b) => b[1] - a[1]);
  return periods
    .slice(0, 6)
    .map(([period, excess]) => `${period}: ${excess.toFixed(1)}`)
    .join(', ');
}

/** Bits of {@link StateProbe.diff}. */
const eventNames = [
  'latency-window refresh',
  'metrics sketch grew',
  'new metrics bucket',
  'metrics prune',
  'outcome-window bucket roll',
  'arming sweep batch not empty',
] as const;

interface ProbedWindow {
  computedAt: number;
}
interface ProbedSketch {
  counts: Float64Array;
}
interface ProbedSeries {
  buckets: Map<number, { latency?: ProbedSketch; ttft?: ProbedSketch }>;
}
interface ProbedRuntime {
  latency: ProbedWindow;
  ttft: ProbedWindow;
  outcomes: { epochs: Float64Array };
  breaker: { window: { epochs: Float64Array } };
}
interface ProbedBalancer {
  runtimes: ProbedRuntime[];
  metrics: {
    calls: ProbedSeries;
    targets: Map<string, ProbedSeries>;
    models: Map<string, ProbedSeries>;
    lastPrune: number;
  };
  sweep: { batch: unknown[] };
}

interface ProbedState {
  refreshes: number;
  sketchArrays: Float64Array[];
  buckets: number;
  lastPrune: number;
  epochs: number;
  swept: number;
}

/**
 * Reads the balancer's private state between calls (a bench probe: these fields are not API and
 * may change; `--events` is the only reader).
 */
class StateProbe {
  private readonly internals: ProbedBalancer;

  constructor(balancer: Balancer) {
    this.internals = balancer as unknown as ProbedBalancer;
  }

  read(): ProbedState {
    const { runtimes, metrics, sweep } = this.internals;
    let refreshes = 0;
    let epochs = 0;
    for (const runtime of runtimes) {
      // Each refresh moves a window's `computedAt` (−∞ until the first): count the changes.
      if (Number.isFinite(runtime.latency.computedAt)) refreshes += runtime.latency.computedAt;
      if (Number.isFinite(runtime.ttft.computedAt)) refreshes += runtime.ttft.computedAt;
      for (const epoch of runtime.outcomes.epochs) epochs += epoch;
      for (const epoch of runtime.breaker.window.epochs) epochs += epoch;
    }
    const series = [metrics.calls, ...metrics.targets.values(), ...metrics.models.values()];
    const sketchArrays: Float64Array[] = [];
    let buckets = 0;
    for (const one of series) {
      buckets += one.buckets.size;
      for (const bucket of one.buckets.values()) {
        if (bucket.latency) sketchArrays.push(bucket.latency.counts);
        if (bucket.ttft) sketchArrays.push(bucket.ttft.counts);
      }
    }
    return {
      refreshes,
      sketchArrays,
      buckets,
      lastPrune: metrics.lastPrune,
      epochs,
      swept: sweep.batch.length,
    };
  }

  diff(before: ProbedState, after: ProbedState): number {
    let bits = 0;
    if (before.refreshes !== after.refreshes) bits |= 1;
    const grew =
      before.sketchArrays.length !== after.sketchArrays.length ||
      before.sketchArrays.some((counts, index) => counts !== after.sketchArrays[index]);
    if (grew) bits |= 2;
    if (before.buckets !== after.buckets) bits |= 4;
    if (before.lastPrune !== after.lastPrune) bits |= 8;
    if (before.epochs !== after.epochs) bits |= 16;
    if (after.swept > 0) bits |= 32;
    return bits;
  }
}

function reportEvents(
  times: Float64Array,
  starts: Float64Array,
  events: Uint32Array,
  pauses: ReadonlyArray<{ start: number; end: number }>,
): void {
  const calls = times.length;
  const sorted = Array.from(times).sort((a, b) => a - b);
  const p99 = sorted[Math.ceil(0.99 * calls) - 1] ?? Number.NaN;
  // Calls since the last GC pause ended: 0 = a pause overlapped the call.
  const ordered = pauses.filter((pause) => pause.end >= (starts[0] ?? 0)).sort((a, b) => a.start - b.start);
  const sinceGc = new Int32Array(calls).fill(1_000_000);
  let next = 0;
  let lastHit = -1_000_000;
  for (let index = 0; index < calls; index++) {
    const end = (starts[index] ?? 0) + (times[index] ?? 0);
    let hit = false;
    while (next < ordered.length && (ordered[next]?.start ?? 0) <= end) {
      hit = true;
      next++;
    }
    if (hit) lastHit = index;
    sinceGc[index] = index - lastHit;
  }
  const slowCount = times.reduce((count, time) => (time >= p99 ? count + 1 : count), 0);
  const µs = (ms: number) => (ms * 1000).toFixed(2);
  const line = (label: string, has: (index: number) => boolean) => {
    const own: number[] = [];
    let slow = 0;
    for (let index = 0; index < calls; index++) {
      if (!has(index)) continue;
      own.push(times[index] ?? 0);
      if ((times[index] ?? 0) >= p99) slow++;
    }
    own.sort((a, b) => a - b);
    const median = own.length === 0 ? '—' : `${µs(own[own.length >> 1] ?? 0)} µs`;
    console.log(
      `  ${label}: ${own.length} calls (${((100 * own.length) / calls).toFixed(2)} %), ${slow} of the ${slowCount} at or above p99; their median ${median}`,
    );
  };
  console.log('  what the calls did (state read between calls; GC from PerformanceObserver):');
  eventNames.forEach((label, bit) => {
    line(label, (index) => ((events[index] ?? 0) & (1 << bit)) !== 0);
  });
  line('a GC pause overlapped the call', (index) => sinceGc[index] === 0);
  line('first call after a GC pause', (index) => sinceGc[index] === 1);
  line('2nd–8th call after a GC pause', (index) => (sinceGc[index] ?? 0) >= 2 && (sinceGc[index] ?? 0) <= 8);
  line('none of these', (index) => events[index] === 0 && (sinceGc[index] ?? 0) > 8);
  // Where the slow calls fall between two GC pauses (tenths of the cycle, in calls): a work that
  // V8 does every so many bytes allocated shows as a peak at a fixed fraction of the cycle.
  const hitCalls: number[] = [];
  for (let index = 0; index < calls; index++) if (sinceGc[index] === 0) hitCalls.push(index);
  const tenths = new Array<number>(10).fill(0);
  for (let cycle = 1; cycle < hitCalls.length; cycle++) {
    const from = hitCalls[cycle - 1] ?? 0;
    const to = hitCalls[cycle] ?? 0;
    for (let index = from + 1; index < to; index++) {
      if ((times[index] ?? 0) < p99) continue;
      const tenth = Math.min(9, Math.floor((10 * (index - from)) / (to - from)));
      tenths[tenth] = (tenths[tenth] ?? 0) + 1;
    }
  }
  console.log(`  slow calls between two GC pauses, by tenth of the cycle: ${tenths.join(' ')}`);
  // GC pauses come every so many calls (bytes per call × the young generation's size), so the
  // calls they hit, and the calls right after them, share one residue of that period and of its
  // divisors: the periods again without them.
  const slowWithoutGc: number[] = [];
  for (let index = 0; index < calls; index++)
    if ((times[index] ?? 0) >= p99 && (sinceGc[index] ?? 0) > 1) slowWithoutGc.push(index);
  console.log(
    `  periods of the ${slowWithoutGc.length} slow calls neither during nor right after a GC pause (period: excess): ${strongestPeriods(slowWithoutGc)}`,
  );
}

/**
 * Whether the slow calls recur on a period of *time* rather than of calls (a timer interrupt, another
 * process's time slice): the Rayleigh statistic of their start times for periods of 0.1–20 ms
 * (n·R² with R the mean resultant length; ≈ 1 for no rhythm, ≥ 20 is far beyond chance).
 */
function reportTimePeriods(times: Float64Array, starts: Float64Array): void {
  const sorted = Array.from(times).sort((a, b) => a - b);
  const p99 = sorted[Math.ceil(0.99 * times.length) - 1] ?? Number.NaN;
  const at: number[] = [];
  for (let index = 0; index < times.length; index++)
    if ((times[index] ?? 0) >= p99) at.push(starts[index] ?? 0);
  const span = (starts[starts.length - 1] ?? 0) - (starts[0] ?? 0);
  const found: Array<[number, number]> = [];
  for (let period = 0.1; period <= 20; period += (period * period) / span / 8) {
    let cos = 0;
    let sin = 0;
    for (const time of at) {
      const phase = (2 * Math.PI * time) / period;
      cos += Math.cos(phase);
      sin += Math.sin(phase);
    }
    found.push([period, (cos * cos + sin * sin) / at.length]);
  }
  found.sort((a, b) => b[1] - a[1]);
  const shown: Array<[number, number]> = [];
  for (const entry of found) {
    if (shown.length === 5) break;
    if (shown.every(([period]) => Math.abs(period - entry[0]) > period * 0.02)) shown.push(entry);
  }
  console.log(
    `  time periods of the slow calls (ms: n·R²; ≈ 1 is chance): ${shown
      .map(([period, score]) => `${period.toFixed(4)}: ${score.toFixed(1)}`)
      .join(', ')}; mean call-to-call ${((span / (times.length - 1)) * 1000).toFixed(2)} µs`,
  );
}

await main();
