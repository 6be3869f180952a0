/**
 * What this machine does to code of a given length, with no balancer code at all: the tail that
 * issue 9's p99 goal (≤ 20 µs, with a p50 up to 5 µs) is measured against.
 *
 *   pnpm bench noise-floor
 *
 * Two kinds of loop, each calibrated to a median of 1–10 µs (finer around the 3–6 µs of a balanced call), all measured in interleaved rounds
 * (the order rotating each round, as the balancer bench interleaves its sides), so that whatever
 * the host does during the run is spread over every row:
 *
 * - `awaits`: resolved awaits, the balancer bench's own noise floor (a promise and a microtask
 *   hop each, like the balancer's call path);
 * - `spin`: integer arithmetic in one synchronous loop, no allocation and no GC: only the machine
 *   (timer ticks, the hypervisor, other processes) can make one sample slower than another.
 *
 * A row whose share of samples at or above 20 µs exceeds 1 % has p99 > 20 µs: on such a run no
 * code of that length can show a p99 under 20 µs, whatever it does.
 */
import { calibrateNoiseFloor, measure, noiseFloor, type Operation, quantile } from './balancer.bench';

const LENGTHS_US = [1, 2, 3, 3.5, 4, 4.5, 5, 5.5, 6, 8, 10];
const ROUNDS = 20;
const PER_ROUND = 1_500;
const GOAL_MS = 0.02;

/** `iterations` steps of a linear congruential generator: CPU only, nothing allocated. */
function spin(iterations: number): Operation {
  return async () => {
    let state = 1;
    for (let index = 0; index < iterations; index++) state = (Math.imul(state, 1_103_515_245) + 12_345) | 0;
    return state === 0.5 ? 2 : 1;
  };
}

interface Row {
  kind: 'awaits' | 'spin';
  lengthUs: number;
  operation: Operation;
  times: number[];
}

async function medianMs(operation: Operation): Promise<number> {
  const times: number[] = [];
  await measure(operation, 1_000, times);
  return quantile(
    times.sort((a, b) => a - b),
    0.5,
  );
}

/**
 * The count (of awaits, or of `spin` steps) whose loop has a median of `targetMs`. Each sample has
 * a fixed cost (the await and the clock) besides the loop, so the count is refined until the
 * median lands within 3 % of the target, instead of scaled once from a short probe (which left
 * loops of awaits up to 40 % short in one run).
 */
async function calibrate(
  targetMs: number,
  loop: (count: number) => Operation,
  start: number,
): Promise<number> {
  let count = start;
  for (let attempt = 0; attempt < 8; attempt++) {
    const measured = await medianMs(loop(count));
    if (Math.abs(measured - targetMs) <= 0.03 * targetMs) break;
    count = Math.max(1, Math.round((count * targetMs) / measured));
  }
  return count;
}

async function calibratedRows(): Promise<Row[]> {
  const rows: Row[] = [];
  for (const lengthUs of LENGTHS_US) {
    const awaits = await calibrate(lengthUs / 1000, noiseFloor, await calibrateNoiseFloor(lengthUs / 1000));
    rows.push({ kind: 'awaits', lengthUs, operation: noiseFloor(awaits), times: [] });
    const steps = await calibrate(lengthUs / 1000, spin, 1_000);
    rows.push({ kind: 'spin', lengthUs, operation: spin(steps), times: [] });
  }
  return rows;
}

export default async function run() {
  const rows = await calibratedRows();
  for (const row of rows) await measure(row.operation, 2_000, []);
  for (let round = 0; round < ROUNDS; round++) {
    const offset = round % rows.length;
    for (let index = 0; index < rows.length; index++) {
      const row = rows[(index + offset) % rows.length]!;
      await measure(row.operation, PER_ROUND, row.times);
    }
  }
  const micro = (ms: number) => Number((ms * 1000).toFixed(2));
  return {
    name: 'noise floor by code length (no balancer code)',
    rows: rows.map((row) => {
      const sorted = row.times.sort((a, b) => a - b);
      const slow = sorted.length - sorted.findIndex((time) => time >= GOAL_MS);
      const share = sorted.findIndex((time) => time >= GOAL_MS) === -1 ? 0 : slow / sorted.length;
      return {
        loop: row.kind,
        'calibrated to µs': row.lengthUs,
        samples: sorted.length,
        'p50 µs': micro(quantile(sorted, 0.5)),
        'p99 µs': micro(quantile(sorted, 0.99)),
        'p99.9 µs': micro(quantile(sorted, 0.999)),
        'samples ≥ 20 µs %': Number((share * 100).toFixed(2)),
        'p99 ≤ 20 µs possible': share <= 0.01 ? 'yes' : 'NO',
      };
    }),
    notes: [
      `Each row: ${ROUNDS} interleaved rounds × ${PER_ROUND} samples after 2 000 warm-up samples; one sample = one loop, timed with performance.now() around an await of it, as the balancer bench times a call.`,
      'awaits: resolved awaits (the balancer bench’s noise floor); spin: a synchronous integer loop that allocates nothing, so no GC can touch it.',
      'samples ≥ 20 µs: over 1 % means p99 > 20 µs for any code of that median length on this run; compare with `pnpm bench balancer`, whose p50s are 3–5 µs.',
    ],
  };
}
