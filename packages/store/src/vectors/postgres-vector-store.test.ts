import { afterAll } from 'vitest';
import { describeWithPostgres } from '../testing/postgres-test-database';
import { postgresDatabaseFactory, sqlHarness } from '../testing/sql-harness';
import { describeVectorStoreContract } from '../testing/vector-store.contract';
import { createSqlVectorStore } from './sql-vector-store';

await describeWithPostgres('VectorStore contract: PostgreSQL', (url) => {
  const factory = postgresDatabaseFactory(url, 'test_vectors');
  afterAll(() => factory.cleanup());
  describeVectorStoreContract('PostgreSQL', sqlHarness(factory, createSqlVectorStore));
});
