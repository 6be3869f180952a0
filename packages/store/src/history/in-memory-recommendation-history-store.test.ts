import { describeRecommendationHistoryContract } from '../testing/recommendation-history-store.contract';
import { createInMemoryRecommendationHistoryStore } from './in-memory-recommendation-history-store';

describeRecommendationHistoryContract('in memory', {
  create: async (options) => createInMemoryRecommendationHistoryStore(options),
});
