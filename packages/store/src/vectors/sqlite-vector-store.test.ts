import { afterAll } from 'vitest';
import { sqlHarness, sqliteDatabaseFactory } from '../testing/sql-harness';
import { describeVectorStoreContract } from '../testing/vector-store.contract';
import { createSqlVectorStore } from './sql-vector-store';

const factory = sqliteDatabaseFactory();
afterAll(() => factory.cleanup());

describeVectorStoreContract('SQLite', sqlHarness(factory, createSqlVectorStore));
