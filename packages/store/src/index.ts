/**
 * `@ballast/store`: where Ballast keeps what it must not forget.
 *
 * One interface per concern (metrics, recommendation history, conversation memory, RAG vectors,
 * audit log), each with in-memory, SQLite (embedded default) and PostgreSQL implementations that
 * pass the same contract suite. `openStores('sqlite:ballast.db')` opens them all at once.
 */
export const STORE_PACKAGE = '@ballast/store';

// Shared state across replicas (issue 14).
export type {
  OutcomeSample,
  RateVerdict,
  SharedBreakerRecord,
  SharedBreakers,
  SharedRateLimits,
  SharedSlots,
  SharedState,
  SharedStateLifecycle,
  SharedWindows,
  SharedWindowView,
} from '@ballast/core';
export {
  type AuditEntry,
  type AuditEntryInput,
  type AuditKind,
  type AuditLogOptions,
  type AuditLogStore,
  type AuditQuery,
  auditEntryInputSchema,
  auditKindSchema,
} from './audit/audit-log-store';
export { createInMemoryAuditLogStore } from './audit/in-memory-audit-log-store';
export { createSqlAuditLogStore } from './audit/sql-audit-log-store';
export { type StoreBackend, StoreError } from './errors/store-error';
export { createInMemoryRecommendationHistoryStore } from './history/in-memory-recommendation-history-store';
export type {
  RecentRecommendationsQuery,
  RecommendationHistoryOptions,
  RecommendationHistoryStore,
} from './history/recommendation-history-store';
export {
  type NewRecommendation,
  newRecommendationSchema,
  type RecommendationFeedback,
  type RecommendationKind,
  type RecommendationOutcome,
  type RecommendationRecord,
  recommendationFeedbackSchema,
  recommendationKindSchema,
  recommendationOutcomeSchema,
  type ValidatorVerdict,
  validatorVerdictSchema,
} from './history/recommendation-record';
export { createSqlRecommendationHistoryStore } from './history/sql-recommendation-history-store';
export { createInMemoryMemoryStore } from './memory/in-memory-memory-store';
export {
  type MemoryEntry,
  type MemoryStore,
  type MemoryStoreOptions,
  memoryEntrySchema,
  type ScoredMemoryEntry,
} from './memory/memory-store';
export { createSqlMemoryStore } from './memory/sql-memory-store';
export { type CallRecord, type CallRecordInput, callRecordSchema } from './metrics/call-record';
export { createInMemoryMetricsStore } from './metrics/in-memory-metrics-store';
export type {
  MetricsPruneResult,
  MetricsStore,
  MetricsStoreDescription,
  MetricsStoreOptions,
} from './metrics/metrics-store';
export type { PerformanceFigures, PerformanceReport } from './metrics/performance-report';
export { createSqlMetricsStore } from './metrics/sql-metrics-store';
export type { WriteBufferStats } from './metrics/write-buffer';
export {
  type OpenStoresOptions,
  openStores,
  parseStoreSpec,
  type Stores,
  type StoresDescription,
} from './open-stores';
export {
  connectPostgresDatabase,
  describePostgresLocation,
  type PostgresDatabaseOptions,
} from './postgres/connect-postgres-database';
export {
  createInMemorySharedState,
  createInMemorySharedStateHub,
  type InMemorySharedStateHub,
  type InMemorySharedStateOptions,
} from './shared-state/in-memory-shared-state';
export { createRedisSharedState, type RedisSharedState } from './shared-state/redis-shared-state';
export {
  type RedisSharedStateOptions,
  redisSharedStateOptionsSchema,
} from './shared-state/redis-shared-state-options';
export { SharedStateUnavailableError } from './shared-state/shared-state-error';
export {
  type WindowBounds,
  type WindowBoundsInput,
  windowBoundsSchema,
} from './shared-state/window-options';
export type { SqlDatabase, SqlExecutor, SqlValue } from './sql/sql-database';
export { openSqliteDatabase, type SqliteDatabaseOptions } from './sqlite/open-sqlite-database';
export type { StoreDescription } from './store-description';
export { chunkText } from './text/chunk-text';
export type { VectorIndexOption } from './vectors/collection-vector-index';
export { createInMemoryVectorStore } from './vectors/in-memory-vector-store';
export type { IvfFlatOptions } from './vectors/ivf-flat-index';
export {
  createRagIndex,
  embedAll,
  type RagDocument,
  type RagIndex,
  type RagIndexOptions,
} from './vectors/rag-index';
export { createSqlVectorStore } from './vectors/sql-vector-store';
export { cosineSimilarity } from './vectors/vector-math';
export {
  type RetrievalMode,
  type ScoredChunk,
  type VectorChunk,
  type VectorCollectionInfo,
  type VectorIndexDescription,
  type VectorSearchQuery,
  type VectorSearchResult,
  type VectorStore,
  type VectorStoreDescription,
  type VectorStoreOptions,
  vectorChunkSchema,
  vectorMetadataSchema,
} from './vectors/vector-store';
