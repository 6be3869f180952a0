import type { AviWritePlan } from '../write-plan';

/**
 * One audit record of the agent. Arguments, results and plans are redacted before they are built.
 *
 * | type | when |
 * |---|---|
 * | `tool-call` | a tool ran (`outcome` ok or error) |
 * | `tool-refused` | the model called a tool that does not exist, is not allowed in this mode, or sent bad arguments |
 * | `plan-issued` | a write tool produced a plan and a confirm token (nothing was written) |
 * | `write-confirmed` | a person confirmed a plan and it ran on the controller |
 * | `write-failed` | a confirmed plan was sent and the controller refused it |
 * | `confirm-refused` | a confirmation was refused (invalid, used or expired token) |
 */
export interface AviAuditEvent {
  type: 'tool-call' | 'tool-refused' | 'plan-issued' | 'write-confirmed' | 'write-failed' | 'confirm-refused';
  /** Epoch ms. */
  at: number;
  conversationId?: string;
  tool?: string;
  arguments?: unknown;
  outcome?: 'ok' | 'error';
  /** Error code and message (redacted). */
  error?: { code: string; message: string };
  plan?: AviWritePlan;
  /** sha256 the confirm token is bound to. */
  planHash?: string;
  /** Who confirmed (as given to `confirm`). */
  actor?: string;
}

/**
 * Where audit events go: a log shipper, a database table, a SIEM. A sink that throws or rejects
 * does not stop the agent (the failure is reported to `onSinkError`).
 */
export type AviAuditSink = (event: AviAuditEvent) => void | Promise<void>;

/** An in-memory audit log, for tests, examples and a UI's recent-activity view. */
export interface MemoryAuditLog {
  readonly events: AviAuditEvent[];
  readonly sink: AviAuditSink;
}

/**
 * Creates an in-memory {@link MemoryAuditLog} keeping the newest `limit` events (default 10 000).
 *
 * @example
 * ```ts
 * const audit = createMemoryAuditLog();
 * const agent = createAviAgent({ client, model, audit: audit.sink });
 * ```
 */
export function createMemoryAuditLog(limit = 10_000): MemoryAuditLog {
  const events: AviAuditEvent[] = [];
  return {
    events,
    sink: (event) => {
      events.push(event);
      if (events.length > limit) events.splice(0, events.length - limit);
    },
  };
}
