import { z } from 'zod';

/**
 * Bounds of the shared outcome and latency windows. Memory per scope is at most
 * `retentionMs / bucketMs` outcome buckets and `latencyCapacity` latency samples.
 *
 * @example
 * ```ts
 * const bounds = windowBoundsSchema.parse({ retentionMs: 300_000 }); // bucketMs 5 000, latencyCapacity 256
 * ```
 */
export const windowBoundsSchema = z.object({
  /** Longest window that can be read back; older outcomes are dropped. Default 300 000 ms. */
  retentionMs: z.number().int().positive().default(300_000),
  /** Width of one outcome bucket (the resolution of a window read). Default 5 000 ms. */
  bucketMs: z.number().int().positive().default(5_000),
  /** Latency samples kept per scope (the newest win). Default 256. */
  latencyCapacity: z.number().int().positive().max(10_000).default(256),
});

/** Parsed {@link windowBoundsSchema}. */
export type WindowBounds = z.infer<typeof windowBoundsSchema>;

/** Input of {@link windowBoundsSchema} (every field optional). */
export type WindowBoundsInput = z.input<typeof windowBoundsSchema>;
