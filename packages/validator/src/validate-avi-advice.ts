import {
  type AviPoolServer,
  type AviRecommendation,
  type AviServiceEngineSnapshot,
  type AviSnapshot,
  type AviVirtualServiceSnapshot,
  type LlmAviRecommendation,
  llmAviRecommendationSchema,
  type RecommendationSource,
  ValidationError,
} from '@ballast/core';
import type { Reason } from './reason-codes';

/**
 * Why an Avi recommendation was rejected.
 *
 * | code | meaning |
 * |---|---|
 * | `invalid_shape` | not an object of the recommendation schema (unknown action, missing risk or reasoning…) |
 * | `missing_field` | the action needs a field that is absent (a VS, a pool, a server, a target SE) |
 * | `unknown_virtual_service` / `unknown_pool` / `unknown_server` / `unknown_service_engine` | no such object in the snapshot |
 * | `action_not_allowed` | the object's state does not allow it (scale out a VS that is down, enable an enabled server…) |
 * | `same_service_engine` | migrate to the SE it already runs on, or to one that already hosts it |
 * | `not_placed_there` | migrate from an SE that does not host the VS |
 * | `placement_limit` | the VS already runs on `max_scaleout_per_vs` SEs |
 * | `no_capacity` | the target SE would end above the CPU limit, or no eligible SE is left |
 * | `last_server` | disabling the server leaves the pool no enabled server that is up |
 * | `invalid_ratio` | ratio not an integer 1–20, or unchanged |
 * | `duplicate` | the same action on the same objects was already given |
 *
 * @example
 * ```ts
 * const blocking: AviReasonCode[] = ['unknown_virtual_service', 'no_capacity'];
 * ```
 */
export type AviReasonCode =
  | 'invalid_shape'
  | 'missing_field'
  | 'unknown_virtual_service'
  | 'unknown_pool'
  | 'unknown_server'
  | 'unknown_service_engine'
  | 'action_not_allowed'
  | 'same_service_engine'
  | 'not_placed_there'
  | 'placement_limit'
  | 'no_capacity'
  | 'last_server'
  | 'invalid_ratio'
  | 'duplicate';

/** Options of {@link validateAviAdvice}. */
export interface AviValidationOptions {
  /** Who made the items: recorded on each accepted recommendation. Default `llm`. */
  source?: RecommendationSource;
  /** A target SE may not end above this CPU use, percent. Default 80. */
  maxServiceEngineCpuPercent?: number;
  /** SEs a VS may run on when its group states no limit. Default 4 (Avi's default). */
  defaultMaxServiceEnginesPerVirtualService?: number;
}

/** A refused item, as given, with every reason. */
export interface RejectedAviRecommendation {
  index: number;
  item: unknown;
  reasons: Array<Reason<AviReasonCode>>;
}

/** The result of {@link validateAviAdvice}. */
export interface AviValidationResult {
  accepted: AviRecommendation[];
  rejected: RejectedAviRecommendation[];
}

/**
 * The CPU (percent of an SE) a virtual service is estimated to cause on each SE it runs on: the
 * SE's CPU split among the VSs it hosts by their bandwidth (evenly when bandwidth is unknown).
 *
 * @example
 * ```ts
 * const share = estimateVirtualServiceCpuShare(snapshot, vs, se); // e.g. 45.5
 * ```
 */
export function estimateVirtualServiceCpuShare(
  snapshot: AviSnapshot,
  vs: AviVirtualServiceSnapshot,
  se: AviServiceEngineSnapshot,
): number {
  const cpu = se.cpuPercent ?? 0;
  const hosted = snapshot.virtualServices.filter(
    (candidate) =>
      candidate.serviceEngineUuids.includes(se.uuid) || se.virtualServiceUuids.includes(candidate.uuid),
  );
  if (hosted.length === 0) return 0;
  const bandwidth = (candidate: AviVirtualServiceSnapshot) =>
    (candidate.metrics.bandwidthBitsPerSecond?.latest ?? 0) /
    Math.max(1, candidate.serviceEngineUuids.length);
  const total = hosted.reduce((sum, candidate) => sum + bandwidth(candidate), 0);
  if (total <= 0) return cpu / hosted.length;
  return (cpu * bandwidth(vs)) / total;
}

/**
 * Checks Avi recommendations (a model's, or the rules') against a snapshot: every object must
 * exist, the action must be allowed in the object's state, and the change must fit (placement
 * limits, target SE CPU after the change, a pool keeps an enabled server that is up). Accepted
 * items are applied to a working copy in order, so two moves onto one SE are checked together.
 * Nothing is repaired silently: an item is accepted as given or rejected with its reasons.
 *
 * @example
 * ```ts
 * const { accepted, rejected } = validateAviAdvice(snapshot, answer.recommendations, { source: 'llm' });
 * for (const item of rejected) console.warn(item.index, item.reasons.map((reason) => reason.code));
 * ```
 */
export function validateAviAdvice(
  snapshot: AviSnapshot,
  items: readonly unknown[],
  options: AviValidationOptions = {},
): AviValidationResult {
  assertAviInput(snapshot, items, options);
  const source = options.source ?? 'llm';
  const state = createWorkingState(snapshot, options);
  const accepted: AviRecommendation[] = [];
  const rejected: RejectedAviRecommendation[] = [];
  const seen = new Set<string>();

  items.forEach((item, index) => {
    const parsed = llmAviRecommendationSchema.safeParse(item);
    if (!parsed.success) {
      rejected.push({
        index,
        item,
        reasons: [{ code: 'invalid_shape', message: describeIssues(parsed.error.issues) }],
      });
      return;
    }
    const check: ItemCheck = { recommendation: parsed.data, reasons: [], numbers: {} };
    const key = duplicateKey(check.recommendation);
    if (seen.has(key)) reject(check, 'duplicate', 'the same action on the same objects was already given');
    checkAction(check, state);
    if (check.reasons.length > 0) {
      rejected.push({ index, item, reasons: check.reasons });
      return;
    }
    seen.add(key);
    accepted.push({ ...check.recommendation, id: `${source}-${index + 1}`, source, numbers: check.numbers });
  });
  return { accepted, rejected };
}

function aviInputError(path: string, message: string, value?: unknown): never {
  throw new ValidationError({
    message: `${path} ${message}`,
    issues: [{ path, message, code: 'invalid_input' }],
    value: typeof value === 'object' ? undefined : value,
  });
}

/**
 * Options, items and the snapshot figures the checks compare: a `NaN` limit or SE CPU would make
 * every `projected > limit` comparison false and let any move through.
 */
function assertAviInput(snapshot: unknown, items: unknown, options: unknown): void {
  if (typeof options !== 'object' || options === null) aviInputError('options', 'must be an object');
  const given = options as Record<string, unknown>;
  if (given.source !== undefined && given.source !== 'llm' && given.source !== 'rule') {
    aviInputError('options.source', 'must be "llm" or "rule"', given.source);
  }
  const maxCpu = given.maxServiceEngineCpuPercent;
  if (maxCpu !== undefined && (typeof maxCpu !== 'number' || !Number.isFinite(maxCpu) || maxCpu <= 0)) {
    aviInputError('options.maxServiceEngineCpuPercent', 'must be a positive number', maxCpu);
  }
  const limit = given.defaultMaxServiceEnginesPerVirtualService;
  if (limit !== undefined && (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1)) {
    aviInputError('options.defaultMaxServiceEnginesPerVirtualService', 'must be a positive integer', limit);
  }
  if (!Array.isArray(items)) aviInputError('items', 'must be an array of recommendations');
  const parts = snapshot as Record<string, unknown> | null;
  if (
    typeof parts !== 'object' ||
    parts === null ||
    !Array.isArray(parts.virtualServices) ||
    !Array.isArray(parts.pools) ||
    !Array.isArray(parts.serviceEngines)
  ) {
    aviInputError('snapshot', 'must be an AviSnapshot with virtualServices, pools and serviceEngines arrays');
  }
  const engines = parts.serviceEngines as unknown[];
  for (let position = 0; position < engines.length; position++) {
    const se = engines[position] as Record<string, unknown> | null;
    if (typeof se !== 'object' || se === null)
      aviInputError(`snapshot.serviceEngines.${position}`, 'must be an object');
    const cpu = se.cpuPercent;
    if (cpu !== undefined && (typeof cpu !== 'number' || !Number.isFinite(cpu) || cpu < 0)) {
      aviInputError(
        `snapshot.serviceEngines.${position}.cpuPercent`,
        'must be a finite, non-negative number',
        cpu,
      );
    }
  }
}

/**
 * The snapshot as the accepted items so far leave it: projected SE CPU, placements and pool
 * servers. Each item is checked against it and, when accepted, applied to it.
 */
interface AviWorkingState {
  snapshot: AviSnapshot;
  maxCpu: number;
  defaultLimit: number;
  cpu: Map<string, number>;
  placements: Map<string, string[]>;
  servers: Map<string, AviPoolServer[]>;
}

/** One item being checked: its reasons so far and the numbers that explain the decision. */
interface ItemCheck {
  recommendation: LlmAviRecommendation;
  reasons: Array<Reason<AviReasonCode>>;
  numbers: Record<string, number>;
}

function createWorkingState(snapshot: AviSnapshot, options: AviValidationOptions): AviWorkingState {
  return {
    snapshot,
    maxCpu: options.maxServiceEngineCpuPercent ?? 80,
    defaultLimit: options.defaultMaxServiceEnginesPerVirtualService ?? 4,
    cpu: new Map(snapshot.serviceEngines.map((se) => [se.uuid, se.cpuPercent ?? 0])),
    placements: new Map(snapshot.virtualServices.map((vs) => [vs.uuid, [...vs.serviceEngineUuids]])),
    servers: new Map(
      snapshot.pools.map((pool) => [pool.uuid, pool.servers.map((server) => ({ ...server }))]),
    ),
  };
}

function reject(check: ItemCheck, code: AviReasonCode, message: string): void {
  check.reasons.push({ code, message });
}

function describeIssues(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): string {
  return issues
    .slice(0, 3)
    .map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}

/** Items with the same action on the same objects are duplicates. */
function duplicateKey(recommendation: LlmAviRecommendation): string {
  return [
    recommendation.action,
    recommendation.virtualService,
    recommendation.pool,
    recommendation.server,
    recommendation.toServiceEngine,
  ].join('|');
}

const virtualServiceActions: ReadonlySet<string> = new Set([
  'scale_out_virtual_service',
  'migrate_virtual_service',
  'investigate_virtual_service',
]);
const poolServerActions: ReadonlySet<string> = new Set([
  'disable_pool_server',
  'enable_pool_server',
  'set_pool_server_ratio',
]);

function checkAction(check: ItemCheck, state: AviWorkingState): void {
  const { action } = check.recommendation;
  if (virtualServiceActions.has(action)) {
    const vs = findVirtualService(check, state);
    if (vs === undefined) return;
    if (action === 'scale_out_virtual_service') checkScaleOut(check, state, vs);
    if (action === 'migrate_virtual_service') checkMigrate(check, state, vs);
  }
  if (poolServerActions.has(action)) checkPoolServerAction(check, state);
}

function findVirtualService(check: ItemCheck, state: AviWorkingState): AviVirtualServiceSnapshot | undefined {
  const name = check.recommendation.virtualService;
  if (name === undefined) {
    reject(check, 'missing_field', `${check.recommendation.action} needs virtualService`);
    return undefined;
  }
  const vs = state.snapshot.virtualServices.find(
    (candidate) => candidate.name === name || candidate.uuid === name,
  );
  if (vs === undefined)
    reject(check, 'unknown_virtual_service', `virtual service ${JSON.stringify(name)} does not exist`);
  return vs;
}

function findServiceEngine(
  state: AviWorkingState,
  name: string | undefined,
): AviServiceEngineSnapshot | undefined {
  return state.snapshot.serviceEngines.find((se) => se.name === name || se.uuid === name);
}

function eligible(se: AviServiceEngineSnapshot): boolean {
  return se.enableState === 'SE_STATE_ENABLED' && se.operState === 'OPER_UP';
}

/** Rejects a named target SE that is unknown, already hosts the VS or cannot take placements. */
function checkNamedTarget(
  check: ItemCheck,
  vs: AviVirtualServiceSnapshot,
  name: string,
  target: AviServiceEngineSnapshot | undefined,
  placed: readonly string[],
): void {
  if (target === undefined)
    reject(check, 'unknown_service_engine', `service engine ${JSON.stringify(name)} does not exist`);
  else if (placed.includes(target.uuid))
    reject(check, 'same_service_engine', `${vs.name} already runs on ${target.name}`);
  else if (!eligible(target))
    reject(
      check,
      'action_not_allowed',
      `${target.name} is ${target.enableState}/${target.operState}; it cannot take placements`,
    );
}

/**
 * Scale-out adds one SE to the VS's placements: the VS must be up and under its group's limit,
 * and the new SE (named, or the least loaded eligible one in the VS's group) must stay under the
 * CPU limit once it takes its share of the VS's load.
 */
function checkScaleOut(check: ItemCheck, state: AviWorkingState, vs: AviVirtualServiceSnapshot): void {
  const placed = state.placements.get(vs.uuid) ?? [];
  if (!vs.enabled || vs.operState !== 'OPER_UP')
    reject(
      check,
      'action_not_allowed',
      `${vs.name} is ${vs.enabled ? vs.operState : 'disabled'}; scale out needs it up`,
    );
  const group = state.snapshot.serviceEngineGroups.find(
    (candidate) => candidate.uuid === vs.serviceEngineGroupUuid,
  );
  const limit = group?.maxServiceEnginesPerVirtualService ?? state.defaultLimit;
  if (placed.length >= limit)
    reject(
      check,
      'placement_limit',
      `${vs.name} already runs on ${placed.length} service engines (limit ${limit})`,
    );
  const target = scaleOutTarget(check, state, vs, placed);
  if (target === undefined || check.reasons.length > 0) return;

  const hosts = placed
    .map((uuid) => findServiceEngine(state, uuid))
    .filter((se): se is AviServiceEngineSnapshot => se !== undefined);
  const share =
    hosts.length === 0
      ? 0
      : Math.max(...hosts.map((se) => estimateVirtualServiceCpuShare(state.snapshot, vs, se)));
  // The VS's load spreads over one more engine: the new one takes its even part.
  const added = (share * placed.length) / (placed.length + 1);
  const projected = (state.cpu.get(target.uuid) ?? 0) + added;
  check.numbers.targetCpuPercentAfter = round(projected);
  check.numbers.estimatedVsCpuPercentPerEngine = round(share);
  if (projected > state.maxCpu) {
    reject(
      check,
      'no_capacity',
      `${target.name} would reach ${round(projected)} % CPU (limit ${state.maxCpu} %)`,
    );
    return;
  }
  state.cpu.set(target.uuid, projected);
  for (const host of hosts)
    state.cpu.set(host.uuid, (state.cpu.get(host.uuid) ?? 0) - share / (placed.length + 1));
  state.placements.set(vs.uuid, [...placed, target.uuid]);
}

function scaleOutTarget(
  check: ItemCheck,
  state: AviWorkingState,
  vs: AviVirtualServiceSnapshot,
  placed: readonly string[],
): AviServiceEngineSnapshot | undefined {
  const named = check.recommendation.toServiceEngine;
  if (named !== undefined) {
    const target = findServiceEngine(state, named);
    checkNamedTarget(check, vs, named, target, placed);
    return target;
  }
  const sameGroup = (se: AviServiceEngineSnapshot) =>
    vs.serviceEngineGroupUuid === undefined ||
    se.serviceEngineGroupUuid === undefined ||
    se.serviceEngineGroupUuid === vs.serviceEngineGroupUuid;
  const leastLoaded = state.snapshot.serviceEngines
    .filter((se) => eligible(se) && !placed.includes(se.uuid) && sameGroup(se))
    .sort((a, b) => (state.cpu.get(a.uuid) ?? 0) - (state.cpu.get(b.uuid) ?? 0))[0];
  if (leastLoaded === undefined)
    reject(check, 'no_capacity', `no enabled, up service engine is left for ${vs.name}`);
  return leastLoaded;
}

/**
 * Migration moves the VS's placement from one SE (named, or its first) to a named SE, which must
 * exist, not host it already, take placements and stay under the CPU limit with the VS's share.
 */
function checkMigrate(check: ItemCheck, state: AviWorkingState, vs: AviVirtualServiceSnapshot): void {
  const { fromServiceEngine, toServiceEngine } = check.recommendation;
  const placed = state.placements.get(vs.uuid) ?? [];
  const from = findServiceEngine(state, fromServiceEngine ?? placed[0]);
  const to = findServiceEngine(state, toServiceEngine);
  if (toServiceEngine === undefined)
    reject(check, 'missing_field', 'migrate_virtual_service needs toServiceEngine');
  else if (to === undefined)
    reject(
      check,
      'unknown_service_engine',
      `service engine ${JSON.stringify(toServiceEngine)} does not exist`,
    );
  if (fromServiceEngine !== undefined && from === undefined)
    reject(
      check,
      'unknown_service_engine',
      `service engine ${JSON.stringify(fromServiceEngine)} does not exist`,
    );
  if (from !== undefined && !placed.includes(from.uuid))
    reject(check, 'not_placed_there', `${vs.name} does not run on ${from.name}`);
  if (to !== undefined && placed.includes(to.uuid))
    reject(check, 'same_service_engine', `${vs.name} already runs on ${to.name}`);
  if (to !== undefined && !eligible(to))
    reject(
      check,
      'action_not_allowed',
      `${to.name} is ${to.enableState}/${to.operState}; it cannot take placements`,
    );
  if (from === undefined || to === undefined || check.reasons.length > 0) return;

  const share = estimateVirtualServiceCpuShare(state.snapshot, vs, from);
  const sourceCpu = state.cpu.get(from.uuid) ?? 0;
  const projected = (state.cpu.get(to.uuid) ?? 0) + share;
  check.numbers.sourceCpuPercent = round(sourceCpu);
  check.numbers.targetCpuPercentAfter = round(projected);
  check.numbers.sourceCpuPercentAfter = round(sourceCpu - share);
  if (projected > state.maxCpu) {
    reject(
      check,
      'no_capacity',
      `${to.name} would reach ${round(projected)} % CPU (limit ${state.maxCpu} %)`,
    );
    return;
  }
  state.cpu.set(to.uuid, projected);
  state.cpu.set(from.uuid, sourceCpu - share);
  state.placements.set(
    vs.uuid,
    placed.map((uuid) => (uuid === from.uuid ? to.uuid : uuid)),
  );
}

/** Disable, enable or re-weight one server of a pool, on the working copy of the pool's servers. */
function checkPoolServerAction(check: ItemCheck, state: AviWorkingState): void {
  const { action, pool: poolName, server: serverName } = check.recommendation;
  const pool = state.snapshot.pools.find(
    (candidate) => candidate.name === poolName || candidate.uuid === poolName,
  );
  if (poolName === undefined) reject(check, 'missing_field', `${action} needs pool`);
  else if (pool === undefined)
    reject(check, 'unknown_pool', `pool ${JSON.stringify(poolName)} does not exist`);
  if (serverName === undefined) reject(check, 'missing_field', `${action} needs server`);
  const list = pool === undefined ? undefined : state.servers.get(pool.uuid);
  const server = list?.find((candidate) => matchesServer(candidate, serverName));
  if (pool !== undefined && serverName !== undefined && server === undefined)
    reject(check, 'unknown_server', `pool ${pool.name} has no server ${JSON.stringify(serverName)}`);
  if (pool === undefined || list === undefined || server === undefined) return;
  if (action === 'disable_pool_server') checkDisableServer(check, pool.name, list, server);
  if (action === 'enable_pool_server') {
    if (server.enabled)
      reject(check, 'action_not_allowed', `server ${serverLabel(server)} is already enabled`);
    if (check.reasons.length === 0) server.enabled = true;
  }
  if (action === 'set_pool_server_ratio') checkServerRatio(check, server);
}

/** A pool must keep at least one enabled server that is up. */
function checkDisableServer(
  check: ItemCheck,
  poolName: string,
  list: readonly AviPoolServer[],
  server: AviPoolServer,
): void {
  if (!server.enabled)
    reject(check, 'action_not_allowed', `server ${serverLabel(server)} is already disabled`);
  const upAfter = list.filter(
    (candidate) =>
      candidate !== server && candidate.enabled && (candidate.operState ?? 'OPER_UP') === 'OPER_UP',
  );
  check.numbers.serversUpAfter = upAfter.length;
  if (upAfter.length === 0)
    reject(
      check,
      'last_server',
      `disabling ${serverLabel(server)} leaves pool ${poolName} no enabled server that is up`,
    );
  if (check.reasons.length === 0) server.enabled = false;
}

/** Ratios are Avi's integer weights 1–20; an unchanged ratio is not a recommendation. */
function checkServerRatio(check: ItemCheck, server: AviPoolServer): void {
  const ratio = check.recommendation.ratio;
  if (ratio === undefined || !Number.isInteger(ratio) || ratio < 1 || ratio > 20) {
    reject(check, 'invalid_ratio', `ratio must be an integer from 1 to 20 (got ${String(ratio)})`);
    return;
  }
  if (ratio === server.ratio) {
    reject(check, 'invalid_ratio', `server ${serverLabel(server)} already has ratio ${ratio}`);
    return;
  }
  check.numbers.ratioBefore = server.ratio;
  check.numbers.ratioAfter = ratio;
  if (check.reasons.length === 0) server.ratio = ratio;
}

function matchesServer(server: AviPoolServer, given: string | undefined): boolean {
  if (given === undefined) return false;
  return given === server.ip || given === `${server.ip}:${server.port ?? ''}` || given === server.hostname;
}

function serverLabel(server: AviPoolServer): string {
  return server.port === undefined ? server.ip : `${server.ip}:${server.port}`;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

/** The item type the validator reads (the model's schema). */
export type AviAdviceItem = LlmAviRecommendation;
