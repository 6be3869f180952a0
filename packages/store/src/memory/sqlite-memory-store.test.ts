import { afterAll } from 'vitest';
import { describeMemoryStoreContract } from '../testing/memory-store.contract';
import { sqlHarness, sqliteDatabaseFactory } from '../testing/sql-harness';
import { createSqlMemoryStore } from './sql-memory-store';

const factory = sqliteDatabaseFactory();
afterAll(() => factory.cleanup());

describeMemoryStoreContract('SQLite', sqlHarness(factory, createSqlMemoryStore));
