import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dotProductKernel } from './dot-product-kernel';

describe('dot product kernel (WebAssembly SIMD)', () => {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const kernel = dotProductKernel(memory);

  it('is available on Node 20', () => {
    expect(kernel).not.toBeNull();
  });

  it('matches the double-precision dot product of float32 vectors: single, range and gathered rows', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 24 }).chain((quads) =>
          fc.tuple(
            fc.array(fc.float({ min: -1, max: 1, noNaN: true }), {
              minLength: quads * 4,
              maxLength: quads * 4,
            }),
            fc.array(
              fc.array(fc.float({ min: -1, max: 1, noNaN: true }), {
                minLength: quads * 4,
                maxLength: quads * 4,
              }),
              { minLength: 1, maxLength: 8 },
            ),
          ),
        ),
        ([query, rows]) => {
          const length = query.length;
          const floats = new Float32Array(memory.buffer);
          floats.set(query, 0);
          const base = length * 4;
          rows.forEach((row, index) => {
            floats.set(row, length + index * length);
          });
          const out = base + rows.length * length * 4;
          kernel!.scoreRange(base, rows.length, length, 0, out);
          const ranged = new Float64Array(memory.buffer, out, rows.length);
          const indices = new Int32Array(memory.buffer, out + rows.length * 8, rows.length);
          indices.set(rows.map((_, index) => rows.length - 1 - index));
          const gatheredOut = out + rows.length * 8 + Math.ceil(rows.length / 2) * 8;
          kernel!.scoreRows(base, out + rows.length * 8, rows.length, length, 0, gatheredOut);
          const gathered = new Float64Array(memory.buffer, gatheredOut, rows.length);
          rows.forEach((row, index) => {
            let exact = 0;
            for (let position = 0; position < length; position++)
              exact += Math.fround(row[position]!) * Math.fround(query[position]!);
            const single = kernel!.dot(base + index * length * 4, 0, length);
            expect(Math.abs(single - exact)).toBeLessThanOrEqual(1e-6 * Math.max(1, length / 4));
            expect(ranged[index]).toBe(single);
            expect(gathered[rows.length - 1 - index]).toBe(single);
          });
        },
      ),
      { seed: 14, numRuns: 200 },
    );
  });
});
