import { describe, expect, it } from 'vitest';
import { createUsage } from './chat-result';
import {
  computeCostUsd,
  createPricingTable,
  defaultPricing,
  estimateCostUsd,
  findModelPrice,
} from './pricing';

describe('pricing', () => {
  it('matches exact ids before the longest prefix', () => {
    const table = createPricingTable({
      openai: { 'gpt-4o-mini-special': { inputPerMillion: 9, outputPerMillion: 9 } },
    });
    expect(findModelPrice(table, 'openai', 'gpt-4o-mini-special')?.inputPerMillion).toBe(9);
    expect(findModelPrice(table, 'openai', 'gpt-4o-mini-2024-07-18')?.inputPerMillion).toBe(0.15);
    expect(findModelPrice(table, 'openai', 'gpt-4o-2024-08-06')?.inputPerMillion).toBe(2.5);
    expect(findModelPrice(table, 'openai', 'unknown')).toBeUndefined();
    expect(findModelPrice(table, 'nobody', 'x')).toBeUndefined();
    expect(findModelPrice(defaultPricing, 'ollama', 'anything:7b')?.inputPerMillion).toBe(0);
  });

  it('bills cached input at the cached rate and is unknown without counts', () => {
    const price = { inputPerMillion: 2, outputPerMillion: 8, cachedInputPerMillion: 0.5 };
    const usage = createUsage({ inputTokens: 1_000_000, cachedInputTokens: 400_000, outputTokens: 100_000 });
    expect(computeCostUsd(price, usage)).toBeCloseTo(0.6 * 2 + 0.4 * 0.5 + 0.1 * 8, 10);
    expect(computeCostUsd(price, createUsage({ outputTokens: 5 }))).toBeUndefined();
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

  it('overrides keep the defaults of other providers', () => {
    const table = createPricingTable({ groq: { custom: { inputPerMillion: 1, outputPerMillion: 1 } } });
    expect(findModelPrice(table, 'groq', 'llama-3.1-8b-instant')).toBeDefined();
    expect(findModelPrice(table, 'anthropic', 'claude-sonnet-4-5')).toBeDefined();
  });
});
