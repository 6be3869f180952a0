import { afterAll } from 'vitest';
import { describeMemoryStoreContract } from '../testing/memory-store.contract';
import { describeWithPostgres } from '../testing/postgres-test-database';
import { postgresDatabaseFactory, sqlHarness } from '../testing/sql-harness';
import { createSqlMemoryStore } from './sql-memory-store';

await describeWithPostgres('MemoryStore contract: PostgreSQL', (url) => {
  const factory = postgresDatabaseFactory(url, 'test_memory');
  afterAll(() => factory.cleanup());
  describeMemoryStoreContract('PostgreSQL', sqlHarness(factory, createSqlMemoryStore));
});
