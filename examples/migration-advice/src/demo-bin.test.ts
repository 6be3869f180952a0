import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const bin = fileURLToPath(new URL('../bin/demo.mjs', import.meta.url));

// `pnpm demo` runs this bin (node_modules/.bin/demo), so what it writes to stdout is all the user sees.
describe('the demo bin', () => {
  it('writes only the JSON document to stdout with --json', async () => {
    const { stdout } = await run(process.execPath, [bin, '--seed', '7', '--skip-guest-trends', '--json'], {
      env: { ...process.env, OPENAI_API_KEY: '', ANTHROPIC_API_KEY: '', GROQ_API_KEY: '', OLLAMA_HOST: '' },
      timeout: 60_000,
    });
    const body = JSON.parse(stdout) as { success: boolean; recommendations: unknown[] };
    expect(body.success).toBe(true);
    expect(body.recommendations.length).toBeGreaterThan(0);
  }, 90_000);

  it('passes the exit code through for bad flags', async () => {
    const failure = await run(process.execPath, [bin, '--no-such-flag'], { timeout: 60_000 }).catch(
      (error: { code?: number; stderr?: string }) => error,
    );
    expect(failure).toMatchObject({ code: expect.any(Number) });
    expect((failure as { code: number }).code).not.toBe(0);
  }, 90_000);
});
