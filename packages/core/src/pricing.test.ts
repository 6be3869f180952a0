import { afterEach, describe, expect, it, vi } from 'vitest';
import { createUsage } from './chat-result';
import {
  computeCostUsd,
  createPricingTable,
  defaultPricing,
  estimateCostUsd,
  findModelPrice,
  type ModelPrice,
} from './pricing';

const quiet = { onWarning: () => {} };
const price = (modelId: string, provider = 'openai', table = defaultPricing): ModelPrice | undefined =>
  findModelPrice(table, provider, modelId, quiet);

afterEach(() => {
  vi.restoreAllMocks();
});

describe('pricing', () => {
  it('matches exact ids, then dated snapshots of an id, then explicit prefix* entries', () => {
    const table = createPricingTable({
      openai: { 'gpt-4o-mini-special': { inputPerMillion: 9, outputPerMillion: 9 } },
      custom: { 'tune-*': { inputPerMillion: 7, outputPerMillion: 7 } },
    });
    expect(price('gpt-4o-mini-special', 'openai', table)).toEqual({
      inputPerMillion: 9,
      outputPerMillion: 9,
    });
    expect(price('gpt-4o-mini-2024-07-18', 'openai', table)).toEqual({
      inputPerMillion: 0.15,
      outputPerMillion: 0.6,
      cachedInputPerMillion: 0.075,
    });
    expect(price('gpt-4o-2024-08-06')).toEqual({
      inputPerMillion: 2.5,
      outputPerMillion: 10,
      cachedInputPerMillion: 1.25,
    });
    expect(price('claude-sonnet-4-20250514', 'anthropic')).toEqual({
      inputPerMillion: 3,
      outputPerMillion: 15,
      cachedInputPerMillion: 0.3,
    });
    expect(price('tune-42', 'custom', table)).toEqual({ inputPerMillion: 7, outputPerMillion: 7 });
    expect(price('unknown', 'openai', table)).toBeUndefined();
    expect(price('x', 'nobody', table)).toBeUndefined();
    expect(price('anything:7b', 'ollama')).toEqual({ inputPerMillion: 0, outputPerMillion: 0 });
  });

  // Issue 10: prefix entries priced unknown future models at old prices.
  it.each([
    ['anthropic', 'claude-opus-4-7'], // was priced as claude-opus-4* (15/75)
    ['anthropic', 'claude-sonnet-5'],
    ['openai', 'gpt-4o-audio-preview'], // was priced as gpt-4o*
    ['openai', 'gpt-4.1-turbo-2027'],
    ['openai', 'o4-mini-deep-research'],
  ])('has no price (undefined) for the unknown model %s %s', (provider, modelId) => {
    expect(price(modelId, provider)).toBeUndefined();
  });

  it('warns once per unpriced model id, through the hook or console.warn', () => {
    const onWarning = vi.fn();
    findModelPrice(defaultPricing, 'openai', 'gpt-9-hook', { onWarning });
    findModelPrice(defaultPricing, 'openai', 'gpt-9-hook', { onWarning });
    expect(onWarning).toHaveBeenCalledTimes(1);
    expect(onWarning).toHaveBeenCalledWith(expect.stringContaining('no price for openai:gpt-9-hook'));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    findModelPrice(defaultPricing, 'openai', 'gpt-9-console');
    findModelPrice(defaultPricing, 'openai', 'gpt-9-console');
    findModelPrice(defaultPricing, 'openai', 'gpt-4o');
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it('bills cached input at the cached rate and is unknown without counts', () => {
    const rates = { inputPerMillion: 2, outputPerMillion: 8, cachedInputPerMillion: 0.5 };
    const usage = createUsage({ inputTokens: 1_000_000, cachedInputTokens: 400_000, outputTokens: 100_000 });
    expect(computeCostUsd(rates, usage)).toBeCloseTo(0.6 * 2 + 0.4 * 0.5 + 0.1 * 8, 10);
    expect(computeCostUsd(rates, createUsage({ outputTokens: 5 }))).toBeUndefined();
    expect(computeCostUsd(undefined, usage)).toBeUndefined();
  });

  it('estimates request cost from token estimates', () => {
    expect(
      estimateCostUsd(
        { inputPerMillion: 1, outputPerMillion: 4 },
        { inputTokens: 500_000, outputTokens: 250_000 },
      ),
    ).toBe(1.5);
  });

  it('overrides keep the defaults of other providers, at their exact prices', () => {
    const table = createPricingTable({ groq: { custom: { inputPerMillion: 1, outputPerMillion: 1 } } });
    expect(price('custom', 'groq', table)).toEqual({ inputPerMillion: 1, outputPerMillion: 1 });
    expect(price('llama-3.1-8b-instant', 'groq', table)).toEqual({
      inputPerMillion: 0.05,
      outputPerMillion: 0.08,
    });
    expect(price('claude-sonnet-4-5', 'anthropic', table)).toEqual({
      inputPerMillion: 3,
      outputPerMillion: 15,
      cachedInputPerMillion: 0.3,
    });
    expect(price('claude-opus-4-5', 'anthropic', table)).toEqual({
      inputPerMillion: 5,
      outputPerMillion: 25,
      cachedInputPerMillion: 0.5,
    });
  });
});
