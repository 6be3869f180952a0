import type { Balancer, Selection, TargetLease } from '@ballast/balancer';
import { z } from 'zod';
import { HttpError } from '../http/http-error';
import { json, parseWith, queryNumber, queryOf, readJson } from '../http/json';
import type { Route } from '../http/router';

const taskType = z.enum(['chat', 'vision', 'reasoning', 'artifact']);
const strategy = z.enum(['weighted', 'round-robin', 'latency', 'cost', 'least-busy', 'failover', 'random']);

/** Body of `POST /api/load-balancing/select` (the Next.js seed's names). */
export const selectBodySchema = z
  .object({
    modelType: taskType.optional(),
    maxTokens: z.number().int().positive().optional(),
    temperature: z.number().min(0).max(2).optional(),
    preferredProvider: z.string().min(1).optional(),
    maxCost: z.number().nonnegative().optional(),
    maxLatency: z.number().positive().optional(),
    estimatedInputTokens: z.number().int().nonnegative().optional(),
    stream: z.boolean().optional(),
    strategy: strategy.optional(),
  })
  .strict();

const selectQuerySchema = z
  .object({
    modelType: taskType.optional(),
    preferredProvider: z.string().min(1).optional(),
    maxCost: queryNumber(z.number().nonnegative()).optional(),
    maxLatency: queryNumber(z.number().positive()).optional(),
    maxTokens: queryNumber(z.number().int().positive()).optional(),
  })
  .strict();

/** Body of `POST /api/load-balancing`: for callers that run the provider call themselves. */
export const loadActionSchema = z
  .object({
    provider: z.string().min(1),
    action: z.enum(['increment', 'decrement']),
    outcome: z
      .object({
        success: z.boolean(),
        latencyMs: z.number().nonnegative(),
        ttftMs: z.number().nonnegative().optional(),
        inputTokens: z.number().int().nonnegative().optional(),
        outputTokens: z.number().int().nonnegative().optional(),
        costUsd: z.number().nonnegative().optional(),
        errorCode: z.string().min(1).max(64).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/** Body of `PUT /api/load-balancing/providers/:target`. */
export const targetSettingsSchema = z
  .object({
    // Bounded: the scores subtract priorities and sum weights, and 1e308 turns them into
    // Infinity or NaN (a routing score of null).
    weight: z.number().min(0).max(1_000_000).optional(),
    priority: z.number().min(-1_000_000).max(1_000_000).optional(),
    maxConcurrent: z.number().int().positive().optional(),
  })
  .strict();

/** An audited selection. */
export interface SelectionDecision {
  requestId: string;
  keyId: string;
  kind: 'select';
  target: string;
  provider: string;
  model: string;
  score: number;
  strategy: string;
  why: string;
}

/** What the load-balancing routes need. */
export interface LoadBalancingDependencies {
  balancer: () => Balancer;
  onDecision: (decision: SelectionDecision) => void;
  /** Current per-target settings (weights, priority, maxConcurrent). */
  targetSettings: () => Record<string, { weight?: number; priority?: number; maxConcurrent?: number }>;
  /** Changes one target's settings; absent when the host cannot (then PUT answers 501). */
  configureTarget?: (
    target: string,
    settings: { weight?: number; priority?: number; maxConcurrent?: number },
  ) => void;
}

/** One line saying why a target won. */
export function explainSelection(selection: Selection): string {
  const parts = Object.entries(selection.breakdown)
    .map(([name, value]) => `${name} ${typeof value === 'number' ? value.toFixed(2) : String(value)}`)
    .join(', ');
  const others = selection.scores
    .filter((score) => score.target !== selection.targetId)
    .map((score) => `${score.target} ${score.total.toFixed(2)}`);
  const skipped = selection.skipped.map((skip) => `${skip.target} (${skip.reason})`);
  return [
    `${selection.targetId} scored ${selection.score.toFixed(2)} with the ${selection.strategy} strategy (${parts})`,
    others.length ? `others: ${others.join(', ')}` : '',
    skipped.length ? `skipped: ${skipped.join(', ')}` : '',
  ]
    .filter(Boolean)
    .join('; ');
}

/**
 * The Next.js seed's load-balancing API over a balancer: select, inspect, and report load and
 * outcomes of calls the host makes itself, plus per-target settings.
 */
export function loadBalancingRoutes(deps: LoadBalancingDependencies): Route[] {
  /**
   * Calls that hosts run themselves, reported with increment/decrement: each increment holds a
   * balancer lease, so routing and `maxConcurrent` see that load too.
   */
  const manualLoad = new Map<string, TargetLease[]>();
  const resolveTarget = (name: string): string => {
    const health = deps.balancer().health();
    const exact = health.find((entry) => entry.target === name);
    if (exact) return exact.target;
    const byProvider = health.filter((entry) => entry.provider === name);
    if (byProvider.length === 1) return byProvider[0]!.target;
    if (byProvider.length > 1)
      throw new HttpError(
        400,
        'validation_failed',
        `Provider "${name}" has several targets (${byProvider.map((entry) => entry.target).join(', ')}): name one`,
      );
    throw new HttpError(404, 'not_found', `Unknown provider or target "${name.slice(0, 100)}"`);
  };
  const select = (
    input: z.infer<typeof selectBodySchema>,
    context: { requestId: string; caller: { keyId: string } },
  ) => {
    const selection = deps.balancer().select({
      ...(input.modelType ? { modelType: input.modelType } : {}),
      ...(input.maxTokens === undefined ? {} : { maxTokens: input.maxTokens }),
      ...(input.preferredProvider ? { preferredProvider: input.preferredProvider } : {}),
      ...(input.maxCost === undefined ? {} : { maxCostUsd: input.maxCost }),
      ...(input.maxLatency === undefined ? {} : { maxLatencyMs: input.maxLatency }),
      ...(input.estimatedInputTokens === undefined
        ? {}
        : { estimatedInputTokens: input.estimatedInputTokens }),
      ...(input.stream === undefined ? {} : { stream: input.stream }),
      ...(input.strategy ? { strategy: input.strategy } : {}),
    });
    const why = explainSelection(selection);
    deps.onDecision({
      requestId: context.requestId,
      keyId: context.caller.keyId,
      kind: 'select',
      target: selection.targetId,
      provider: selection.provider,
      model: selection.model,
      score: selection.score,
      strategy: selection.strategy,
      why,
    });
    return {
      provider: selection.provider,
      model: selection.model,
      targetId: selection.targetId,
      score: selection.score,
      why,
      breakdown: selection.breakdown,
      expectedCostUsd: selection.expectedCostUsd ?? null,
      strategy: selection.strategy,
      scores: selection.scores,
      skipped: selection.skipped,
    };
  };
  const providers = () => {
    const settings = deps.targetSettings();
    return deps
      .balancer()
      .health()
      .map((health) => ({
        target: health.target,
        provider: health.provider,
        model: health.modelId,
        circuit: health.state,
        inFlight: health.inFlight,
        externalLoad: manualLoad.get(health.target)?.length ?? 0,
        maxConcurrent: health.maxConcurrent ?? null,
        weight: settings[health.target]?.weight ?? 1,
        priority: settings[health.target]?.priority ?? 0,
        latencyMs: health.latencyMs ?? null,
      }));
  };
  return [
    {
      method: 'POST',
      path: '/api/load-balancing/select',
      summary: 'Pick a provider and model for a call (provider, model, score, why)',
      handler: async (request, context) => json(select(await readJson(request, selectBodySchema), context)),
    },
    {
      method: 'GET',
      path: '/api/load-balancing',
      summary: 'The provider a call would get now, and every provider with its load and settings',
      handler: (_request, context) => {
        const query = parseWith(selectQuerySchema, queryOf(context.url), 'query');
        let selected: ReturnType<typeof select> | null = null;
        let reason: string | null = null;
        try {
          selected = select(query, context);
        } catch (error) {
          reason = error instanceof Error ? error.message : 'no target';
        }
        return json({ selected, reason, providers: providers() });
      },
    },
    {
      method: 'POST',
      path: '/api/load-balancing',
      summary: 'Report load (increment/decrement) and the outcome of a call made outside the gateway',
      handler: async (request) => {
        const body = await readJson(request, loadActionSchema);
        const target = resolveTarget(body.provider);
        const leases = manualLoad.get(target) ?? [];
        manualLoad.set(target, leases);
        if (body.action === 'increment') leases.push(deps.balancer().acquire(target));
        else {
          const outcome = body.outcome;
          // A decrement with nothing outstanding still records its outcome: the call happened.
          const lease = leases.pop();
          const recorded = outcome && {
            outcome: outcome.success ? ('success' as const) : ('failure' as const),
            latencyMs: outcome.latencyMs,
            ...(outcome.ttftMs === undefined ? {} : { ttftMs: outcome.ttftMs }),
            usage: {
              ...(outcome.inputTokens === undefined ? {} : { inputTokens: outcome.inputTokens }),
              ...(outcome.outputTokens === undefined ? {} : { outputTokens: outcome.outputTokens }),
            },
            ...(outcome.costUsd === undefined ? {} : { costUsd: outcome.costUsd }),
            ...(outcome.errorCode === undefined ? {} : { errorCode: outcome.errorCode }),
          };
          if (lease) lease.release(recorded);
          else if (recorded) deps.balancer().record({ ...recorded, targetId: target });
        }
        const load = leases.length;
        return json({ target, action: body.action, load });
      },
    },
    {
      method: 'GET',
      path: '/api/load-balancing/providers',
      summary: 'Per-target settings (weight, priority, maxConcurrent), circuit and load',
      handler: () => json({ providers: providers() }),
    },
    {
      method: 'PUT',
      path: '/api/load-balancing/providers/:target',
      summary: 'Change a target’s weight, priority or maxConcurrent (admin)',
      access: 'admin',
      handler: async (request, context) => {
        const settings = await readJson(request, targetSettingsSchema);
        const target = resolveTarget(context.params.target ?? '');
        if (!deps.configureTarget)
          throw new HttpError(
            501,
            'not_implemented',
            'This server cannot change target settings at run time',
          );
        deps.configureTarget(
          target,
          Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined)),
        );
        return json({ target, settings: deps.targetSettings()[target] ?? {} });
      },
    },
  ];
}
