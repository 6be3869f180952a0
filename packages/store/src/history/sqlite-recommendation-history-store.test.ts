import { afterAll } from 'vitest';
import { describeRecommendationHistoryContract } from '../testing/recommendation-history-store.contract';
import { sqlHarness, sqliteDatabaseFactory } from '../testing/sql-harness';
import { createSqlRecommendationHistoryStore } from './sql-recommendation-history-store';

const factory = sqliteDatabaseFactory();
afterAll(() => factory.cleanup());

describeRecommendationHistoryContract('SQLite', sqlHarness(factory, createSqlRecommendationHistoryStore));
