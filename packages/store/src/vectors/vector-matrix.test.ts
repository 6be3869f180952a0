import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VectorMatrix } from './vector-matrix';

function cosine(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  a.forEach((value, index) => {
    dot += value * b[index]!;
    normA += value * value;
    normB += b[index]! * b[index]!;
  });
  return normA === 0 || normB === 0 ? 0 : dot / Math.sqrt(normA * normB);
}

describe('VectorMatrix', () => {
  it('answers like a brute-force scan through sets, replacements, deletes and compactions', () => {
    const vector = fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 5, maxLength: 5 });
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ kind: fc.constant('set' as const), key: fc.integer({ min: 0, max: 600 }), vector }),
            fc.record({ kind: fc.constant('delete' as const), key: fc.integer({ min: 0, max: 600 }) }),
          ),
          { maxLength: 1_500 },
        ),
        vector,
        (operations, query) => {
          const matrix = new VectorMatrix<number>(5);
          const reference = new Map<number, number[]>();
          for (const step of operations)
            if (step.kind === 'set') {
              matrix.set(step.key, step.vector);
              reference.set(step.key, step.vector);
            } else expect(matrix.delete(step.key)).toBe(reference.delete(step.key));
          expect(matrix.size).toBe(reference.size);
          const hits = matrix.search(query, 7);
          const expected = [...reference.values()]
            .map((stored) => cosine(stored, query))
            .sort((a, b) => b - a)
            .slice(0, 7);
          expect(hits.map((hit) => hit.score)).toEqual(expected.map((score) => expect.closeTo(score, 5)));
          for (const hit of hits) expect(cosine(reference.get(hit.key)!, query)).toBeCloseTo(hit.score, 5);
        },
      ),
      { seed: 14, numRuns: 60 },
    );
  });

  it('refuses a vector of the wrong length and compacts holes away', () => {
    const matrix = new VectorMatrix<string>(3);
    expect(() => matrix.set('a', [1, 2])).toThrow(RangeError);
    for (let index = 0; index < 1_000; index++) matrix.set(`k${index}`, [index, 1, 0]);
    for (let index = 0; index < 1_000; index += 2) matrix.delete(`k${index}`);
    expect(matrix.size).toBe(500);
    expect(matrix.rowSpan).toBeLessThan(1_000); // compacted at a quarter of holes
    expect(matrix.layoutVersion).toBeGreaterThan(0);
    expect(matrix.search([1, 0, 0], 1)[0]!.key).toBe('k999');
  });
});
