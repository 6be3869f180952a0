import { ValidationError } from '@ballast/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDurationSeconds } from './duration';
import { parseQuantity } from './quantity';

// Fuzzing of the parsers that read metrics-server / API server text (issue 10). Bounded runs for
// CI; bench/parsers-fuzz.bench.ts runs longer on bigger inputs and reports the worst time.

const quantityChars = fc.constantFrom(
  '0',
  '1',
  '9',
  '.',
  '+',
  '-',
  'e',
  'E',
  'K',
  'i',
  'M',
  'm',
  'n',
  'u',
  'k',
  ' ',
);
const quantityLike = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.array(quantityChars, { maxLength: 100 }).map((chars) => chars.join('')),
  fc
    .tuple(
      fc.constantFrom('1', '1.', '.1', '9e'),
      fc.integer({ min: 1, max: 200_000 }),
      fc.constantFrom('', 'x', 'Ki', 'e+'),
    )
    .map(([unit, count, tail]) => `${unit.repeat(count)}${tail}`),
);

function expectTyped(run: () => number): void {
  try {
    const value = run();
    expect(Number.isFinite(value)).toBe(true);
  } catch (error) {
    expect(ValidationError.isInstance(error)).toBe(true);
  }
}

describe('Kubernetes parsers under fuzzing', () => {
  it('parseQuantity returns a finite number or throws a ValidationError', () => {
    fc.assert(
      fc.property(quantityLike, (text) => expectTyped(() => parseQuantity(text))),
      { numRuns: 400 },
    );
  });

  it('parseQuantity round-trips generated valid quantities', () => {
    const valid = fc
      .tuple(fc.nat({ max: 1_000_000 }), fc.constantFrom('', 'm', 'k', 'Ki', 'Mi', 'Gi', 'n', 'u', 'M', 'G'))
      .map(([amount, suffix]) => ({ text: `${amount}${suffix}`, amount, suffix }));
    const scale: Record<string, number> = {
      '': 1,
      m: 1e-3,
      k: 1e3,
      Ki: 1024,
      Mi: 2 ** 20,
      Gi: 2 ** 30,
      n: 1e-9,
      u: 1e-6,
      M: 1e6,
      G: 1e9,
    };
    fc.assert(
      fc.property(valid, ({ text, amount, suffix }) => {
        expect(parseQuantity(text)).toBeCloseTo(amount * (scale[suffix] ?? 1), 6);
      }),
      { numRuns: 300 },
    );
  });

  it('parseDurationSeconds returns a finite number or throws a ValidationError', () => {
    const durationLike = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc
        .array(fc.constantFrom('1', '5', '.', 'm', 's', 'h', 'n', 'u', 'µ'), { maxLength: 80 })
        .map((chars) => chars.join('')),
      fc.integer({ min: 1, max: 100_000 }).map((count) => '1s'.repeat(count)),
    );
    fc.assert(
      fc.property(durationLike, (text) => expectTyped(() => parseDurationSeconds(text))),
      { numRuns: 400 },
    );
  });
});
