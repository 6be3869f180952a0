export {
  type AdviseAviInput,
  type AviAdvice,
  type AviAdviceRejection,
  adviseAvi,
} from './advice/advise-avi';
export { type AviAdviceThresholds, type AviRulePlan, planAviAdvice } from './advice/plan-avi-advice';
export {
  type AviAuditEvent,
  type AviAuditSink,
  createMemoryAuditLog,
  type MemoryAuditLog,
} from './agent/audit-log';
export {
  type AviTool,
  type AviToolContext,
  type AviToolOutput,
  aviReadTools,
  aviWriteTools,
} from './agent/avi-tools';
export {
  type AviAgent,
  type AviAgentEvent,
  type AviAgentOptions,
  type AviConfirmResult,
  type AviConversationStore,
  createAviAgent,
  createMemoryConversationStore,
} from './agent/create-avi-agent';
export { AviToolError } from './agent/resolve-object';
export {
  type AviClient,
  type AviClientOptions,
  type AviClientStats,
  type AviFetch,
  type AviFetchInit,
  type AviFetchResponse,
  type AviListQuery,
  type AviMetricsQuery,
  type AviMetricsRequest,
  type AviObjectOf,
  type AviObjectType,
  type AviObjectTypes,
  type AviRequestOptions,
  createAviClient,
} from './avi-client';
export { AVI_COLLECTED_METRICS, type CollectAviOptions, collectAvi } from './collect-avi';
export { type CookieJar, createCookieJar } from './cookie-jar';
export { planCreate, planDelete, planUpdate } from './plan-object-writes';
export { REDACTED, redactAviPayload, redactText } from './redact-avi';
export { refName, refUuid } from './refs';
export * from './swagger-facts';
export { type AviTlsOptions, createAviDispatcher, normalizeAviFingerprint } from './tls';
export * from './wire-schemas';
export {
  AviConfirmationError,
  type AviConfirmationFailure,
  type AviWriteMethod,
  type AviWritePlan,
  type ConfirmedAviWrite,
  createWriteLedger,
  hashWritePlan,
  type PendingAviWrite,
  type WriteLedger,
  type WriteLedgerOptions,
} from './write-plan';
