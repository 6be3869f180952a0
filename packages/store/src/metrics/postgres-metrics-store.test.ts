import { afterAll } from 'vitest';
import { describeMetricsStoreContract } from '../testing/metrics-store.contract';
import { describeWithPostgres } from '../testing/postgres-test-database';
import { postgresDatabaseFactory, sqlHarness } from '../testing/sql-harness';
import { createSqlMetricsStore } from './sql-metrics-store';

await describeWithPostgres('MetricsStore contract: PostgreSQL', (url) => {
  const factory = postgresDatabaseFactory(url, 'test_metrics');
  afterAll(() => factory.cleanup());
  describeMetricsStoreContract('PostgreSQL', sqlHarness(factory, createSqlMetricsStore));
});
