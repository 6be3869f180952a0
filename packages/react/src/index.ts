export type {
  MigrationAdvice,
  MigrationExecution,
  MigrationMove,
  MigrationRecommendation,
  NodeLoad,
  PerformanceFigures,
  PerformancePoint,
  PerformanceReport,
  ProviderSelection,
  ProviderStatus,
  ScalingAdvice,
  ScalingAdviceOption,
  SelectionRequest,
} from './api-types';
export {
  type BallastClient,
  type BallastClientOptions,
  type BallastRequest,
  createBallastClient,
} from './client/ballast-client';
export { BallastProvider, type BallastProviderProps, useBallastClient } from './client/ballast-context';
export { AviChat, type AviChatProps } from './components/avi-chat';
export { type ChartSeries, LineChart, type LineChartProps } from './components/line-chart';
export { MigrationAdvicePanel, type MigrationAdvicePanelProps } from './components/migration-advice-panel';
export {
  PerformanceDashboard,
  type PerformanceDashboardProps,
  PerformanceDashboardView,
} from './components/performance-dashboard';
export {
  ScalingAdviceView,
  ScalingRecommendationCard,
  type ScalingRecommendationCardProps,
} from './components/scaling-recommendation-card';
export { seriesColor, themeVariables } from './components/theme';
export { useActionStore } from './hooks/use-action-store';
export { type AviChatOptions, type AviChatState, useAviChat } from './hooks/use-avi-chat';
export {
  type MigrationAdviceOptions,
  type MigrationAdviceState,
  useMigrationAdvice,
} from './hooks/use-migration-advice';
export {
  type PerformanceMetrics,
  type PerformanceMonitoring,
  type PerformanceMonitoringOptions,
  usePerformanceMonitoring,
} from './hooks/use-performance-monitoring';
export {
  type ProviderSelectionOptions,
  type ProviderSelectionState,
  useProviderSelection,
} from './hooks/use-provider-selection';
export { useQueryStore } from './hooks/use-query-store';
export {
  type ScalingAdviceOptions,
  type ScalingAdviceState,
  useScalingAdvice,
} from './hooks/use-scaling-advice';
export { type ActionSnapshot, type ActionStore, createActionStore } from './store/action-store';
export {
  type AviChatMessage,
  type AviChatSnapshot,
  type AviChatStore,
  type AviPlan,
  type AviPlanState,
  type AviToolCall,
  createAviChatStore,
} from './store/avi-chat-store';
export { documentVisibility, type VisibilitySource } from './store/document-visibility';
export {
  createQueryStore,
  type QuerySnapshot,
  type QueryStore,
  type QueryStoreOptions,
} from './store/query-store';
