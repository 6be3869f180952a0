import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium } from 'playwright-core';

export const appDirectory = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Screenshots and the server log land here (gitignored): the suite's artefacts. */
export const artifactsDirectory = join(appDirectory, 'e2e-artifacts');

/** Debian's `chromium` (what `.ci/run` installs), or `BALLAST_CHROMIUM`. No browser is downloaded. */
export const chromiumPath = process.env.BALLAST_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Whether the e2e suite runs, and why not: without Chromium it is skipped on a developer's machine
 * (one line says so) and fails under `CI=true`, where `.ci/run` must have installed it.
 */
export function e2eAvailability(): { run: true } | { run: false; reason: string } {
  if (existsSync(chromiumPath)) return { run: true };
  const reason = `Chromium not found at ${chromiumPath}: install Debian's chromium (apt-get install -y chromium) or set BALLAST_CHROMIUM`;
  if (process.env.CI === 'true') return { run: true }; // the launch below fails with this path: a CI failure
  return { run: false, reason };
}

const nextBin = join(appDirectory, 'node_modules', 'next', 'dist', 'bin', 'next');

function run(args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [nextBin, ...args], {
      cwd: appDirectory,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk) => (output += chunk));
    child.stderr?.on('data', (chunk) => (output += chunk));
    child.once('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`next ${args.join(' ')} failed (${code}):\n${output.slice(-4000)}`)),
    );
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** The production build served by `next start`, and a fresh headless Chromium. */
export interface RunningApp {
  url: string;
  browser: BrowserContext;
  close(): Promise<void>;
}

const baseEnv = (): NodeJS.ProcessEnv => {
  // The e2e run is always on the fakes: provider keys of the developer's shell are not used.
  const { OPENAI_API_KEY: _o, ANTHROPIC_API_KEY: _a, PROXMOX_BASE_URL: _p, ...rest } = process.env;
  return { ...rest, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' };
};

/**
 * Builds the app (`next build`; skipped with `BALLAST_E2E_REUSE_BUILD=1` when a build exists),
 * starts `next start` on a free port, waits until it answers, and launches Chromium with a fresh
 * profile and the flags this closed network needs.
 */
export async function startApp(): Promise<RunningApp> {
  mkdirSync(artifactsDirectory, { recursive: true });
  const env = baseEnv();
  if (!(process.env.BALLAST_E2E_REUSE_BUILD === '1' && existsSync(join(appDirectory, '.next', 'BUILD_ID'))))
    await run(['build'], env);
  const port = await freePort();
  const server: ChildProcess = spawn(
    process.execPath,
    [nextBin, 'start', '-p', String(port), '-H', '127.0.0.1'],
    {
      cwd: appDirectory,
      env,
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  // Wait for the server to answer (an event, polled): no fixed sleep.
  for (;;) {
    if (server.exitCode !== null) throw new Error(`next start exited with ${server.exitCode}`);
    const ok = await fetch(`${url}/api/load-balancing/providers`).then(
      (response) => response.status < 600,
      () => false,
    );
    if (ok) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const profile = mkdtempSync(join(tmpdir(), 'ballast-e2e-chromium-'));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
    viewport: { width: 1280, height: 900 },
  });
  return {
    url,
    browser,
    async close() {
      await browser.close().catch(() => {});
      rmSync(profile, { recursive: true, force: true });
      server.kill('SIGTERM');
      await exited;
    },
  };
}
