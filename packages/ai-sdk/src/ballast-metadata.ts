import type { JSONObject, JSONValue, SharedV3ProviderMetadata } from '@ai-sdk/provider';
import type { ChatResult } from '@ballast/core';
import { z } from 'zod';

/** The key of Ballast's entry in AI SDK `providerMetadata` (and `providerOptions`). */
export const ballastMetadataKey = 'ballast';

const routeAttemptSchema = z.object({
  target: z.string(),
  /** `success`, an error code (`rate_limited`, `timeout`, …) or `cancelled` (a lost hedge). */
  outcome: z.string(),
  startedAt: z.number().optional(),
  durationMs: z.number().optional(),
  retryAfterMs: z.number().optional(),
  hedge: z.boolean().optional(),
  message: z.string().optional(),
});

/**
 * Zod schema of `providerMetadata.ballast`: who served the call, what it cost, and for a
 * balancer the route (target, strategy, every attempt, skipped targets, scores).
 */
export const ballastMetadataSchema = z.object({
  /** The provider that actually served the call (for a balancer: the winning target's). */
  provider: z.string(),
  modelId: z.string(),
  costUsd: z.number().optional(),
  latencyMs: z.number().optional(),
  timeToFirstTokenMs: z.number().optional(),
  structuredOutputMode: z.string().optional(),
  route: z
    .looseObject({
      target: z.string(),
      strategy: z.string().optional(),
      attempts: z.array(routeAttemptSchema),
      skipped: z.array(z.looseObject({ target: z.string(), reason: z.string() })).optional(),
      scores: z.array(z.unknown()).optional(),
    })
    .optional(),
});

/** Ballast's entry in AI SDK provider metadata. */
export type BallastMetadata = z.infer<typeof ballastMetadataSchema>;

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
 * const metadata = ballastMetadataOf(await balancer.chat(request));
 * metadata.ballast; // { provider: 'openai', modelId: 'gpt-4o-mini', route: { target: 'openai-mini', ... } }
 * ```
 */
export function ballastMetadataOf(result: ChatResult): SharedV3ProviderMetadata {
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

/**
 * Reads `providerMetadata.ballast` back, typed: from `generateText`/`streamText` results, their
 * steps, or a `finish-step` part (for example to send the route to a `useChat` client as message
 * metadata). Returns `undefined` when the call was not served through Ballast or the entry does
 * not have Ballast's shape.
 *
 * @example
 * ```ts
 * const result = streamText({ model: createBallastLanguageModel(balancer), prompt });
 * const ballast = readBallastMetadata(await result.providerMetadata);
 * console.log(ballast?.route?.target, ballast?.route?.attempts.length);
 * ```
 */
export function readBallastMetadata(
  providerMetadata: SharedV3ProviderMetadata | undefined,
): BallastMetadata | undefined {
  const parsed = ballastMetadataSchema.safeParse(providerMetadata?.[ballastMetadataKey]);
  return parsed.success ? parsed.data : undefined;
}

function withoutUndefined(entry: Record<string, JSONValue | undefined>): JSONObject {
  return Object.fromEntries(Object.entries(entry).filter(([, value]) => value !== undefined)) as JSONObject;
}

/** A JSON copy (drops functions and `undefined`, turns non-finite numbers into `null`). */
function toJsonValue(value: unknown): JSONValue {
  return JSON.parse(JSON.stringify(value)) as JSONValue;
}
