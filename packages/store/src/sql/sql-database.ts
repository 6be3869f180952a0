/** A value bound to a `?` placeholder. */
export type SqlValue = string | number | bigint | boolean | null | Buffer;

/** Runs statements on one connection (or inside one transaction). Placeholders are `?`. */
export interface SqlExecutor {
  /** Rows of a `SELECT` (or a statement with `RETURNING`). */
  query<Row = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<Row[]>;
  /** Runs a statement and returns how many rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>;
}

/**
 * The small SQL surface every durable store is written against, so one store implementation
 * serves SQLite and PostgreSQL: `?` placeholders (rewritten to `$n` for PostgreSQL), `ON CONFLICT`
 * upserts and `RETURNING`, which both engines support. Engine-specific statements (DDL, full-text
 * search) branch on {@link SqlDatabase.dialect}.
 */
export interface SqlDatabase extends SqlExecutor {
  readonly dialect: 'sqlite' | 'postgres';
  /** Where the data lives, without credentials (`/var/lib/ballast.db`, `postgres://host:5432/db#schema`). */
  readonly location: string;
  /** Whether the `vector` extension (pgvector) is installed and used; always false for SQLite. */
  readonly hasPgvector: boolean;
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (executor: SqlExecutor) => Promise<T>): Promise<T>;
  /** Highest schema migration applied. */
  schemaVersion(): Promise<number>;
  close(): Promise<void>;
}

/** Reads a numeric column that PostgreSQL may return as a string (`bigint`, `numeric`). */
export function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string') return Number(value);
  return 0;
}

/** Like {@link toNumber} but keeps `null` / `undefined` as `null`. */
export function toNullableNumber(value: unknown): number | null {
  return value === null || value === undefined ? null : toNumber(value);
}

/** `(?, ?, ?), (?, ?, ?)` for a multi-row insert of `rows` rows of `columns` values. */
export function valuesPlaceholders(rows: number, columns: number): string {
  const row = `(${new Array(columns).fill('?').join(', ')})`;
  return new Array(rows).fill(row).join(', ');
}
