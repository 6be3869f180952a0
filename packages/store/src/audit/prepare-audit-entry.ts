import { type StoreBackend, StoreError } from '../errors/store-error';
import { parseStoreInput, prepareJsonForStorage, redactForStorage } from '../validate-input';
import { type AuditEntry, type AuditEntryInput, auditEntryInputSchema } from './audit-log-store';

/** Validates and redacts an audit entry (without its id). */
export function prepareAuditEntry(
  input: AuditEntryInput,
  context: { backend: StoreBackend; knownSecrets: readonly string[]; now: number },
): Omit<AuditEntry, 'id'> {
  const parsed = parseStoreInput(auditEntryInputSchema, input, 'audit entry', context.backend);
  const redact = (text: string | undefined) =>
    text === undefined ? null : redactForStorage(text, context.knownSecrets);
  return {
    kind: parsed.kind,
    at: parsed.at ?? context.now,
    actor: redact(parsed.actor),
    subject: redact(parsed.subject),
    summary: redactForStorage(parsed.summary, context.knownSecrets),
    details: prepareJsonForStorage(
      parsed.details,
      'details',
      context.backend,
      context.knownSecrets,
    ) as Record<string, unknown>,
  };
}

/**
 * Validates and redacts a batch of audit entries; the first bad one fails the whole batch, its
 * index prefixed to the message (so a store writes a batch all or nothing).
 */
export function prepareAuditEntries(
  inputs: readonly AuditEntryInput[],
  context: { backend: StoreBackend; knownSecrets: readonly string[]; now: number },
): Array<Omit<AuditEntry, 'id'>> {
  return inputs.map((input, index) => {
    try {
      return prepareAuditEntry(input, context);
    } catch (error) {
      if (StoreError.isInstance(error))
        throw new StoreError({
          message: `Entry ${index}: ${error.message}`,
          backend: context.backend,
          reason: 'invalid_input',
        });
      throw error;
    }
  });
}
