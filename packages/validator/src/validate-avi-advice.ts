import {
  type AviPoolServer,
  type AviRecommendation,
  type AviServiceEngineSnapshot,
  type AviSnapshot,
  type AviVirtualServiceSnapshot,
  type LlmAviRecommendation,
  llmAviRecommendationSchema,
  type RecommendationSource,
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
  const source = options.source ?? 'llm';
  const maxCpu = options.maxServiceEngineCpuPercent ?? 80;
  const defaultLimit = options.defaultMaxServiceEnginesPerVirtualService ?? 4;
  const accepted: AviRecommendation[] = [];
  const rejected: RejectedAviRecommendation[] = [];
  // Working state: projected SE CPU, placements and server states after each accepted item.
  const cpu = new Map(snapshot.serviceEngines.map((se) => [se.uuid, se.cpuPercent ?? 0]));
  const placements = new Map(snapshot.virtualServices.map((vs) => [vs.uuid, [...vs.serviceEngineUuids]]));
  const servers = new Map(
    snapshot.pools.map((pool) => [pool.uuid, pool.servers.map((server) => ({ ...server }))]),
  );
  const seen = new Set<string>();

  const findVs = (name: string | undefined) =>
    snapshot.virtualServices.find((vs) => vs.name === name || vs.uuid === name);
  const findPool = (name: string | undefined) =>
    snapshot.pools.find((pool) => pool.name === name || pool.uuid === name);
  const findSe = (name: string | undefined) =>
    snapshot.serviceEngines.find((se) => se.name === name || se.uuid === name);
  const eligible = (se: AviServiceEngineSnapshot) =>
    se.enableState === 'SE_STATE_ENABLED' && se.operState === 'OPER_UP';

  items.forEach((item, index) => {
    const reasons: Array<Reason<AviReasonCode>> = [];
    const reject = (code: AviReasonCode, message: string) => reasons.push({ code, message });
    const parsed = llmAviRecommendationSchema.safeParse(item);
    if (!parsed.success) {
      reject(
        'invalid_shape',
        parsed.error.issues
          .slice(0, 3)
          .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
          .join('; '),
      );
      rejected.push({ index, item, reasons });
      return;
    }
    const recommendation = parsed.data;
    const numbers: Record<string, number> = {};
    const key = [
      recommendation.action,
      recommendation.virtualService,
      recommendation.pool,
      recommendation.server,
      recommendation.toServiceEngine,
    ].join('|');
    if (seen.has(key)) reject('duplicate', 'the same action on the same objects was already given');

    const needsVs = [
      'scale_out_virtual_service',
      'migrate_virtual_service',
      'investigate_virtual_service',
    ].includes(recommendation.action);
    const vs = findVs(recommendation.virtualService);
    if (needsVs) {
      if (recommendation.virtualService === undefined)
        reject('missing_field', `${recommendation.action} needs virtualService`);
      else if (vs === undefined)
        reject(
          'unknown_virtual_service',
          `virtual service ${JSON.stringify(recommendation.virtualService)} does not exist`,
        );
    }

    if (vs !== undefined && recommendation.action === 'scale_out_virtual_service') {
      const placed = placements.get(vs.uuid) ?? [];
      if (!vs.enabled || vs.operState !== 'OPER_UP')
        reject(
          'action_not_allowed',
          `${vs.name} is ${vs.enabled ? vs.operState : 'disabled'}; scale out needs it up`,
        );
      const group = snapshot.serviceEngineGroups.find(
        (candidate) => candidate.uuid === vs.serviceEngineGroupUuid,
      );
      const limit = group?.maxServiceEnginesPerVirtualService ?? defaultLimit;
      if (placed.length >= limit)
        reject(
          'placement_limit',
          `${vs.name} already runs on ${placed.length} service engines (limit ${limit})`,
        );
      const hosts = placed
        .map((uuid) => findSe(uuid))
        .filter((se): se is AviServiceEngineSnapshot => se !== undefined);
      const share =
        hosts.length === 0
          ? 0
          : Math.max(...hosts.map((se) => estimateVirtualServiceCpuShare(snapshot, vs, se)));
      const added = (share * placed.length) / (placed.length + 1);
      const candidates = snapshot.serviceEngines.filter(
        (se) =>
          eligible(se) &&
          !placed.includes(se.uuid) &&
          (vs.serviceEngineGroupUuid === undefined ||
            se.serviceEngineGroupUuid === undefined ||
            se.serviceEngineGroupUuid === vs.serviceEngineGroupUuid),
      );
      let target: AviServiceEngineSnapshot | undefined;
      if (recommendation.toServiceEngine !== undefined) {
        target = findSe(recommendation.toServiceEngine);
        if (target === undefined)
          reject(
            'unknown_service_engine',
            `service engine ${JSON.stringify(recommendation.toServiceEngine)} does not exist`,
          );
        else if (placed.includes(target.uuid))
          reject('same_service_engine', `${vs.name} already runs on ${target.name}`);
        else if (!eligible(target))
          reject(
            'action_not_allowed',
            `${target.name} is ${target.enableState}/${target.operState}; it cannot take placements`,
          );
      } else target = [...candidates].sort((a, b) => (cpu.get(a.uuid) ?? 0) - (cpu.get(b.uuid) ?? 0))[0];
      if (target === undefined && recommendation.toServiceEngine === undefined)
        reject('no_capacity', `no enabled, up service engine is left for ${vs.name}`);
      if (target !== undefined && reasons.length === 0) {
        const projected = (cpu.get(target.uuid) ?? 0) + added;
        numbers.targetCpuPercentAfter = round(projected);
        numbers.estimatedVsCpuPercentPerEngine = round(share);
        if (projected > maxCpu)
          reject('no_capacity', `${target.name} would reach ${round(projected)} % CPU (limit ${maxCpu} %)`);
        else {
          cpu.set(target.uuid, projected);
          for (const host of hosts)
            cpu.set(host.uuid, (cpu.get(host.uuid) ?? 0) - share / (placed.length + 1));
          placements.set(vs.uuid, [...placed, target.uuid]);
        }
      }
    }

    if (vs !== undefined && recommendation.action === 'migrate_virtual_service') {
      const placed = placements.get(vs.uuid) ?? [];
      const from = findSe(recommendation.fromServiceEngine ?? placed[0]);
      const to = findSe(recommendation.toServiceEngine);
      if (recommendation.toServiceEngine === undefined)
        reject('missing_field', 'migrate_virtual_service needs toServiceEngine');
      else if (to === undefined)
        reject(
          'unknown_service_engine',
          `service engine ${JSON.stringify(recommendation.toServiceEngine)} does not exist`,
        );
      if (recommendation.fromServiceEngine !== undefined && from === undefined)
        reject(
          'unknown_service_engine',
          `service engine ${JSON.stringify(recommendation.fromServiceEngine)} does not exist`,
        );
      if (from !== undefined && !placed.includes(from.uuid))
        reject('not_placed_there', `${vs.name} does not run on ${from.name}`);
      if (to !== undefined && placed.includes(to.uuid))
        reject('same_service_engine', `${vs.name} already runs on ${to.name}`);
      if (to !== undefined && !eligible(to))
        reject(
          'action_not_allowed',
          `${to.name} is ${to.enableState}/${to.operState}; it cannot take placements`,
        );
      if (from !== undefined && to !== undefined && reasons.length === 0) {
        const share = estimateVirtualServiceCpuShare(snapshot, vs, from);
        const projected = (cpu.get(to.uuid) ?? 0) + share;
        numbers.sourceCpuPercent = round(cpu.get(from.uuid) ?? 0);
        numbers.targetCpuPercentAfter = round(projected);
        numbers.sourceCpuPercentAfter = round((cpu.get(from.uuid) ?? 0) - share);
        if (projected > maxCpu)
          reject('no_capacity', `${to.name} would reach ${round(projected)} % CPU (limit ${maxCpu} %)`);
        else {
          cpu.set(to.uuid, projected);
          cpu.set(from.uuid, (cpu.get(from.uuid) ?? 0) - share);
          placements.set(
            vs.uuid,
            placed.map((uuid) => (uuid === from.uuid ? to.uuid : uuid)),
          );
        }
      }
    }

    const serverAction = ['disable_pool_server', 'enable_pool_server', 'set_pool_server_ratio'].includes(
      recommendation.action,
    );
    if (serverAction) {
      const pool = findPool(recommendation.pool);
      if (recommendation.pool === undefined) reject('missing_field', `${recommendation.action} needs pool`);
      else if (pool === undefined)
        reject('unknown_pool', `pool ${JSON.stringify(recommendation.pool)} does not exist`);
      if (recommendation.server === undefined)
        reject('missing_field', `${recommendation.action} needs server`);
      const list = pool === undefined ? undefined : servers.get(pool.uuid);
      const server = list?.find((candidate) => matchesServer(candidate, recommendation.server));
      if (pool !== undefined && recommendation.server !== undefined && server === undefined)
        reject('unknown_server', `pool ${pool.name} has no server ${JSON.stringify(recommendation.server)}`);
      if (pool !== undefined && list !== undefined && server !== undefined) {
        if (recommendation.action === 'disable_pool_server') {
          if (!server.enabled)
            reject('action_not_allowed', `server ${serverLabel(server)} is already disabled`);
          const upAfter = list.filter(
            (candidate) =>
              candidate !== server && candidate.enabled && (candidate.operState ?? 'OPER_UP') === 'OPER_UP',
          );
          numbers.serversUpAfter = upAfter.length;
          if (upAfter.length === 0)
            reject(
              'last_server',
              `disabling ${serverLabel(server)} leaves pool ${pool.name} no enabled server that is up`,
            );
          if (reasons.length === 0) server.enabled = false;
        }
        if (recommendation.action === 'enable_pool_server') {
          if (server.enabled)
            reject('action_not_allowed', `server ${serverLabel(server)} is already enabled`);
          if (reasons.length === 0) server.enabled = true;
        }
        if (recommendation.action === 'set_pool_server_ratio') {
          const ratio = recommendation.ratio;
          if (ratio === undefined || !Number.isInteger(ratio) || ratio < 1 || ratio > 20)
            reject('invalid_ratio', `ratio must be an integer from 1 to 20 (got ${String(ratio)})`);
          else if (ratio === server.ratio)
            reject('invalid_ratio', `server ${serverLabel(server)} already has ratio ${ratio}`);
          else {
            numbers.ratioBefore = server.ratio;
            numbers.ratioAfter = ratio;
            if (reasons.length === 0) server.ratio = ratio;
          }
        }
      }
    }

    if (reasons.length > 0) {
      rejected.push({ index, item, reasons });
      return;
    }
    seen.add(key);
    accepted.push({ ...recommendation, id: `${source}-${index + 1}`, source, numbers });
  });
  return { accepted, rejected };
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
