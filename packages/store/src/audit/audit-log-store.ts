import { z } from 'zod';
import type { StoreDescription } from '../store-description';
import { storedText } from '../validate-input';

/** What an audit entry records. */
export const auditKindSchema = z.enum(['routing-decision', 'confirmed-write', 'configuration-change']);

/** Input of {@link AuditLogStore.append}. */
export const auditEntryInputSchema = z
  .object({
    kind: auditKindSchema,
    /** Epoch ms; defaults to the store's clock. */
    at: z.number().int().nonnegative().optional(),
    /** Who did it (API key id, user, `system`); never the key itself. */
    actor: storedText().max(200).optional(),
    /** What it was done to (target id, guest, deployment, setting). */
    subject: storedText().max(500).optional(),
    /** One line for humans. */
    summary: storedText().min(1).max(2_000),
    /** Structured details (JSON); secrets are redacted before storage. */
    details: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

/** An audit entry to append (see {@link auditEntryInputSchema}). */
export type AuditEntryInput = z.input<typeof auditEntryInputSchema>;
/** Kind of audit entry (see {@link auditKindSchema}). */
export type AuditKind = z.infer<typeof auditKindSchema>;

/** A stored audit entry. */
export interface AuditEntry {
  /** Increasing within a store. */
  id: number;
  kind: AuditKind;
  at: number;
  actor: string | null;
  subject: string | null;
  summary: string;
  details: Record<string, unknown>;
}

/** Filter of {@link AuditLogStore.list}. */
export interface AuditQuery {
  kind?: AuditKind;
  /** Entries at or after this epoch ms. */
  since?: number;
  /** At most this many, newest first. Default 100, at most 1 000. */
  limit?: number;
}

/** Bounds of an audit log. */
export interface AuditLogOptions {
  /** Entries older than this are deleted. Default 90 days. */
  retentionMs?: number;
  /** At most this many entries (oldest deleted first). Default 500 000. */
  maxEntries?: number;
  /** Extra secret values to redact. */
  knownSecrets?: readonly string[];
  now?: () => number;
}

/**
 * Append-only log of routing decisions, confirmed infrastructure writes and configuration
 * changes, bounded in time and size. Everything is redacted before it is stored.
 *
 * @example
 * ```ts
 * await audit.append({ kind: 'configuration-change', actor: 'admin-key', subject: 'openai/gpt-4o-mini',
 *   summary: 'weight 1 -> 3', details: { weight: 3 } });
 * const last = await audit.list({ kind: 'configuration-change', limit: 10 });
 * ```
 */
export interface AuditLogStore {
  /**
   * Appends an entry and returns it.
   * @throws {StoreError} `invalid_input` when it does not match {@link auditEntryInputSchema}.
   */
  append(entry: AuditEntryInput): Promise<AuditEntry>;
  /**
   * Appends a batch in order, all or nothing (one transaction on SQL stores), and returns how many
   * were appended: what a busy writer such as the gateway's books uses instead of one `append` per
   * entry. Every entry is validated and redacted as `append` does, before any is written.
   * @throws {StoreError} `invalid_input` naming the first bad entry's index (nothing is appended).
   */
  appendMany(entries: readonly AuditEntryInput[]): Promise<number>;
  /** Newest first. */
  list(query?: AuditQuery): Promise<AuditEntry[]>;
  /** Applies the bounds now (also done every 100 appends). */
  prune(): Promise<number>;
  describe(): Promise<StoreDescription>;
  close(): Promise<void>;
}

/** Options with defaults applied. */
export function auditOptionsWithDefaults(options: AuditLogOptions) {
  return {
    retentionMs: options.retentionMs ?? 90 * 86_400_000,
    maxEntries: options.maxEntries ?? 500_000,
    knownSecrets: options.knownSecrets ?? [],
    now: options.now ?? (() => Date.now()),
  };
}

/** Clamps a list limit to 1..1 000 (default 100). */
export function auditLimit(limit: number | undefined): number {
  return Math.min(1_000, Math.max(1, Math.floor(limit ?? 100)));
}
