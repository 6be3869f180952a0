import type { Migration } from '../sql/migrations';

/**
 * Schema of the PostgreSQL store (created in the configured schema), one entry per version. Never
 * edit a released entry: add a new one. Same tables as SQLite; full-text search uses a generated
 * `tsvector` column with a GIN index instead of FTS5.
 */
export const postgresMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'metrics',
    statements: [
      `CREATE TABLE metric_calls (
        id BIGSERIAL PRIMARY KEY,
        at BIGINT NOT NULL, provider TEXT NOT NULL, model TEXT NOT NULL, target TEXT NOT NULL,
        outcome TEXT NOT NULL, error_code TEXT, stream INTEGER NOT NULL,
        latency_ms DOUBLE PRECISION, ttft_ms DOUBLE PRECISION, input_tokens BIGINT NOT NULL,
        output_tokens BIGINT NOT NULL, cost_usd DOUBLE PRECISION NOT NULL)`,
      'CREATE INDEX metric_calls_at ON metric_calls (at)',
      `CREATE TABLE metric_rollups (
        minute BIGINT NOT NULL, provider TEXT NOT NULL, model TEXT NOT NULL,
        requests BIGINT NOT NULL, successes BIGINT NOT NULL, failures BIGINT NOT NULL,
        latency_count BIGINT NOT NULL, latency_sum DOUBLE PRECISION NOT NULL, latency_hist TEXT NOT NULL,
        ttft_count BIGINT NOT NULL, ttft_sum DOUBLE PRECISION NOT NULL, ttft_hist TEXT NOT NULL,
        input_tokens BIGINT NOT NULL, output_tokens BIGINT NOT NULL, cost_usd DOUBLE PRECISION NOT NULL,
        failures_by_code TEXT NOT NULL,
        PRIMARY KEY (minute, provider, model))`,
      // Hour-level copies (`minute` = first minute of the hour): a 24 h or 30 d window reads 60
      // times fewer rows; minute rows serve the window's edges.
      `CREATE TABLE metric_rollups_hourly (
        minute BIGINT NOT NULL, provider TEXT NOT NULL, model TEXT NOT NULL,
        requests BIGINT NOT NULL, successes BIGINT NOT NULL, failures BIGINT NOT NULL,
        latency_count BIGINT NOT NULL, latency_sum DOUBLE PRECISION NOT NULL, latency_hist TEXT NOT NULL,
        ttft_count BIGINT NOT NULL, ttft_sum DOUBLE PRECISION NOT NULL, ttft_hist TEXT NOT NULL,
        input_tokens BIGINT NOT NULL, output_tokens BIGINT NOT NULL, cost_usd DOUBLE PRECISION NOT NULL,
        failures_by_code TEXT NOT NULL,
        PRIMARY KEY (minute, provider, model))`,
    ],
  },
  {
    version: 2,
    name: 'recommendation history',
    statements: [
      `CREATE TABLE recommendations (
        id TEXT PRIMARY KEY, kind TEXT NOT NULL, created_at BIGINT NOT NULL,
        snapshot_fingerprint TEXT NOT NULL, source TEXT NOT NULL, subject TEXT NOT NULL,
        action TEXT NOT NULL, payload TEXT NOT NULL, verdict TEXT,
        applied INTEGER NOT NULL DEFAULT 0, applied_at BIGINT, outcome TEXT, feedback TEXT)`,
      'CREATE INDEX recommendations_created_at ON recommendations (created_at)',
      'CREATE INDEX recommendations_subject ON recommendations (subject, created_at)',
    ],
  },
  {
    version: 3,
    name: 'conversation memory',
    statements: [
      `CREATE TABLE memory_entries (
        id BIGSERIAL PRIMARY KEY, session_id TEXT NOT NULL, role TEXT NOT NULL,
        content TEXT NOT NULL, created_at BIGINT NOT NULL, embedding BYTEA)`,
      'CREATE INDEX memory_entries_session ON memory_entries (session_id, id)',
      'CREATE TABLE memory_sessions (session_id TEXT PRIMARY KEY, last_active BIGINT NOT NULL)',
      'CREATE INDEX memory_sessions_last_active ON memory_sessions (last_active)',
    ],
  },
  {
    version: 4,
    name: 'vector collections',
    statements: [
      `CREATE TABLE vector_collections (
        name TEXT PRIMARY KEY, dimensions INTEGER, embedding_space TEXT,
        version BIGINT NOT NULL, created_at BIGINT NOT NULL)`,
      `CREATE TABLE vector_chunks (
        id BIGSERIAL PRIMARY KEY, collection TEXT NOT NULL, chunk_id TEXT NOT NULL,
        document_id TEXT NOT NULL, text TEXT NOT NULL, metadata TEXT NOT NULL, embedding BYTEA,
        tsv TSVECTOR GENERATED ALWAYS AS (to_tsvector('simple', text)) STORED,
        UNIQUE (collection, chunk_id))`,
      'CREATE INDEX vector_chunks_tsv ON vector_chunks USING GIN (tsv)',
    ],
  },
  {
    version: 5,
    name: 'audit log',
    statements: [
      `CREATE TABLE audit_log (
        id BIGSERIAL PRIMARY KEY, at BIGINT NOT NULL, kind TEXT NOT NULL,
        actor TEXT, subject TEXT, summary TEXT NOT NULL, details TEXT NOT NULL)`,
      'CREATE INDEX audit_log_at ON audit_log (at)',
      'CREATE INDEX audit_log_kind ON audit_log (kind, at)',
    ],
  },
];
