import type { LanguageModelV3Usage } from '@ai-sdk/provider';
import { createUsage } from '@ballast/core';
import { describe, expect, it } from 'vitest';
import { fromAiSdkUsage, toAiSdkUsage } from './usage-conversion';

const usage = (input: Record<string, unknown>, output: Record<string, unknown>) =>
  ({ inputTokens: input, outputTokens: output }) as unknown as LanguageModelV3Usage;

describe('usage conversion: counts a foreign provider got wrong are unknown, never NaN or negative', () => {
  it.each([
    ['NaN', Number.NaN],
    ['negative', -5],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['a numeric string', '12'],
    ['null', null],
  ])('fromAiSdkUsage with a %s input total (before: that value, or a NaN total)', (_name, bad) => {
    const converted = fromAiSdkUsage(
      usage({ total: bad, noCache: bad, cacheRead: bad }, { total: 7, text: 7 }),
    );
    expect(converted.inputTokens).toBeUndefined();
    expect(converted.cachedInputTokens).toBeUndefined();
    expect(converted.totalTokens).toBeUndefined();
    expect(converted.outputTokens).toBe(7);
  });

  it('fromAiSdkUsage still derives a total from valid parts', () => {
    expect(fromAiSdkUsage(usage({ noCache: 3, cacheRead: 2 }, { text: 4, reasoning: 1 }))).toMatchObject({
      inputTokens: 5,
      outputTokens: 5,
      totalTokens: 10,
    });
  });

  it('toAiSdkUsage never derives NaN from a NaN count (before: noCache NaN)', () => {
    const converted = toAiSdkUsage(
      createUsage({ inputTokens: Number.NaN, outputTokens: -1, cachedInputTokens: 2 }),
    );
    expect(converted.inputTokens).toEqual({
      total: undefined,
      noCache: undefined,
      cacheRead: 2,
      cacheWrite: undefined,
    });
    expect(converted.outputTokens.total).toBeUndefined();
    expect(converted.outputTokens.text).toBeUndefined();
  });
});
