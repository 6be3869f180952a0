import {
  ApiCallError,
  BallastError,
  type ChatChunk,
  type ChatModel,
  type ChatModelCapabilities,
  type ChatRequest,
  type ChatResult,
  computeCostUsd,
  createUsage,
  defaultPricing,
  estimateCostUsd,
  findModelPrice,
  type ModelPrice,
  NoHealthyTargetError,
  type PricingTable,
  prepareStructuredRequest,
  restoreStructuredResult,
  restoreStructuredStream,
  type TargetAttempt,
  ValidationError,
} from '@ballast/core';
import { EventEmitter } from 'eventemitter3';
import { ArmingSweep } from './arming-sweep';
import { Attempt, type AttemptResult } from './attempt';
import { BalancedStream, type StreamHost } from './balanced-stream';
import {
  type BalancerCallOptions,
  type BalancerConfig,
  type RoutingOptions,
  resolveTimeouts,
  type TargetSettings,
  type Timeouts,
  targetSettingsSchema,
  validateBalancerConfig,
} from './balancer-config';
import { CallRoute, roundToThousandths as round } from './call-route';
import { CallRun } from './call-run';
import { type BreakerPermit, CircuitBreaker, type CircuitBreakerSnapshot } from './circuit-breaker';
import { ConcurrencyLimiter, type ReleaseSlot, SlotUnavailable } from './concurrency-limiter';
import type { BalancerEvents } from './events';
import { type LatencyQuantiles, LatencyWindow } from './latency-window';
import { MetricsRecorder, type MetricsSnapshot, type MetricsTimeline } from './metrics';
import { OutcomeWindow } from './outcome-window';
import { classifyFailure, type FailureKind, RetryBudget, retryDelayMs } from './retry-policy';
import { RetryState } from './retry-state';
import {
  attachRoute,
  type BalancedChatChunk,
  type BalancedChatResult,
  type Route,
  type RouteAttempt,
  type SkippedTarget,
} from './route';
import {
  defaultReliabilityPrior,
  type ReliabilityPrior,
  resolveScoreWeights,
  type ScoredCandidate,
  type ScoreWeights,
  scoreInPlace,
} from './scoring';
import type { RecordOutcome, Selection, SelectRequest, TargetLease } from './selection';
import { SharedStateLink } from './shared-state-link';
import {
  orderCandidatesInPlace,
  type StrategyName,
  type StrategyState,
  strategyReadsScores,
} from './strategies';
import {
  type BalancerTarget,
  capabilitiesOfModel,
  estimateTokens,
  hasImage,
  requiredCapabilitiesOf,
  type TaskType,
} from './target';

/** Health of one target, from {@link Balancer.health}. */
export interface TargetHealth extends CircuitBreakerSnapshot {
  target: string;
  provider: string;
  modelId: string;
  inFlight: number;
  queued: number;
  maxConcurrent: number | undefined;
  /** Current weight and priority (see {@link Balancer.configureTarget}). */
  weight: number;
  priority: number;
  /** Windowed latency of whole calls. */
  latencyMs: LatencyQuantiles | undefined;
  /** Windowed time to first token of streams. */
  timeToFirstTokenMs: LatencyQuantiles | undefined;
}

/**
 * A load balancer that is itself a {@link ChatModel}: it nests wherever one model fits,
 * including inside another balancer.
 */
export interface Balancer extends ChatModel {
  readonly provider: 'balancer';
  /** Routes one call; the result carries `route`. Throws Ballast errors only. */
  chat(request: ChatRequest, options?: BalancerCallOptions): Promise<BalancedChatResult>;
  /** Streams one call; fails over until the first content chunk, never after. */
  stream(request: ChatRequest, options?: BalancerCallOptions): AsyncIterable<BalancedChatChunk>;
  /** Picks a target for a host that calls the provider itself (then {@link Balancer.record}). */
  select(request?: SelectRequest): Selection;
  /** Feeds an outcome observed outside the balancer into health, scores and metrics. */
  record(outcome: RecordOutcome): void;
  /** Circuit state, load and latency of every target. */
  health(): TargetHealth[];
  /** Aggregated metrics over the last `sinceMs` (default: everything retained, 24 h). */
  snapshot(options?: { sinceMs?: number }): MetricsSnapshot;
  /** The same metrics over time: the last `sinceMs` cut into at most `points` steps (default 48). */
  timeline(options?: { sinceMs?: number; points?: number }): MetricsTimeline;
  /** Closes a target's circuit by hand. */
  resetCircuit(targetId: string): void;
  /**
   * Changes a target's weight, priority or `maxConcurrent` while the balancer runs: no rebuild,
   * so breakers, latency windows, metrics and in-flight calls carry on. Lowering `maxConcurrent`
   * never interrupts a call; raising it lets queued calls in at once. Throws `ValidationError`
   * for an unknown target or invalid settings, and changes nothing then.
   */
  configureTarget(targetId: string, settings: TargetSettings): void;
  /**
   * Counts a call the host makes itself (after {@link Balancer.select}, or for traffic the
   * balancer does not route) against a target until the lease is released, so routing and
   * `maxConcurrent` see the real load. Never waits: a call already happening is counted even past
   * the cap. With the `sharedState` option the lease also holds one of the target's slots shared by
   * every replica (taken in the background, released with the lease). Throws `ValidationError` for
   * an unknown target.
   */
  acquire(targetId: string): TargetLease;
  /**
   * Stops the background work of the `sharedState` option (batch flushes, window refreshes,
   * breaker subscriptions). The balancer keeps serving, on local state. A no-op without it.
   */
  dispose(): void;
  /** The effective score weights (defaults ← env ← config). */
  readonly weights: Readonly<ScoreWeights>;
  /** The effective deadlines: the configured ones, else the defaults (120 s, 60 s, 30 s). */
  readonly timeouts: Readonly<Timeouts>;
  /** Typed events (eventemitter3). */
  readonly events: EventEmitter<BalancerEvents>;
  on: EventEmitter<BalancerEvents>['on'];
  off: EventEmitter<BalancerEvents>['off'];
  once: EventEmitter<BalancerEvents>['once'];
}

interface TargetRuntime {
  id: string;
  index: number;
  model: ChatModel;
  weight: number;
  priority: number;
  maxConcurrent: number | undefined;
  tags: Set<string>;
  taskModels: Partial<Record<TaskType, ChatModel>>;
  /** What the balancer knows of each of the target's models (see {@link ModelInfo}). */
  models: Map<ChatModel, ModelInfo>;
  /** `models.get(model)`, kept apart: every ranking reads it for each target (no hash lookup). */
  primary: ModelInfo;
  breaker: CircuitBreaker;
  limiter: ConcurrencyLimiter;
  latency: LatencyWindow;
  ttft: LatencyWindow;
  outcomes: OutcomeWindow;
  /**
   * Epoch ms before which the target asked not to be called (its last Retry-After). Target state,
   * not call state: every call skips the target until then, not only the call that was told.
   */
  retryAt: number;
}

/** Fixed facts about one model of a target, looked up once at set-up. */
interface ModelInfo {
  capabilities: Set<string>;
  /** `capabilities` as bits of the balancer's {@link LoadBalancer.capabilityBits} (see {@link CallPlan.needMask}). */
  capabilityMask: number;
  price: ModelPrice | undefined;
  /** Metric series of the model, built once instead of a `provider:modelId` string per attempt. */
  metricKeys: MetricKeys;
}

interface CallPlan {
  kind: 'chat' | 'stream';
  request: ChatRequest;
  /** `performance.now()` when the call began. */
  startedAt: number;
  routing: RoutingOptions;
  needs: string[];
  /**
   * `needs` as capability bits: a target qualifies when its model's mask holds them all (one AND
   * instead of a `Set` lookup per need and target). 0 for no needs; {@link unknownCapability} for
   * a need no target has; −1 when the balancer's capabilities outnumber the bits (then `needs` is
   * checked against the sets).
   */
  needMask: number;
  taskType: TaskType | undefined;
  tokens: { inputTokens: number; outputTokens: number };
  strategy: StrategyName;
  route: CallRoute;
  /** Why each target was left out, last reason wins (built on the first skip). */
  skipped: Map<string, SkippedTarget> | undefined;
  headers: Record<string, string> | undefined;
  /** Whether `route` captured the scores of the first ranking that had candidates (later rounds keep them). */
  scored: boolean;
  /** Whether `selected` went out (on the first round with candidates). */
  announced: boolean;
  /** This call's place in the round-robin rotation, taken once per call (on its first ranking). */
  rotation: number | undefined;
  /** Earliest end of a Retry-After among the targets the last ranking skipped for one (epoch ms). */
  coolingUntil: number | undefined;
  coolingTarget: string | undefined;
  /**
   * Targets this call already waited out a Retry-After for. They may be tried once the real wait
   * is over even if the balancer's clock says otherwise (an injected clock that did not move).
   */
  waitedFor: Set<string> | undefined;
}

/**
 * A target that may serve the call being ranked: its signals, then its score (set by
 * `scoreInPlace`). One per target, reused by every ranking (see `LoadBalancer.candidatePool`).
 */
interface Candidate extends ScoredCandidate {
  runtime: TargetRuntime;
  model: ChatModel;
  index: number;
  weight: number;
  utilization: number;
}

/** A target whose concurrency slot and breaker permit an attempt holds. */
interface Slot {
  runtime: TargetRuntime;
  model: ChatModel;
  permit: BreakerPermit;
  release: ReleaseSlot;
}

interface AttemptHandle<T> {
  slot: Slot;
  record: RouteAttempt;
  attempt: Attempt<T>;
  /** Epoch ms (the balancer's clock). */
  startedAt: number;
  cancelled: boolean;
  /** Closes a value the upstream delivered after nobody wanted it any more (a late stream). */
  discard: (value: T) => Promise<void> | undefined;
}

/** A stream call's attempt, as its {@link BalancedStream} holds it. */
type StreamHandle = AttemptHandle<OpenedStream>;

interface Committed<T> {
  value: T;
  handle: AttemptHandle<T>;
}

interface OpenedStream {
  iterator: AsyncIterator<ChatChunk>;
  buffered: ChatChunk[];
  firstTokenAt: number;
}

type MetricKeys = Readonly<{ target: string; model: string }>;

type Failure = { runtime: TargetRuntime; error: BallastError; kind: FailureKind };

/**
 * One attempt's upstream call. The call's plan comes as an argument (a static function per kind,
 * not a closure per call).
 */
type AttemptCall<T> = (model: ChatModel, options: BalancerCallOptions, call: CallPlan) => Promise<T>;

/**
 * What a call does with its committed attempt, in the attempt loop's frame. `context` is what
 * the call passed to `route` for it: a chat call's options, a stream call's stream.
 */
type CommitCall<T, R, C> = (committed: Committed<T>, call: CallPlan, run: CallRun, context: C) => R;

/** How one round of attempts ended: a committed value, or the failures to book. */
type AttemptOutcome<T> = { ok: true; committed: Committed<T> } | { ok: false; failures: Failure[] };

const noop = () => {};
/** The routing options of a call that gave none (read only, so one object serves every call). */
const noRouting: RoutingOptions = Object.freeze({});
/** The request of a {@link LoadBalancer.select} plan, which sends none. */
const noRequest: ChatRequest = Object.freeze({ messages: [] });

const unavailableCodes = new Set([
  'authentication_failed',
  'permission_denied',
  'model_not_found',
  'not_found',
  'quota_exhausted',
]);
const requestErrorCodes = new Set([
  'bad_request',
  'context_length_exceeded',
  'request_too_large',
  'content_filtered',
  'validation_failed',
]);

// `performance.timeOrigin` is a getter that costs as much as the clock read: read it once.
const timeOrigin = performance.timeOrigin;
const defaultNow = () => timeOrigin + performance.now();

/**
 * Creates a load balancer over chat models. It routes each call by a composite score of expected
 * cost, latency, reliability, load and priority (or a fixed strategy), retries with full-jitter
 * backoff or fails over by error class, breaks circuits, caps concurrency, hedges slow calls,
 * and reports what it did on every result (`route`), in events and in metrics.
 *
 * @param env Where to read `LOAD_BALANCER_WEIGHT_*` (defaults to `process.env`).
 * @throws {ConfigError} on an invalid configuration (empty targets, duplicate ids, bad weights…).
 * @example
 * ```ts
 * const balancer = createBalancer({
 *   name: 'chat',
 *   targets: [
 *     { model: createOpenAI({ apiKey }).chatModel('gpt-4o-mini'), maxConcurrent: 32 },
 *     { model: createGroq({ apiKey: groqKey }).chatModel('llama-3.1-8b-instant'), weight: 2 },
 *   ],
 *   timeoutMs: 30_000,
 * });
 * const { text, route } = await balancer.chat({ messages: [{ role: 'user', content: 'Hello' }] });
 * console.log(route.target, route.scores);
 * ```
 */
export function createBalancer(
  config: BalancerConfig,
  env: Record<string, string | undefined> = process.env,
): Balancer {
  validateBalancerConfig(config);
  const weights = resolveScoreWeights(config.weights, env);
  return new LoadBalancer(config, weights);
}

class LoadBalancer implements Balancer, StreamHost<StreamHandle> {
  readonly provider = 'balancer' as const;
  readonly modelId: string;
  readonly capabilities: ChatModelCapabilities;
  readonly weights: Readonly<ScoreWeights>;
  readonly timeouts: Readonly<Timeouts>;
  readonly events = new EventEmitter<BalancerEvents>();
  readonly on: Balancer['on'];
  readonly off: Balancer['off'];
  readonly once: Balancer['once'];

  private readonly runtimes: TargetRuntime[];
  /** Target ids by configuration index (what captured route scores name their targets by). */
  private readonly targetIds: readonly string[];
  private readonly byId = new Map<string, TargetRuntime>();
  /**
   * One {@link Candidate} per target (by configuration index), refilled by every ranking, and
   * the list of the current ranking's candidates. Sharing them between concurrent calls is safe
   * because a ranking is synchronous and its caller copies what it keeps — the ordered targets,
   * the route's scores (as numbers) — before any other code runs: an await, an event listener or
   * a model call may start another ranking, which overwrites both.
   */
  private readonly candidatePool: Candidate[];
  private readonly ranking: Candidate[] = [];
  private readonly now: () => number;
  /** Whether `config.now` replaced the default clock (`timeOrigin + performance.now()`). */
  private readonly clockInjected: boolean;
  private readonly random: () => number;
  private readonly strategyState: StrategyState = { roundRobin: 0 };
  private readonly budget: RetryBudget | undefined;
  private readonly metrics: MetricsRecorder;
  private readonly prior: ReliabilityPrior;
  private readonly sweep = new ArmingSweep();
  /** A bit per capability any target's model has (filled as targets are set up; see `needMask`). */
  private readonly capabilityBits = new Map<string, number>();
  /** Set when the capabilities outnumber the bits: every check then reads the sets. */
  private capabilityBitsFull = false;
  /** Replica-shared state (`sharedState` option); `undefined` keeps every decision local. */
  private readonly shared: SharedStateLink | undefined;
  private readonly retry: {
    maxAttempts: number;
    maxRetriesPerTarget: number;
    baseDelayMs: number;
    maxDelayMs: number;
    maxRetryAfterMs: number;
  };

  constructor(
    private readonly config: BalancerConfig,
    weights: ScoreWeights,
  ) {
    this.modelId = config.name ?? 'balancer';
    this.weights = Object.freeze({ ...weights });
    this.timeouts = Object.freeze(resolveTimeouts(config));
    this.now = config.now ?? defaultNow;
    this.clockInjected = config.now !== undefined;
    this.random = config.random ?? Math.random;
    this.on = this.events.on.bind(this.events);
    this.off = this.events.off.bind(this.events);
    this.once = this.events.once.bind(this.events);
    this.prior = { ...defaultReliabilityPrior, ...config.reliabilityPrior };
    const retry = config.retry ?? {};
    this.retry = {
      maxAttempts: retry.maxAttempts ?? 5,
      maxRetriesPerTarget: retry.maxRetriesPerTarget ?? 2,
      baseDelayMs: retry.baseDelayMs ?? 200,
      maxDelayMs: retry.maxDelayMs ?? 8_000,
      maxRetryAfterMs: retry.maxRetryAfterMs ?? 60_000,
    };
    this.budget = retry.budget === false ? undefined : new RetryBudget(retry.budget ?? {}, this.now);
    this.metrics = new MetricsRecorder(config.metrics ?? {}, this.now);
    const pricing: PricingTable = config.pricing ?? defaultPricing;
    this.runtimes = config.targets.map((target, index) => this.createRuntime(target, index, pricing));
    for (const runtime of this.runtimes) this.byId.set(runtime.id, runtime);
    this.targetIds = this.runtimes.map((runtime) => runtime.id);
    this.candidatePool = this.runtimes.map(emptyCandidate);
    this.shared = config.sharedState
      ? new SharedStateLink(
          config.sharedState,
          this.modelId,
          this.runtimes.map((runtime) => ({
            id: runtime.id,
            isOpen: () => runtime.breaker.state() === 'open',
            adoptBreaker: (record) => {
              if (record.state === 'open')
                runtime.breaker.adoptOpen(record.openUntil - Date.now(), record.reason);
              else runtime.breaker.reset();
            },
          })),
          {
            reliabilityWindowMs: config.reliabilityWindowMs ?? 300_000,
            latencyWindowMs: config.latencyWindow?.windowMs ?? 300_000,
          },
        )
      : undefined;
    const union = (key: keyof ChatModelCapabilities) =>
      this.runtimes.some((runtime) =>
        [runtime.model, ...Object.values(runtime.taskModels)].some((model) => model?.capabilities[key]),
      );
    this.capabilities = {
      tools: union('tools'),
      vision: union('vision'),
      // Every attempt adapts a JSON request to its target (prepareStructuredRequest), so the
      // balancer takes a schema whatever its targets support natively.
      jsonMode: true,
      jsonSchema: true,
      streaming: union('streaming'),
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Public API

  /**
   * Not an async function: the attempt loop's frame (`route`) books the call and builds the
   * result itself, so a call is one async frame, not two (each frame is a promise, a suspended
   * context and a microtask hop more per call).
   */
  chat(request: ChatRequest, options?: BalancerCallOptions): Promise<BalancedChatResult> {
    let run: CallRun;
    let call: CallPlan;
    try {
      const startedAt = performance.now();
      run = this.createRun(options, startedAt);
      call = this.plan(request, options, 'chat', startedAt);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.route(call, run, chatAttempt, noDiscard, options, this.finishChat);
  }

  /** Books a committed chat call (the attempt, its slot, the call) and builds its result. */
  private readonly finishChat: CommitCall<ChatResult, BalancedChatResult, BalancerCallOptions | undefined> = (
    committed,
    call,
    run,
    options,
  ) => {
    const result = committed.value;
    const handle = committed.handle;
    try {
      // One reading of the clock books the attempt and the call (see `clockReading`).
      const clock = performance.now();
      const at = this.clockReading(clock);
      this.succeed(handle, result, undefined, at);
      // A chat attempt's upstream has settled when its result is here: the slot is free now.
      handle.attempt.dispose();
      handle.slot.release();
      this.metrics.recordCall(
        {
          success: true,
          latencyMs: clock - call.startedAt,
          inputTokens: result.usage.inputTokens,
          outputTokens: result.usage.outputTokens,
          costUsd: result.costUsd,
        },
        at,
      );
    } finally {
      run.dispose();
    }
    // After the booking: the call is booked once, whatever the host's callback does.
    options?.onRoute?.(call.route);
    return withRoute(result, call.route);
  };

  /** A stream call's attempt: opens the stream up to its first token (one function per balancer). */
  private readonly streamAttempt: AttemptCall<OpenedStream> = (model, options, call) =>
    openStream(model, call.request, options, this.now);

  /** Nothing runs before the stream's first `next()` (see {@link BalancedStream}). */
  stream(request: ChatRequest, options?: BalancerCallOptions): AsyncIterable<BalancedChatChunk> {
    return new BalancedStream<StreamHandle>(this, request, options);
  }

  select(input: SelectRequest = {}): Selection {
    const routing: RoutingOptions = {
      ...(input.requiredCapabilities ? { requiredCapabilities: input.requiredCapabilities } : {}),
      ...(input.maxCostUsd === undefined ? {} : { maxCostUsd: input.maxCostUsd }),
      ...(input.maxLatencyMs === undefined ? {} : { maxLatencyMs: input.maxLatencyMs }),
      ...(input.preferredProvider ? { preferredProvider: input.preferredProvider } : {}),
    };
    const taskType = input.taskType ?? input.modelType;
    const needs = [...(input.requiredCapabilities ?? [])];
    if (input.stream) needs.push('streaming');
    const call: CallPlan = {
      kind: input.stream ? 'stream' : 'chat',
      // Nothing is sent: only the routing fields of the plan are read.
      request: noRequest,
      startedAt: performance.now(),
      routing,
      needs,
      needMask: this.needMaskOf(needs),
      taskType,
      tokens: {
        inputTokens: input.estimatedInputTokens ?? 0,
        outputTokens: input.maxTokens ?? this.config.defaultOutputTokens ?? 256,
      },
      strategy: input.strategy ?? this.config.strategy ?? 'weighted',
      route: new CallRoute(input.strategy ?? this.config.strategy ?? 'weighted'),
      scored: false,
      announced: false,
      skipped: undefined,
      headers: undefined,
      rotation: undefined,
      coolingUntil: undefined,
      coolingTarget: undefined,
      waitedFor: undefined,
    };
    const skipped: SkippedTarget[] = [];
    const ordered = this.rank(call, undefined, false, skipped);
    // The pooled candidates are overwritten by the next ranking, which a breaker event's listener
    // may start: keep a copy of what the selection reports before touching any breaker.
    const picks = ordered.map((runtime) => {
      const candidate = this.candidatePool[runtime.index] as Candidate;
      return {
        runtime,
        model: candidate.model,
        total: candidate.total,
        components: { ...candidate.components },
        expectedCostUsd: candidate.expectedCostUsd,
      };
    });
    // The same admission as chat: a half-open target lets exactly one probe through, and the
    // host's `record()` is its verdict (or the probe lease runs out, see `probeTimeoutMs`).
    let first: (typeof picks)[number] | undefined;
    let permit: BreakerPermit | undefined;
    for (const pick of picks) {
      permit = pick.runtime.breaker.tryAcquire();
      if (permit) {
        first = pick;
        break;
      }
      this.skip(
        call,
        skipped,
        pick.runtime,
        'circuit_open',
        `${pick.runtime.id} is half-open and its probe is out`,
      );
    }
    if (!first) throw this.noHealthy(call, [], undefined);
    return {
      provider: first.model.provider,
      model: first.model.modelId,
      targetId: first.runtime.id,
      score: first.total,
      breakdown: first.components,
      expectedCostUsd: first.expectedCostUsd,
      strategy: call.strategy,
      scores: call.route.scores,
      skipped,
      probe: permit === 'probe',
    };
  }

  record(outcome: RecordOutcome): void {
    const runtime = this.runtimeOf(outcome.targetId);
    const at = this.now();
    const usage = createUsage(outcome.usage ?? {});
    if (outcome.retryAfterMs !== undefined) this.holdOff(runtime, outcome.retryAfterMs, at);
    if (outcome.outcome === 'success') {
      runtime.latency.add(outcome.latencyMs, at);
      if (outcome.ttftMs !== undefined) runtime.ttft.add(outcome.ttftMs, at);
      runtime.outcomes.add(true, at);
      this.shared?.recordOutcome(runtime.id, true, outcome.latencyMs, Date.now());
      runtime.breaker.onSuccess(undefined);
    } else {
      const code = outcome.errorCode ?? 'api_error';
      if (requestErrorCodes.has(code)) runtime.breaker.onSuccess(undefined);
      else {
        runtime.outcomes.add(false, at);
        this.shared?.recordOutcome(runtime.id, false, undefined, Date.now());
        runtime.breaker.onFailure(undefined, {
          code,
          targetUnavailable: unavailableCodes.has(code),
          retryAfterMs: outcome.retryAfterMs,
        });
      }
    }
    this.metrics.record(
      { target: runtime.id, model: `${runtime.model.provider}:${runtime.model.modelId}` },
      {
        success: outcome.outcome === 'success',
        code: outcome.errorCode,
        latencyMs: outcome.latencyMs,
        timeToFirstTokenMs: outcome.ttftMs,
        inputTokens: usage.inputTokens,
        outputTokens: usage.outputTokens,
        costUsd: outcome.costUsd ?? computeCostUsd(runtime.primary.price, usage) ?? undefined,
      },
    );
  }

  health(): TargetHealth[] {
    const now = this.now();
    return this.runtimes.map((runtime) => ({
      target: runtime.id,
      provider: runtime.model.provider,
      modelId: runtime.model.modelId,
      ...runtime.breaker.snapshot(),
      inFlight: runtime.limiter.inFlight,
      queued: runtime.limiter.queued,
      maxConcurrent: runtime.maxConcurrent,
      weight: runtime.weight,
      priority: runtime.priority,
      latencyMs: runtime.latency.quantiles(now),
      timeToFirstTokenMs: runtime.ttft.quantiles(now),
    }));
  }

  snapshot(options: { sinceMs?: number } = {}): MetricsSnapshot {
    return this.metrics.snapshot(options);
  }

  timeline(options: { sinceMs?: number; points?: number } = {}): MetricsTimeline {
    return this.metrics.timeline(options);
  }

  resetCircuit(targetId: string): void {
    this.byId.get(targetId)?.breaker.reset();
  }

  configureTarget(targetId: string, settings: TargetSettings): void {
    const runtime = this.runtimeOf(targetId);
    const parsed = targetSettingsSchema.safeParse(settings);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((issue) => ({
        path: issue.path.join('.') || 'settings',
        message: issue.message,
      }));
      throw new ValidationError({
        message: `Invalid settings for balancer target "${targetId}": ${issues
          .map((issue) => `${issue.path}: ${issue.message}`)
          .join('; ')}`,
        issues,
      });
    }
    const next = parsed.data;
    if (next.weight !== undefined) runtime.weight = next.weight;
    if (next.priority !== undefined) runtime.priority = next.priority;
    if (next.maxConcurrent !== undefined) {
      runtime.maxConcurrent = next.maxConcurrent ?? undefined;
      runtime.limiter.setMaxConcurrent(runtime.maxConcurrent);
    }
    if (this.listens('target-configured'))
      this.events.emit('target-configured', {
        target: runtime.id,
        weight: runtime.weight,
        priority: runtime.priority,
        maxConcurrent: runtime.maxConcurrent,
      });
  }

  dispose(): void {
    this.shared?.dispose();
  }

  acquire(targetId: string): TargetLease {
    const runtime = this.runtimeOf(targetId);
    const release = runtime.limiter.acquireUnconditionally();
    // With shared state the lease counts against the replicas' shared cap too (issue 14).
    const releaseShared =
      this.shared && runtime.maxConcurrent !== undefined ? this.shared.holdSlot(runtime.id) : undefined;
    let released = false;
    return {
      targetId: runtime.id,
      release: (outcome) => {
        if (released) return;
        released = true;
        release();
        releaseShared?.();
        if (outcome) this.record({ ...outcome, targetId: runtime.id });
      },
    };
  }

  private runtimeOf(targetId: string): TargetRuntime {
    const runtime = this.byId.get(targetId);
    if (runtime) return runtime;
    throw new ValidationError({
      message: `Unknown balancer target "${targetId}"`,
      issues: [{ path: 'targetId', message: `must be one of ${[...this.byId.keys()].join(', ')}` }],
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Set-up

  private createRuntime(target: BalancerTarget, index: number, pricing: PricingTable): TargetRuntime {
    const id = target.id ?? `${target.model.provider}:${target.model.modelId}`;
    const tags = new Set(target.tags ?? []);
    const taskModels = { ...target.models };
    const models = [target.model, ...Object.values(taskModels)].filter(
      (model): model is ChatModel => model !== undefined,
    );
    const infos = new Map<ChatModel, ModelInfo>();
    for (const model of models) {
      if (infos.has(model)) continue;
      const capabilities = new Set([...(target.capabilities ?? capabilitiesOfModel(model)), ...tags]);
      infos.set(model, {
        capabilities,
        capabilityMask: this.capabilityMaskOf(capabilities),
        price:
          model === target.model && target.price
            ? target.price
            : findModelPrice(pricing, model.provider, model.modelId),
        metricKeys: Object.freeze({ target: id, model: `${model.provider}:${model.modelId}` }),
      });
    }
    const latencyOptions = this.config.latencyWindow ?? {};
    const breakerOptions = { probeTimeoutMs: this.timeouts.timeoutMs, ...this.config.circuitBreaker };
    return {
      id,
      index,
      model: target.model,
      weight: target.weight ?? 1,
      priority: target.priority ?? 0,
      maxConcurrent: target.maxConcurrent,
      tags,
      taskModels,
      models: infos,
      primary: infos.get(target.model) as ModelInfo,
      breaker: new CircuitBreaker(breakerOptions, this.now, (to, reason) => {
        if (to === 'open' && reason) {
          this.shared?.publishBreaker(id, 'open', reason.cooldownMs, reason.reason);
          this.events.emit('circuit-open', { target: id, ...reason });
        } else if (to === 'half-open') this.events.emit('circuit-half-open', { target: id });
        else if (to === 'closed') {
          this.shared?.publishBreaker(id, 'closed');
          this.events.emit('circuit-close', { target: id });
        }
      }),
      limiter: new ConcurrencyLimiter({
        maxConcurrent: target.maxConcurrent,
        maxQueue: target.maxQueue ?? this.config.maxQueue ?? 100,
      }),
      latency: new LatencyWindow(latencyOptions),
      ttft: new LatencyWindow(latencyOptions),
      outcomes: new OutcomeWindow(this.config.reliabilityWindowMs ?? 300_000),
      retryAt: 0,
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Selection

  private plan(
    request: ChatRequest,
    options: BalancerCallOptions | undefined,
    kind: 'chat' | 'stream',
    startedAt: number,
  ): CallPlan {
    const routing = options?.routing ?? noRouting;
    const strategy = routing.strategy ?? this.config.strategy ?? 'weighted';
    const needs = requiredCapabilitiesOf(request, kind);
    const required = routing.requiredCapabilities;
    if (required) for (const capability of required) if (!needs.includes(capability)) needs.push(capability);
    return {
      kind,
      request,
      startedAt,
      routing,
      needs,
      needMask: this.needMaskOf(needs),
      taskType: routing.taskType ?? (hasImage(request) ? 'vision' : undefined),
      tokens: estimateTokens(request, this.config.defaultOutputTokens ?? 256),
      strategy,
      route: new CallRoute(strategy),
      scored: false,
      announced: false,
      skipped: undefined,
      headers: options?.headers,
      rotation: undefined,
      coolingUntil: undefined,
      coolingTarget: undefined,
      waitedFor: undefined,
    };
  }

  private modelFor(runtime: TargetRuntime, taskType: TaskType | undefined): ChatModel | undefined {
    if (taskType === undefined || taskType === 'chat') return runtime.taskModels.chat ?? runtime.model;
    const dedicated = runtime.taskModels[taskType];
    if (dedicated) return dedicated;
    if (taskType === 'vision') return runtime.model;
    return runtime.tags.has(taskType) ? runtime.model : undefined;
  }

  /** Records why a target was left out of this call (and in `skipped`, for `select`). */
  private skip(
    call: CallPlan,
    skipped: SkippedTarget[] | undefined,
    runtime: TargetRuntime,
    reason: string,
    message: string,
  ) {
    const entry = { target: runtime.id, reason, message };
    skipped?.push(entry);
    call.skipped ??= new Map();
    call.skipped.set(runtime.id, entry);
  }

  /**
   * Filters, scores and orders the candidates of a call; returns the targets to try, best first.
   * The first ranking of a call that has candidates captures their scores into its route.
   *
   * It fills the shared candidate pool, so everything that reads a candidate happens here,
   * synchronously: callers get a fresh list of targets and never a candidate.
   */
  private rank(
    call: CallPlan,
    retry: RetryState | undefined,
    retrying: boolean,
    skipped?: SkippedTarget[],
    now = this.now(),
  ): TargetRuntime[] {
    const { routing } = call;
    const candidates = this.ranking;
    // Overwritten in place and its length set once at the end, only if it changed: `length = 0`
    // would free the backing store, and eight pushes would allocate a new one on every ranking.
    let count = 0;
    // The first ranking with candidates scores them for the route; a later one (a failover round)
    // only if the strategy orders by score. Skipping it changes no pick: the strategy never reads
    // the totals, nor the reliability counts that only scoring reads.
    const scoring = !call.scored || strategyReadsScores(call.strategy);
    call.coolingUntil = undefined;
    call.coolingTarget = undefined;
    for (const runtime of this.runtimes) {
      // The targets this call already failed on (all of them, or when `retrying` the given-up ones).
      if (retry?.excludes(runtime.index, retrying)) continue;
      const model = this.modelFor(runtime, call.taskType);
      if (!model) {
        this.skip(
          call,
          skipped,
          runtime,
          'task_type_unsupported',
          `${runtime.id} has no model for task type "${call.taskType}"`,
        );
        continue;
      }
      const info = modelInfoOf(runtime, model);
      const capabilities = info?.capabilities;
      const needMask = call.needMask;
      const capable =
        needMask === 0 ||
        (needMask > 0 && info !== undefined
          ? (info.capabilityMask & needMask) === needMask
          : hasAll(capabilities, call.needs));
      if (!capable) {
        const missing = call.needs.filter((need) => !capabilities?.has(need));
        this.skip(call, skipped, runtime, 'capability_mismatch', `${runtime.id} lacks ${missing.join(', ')}`);
        continue;
      }
      if (!runtime.breaker.canAttempt()) {
        const { cooldownRemainingMs, state } = runtime.breaker.snapshot();
        this.skip(
          call,
          skipped,
          runtime,
          'circuit_open',
          state === 'half-open'
            ? `${runtime.id} is half-open and its probe is in flight`
            : `${runtime.id} circuit is open for another ${Math.ceil(cooldownRemainingMs)} ms`,
        );
        continue;
      }
      if (runtime.retryAt > now && !call.waitedFor?.has(runtime.id)) {
        this.skip(
          call,
          skipped,
          runtime,
          'retry_after',
          `${runtime.id} asked not to be called for another ${Math.ceil(runtime.retryAt - now)} ms (Retry-After)`,
        );
        if (call.coolingUntil === undefined || runtime.retryAt < call.coolingUntil) {
          call.coolingUntil = runtime.retryAt;
          call.coolingTarget = runtime.id;
        }
        continue;
      }
      // The expected cost is read to score or to apply `maxCostUsd`, like the latency below (a
      // strategy that skips scoring never reads a candidate's cost).
      const expectedCostUsd =
        scoring || routing.maxCostUsd !== undefined ? estimateCostUsd(info?.price, call.tokens) : undefined;
      if (routing.maxCostUsd !== undefined) {
        if (expectedCostUsd === undefined) {
          this.skip(
            call,
            skipped,
            runtime,
            'cost_unknown',
            `${runtime.id} has no price, so maxCostUsd cannot be guaranteed`,
          );
          continue;
        }
        if (expectedCostUsd > routing.maxCostUsd) {
          this.skip(
            call,
            skipped,
            runtime,
            'cost_constraint',
            `${runtime.id} expected cost $${expectedCostUsd.toPrecision(3)} > maxCostUsd $${routing.maxCostUsd}`,
          );
          continue;
        }
      }
      // With shared state, every replica's outcomes and latencies (refreshed each second).
      const sharedView = this.shared?.view(runtime.id);
      // Latency is read to score or to apply `maxLatencyMs` (the strategies that skip scoring
      // never read a candidate's expected latency).
      const quantiles =
        scoring || routing.maxLatencyMs !== undefined
          ? ((call.kind === 'stream' ? runtime.ttft.quantiles(now) : undefined) ??
            sharedView?.latency ??
            runtime.latency.quantiles(now))
          : undefined;
      if (routing.maxLatencyMs !== undefined && quantiles && quantiles.p95 > routing.maxLatencyMs) {
        this.skip(
          call,
          skipped,
          runtime,
          'latency_constraint',
          `${runtime.id} p95 ${Math.round(quantiles.p95)} ms > maxLatencyMs ${routing.maxLatencyMs}`,
        );
        continue;
      }
      const inFlight = runtime.limiter.inFlight;
      // The target's pooled candidate carries the signals, the score and what the strategies need.
      const candidate = this.candidatePool[runtime.index] as Candidate;
      candidate.model = model;
      candidate.weight = runtime.weight;
      candidate.priority = runtime.priority;
      candidate.expectedCostUsd = expectedCostUsd;
      candidate.expectedLatencyMs = quantiles?.p50;
      candidate.utilization =
        runtime.maxConcurrent === undefined
          ? inFlight / (inFlight + 16)
          : Math.min(1, (inFlight + runtime.limiter.queued) / runtime.maxConcurrent);
      if (scoring) {
        const counts = sharedView?.counts ?? runtime.outcomes.counts(now);
        candidate.successes = counts.successes;
        candidate.failures = counts.failures;
      }
      candidate.inFlight = inFlight;
      candidate.maxConcurrent = runtime.maxConcurrent;
      candidate.total = 0;
      candidates[count++] = candidate;
    }
    if (candidates.length !== count) candidates.length = count;
    if (candidates.length === 0) {
      // A round-robin call takes its place in the rotation on its first ranking, even an empty one.
      if (call.strategy === 'round-robin') this.rotationOf(call);
      return [];
    }
    if (scoring) scoreInPlace(candidates, this.weights, this.prior);
    // Scores in configuration order, copied before the ordering below reorders the list.
    if (!call.scored) {
      call.scored = true;
      call.route.captureScores(candidates, this.targetIds);
    }
    orderCandidatesInPlace(
      call.strategy,
      candidates,
      call.strategy === 'round-robin' ? this.rotationOf(call) : this.strategyState,
      this.random,
      this.config.exploration,
    );
    const ordered: TargetRuntime[] = new Array(candidates.length);
    let at = 0;
    // A preferred provider goes first (stable: each part keeps the strategy's order).
    const preferredProvider = routing.preferredProvider;
    if (preferredProvider) {
      for (const candidate of candidates)
        if (candidate.model.provider === preferredProvider) ordered[at++] = candidate.runtime;
      for (const candidate of candidates)
        if (candidate.model.provider !== preferredProvider) ordered[at++] = candidate.runtime;
    } else {
      for (const candidate of candidates) ordered[at++] = candidate.runtime;
    }
    return ordered;
  }

  /**
   * Round-robin state for one call. The rotation advances once per call, on its first ranking;
   * the failover rounds of the same call reuse that place (on a copy, so they cannot advance it),
   * which keeps the rotation strict however many attempts a call needs.
   */
  private rotationOf(call: CallPlan): StrategyState {
    if (call.rotation === undefined) call.rotation = this.strategyState.roundRobin++;
    return { roundRobin: call.rotation };
  }

  /** Remembers a target's Retry-After as target state: no call picks it before then. */
  private holdOff(runtime: TargetRuntime, retryAfterMs: number, at: number): void {
    if (retryAfterMs > 0) runtime.retryAt = Math.max(runtime.retryAt, at + retryAfterMs);
  }

  // ---------------------------------------------------------------------------------------------
  // The attempt loop: select → acquire → attempt (maybe hedged) → retry or fail over

  /**
   * Runs the call's attempts until one commits (select → acquire → attempt, maybe hedged → retry
   * or fail over), then hands it to `finish`. Everything happens in this one async frame: the
   * commit is booked and the result built without another frame, promise and microtask hop per
   * call. A call that fails is booked here (metrics, its route on the error), its run disposed.
   */
  private async route<T, R, C>(
    call: CallPlan,
    run: CallRun,
    execute: AttemptCall<T>,
    discard: (value: T) => Promise<void> | undefined,
    context: C,
    finish: CommitCall<T, R, C>,
  ): Promise<R> {
    let committed: Committed<T>;
    try {
      // Most calls succeed on their first attempt: the retry bookkeeping is built on demand.
      let retry: RetryState | undefined;
      // The first round reads the balancer's clock from the call's start (the default clock's
      // reading of it costs nothing more): the budget and the ranking share it.
      const firstNow = this.clockInjected ? this.now() : timeOrigin + call.startedAt;
      this.budget?.recordRequest(firstNow);
      while (true) {
        this.throwIfStopped(run, call);
        // The route keeps the scores of the first round with candidates (captured by `rank`).
        let ordered = this.rank(call, retry, false, undefined, retry === undefined ? firstNow : this.now());
        let delayMs = 0;
        let isRetry = false;
        if (ordered.length === 0 && retry !== undefined && retry.hadRetriable) {
          // Nothing fresh is left: retry the best target that failed transiently, after a backoff.
          ordered = this.rank(call, retry, true);
          const best = ordered[0];
          if (best) {
            const backoff = this.retryBackoffMs(call, run, retry, best);
            if (backoff === undefined) continue;
            isRetry = true;
            delayMs = backoff;
          }
        }
        if (ordered.length === 0 && call.coolingUntil !== undefined) {
          retry ??= new RetryState(this.runtimes.length);
          await this.waitOutRetryAfter(call, run, retry);
          continue;
        }
        this.announceSelection(call, ordered);
        const choices = isRetry ? ordered.slice(0, 1) : ordered;
        this.checkRound(call, choices, isRetry, retry);
        if (retry !== undefined) this.announceRetry(call, retry, choices, delayMs);
        if (delayMs > 0) await this.sleep(delayMs, run, call);

        // A free slot is taken synchronously; only a call that must queue pays for an await.
        let slot = this.tryImmediateSlot(choices, call.taskType);
        if (!slot) {
          retry ??= new RetryState(this.runtimes.length);
          slot = await this.queueForSlot(choices, run, call, retry.extra);
          if (!slot) continue;
        }
        if (this.shared && slot.runtime.maxConcurrent !== undefined) {
          retry ??= new RetryState(this.runtimes.length);
          await this.acquireSharedSlot(this.shared, slot, run, call, retry.extra);
        }
        const primary = this.startAttempt(call, run, slot, execute, discard, false);
        // Without hedging the attempt is awaited right here: no async frame of its own.
        const outcome =
          this.config.hedgeAfterMs === undefined || isRetry || ordered.length < 2
            ? this.settleOne(primary, await primary.attempt.result, call.kind)
            : await this.hedgeIfSlow(call, run, primary, ordered, this.config.hedgeAfterMs, execute, discard);
        if (outcome.ok) {
          call.route.target = outcome.committed.handle.slot.runtime.id;
          this.finalizeSkipped(call);
          committed = outcome.committed;
          break;
        }
        retry ??= new RetryState(this.runtimes.length);
        this.bookFailures(call, run, retry, outcome.failures);
      }
    } catch (error) {
      const failure = this.toBallastError(error);
      this.metrics.recordCall({
        success: false,
        code: failure.code,
        latencyMs: performance.now() - call.startedAt,
      });
      attachRoute(failure, call.route);
      run.dispose();
      throw failure;
    }
    // Outside the try: a commit is never booked as a failure, whatever `finish` (a host callback) does.
    return finish(committed, call, run, context);
  }

  /**
   * The backoff before retrying `best`, or `undefined` when it would end past the call's deadline
   * (the target is then given up for this call).
   */
  private retryBackoffMs(
    call: CallPlan,
    run: CallRun,
    retry: RetryState,
    best: TargetRuntime,
  ): number | undefined {
    // A target that sent Retry-After is skipped until then (target state), so by the time it is
    // a candidate again its wait is over: no extra backoff on top.
    const delayMs = call.waitedFor?.has(best.id) ? 0 : this.backoffMs(retry.triesOf(best.index) ?? 1);
    const remaining = run.remainingMs();
    if (remaining === undefined || delayMs < remaining) return delayMs;
    retry.giveUp(best.index);
    retry.extra.push({
      target: best.id,
      outcome: 'retry_after_exceeds_deadline',
      message: `${best.id} would be retried after ${delayMs} ms, beyond the remaining deadline`,
      durationMs: 0,
    });
    return undefined;
  }

  /**
   * Every target that could serve the call asked to be left alone (Retry-After). Waits for the
   * first to come back if that fits the call (`maxRetryAfterMs`, the deadline); else gives up now
   * rather than hold the caller.
   */
  private async waitOutRetryAfter(call: CallPlan, run: CallRun, retry: RetryState): Promise<void> {
    const waitMs = Math.max(0, (call.coolingUntil ?? 0) - this.now());
    const remaining = run.remainingMs();
    if (waitMs <= this.retry.maxRetryAfterMs && (remaining === undefined || waitMs < remaining)) {
      await this.sleep(Math.max(1, waitMs), run, call);
      retry.heldOffMs += waitMs;
      call.waitedFor ??= new Set();
      call.waitedFor.add(call.coolingTarget ?? '');
      return;
    }
    retry.extra.push({
      target: call.coolingTarget ?? '*',
      outcome: 'retry_after_exceeds_deadline',
      message: `${call.coolingTarget} asked to wait ${Math.ceil(waitMs)} ms, beyond the ${
        waitMs > this.retry.maxRetryAfterMs ? 'Retry-After cap (retry.maxRetryAfterMs)' : 'remaining deadline'
      }`,
      durationMs: 0,
    });
    throw this.noHealthy(call, retry.extra, retry.lastError);
  }

  /** `selected`, on the first round with candidates (as the scores were captured). */
  private announceSelection(call: CallPlan, ordered: readonly TargetRuntime[]): void {
    if (call.announced || ordered.length === 0) return;
    call.announced = true;
    const first = ordered[0];
    // Payloads are only built when someone listens: most calls are never observed.
    if (first && this.listens('selected'))
      this.events.emit('selected', { target: first.id, strategy: call.strategy, scores: call.route.scores });
  }

  /** Throws when this round cannot go ahead: no choice left, the attempts or the retry budget spent. */
  private checkRound(
    call: CallPlan,
    choices: readonly TargetRuntime[],
    isRetry: boolean,
    retry: RetryState | undefined,
  ): void {
    // The list is only built to throw (`retry` is undefined on a call's first round).
    if (choices.length === 0) throw this.noHealthy(call, retry?.extra ?? [], retry?.lastError);
    const attempts = call.route.attempts.length;
    if (attempts >= this.retry.maxAttempts) {
      const extra = retry?.extra ?? [];
      extra.push({
        target: '*',
        outcome: 'max_attempts',
        message: `gave up after ${attempts} attempts (retry.maxAttempts)`,
        durationMs: 0,
      });
      throw this.noHealthy(call, extra, retry?.lastError);
    }
    // The budget caps *re-tries* of a target this call already tried. Moving on to a target not
    // yet tried is never refused: it is what makes a partial outage invisible to callers, and it
    // is bounded anyway (each target once per call, `maxAttempts`, circuit breakers).
    if (isRetry && this.budget && !this.budget.tryWithdraw()) {
      const extra = retry?.extra ?? [];
      extra.push({
        target: '*',
        outcome: 'retry_budget_exhausted',
        message: 'the retry budget is spent: retries are capped at a share of recent calls',
        durationMs: 0,
      });
      throw this.noHealthy(call, extra, retry?.lastError);
    }
  }

  /** `retry` or `failover` after a failed round (payloads only built when someone listens). */
  private announceRetry(
    call: CallPlan,
    retry: RetryState,
    choices: readonly TargetRuntime[],
    delayMs: number,
  ): void {
    const previousId = retry.previousId;
    if (previousId !== undefined) {
      const next = choices[0]?.id;
      if (next === previousId) {
        if (this.listens('retry'))
          this.events.emit('retry', {
            target: next,
            attempt: call.route.attempts.length + 1,
            delayMs: delayMs + retry.heldOffMs,
            code: retry.previousCode,
          });
      } else if (this.listens('failover'))
        this.events.emit('failover', { from: previousId, code: retry.previousCode });
    }
    retry.heldOffMs = 0;
  }

  /** Books a failed round: which targets may be retried, which are done for this call. */
  private bookFailures(call: CallPlan, run: CallRun, retry: RetryState, failures: readonly Failure[]): void {
    for (const failure of failures) {
      retry.lastError = failure.error;
      const { id, index } = failure.runtime;
      retry.previousId = id;
      retry.previousCode = failure.error.code;
      if (failure.kind === 'cancelled' || run.failure) this.throwIfStopped(run, call, failure.error);
      if (failure.kind === 'request-error') {
        attachRoute(failure.error, call.route);
        throw failure.error;
      }
      if (failure.kind === 'target-unavailable') {
        retry.giveUp(index);
        continue;
      }
      retry.failedTry(index, this.retry.maxRetriesPerTarget);
    }
  }

  /** Full-jitter backoff before the n-th try of a target (`tries` counts the failed ones). */
  private backoffMs(tries: number): number {
    return retryDelayMs({ retry: tries - 1, retryAfterMs: undefined }, this.retry, this.random) ?? 0;
  }

  /** Every candidate is at maxConcurrent (no immediate slot): queue on the best one that may be attempted. */
  private async queueForSlot(
    ordered: readonly TargetRuntime[],
    run: CallRun,
    call: CallPlan,
    extra: TargetAttempt[],
  ): Promise<Slot | undefined> {
    const best = ordered.find((runtime) => runtime.breaker.canAttempt());
    const full = ordered.map((runtime) => ({
      target: runtime.id,
      outcome: 'concurrency_limit',
      message: `${runtime.id} has ${runtime.limiter.inFlight}/${runtime.maxConcurrent} calls in flight`,
      durationMs: 0,
    }));
    if (!best) {
      extra.push(...full);
      throw this.noHealthy(call, extra, undefined);
    }
    const limiter = best.limiter;
    const remaining = run.remainingMs();
    const queueTimeoutMs = Math.min(
      this.config.queueTimeoutMs ?? 10_000,
      remaining ?? Number.POSITIVE_INFINITY,
    );
    let release: ReleaseSlot;
    try {
      release = await limiter.acquire({ signal: run.abortSignal(), timeoutMs: queueTimeoutMs });
    } catch (error) {
      this.throwIfStopped(run, call);
      const reason = error instanceof SlotUnavailable ? error.reason : 'queue_full';
      extra.push(...full, {
        target: best.id,
        outcome: reason,
        message:
          reason === 'queue_full'
            ? `${best.id} wait queue is full (${limiter.maxQueue})`
            : `${best.id} had no free slot within ${Math.round(queueTimeoutMs)} ms`,
        durationMs: reason === 'queue_timeout' ? queueTimeoutMs : 0,
      });
      throw this.noHealthy(call, extra, undefined);
    }
    const permit = best.breaker.tryAcquire();
    if (!permit) {
      release();
      return undefined;
    }
    return { runtime: best, model: this.rankedModel(best, call.taskType), permit, release };
  }

  /** The model a ranked target serves this call with (`rank` only keeps targets that have one). */
  private rankedModel(runtime: TargetRuntime, taskType: TaskType | undefined): ChatModel {
    return this.modelFor(runtime, taskType) ?? runtime.model;
  }

  /**
   * With shared state: holds the local slot until a slot of the replicas' shared cap is free too
   * (polling, within the queue deadline), and makes the slot's release free both. Redis trouble
   * never blocks here: the link answers "go ahead, local cap only" at once.
   */
  private async acquireSharedSlot(
    shared: SharedStateLink,
    slot: Slot,
    run: CallRun,
    call: CallPlan,
    extra: TargetAttempt[],
  ): Promise<void> {
    const { runtime } = slot;
    const waitMs = Math.min(
      this.config.queueTimeoutMs ?? 10_000,
      run.remainingMs() ?? Number.POSITIVE_INFINITY,
    );
    const releaseShared = await shared.acquireSlot(runtime.id, runtime.maxConcurrent ?? 0, {
      signal: run.abortSignal(),
      deadline: Date.now() + waitMs,
    });
    if (releaseShared) {
      const releaseLocal = slot.release;
      slot.release = () => {
        releaseLocal();
        releaseShared();
      };
      return;
    }
    slot.release();
    runtime.breaker.onCancel(slot.permit);
    this.throwIfStopped(run, call);
    extra.push({
      target: runtime.id,
      outcome: 'queue_timeout',
      message: `${runtime.id} had no free slot of its ${runtime.maxConcurrent} shared by every replica within ${Math.round(waitMs)} ms`,
      durationMs: waitMs,
    });
    throw this.noHealthy(call, extra, undefined);
  }

  private tryImmediateSlot(
    ordered: readonly TargetRuntime[],
    taskType: TaskType | undefined,
  ): Slot | undefined {
    for (const runtime of ordered) {
      const { limiter, breaker } = runtime;
      if (!limiter.hasCapacity()) continue;
      const permit = breaker.tryAcquire();
      if (!permit) continue;
      const release = limiter.tryAcquire();
      if (!release) {
        breaker.onCancel(permit);
        continue;
      }
      return { runtime, model: this.rankedModel(runtime, taskType), permit, release };
    }
    return undefined;
  }

  /**
   * Waits for the primary attempt, and if it is slower than `hedgeAfterMs` starts the same call
   * on the next target that has a free slot: the first to succeed wins.
   */
  private async hedgeIfSlow<T>(
    call: CallPlan,
    run: CallRun,
    primary: AttemptHandle<T>,
    ordered: readonly TargetRuntime[],
    hedgeAfterMs: number,
    execute: AttemptCall<T>,
    discard: (value: T) => Promise<void> | undefined,
  ): Promise<AttemptOutcome<T>> {
    const slot = primary.slot;
    const alternatives = ordered.filter((runtime) => runtime !== slot.runtime);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const fired = new Promise<'hedge'>((resolve) => {
      timer = setTimeout(() => resolve('hedge'), hedgeAfterMs);
    });
    const first = await Promise.race([primary.attempt.result, fired]);
    clearTimeout(timer);
    if (first !== 'hedge' || run.failure) {
      return this.settleOne(primary, await primary.attempt.result, call.kind);
    }
    let hedgeSlot =
      this.budget === undefined || this.budget.available() >= 1
        ? this.tryImmediateSlot(alternatives, call.taskType)
        : undefined;
    // A hedge never waits for a shared slot: it goes only if one of the replicas' cap is free now.
    if (hedgeSlot && this.shared && hedgeSlot.runtime.maxConcurrent !== undefined) {
      const releaseShared = await this.shared.acquireSlot(
        hedgeSlot.runtime.id,
        hedgeSlot.runtime.maxConcurrent,
        { deadline: 0 },
      );
      if (releaseShared) {
        const releaseLocal = hedgeSlot.release;
        hedgeSlot.release = () => {
          releaseLocal();
          releaseShared();
        };
      } else {
        hedgeSlot.release();
        hedgeSlot.runtime.breaker.onCancel(hedgeSlot.permit);
        hedgeSlot = undefined;
      }
    }
    // A hedge is speculative extra load, not a failover after a failure: it stays on the budget.
    if (!hedgeSlot || (this.budget && !this.budget.tryWithdraw())) {
      if (hedgeSlot) {
        hedgeSlot.release();
        hedgeSlot.runtime.breaker.onCancel(hedgeSlot.permit);
      }
      return this.settleOne(primary, await primary.attempt.result, call.kind);
    }
    if (this.listens('hedge'))
      this.events.emit('hedge', {
        primary: slot.runtime.id,
        hedge: hedgeSlot.runtime.id,
      });
    const secondary = this.startAttempt(call, run, hedgeSlot, execute, discard, true);
    const handles = [primary, secondary];
    const winner = await new Promise<{ handle: AttemptHandle<T>; result: AttemptResult<T> } | undefined>(
      (resolve) => {
        let pending = handles.length;
        for (const handle of handles) {
          void handle.attempt.result.then((result) => {
            if (result.ok) resolve({ handle, result });
            else if (--pending === 0) resolve(undefined);
          });
        }
      },
    );
    if (winner) return this.settle(handles, winner.result, winner.handle, call.kind);
    const failures: Failure[] = [];
    for (const handle of handles) {
      const result = await handle.attempt.result;
      if (!result.ok) failures.push(this.fail(handle, result.error));
    }
    return { ok: false, failures };
  }

  /** Resolves a hedged round: commits the winner, cancels the others, or reports the failure. */
  private settle<T>(
    handles: AttemptHandle<T>[],
    result: AttemptResult<T>,
    winner: AttemptHandle<T>,
    kind: CallPlan['kind'],
  ): AttemptOutcome<T> {
    if (!result.ok) return this.settleOne(winner, result, kind);
    for (const loser of handles) {
      if (loser === winner) continue;
      loser.cancelled = true;
      loser.record.outcome = 'cancelled';
      loser.record.durationMs = round(this.now() - loser.startedAt);
      loser.attempt.cancel();
      loser.slot.runtime.breaker.onCancel(loser.slot.permit);
      this.releaseWhenUpstreamSettles(loser);
    }
    return this.settleOne(winner, result, kind);
  }

  /** Resolves a round of one attempt: commits it, or books and reports its failure. */
  private settleOne<T>(
    handle: AttemptHandle<T>,
    result: AttemptResult<T>,
    kind: CallPlan['kind'],
  ): AttemptOutcome<T> {
    if (!result.ok) return { ok: false, failures: [this.fail(handle, result.error)] };
    handle.record.outcome = 'success';
    // A stream's route is shown (`onRoute`) with the time to its first token; a chat commit's
    // duration is booked by `succeed` right after, from its own reading of the clock.
    if (kind === 'stream') handle.record.durationMs = round(this.now() - handle.startedAt);
    return { ok: true, committed: { value: result.value, handle } };
  }

  private startAttempt<T>(
    call: CallPlan,
    run: CallRun,
    slot: Slot,
    execute: AttemptCall<T>,
    discard: (value: T) => Promise<void> | undefined,
    hedge: boolean,
  ): AttemptHandle<T> {
    const { runtime, model } = slot;
    // With the default clock one reading gives both starts: the `performance.now()` one (the
    // attempt timeout) and the epoch one (the route, durations). An injected clock is read apart.
    const clock = performance.now();
    const startedAt = this.clockInjected ? this.now() : timeOrigin + clock;
    const record: RouteAttempt = {
      target: runtime.id,
      outcome: 'pending',
      startedAt: round(startedAt),
      durationMs: 0,
    };
    if (hedge) record.hedge = true;
    // The first attempt replaces the route's empty list with a list of one: a push onto an empty
    // array allocates room for 17. Nothing outside the call holds the list before its first attempt.
    const attempts = call.route.attempts;
    if (attempts.length === 0) call.route.attempts = [record];
    else attempts.push(record);
    if (this.listens('attempt'))
      this.events.emit('attempt', { target: runtime.id, attempt: call.route.attempts.length, hedge });
    const attempt = new Attempt<T>(
      run,
      clock,
      call.kind === 'stream' ? this.timeouts.firstTokenTimeoutMs : this.timeouts.attemptTimeoutMs,
      runtime.id,
    );
    const options = attemptOptions(call, run, model, attempt, clock);
    attempt.begin(execute, model, options, call, this.errorOfModel);
    return { slot, record, attempt, startedAt, cancelled: false, discard };
  }

  /**
   * Frees an attempt's slot once its upstream call has really settled — not when the balancer
   * stopped waiting for it (a timeout, an abort, a lost hedge). Freeing it earlier lets more
   * requests reach the upstream than `maxConcurrent`. A value that arrives after nobody wants it
   * (a stream opened late) is closed first.
   */
  private releaseWhenUpstreamSettles<T>(handle: AttemptHandle<T>): void {
    const { attempt } = handle;
    attempt.dispose();
    const settled = attempt.settledWith;
    if (settled) {
      this.releaseAfter(handle, settled);
      return;
    }
    void attempt.upstreamSettled.then((late) => {
      this.releaseAfter(handle, late);
    });
  }

  private releaseAfter<T>(handle: AttemptHandle<T>, settled: AttemptResult<T>): void {
    const closing = settled.ok ? handle.discard(settled.value) : undefined;
    if (closing) void closing.then(handle.slot.release, handle.slot.release);
    else handle.slot.release();
  }

  /** Books a failed attempt: route, breaker, windows, metrics, events, slot. */
  private fail<T>(handle: AttemptHandle<T>, error: BallastError, release = true): Failure {
    const runtime = handle.slot.runtime;
    const kind = classifyFailure(error);
    const at = this.now();
    const durationMs = at - handle.startedAt;
    handle.record.outcome = error.code;
    handle.record.durationMs = round(durationMs);
    handle.record.message = error.message;
    if (error.retryAfterMs !== undefined) {
      handle.record.retryAfterMs = error.retryAfterMs;
      this.holdOff(runtime, error.retryAfterMs, at);
    }
    if (release) this.releaseWhenUpstreamSettles(handle);
    const breaker = runtime.breaker;
    if (kind === 'cancelled') breaker.onCancel(handle.slot.permit);
    else {
      if (kind === 'request-error') breaker.onSuccess(handle.slot.permit);
      else {
        runtime.outcomes.add(false, at);
        if (error.code === 'timeout') runtime.latency.add(durationMs, at);
        this.shared?.recordOutcome(
          runtime.id,
          false,
          error.code === 'timeout' ? durationMs : undefined,
          Date.now(),
        );
        // One reading of the clock (`at`) books the failure everywhere, as `succeed` does.
        breaker.onFailure(
          handle.slot.permit,
          {
            code: error.code,
            targetUnavailable: kind === 'target-unavailable',
            retryAfterMs: error.retryAfterMs,
          },
          at,
        );
      }
      this.metrics.record(
        this.metricKeys(handle),
        {
          success: false,
          code: error.code,
          latencyMs: durationMs,
        },
        at,
      );
      if (this.listens('failure'))
        this.events.emit('failure', { target: runtime.id, code: error.code, durationMs, error });
    }
    return { runtime, error, kind };
  }

  /** Books a successful attempt (for streams: when the stream finished). The caller frees the slot. */
  private succeed<T>(
    handle: AttemptHandle<T>,
    result: ChatResult,
    timeToFirstTokenMs: number | undefined,
    at = this.now(),
  ): number | undefined {
    const { runtime, model } = handle.slot;
    const durationMs = at - handle.startedAt;
    handle.record.durationMs = round(durationMs);
    runtime.latency.add(durationMs, at);
    if (timeToFirstTokenMs !== undefined) runtime.ttft.add(timeToFirstTokenMs, at);
    runtime.outcomes.add(true, at);
    this.shared?.recordOutcome(runtime.id, true, durationMs, Date.now());
    runtime.breaker.onSuccess(handle.slot.permit, at);
    const costUsd = result.costUsd ?? computeCostUsd(modelInfoOf(runtime, model)?.price, result.usage);
    this.metrics.record(
      this.metricKeys(handle),
      {
        success: true,
        latencyMs: durationMs,
        timeToFirstTokenMs,
        inputTokens: result.usage.inputTokens,
        outputTokens: result.usage.outputTokens,
        costUsd,
      },
      at,
    );
    if (this.listens('success')) this.events.emit('success', { target: runtime.id, durationMs, costUsd });
    return costUsd;
  }

  private metricKeys<T>(handle: AttemptHandle<T>): MetricKeys {
    const { runtime, model } = handle.slot;
    return (
      modelInfoOf(runtime, model)?.metricKeys ?? {
        target: runtime.id,
        model: `${model.provider}:${model.modelId}`,
      }
    );
  }

  // ---------------------------------------------------------------------------------------------
  // Streams

  /**
   * @internal The first request of a stream (see {@link BalancedStream}): routes the call up to its
   * first content chunk and hands the committed attempt to the stream, in the attempt loop's frame.
   * A call that fails there is booked by `route`, its run disposed.
   */
  startStream(stream: BalancedStream<StreamHandle>): Promise<IteratorResult<BalancedChatChunk, undefined>> {
    let run: CallRun;
    let call: CallPlan;
    try {
      const startedAt = performance.now();
      run = this.createRun(stream.options, startedAt);
      call = this.plan(stream.request, stream.options, 'stream', startedAt);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.route(call, run, this.streamAttempt, closeOpenedStream, stream, beginStream);
  }

  /** @internal Books a stream that finished; returns its `finish` chunk. */
  finishStream(stream: BalancedStream<StreamHandle>, result: ChatResult): BalancedChatChunk {
    stream.settled = true;
    const { timeToFirstTokenMs } = stream;
    // One reading of the clock books the attempt and the call (see `clockReading`).
    const clock = performance.now();
    const at = this.clockReading(clock);
    const costUsd = this.succeed(stream.handle, result, timeToFirstTokenMs, at);
    this.metrics.recordCall(
      {
        success: true,
        latencyMs: clock - stream.startedAt,
        timeToFirstTokenMs,
        inputTokens: result.usage.inputTokens,
        outputTokens: result.usage.outputTokens,
        costUsd,
      },
      at,
    );
    const balanced = withRoute(result, stream.route);
    balanced.timeToFirstTokenMs ??= timeToFirstTokenMs;
    if (result.costUsd === undefined && costUsd !== undefined) balanced.costUsd = costUsd;
    return { type: 'finish', result: balanced };
  }

  /** @internal Books a stream that failed after its first token (the stream frees the slot). */
  failStream(stream: BalancedStream<StreamHandle>, error: BallastError): void {
    stream.settled = true;
    this.fail(stream.handle, error, false);
    this.metrics.recordCall({
      success: false,
      code: error.code,
      latencyMs: performance.now() - stream.startedAt,
      timeToFirstTokenMs: stream.timeToFirstTokenMs,
    });
  }

  /**
   * @internal Books a stream nobody reads to the end: cancelled by its consumer, or past its
   * deadline (the stream closes its upstream).
   */
  abandonStream(stream: BalancedStream<StreamHandle>, code: string): void {
    if (stream.settled) return;
    stream.settled = true;
    const { handle, timeToFirstTokenMs } = stream;
    const durationMs = this.now() - handle.startedAt;
    handle.record.outcome = code;
    handle.record.durationMs = round(durationMs);
    handle.attempt.cancel();
    handle.slot.runtime.breaker.onCancel(handle.slot.permit);
    this.metrics.record(this.metricKeys(handle), {
      success: false,
      code,
      latencyMs: durationMs,
      timeToFirstTokenMs,
    });
    this.metrics.recordCall({
      success: false,
      code,
      latencyMs: performance.now() - stream.startedAt,
      timeToFirstTokenMs,
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  /**
   * Whether anything listens to `event`. Most balancers have no listeners at all: then the
   * emitter's own count of events with listeners (eventemitter3's `_eventsCount`, 0) answers with
   * one field read, where `listenerCount` is a keyed lookup by event name (megamorphic: one call
   * site serves every event) at each of a call's 3–6 emit sites. Should that field ever be missing,
   * `listenerCount` answers as before.
   */
  private capabilityMaskOf(capabilities: ReadonlySet<string>): number {
    let mask = 0;
    for (const capability of capabilities) {
      let bit = this.capabilityBits.get(capability);
      if (bit === undefined) {
        if (this.capabilityBits.size >= capabilityBitLimit) {
          this.capabilityBitsFull = true;
          continue;
        }
        bit = 1 << this.capabilityBits.size;
        this.capabilityBits.set(capability, bit);
      }
      mask |= bit;
    }
    return mask;
  }

  /** `needs` as capability bits (see {@link CallPlan.needMask}). */
  private needMaskOf(needs: readonly string[]): number {
    if (needs.length === 0) return 0;
    if (this.capabilityBitsFull) return -1;
    let mask = 0;
    for (const need of needs) mask |= this.capabilityBits.get(need) ?? unknownCapability;
    return mask;
  }

  private listens(event: keyof BalancerEvents): boolean {
    if ((this.events as unknown as { _eventsCount?: number })._eventsCount === 0) return false;
    return this.events.listenerCount(event) > 0;
  }

  /** The lifetime of one call: its caller's signal and its deadline (default 120 s). */
  private createRun(options: BalancerCallOptions | undefined, startedAt: number): CallRun {
    const timeoutMs = options?.timeoutMs ?? this.timeouts.timeoutMs;
    if (!(Number.isFinite(timeoutMs) && timeoutMs > 0)) {
      throw new ValidationError({
        message: `timeoutMs must be a positive number of milliseconds, got ${String(timeoutMs)}`,
        issues: [{ path: 'timeoutMs', message: 'must be a positive finite number' }],
      });
    }
    return new CallRun(options?.signal, timeoutMs, startedAt + timeoutMs, this.sweep);
  }

  /**
   * The balancer's clock at `performance.now()` reading `clock`: the default clock is
   * `timeOrigin + performance.now()`, so one reading serves both (an injected clock is read).
   */
  private clockReading(clock: number): number {
    return this.clockInjected ? this.now() : timeOrigin + clock;
  }

  private throwIfStopped(run: CallRun, call: CallPlan, fallback?: BallastError): void {
    const failure = run.check() ?? (fallback?.code === 'aborted' ? fallback : undefined);
    if (!failure) return;
    attachRoute(failure, call.route);
    throw failure;
  }

  private async sleep(ms: number, run: CallRun, call: CallPlan): Promise<void> {
    try {
      await run.sleep(ms);
    } catch (failure) {
      attachRoute(failure, call.route);
      throw failure;
    }
  }

  /** The targets this call never attempted, with the last reason each was skipped. */
  private finalizeSkipped(call: CallPlan): void {
    if (call.skipped === undefined) return;
    const attempted = new Set(call.route.attempts.map((attempt) => attempt.target));
    call.route.skipped = [...call.skipped.values()].filter((entry) => !attempted.has(entry.target));
  }

  private noHealthy(
    call: CallPlan,
    extra: TargetAttempt[],
    cause: BallastError | undefined,
  ): NoHealthyTargetError {
    const route = call.route;
    this.finalizeSkipped(call);
    const attempts: TargetAttempt[] = [
      ...route.attempts.map((attempt) => ({
        target: attempt.target,
        outcome: attempt.outcome,
        message: attempt.message ?? attempt.outcome,
        durationMs: attempt.durationMs,
      })),
      ...route.skipped.map((entry) => ({
        target: entry.target,
        outcome: entry.reason,
        message: entry.message,
        durationMs: 0,
      })),
      ...extra,
    ];
    if (attempts.length === 0) {
      attempts.push({ target: '*', outcome: 'no_candidates', message: 'no target matched', durationMs: 0 });
    }
    const summary = attempts.map((attempt) => `${attempt.target}: ${attempt.outcome}`).join(', ');
    const retryAfters = route.attempts
      .map((attempt) => attempt.retryAfterMs)
      .filter((value): value is number => value !== undefined);
    const error = new NoHealthyTargetError({
      message: `${this.modelId}: no target could serve the call (${summary})`,
      attempts,
      ...(retryAfters.length > 0 ? { retryAfterMs: Math.min(...retryAfters) } : {}),
      ...(cause ? { cause } : {}),
    });
    attachRoute(error, route);
    return error;
  }

  /** {@link LoadBalancer.toBallastError} bound once, for attempts (no closure per attempt). */
  private readonly errorOfModel = (error: unknown, model: ChatModel): BallastError =>
    this.toBallastError(error, model);

  /** @internal What the balancer throws for whatever a model (or a host callback) threw. */
  toBallastError(error: unknown, model?: ChatModel): BallastError {
    if (BallastError.isInstance(error)) return error;
    return new ApiCallError({
      message: `${model ? `${model.provider}:${model.modelId}` : this.modelId} threw: ${
        error instanceof Error ? error.message : String(error)
      }`,
      code: 'api_error',
      provider: model?.provider ?? 'balancer',
      modelId: model?.modelId,
      isRetryable: true,
      cause: error,
    });
  }
}

/**
 * `{ ...result, route }`, built as `{ route, ...result }` and then assigned. On Node 20's V8 a
 * spread followed by another property gives every object a hidden class of its own (measured:
 * ~500 bytes and ~2 µs a call, and maps in old space for the GC); with the key first the shape
 * is shared. Assigned after the spread, our `route` still wins over a nested balancer's own.
 */
function withRoute(result: ChatResult, route: Route): BalancedChatResult {
  const balanced: BalancedChatResult = { route, ...result };
  balanced.route = route;
  return balanced;
}

/** A chat call's attempt (see {@link chatAdapted}). */
function chatAttempt(model: ChatModel, options: BalancerCallOptions, call: CallPlan): Promise<ChatResult> {
  return chatAdapted(model, call.request, options);
}

/**
 * What a stream call does with its committed attempt: past the first token there is no failover,
 * so the first-token timeout no longer applies (the call's deadline still does), and the stream
 * goes on with it.
 */
function beginStream(
  committed: Committed<OpenedStream>,
  call: CallPlan,
  run: CallRun,
  stream: BalancedStream<StreamHandle>,
): IteratorResult<BalancedChatChunk, undefined> {
  const { handle, value } = committed;
  handle.attempt.commit();
  return stream.begin(
    handle,
    value.iterator,
    value.buffered,
    call.route,
    run,
    call.startedAt,
    value.firstTokenAt - handle.startedAt,
  );
}

/**
 * One chat attempt, with a JSON request adapted to this target's strongest native mode. Not an
 * async function: a plain request goes straight to the model without another promise (a
 * synchronous throw is turned into a rejection by the attempt).
 */
function chatAdapted(
  model: ChatModel,
  request: ChatRequest,
  options: BalancerCallOptions,
): Promise<ChatResult> {
  // A request without a JSON response format goes as it is (no prepared request to build).
  if (request.responseFormat?.type !== 'json') return model.chat(request, options);
  const prepared = prepareStructuredRequest(request, model.capabilities);
  if (prepared.mode === undefined) return model.chat(request, options);
  return model.chat(prepared.request, options).then((result) => restoreStructuredResult(result, prepared));
}

/** Opens a stream and reads it up to its first content chunk (the failover point). */
async function openStream(
  model: ChatModel,
  request: ChatRequest,
  options: BalancerCallOptions,
  now: () => number,
): Promise<OpenedStream> {
  const prepared = prepareStructuredRequest(request, model.capabilities);
  const chunks = model.stream(prepared.request, options);
  const iterator = (prepared.mode === undefined ? chunks : restoreStructuredStream(chunks, prepared))[
    Symbol.asyncIterator
  ]();
  const buffered: ChatChunk[] = [];
  try {
    while (true) {
      const next = await iterator.next();
      if (next.done) {
        throw new ApiCallError({
          message: `${model.provider}:${model.modelId} stream ended before any content`,
          code: 'invalid_response',
          provider: model.provider,
          modelId: model.modelId,
          isRetryable: true,
        });
      }
      buffered.push(next.value);
      const chunk = next.value;
      if (chunk.type !== 'text-delta' || chunk.text.length > 0)
        return { iterator, buffered, firstTokenAt: now() };
    }
  } catch (error) {
    // Settle only once the upstream stream is closed: the attempt's slot is freed then.
    await Promise.resolve(iterator.return?.()).catch(noop);
    throw error;
  }
}

/** Closes a stream that opened after nobody wanted it (a lost hedge, a timed-out attempt). */
function closeOpenedStream(opened: OpenedStream): Promise<void> {
  return Promise.resolve(opened.iterator.return?.()).then(noop, noop);
}

/** A chat result needs no closing. */
function noDiscard(): undefined {
  return undefined;
}

const attemptKey = Symbol('ballast.attempt');

/** What the shared `signal` getter needs of an attempt. */
type AttemptCallOptions = BalancerCallOptions & { [attemptKey]: { signal(): AbortSignal } };

/**
 * `signal` of every attempt's options: one shared getter, so all options objects share one
 * hidden class. (A getter written in an object literal is a new function per call, and V8 then
 * gives every object its own map in old space: measured, it tripled full GCs.)
 */
const signalProperty: PropertyDescriptor = {
  get(this: AttemptCallOptions): AbortSignal {
    return this[attemptKey].signal();
  },
  enumerable: true,
  configurable: true,
};

/**
 * The options one attempt hands its model. `signal` is an own enumerable getter (so a wrapper
 * that spreads the options still gets it) that builds the attempt's AbortController on first
 * read: a model that never reads it never pays for it.
 */
function attemptOptions<T>(
  call: CallPlan,
  run: CallRun,
  model: ChatModel,
  attempt: Attempt<T>,
  clock: number,
): BalancerCallOptions {
  const options: AttemptCallOptions = { [attemptKey]: attempt };
  Object.defineProperty(options, 'signal', signalProperty);
  if (run.deadline !== undefined) options.timeoutMs = Math.max(1, run.deadline - clock);
  if (call.headers) options.headers = call.headers;
  if (model.provider === 'balancer' && Object.keys(call.routing).length > 0) {
    const { strategy: _strategy, preferredProvider: _preferred, ...forwarded } = call.routing;
    options.routing = forwarded;
  }
  return options;
}

/** What the balancer knows of one of a target's models (the target's own model without a lookup). */
function modelInfoOf(runtime: TargetRuntime, model: ChatModel): ModelInfo | undefined {
  return model === runtime.model ? runtime.primary : runtime.models.get(model);
}

/** A target's pooled candidate, before its first ranking. */
function emptyCandidate(runtime: TargetRuntime): Candidate {
  return {
    runtime,
    model: runtime.model,
    index: runtime.index,
    weight: runtime.weight,
    priority: runtime.priority,
    expectedCostUsd: undefined,
    expectedLatencyMs: undefined,
    utilization: 0,
    successes: 0,
    failures: 0,
    inFlight: 0,
    maxConcurrent: runtime.maxConcurrent,
    total: 0,
    // Its own object: `scoreInPlace` writes the terms into it on every ranking.
    components: { cost: 0, latency: 0, reliability: 0, load: 0, priority: 0 },
  };
}

/** Capabilities with a bit of their own; a balancer whose targets have more checks the sets. */
const capabilityBitLimit = 30;
/** The bit of a need no target's model has: no model's mask holds it. */
const unknownCapability = 1 << capabilityBitLimit;

/** Whether `capabilities` holds every need (without building the list of missing ones). */
function hasAll(capabilities: ReadonlySet<string> | undefined, needs: readonly string[]): boolean {
  for (const need of needs) if (!capabilities?.has(need)) return false;
  return true;
}
