import {
  type AdviseScalingResult,
  adviseMigrations,
  adviseScaling,
  type BallastConfig,
  parseProxBalanceRequest,
  type RecommendationHistory,
  toProxBalanceErrorResponse,
  toProxBalanceResponse,
} from '@ballast/advisor';
import type { ChatModel, ClusterSnapshot, WorkloadSnapshot } from '@ballast/core';
import { z } from 'zod';
import { HttpError } from '../http/http-error';
import { json, parseWith, queryOf, readJson, readText } from '../http/json';
import type { Route } from '../http/router';

/** Where migration advice gets its cluster: the host collects it (e.g. `@ballast/proxmox`'s `collectCluster`). */
export interface MigrationAdviceSource {
  snapshot(input: { period: '1h' | '6h' | '24h' | '7d'; signal: AbortSignal }): Promise<ClusterSnapshot>;
}

/** Where autoscaling advice gets a workload (e.g. `@ballast/kubernetes`'s collector). */
export interface ScalingAdviceSource {
  /** `undefined` when the deployment does not exist (404). */
  workload(input: {
    cluster: string;
    namespace: string;
    deployment: string;
    signal: AbortSignal;
  }): Promise<WorkloadSnapshot | undefined>;
}

/** One guest move of `POST /api/migrations/execute` (the fields of a ProxBalance recommendation). */
export const migrationMoveSchema = z
  .object({
    vmid: z.number().int().positive(),
    type: z.enum(['VM', 'CT']),
    source_node: z.string().min(1).max(253),
    target_node: z.string().min(1).max(253),
  })
  .strict();

/** A validated move, as `POST /api/migrations/execute` takes it. */
export type MigrationMoveRequest = z.infer<typeof migrationMoveSchema>;

const executeBodySchema = z
  .object({
    moves: z.array(migrationMoveSchema).min(1).max(50),
    /** Without `confirm: true` nothing moves: the answer is the dry-run report. */
    confirm: z.boolean().default(false),
  })
  .strict()
  .superRefine(({ moves }, context) => refuseRepeatedGuests(moves, context));

// VM and CT ids share one namespace in a Proxmox cluster. A guest named twice in one batch would
// be checked twice against the same starting placement and then moved twice, so it is refused.
function refuseRepeatedGuests(moves: MigrationMoveRequest[], context: z.RefinementCtx): void {
  const seen = new Set<number>();
  moves.forEach((move, index) => {
    if (seen.has(move.vmid))
      context.addIssue({
        code: 'custom',
        path: ['moves', index, 'vmid'],
        message: `guest ${move.vmid} appears more than once; send one move per guest`,
      });
    seen.add(move.vmid);
  });
}

/** Runs moves on the cluster the advice came from (e.g. `proxmoxMigrationExecutor`). */
export interface MigrationExecutor {
  execute(input: {
    moves: MigrationMoveRequest[];
    /** `false`: check preconditions and report what would happen, move nothing. */
    apply: boolean;
    signal: AbortSignal;
  }): Promise<unknown>;
}

/** What the advice routes need. */
export interface AdviceDependencies {
  migrations?: MigrationAdviceSource | undefined;
  /** Serves `POST /api/migrations/execute` (dry run unless `confirm: true`). */
  executor?: MigrationExecutor | undefined;
  scaling?: ScalingAdviceSource | undefined;
  settings: () => BallastConfig;
  /** The model for LLM analysis when `ai_enabled` is on (the gateway passes its balancer). */
  model: (settings: BallastConfig) => ChatModel | undefined;
  /**
   * Recommendation history (`@ballast/store`'s RecommendationHistoryStore): both advisors read it
   * for hysteresis, cite it in their prompts and record what they recommend.
   */
  history?: RecommendationHistory | undefined;
}

const scalingQuery = z
  .object({
    deployment: z.string().min(1).max(253),
    namespace: z.string().min(1).max(63).default('default'),
  })
  .strict();

/** A JSON view of a scaling result: the chosen answer, every source, and why. */
export function toScalingResponse(
  where: { cluster: string; namespace: string; deployment: string },
  result: AdviseScalingResult,
) {
  return {
    success: true,
    ...where,
    chosen: result.chosen,
    why: result.why,
    sources: {
      hpa: result.candidates.hpa,
      forecast: result.candidates.forecast ?? null,
      llm: result.candidates.llm ?? null,
    },
    forecast:
      result.forecast.status === 'ok'
        ? { status: 'ok' }
        : { status: result.forecast.status, reason: result.forecast.reason },
    llm: result.llm,
    bounds: result.bounds,
    notes: result.notes,
    ...(result.history ? { history: result.history } : {}),
  };
}

/**
 * ProxBalance's `POST /api/ai-recommendations` (request options `cpu_threshold`,
 * `mem_threshold`, `analysis_period`; response `success, analysis, recommendations[],
 * predicted_issues[]`, errors as ProxBalance's `{ success: false, error }`) and
 * `GET /api/autoscaling/recommendations/:cluster?deployment=&namespace=`.
 */
export function adviceRoutes(deps: AdviceDependencies): Route[] {
  const routes: Route[] = [];
  const migrations = deps.migrations;
  if (migrations)
    routes.push({
      method: 'POST',
      path: '/api/ai-recommendations',
      summary:
        'ProxBalance-compatible migration recommendations (rule plan, optional validated LLM analysis)',
      handler: async (request) => {
        const settings = deps.settings();
        try {
          const options = parseProxBalanceRequest(await readText(request, 65_536), {
            cpuThreshold: settings.cpu_threshold,
            memThreshold: settings.mem_threshold,
            period: settings.ai_analysis_period,
          });
          const snapshot = await migrations.snapshot({ period: options.period, signal: request.signal });
          const model = settings.ai_enabled ? deps.model(settings) : undefined;
          const advice = await adviseMigrations({
            snapshot,
            model,
            period: options.period,
            options: {
              cpuThreshold: options.cpuThreshold,
              memThreshold: options.memThreshold,
              timeoutMs: settings.ai_timeout_seconds * 1000,
              signal: request.signal,
              ...(deps.history ? { history: { history: deps.history } } : {}),
            },
          });
          // Node loads before and after the rule plan, for load bars (an addition to ProxBalance's shape).
          return json({ ...toProxBalanceResponse(advice), node_loads: advice.plan.nodeLoads });
        } catch (error) {
          if (error instanceof HttpError)
            return json({ success: false, error: error.message, code: error.code }, { status: error.status });
          const body = toProxBalanceErrorResponse(error);
          const status =
            body.code === 'validation_failed' ? 400 : body.code === 'collector_failed' ? 502 : 500;
          return json(
            status === 500 ? { success: false, error: 'internal error', code: 'internal_error' } : body,
            {
              status,
            },
          );
        }
      },
    });
  const executor = deps.executor;
  if (executor)
    routes.push({
      method: 'POST',
      path: '/api/migrations/execute',
      summary: 'Run migration moves: a dry-run report unless the body says confirm: true (admin)',
      access: 'admin',
      handler: async (request) => {
        const body = await readJson(request, executeBodySchema);
        const report = await executor.execute({
          moves: body.moves,
          apply: body.confirm,
          signal: request.signal,
        });
        return json({ applied: body.confirm, report });
      },
    });
  const scaling = deps.scaling;
  if (scaling)
    routes.push({
      method: 'GET',
      path: '/api/autoscaling/recommendations/:cluster',
      summary: 'Replica advice for one deployment: HPA, forecast, LLM and the chosen answer',
      handler: async (request, context) => {
        const query = parseWith(scalingQuery, queryOf(context.url), 'query');
        const where = {
          cluster: context.params.cluster ?? '',
          namespace: query.namespace,
          deployment: query.deployment,
        };
        const workload = await scaling.workload({ ...where, signal: request.signal });
        if (!workload)
          throw new HttpError(
            404,
            'not_found',
            `No deployment ${where.namespace}/${where.deployment} in ${where.cluster}`,
          );
        const settings = deps.settings();
        const model = settings.ai_enabled ? deps.model(settings) : undefined;
        const result = await adviseScaling({
          workload,
          model,
          options: { timeoutMs: settings.ai_timeout_seconds * 1000 },
          ...(deps.history ? { recommendationHistory: { history: deps.history } } : {}),
        });
        return json(toScalingResponse(where, result));
      },
    });
  return routes;
}
