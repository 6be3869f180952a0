#!/usr/bin/env node
/**
 * `pnpm demo`: the main demo, started as a bin rather than a root script.
 *
 * Why a bin: for a script, pnpm 10 prints its own `> ballast-monorepo@ demo` banner on stdout
 * (pnpm/pnpm#4879), so `pnpm demo --json` was not valid JSON. When the root has no script of that
 * name, `pnpm demo` runs `node_modules/.bin/demo` instead and prints nothing of its own. It also
 * keeps the caller's working directory, so `--config ./ballast.json` is read from where the user is.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');
const child = spawn(
  process.execPath,
  [tsxCli, '--conditions=@ballast/source', join(here, '..', 'src', 'main.ts'), ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => {
  if (signal !== null) process.kill(process.pid, signal);
  else process.exit(code ?? 1);
});
