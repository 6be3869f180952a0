import { afterAll } from 'vitest';
import { describeWithPostgres } from '../testing/postgres-test-database';
import { describeRecommendationHistoryContract } from '../testing/recommendation-history-store.contract';
import { postgresDatabaseFactory, sqlHarness } from '../testing/sql-harness';
import { createSqlRecommendationHistoryStore } from './sql-recommendation-history-store';

await describeWithPostgres('RecommendationHistoryStore contract: PostgreSQL', (url) => {
  const factory = postgresDatabaseFactory(url, 'test_history');
  afterAll(() => factory.cleanup());
  describeRecommendationHistoryContract(
    'PostgreSQL',
    sqlHarness(factory, createSqlRecommendationHistoryStore),
  );
});
