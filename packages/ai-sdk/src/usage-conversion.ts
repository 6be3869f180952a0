import type { LanguageModelV3Usage } from '@ai-sdk/provider';
import { createUsage, type Usage } from '@ballast/core';

/**
 * Ballast usage in the AI SDK's V3 shape. Ballast counts cached tokens inside `inputTokens` and
 * reasoning tokens inside `outputTokens`, as the AI SDK does, so the split parts are derived: an
 * unreported part counts as zero (as in the AI SDK's own providers), an unknown total stays unknown.
 *
 * @example
 * ```ts
 * toAiSdkUsage(result.usage).inputTokens.cacheRead; // result.usage.cachedInputTokens
 * ```
 */
export function toAiSdkUsage(usage: Usage): LanguageModelV3Usage {
  const inputTokens = count(usage.inputTokens);
  const cachedInputTokens = count(usage.cachedInputTokens);
  const outputTokens = count(usage.outputTokens);
  const reasoningTokens = count(usage.reasoningTokens);
  return {
    inputTokens: {
      total: inputTokens,
      noCache: difference(inputTokens, cachedInputTokens),
      cacheRead: cachedInputTokens,
      cacheWrite: undefined,
    },
    outputTokens: {
      total: outputTokens,
      text: difference(outputTokens, reasoningTokens),
      reasoning: reasoningTokens,
    },
  };
}

/**
 * A token count as reported, or `undefined` (unknown) when it is not a finite, non-negative
 * number: a foreign provider's `NaN`, `-5`, `Infinity` or `"12"` must not become a NaN total or cost.
 */
function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/**
 * AI SDK V3 usage as Ballast usage. A provider that reports only the parts (no `total`) still
 * gets a total when the parts add up to one.
 *
 * @example
 * ```ts
 * fromAiSdkUsage(generateResult.usage).totalTokens;
 * ```
 */
export function fromAiSdkUsage(usage: LanguageModelV3Usage | undefined): Usage {
  const input = usage?.inputTokens;
  const output = usage?.outputTokens;
  return createUsage({
    inputTokens: count(input?.total) ?? sum(count(input?.noCache), count(input?.cacheRead)),
    outputTokens: count(output?.total) ?? sum(count(output?.text), count(output?.reasoning)),
    cachedInputTokens: count(input?.cacheRead),
    reasoningTokens: count(output?.reasoning),
  });
}

function difference(total: number | undefined, part: number | undefined): number | undefined {
  if (total === undefined) return undefined;
  return Math.max(0, total - (part ?? 0));
}

function sum(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined ? undefined : a + b;
}
