import type {
  AviRecommendation,
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
  const hot = thresholds.serviceEngineCpuPercent ?? 80;
  const target = thresholds.targetCpuPercent ?? 70;
  const minHealth = thresholds.healthScore ?? 70;
  const maxErrorRate = thresholds.errorRatePercent ?? 5;
  const skewFactor = thresholds.ratioSkew ?? 4;
  const items: Array<LlmAviRecommendation & { numbers: Record<string, number> }> = [];
  const projectedCpu = new Map(snapshot.serviceEngines.map((se) => [se.uuid, se.cpuPercent ?? 0]));

  for (const se of snapshot.serviceEngines) {
    if ((se.cpuPercent ?? 0) <= hot) continue;
    const hosted = snapshot.virtualServices
      .filter((vs) => vs.serviceEngineUuids.includes(se.uuid) && vs.enabled && vs.operState === 'OPER_UP')
      .map((vs) => ({ vs, share: estimateVirtualServiceCpuShare(snapshot, vs, se) }))
      .sort((a, b) => b.share - a.share);
    for (const { vs, share } of hosted) {
      if ((projectedCpu.get(se.uuid) ?? 0) <= hot) break;
      const coolest = snapshot.serviceEngines
        .filter(
          (candidate) =>
            candidate.uuid !== se.uuid &&
            candidate.enableState === 'SE_STATE_ENABLED' &&
            candidate.operState === 'OPER_UP' &&
            !vs.serviceEngineUuids.includes(candidate.uuid) &&
            (candidate.serviceEngineGroupUuid === undefined ||
              se.serviceEngineGroupUuid === undefined ||
              candidate.serviceEngineGroupUuid === se.serviceEngineGroupUuid),
        )
        .sort((a, b) => (projectedCpu.get(a.uuid) ?? 0) - (projectedCpu.get(b.uuid) ?? 0))[0];
      if (coolest === undefined) break;
      const coolestCpu = projectedCpu.get(coolest.uuid) ?? 0;
      const sourceCpu = projectedCpu.get(se.uuid) ?? 0;
      if (coolestCpu + share <= target) {
        projectedCpu.set(coolest.uuid, coolestCpu + share);
        projectedCpu.set(se.uuid, sourceCpu - share);
        items.push({
          action: 'migrate_virtual_service',
          virtualService: vs.name,
          fromServiceEngine: se.name,
          toServiceEngine: coolest.name,
          risk: 'medium',
          reasoning: `${se.name} runs at ${round(sourceCpu)} % CPU (over ${hot} %); ${vs.name} causes about ${round(share)} % of it. Moving it to ${coolest.name} (${round(coolestCpu)} %) leaves ${se.name} at ${round(sourceCpu - share)} % and ${coolest.name} at ${round(coolestCpu + share)} %. Flows on the VIP are re-established during the move.`,
          numbers: {
            sourceCpuPercent: round(sourceCpu),
            estimatedVsCpuPercent: round(share),
            targetCpuPercentBefore: round(coolestCpu),
          },
        });
      } else {
        const placed = vs.serviceEngineUuids.length;
        const added = (share * placed) / (placed + 1);
        if (coolestCpu + added > target) continue;
        projectedCpu.set(coolest.uuid, coolestCpu + added);
        projectedCpu.set(se.uuid, sourceCpu - share / (placed + 1));
        items.push({
          action: 'scale_out_virtual_service',
          virtualService: vs.name,
          toServiceEngine: coolest.name,
          risk: 'low',
          reasoning: `${se.name} runs at ${round(sourceCpu)} % CPU; ${vs.name} (about ${round(share)} %) is too heavy for any single SE under ${target} %, so scale it out from ${placed} to ${placed + 1} SEs: ${coolest.name} goes to about ${round(coolestCpu + added)} %.`,
          numbers: {
            sourceCpuPercent: round(sourceCpu),
            estimatedVsCpuPercent: round(share),
            serviceEnginesBefore: placed,
          },
        });
      }
    }
  }

  for (const pool of snapshot.pools) {
    const up = pool.servers.filter(
      (server) => server.enabled && (server.operState ?? 'OPER_UP') === 'OPER_UP',
    );
    for (const server of pool.servers) {
      if (!server.enabled || server.operState === undefined || server.operState === 'OPER_UP') continue;
      if (server.operState === 'OPER_DISABLED') continue;
      const label = server.port === undefined ? server.ip : `${server.ip}:${server.port}`;
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
    if (up.length >= 2) {
      const ratios = up.map((server) => server.ratio);
      const max = Math.max(...ratios);
      const min = Math.min(...ratios);
      if (max / min >= skewFactor) {
        const sorted = [...ratios].sort((a, b) => a - b);
        const median = sorted[Math.floor(sorted.length / 2)]!;
        const outlier = up.find((server) => server.ratio === max)!;
        const total = ratios.reduce((sum, ratio) => sum + ratio, 0);
        const label = outlier.port === undefined ? outlier.ip : `${outlier.ip}:${outlier.port}`;
        if (median !== max)
          items.push({
            action: 'set_pool_server_ratio',
            pool: pool.name,
            server: label,
            ratio: median,
            risk: 'low',
            reasoning: `${label} has ratio ${max} against ${min}–${median} for the other up servers of ${pool.name}, so it gets ${round((100 * max) / total)} % of new connections. Setting it to ${median} spreads them evenly (${round((100 * median) / (total - max + median))} %).`,
            numbers: { ratioShareBeforePercent: round((100 * max) / total) },
          });
      }
    }
  }

  for (const vs of snapshot.virtualServices) {
    const reasons = investigateReasons(vs, minHealth, maxErrorRate);
    if (reasons.text.length === 0) continue;
    items.push({
      action: 'investigate_virtual_service',
      virtualService: vs.name,
      risk: 'low',
      reasoning: `${reasons.text.join('; ')}. Check the pools behind it and their health monitors.`,
      numbers: reasons.numbers,
    });
  }

  const validated = validateAviAdvice(snapshot, items, {
    source: 'rule',
    maxServiceEngineCpuPercent: Math.max(target, hot),
  });
  const numbersByIndex = items.map((item) => item.numbers);
  const recommendations = validated.accepted.map((recommendation) => {
    const index = Number(recommendation.id.split('-').pop()) - 1;
    return { ...recommendation, numbers: { ...numbersByIndex[index], ...recommendation.numbers } };
  });
  const overloaded = snapshot.serviceEngines.filter((se) => (se.cpuPercent ?? 0) > hot).length;
  const downServers = snapshot.pools.reduce(
    (count, pool) =>
      count +
      pool.servers.filter(
        (server) => server.enabled && server.operState !== undefined && server.operState !== 'OPER_UP',
      ).length,
    0,
  );
  return {
    recommendations,
    rejected: validated.rejected,
    summary: `${snapshot.virtualServices.length} virtual services, ${snapshot.serviceEngines.length} service engines: ${overloaded} overloaded SE(s) (> ${hot} % CPU), ${downServers} enabled pool server(s) not up; ${recommendations.length} recommendation(s).`,
  };
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
