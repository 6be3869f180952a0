import { describeMetricsStoreContract } from '../testing/metrics-store.contract';
import { createInMemoryMetricsStore } from './in-memory-metrics-store';

describeMetricsStoreContract('in memory', { create: async (options) => createInMemoryMetricsStore(options) });
