/**
 * `@ballast/store`: where Ballast keeps what it must not forget.
 *
 * One interface per concern (metrics, history, memory, vectors, shared state), each with
 * in-memory, SQLite, PostgreSQL and (for shared state) Redis implementations that pass the same
 * contract suite.
 */
export const STORE_PACKAGE = '@ballast/store';

// Shared state across replicas (issue 14).
export type {
  OutcomeSample,
  RateVerdict,
  SharedBreakerRecord,
  SharedBreakers,
  SharedRateLimits,
  SharedSlots,
  SharedState,
  SharedStateLifecycle,
  SharedWindows,
  SharedWindowView,
} from '@ballast/core';
export {
  createInMemorySharedState,
  createInMemorySharedStateHub,
  type InMemorySharedStateHub,
  type InMemorySharedStateOptions,
} from './shared-state/in-memory-shared-state';
export { createRedisSharedState, type RedisSharedState } from './shared-state/redis-shared-state';
export {
  type RedisSharedStateOptions,
  redisSharedStateOptionsSchema,
} from './shared-state/redis-shared-state-options';
export { SharedStateUnavailableError } from './shared-state/shared-state-error';
export {
  type WindowBounds,
  type WindowBoundsInput,
  windowBoundsSchema,
} from './shared-state/window-options';
