import { describeVectorStoreContract } from '../testing/vector-store.contract';
import { createInMemoryVectorStore } from './in-memory-vector-store';

describeVectorStoreContract('in memory', { create: async (options) => createInMemoryVectorStore(options) });
