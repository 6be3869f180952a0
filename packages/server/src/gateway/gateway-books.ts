import type { AuditEntryInput, CallRecordInput, Stores } from '@ballast/store';
import type { Logger } from 'pino';
import type { RoutingDecision } from './chat-completions';

/** Batching of `createGatewayBooks`. Every bound has a default. */
export interface GatewayBooksOptions {
  /** Records handed to the store at once: a batch leaves as soon as it is full. Default 256. */
  batchSize?: number;
  /** …or this long after its first record arrived (reads flush first anyway). Default 100 ms. */
  flushIntervalMs?: number;
  /**
   * Audit entries handed to the store and not yet written (a slow or failing database); beyond
   * it, new batches are dropped and counted rather than queued without end. Default 10 000.
   */
  maxPendingAudit?: number;
}

/** What the books have done so far (for `/healthz` and tests). */
export interface GatewayBooksStats {
  /** Records waiting for the next batch. */
  buffered: number;
  /** Audit entries handed to the store whose write has not settled yet. */
  pendingAudit: number;
  /** Records the store took (metrics rows recorded, audit entries written). */
  written: number;
  /** Records the store refused or failed to write (each logged). */
  failed: number;
  /** Audit entries dropped because {@link GatewayBooksOptions.maxPendingAudit} were still pending. */
  dropped: number;
}

/** Which book a failure concerns, and why it was not kept. */
export type BookFailure = { book: 'metrics' | 'audit'; reason: 'write_failed' | 'dropped'; count: number };

/**
 * The gateway's per-call store books (a metrics row per call or failed attempt, an audit entry per
 * routing decision or settings change), kept off the request path: a call only appends a compact
 * record of plain fields it built itself, and batches are materialised, validated, redacted and
 * written together by the store.
 */
export interface GatewayBooks {
  /** A metrics row (a served call, or one failed upstream attempt). */
  row(call: CallRecordInput): void;
  /** A routing decision, booked as an audit entry stamped `at` (epoch ms). */
  decision(decision: RoutingDecision, at: number): void;
  /** Any other audit entry (target settings changes). */
  audit(entry: AuditEntryInput): void;
  /**
   * Hands every buffered record to the store and waits until the store has written (or failed)
   * them: run it before reading the store so a read sees every call booked before it.
   */
  flush(): Promise<void>;
  stats(): GatewayBooksStats;
  /** Flushes and stops the timer; records booked later are handed to the store at once. */
  close(): Promise<void>;
}

type Booked =
  | { kind: 'row'; row: CallRecordInput }
  | { kind: 'decision'; decision: RoutingDecision; at: number }
  | { kind: 'audit'; entry: AuditEntryInput };

/**
 * Batches the books of {@link GatewayBooks} into `store`. Nothing is lost quietly: a full batch
 * leaves on the next turn of the event loop (after the answer that filled it has been written), a
 * partial one after `flushIntervalMs` (an `unref`'d timer) or on `flush()`/`close()`; a store that
 * refuses a row or fails a write is logged and counted (`onFailure`, which the gateway turns into
 * `ballast_books_failed_total`), never thrown at a request. The buffer holds at most two batches;
 * the audit entries a slow database has not written yet are bounded by `maxPendingAudit`.
 *
 * @example
 * ```ts
 * const books = createGatewayBooks({ store, logger, onFailure: ({ book, reason, count }) => {} });
 * books.row({ at: Date.now(), provider: 'openai', model: 'gpt-4o-mini', outcome: 'success', latencyMs: 420 });
 * await books.flush(); // before reading store.metrics
 * ```
 */
export function createGatewayBooks(
  options: GatewayBooksOptions & {
    store: Pick<Stores, 'metrics' | 'audit'>;
    logger: Logger;
    onFailure?: (failure: BookFailure) => void;
  },
): GatewayBooks {
  const { store, logger } = options;
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? 256));
  const flushIntervalMs = Math.max(0, options.flushIntervalMs ?? 100);
  const maxPendingAudit = Math.max(1, Math.floor(options.maxPendingAudit ?? 10_000));
  let buffer: Booked[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let immediate: ReturnType<typeof setImmediate> | undefined;
  let closed = false;
  let pendingAudit = 0;
  const writes = new Set<Promise<void>>();
  const counts = { written: 0, failed: 0, dropped: 0 };

  const fail = (book: BookFailure['book'], reason: BookFailure['reason'], count: number, error?: unknown) => {
    if (reason === 'dropped') counts.dropped += count;
    else counts.failed += count;
    // Store errors carry no secrets (the store redacts them); only the name and message are logged.
    logger.warn(
      {
        book,
        reason,
        count,
        ...(error ? { err: { name: (error as Error).name, message: (error as Error).message } } : {}),
      },
      book === 'audit' ? 'audit write failed' : 'metrics record refused',
    );
    try {
      options.onFailure?.({ book, reason, count });
    } catch {
      // A counter that throws must not take the books down with it.
    }
  };

  /** Hands a batch of audit entries to the store, within the pending bound. */
  const writeAudit = (entries: AuditEntryInput[]) => {
    if (pendingAudit + entries.length > maxPendingAudit) {
      fail('audit', 'dropped', entries.length);
      return;
    }
    pendingAudit += entries.length;
    let written: Promise<unknown>;
    try {
      // Stores written before `appendMany` existed still take the batch, one entry at a time.
      written =
        typeof store.audit.appendMany === 'function'
          ? store.audit.appendMany(entries)
          : Promise.all(entries.map((entry) => store.audit.append(entry)));
    } catch (error) {
      written = Promise.reject(error);
    }
    const settled = written.then(
      () => {
        counts.written += entries.length;
      },
      (error: unknown) => fail('audit', 'write_failed', entries.length, error),
    );
    const tracked = settled.finally(() => {
      pendingAudit -= entries.length;
      writes.delete(tracked);
    });
    writes.add(tracked);
  };

  /** Materialises the buffered records and hands them to the store (synchronously). */
  const drain = () => {
    if (timer) clearTimeout(timer);
    if (immediate) clearImmediate(immediate);
    timer = immediate = undefined;
    if (buffer.length === 0) return;
    const batch = buffer;
    buffer = [];
    const entries: AuditEntryInput[] = [];
    let refused = 0;
    let firstError: unknown;
    for (const item of batch) {
      if (item.kind === 'row') {
        try {
          store.metrics.record(item.row);
          counts.written += 1;
        } catch (error) {
          refused += 1;
          firstError ??= error;
        }
      } else entries.push(item.kind === 'audit' ? item.entry : decisionEntry(item.decision, item.at));
    }
    if (refused) fail('metrics', 'write_failed', refused, firstError);
    if (entries.length) writeAudit(entries);
  };

  const book = (item: Booked) => {
    buffer.push(item);
    // Past two batches in one turn of the event loop (a burst), the books are written at once.
    if (closed || buffer.length >= 2 * batchSize) drain();
    else if (buffer.length >= batchSize) immediate ??= setImmediate(drain);
    else if (!timer) {
      timer = setTimeout(drain, flushIntervalMs);
      timer.unref?.();
    }
  };

  const flush = async () => {
    drain();
    while (writes.size) await Promise.all([...writes]);
  };

  return {
    row: (row) => book({ kind: 'row', row }),
    decision: (decision, at) => book({ kind: 'decision', decision, at }),
    audit: (entry) => book({ kind: 'audit', entry }),
    flush,
    stats: () => ({ buffered: buffer.length, pendingAudit, ...counts }),
    async close() {
      closed = true;
      await flush();
    },
  };
}

/** The audit entry of a routing decision (built at flush time, off the request path). */
function decisionEntry(decision: RoutingDecision, at: number): AuditEntryInput {
  return {
    kind: 'routing-decision',
    at,
    actor: decision.keyId,
    subject: decision.target,
    summary: `${decision.requestedModel} -> ${decision.target} (${decision.strategy}, ${decision.outcome})`,
    details: { ...decision },
  };
}
