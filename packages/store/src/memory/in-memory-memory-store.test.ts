import { describeMemoryStoreContract } from '../testing/memory-store.contract';
import { createInMemoryMemoryStore } from './in-memory-memory-store';

describeMemoryStoreContract('in memory', { create: async (options) => createInMemoryMemoryStore(options) });
