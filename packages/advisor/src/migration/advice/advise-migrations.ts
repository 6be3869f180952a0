import {
  AbortedError,
  BallastError,
  type ChatModel,
  type ClusterSnapshot,
  generateObject,
  type LlmMigrationAdvice,
  llmMigrationAdviceSchema,
  type MigrationRecommendation,
  NoObjectGeneratedError,
  type PredictedIssue,
  type RecommendationSource,
  redactSecrets,
  type Usage,
  ValidationError,
} from '@ballast/core';
import {
  type MigrationReasonCode,
  type MigrationValidationOptions,
  type ModelTextFinding,
  type PlacementPolicy,
  type PredictedIssueReasonCode,
  type Reason,
  type Repair,
  validateMigrationAdvice,
} from '@ballast/validator';
import { computeNodeTrends } from '../../forecast/trend';
import {
  type HistoryOptions,
  heldBack,
  historyPromptLines,
  migrationAction,
  migrationSubject,
  type RecentDecision,
  recentDecisions,
} from '../../history/recommendation-history';
import { applyMigrations } from '../apply-migrations';
import { type NodeLoadForecastOptions, predictIssues } from '../forecast-node-load';
import { computeImbalance, isBalancingNode, normalizeWeights } from '../imbalance';
import {
  type MigrationPlan,
  type PlanMigrationsOptions,
  type PlannedMigration,
  placementPolicyFor,
  planMigrations,
} from '../plan-migrations';
import { profileWorkloads } from '../workload-profile';
import { snapshotFingerprint } from './advice-cache';
import { type AnalysisPeriod, analysisPeriodHours } from './analysis-period';
import { buildMigrationPrompt, type MigrationPrompt } from './build-migration-prompt';
import { createPseudonymizer, type Pseudonymizer } from './pseudonymize';
import { type ModelTextLimits, screenModelAdvice } from './screen-model-advice';

const EPSILON = 1e-9;

/**
 * Options of {@link adviseMigrations}. Every field has a default.
 *
 * @example
 * ```ts
 * const options: AdviseMigrationsOptions = { cpuThreshold: 70, memThreshold: 80, timeoutMs: 20_000, plan: { maxMigrations: 5 } };
 * ```
 */
export interface AdviseMigrationsOptions {
  /** A move may not leave its target above this CPU utilisation, percent. Default 60 (ProxBalance). */
  cpuThreshold?: number;
  /** A move may not leave its target above this memory utilisation, percent. Default 70 (ProxBalance). */
  memThreshold?: number;
  /** Re-asks after an answer that does not match the schema. Default 1. */
  maxRepairs?: number;
  /** Deadline of each model call, ms. Default 30 000 (ProxBalance). */
  timeoutMs?: number;
  /** Cancels the whole call; `adviseMigrations` then rejects with `AbortedError`. */
  signal?: AbortSignal;
  /** Sampling temperature. Default 0.2. */
  temperature?: number;
  maxTokens?: number;
  /** Guests listed in the prompt (heaviest first). Default 150. */
  maxGuestsInPrompt?: number;
  /** Rule planner options (the thresholds above win over the same keys here). */
  plan?: Omit<PlanMigrationsOptions, 'cpuThreshold' | 'memThreshold'>;
  /**
   * Validator options. Defaults follow the planner so that its moves validate too:
   * `maxMemoryRatio = 1 − memoryReservePercent/100`, `allowHaManaged = includeHaManaged`,
   * `allowLocalDisks = allowLocalDisks`.
   */
  validator?: Omit<MigrationValidationOptions, 'source'>;
  /** Options of the rule-based `predictIssues` (default: 24 h horizon, 80 % CPU, 85 % memory). */
  forecast?: NodeLoadForecastOptions;
  /**
   * What the prompt may reveal. By default the prompt holds node and guest names, tags, pools,
   * storages, affinity group names and the Proxmox host (never credentials). With
   * `pseudonymize: true` every name becomes a stable pseudonym (`node-1`, `guest-3`, `tag-2`), the
   * host is left out, and the model's answer is mapped back before it is validated; numbers
   * (vmids, cores, bytes, percentages) are still sent.
   */
  privacy?: { pseudonymize?: boolean };
  /** Longest model-written texts kept (analysis 4 000, each item field 1 000 characters). */
  modelTextLimits?: ModelTextLimits;
  /**
   * Recommendation history (e.g. `@ballast/store`'s RecommendationHistoryStore) for hysteresis:
   * a move the user rejected, or a guest that was just moved, within `holdMs` (6 h) is not
   * recommended again (refused with `recent_decision`); the decisions are cited in the prompt
   * (not when pseudonymizing: they name real guests and nodes); every recommendation returned is
   * recorded with the snapshot fingerprint, its source and the validator's verdict.
   */
  history?: HistoryOptions;
}

/**
 * Input of {@link adviseMigrations}.
 *
 * @example
 * ```ts
 * const input: AdviseMigrationsInput = { snapshot, model, period: '24h', options: { cpuThreshold: 60 } };
 * ```
 */
export interface AdviseMigrationsInput {
  snapshot: ClusterSnapshot;
  /** Any ChatModel (a provider adapter or a balancer). Without one the rule plan is returned. */
  model?: ChatModel | undefined;
  /** Analysis window. Default `24h`. */
  period?: AnalysisPeriod;
  options?: AdviseMigrationsOptions;
}

/**
 * Why an item was refused: a validator code, or one of the advisor's own.
 *
 * | code | meaning |
 * |---|---|
 * | validator codes | see `MigrationReasonCode` / `PredictedIssueReasonCode` in `@ballast/validator` |
 * | `no_improvement` | the move does not lower the cluster imbalance (alone, or on top of the moves before it) |
 * | `conflicts_with_rule` | the rule plan moves the same guest elsewhere and the model's move is not strictly better |
 * | `threshold_exceeded` | the target would end above `cpuThreshold` / `memThreshold` |
 * | `cooldown` | the guest migrated within the planner's `cooldownHours` |
 * | `unsafe_text` | the item's text reads as an instruction to run something or to steer a model (`screenModelText`) |
 * | `recent_decision` | the history shows this move rejected, or the guest just moved, within `history.holdMs` |
 *
 * @example
 * ```ts
 * const code: AdviceRejectionCode = 'no_improvement';
 * ```
 */
export type AdviceRejectionCode =
  | MigrationReasonCode
  | PredictedIssueReasonCode
  | 'no_improvement'
  | 'conflicts_with_rule'
  | 'threshold_exceeded'
  | 'cooldown'
  | 'unsafe_text'
  | 'recent_decision';

/**
 * A refused recommendation or predicted issue, exactly as it was given, with every reason.
 *
 * @example
 * ```ts
 * const line = (rejection: AdviceRejection) => `${rejection.source} #${rejection.index}: ${rejection.reasons.map((r) => r.code).join(', ')}`;
 * ```
 */
export interface AdviceRejection {
  kind: 'recommendation' | 'predicted_issue';
  source: RecommendationSource;
  /** Position in the model's list (or in the rule plan). */
  index: number;
  /** The item as given (never edited). */
  item: unknown;
  reasons: Array<Reason<AdviceRejectionCode>>;
}

/**
 * Another producer's take on the same guest, kept next to the recommendation that won.
 *
 * @example
 * ```ts
 * const note = (other: AlsoSuggested) => `${other.source} also suggested → ${other.targetNode}: ${other.reasoning}`;
 * ```
 */
export interface AlsoSuggested {
  source: RecommendationSource;
  targetNode: string;
  priority: MigrationRecommendation['priority'];
  /** The other producer's reasoning, unchanged. */
  reasoning: string;
  /** Δimbalance of that move alone on the snapshot. */
  standaloneDelta: number;
}

/**
 * One recommendation of the merged advice.
 *
 * @example
 * ```ts
 * const line = (move: AdvisedMigration) => `${move.step}. [${move.source}] ${move.vmid} ${move.sourceNode} → ${move.targetNode} Δ${move.imbalanceDelta.toFixed(3)}`;
 * ```
 */
export interface AdvisedMigration extends MigrationRecommendation {
  /** 1-based position in the merged list (rule moves first, then the model's). */
  step: number;
  /** `evacuation` of a node in maintenance, or `balance`. */
  kind: 'evacuation' | 'balance';
  /** Normalised imbalance (current usage) before and after this step of the merged list. */
  imbalanceBefore: number;
  imbalanceAfter: number;
  /** `imbalanceAfter − imbalanceBefore` (negative is better). */
  imbalanceDelta: number;
  /** Δimbalance of this move alone on the snapshot. */
  standaloneDelta: number;
  /** The other producer suggested the same guest too (same or a different target). */
  alsoSuggestedBy?: AlsoSuggested;
  /** The planner's step record, for rule moves. */
  planned?: PlannedMigration;
}

/**
 * What happened with the model.
 *
 * @example
 * ```ts
 * const ok = (llm: LlmAdviceStatus) => llm.status === 'used';
 * ```
 */
export interface LlmAdviceStatus {
  /** `used`: answered and validated; `not_configured`: no model; `failed`: the call failed; `invalid`: no usable JSON. */
  status: 'used' | 'not_configured' | 'failed' | 'invalid';
  /** Why it was not used (error code and message, secrets redacted). */
  reason?: string;
  /** Ballast error code, when it failed. */
  code?: string;
  /** `provider:modelId`. */
  model?: string;
  usage?: Usage;
  costUsd?: number;
  latencyMs?: number;
  /** Model calls made (repairs included). */
  calls?: number;
  /** Model recommendations kept / refused. */
  accepted?: number;
  rejected?: number;
  /** Set when the model's analysis was withheld: what `screenModelText` found in it. */
  analysisWithheld?: ModelTextFinding[];
  /** True when names were pseudonymised in the prompt (`options.privacy.pseudonymize`). */
  pseudonymized?: boolean;
}

/**
 * The result of {@link adviseMigrations}.
 *
 * @example
 * ```ts
 * const advice: MigrationAdvice = await adviseMigrations({ snapshot });
 * advice.recommendations.length === advice.plan.recommendations.length; // true without a model
 * ```
 */
export interface MigrationAdvice {
  /**
   * The model's analysis when it gave a safe one (bounded, terminal escapes removed; see
   * `analysisSource`), otherwise the rule summary. Model-written: show it as text, never run it.
   */
  analysis: string;
  /** Who wrote `analysis`: the model, or the rule planner (no model, a failure, or withheld). */
  analysisSource: 'model' | 'rule';
  /** A summary of the rule plan. */
  ruleAnalysis: string;
  period: AnalysisPeriod;
  /** `snapshot.collectedAt`. */
  collectedAt: number;
  recommendations: AdvisedMigration[];
  /** Rule forecasts first, then validated model predictions. */
  predictedIssues: PredictedIssue[];
  /** Everything refused, with reasons. */
  rejected: AdviceRejection[];
  /** Safe normalisations the validator applied to the model's answer. */
  repairs: Repair[];
  /** The rule-based plan, as planned. */
  plan: MigrationPlan;
  /** Normalised imbalance on current usage: before, after the rule plan alone, after the merged advice. */
  imbalance: { before: number; ruleAfter: number; after: number };
  llm: LlmAdviceStatus;
  /** With `options.history`: decisions cited, moves held back, recommendations recorded, and a history failure if any. */
  history?: { cited: number; heldBack: number; recorded: number; error?: string };
}

interface Entry {
  move: MigrationRecommendation;
  source: RecommendationSource;
  /** Position in its producer's list. */
  index: number;
  item: unknown;
  planned?: PlannedMigration;
  standaloneDelta: number;
  alsoSuggestedBy?: AlsoSuggested;
}

/**
 * Migration advice from the rule planner and, when a model is given, from the model, merged into
 * one validated list.
 *
 * 1. **Rule**: `planMigrations` with the thresholds; `predictIssues` for node forecasts.
 * 2. **LLM**: `buildMigrationPrompt` (real per-node and per-guest numbers, trends, the rule plan) →
 *    `generateObject(model, { schema: llmMigrationAdviceSchema })` at low temperature with a timeout.
 * 3. **Validate** the model's moves with `validateMigrationAdvice` against the snapshot *without*
 *    the rule plan applied (the model saw the same snapshot), then refuse guests in cooldown.
 * 4. **Re-score** each survivor by Δimbalance alone (`applyMigrations` + `computeImbalance`, current
 *    usage); non-improving ones are refused `no_improvement` (evacuations excepted).
 * 5. **Merge**: the same move in both → the rule's entry, with the model's reasoning in
 *    `alsoSuggestedBy`; the same guest to another target → the rule wins unless the model's move,
 *    swapped in, validates with the rest and gives a strictly lower final imbalance; otherwise
 *    appended after the rule moves.
 * 6. **Re-validate the union** (capacity, anti-affinity, affinity counted across both producers),
 *    then walk it in order: a model move that leaves its target above a threshold or no longer
 *    lowers the imbalance on top of the moves before it is refused. Repeated until stable.
 *
 * Without a model, or when the model fails (any Ballast error: HTTP errors, timeouts,
 * `NoObjectGeneratedError`), the rule plan stands and `llm.status` / `llm.reason` say why. Only an
 * abort through `options.signal` rejects (with `AbortedError`). Nodes and reasoning text are never
 * rewritten.
 *
 * @example
 * ```ts
 * const model = createOpenAI().chatModel('gpt-4o-mini');
 * const advice = await adviseMigrations({ snapshot, model, period: '24h', options: { cpuThreshold: 60, memThreshold: 70 } });
 * for (const move of advice.recommendations) console.log(move.source, move.vmid, move.sourceNode, '→', move.targetNode);
 * for (const rejection of advice.rejected) console.log(rejection.reasons.map((reason) => reason.message));
 * console.log(advice.llm.status, advice.imbalance);
 * ```
 */
export async function adviseMigrations(input: AdviseMigrationsInput): Promise<MigrationAdvice> {
  const { snapshot, model } = input;
  const period = input.period ?? '24h';
  const options = input.options ?? {};
  throwIfAborted(options.signal);
  const context = adviceContext(snapshot, options);
  const history = options.history ? await loadHistory(options.history) : undefined;
  context.historyLines = history ? historyPromptLines(history.decisions) : [];

  // 1. Rule.
  const plan = planMigrations(snapshot, context.planOptions);
  const rulePredicted = predictIssues(snapshot, options.forecast);
  const ruleEntries = ruleEntriesOf(plan, context);

  // 2–3. LLM and validation against the snapshot without the rule plan.
  const answer: ModelAnswer = {
    llm: { status: 'not_configured', reason: 'no model configured' },
    analysis: undefined,
    entries: [],
    repairs: [],
    predictedIssues: [...rulePredicted],
  };
  if (model !== undefined) await askModel(model, period, plan, options, context, answer);

  // 4–6. Re-score, merge with the rule plan, re-validate the union.
  const merged: Entry[] = [...ruleEntries];
  const candidates = screenModelMoves(answer.entries, merged, context);
  resolveRuleConflicts(candidates, merged, context);
  const revalidated = revalidateUnion(merged, context);
  const kept = holdBackRecentDecisions(revalidated, history?.decisions ?? [], context);
  const { recommendations, after } = advisedMigrations(kept, context);
  // The headline counts the rule moves that are in the list, so the two can never disagree.
  const ruleKept = kept.filter((entry) => entry.source === 'rule').map((entry) => entry.move);
  const ruleAfter = context.score(ruleKept);
  const ruleAnalysis = describePlan(plan, ruleKept.length, context.baseline, ruleAfter, rulePredicted.length);

  const { llm } = answer;
  const { rejected } = context;
  if (llm.status === 'used') {
    llm.accepted = recommendations.filter((move) => move.source === 'llm').length;
    llm.rejected = rejected.filter(
      (entry) => entry.source === 'llm' && entry.kind === 'recommendation',
    ).length;
  }
  const modelAnalysis = answer.analysis !== undefined && answer.analysis.trim() !== '';
  const historyReport = options.history
    ? await recordRecommendations(
        options.history,
        snapshotFingerprint(snapshot, { period }),
        recommendations,
        history,
        revalidated.length - kept.length,
      )
    : undefined;
  return {
    analysis: modelAnalysis ? (answer.analysis as string) : ruleAnalysis,
    analysisSource: modelAnalysis ? 'model' : 'rule',
    ruleAnalysis,
    period,
    collectedAt: snapshot.collectedAt,
    recommendations,
    predictedIssues: answer.predictedIssues,
    rejected,
    repairs: answer.repairs,
    plan,
    imbalance: { before: context.baseline, ruleAfter, after },
    llm,
    ...(historyReport ? { history: historyReport } : {}),
  };
}

/** Recent decisions from the history; a failing history never fails the advice (it is reported). */
async function loadHistory(
  options: HistoryOptions,
): Promise<{ decisions: RecentDecision[]; error?: string }> {
  try {
    return { decisions: await recentDecisions(options, 'migration') };
  } catch (error) {
    return { decisions: [], error: `history unavailable: ${(error as Error).name}` };
  }
}

/** Drops merged moves a recent decision holds back, refusing them with `recent_decision`. */
function holdBackRecentDecisions(
  kept: Entry[],
  decisions: readonly RecentDecision[],
  context: AdviceContext,
): Entry[] {
  if (decisions.length === 0) return kept;
  return kept.filter((entry) => {
    const held = heldBack(decisions, migrationSubject(entry.move), migrationAction(entry.move));
    if (!held) return true;
    context.rejected.push({
      kind: 'recommendation',
      source: entry.source,
      index: entry.index,
      item: entry.item,
      reasons: [
        {
          code: 'recent_decision',
          message:
            held.decision === 'applied'
              ? `guest ${entry.move.vmid} was just moved (${held.action})`
              : `this move was rejected recently${held.reason ? `: ${held.reason}` : ''}`,
        },
      ],
    });
    return false;
  });
}

/** Records every returned recommendation in the history (verdict: accepted by the validator). */
async function recordRecommendations(
  options: HistoryOptions,
  fingerprint: string,
  recommendations: readonly AdvisedMigration[],
  loaded: { decisions: RecentDecision[]; error?: string } | undefined,
  heldBackCount: number,
): Promise<NonNullable<MigrationAdvice['history']>> {
  let recorded = 0;
  let error = loaded?.error;
  for (const move of recommendations) {
    try {
      await options.history.record({
        kind: 'migration',
        snapshotFingerprint: fingerprint,
        source: move.source,
        subject: migrationSubject(move),
        action: migrationAction(move),
        payload: {
          vmid: move.vmid,
          name: move.name,
          sourceNode: move.sourceNode,
          targetNode: move.targetNode,
          priority: move.priority,
          imbalanceBefore: move.imbalanceBefore,
          imbalanceAfter: move.imbalanceAfter,
        },
        verdict: { status: 'accepted', reasons: [] },
      });
      recorded += 1;
    } catch (caught) {
      error ??= `history write failed: ${(caught as Error).name}`;
    }
  }
  return {
    cited: loaded?.decisions.length ?? 0,
    heldBack: heldBackCount,
    recorded,
    ...(error ? { error } : {}),
  };
}

/** What every step shares: the snapshot, thresholds, option defaults, the scorer and the refusals. */
interface AdviceContext {
  snapshot: ClusterSnapshot;
  cpuThreshold: number;
  memThreshold: number;
  planOptions: PlanMigrationsOptions;
  validatorOptions: MigrationValidationOptions;
  /** Normalised imbalance on current usage after `moves` (the plan's weights). */
  score: (moves: ReadonlyArray<{ vmid: number; sourceNode: string; targetNode: string }>) => number;
  /** Imbalance of the snapshot as it is. */
  baseline: number;
  /** Every refused item, in the order it was refused. */
  rejected: AdviceRejection[];
  /** Recent decisions cited in the prompt (empty without history). */
  historyLines: string[];
}

/** The model's contribution; stays `not_configured` with no entries without a model. */
interface ModelAnswer {
  llm: LlmAdviceStatus;
  analysis: string | undefined;
  entries: Entry[];
  repairs: Repair[];
  /** Rule forecasts first, then the model's valid issues. */
  predictedIssues: PredictedIssue[];
}

function adviceContext(snapshot: ClusterSnapshot, options: AdviseMigrationsOptions): AdviceContext {
  const cpuThreshold = options.cpuThreshold ?? 60;
  const memThreshold = options.memThreshold ?? 70;
  const basePlan: PlanMigrationsOptions = { ...options.plan, cpuThreshold, memThreshold };
  // One placement policy for both: the planner builds its plan under exactly the constraints the
  // validator then checks, so a rule move is never refused by its own advisor.
  const placement = placementPolicyFor({
    ...basePlan,
    placement: { ...basePlan.placement, ...placementOverrides(options.validator) },
  });
  const planOptions: PlanMigrationsOptions = { ...basePlan, placement };
  const validatorOptions: MigrationValidationOptions = {
    ...options.validator,
    maxMemoryRatio: placement.maxMemoryRatio,
    maxCpuRatio: placement.maxCpuRatio,
    memoryBasis: placement.memoryBasis,
    allowHaManaged: placement.allowHaManaged,
    allowLocalDisks: placement.allowLocalDisks,
    enforceNonStrictPins: placement.enforceNonStrictPins,
    source: 'llm',
  };
  const weights = normalizeWeights(planOptions.weights);
  const score = (moves: ReadonlyArray<{ vmid: number; sourceNode: string; targetNode: string }>) =>
    computeImbalance(moves.length === 0 ? snapshot : applyMigrations(snapshot, moves), {
      weights,
      loadBasis: 'current',
    }).normalized;
  return {
    snapshot,
    cpuThreshold,
    memThreshold,
    planOptions,
    validatorOptions,
    score,
    baseline: score([]),
    rejected: [],
    historyLines: [],
  };
}

/** The validator options that are placement constraints, without the unset ones. */
function placementOverrides(validator: AdviseMigrationsOptions['validator']): Partial<PlacementPolicy> {
  const overrides: Partial<PlacementPolicy> = {};
  if (validator === undefined) return overrides;
  if (validator.maxMemoryRatio !== undefined) overrides.maxMemoryRatio = validator.maxMemoryRatio;
  if (validator.maxCpuRatio !== undefined) overrides.maxCpuRatio = validator.maxCpuRatio;
  if (validator.memoryBasis !== undefined) overrides.memoryBasis = validator.memoryBasis;
  if (validator.allowHaManaged !== undefined) overrides.allowHaManaged = validator.allowHaManaged;
  if (validator.allowLocalDisks !== undefined) overrides.allowLocalDisks = validator.allowLocalDisks;
  if (validator.enforceNonStrictPins !== undefined)
    overrides.enforceNonStrictPins = validator.enforceNonStrictPins;
  return overrides;
}

function ruleEntriesOf(plan: MigrationPlan, context: AdviceContext): Entry[] {
  return plan.recommendations.map((move, index) => ({
    move,
    source: 'rule',
    index,
    item: move,
    planned: move,
    standaloneDelta: context.score([move]) - context.baseline,
  }));
}

/**
 * Asks the model for its critique of the rule plan and validates the answer into `answer`. A model
 * failure becomes `llm.status` `failed` / `invalid`; only an abort through `options.signal` throws.
 */
async function askModel(
  model: ChatModel,
  period: AnalysisPeriod,
  plan: MigrationPlan,
  options: AdviseMigrationsOptions,
  context: AdviceContext,
  answer: ModelAnswer,
): Promise<void> {
  const modelName = `${model.provider}:${model.modelId}`;
  const names = options.privacy?.pseudonymize ? createPseudonymizer(context.snapshot) : undefined;
  const prompt = migrationPrompt(period, plan, options, context, names);
  const started = performance.now();
  try {
    const generated = await generateObject(
      model,
      {
        schema: llmMigrationAdviceSchema,
        schemaName: 'migration_advice',
        system: prompt.system,
        prompt: prompt.user,
        temperature: options.temperature ?? 0.2,
        maxRepairs: options.maxRepairs ?? 1,
        ...(options.maxTokens === undefined ? {} : { maxTokens: options.maxTokens }),
      },
      {
        timeoutMs: options.timeoutMs ?? 30_000,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      },
    );
    answer.llm = {
      status: 'used',
      model: modelName,
      usage: generated.usage,
      latencyMs: Math.round(performance.now() - started),
      calls: generated.calls,
      ...(generated.costUsd === undefined ? {} : { costUsd: generated.costUsd }),
      ...(names === undefined ? {} : { pseudonymized: true }),
    };
    const advice = names === undefined ? generated.object : names.reveal(generated.object);
    acceptModelAdvice(advice, options, context, answer);
  } catch (error) {
    if (options.signal?.aborted) throw toAborted(options.signal, error);
    answer.llm = describeFailure(error, modelName, performance.now() - started);
  }
}

/** The prompt, built from pseudonymised names when `names` is given (nothing real leaves then). */
function migrationPrompt(
  period: AnalysisPeriod,
  plan: MigrationPlan,
  options: AdviseMigrationsOptions,
  context: AdviceContext,
  names: Pseudonymizer | undefined,
): MigrationPrompt {
  const { snapshot, planOptions, validatorOptions } = context;
  const hide = <T>(value: T): T => (names === undefined ? value : names.hide(value));
  return buildMigrationPrompt(names?.snapshot ?? snapshot, {
    period,
    thresholds: { cpuThreshold: context.cpuThreshold, memThreshold: context.memThreshold },
    plan: hide(plan),
    profiles: hide(profileWorkloads(snapshot, planOptions.profile)),
    trends: hide(computeNodeTrends(snapshot, { recentWindowHours: analysisPeriodHours(period) / 4 })),
    ...(options.maxGuestsInPrompt === undefined ? {} : { maxGuests: options.maxGuestsInPrompt }),
    allowHaManaged: validatorOptions.allowHaManaged ?? false,
    allowLocalDisks: validatorOptions.allowLocalDisks ?? false,
    // History names real guests and nodes: never cited when the prompt is pseudonymized.
    ...(names === undefined && context.historyLines.length ? { notes: context.historyLines } : {}),
  });
}

/**
 * Screens, then validates the model's answer: unsafe text refused or withheld, refusals and repairs
 * recorded, accepted moves scored alone.
 */
function acceptModelAdvice(
  advice: LlmMigrationAdvice,
  options: AdviseMigrationsOptions,
  context: AdviceContext,
  answer: ModelAnswer,
): void {
  const screened = screenModelAdvice(advice, options.modelTextLimits);
  for (const unsafe of screened.unsafe) {
    context.rejected.push({
      kind: unsafe.kind,
      source: 'llm',
      index: unsafe.index,
      item: unsafe.item,
      reasons: [{ code: 'unsafe_text', message: `withheld model text (${unsafe.message})` }],
    });
  }
  if (screened.analysisWithheld !== undefined) answer.llm.analysisWithheld = screened.analysisWithheld;
  const validation = validateMigrationAdvice(context.snapshot, screened.advice, context.validatorOptions);
  answer.repairs.push(
    ...validation.repairs.map((repair) => {
      const positions =
        repair.target === 'predicted_issue' ? screened.issueIndexes : screened.recommendationIndexes;
      return repair.target === 'advice'
        ? repair
        : { ...repair, index: positions[repair.index] ?? repair.index };
    }),
  );
  answer.analysis = validation.analysis;
  // The validator counts positions in the screened lists; report them in the model's own lists.
  for (const rejection of validation.rejected) {
    const index = screened.recommendationIndexes[rejection.index] ?? rejection.index;
    const item = advice.recommendations[index] ?? rejection.item;
    context.rejected.push({ kind: 'recommendation', source: 'llm', ...rejection, index, item });
  }
  for (const rejection of validation.rejectedIssues) {
    const index = screened.issueIndexes[rejection.index] ?? rejection.index;
    const item = advice.predicted_issues?.[index] ?? rejection.item;
    context.rejected.push({ kind: 'predicted_issue', source: 'llm', ...rejection, index, item });
  }
  answer.predictedIssues.push(...validation.predictedIssues);
  const items = advice.recommendations;
  answer.entries = validation.accepted.map((move) => ({
    move,
    source: 'llm' as const,
    index: indexOfItem(items, move.vmid),
    item: items[indexOfItem(items, move.vmid)],
    standaloneDelta: context.score([move]) - context.baseline,
  }));
}

function reject(context: AdviceContext, entry: Entry, code: AdviceRejectionCode, message: string): void {
  context.rejected.push({
    kind: 'recommendation',
    source: entry.source,
    index: entry.index,
    item: entry.item,
    reasons: [{ code, message }],
  });
}

/**
 * Step 4: refuses model moves of guests in cooldown and those that do not improve the imbalance
 * alone (evacuations excepted); a move the rule plan also makes only adds `alsoSuggestedBy` to it.
 * Returns the model moves left to merge.
 */
function screenModelMoves(entries: readonly Entry[], merged: Entry[], context: AdviceContext): Entry[] {
  const { snapshot, planOptions, baseline } = context;
  const recent = planOptions.recentMigrations ?? {};
  const cooldownMs = (planOptions.cooldownHours ?? 6) * 3_600_000;
  const now = planOptions.now ?? snapshot.collectedAt;
  const candidates: Entry[] = [];
  for (const entry of entries) {
    const last = recent[entry.move.vmid];
    const at = last === undefined ? undefined : typeof last === 'number' ? last : last.at;
    if (at !== undefined && now - at < cooldownMs) {
      reject(
        context,
        entry,
        'cooldown',
        `guest ${entry.move.vmid} migrated ${((now - at) / 3_600_000).toFixed(1)} h ago (cooldown ${cooldownMs / 3_600_000} h)`,
      );
      continue;
    }
    const same = merged.find(
      (other) => other.move.vmid === entry.move.vmid && other.move.targetNode === entry.move.targetNode,
    );
    if (same !== undefined) {
      same.alsoSuggestedBy = alsoSuggested(entry);
      continue;
    }
    if (!isEvacuation(snapshot, entry.move) && entry.standaloneDelta >= -EPSILON) {
      reject(
        context,
        entry,
        'no_improvement',
        `moving ${entry.move.vmid} ${entry.move.sourceNode} → ${entry.move.targetNode} changes the imbalance by ` +
          `${signed(entry.standaloneDelta)} (${baseline.toFixed(4)} → ${(baseline + entry.standaloneDelta).toFixed(4)})`,
      );
      continue;
    }
    candidates.push(entry);
  }
  return candidates;
}

/**
 * Step 5: a model move of a guest the rule plan moves elsewhere replaces the rule's move only when,
 * swapped in, it validates with the rest and gives a strictly lower final imbalance; other model
 * moves are appended.
 */
function resolveRuleConflicts(candidates: readonly Entry[], merged: Entry[], context: AdviceContext): void {
  const { snapshot, score } = context;
  for (const entry of candidates) {
    const position = merged.findIndex((other) => other.move.vmid === entry.move.vmid);
    if (position < 0) {
      merged.push(entry);
      continue;
    }
    const ruleEntry = merged[position]!;
    const swapped = [...merged];
    swapped[position] = { ...entry, alsoSuggestedBy: alsoSuggested(ruleEntry) };
    const current = score(merged.map((other) => other.move));
    const alternative = score(swapped.map((other) => other.move));
    const feasible =
      validateMigrationAdvice(snapshot, swapped.map(toTyped), context.validatorOptions).rejected.length ===
        0 &&
      thresholdProblem(snapshot, swapped, position, context.cpuThreshold, context.memThreshold) === undefined;
    if (feasible && alternative < current - EPSILON) {
      merged[position] = swapped[position]!;
      continue;
    }
    reject(
      context,
      entry,
      'conflicts_with_rule',
      `the rule plan moves ${entry.move.vmid} to "${ruleEntry.move.targetNode}" (final imbalance ${current.toFixed(4)}); ` +
        `"${entry.move.targetNode}" gives ${alternative.toFixed(4)}${feasible ? '' : ' and is not feasible with the other moves'}`,
    );
  }
}

/** Step 6: re-validates the union and re-scores along it until nothing changes (at most 5 rounds). */
function revalidateUnion(merged: Entry[], context: AdviceContext): Entry[] {
  let kept = merged;
  for (let round = 0; round < 5; round++) {
    const valid = dropInvalidInUnion(kept, context);
    const walk = walkModelMoves(valid.next, context);
    kept = walk.walked;
    if (!valid.changed && !walk.changed) break;
  }
  return kept;
}

/** The entries the validator accepts as a whole (capacity, anti-affinity, affinity across producers). */
function dropInvalidInUnion(
  kept: readonly Entry[],
  context: AdviceContext,
): { next: Entry[]; changed: boolean } {
  const union = validateMigrationAdvice(context.snapshot, kept.map(toTyped), context.validatorOptions);
  const refused = new Set(union.rejected.map((rejection) => rejection.index));
  const next: Entry[] = [];
  kept.forEach((entry, position) => {
    const rejection = union.rejected.find((candidate) => candidate.index === position);
    if (rejection !== undefined) {
      context.rejected.push({
        kind: 'recommendation',
        source: entry.source,
        index: entry.index,
        item: entry.item,
        reasons: rejection.reasons,
      });
    } else next.push(entry);
  });
  return { next, changed: refused.size > 0 };
}

/**
 * Walks the list in order: a model move whose target would end above a threshold, or that no longer
 * lowers the imbalance on top of the moves before it, is refused.
 */
function walkModelMoves(
  next: readonly Entry[],
  context: AdviceContext,
): { walked: Entry[]; changed: boolean } {
  const { snapshot, score } = context;
  let changed = false;
  const walked: Entry[] = [];
  let before = context.baseline;
  for (const entry of next) {
    if (entry.source === 'llm') {
      const problem = thresholdProblem(
        snapshot,
        [...walked, entry],
        walked.length,
        context.cpuThreshold,
        context.memThreshold,
      );
      if (problem !== undefined) {
        reject(context, entry, 'threshold_exceeded', problem);
        changed = true;
        continue;
      }
      const after = score([...walked, entry].map((other) => other.move));
      if (!isEvacuation(snapshot, entry.move) && after - before >= -EPSILON) {
        reject(
          context,
          entry,
          'no_improvement',
          `on top of the ${walked.length} moves before it, moving ${entry.move.vmid} → ${entry.move.targetNode} changes the imbalance by ${signed(after - before)}`,
        );
        changed = true;
        continue;
      }
    }
    walked.push(entry);
    before = score(walked.map((other) => other.move));
  }
  return { walked, changed };
}

/** The kept moves as advice, each with the imbalance before and after it along the list. */
function advisedMigrations(
  kept: readonly Entry[],
  context: AdviceContext,
): { recommendations: AdvisedMigration[]; after: number } {
  const recommendations: AdvisedMigration[] = [];
  let previous = context.baseline;
  kept.forEach((entry, position) => {
    const after = context.score(kept.slice(0, position + 1).map((other) => other.move));
    const kind =
      entry.planned?.kind ?? (isEvacuation(context.snapshot, entry.move) ? 'evacuation' : 'balance');
    const advised: AdvisedMigration = {
      ...stripPlanned(entry.move),
      source: entry.source,
      step: position + 1,
      kind,
      imbalanceBefore: previous,
      imbalanceAfter: after,
      imbalanceDelta: after - previous,
      standaloneDelta: entry.standaloneDelta,
    };
    if (entry.alsoSuggestedBy !== undefined) advised.alsoSuggestedBy = entry.alsoSuggestedBy;
    if (entry.planned !== undefined) advised.planned = entry.planned;
    recommendations.push(advised);
    previous = after;
  });
  return { recommendations, after: previous };
}

function toTyped(entry: Entry): MigrationRecommendation {
  return { ...stripPlanned(entry.move), source: entry.source };
}

function stripPlanned(move: MigrationRecommendation): MigrationRecommendation {
  const copy: MigrationRecommendation = {
    vmid: move.vmid,
    name: move.name,
    type: move.type,
    sourceNode: move.sourceNode,
    targetNode: move.targetNode,
    priority: move.priority,
    reasoning: move.reasoning,
    source: move.source,
    withLocalDisks: move.withLocalDisks,
  };
  if (move.riskScore !== undefined) copy.riskScore = move.riskScore;
  if (move.estimatedImpact !== undefined) copy.estimatedImpact = move.estimatedImpact;
  if (move.bestTime !== undefined) copy.bestTime = move.bestTime;
  if (move.confidence !== undefined) copy.confidence = move.confidence;
  if (move.loads !== undefined) copy.loads = move.loads;
  return copy;
}

function alsoSuggested(entry: Entry): AlsoSuggested {
  return {
    source: entry.source,
    targetNode: entry.move.targetNode,
    priority: entry.move.priority,
    reasoning: entry.move.reasoning,
    standaloneDelta: entry.standaloneDelta,
  };
}

function indexOfItem(items: readonly unknown[], vmid: number): number {
  return items.findIndex((item) => {
    if (typeof item !== 'object' || item === null) return false;
    const value = (item as Record<string, unknown>).vmid;
    return Number(value) === vmid;
  });
}

function isEvacuation(snapshot: ClusterSnapshot, move: { sourceNode: string }): boolean {
  const node = snapshot.nodes.find((candidate) => candidate.name === move.sourceNode);
  return node !== undefined && !isBalancingNode(snapshot, node);
}

/** Checks the target of `entries[position]` after every move up to it, on current usage. */
function thresholdProblem(
  snapshot: ClusterSnapshot,
  entries: readonly Entry[],
  position: number,
  cpuThreshold: number,
  memThreshold: number,
): string | undefined {
  const entry = entries[position];
  if (entry === undefined) return undefined;
  const after = applyMigrations(
    snapshot,
    entries.slice(0, position + 1).map((other) => other.move),
  );
  const target = after.nodes.find((node) => node.name === entry.move.targetNode);
  if (target === undefined) return undefined;
  const cpu = target.cpu.cores > 0 ? (target.cpu.usageCores / target.cpu.cores) * 100 : 0;
  const memory =
    target.memory.totalBytes > 0 ? (target.memory.usedBytes / target.memory.totalBytes) * 100 : 0;
  const problems: string[] = [];
  if (cpu > cpuThreshold + EPSILON) problems.push(`CPU ${cpu.toFixed(1)} % > ${cpuThreshold} %`);
  if (memory > memThreshold + EPSILON) problems.push(`memory ${memory.toFixed(1)} % > ${memThreshold} %`);
  return problems.length === 0 ? undefined : `"${target.name}" would end at ${problems.join(', ')}`;
}

function describePlan(
  plan: MigrationPlan,
  moves: number,
  before: number,
  after: number,
  issues: number,
): string {
  const base = `Rule-based plan: ${moves} migration${moves === 1 ? '' : 's'}, cluster imbalance ${before.toFixed(3)} → ${after.toFixed(3)} (stopped: ${plan.summary.stopReason}).`;
  const extra: string[] = [];
  const dropped = plan.recommendations.length - moves;
  if (dropped > 0) extra.push(`${dropped} planned move(s) were refused on validation (see rejected).`);
  if (plan.unplaced.length > 0)
    extra.push(`${plan.unplaced.length} guest(s) on nodes in maintenance found no target.`);
  if (issues > 0) extra.push(`${issues} predicted node issue${issues === 1 ? '' : 's'}.`);
  return [base, ...extra].join(' ');
}

function describeFailure(error: unknown, model: string, latencyMs: number): LlmAdviceStatus {
  const message = redactSecrets(error instanceof Error ? error.message : String(error));
  const invalid = NoObjectGeneratedError.isInstance(error) || ValidationError.isInstance(error);
  const code = BallastError.isInstance(error) ? error.code : 'unknown';
  return {
    status: invalid ? 'invalid' : 'failed',
    reason: `${code}: ${message}`,
    code,
    model,
    latencyMs: Math.round(latencyMs),
  };
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw toAborted(signal, signal.reason);
}

function toAborted(_signal: AbortSignal, cause: unknown): AbortedError {
  return AbortedError.isInstance(cause) ? cause : new AbortedError({ cause });
}

function signed(value: number): string {
  return `${value >= 0 ? '+' : ''}${value.toFixed(4)}`;
}
