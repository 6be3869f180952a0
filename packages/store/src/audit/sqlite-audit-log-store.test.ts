import { afterAll } from 'vitest';
import { describeAuditLogContract } from '../testing/audit-log-store.contract';
import { sqlHarness, sqliteDatabaseFactory } from '../testing/sql-harness';
import { createSqlAuditLogStore } from './sql-audit-log-store';

const factory = sqliteDatabaseFactory();
afterAll(() => factory.cleanup());

describeAuditLogContract('SQLite', sqlHarness(factory, createSqlAuditLogStore));
