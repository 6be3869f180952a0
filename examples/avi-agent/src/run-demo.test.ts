import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runAviAgentDemo } from './run-demo';

describe('Avi agent demo', () => {
  it('plays the scripted conversation offline: tool calls, a confirmed plan, the audit log', async () => {
    const lines: string[] = [];
    const outcome = await runAviAgentDemo([], { log: (line) => lines.push(line), env: {} });
    const output = lines.join('\n');
    expect(outcome?.answers[0]).toMatch(
      /pool-shop-web is the unhealthy pool behind vs-shop: .*10\.10\.1\.13:8080 is OPER_DOWN/,
    );
    expect(output).toContain('→ why_is_down({"kind":"pool","name":"pool-shop-web"})');
    expect(output).toMatch(/PLAN \[medium risk\] Disable server 10\.10\.1\.13:8080 of pool pool-shop-web/);
    expect(output).toContain('servers[2].enabled: true → false');
    expect(outcome).toMatchObject({ plans: 1, confirmed: 1, controllerWrites: 1 });
    expect(outcome?.audit.map((event) => event.type)).toContain('write-confirmed');
    expect(output).toContain('Audit log:');
  });

  it('runs as `pnpm start` with no terminal on stdin and exits 0', async () => {
    const root = join(dirname(fileURLToPath(import.meta.url)), '..');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '--conditions=@ballast/source', 'src/main.ts'],
      { cwd: root, env: { PATH: process.env.PATH ?? '' }, timeout: 120_000 },
    );
    expect(stdout).toContain('executed on the controller');
    expect(stdout).toContain('The fake controller applied 1 write(s): PATCH /api/pool/');
  }, 150_000);
});
