import { afterAll } from 'vitest';
import { describeMetricsStoreContract } from '../testing/metrics-store.contract';
import { sqlHarness, sqliteDatabaseFactory } from '../testing/sql-harness';
import { createSqlMetricsStore } from './sql-metrics-store';

const factory = sqliteDatabaseFactory();
afterAll(() => factory.cleanup());

describeMetricsStoreContract('SQLite', sqlHarness(factory, createSqlMetricsStore));
