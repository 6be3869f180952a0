import { describe, expect, it } from 'vitest';
import { runAutoscalingDemo } from './demo';

describe('autoscaling example (smoke)', () => {
  it('replays a short slice through the fake API server and summarizes the back-test', async () => {
    const lines: string[] = [];
    const summary = await runAutoscalingDemo({ steps: 36, log: (line) => lines.push(line) });

    expect(summary.steps).toBe(36);
    expect(summary.rows.map((row) => row.policy)).toEqual(['hpa', 'predictive', 'ballast-live']);
    for (const row of summary.rows) {
      expect(row.tauU + row.tauO).toBeLessThanOrEqual(1);
      expect(row.thetaU).toBeGreaterThanOrEqual(0);
      expect(row.podHours).toBeGreaterThan(0);
      expect(row.meanReplicas).toBeGreaterThanOrEqual(2);
      expect(row.meanReplicas).toBeLessThanOrEqual(20);
    }
    expect(summary.decisions.hpa + summary.decisions.forecast + summary.decisions.llm).toBe(36);
    expect(summary.decisions.llm).toBe(0);
    expect(summary.llmStats).toBeUndefined();
    expect(summary.attribution).toMatch(/CC BY 4\.0/);

    const text = lines.join('\n');
    expect(text).toMatch(/^SIMULATION/);
    expect(text).toMatch(/HPA +Ballast +reason/);
    expect(text).toMatch(/No LLM row \(to add one, set e\.g\. OPENAI_API_KEY and OPENAI_MODEL/);
    const stepLines = lines.filter((line) => /^\d\d-\d\d \d\d:\d\d /.test(line));
    expect(stepLines.length).toBe(4); // steps 0, 12, 24, 35
    // The reason column names the policy that decided and gives its own reason.
    for (const line of stepLines) {
      expect(line).toMatch(
        /(HPA parity \((no forecast yet|forecast unusable)|Ballast predictive, \w+ \((immediate|scheduled|gradual)\)): /,
      );
      expect(line).not.toMatch(/forecast +All metrics/);
    }
  });
});
