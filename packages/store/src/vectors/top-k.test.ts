import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TopK } from './top-k';

describe('TopK', () => {
  it('keeps exactly the k best (score desc, then row asc) of any stream', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -20, max: 20 }), { maxLength: 200 }),
        fc.integer({ min: 0, max: 12 }),
        (scores, k) => {
          const best = new TopK(k);
          scores.forEach((score, row) => {
            best.push(score, row);
          });
          const expected = scores
            .map((score, row) => ({ row, score }))
            .sort((a, b) => b.score - a.score || a.row - b.row)
            .slice(0, k);
          expect(best.results()).toEqual(expected);
        },
      ),
      { seed: 14, numRuns: 300 },
    );
  });
});
