import { describe, expect, it } from 'vitest';
import { createUsage } from './chat-result';
import { ConfigError } from './errors/config-error';
import { computeCostUsd, createPricingTable, estimateCostUsd, findModelPrice } from './pricing';

const price = { inputPerMillion: 1, outputPerMillion: 2 };

describe('pricing: bad input', () => {
  it.each([
    ['a NaN input price', { inputPerMillion: Number.NaN, outputPerMillion: 2 }, 'acme.m.inputPerMillion'],
    ['a negative output price', { inputPerMillion: 1, outputPerMillion: -2 }, 'acme.m.outputPerMillion'],
    ['a string price', { inputPerMillion: '3', outputPerMillion: 2 }, 'acme.m.inputPerMillion'],
    [
      'an Infinity cached price',
      { inputPerMillion: 1, outputPerMillion: 2, cachedInputPerMillion: Number.POSITIVE_INFINITY },
      'acme.m.cachedInputPerMillion',
    ],
    ['no price object', null, 'acme.m'],
  ])(
    'createPricingTable refuses %s with a ConfigError naming it (before: NaN or negative costs)',
    (_name, model, path) => {
      let error: unknown;
      try {
        createPricingTable({ acme: { m: model } } as never);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).issues[0]?.path).toBe(path);
    },
  );

  it('createPricingTable keeps a provider named __proto__ as a provider (before: it became the prototype and was lost)', () => {
    const table = createPricingTable(
      JSON.parse('{"__proto__": {"m": {"inputPerMillion": 1, "outputPerMillion": 2}}}'),
    );
    expect(findModelPrice(table, '__proto__', 'm', { onWarning: () => {} })).toEqual(price);
    expect(Object.getPrototypeOf(table)).toBe(Object.prototype);
  });

  it.each([
    ['NaN input tokens', { inputTokens: Number.NaN, outputTokens: 10 }],
    ['negative output tokens', { inputTokens: 10, outputTokens: -5 }],
    ['infinite input tokens', { inputTokens: Number.POSITIVE_INFINITY, outputTokens: 1 }],
    ['NaN cached tokens', { inputTokens: 10, outputTokens: 1, cachedInputTokens: Number.NaN }],
  ])(
    'computeCostUsd reports an unknown cost for %s (before: NaN, Infinity or a negative cost)',
    (_name, counts) => {
      expect(computeCostUsd(price, createUsage(counts))).toBeUndefined();
    },
  );

  it('estimateCostUsd reports an unknown cost for a NaN estimate (before: NaN)', () => {
    expect(estimateCostUsd(price, { inputTokens: Number.NaN, outputTokens: 1 })).toBeUndefined();
    expect(estimateCostUsd(price, { inputTokens: -1, outputTokens: 1 })).toBeUndefined();
    expect(estimateCostUsd(price, { inputTokens: 1_000_000, outputTokens: 0 })).toBe(1);
  });
});
