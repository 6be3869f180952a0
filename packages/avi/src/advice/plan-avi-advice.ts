import type {
  AviRecommendation,
  AviServiceEngineSnapshot,
  AviSnapshot,
  AviVirtualServiceSnapshot,
  LlmAviRecommendation,
} from '@ballast/core';
import {
  estimateVirtualServiceCpuShare,
  type RejectedAviRecommendation,
  validateAviAdvice,
} from '@ballast/validator';

/** Thresholds of the rule-based Avi advice. Every field has a default. */
export interface AviAdviceThresholds {
  /** An SE above this CPU use is overloaded, percent. Default 80. */
  serviceEngineCpuPercent?: number;
  /** Moves and scale-outs may not take a target SE above this, percent. Default 70. */
  targetCpuPercent?: number;
  /** A VS below this health score is investigated. Default 70. */
  healthScore?: number;
  /** A VS whose latest response error rate is above this, percent, and rising, is investigated. Default 5. */
  errorRatePercent?: number;
  /** A pool whose up servers' ratios differ by this factor or more is skewed. Default 4. */
  ratioSkew?: number;
}

/** The rule plan: validated recommendations, the items the validator refused, and a summary. */
export interface AviRulePlan {
  recommendations: AviRecommendation[];
  rejected: RejectedAviRecommendation[];
  summary: string;
}

const round = (value: number) => Math.round(value * 10) / 10;

/**
 * Rule-based Avi advice, deterministic and explained with numbers:
 *
 * - an overloaded SE (CPU above `serviceEngineCpuPercent`): its heaviest VSs (by bandwidth share)
 *   move to the coolest eligible SE of the same group while it stays under `targetCpuPercent`, or
 *   scale out when no single SE can take them;
 * - a pool with an enabled server that is down: disable it (its health monitor keeps failing,
 *   and Avi keeps probing it); risk rises when few servers remain;
 * - a pool whose up servers have skewed ratios: bring the outlier to the median ratio;
 * - a VS whose health score is low or whose error rate is high and rising: investigate, with the
 *   figures.
 *
 * Every item then passes `validateAviAdvice`, so the rules obey the same limits as a model.
 *
 * @example
 * ```ts
 * const plan = planAviAdvice(snapshot, { serviceEngineCpuPercent: 85 });
 * for (const item of plan.recommendations) console.log(item.action, item.reasoning);
 * ```
 */
export function planAviAdvice(snapshot: AviSnapshot, thresholds: AviAdviceThresholds = {}): AviRulePlan {
  const limits = resolveThresholds(thresholds);
  const items: RuleItem[] = [
    ...relieveOverloadedEngines(snapshot, limits),
    ...snapshot.pools.flatMap((pool) => poolItems(pool, limits)),
    ...investigateItems(snapshot, limits),
  ];
  const validated = validateAviAdvice(snapshot, items, {
    source: 'rule',
    maxServiceEngineCpuPercent: Math.max(limits.target, limits.hot),
  });
  const recommendations = validated.accepted.map((recommendation) => {
    // The validator numbers accepted items `…-<position + 1>` in the order they were given.
    const index = Number(recommendation.id.split('-').pop()) - 1;
    return { ...recommendation, numbers: { ...items[index]?.numbers, ...recommendation.numbers } };
  });
  return {
    recommendations,
    rejected: validated.rejected,
    summary: planSummary(snapshot, limits, recommendations.length),
  };
}

/** A rule's recommendation, with the figures its reasoning quotes. */
type RuleItem = LlmAviRecommendation & { numbers: Record<string, number> };

interface Limits {
  hot: number;
  target: number;
  minHealth: number;
  maxErrorRate: number;
  skewFactor: number;
}

function resolveThresholds(thresholds: AviAdviceThresholds): Limits {
  return {
    hot: thresholds.serviceEngineCpuPercent ?? 80,
    target: thresholds.targetCpuPercent ?? 70,
    minHealth: thresholds.healthScore ?? 70,
    maxErrorRate: thresholds.errorRatePercent ?? 5,
    skewFactor: thresholds.ratioSkew ?? 4,
  };
}

/**
 * For each SE over `hot`: its VSs, heaviest first, move to the coolest eligible SE while that one
 * stays under `target`, or scale out onto it when no single SE can take them, until the SE is
 * back under `hot`. CPU is projected as the plan goes, so two moves never count on the same room.
 */
function relieveOverloadedEngines(snapshot: AviSnapshot, limits: Limits): RuleItem[] {
  const items: RuleItem[] = [];
  const projectedCpu = new Map(snapshot.serviceEngines.map((se) => [se.uuid, se.cpuPercent ?? 0]));
  const cpuOf = (se: AviServiceEngineSnapshot) => projectedCpu.get(se.uuid) ?? 0;
  for (const se of snapshot.serviceEngines) {
    if ((se.cpuPercent ?? 0) <= limits.hot) continue;
    for (const { vs, share } of hostedByShare(snapshot, se)) {
      if (cpuOf(se) <= limits.hot) break;
      const coolest = eligibleEngines(snapshot, se, vs).sort((a, b) => cpuOf(a) - cpuOf(b))[0];
      if (coolest === undefined) break;
      const coolestCpu = cpuOf(coolest);
      const sourceCpu = cpuOf(se);
      if (coolestCpu + share <= limits.target) {
        projectedCpu.set(coolest.uuid, coolestCpu + share);
        projectedCpu.set(se.uuid, sourceCpu - share);
        items.push(moveItem(se, vs, coolest, { sourceCpu, share, coolestCpu }, limits));
        continue;
      }
      const placed = vs.serviceEngineUuids.length;
      const added = (share * placed) / (placed + 1);
      if (coolestCpu + added > limits.target) continue;
      projectedCpu.set(coolest.uuid, coolestCpu + added);
      projectedCpu.set(se.uuid, sourceCpu - share / (placed + 1));
      items.push(scaleOutItem(se, vs, coolest, { sourceCpu, share, coolestCpu, added }, limits));
    }
  }
  return items;
}

/** The SE's enabled, up VSs with the CPU share each causes there, heaviest first. */
function hostedByShare(
  snapshot: AviSnapshot,
  se: AviServiceEngineSnapshot,
): Array<{ vs: AviVirtualServiceSnapshot; share: number }> {
  return snapshot.virtualServices
    .filter((vs) => vs.serviceEngineUuids.includes(se.uuid) && vs.enabled && vs.operState === 'OPER_UP')
    .map((vs) => ({ vs, share: estimateVirtualServiceCpuShare(snapshot, vs, se) }))
    .sort((a, b) => b.share - a.share);
}

/** Enabled, up SEs of the same group (when both say) that do not already host the VS. */
function eligibleEngines(
  snapshot: AviSnapshot,
  se: AviServiceEngineSnapshot,
  vs: AviVirtualServiceSnapshot,
): AviServiceEngineSnapshot[] {
  return snapshot.serviceEngines.filter(
    (candidate) =>
      candidate.uuid !== se.uuid &&
      candidate.enableState === 'SE_STATE_ENABLED' &&
      candidate.operState === 'OPER_UP' &&
      !vs.serviceEngineUuids.includes(candidate.uuid) &&
      (candidate.serviceEngineGroupUuid === undefined ||
        se.serviceEngineGroupUuid === undefined ||
        candidate.serviceEngineGroupUuid === se.serviceEngineGroupUuid),
  );
}

interface Projection {
  sourceCpu: number;
  share: number;
  coolestCpu: number;
}

function moveItem(
  se: AviServiceEngineSnapshot,
  vs: AviVirtualServiceSnapshot,
  coolest: AviServiceEngineSnapshot,
  { sourceCpu, share, coolestCpu }: Projection,
  limits: Limits,
): RuleItem {
  return {
    action: 'migrate_virtual_service',
    virtualService: vs.name,
    fromServiceEngine: se.name,
    toServiceEngine: coolest.name,
    risk: 'medium',
    reasoning: `${se.name} runs at ${round(sourceCpu)} % CPU (over ${limits.hot} %); ${vs.name} causes about ${round(share)} % of it. Moving it to ${coolest.name} (${round(coolestCpu)} %) leaves ${se.name} at ${round(sourceCpu - share)} % and ${coolest.name} at ${round(coolestCpu + share)} %. Flows on the VIP are re-established during the move.`,
    numbers: {
      sourceCpuPercent: round(sourceCpu),
      estimatedVsCpuPercent: round(share),
      targetCpuPercentBefore: round(coolestCpu),
    },
  };
}

function scaleOutItem(
  se: AviServiceEngineSnapshot,
  vs: AviVirtualServiceSnapshot,
  coolest: AviServiceEngineSnapshot,
  { sourceCpu, share, coolestCpu, added }: Projection & { added: number },
  limits: Limits,
): RuleItem {
  const placed = vs.serviceEngineUuids.length;
  return {
    action: 'scale_out_virtual_service',
    virtualService: vs.name,
    toServiceEngine: coolest.name,
    risk: 'low',
    reasoning: `${se.name} runs at ${round(sourceCpu)} % CPU; ${vs.name} (about ${round(share)} %) is too heavy for any single SE under ${limits.target} %, so scale it out from ${placed} to ${placed + 1} SEs: ${coolest.name} goes to about ${round(coolestCpu + added)} %.`,
    numbers: {
      sourceCpuPercent: round(sourceCpu),
      estimatedVsCpuPercent: round(share),
      serviceEnginesBefore: placed,
    },
  };
}

type AviPool = AviSnapshot['pools'][number];
type AviPoolServer = AviPool['servers'][number];

const serverLabel = (server: AviPoolServer) =>
  server.port === undefined ? server.ip : `${server.ip}:${server.port}`;

/** A pool's enabled servers that are down (disable them), then a skewed ratio among the up ones. */
function poolItems(pool: AviPool, limits: Limits): RuleItem[] {
  const up = pool.servers.filter((server) => server.enabled && (server.operState ?? 'OPER_UP') === 'OPER_UP');
  const items: RuleItem[] = [];
  for (const server of pool.servers) {
    if (!server.enabled || server.operState === undefined || server.operState === 'OPER_UP') continue;
    if (server.operState === 'OPER_DISABLED') continue;
    const label = serverLabel(server);
    items.push({
      action: 'disable_pool_server',
      pool: pool.name,
      server: label,
      risk: up.length <= 1 ? 'high' : 'medium',
      reasoning: `${label} in ${pool.name} is ${server.operState}${
        server.operReasons.length ? ` (${server.operReasons.join('; ')})` : ''
      }; ${up.length} of ${pool.servers.length} servers are up. Disable it until it is repaired, so it leaves the health-check rotation and dashboards stop counting it.`,
      numbers: { serversUp: up.length, serversTotal: pool.servers.length },
    });
  }
  const skewed = ratioSkewItem(pool, up, limits.skewFactor);
  if (skewed !== undefined) items.push(skewed);
  return items;
}

/** The up server with the highest ratio, brought to the median when the ratios differ by `skewFactor` or more. */
function ratioSkewItem(
  pool: AviPool,
  up: readonly AviPoolServer[],
  skewFactor: number,
): RuleItem | undefined {
  if (up.length < 2) return undefined;
  const ratios = up.map((server) => server.ratio);
  const max = Math.max(...ratios);
  const min = Math.min(...ratios);
  if (max / min < skewFactor) return undefined;
  const sorted = [...ratios].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  if (median === max) return undefined;
  const outlier = up.find((server) => server.ratio === max)!;
  const total = ratios.reduce((sum, ratio) => sum + ratio, 0);
  const label = serverLabel(outlier);
  return {
    action: 'set_pool_server_ratio',
    pool: pool.name,
    server: label,
    ratio: median,
    risk: 'low',
    reasoning: `${label} has ratio ${max} against ${min}–${median} for the other up servers of ${pool.name}, so it gets ${round((100 * max) / total)} % of new connections. Setting it to ${median} spreads them evenly (${round((100 * median) / (total - max + median))} %).`,
    numbers: { ratioShareBeforePercent: round((100 * max) / total) },
  };
}

function investigateItems(snapshot: AviSnapshot, limits: Limits): RuleItem[] {
  const items: RuleItem[] = [];
  for (const vs of snapshot.virtualServices) {
    const reasons = investigateReasons(vs, limits.minHealth, limits.maxErrorRate);
    if (reasons.text.length === 0) continue;
    items.push({
      action: 'investigate_virtual_service',
      virtualService: vs.name,
      risk: 'low',
      reasoning: `${reasons.text.join('; ')}. Check the pools behind it and their health monitors.`,
      numbers: reasons.numbers,
    });
  }
  return items;
}

function planSummary(snapshot: AviSnapshot, limits: Limits, recommendationCount: number): string {
  const overloaded = snapshot.serviceEngines.filter((se) => (se.cpuPercent ?? 0) > limits.hot).length;
  const downServers = snapshot.pools.reduce(
    (count, pool) =>
      count +
      pool.servers.filter(
        (server) => server.enabled && server.operState !== undefined && server.operState !== 'OPER_UP',
      ).length,
    0,
  );
  return `${snapshot.virtualServices.length} virtual services, ${snapshot.serviceEngines.length} service engines: ${overloaded} overloaded SE(s) (> ${limits.hot} % CPU), ${downServers} enabled pool server(s) not up; ${recommendationCount} recommendation(s).`;
}

function investigateReasons(
  vs: AviVirtualServiceSnapshot,
  minHealth: number,
  maxErrorRate: number,
): { text: string[]; numbers: Record<string, number> } {
  const text: string[] = [];
  const numbers: Record<string, number> = {};
  if (vs.healthScore !== undefined && vs.healthScore < minHealth) {
    text.push(`${vs.name} has health score ${round(vs.healthScore)} (below ${minHealth})`);
    numbers.healthScore = round(vs.healthScore);
  }
  const errors = vs.metrics.errorRate5xxPercent;
  if (
    errors?.latest !== undefined &&
    errors.mean !== undefined &&
    errors.latest > maxErrorRate &&
    errors.latest > errors.mean
  ) {
    text.push(
      `its response error rate is ${round(errors.latest)} % and rising (mean ${round(errors.mean)} % over the window)`,
    );
    numbers.errorRatePercent = round(errors.latest);
    numbers.errorRateMeanPercent = round(errors.mean);
  }
  const latency = vs.metrics.responseTimeMs;
  if (text.length > 0 && latency?.latest !== undefined) {
    text.push(`response time is ${round(latency.latest)} ms`);
    numbers.responseTimeMs = round(latency.latest);
  }
  return { text, numbers };
}
