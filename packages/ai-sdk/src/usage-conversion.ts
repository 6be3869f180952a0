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
  return {
    inputTokens: {
      total: usage.inputTokens,
      noCache: difference(usage.inputTokens, usage.cachedInputTokens),
      cacheRead: usage.cachedInputTokens,
      cacheWrite: undefined,
    },
    outputTokens: {
      total: usage.outputTokens,
      text: difference(usage.outputTokens, usage.reasoningTokens),
      reasoning: usage.reasoningTokens,
    },
  };
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
    inputTokens: input?.total ?? sum(input?.noCache, input?.cacheRead),
    outputTokens: output?.total ?? sum(output?.text, output?.reasoning),
    cachedInputTokens: input?.cacheRead,
    reasoningTokens: output?.reasoning,
  });
}

function difference(total: number | undefined, part: number | undefined): number | undefined {
  if (total === undefined) return undefined;
  return Math.max(0, total - (part ?? 0));
}

function sum(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined ? undefined : a + b;
}
