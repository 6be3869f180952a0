import type { StoreBackend } from '../errors/store-error';
import { parseStoreInput, redactForStorage, redactJsonForStorage } from '../validate-input';
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
    details: redactJsonForStorage(parsed.details, context.knownSecrets) as Record<string, unknown>,
  };
}
