import { ConfigError } from '@ballast/core';
import { createOpenAI } from '@ballast/openai';
import { type FakeLlmServer, loadTrace, scaleTrace, startFakeOpenAI } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BacktestOptions, runBacktest } from './backtest';
import { llmPolicy } from './llm-policy';

// Alibaba 2018 (real data, CC BY 4.0, see @ballast/testkit's traces/README.md): 50 steps of 300 s,
// scaled so that the trace's peak is 8 cores.
const trace = loadTrace('alibaba-2018-cpu');
const demand = scaleTrace(trace.values, { peak: 8 }).slice(100, 150);

const base: Omit<BacktestOptions, 'policies'> = {
  trace: demand,
  stepSeconds: 300,
  requestsPerPodCores: 0.4,
  targetUtilization: 70,
  minReplicas: 2,
  maxReplicas: 30,
  podStartupSteps: 1,
};

describe('llmPolicy: shadow back-test with the real OpenAI adapter against the fake', () => {
  let fake: FakeLlmServer;

  beforeAll(async () => {
    fake = await startFakeOpenAI({ apiKey: 'test-key' });
    // Answers from the request: the current replica count in the prompt, plus one.
    fake.setResponder((request) => {
      const body = request.body as { messages: Array<{ role: string; content: string }> };
      const prompt = body.messages.filter((message) => message.role === 'user').at(-1)?.content ?? '';
      const current = Number(/Current replicas: (\d+)/.exec(prompt)?.[1]);
      return {
        text: JSON.stringify({
          scaling_type: 'hpa',
          action: 'scale_up',
          target_replicas: current + 1,
          confidence: 0.7,
          reasoning: `one more than ${current} for headroom`,
          factors_considered: ['cpu'],
          risk_assessment: 'low',
          cost_impact: 'low',
          performance_impact: 'positive',
          recommended_timing: 'immediate',
        }),
      };
    });
  });
  afterAll(async () => {
    await fake.close();
  });

  it('replays 50 steps through adviseScaling with the model and reports LLM statistics', async () => {
    const model = createOpenAI({ apiKey: 'test-key', baseURL: `${fake.url}/v1` }).chatModel('gpt-4o-mini');
    const whys: string[] = [];
    const policy = llmPolicy(model, { onDecision: (_, result) => whys.push(result.why) });
    const before = fake.requests.length;
    const report = await runBacktest({ ...base, policies: ['hpa', 'forecast', policy] });

    expect(report.policies.map((entry) => entry.name)).toEqual(['hpa', 'forecast', 'llm']);
    expect(fake.requests.length - before).toBe(50);
    const stats = policy.stats();
    expect(stats).toMatchObject({ steps: 50, valid: 50, failed: 0, invalid: 0, notConfigured: 0 });
    expect(stats.chosen + stats.overruled).toBe(50);
    expect(stats.chosen).toBeGreaterThan(0);
    expect(stats.inputTokens).toBeGreaterThan(0);
    expect(whys.every((why) => /LLM answer|Rule answer/.test(why))).toBe(true);

    const [hpa, , llm] = report.policies;
    // "+1 every step" is never below the rule answer, so the guarded choice keeps at least as many pods.
    expect(llm!.metrics.meanReplicas).toBeGreaterThanOrEqual(hpa!.metrics.meanReplicas);
    expect(llm!.metrics.underProvisioningAccuracy).toBeLessThanOrEqual(
      hpa!.metrics.underProvisioningAccuracy,
    );
    expect(llm!.replicas.every((replicas) => replicas >= 2 && replicas <= 30)).toBe(true);
  });

  it('without a model is the rule answer, never below the HPA when it scales up', async () => {
    const policy = llmPolicy(undefined, { name: 'ballast-rules' });
    const report = await runBacktest({ ...base, policies: ['hpa', policy] });
    const stats = policy.stats();
    expect(stats.notConfigured).toBe(50);
    expect(stats.valid).toBe(0);
    const [hpa, rules] = report.policies;
    expect(rules!.metrics.underProvisioningAccuracy).toBeLessThanOrEqual(
      hpa!.metrics.underProvisioningAccuracy,
    );
  });
});

describe('llmPolicy: bad options fail when the policy is made', () => {
  it.each([
    { name: 'unknown decision (was "chosen")', options: { decision: 'bogus' }, path: 'decision' },
    {
      name: 'negative history (slice(3): dropped the oldest 3 instead)',
      options: { maxHistorySteps: -3 },
      path: 'maxHistorySteps',
    },
    {
      name: 'zero history (slice(-0): kept all of it)',
      options: { maxHistorySteps: 0 },
      path: 'maxHistorySteps',
    },
    {
      name: 'memory NaN',
      options: { memoryPerPodBytes: Number.NaN },
      path: 'memoryPerPodBytes',
    },
    { name: 'start time NaN', options: { startTime: Number.NaN }, path: 'startTime' },
    { name: 'negative outlook (was the lead time)', options: { outlookHours: -1 }, path: 'outlookHours' },
  ])('$name → ConfigError at $path', ({ options, path }) => {
    let thrown: unknown;
    try {
      llmPolicy(undefined, options as never);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).issues.map((issue) => issue.path)).toContain(path);
  });
});
