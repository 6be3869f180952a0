import type { AuditLogOptions, AuditLogStore } from './audit/audit-log-store';
import { createInMemoryAuditLogStore } from './audit/in-memory-audit-log-store';
import { createSqlAuditLogStore } from './audit/sql-audit-log-store';
import { type StoreBackend, StoreError } from './errors/store-error';
import { createInMemoryRecommendationHistoryStore } from './history/in-memory-recommendation-history-store';
import type {
  RecommendationHistoryOptions,
  RecommendationHistoryStore,
} from './history/recommendation-history-store';
import { createSqlRecommendationHistoryStore } from './history/sql-recommendation-history-store';
import { createInMemoryMemoryStore } from './memory/in-memory-memory-store';
import type { MemoryStore, MemoryStoreOptions } from './memory/memory-store';
import { createSqlMemoryStore } from './memory/sql-memory-store';
import { createInMemoryMetricsStore } from './metrics/in-memory-metrics-store';
import type { MetricsStore, MetricsStoreOptions } from './metrics/metrics-store';
import { createSqlMetricsStore } from './metrics/sql-metrics-store';
import { connectPostgresDatabase } from './postgres/connect-postgres-database';
import type { SqlDatabase } from './sql/sql-database';
import { openSqliteDatabase } from './sqlite/open-sqlite-database';
import { createInMemoryVectorStore } from './vectors/in-memory-vector-store';
import { createSqlVectorStore } from './vectors/sql-vector-store';
import type { VectorStore, VectorStoreDescription, VectorStoreOptions } from './vectors/vector-store';

/** Options of {@link openStores}: bounds of each store, and the PostgreSQL schema. */
export interface OpenStoresOptions {
  metrics?: MetricsStoreOptions;
  history?: RecommendationHistoryOptions;
  memory?: MemoryStoreOptions;
  vectors?: VectorStoreOptions;
  audit?: AuditLogOptions;
  /** PostgreSQL schema (default `ballast`). */
  schema?: string;
  /** Secret values to redact from everything stored (added to each store's own list). */
  knownSecrets?: readonly string[];
}

/** Health of a set of stores (for `/healthz`): never holds credentials. */
export interface StoresDescription {
  kind: StoreBackend;
  location: string;
  schemaVersion: number;
  vectorSearch: VectorStoreDescription['vectorSearch'];
  /** Where vectors are scored (in process or pgvector), by which engine, and what is cached. */
  vectorIndex: VectorStoreDescription['vectorIndex'];
  lexicalSearch: VectorStoreDescription['lexicalSearch'];
  metricsBuffer: { buffered: number; written: number; dropped: number; failedWrites: number };
}

/** Every store of one backend, sharing one database. */
export interface Stores {
  readonly kind: StoreBackend;
  readonly metrics: MetricsStore;
  readonly history: RecommendationHistoryStore;
  readonly memory: MemoryStore;
  readonly vectors: VectorStore;
  readonly audit: AuditLogStore;
  describe(): Promise<StoresDescription>;
  /** Flushes buffered metrics, then closes the database. */
  close(): Promise<void>;
}

/**
 * Parses a store specification: `memory`, `sqlite:<path>` (or a path ending in `.db`/`.sqlite`),
 * or a `postgres://` / `postgresql://` URL.
 *
 * @throws {StoreError} `invalid_input` for anything else (the value is not echoed: it may hold a password).
 */
export function parseStoreSpec(
  spec: string,
): { kind: 'memory' } | { kind: 'sqlite'; path: string } | { kind: 'postgres'; connectionString: string } {
  const trimmed = spec.trim();
  if (trimmed === 'memory') return { kind: 'memory' };
  if (trimmed.startsWith('sqlite:')) {
    const path = trimmed.slice('sqlite:'.length);
    if (path) return { kind: 'sqlite', path };
  }
  if (/\.(db|sqlite3?)$/i.test(trimmed) && !trimmed.includes('://')) return { kind: 'sqlite', path: trimmed };
  if (/^postgres(ql)?:\/\//i.test(trimmed)) return { kind: 'postgres', connectionString: trimmed };
  throw new StoreError({
    message: 'Unknown store: use "memory", "sqlite:<path>" or a postgres:// URL',
    backend: 'memory',
    reason: 'invalid_input',
  });
}

function withSecrets<Options extends { knownSecrets?: readonly string[] }>(
  options: Options | undefined,
  secrets: readonly string[],
): Options {
  return { ...(options ?? ({} as Options)), knownSecrets: [...(options?.knownSecrets ?? []), ...secrets] };
}

/**
 * Opens every store on one backend: `memory` (nothing survives the process), `sqlite:<path>`
 * (the embedded default: one WAL file, migrations applied on open) or a PostgreSQL URL (shared by
 * replicas; pgvector used when installed).
 *
 * @throws {StoreError} when the specification is invalid or the database cannot be opened or migrated.
 * @example
 * ```ts
 * const stores = await openStores(process.env.DATABASE_URL ?? 'sqlite:./ballast.db');
 * stores.metrics.record({ at: Date.now(), provider: 'openai', model: 'gpt-4o-mini', outcome: 'success', latencyMs: 300 });
 * console.log(await stores.describe());
 * await stores.close();
 * ```
 */
export async function openStores(spec: string, options: OpenStoresOptions = {}): Promise<Stores> {
  const parsed = parseStoreSpec(spec);
  const secrets = options.knownSecrets ?? [];
  if (parsed.kind === 'memory') {
    const stores = {
      metrics: createInMemoryMetricsStore(options.metrics),
      history: createInMemoryRecommendationHistoryStore(withSecrets(options.history, secrets)),
      memory: createInMemoryMemoryStore(withSecrets(options.memory, secrets)),
      vectors: createInMemoryVectorStore(withSecrets(options.vectors, secrets)),
      audit: createInMemoryAuditLogStore(withSecrets(options.audit, secrets)),
    };
    return bundle('memory', stores, undefined);
  }
  const database =
    parsed.kind === 'sqlite'
      ? await openSqliteDatabase({ path: parsed.path })
      : await connectPostgresDatabase({
          connectionString: parsed.connectionString,
          ...(options.schema ? { schema: options.schema } : {}),
        });
  return bundle(
    parsed.kind,
    {
      metrics: createSqlMetricsStore(database, options.metrics),
      history: createSqlRecommendationHistoryStore(database, withSecrets(options.history, secrets)),
      memory: createSqlMemoryStore(database, withSecrets(options.memory, secrets)),
      vectors: createSqlVectorStore(database, withSecrets(options.vectors, secrets)),
      audit: createSqlAuditLogStore(database, withSecrets(options.audit, secrets)),
    },
    database,
  );
}

function bundle(
  kind: StoreBackend,
  stores: Omit<Stores, 'kind' | 'describe' | 'close'>,
  database: SqlDatabase | undefined,
): Stores {
  let closing: Promise<void> | undefined;
  return {
    kind,
    ...stores,
    async describe() {
      const [vectors, metrics] = await Promise.all([stores.vectors.describe(), stores.metrics.describe()]);
      return {
        kind,
        location: vectors.location,
        schemaVersion: vectors.schemaVersion,
        vectorSearch: vectors.vectorSearch,
        vectorIndex: vectors.vectorIndex,
        lexicalSearch: vectors.lexicalSearch,
        metricsBuffer: metrics.buffer,
      };
    },
    close() {
      closing ??= (async () => {
        try {
          await stores.metrics.close();
          await Promise.all([
            stores.history.close(),
            stores.memory.close(),
            stores.vectors.close(),
            stores.audit.close(),
          ]);
        } finally {
          await database?.close();
        }
      })();
      return closing;
    },
  };
}
