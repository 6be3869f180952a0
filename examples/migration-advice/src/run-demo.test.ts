import { startFakeOpenAI } from '@ballast/testkit';
import { describe, expect, it } from 'vitest';
import { describeRejectedItem, progressLine, runMigrationDemo, unplacedWarning } from './run-demo';

describe('migration advice demo', () => {
  it('advises on the simulated cluster without changing it by default', async () => {
    const lines: string[] = [];
    const outcome = await runMigrationDemo(['--seed', '7', '--skip-guest-trends'], {
      log: (line) => lines.push(line),
      env: {},
    });
    const output = lines.join('\n');
    expect(outcome?.advice.recommendations.length).toBeGreaterThan(0);
    expect(outcome?.advice.imbalance.after).toBeLessThan(outcome!.advice.imbalance.before);
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
    expect(outcome?.applied?.imbalanceAfter).toBeLessThan(outcome!.advice.imbalance.before / 2);
    expect(lines.join('\n')).toContain('Re-collected after applying');
  });

  it('asks the configured LLM and reports what it refused instead of rewriting it', async () => {
    const fake = await startFakeOpenAI({ apiKey: 'sk-demo-test' });
    fake.setResponder(() => ({
      text: JSON.stringify({
        analysis: 'pve1 carries most of the load; spread its largest guests.',
        recommendations: [
          {
            vmid: 107,
            source_node: 'pve1',
            target_node: 'pve42',
            priority: 'high',
            reasoning: 'pve42 is idle',
            risk_score: 20,
            confidence: 0.8,
          },
          {
            vmid: 999_999,
            source_node: 'pve1',
            target_node: 'pve2',
            priority: 'low',
            reasoning: 'made up',
            risk_score: 10,
            confidence: 0.5,
          },
        ],
        predicted_issues: [],
      }),
    }));
    try {
      const lines: string[] = [];
      const outcome = await runMigrationDemo(['--seed', '7'], {
        log: (line) => lines.push(line),
        env: {
          OPENAI_API_KEY: 'sk-demo-test',
          OPENAI_MODEL: 'gpt-4o-mini',
          OPENAI_BASE_URL: `${fake.url}/v1`,
        },
      });
      expect(outcome?.advice.llm.status).toBe('used');
      expect(outcome?.advice.rejected.map((rejection) => rejection.reasons[0]?.code)).toEqual(
        expect.arrayContaining(['unknown_target', 'unknown_guest']),
      );
      expect(
        outcome?.advice.recommendations.every((recommendation) => recommendation.targetNode !== 'pve42'),
      ).toBe(true);
      // The prompt carried real numbers, not ProxBalance's zeros.
      const prompt = JSON.stringify(fake.requests[0]?.body);
      expect(prompt).toMatch(/pve1/);
      expect(lines.join('\n')).toContain('Rejected');
    } finally {
      await fake.close();
    }
  });

  it('prints the ProxBalance-compatible response with --json', async () => {
    const lines: string[] = [];
    await runMigrationDemo(['--json', '--guests', '20'], { log: (line) => lines.push(line), env: {} });
    const response = JSON.parse(lines.join('\n')) as {
      success: boolean;
      recommendations: unknown[];
      predicted_issues: unknown[];
    };
    expect(response.success).toBe(true);
    expect(Array.isArray(response.recommendations)).toBe(true);
    expect(Array.isArray(response.predicted_issues)).toBe(true);
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

describe('describeRejectedItem', () => {
  it('names the target of a planner item (camelCase) as well as a model item (snake_case)', () => {
    expect(describeRejectedItem({ vmid: 102, sourceNode: 'pve1', targetNode: 'pve3' })).toBe(
      'VM/CT 102 -> pve3',
    );
    expect(describeRejectedItem({ vmid: 102, target_node: 'pve2' })).toBe('VM/CT 102 -> pve2');
    expect(describeRejectedItem({ vmid: 102 })).toBe('VM/CT 102 -> (no target given)');
    expect(describeRejectedItem({ node: 'pve1' })).toBe('issue on pve1');
  });
});

describe('unplacedWarning', () => {
  it('lists every guest left on a node in maintenance with its reason', () => {
    const snapshot = {
      guests: [{ vmid: 101, name: 'db1', node: 'pve2' }],
    } as unknown as Parameters<typeof unplacedWarning>[1];
    expect(unplacedWarning([], snapshot)).toEqual([]);
    expect(unplacedWarning([{ vmid: 101, reason: 'cannot move: local disks' }], snapshot)).toEqual([
      'Warning: 1 guest(s) stay on nodes in maintenance:',
      '  - db1 (101) on pve2: cannot move: local disks',
    ]);
  });
});

describe('demo reproducibility and output', () => {
  const run = async (argv: string[]) => {
    const lines: string[] = [];
    const outcome = await runMigrationDemo(argv, { log: (line) => lines.push(line), env: {} });
    return { outcome, output: lines.join('\n') };
  };
  const plan = (outcome: Awaited<ReturnType<typeof runMigrationDemo>>) =>
    outcome?.advice.recommendations.map(
      (move) => `${move.vmid}:${move.sourceNode}>${move.targetNode}:${move.reasoning}`,
    );

  it('prints the same plan for the same seed (fixed simulated clock), with labelled CPU and a projected table', async () => {
    const first = await run(['--seed', '7', '--skip-guest-trends']);
    const second = await run(['--seed', '7', '--skip-guest-trends']);
    expect(plan(first.outcome)).toEqual(plan(second.outcome));
    expect(first.outcome?.snapshot.collectedAt).toBe(Date.UTC(2026, 4, 1, 12));
    expect(first.output).toContain('CPU now');
    expect(first.output).toContain('CPU planner');
    expect(first.output).toContain('Projected after the');
  });

  it('caps balancing moves with --max-migrations', async () => {
    const { outcome } = await run(['--seed', '7', '--skip-guest-trends', '--max-migrations', '2']);
    expect(
      outcome?.advice.recommendations.filter((move) => move.kind === 'balance').length,
    ).toBeLessThanOrEqual(2);
    expect(outcome?.advice.plan.summary.stopReason).toBe('cap');
  });

  it('prints only the JSON document with --json', async () => {
    const { output } = await run(['--seed', '7', '--skip-guest-trends', '--json']);
    const body = JSON.parse(output) as { success: boolean; recommendations: unknown[] };
    expect(body.success).toBe(true);
    expect(body.recommendations.length).toBeGreaterThan(0);
  });
});

describe('progressLine', () => {
  it('names the guest, source -> target and the duration', () => {
    const moves = [{ vmid: 101, name: 'db1', sourceNode: 'pve1', targetNode: 'pve2' }];
    const started = new Map<number, number>();
    expect(progressLine({ vmid: 101, status: 'started' }, moves, started, 1000)).toBe(
      '  start  db1 (101) pve1 -> pve2',
    );
    expect(progressLine({ vmid: 101, status: 'succeeded' }, moves, started, 3500)).toBe(
      '  done   db1 (101) pve1 -> pve2 in 2.5 s',
    );
    expect(progressLine({ vmid: 101, status: 'checking' }, moves, started, 3500)).toBeUndefined();
  });
});
