import { afterAll } from 'vitest';
import { describeAuditLogContract } from '../testing/audit-log-store.contract';
import { describeWithPostgres } from '../testing/postgres-test-database';
import { postgresDatabaseFactory, sqlHarness } from '../testing/sql-harness';
import { createSqlAuditLogStore } from './sql-audit-log-store';

await describeWithPostgres('AuditLogStore contract: PostgreSQL', (url) => {
  const factory = postgresDatabaseFactory(url, 'test_audit');
  afterAll(() => factory.cleanup());
  describeAuditLogContract('PostgreSQL', sqlHarness(factory, createSqlAuditLogStore));
});
