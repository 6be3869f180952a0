import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeNodeTrends } from '../../forecast/trend';
import { planMigrations } from '../plan-migrations';
import { adviceCluster } from './__fixtures__/advice-cluster';
import { buildMigrationPrompt } from './build-migration-prompt';
import { createPseudonymizer } from './pseudonymize';

const realNames = [
  'pve1',
  'pve2',
  'pve3',
  'pve4',
  'db1',
  'web1',
  'cache1',
  'app1',
  'locked1',
  'ct-dns',
  'mon1',
];

describe('createPseudonymizer', () => {
  it('leaves no node, guest, tag or endpoint of the cluster in the prompt', () => {
    const snapshot = adviceCluster();
    snapshot.source = { kind: 'proxmox', endpoint: 'https://pve1.corp.example:8006' };
    const names = createPseudonymizer(snapshot);
    const plan = planMigrations(snapshot, { maxMigrations: 2 });
    expect(plan.recommendations.length).toBeGreaterThan(0);
    const prompt = buildMigrationPrompt(names.snapshot, {
      period: '24h',
      thresholds: { cpuThreshold: 60, memThreshold: 70 },
      plan: names.hide(plan),
      trends: names.hide(computeNodeTrends(snapshot)),
    });
    const sent = prompt.user;
    for (const name of [...realNames, 'corp.example', '8006', 'prod'])
      expect(sent).not.toMatch(new RegExp(`\\b${name}\\b`));
    expect(sent).toMatch(/\bnode-1\b/);
    expect(sent).toMatch(/\bguest-\d+\b/);
    expect(sent).toMatch(/tags tag-\d+,tag-\d+/);
    // The numbers the model reasons about are untouched.
    expect(sent).toContain('101');
  });

  it('maps a model answer back to the real names, in fields and in free text', () => {
    const snapshot = adviceCluster();
    const names = createPseudonymizer(snapshot);
    const pve2 = names.pseudonyms.get('pve2')!;
    const pve1 = names.pseudonyms.get('pve1')!;
    const db1 = names.pseudonyms.get('db1')!;
    const answer = {
      analysis: `${pve1} is hot; move ${db1} to ${pve2}.`,
      recommendations: [
        { vmid: 101, name: db1, source_node: pve1, target_node: pve2, reasoning: `${pve2} idles` },
      ],
    };
    expect(names.reveal(answer)).toEqual({
      analysis: 'pve1 is hot; move db1 to pve2.',
      recommendations: [
        { vmid: 101, name: 'db1', source_node: 'pve1', target_node: 'pve2', reasoning: 'pve2 idles' },
      ],
    });
  });

  it('replaces whole names only (pve1 is not part of pve10)', () => {
    const names = createPseudonymizer(adviceCluster());
    expect(names.hide('pve10 and pve1, pve1.')).toBe(
      `pve10 and ${names.pseudonyms.get('pve1')}, ${names.pseudonyms.get('pve1')}.`,
    );
  });

  it('round-trips any text made of the cluster’s names and other words (property)', () => {
    const names = createPseudonymizer(adviceCluster());
    const word = fc.oneof(
      fc.constantFrom(...realNames),
      fc.stringMatching(/^[a-z]{1,8}$/),
      fc.constantFrom(' ', ', ', '. ', ' -> '),
    );
    fc.assert(
      fc.property(fc.array(word, { maxLength: 30 }), (parts) => {
        const text = parts.join(' ');
        expect(names.reveal(names.hide(text))).toBe(text);
      }),
    );
  });
});
