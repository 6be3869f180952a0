import type { SqlDatabase, SqlValue } from '../sql/sql-database';
import { toNumber, valuesPlaceholders } from '../sql/sql-database';
import { assertFiniteQuery } from '../validate-input';
import {
  type AuditEntry,
  type AuditLogOptions,
  type AuditLogStore,
  auditLimit,
  auditOptionsWithDefaults,
} from './audit-log-store';
import { prepareAuditEntries, prepareAuditEntry } from './prepare-audit-entry';

/** Rows per INSERT of `appendMany`: 6 columns × 500 rows stays far under both databases' parameter limits. */
const rowsPerInsert = 500;

/**
 * The durable {@link AuditLogStore} over SQLite or PostgreSQL; bounds are applied every 100
 * appends (and by `prune()`), so a busy gateway pays for them rarely.
 *
 * @example
 * ```ts
 * const audit = createSqlAuditLogStore(await openSqliteDatabase({ path: 'ballast.db' }));
 * ```
 */
export function createSqlAuditLogStore(database: SqlDatabase, options: AuditLogOptions = {}): AuditLogStore {
  const settings = auditOptionsWithDefaults(options);
  const backend = database.dialect;
  let appends = 0;
  const prune = () =>
    database.transaction(async (executor) => {
      let deleted = await executor.run('DELETE FROM audit_log WHERE at < ?', [
        settings.now() - settings.retentionMs,
      ]);
      const [newest] = await executor.query<{ id: number | string | null }>(
        'SELECT max(id) AS id FROM audit_log',
      );
      if (newest?.id != null)
        deleted += await executor.run('DELETE FROM audit_log WHERE id <= ?', [
          toNumber(newest.id) - settings.maxEntries,
        ]);
      return deleted;
    });
  return {
    async append(input) {
      const entry = prepareAuditEntry(input, {
        backend,
        knownSecrets: settings.knownSecrets,
        now: settings.now(),
      });
      const [row] = await database.query<{ id: number | string }>(
        'INSERT INTO audit_log (at, kind, actor, subject, summary, details) VALUES (?, ?, ?, ?, ?, ?) RETURNING id',
        [entry.at, entry.kind, entry.actor, entry.subject, entry.summary, JSON.stringify(entry.details)],
      );
      appends += 1;
      if (appends % 100 === 0) await prune();
      return { id: toNumber(row?.id), ...entry };
    },
    async appendMany(inputs) {
      const entries = prepareAuditEntries(inputs, {
        backend,
        knownSecrets: settings.knownSecrets,
        now: settings.now(),
      });
      if (entries.length === 0) return 0;
      // One transaction: the batch is stored whole or not at all, in the order given.
      await database.transaction(async (executor) => {
        for (let start = 0; start < entries.length; start += rowsPerInsert) {
          const slice = entries.slice(start, start + rowsPerInsert);
          const params: SqlValue[] = [];
          for (const entry of slice)
            params.push(
              entry.at,
              entry.kind,
              entry.actor,
              entry.subject,
              entry.summary,
              JSON.stringify(entry.details),
            );
          await executor.run(
            `INSERT INTO audit_log (at, kind, actor, subject, summary, details) VALUES ${valuesPlaceholders(slice.length, 6)}`,
            params,
          );
        }
      });
      // The bounds every 100 appends, as `append` applies them.
      const before = appends;
      appends += entries.length;
      if (Math.floor(appends / 100) > Math.floor(before / 100)) await prune();
      return entries.length;
    },
    async list(query = {}) {
      assertFiniteQuery({ since: query.since, limit: query.limit }, backend);
      const conditions: string[] = [];
      const values: SqlValue[] = [];
      if (query.kind !== undefined) {
        conditions.push('kind = ?');
        values.push(query.kind);
      }
      if (query.since !== undefined) {
        conditions.push('at >= ?');
        values.push(query.since);
      }
      const rows = await database.query<Record<string, unknown>>(
        `SELECT id, at, kind, actor, subject, summary, details FROM audit_log ${conditions.length ? `WHERE ${conditions.join(' AND ')}` : ''}
          ORDER BY at DESC, id DESC LIMIT ?`,
        [...values, auditLimit(query.limit)],
      );
      return rows.map(
        (row): AuditEntry => ({
          id: toNumber(row.id),
          kind: row.kind as AuditEntry['kind'],
          at: toNumber(row.at),
          actor: row.actor == null ? null : String(row.actor),
          subject: row.subject == null ? null : String(row.subject),
          summary: String(row.summary),
          details: JSON.parse(String(row.details)) as Record<string, unknown>,
        }),
      );
    },
    prune,
    async describe() {
      return { backend, location: database.location, schemaVersion: await database.schemaVersion() };
    },
    async close() {},
  };
}
