import { describeAuditLogContract } from '../testing/audit-log-store.contract';
import { createInMemoryAuditLogStore } from './in-memory-audit-log-store';

describeAuditLogContract('in memory', { create: async (options) => createInMemoryAuditLogStore(options) });
