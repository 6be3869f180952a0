/**
 * Runs every `bench/*.bench.ts` (or the ones named on the command line), prints a table per
 * benchmark and writes the results to `bench/results/<name>.json` with the machine they ran on.
 *
 *   pnpm bench                 # all benchmarks
 *   pnpm bench balancer        # only bench/balancer.bench.ts
 *   pnpm bench parsers-fuzz    # fuzzing of every parser of model / upstream text (issue 10)
 *   pnpm bench gateway         # only bench/gateway.bench.ts (HTTP gateway overhead vs a direct upstream)
 *   pnpm bench shared-state    # breaker propagation and per-call overhead of Redis shared state (needs Redis)
 *   pnpm bench ai-sdk          # only bench/ai-sdk.bench.ts (the Vercel AI SDK bridge vs direct calls)
 *   pnpm bench noise-floor     # what this machine does to code of 1-10 µs, no balancer code (reads bench balancer's p99)
 *   pnpm bench forecast-memory # memory one ensemble forecaster retains at horizons 72, 288, 1440
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** What a benchmark module's default export resolves to. */
export interface BenchReport {
  name: string;
  rows: Array<Record<string, string | number>>;
  notes?: string[];
}

const here = dirname(fileURLToPath(import.meta.url));

async function main() {
  const wanted = process.argv.slice(2);
  const files = (await readdir(here))
    .filter((file) => file.endsWith('.bench.ts'))
    .filter((file) => wanted.length === 0 || wanted.some((name) => file.startsWith(name)))
    .sort();
  if (files.length === 0) {
    console.error(`No benchmark matches ${wanted.join(', ') || '*'} in ${here}`);
    process.exitCode = 1;
    return;
  }
  const machine = {
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    date: new Date().toISOString(),
  };
  console.log(
    `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}\n`,
  );
  await mkdir(join(here, 'results'), { recursive: true });
  for (const file of files) {
    const module = (await import(pathToFileURL(join(here, file)).href)) as {
      default: () => Promise<BenchReport>;
    };
    const started = performance.now();
    const report = await module.default();
    console.log(`## ${report.name} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
    console.table(report.rows);
    for (const note of report.notes ?? []) console.log(`  ${note}`);
    console.log();
    const out = join(here, 'results', `${file.replace(/\.bench\.ts$/, '')}.json`);
    await writeFile(out, `${JSON.stringify({ ...report, machine }, null, 2)}\n`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
