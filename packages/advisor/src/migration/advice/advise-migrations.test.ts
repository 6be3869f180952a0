import { createAnthropic } from '@ballast/anthropic';
import { createBalancer } from '@ballast/balancer';
import { createOpenAI } from '@ballast/openai';
import { type FakeLlmServer, startFakeAnthropic, startFakeOpenAI } from '@ballast/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { adviceCluster } from './__fixtures__/advice-cluster';
import { adviseMigrations } from './advise-migrations';

let fake: FakeLlmServer;
const model = () =>
  createOpenAI({ baseURL: `${fake.url}/v1`, apiKey: 'sk-test-key-000000000000' }).chatModel('gpt-4o-mini');
const planOptions = { maxMigrations: 1 };

beforeAll(async () => {
  fake = await startFakeOpenAI();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.requests.length = 0;
  fake.setResponder(() => ({ text: 'OK' }));
});

const answer = (body: unknown) => ({ text: JSON.stringify(body) });

describe('adviseMigrations with the OpenAI adapter against a fake server', () => {
  it('merges valid model moves, rejects hallucinations, self-moves and non-improving moves', async () => {
    const hallucinated = {
      vmid: 103,
      name: 'cache1',
      type: 'VM',
      source_node: 'pve1',
      target_node: 'pve9',
      priority: 'medium',
      reasoning: 'pve9 is idle',
      risk_score: 10,
    };
    fake.enqueue(
      answer({
        analysis: 'pve1 carries most of the load; spread db1 and web1.',
        recommendations: [
          {
            vmid: 101,
            name: 'db1',
            type: 'VM',
            source_node: 'pve1',
            target_node: 'pve2',
            priority: 'high',
            reasoning: 'db1 is the heaviest guest on pve1 (3.25 cores)',
            risk_score: 30,
            confidence: 0.8,
          },
          {
            vmid: 102,
            name: 'web1',
            type: 'VM',
            source_node: 'pve1',
            target_node: 'pve3',
            priority: 'high',
            reasoning: 'web1 2.5 cores to the idle pve3',
            risk_score: 20,
            confidence: 0.7,
          },
          hallucinated,
          { vmid: 104, source_node: 'pve1', target_node: 'pve1', priority: 'low', reasoning: 'stay' },
          { vmid: 301, source_node: 'pve3', target_node: 'pve2', priority: 'low', reasoning: 'tidy up' },
          { vmid: 105, source_node: 'pve1', target_node: 'pve3', priority: 'low', reasoning: 'locked guest' },
        ],
        predicted_issues: [
          {
            node: 'pve1',
            metric: 'cpu',
            prediction: 'CPU keeps rising',
            confidence: 0.6,
            severity: 'medium',
          },
          { node: 'pve7', metric: 'memory', prediction: 'ghost node', confidence: 0.9 },
        ],
      }),
    );
    const snapshot = adviceCluster();
    const advice = await adviseMigrations({
      snapshot,
      model: model(),
      period: '24h',
      options: { plan: planOptions },
    });

    expect(advice.llm.status).toBe('used');
    expect(advice.llm.model).toBe('openai:gpt-4o-mini');
    expect(advice.llm.calls).toBe(1);
    expect(advice.llm.usage?.inputTokens).toBeGreaterThan(0);
    expect(advice.analysis).toBe('pve1 carries most of the load; spread db1 and web1.');
    expect(advice.plan.recommendations.map((move) => move.vmid)).toEqual([101]);

    const moves = advice.recommendations.map(
      (move) => `${move.source}:${move.vmid}:${move.sourceNode}>${move.targetNode}`,
    );
    expect(moves).toEqual(['rule:101:pve1>pve2', 'llm:102:pve1>pve3']);
    const [rule, llm] = advice.recommendations;
    expect(rule!.alsoSuggestedBy).toMatchObject({
      source: 'llm',
      targetNode: 'pve2',
      reasoning: 'db1 is the heaviest guest on pve1 (3.25 cores)',
    });
    expect(llm!.reasoning).toBe('web1 2.5 cores to the idle pve3');
    expect(llm!.imbalanceDelta).toBeLessThan(0);
    expect(advice.imbalance.after).toBeLessThan(advice.imbalance.ruleAfter);
    expect(advice.imbalance.ruleAfter).toBeLessThan(advice.imbalance.before);

    const codes = (vmid: number) =>
      advice.rejected
        .filter((rejection) => (rejection.item as { vmid?: number }).vmid === vmid)
        .flatMap((r) => r.reasons.map((reason) => reason.code));
    expect(codes(103)).toContain('unknown_target');
    expect(codes(104)).toContain('self_move');
    expect(codes(301)).toEqual(['no_improvement']);
    expect(codes(105)).toContain('guest_locked');
    // The hallucinated item is reported exactly as given: not retargeted, reasoning untouched.
    expect(
      advice.rejected.find((rejection) => (rejection.item as { vmid?: number }).vmid === 103)?.item,
    ).toEqual(hallucinated);
    expect(advice.recommendations.some((move) => move.vmid === 103)).toBe(false);

    expect(
      advice.predictedIssues.filter((issue) => issue.source === 'llm').map((issue) => issue.node),
    ).toEqual(['pve1']);
    const ghost = advice.rejected.find((rejection) => rejection.kind === 'predicted_issue');
    expect(ghost?.reasons[0]?.code).toBe('unknown_node');

    // The prompt sent over the wire carried the real numbers.
    const body = fake.requests.at(-1)?.body as { messages: Array<{ content: string }>; temperature: number };
    const userText = body.messages.map((message) => message.content).join('\n');
    expect(userText).toContain('101 | db1 | pve1 | VM | running | CPU 3.25/8 cores');
    expect(body.temperature).toBe(0.2);
  });

  it('keeps the rule move when the model sends the same guest elsewhere and it is not better', async () => {
    fake.enqueue(
      answer({
        analysis: 'move db1 to pve3',
        recommendations: [
          {
            vmid: 101,
            source_node: 'pve1',
            target_node: 'pve3',
            priority: 'high',
            reasoning: 'pve3 is emptier',
          },
        ],
      }),
    );
    const advice = await adviseMigrations({
      snapshot: adviceCluster(),
      model: model(),
      options: { plan: planOptions },
    });
    expect(advice.recommendations.map((move) => `${move.source}:${move.vmid}>${move.targetNode}`)).toEqual([
      'rule:101>pve2',
    ]);
    expect(advice.rejected[0]?.reasons[0]?.code).toBe('conflicts_with_rule');
  });

  it('rejects a move that would push its target over the thresholds', async () => {
    fake.enqueue(
      answer({
        recommendations: [
          { vmid: 102, source_node: 'pve1', target_node: 'pve3', priority: 'high', reasoning: 'spread' },
        ],
      }),
    );
    const advice = await adviseMigrations({
      snapshot: adviceCluster(),
      model: model(),
      options: { plan: planOptions, cpuThreshold: 15 },
    });
    expect(advice.recommendations.every((move) => move.source === 'rule')).toBe(true);
    expect(advice.rejected.map((rejection) => rejection.reasons[0]?.code)).toContain('threshold_exceeded');
  });

  it('without a model the rule plan stands (not_configured)', async () => {
    const snapshot = adviceCluster();
    const advice = await adviseMigrations({ snapshot, options: { plan: planOptions } });
    expect(advice.llm.status).toBe('not_configured');
    expect(advice.recommendations.map((move) => move.vmid)).toEqual(
      advice.plan.recommendations.map((move) => move.vmid),
    );
    expect(advice.recommendations.every((move) => move.source === 'rule')).toBe(true);
    expect(advice.analysis).toBe(advice.ruleAnalysis);
    expect(fake.requests).toHaveLength(0);
  });

  it.each([
    ['HTTP 500', { fault: { type: 'status' as const, status: 500 } }, 'failed', 'server_error'],
    ['hang past the timeout', { fault: { type: 'hang' as const } }, 'failed', 'timeout'],
  ])('on %s the rule plan stands', async (_name, reply, status, code) => {
    fake.enqueue(reply);
    const snapshot = adviceCluster();
    const advice = await adviseMigrations({
      snapshot,
      model: model(),
      options: { plan: planOptions, timeoutMs: 300 },
    });
    expect(advice.llm.status).toBe(status);
    expect(advice.llm.code).toBe(code);
    expect(advice.llm.reason).not.toContain('sk-test-key');
    expect(advice.recommendations.map((move) => `${move.source}:${move.vmid}`)).toEqual(['rule:101']);
  });

  it('on garbage output (after the repair) the rule plan stands with status invalid', async () => {
    fake.setResponder(() => ({ text: 'I would move some VMs around, probably.' }));
    const advice = await adviseMigrations({
      snapshot: adviceCluster(),
      model: model(),
      options: { plan: planOptions, maxRepairs: 1 },
    });
    expect(advice.llm.status).toBe('invalid');
    expect(advice.llm.code).toBe('no_object_generated');
    expect(fake.requests).toHaveLength(2);
    expect(advice.recommendations.map((move) => move.source)).toEqual(['rule']);
  });

  it('rejects with AbortedError when the caller aborts', async () => {
    fake.enqueue({ fault: { type: 'hang' } });
    const controller = new AbortController();
    const pending = adviseMigrations({
      snapshot: adviceCluster(),
      model: model(),
      options: { signal: controller.signal },
    });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toMatchObject({ code: 'aborted' });
  });
});

describe('adviseMigrations through a balancer when OpenAI is down', () => {
  it('gets its advice from Anthropic (a forced tool call) instead of failing', async () => {
    const anthropic = await startFakeAnthropic();
    try {
      fake.setResponder(() => ({ fault: { type: 'status', status: 503, message: 'overloaded' } }));
      anthropic.setResponder((request) => {
        const tool = (request.body as { tools?: Array<{ name: string }> }).tools?.[0];
        const advice = {
          analysis: 'pve1 carries most of the load.',
          recommendations: [
            {
              vmid: 101,
              name: 'db1',
              type: 'VM',
              source_node: 'pve1',
              target_node: 'pve2',
              priority: 'high',
              reasoning: 'db1 is the heaviest guest on pve1',
              risk_score: 30,
            },
          ],
          predicted_issues: [],
        };
        return { toolCalls: [{ name: tool?.name ?? 'missing', arguments: advice }] };
      });
      const balancer = createBalancer({
        name: 'advice',
        strategy: 'failover',
        targets: [
          { id: 'openai', model: model() },
          {
            id: 'anthropic',
            model: createAnthropic({ apiKey: 'test-anthropic-key', baseURL: anthropic.url }).chatModel(
              'claude-sonnet-4-6',
            ),
          },
        ],
        retry: { baseDelayMs: 1, maxDelayMs: 2 },
      });
      const advice = await adviseMigrations({
        snapshot: adviceCluster(),
        model: balancer,
        options: { plan: planOptions },
      });
      expect(advice.llm.status).toBe('used');
      expect(advice.analysis).toBe('pve1 carries most of the load.');
      expect(advice.recommendations.map((move) => move.vmid)).toContain(101);
      expect(fake.requests.length).toBeGreaterThan(0);
      expect(anthropic.requests[0]?.body).toMatchObject({ tool_choice: { type: 'tool' } });
    } finally {
      await anthropic.close();
    }
  });
});
