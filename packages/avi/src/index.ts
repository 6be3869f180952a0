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
  type AviRequestOptions,
  createAviClient,
} from './avi-client';
export { AVI_COLLECTED_METRICS, type CollectAviOptions, collectAvi } from './collect-avi';
export { type CookieJar, createCookieJar } from './cookie-jar';
export { refName, refUuid } from './refs';
export * from './swagger-facts';
export { type AviTlsOptions, createAviAgent, normalizeAviFingerprint } from './tls';
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
