import type { JSONObject, JSONValue, SharedV3ProviderMetadata } from '@ai-sdk/provider';
import type { ChatResult } from '@ballast/core';

/** The key of Ballast's entry in AI SDK `providerMetadata`. */
export const ballastMetadataKey = 'ballast';

/**
 * What Ballast knows about one call, as AI SDK provider metadata under `providerMetadata.ballast`:
 * the provider and model that actually served it, cost, latency, time to first token, the
 * structured-output mode used and, when the model is a balancer, its `route` (the target that
 * served, the strategy, every candidate's score and every attempt, failed ones included).
 *
 * The route is read from the result without importing `@ballast/balancer`: any `ChatModel` whose
 * results carry a `route` object gets it passed through.
 *
 * @example
 * ```ts
 * const { providerMetadata } = await generateText({ model, prompt });
 * providerMetadata?.ballast?.route; // { target: 'openai-mini', attempts: [...] }
 * ```
 */
export function routeMetadataOf(result: ChatResult): SharedV3ProviderMetadata {
  const route = (result as ChatResult & { route?: unknown }).route;
  const entry: Record<string, JSONValue | undefined> = {
    provider: result.provider,
    modelId: result.modelId,
    costUsd: result.costUsd,
    latencyMs: result.latencyMs,
    timeToFirstTokenMs: result.timeToFirstTokenMs,
    structuredOutputMode: result.structuredOutputMode,
    route: typeof route === 'object' && route !== null ? toJsonValue(route) : undefined,
  };
  return { [ballastMetadataKey]: withoutUndefined(entry) };
}

function withoutUndefined(entry: Record<string, JSONValue | undefined>): JSONObject {
  return Object.fromEntries(Object.entries(entry).filter(([, value]) => value !== undefined)) as JSONObject;
}

/** A JSON copy (drops functions and `undefined`, turns non-finite numbers into `null`). */
function toJsonValue(value: unknown): JSONValue {
  return JSON.parse(JSON.stringify(value)) as JSONValue;
}
