import { z } from 'zod';

/**
 * One balancer call as the metrics store keeps it: which provider and model answered (or failed),
 * when, how long it took, time to first token for streams, tokens and computed cost.
 */
export const callRecordSchema = z
  .object({
    /** Epoch milliseconds when the call finished. */
    at: z.number().int().nonnegative(),
    provider: z.string().min(1).max(200),
    model: z.string().min(1).max(200),
    /** Balancer target id; defaults to `provider/model`. */
    target: z.string().min(1).max(200).optional(),
    outcome: z.enum(['success', 'failure']),
    /** Ballast error code of a failure (`rate_limited`, `server_error`…). */
    errorCode: z.string().max(100).optional(),
    stream: z.boolean().default(false),
    latencyMs: z.number().nonnegative().finite().optional(),
    timeToFirstTokenMs: z.number().nonnegative().finite().optional(),
    inputTokens: z.number().int().nonnegative().default(0),
    outputTokens: z.number().int().nonnegative().default(0),
    costUsd: z.number().nonnegative().finite().default(0),
  })
  .strict();

/** A validated call record (see {@link callRecordSchema}). */
export type CallRecord = z.infer<typeof callRecordSchema>;
/** What callers pass to `record()`: defaults not yet applied. */
export type CallRecordInput = z.input<typeof callRecordSchema>;
