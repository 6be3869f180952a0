import { ValidationError } from '@ballast/core';
import { describe, expect, it } from 'vitest';
import { parseDurationSeconds } from './duration';
import { MAX_QUANTITY_LENGTH, parseOptionalQuantity, parseQuantity, quantityPattern } from './quantity';

describe('parseQuantity', () => {
  it.each([
    // plain numbers, decimals, signs
    ['0', 0],
    ['1', 1],
    ['0.5', 0.5],
    ['.5', 0.5],
    ['5.', 5],
    ['+2', 2],
    ['-1.5', -1.5],
    ['-0', 0],
    // decimal SI suffixes (cpu)
    ['100m', 0.1],
    ['500m', 0.5],
    ['1500m', 1.5],
    ['500u', 0.0005],
    ['12345n', 0.000012345],
    ['431552871n', 0.431552871],
    ['1k', 1000],
    ['1M', 1e6],
    ['1G', 1e9],
    ['2T', 2e12],
    ['3P', 3e15],
    ['12E', 12e18],
    ['0.1k', 100],
    // binary suffixes (memory)
    ['1Ki', 1024],
    ['256Mi', 268_435_456],
    ['1.5Gi', 1_610_612_736],
    ['241348Ki', 247_140_352],
    ['2Ti', 2 * 2 ** 40],
    ['1Pi', 2 ** 50],
    ['2Ei', 2 * 2 ** 60],
    ['0.5Ki', 512],
    // decimal exponents
    ['1e3', 1000],
    ['1E3', 1000],
    ['1e-3', 0.001],
    ['1.5e+2', 150],
    ['-2e2', -200],
    ['5e0', 5],
  ])('%s → %d', (text, expected) => {
    expect(parseQuantity(text)).toBe(expected);
  });

  it('tells 1k (1000) from 1Ki (1024) and 12E (exa) from 12e3 (exponent)', () => {
    expect(parseQuantity('1k')).toBe(1000);
    expect(parseQuantity('1Ki')).toBe(1024);
    expect(parseQuantity('12E')).toBe(1.2e19);
    expect(parseQuantity('12e3')).toBe(12_000);
  });

  it('passes finite numbers through and rejects non-finite ones', () => {
    expect(parseQuantity(3)).toBe(3);
    expect(() => parseQuantity(Number.NaN)).toThrow(ValidationError);
  });

  it.each([
    '',
    ' ',
    'abc',
    '1 Gi',
    ' 1',
    '1Gb',
    '1KiB',
    '1ki',
    '1K',
    '1mi',
    'Mi',
    '1e',
    '1e+',
    '1e3Mi',
    '1.2.3',
    '--1',
    '.',
    '1m2',
    '0x10',
    'Infinity',
    '1e400',
  ])('rejects %j with a ValidationError', (text) => {
    let caught: unknown;
    try {
      parseQuantity(text);
    } catch (error) {
      caught = error;
    }
    expect(ValidationError.isInstance(caught)).toBe(true);
    expect((caught as ValidationError).issues[0]?.code).toBe('invalid_quantity');
  });

  it('parseOptionalQuantity leaves missing values undefined', () => {
    expect(parseOptionalQuantity(undefined)).toBeUndefined();
    expect(parseOptionalQuantity(null)).toBeUndefined();
    expect(parseOptionalQuantity('64Mi')).toBe(67_108_864);
  });
});

describe('parseDurationSeconds', () => {
  it.each([
    ['15.012s', 15.012],
    ['14.87s', 14.87],
    ['1m0s', 60],
    ['1m30.5s', 90.5],
    ['500ms', 0.5],
    ['1h2m3s', 3723],
    ['0s', 0],
    ['0', 0],
  ])('%s → %d s', (text, expected) => {
    expect(parseDurationSeconds(text)).toBeCloseTo(expected, 9);
  });

  it.each(['', '15', 's', '1d', '1.5.2s'])('rejects %j', (text) => {
    expect(() => parseDurationSeconds(text)).toThrow(ValidationError);
  });
});

describe('parseQuantity on hostile input (issue 10)', () => {
  it('refuses text over MAX_QUANTITY_LENGTH with a typed error before matching', () => {
    const digits = '1'.repeat(128_000);
    expect(() => parseQuantity(`${digits}x`)).toThrow(ValidationError);
    try {
      parseQuantity(`${digits}x`);
    } catch (error) {
      expect((error as ValidationError).issues[0]?.code).toBe('quantity_too_long');
    }
    expect(parseQuantity(`${'0'.repeat(MAX_QUANTITY_LENGTH - 1)}1`)).toBe(1);
  });

  // The old pattern (`\d+\.?\d*`) backtracked over every split of a digit run: 128 000 digits
  // took a minute. The pattern alone must now be linear, cap or no cap. Only completion is
  // asserted, never a duration.
  it.each([
    ['digits then junk', `${'1'.repeat(200_000)}x`],
    ['digits, dot, digits then junk', `${'1'.repeat(100_000)}.${'2'.repeat(100_000)}x`],
    ['digits then a bad exponent', `${'9'.repeat(200_000)}e+`],
  ])(
    'the quantity pattern rejects %s without backtracking blow-up',
    (_, text) => {
      expect(quantityPattern.test(text)).toBe(false);
    },
    30_000,
  );
});
