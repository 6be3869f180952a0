import type { Migration } from '../sql/migrations';

/**
 * Schema of the SQLite store, one entry per version. Never edit a released entry: add a new one.
 * Timestamps are epoch milliseconds (`at`, `created_at`) or epoch minutes (`minute`).
 */
export const sqliteMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'metrics',
    statements: [
      `CREATE TABLE metric_calls (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL, provider TEXT NOT NULL, model TEXT NOT NULL, target TEXT NOT NULL,
        outcome TEXT NOT NULL, error_code TEXT, stream INTEGER NOT NULL,
        latency_ms REAL, ttft_ms REAL, input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL,
        cost_usd REAL NOT NULL)`,
      'CREATE INDEX metric_calls_at ON metric_calls (at)',
      `CREATE TABLE metric_rollups (
        minute INTEGER NOT NULL, provider TEXT NOT NULL, model TEXT NOT NULL,
        requests INTEGER NOT NULL, successes INTEGER NOT NULL, failures INTEGER NOT NULL,
        latency_count INTEGER NOT NULL, latency_sum REAL NOT NULL, latency_hist TEXT NOT NULL,
        ttft_count INTEGER NOT NULL, ttft_sum REAL NOT NULL, ttft_hist TEXT NOT NULL,
        input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, cost_usd REAL NOT NULL,
        failures_by_code TEXT NOT NULL,
        PRIMARY KEY (minute, provider, model))`,
      // Hour-level copies (`minute` = first minute of the hour): a 24 h or 30 d window reads 60
      // times fewer rows; minute rows serve the window's edges.
      `CREATE TABLE metric_rollups_hourly (
        minute INTEGER NOT NULL, provider TEXT NOT NULL, model TEXT NOT NULL,
        requests INTEGER NOT NULL, successes INTEGER NOT NULL, failures INTEGER NOT NULL,
        latency_count INTEGER NOT NULL, latency_sum REAL NOT NULL, latency_hist TEXT NOT NULL,
        ttft_count INTEGER NOT NULL, ttft_sum REAL NOT NULL, ttft_hist TEXT NOT NULL,
        input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, cost_usd REAL NOT NULL,
        failures_by_code TEXT NOT NULL,
        PRIMARY KEY (minute, provider, model))`,
    ],
  },
  {
    version: 2,
    name: 'recommendation history',
    statements: [
      `CREATE TABLE recommendations (
        id TEXT PRIMARY KEY, kind TEXT NOT NULL, created_at INTEGER NOT NULL,
        snapshot_fingerprint TEXT NOT NULL, source TEXT NOT NULL, subject TEXT NOT NULL,
        action TEXT NOT NULL, payload TEXT NOT NULL, verdict TEXT,
        applied INTEGER NOT NULL DEFAULT 0, applied_at INTEGER, outcome TEXT, feedback TEXT)`,
      'CREATE INDEX recommendations_created_at ON recommendations (created_at)',
      'CREATE INDEX recommendations_subject ON recommendations (subject, created_at)',
    ],
  },
  {
    version: 3,
    name: 'conversation memory',
    statements: [
      `CREATE TABLE memory_entries (
        id INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL, role TEXT NOT NULL,
        content TEXT NOT NULL, created_at INTEGER NOT NULL, embedding BLOB)`,
      'CREATE INDEX memory_entries_session ON memory_entries (session_id, id)',
      'CREATE TABLE memory_sessions (session_id TEXT PRIMARY KEY, last_active INTEGER NOT NULL)',
      'CREATE INDEX memory_sessions_last_active ON memory_sessions (last_active)',
    ],
  },
  {
    version: 4,
    name: 'vector collections',
    statements: [
      `CREATE TABLE vector_collections (
        name TEXT PRIMARY KEY, dimensions INTEGER, embedding_space TEXT,
        version INTEGER NOT NULL, created_at INTEGER NOT NULL)`,
      `CREATE TABLE vector_chunks (
        id INTEGER PRIMARY KEY AUTOINCREMENT, collection TEXT NOT NULL, chunk_id TEXT NOT NULL,
        document_id TEXT NOT NULL, text TEXT NOT NULL, metadata TEXT NOT NULL, embedding BLOB,
        UNIQUE (collection, chunk_id))`,
      `CREATE VIRTUAL TABLE vector_chunks_fts USING fts5(
        text, content='vector_chunks', content_rowid='id', tokenize='unicode61')`,
      `CREATE TRIGGER vector_chunks_ai AFTER INSERT ON vector_chunks BEGIN
        INSERT INTO vector_chunks_fts (rowid, text) VALUES (new.id, new.text); END`,
      `CREATE TRIGGER vector_chunks_ad AFTER DELETE ON vector_chunks BEGIN
        INSERT INTO vector_chunks_fts (vector_chunks_fts, rowid, text) VALUES ('delete', old.id, old.text); END`,
      `CREATE TRIGGER vector_chunks_au AFTER UPDATE ON vector_chunks BEGIN
        INSERT INTO vector_chunks_fts (vector_chunks_fts, rowid, text) VALUES ('delete', old.id, old.text);
        INSERT INTO vector_chunks_fts (rowid, text) VALUES (new.id, new.text); END`,
    ],
  },
  {
    version: 5,
    name: 'audit log',
    statements: [
      `CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, kind TEXT NOT NULL,
        actor TEXT, subject TEXT, summary TEXT NOT NULL, details TEXT NOT NULL)`,
      'CREATE INDEX audit_log_at ON audit_log (at)',
      'CREATE INDEX audit_log_kind ON audit_log (kind, at)',
    ],
  },
];
