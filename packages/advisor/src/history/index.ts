// Recommendation history as the advisors read and write it (hysteresis, prompt citations). Both
// migration/ and autoscaling/ import it; it imports neither.
export {
  type HistoryOptions,
  heldBack,
  historyPromptLines,
  migrationAction,
  migrationSubject,
  type RecentDecision,
  type RecommendationHistory,
  type RecommendationHistoryEntry,
  recentDecisions,
} from './recommendation-history';
