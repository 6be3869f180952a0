export {
  type AdviceDependencies,
  adviceRoutes,
  type MigrationAdviceSource,
  type MigrationExecutor,
  type MigrationMoveRequest,
  migrationMoveSchema,
  type ScalingAdviceSource,
  toScalingResponse,
} from './advice/advice-routes';
export { kubernetesScalingSource, proxmoxMigrationExecutor, proxmoxMigrationSource } from './advice/sources';
export { type AviRouteSource, aviRoutes, createAviRouteSource } from './avi/avi-routes';
export { type CliIo, gatewayUsage, type RunningGateway, runGateway } from './cli/run-gateway';
export { configRoutes } from './config/config-routes';
export {
  type GatewayEnvironment,
  gatewayEnvironmentVariables,
  loadGatewayEnvironment,
  routingStrategyAliases,
  toStrategyName,
} from './config/gateway-env';
export { createSettingsStore, type SettingsStore } from './config/settings-store';
export type { CancellationSignal } from './gateway/attempt-cancellation';
export {
  type ChatCompletionRequest,
  chatCompletionRequestSchema,
  toChatRequest,
} from './gateway/chat-completion-request';
export { toChatCompletion } from './gateway/chat-completion-response';
export type { RoutingDecision } from './gateway/chat-completions';
export { createGateway, type Gateway, type GatewayConfig } from './gateway/gateway';
export type { GatewayBooksOptions, GatewayBooksStats } from './gateway/gateway-books';
export {
  type CatalogModel,
  createModelCatalog,
  type GatewayTarget,
  type ModelCatalog,
  type ResolvedModel,
  type TargetSettings,
} from './gateway/model-catalog';
export {
  createPassThroughClient,
  type PassThroughClient,
  type PassThroughUpstream,
  type UpstreamAnswer,
} from './gateway/pass-through-upstream';
export {
  loadModuleServiceDefinition,
  type ModuleServiceOptions,
  type ModuleServiceServer,
  moduleServiceProtoPath,
  startModuleService,
} from './grpc/module-service';
export {
  type BallastHandlers,
  type BallastHandlersOptions,
  type BallastServerEvents,
  createBallastHandlers,
} from './handlers';
export {
  type ApiKeyRecord,
  type Caller,
  type CredentialSource,
  createApiKeyVerifier,
  hashApiKey,
} from './http/api-keys';
export type { CorsOptions } from './http/cors';
export { createFetchApp, type FetchApp, type FetchAppOptions } from './http/fetch-app';
export {
  errorResponse,
  HttpError,
  type HttpErrorBody,
  type HttpErrorCode,
  type HttpErrorIssue,
  responseOfError,
  toHttpError,
} from './http/http-error';
export { defaultMaxBodyBytes, json, parseWith, readJson, readText } from './http/json';
export { createNodeFetch, type NodeFetchOptions } from './http/node-fetch';
export { createRateLimiter, type RateLimiter, type RateLimiterOptions } from './http/rate-limiter';
export type { FetchHandler, HttpMethod, Route, RouteContext, RouteInfo } from './http/router';
export {
  type NodeListenerOptions,
  type NodeRequestHandler,
  type NodeServer,
  type ServeNodeOptions,
  serveNode,
  toNodeListener,
} from './http/serve-node';
export {
  createLogger,
  isDebugEnabled,
  type Logger,
  type LoggerOptions,
  redactLogFields,
} from './logging/logger';
export type { MemoryOptions, RagOptions } from './memory/context';
export { cosineSimilarity, createHashedBagOfWordsEmbedder, type Embedder } from './memory/embedder';
export {
  createInMemoryMemoryStore,
  type InMemoryMemoryStoreOptions,
  type MemoryEntry,
  type MemoryStore,
  type ScoredMemoryEntry,
} from './memory/memory-store';
export {
  chunkText,
  createInMemoryRagStore,
  type RagChunk,
  type RagStore,
  type ScoredRagChunk,
} from './memory/rag-store';
export { embedderFromModel, ragStoreFromVectorStore } from './memory/vector-rag-store';
export { createGatewayMetrics, type GatewayMetrics } from './metrics/gateway-metrics';
export type { CallObservation, ObservationBatchOptions } from './metrics/observation-batch';
export {
  type ActiveAlert,
  type AlertEvent,
  type AlertMonitor,
  type AlertRule,
  type AlertRuleInput,
  alertRuleSchema,
  createAlertMonitor,
  defaultAlertRules,
} from './monitoring/alert-monitor';
export {
  type PerformanceFigures,
  type PerformancePoint,
  performanceReport,
  performanceSeries,
} from './monitoring/performance';
export { explainSelection, type SelectionDecision } from './routing/load-balancing-routes';
