import { z } from 'zod';

const positiveMilliseconds = z.number().finite().positive();

/** Zod schema of {@link BallastLanguageModelOptions}. */
export const ballastLanguageModelOptionsSchema = z.object({
  /** Provider id the AI SDK reports (telemetry, `response`); default `ballast.<model.provider>`. */
  provider: z.string().min(1).optional(),
  /** Model id the AI SDK reports; default the Ballast model's `modelId` (a balancer's name). */
  modelId: z.string().min(1).optional(),
  /** Deadline of every call in milliseconds (Ballast's `timeoutMs`); per call: `providerOptions.ballast.timeoutMs`. */
  timeoutMs: positiveMilliseconds.optional(),
  /**
   * Extra Ballast call options sent with every call, for example a balancer's
   * `{ routing: { maxCostUsd: 0.01 } }`. `providerOptions.ballast` of a call is merged over them.
   */
  callOptions: z.record(z.string(), z.unknown()).optional(),
  /**
   * URL patterns (per media type) the model takes as they are; the AI SDK downloads any other
   * URL and sends the bytes. Default: `http(s)` image URLs pass through.
   */
  supportedUrls: z.record(z.string(), z.array(z.instanceof(RegExp))).optional(),
});

/** Options of `createBallastLanguageModel`. Every field is optional. */
export type BallastLanguageModelOptions = z.infer<typeof ballastLanguageModelOptionsSchema>;

/**
 * Zod schema of the per-call options read from `providerOptions.ballast`: `timeoutMs`, and any
 * other Ballast call option (a balancer's `routing`), passed through to the model.
 */
export const ballastProviderOptionsSchema = z.looseObject({
  timeoutMs: positiveMilliseconds.optional(),
});

/** Per-call Ballast options given as `providerOptions: { ballast: { ... } }`. */
export type BallastProviderOptions = z.infer<typeof ballastProviderOptionsSchema>;
