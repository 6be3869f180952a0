import { z } from 'zod';
import { storedText } from '../validate-input';

/**
 * Per-call bounds far beyond any real call: they keep the per-minute sums finite and inside
 * PostgreSQL's `bigint`, so one absurd record can never make a rollup write fail (which kept its
 * whole batch, and every call after it, out of the database).
 */
const maxTokensPerCall = 1_000_000_000;
const maxCostUsdPerCall = 1_000_000;
/** 30 days. */
const maxDurationMs = 30 * 86_400_000;

/**
 * One balancer call as the metrics store keeps it: which provider and model answered (or failed),
 * when, how long it took, time to first token for streams, tokens and computed cost.
 */
export const callRecordSchema = z
  .object({
    /** Epoch milliseconds when the call finished. */
    at: z.number().int().nonnegative(),
    provider: storedText().min(1).max(200),
    model: storedText().min(1).max(200),
    /** Balancer target id; defaults to `provider/model`. */
    target: storedText().min(1).max(200).optional(),
    outcome: z.enum(['success', 'failure']),
    /** Ballast error code of a failure (`rate_limited`, `server_error`…). */
    errorCode: storedText().max(100).optional(),
    stream: z.boolean().default(false),
    latencyMs: z.number().nonnegative().max(maxDurationMs).optional(),
    timeToFirstTokenMs: z.number().nonnegative().max(maxDurationMs).optional(),
    inputTokens: z.number().int().nonnegative().max(maxTokensPerCall).default(0),
    outputTokens: z.number().int().nonnegative().max(maxTokensPerCall).default(0),
    costUsd: z.number().nonnegative().max(maxCostUsdPerCall).default(0),
  })
  .strict();

/** A validated call record (see {@link callRecordSchema}). */
export type CallRecord = z.infer<typeof callRecordSchema>;
/** What callers pass to `record()`: defaults not yet applied. */
export type CallRecordInput = z.input<typeof callRecordSchema>;
