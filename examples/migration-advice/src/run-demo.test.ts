import { describe, expect, it } from 'vitest';
import { runMigrationDemo } from './run-demo';

describe('migration advice demo', () => {
  it('advises on the simulated cluster without changing it by default', async () => {
    const lines: string[] = [];
    const outcome = await runMigrationDemo(['--seed', '7'], { log: (line) => lines.push(line), env: {} });
    const output = lines.join('\n');
    expect(outcome?.plan.recommendations.length).toBeGreaterThan(0);
    expect(outcome?.plan.summary.imbalanceAfter).toBeLessThan(outcome!.plan.summary.imbalanceBefore);
    expect(outcome?.applied).toBeUndefined();
    expect(output).toContain('Dry run: nothing was changed');
    expect(output).toContain('LLM analysis: not configured');
    // Collection stays cheap: cluster state, one RRD read per node, one listing per local storage.
    expect(outcome?.apiCalls).toBeLessThan(30);
  });

  it('applies the plan with --apply and measures the result by collecting again', async () => {
    const lines: string[] = [];
    const outcome = await runMigrationDemo(['--seed', '3', '--apply', '--parallel', '3'], {
      log: (line) => lines.push(line),
      env: {},
    });
    expect(outcome?.applied?.statuses.every((status) => status === 'succeeded')).toBe(true);
    expect(outcome?.applied?.imbalanceAfter).toBeLessThan(outcome!.plan.summary.imbalanceBefore / 2);
    expect(lines.join('\n')).toContain('Re-collected after applying');
  });

  it('explains what is missing when a key is set without a model id', async () => {
    const lines: string[] = [];
    await runMigrationDemo(['--guests', '20'], {
      log: (line) => lines.push(line),
      env: { GROQ_API_KEY: 'gsk_x' },
    });
    expect(lines.join('\n')).toContain('GROQ_API_KEY is set but GROQ_MODEL is not');
  });

  it('rejects bad flags with a readable error', async () => {
    await expect(runMigrationDemo(['--period', '2w'], { log: () => {}, env: {} })).rejects.toThrow(
      /--period/,
    );
    await expect(runMigrationDemo(['--url', 'https://pve:8006'], { log: () => {}, env: {} })).rejects.toThrow(
      /PROXMOX_TOKEN_SECRET/,
    );
  });
});
