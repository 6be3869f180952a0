import { describe, expect, it } from 'vitest';
import { runAiSdkExample } from './run-example';

describe('AI SDK example', () => {
  it('streams a tool loop and generates an object through a balancer that fails over', async () => {
    const lines: string[] = [];
    const outcome = await runAiSdkExample({ log: (line) => lines.push(line) });
    expect(outcome.answer).toBe('pve1 runs at 87 % CPU: move a guest to pve2.');
    // Step 1: the first target's 503 fails over to the AI SDK provider target; step 2 and the
    // object go to the first target again, which has recovered.
    expect(outcome.attempts.slice(0, 2)).toEqual([
      { target: 'openai', outcome: 'overloaded' },
      { target: 'vllm', outcome: 'success' },
    ]);
    expect(outcome.object).toEqual({ node: 'pve2', cpuShare: 0.18 });
    expect(outcome.objectTarget).toBeDefined();
    const output = lines.join('\n');
    expect(output).toContain('tool call  node_load({"node":"pve1"})');
    expect(output).toContain('openai:overloaded → vllm:success');
  });
});
