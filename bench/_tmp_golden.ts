import { writeFileSync } from 'node:fs';
import { validateMigrationAdvice } from '@ballast/validator';
import { buildAdvice, buildSnapshot, random } from './_tmp_data';
const out: unknown[] = [];
for (const [n, g, r, seed] of [[20, 1000, 1000, 42], [100, 5000, 10000, 42], [10, 300, 2000, 7]] as const) {
  const next = random(seed);
  const snapshot = buildSnapshot(n, g, next);
  const advice = buildAdvice(snapshot, r, next) as { recommendations: Record<string, unknown>[] };
  // extra variety: camelCase, bad shapes, percent confidence, lowercase types
  const recs = advice.recommendations;
  for (let i = 0; i < recs.length; i += 37) {
    const x = recs[i]!;
    recs[i] = { vmid: x.vmid, sourceNode: x.source_node, targetNode: ` ${x.target_node} `, priority: 'Critical', reasoning: x.reasoning, riskScore: String(x.risk_score), confidence: i % 3 ? 85 : '0.5', type: i % 2 ? 'qemu' : 'LXC', name: i % 4 ? 'nope' : undefined, estimatedImpact: 'x', bestTime: 'now' };
  }
  for (let i = 5; i < recs.length; i += 101) recs[i] = i % 2 ? null : { vmid: 'abc', target_node: 3 } as never;
  (advice as Record<string, unknown>).predicted_issues = [{ node: 'pve1', metric: 'memory', prediction: 'x', confidence: '0.7', severity: 'HIGH' }, { node: 'ghost', metric: 'cpu', confidence: 2 }, 5];
  for (const options of [{}, { maxCpuRatio: 0.5, memoryBasis: 'used' as const }, { allowLocalDisks: true, allowHaManaged: true, enforceNonStrictPins: false, maxMemoryRatio: 0.5 }]) {
    out.push(validateMigrationAdvice(snapshot, advice, options));
    out.push(validateMigrationAdvice(snapshot, JSON.stringify(advice), options));
    out.push(validateMigrationAdvice(snapshot, '```json\n' + JSON.stringify(recs.slice(0, 500)) + '\n```', options));
  }
}
writeFileSync(process.argv[2]!, JSON.stringify(out));
