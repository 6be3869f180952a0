import { BallastError, ValidationError, type ValidationIssue } from '@ballast/core';
import type { AdvisedMigration, MigrationAdvice } from './advise-migrations';
import { type AnalysisPeriod, analysisPeriodSchema } from './analysis-period';

/**
 * One recommendation in ProxBalance's `POST /api/ai-recommendations` shape, plus Ballast's fields
 * (`source`, `imbalance_*`, `also_suggested_by`).
 *
 * @example
 * ```ts
 * const line = (rec: ProxBalanceRecommendation) => `${rec.vmid} ${rec.source_node} → ${rec.target_node} (${rec.priority})`;
 * ```
 */
export interface ProxBalanceRecommendation {
  vmid: number;
  name: string;
  /** `VM` or `CT`, as ProxBalance writes it. */
  type: 'VM' | 'CT';
  source_node: string;
  target_node: string;
  /** ProxBalance's three levels only: an evacuation (or a model's `critical`) is `high`. */
  priority: 'low' | 'medium' | 'high';
  /** Set on every move that empties a node in maintenance (priority `high`). */
  evacuation: boolean;
  /**
   * Set on the members of an affinity bundle: they move together or not at all, so a UI must not
   * offer them one by one. `null` for a guest that moves alone.
   */
  bundle: { id: string; members: number[]; groups: string[] } | null;
  /** The reasoning's imbalance figures are on current usage, as `imbalance_*` here. */
  reasoning: string;
  /** Risk 0 (none) … 1 (severe), ProxBalance's scale. */
  risk_score: number | null;
  estimated_impact: string | null;
  best_time: string | null;
  /** Confidence 0..100 (ProxBalance's scale); `null` when the producer gave none. */
  confidence_score: number | null;
  source: 'rule' | 'llm';
  step: number;
  kind: 'evacuation' | 'balance';
  imbalance_before: number;
  imbalance_after: number;
  imbalance_delta: number;
  with_local_disks: boolean;
  also_suggested_by?: { source: 'rule' | 'llm'; target_node: string; reasoning: string };
}

/**
 * One predicted issue in ProxBalance's shape (`node, metric, prediction, confidence`) plus fields.
 *
 * @example
 * ```ts
 * const text = (issue: ProxBalancePredictedIssue) => `${issue.node} ${issue.metric}: ${issue.prediction}`;
 * ```
 */
export interface ProxBalancePredictedIssue {
  node: string;
  metric: string;
  prediction: string;
  /** 0..1. */
  confidence: number;
  severity: string | null;
  predicted_value: number | null;
  /** ISO 8601, when known. */
  expected_at: string | null;
  source: 'rule' | 'llm';
}

/**
 * ProxBalance-compatible body of `POST /api/ai-recommendations`, with Ballast's extras
 * (`imbalance`, `llm`, `rejected`).
 *
 * @example
 * ```ts
 * const body: ProxBalanceResponse = toProxBalanceResponse(advice);
 * body.success; // true
 * ```
 */
export interface ProxBalanceResponse {
  success: true;
  analysis: string;
  recommendations: ProxBalanceRecommendation[];
  predicted_issues: ProxBalancePredictedIssue[];
  analysis_period: AnalysisPeriod;
  /** `rule` when only the planner's moves are returned, `rule+llm` when the model contributed. */
  source: 'rule' | 'rule+llm';
  imbalance: { before: number; after: number; rule_after: number };
  llm: {
    status: string;
    reason: string | null;
    model: string | null;
    cost_usd: number | null;
    latency_ms: number | null;
  };
  rejected: Array<{
    kind: string;
    source: string;
    index: number;
    item: unknown;
    reasons: Array<{ code: string; message: string }>;
  }>;
}

/**
 * Converts {@link MigrationAdvice} to ProxBalance's `POST /api/ai-recommendations` response, so a
 * ProxBalance front end can display Ballast's advice. Snake_case keys, `type` as `VM`/`CT`,
 * confidence as 0..100 `confidence_score`, `risk_score` in 0..1, priorities `high|medium|low` only
 * (evacuations are `high` with `evacuation: true`), affinity bundles marked (`bundle`); text fields
 * are copied unchanged.
 *
 * @example
 * ```ts
 * app.post('/api/ai-recommendations', async (request, reply) => {
 *   const { cpuThreshold, memThreshold, period } = parseProxBalanceRequest(request.body);
 *   const advice = await adviseMigrations({ snapshot, model, period, options: { cpuThreshold, memThreshold } });
 *   return reply.send(toProxBalanceResponse(advice));
 * });
 * ```
 */
export function toProxBalanceResponse(advice: MigrationAdvice): ProxBalanceResponse {
  const recommendations = advice.recommendations.map(toRecommendation);
  return {
    success: true,
    analysis: advice.analysis,
    recommendations,
    predicted_issues: advice.predictedIssues.map((issue) => ({
      node: issue.node,
      metric: issue.metric,
      prediction: issue.description,
      confidence: issue.confidence,
      severity: issue.severity ?? null,
      predicted_value: issue.predictedValue ?? null,
      expected_at: issue.expectedAt === undefined ? null : new Date(issue.expectedAt).toISOString(),
      source: issue.source,
    })),
    analysis_period: advice.period,
    source:
      recommendations.some((rec) => rec.source === 'llm') ||
      advice.predictedIssues.some((i) => i.source === 'llm')
        ? 'rule+llm'
        : 'rule',
    imbalance: {
      before: advice.imbalance.before,
      after: advice.imbalance.after,
      rule_after: advice.imbalance.ruleAfter,
    },
    llm: {
      status: advice.llm.status,
      reason: advice.llm.reason ?? null,
      model: advice.llm.model ?? null,
      cost_usd: advice.llm.costUsd ?? null,
      latency_ms: advice.llm.latencyMs ?? null,
    },
    rejected: advice.rejected.map((rejection) => ({
      kind: rejection.kind,
      source: rejection.source,
      index: rejection.index,
      item: rejection.item,
      reasons: rejection.reasons.map((reason) => ({ code: reason.code, message: reason.message })),
    })),
  };
}

function toRecommendation(move: AdvisedMigration): ProxBalanceRecommendation {
  const rec: ProxBalanceRecommendation = {
    vmid: move.vmid,
    name: move.name,
    type: move.type === 'vm' ? 'VM' : 'CT',
    source_node: move.sourceNode,
    target_node: move.targetNode,
    priority: move.priority === 'critical' ? 'high' : move.priority,
    evacuation: move.kind === 'evacuation',
    bundle:
      move.planned?.bundle === undefined
        ? null
        : {
            id: move.planned.bundle.id,
            members: [...move.planned.bundle.members],
            groups: [...move.planned.bundle.groups],
          },
    reasoning: move.reasoning,
    risk_score: move.riskScore === undefined ? null : Math.round(move.riskScore) / 100,
    estimated_impact: move.estimatedImpact ?? null,
    best_time: move.bestTime ?? null,
    confidence_score: move.confidence === undefined ? null : Math.round(move.confidence * 100),
    source: move.source,
    step: move.step,
    kind: move.kind,
    imbalance_before: move.imbalanceBefore,
    imbalance_after: move.imbalanceAfter,
    imbalance_delta: move.imbalanceDelta,
    with_local_disks: move.withLocalDisks,
  };
  if (move.alsoSuggestedBy !== undefined) {
    rec.also_suggested_by = {
      source: move.alsoSuggestedBy.source,
      target_node: move.alsoSuggestedBy.targetNode,
      reasoning: move.alsoSuggestedBy.reasoning,
    };
  }
  return rec;
}

/**
 * The options of a ProxBalance `POST /api/ai-recommendations` request, camelCased.
 *
 * @example
 * ```ts
 * const request: ProxBalanceRequest = { cpuThreshold: 60, memThreshold: 70, period: '24h' };
 * ```
 */
export interface ProxBalanceRequest {
  /** Percent. */
  cpuThreshold: number;
  /** Percent. */
  memThreshold: number;
  period: AnalysisPeriod;
}

/**
 * Reads a ProxBalance `POST /api/ai-recommendations` body (`cpu_threshold`, `mem_threshold`,
 * `analysis_period`; numbers may be numeric strings; missing keys take `defaults`, else 60 / 70 /
 * `24h`). Throws a `ValidationError` naming every bad key (code `validation_failed`); unknown keys
 * are ignored.
 *
 * @example
 * ```ts
 * parseProxBalanceRequest({ cpu_threshold: 65, analysis_period: '7d' });
 * // { cpuThreshold: 65, memThreshold: 70, period: '7d' }
 * ```
 */
export function parseProxBalanceRequest(
  body: unknown,
  defaults: Partial<ProxBalanceRequest> = {},
): ProxBalanceRequest {
  let value = body;
  if (typeof value === 'string') {
    try {
      value = value.trim() === '' ? {} : JSON.parse(value);
    } catch {
      throw new ValidationError({
        message: 'request body is not valid JSON',
        issues: [{ path: '(root)', message: 'not valid JSON', code: 'invalid_json' }],
      });
    }
  }
  if (value === undefined || value === null) value = {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ValidationError({
      message: 'request body must be a JSON object',
      issues: [{ path: '(root)', message: 'must be a JSON object', code: 'invalid_type' }],
    });
  }
  const record = value as Record<string, unknown>;
  const issues: ValidationIssue[] = [];
  const percent = (key: string, fallback: number): number => {
    const raw = record[key];
    if (raw === undefined || raw === null || raw === '') return fallback;
    const number = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw.trim()) : Number.NaN;
    if (!Number.isFinite(number) || number <= 0 || number > 100) {
      issues.push({ path: key, message: `${key} must be a number in (0, 100]`, code: 'out_of_range' });
      return fallback;
    }
    return number;
  };
  const cpuThreshold = percent('cpu_threshold', defaults.cpuThreshold ?? 60);
  const memThreshold = percent('mem_threshold', defaults.memThreshold ?? 70);
  let period: AnalysisPeriod = defaults.period ?? '24h';
  const rawPeriod = record.analysis_period;
  if (rawPeriod !== undefined && rawPeriod !== null && rawPeriod !== '') {
    const parsed = analysisPeriodSchema.safeParse(
      typeof rawPeriod === 'string' ? rawPeriod.trim() : rawPeriod,
    );
    if (parsed.success) period = parsed.data;
    else {
      issues.push({
        path: 'analysis_period',
        message: `analysis_period must be one of ${analysisPeriodSchema.options.join(', ')}`,
        code: 'invalid_enum',
      });
    }
  }
  if (issues.length > 0) {
    throw new ValidationError({
      message: `Invalid ai-recommendations request: ${issues.map((issue) => issue.message).join('; ')}`,
      issues,
    });
  }
  return { cpuThreshold, memThreshold, period };
}

/**
 * A ProxBalance-style error body (`{ success: false, error }`) for any thrown value, with the
 * Ballast error code when there is one. Messages of Ballast errors never carry secrets.
 *
 * @example
 * ```ts
 * reply.status(400).send(toProxBalanceErrorResponse(error)); // { success: false, error: 'Invalid …', code: 'validation_failed' }
 * ```
 */
export function toProxBalanceErrorResponse(error: unknown): { success: false; error: string; code: string } {
  if (BallastError.isInstance(error)) return { success: false, error: error.message, code: error.code };
  return { success: false, error: 'internal error', code: 'internal_error' };
}
