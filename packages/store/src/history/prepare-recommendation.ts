import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { StoreBackend } from '../errors/store-error';
import { StoreError } from '../errors/store-error';
import { parseStoreInput, prepareJsonForStorage, redactForStorage } from '../validate-input';
import {
  type NewRecommendation,
  newRecommendationSchema,
  type RecommendationFeedback,
  type RecommendationOutcome,
  type RecommendationRecord,
  recommendationFeedbackSchema,
  recommendationOutcomeSchema,
} from './recommendation-record';

/** Validates and redacts a new recommendation into the record every store writes. */
export function prepareRecommendation(
  input: NewRecommendation,
  context: { backend: StoreBackend; now: number; knownSecrets: readonly string[] },
): RecommendationRecord {
  const parsed = parseStoreInput(newRecommendationSchema, input, 'recommendation', context.backend);
  const redact = (text: string) => redactForStorage(text, context.knownSecrets);
  return {
    id: randomUUID(),
    kind: parsed.kind,
    createdAt: parsed.createdAt ?? context.now,
    snapshotFingerprint: parsed.snapshotFingerprint,
    source: parsed.source,
    subject: redact(parsed.subject),
    action: redact(parsed.action),
    payload: prepareJsonForStorage(
      parsed.payload,
      'payload',
      context.backend,
      context.knownSecrets,
    ) as Record<string, unknown>,
    verdict: parsed.verdict ? { ...parsed.verdict, reasons: parsed.verdict.reasons.map(redact) } : null,
    applied: false,
    appliedAt: null,
    outcome: null,
    feedback: null,
  };
}

/** Validates and redacts an outcome. */
export function prepareOutcome(
  outcome: RecommendationOutcome,
  context: { backend: StoreBackend; knownSecrets: readonly string[] },
): RecommendationOutcome {
  const parsed = parseStoreInput(
    recommendationOutcomeSchema,
    outcome,
    'recommendation outcome',
    context.backend,
  );
  return parsed.taskStatus === undefined
    ? parsed
    : { ...parsed, taskStatus: redactForStorage(parsed.taskStatus, context.knownSecrets) };
}

/** Validates and redacts feedback. */
export function prepareFeedback(
  feedback: RecommendationFeedback,
  context: { backend: StoreBackend; knownSecrets: readonly string[] },
): RecommendationFeedback {
  const parsed = parseStoreInput(
    recommendationFeedbackSchema,
    feedback,
    'recommendation feedback',
    context.backend,
  );
  return parsed.reason === undefined
    ? parsed
    : { ...parsed, reason: redactForStorage(parsed.reason, context.knownSecrets) };
}

const appliedAtSchema = z.number().int().nonnegative().optional();

/** Validates the time a recommendation was applied (epoch ms; the store's clock when absent). */
export function prepareAppliedAt(appliedAt: number | undefined, backend: StoreBackend): number | undefined {
  return parseStoreInput(appliedAtSchema, appliedAt, 'applied time', backend);
}

/** The error for an id that is not in the store. */
export function unknownRecommendation(id: string, backend: StoreBackend): StoreError {
  return new StoreError({
    message: `No recommendation with id ${JSON.stringify(id.slice(0, 100))}`,
    backend,
    reason: 'invalid_input',
  });
}
