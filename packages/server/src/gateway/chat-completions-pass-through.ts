import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type Balancer,
  classifyFailure,
  type RetryBudget,
  type RetryPolicyOptions,
  retryDelayMs,
  type Selection,
} from '@ballast/balancer';
import {
  type BallastError,
  computeCostUsd,
  fromOpenAIFormatUsage,
  type ModelPrice,
  NoHealthyTargetError,
} from '@ballast/core';
import type { Logger } from 'pino';
import type { createApiKeyVerifier } from '../http/api-keys';
import type { createCors } from '../http/cors';
import { HttpError, toHttpError } from '../http/http-error';
import { acceptsJsonBody, parseWith } from '../http/json';
import type { RateLimiter } from '../http/rate-limiter';
import { readNodeBody } from '../http/read-node-body';
import type { NodeRequestHandler } from '../http/serve-node';
import type { GatewayMetrics } from '../metrics/gateway-metrics';
import { chatCompletionRequestSchema } from './chat-completion-request';
import type { RoutingDecision } from './chat-completions';
import type { ModelCatalog } from './model-catalog';
import { type AttemptOutcome, runPassThroughAttempt } from './pass-through-attempt';
import type { PassThroughClient } from './pass-through-upstream';

/** What the pass-through fast path needs (the gateway wires the same objects its Fetch app uses). */
export interface PassThroughDependencies {
  balancer: () => Balancer;
  catalog: ModelCatalog;
  /** A client per target that has an OpenAI-compatible `passThrough` endpoint. */
  clients: ReadonlyMap<string, PassThroughClient>;
  /** The price of each target (cost of a call from its usage). */
  prices: ReadonlyMap<string, ModelPrice | undefined>;
  keys: ReturnType<typeof createApiKeyVerifier>;
  rateLimiter: RateLimiter;
  requestsPerMinute: number | undefined;
  cors: ReturnType<typeof createCors>;
  basePath: string;
  maxBodyBytes: number;
  isDraining: () => boolean;
  retry: Required<Pick<RetryPolicyOptions, 'maxAttempts' | 'maxRetriesPerTarget'>> &
    Required<Pick<RetryPolicyOptions, 'baseDelayMs' | 'maxDelayMs' | 'maxRetryAfterMs'>>;
  budget: RetryBudget | undefined;
  /** HTTP series and the in-flight gauge. */
  metrics: GatewayMetrics;
  /** Per-call LLM series (and the store's metrics rows). */
  observeCall: GatewayMetrics['observeCall'];
  /** The same bookkeeping as the balancer's `failure` and `failover` events. */
  attemptFailed: (target: string, code: string, durationMs: number) => void;
  failedOver: (from: string, code: string) => void;
  /** The same bookkeeping as the balancer's `retry` event (a re-try of the same target). */
  retried: (target: string, attempt: number, delayMs: number, code: string) => void;
  /** Routing audit (events and the store's audit log); `wanted()` false skips building it. */
  decisions: { wanted: () => boolean; record: (decision: RoutingDecision) => void };
  logger: Logger;
  knownSecrets: ReadonlyArray<string | undefined>;
  streams: { open: number };
}

const route = '/v1/chat/completions';
const safeRequestId = /^[\w.:-]{1,128}$/;

/**
 * `POST /v1/chat/completions` straight on `node:http` for models whose every target speaks the
 * OpenAI wire format (a `passThrough` endpoint): the body is read and validated once (the same
 * zod schema as the Fetch route, about 2 µs for a typical body), the balancer picks a target and
 * counts the call with a lease, the body goes to the upstream with only `model` (and for streams
 * `stream_options.include_usage`) rewritten, and the upstream's bytes are relayed as they arrive.
 * Failover happens until the first event is in hand, so the client never sees it; an error after
 * it becomes an SSE `error` event. API keys, per-key rate limits, the body limit, drain, CORS,
 * request ids, HTTP and LLM metrics, tokens, cost, the routing audit and one log line per request
 * all hold as on the Fetch route. Requests with `session_id` or `rag_collection`, and models with
 * any target that is not OpenAI-compatible, go to the Fetch route (`fallback`).
 */
export function createChatCompletionsPassThrough(deps: PassThroughDependencies): NodeRequestHandler {
  const path = `${deps.basePath}${route}`;
  return (incoming, outgoing, signal, fallback) => {
    if (incoming.method !== 'POST') return false;
    const url = incoming.url ?? '';
    if (url !== path && !(url.startsWith(path) && url.charCodeAt(path.length) === 63)) return false;
    void serve(deps, incoming, outgoing, signal, fallback).catch((error: unknown) => {
      deps.logger.error({ err: { name: (error as Error).name } }, 'pass-through failed');
      if (!outgoing.headersSent) outgoing.writeHead(500).end();
      else outgoing.destroy();
    });
    return true;
  };
}

/** Whether the Fetch route must serve this body: memory or RAG, or a target off the wire format. */
function needsFetchRoute(deps: PassThroughDependencies, value: unknown): boolean {
  if (!value || typeof value !== 'object') return false;
  const body = value as Record<string, unknown>;
  if (body.session_id !== undefined || body.rag_collection !== undefined) return true;
  if (typeof body.model !== 'string') return false;
  let targets: string[];
  try {
    targets = deps.catalog.resolve(body.model).targets;
  } catch {
    return false;
  }
  return targets.some((target) => !deps.clients.has(target));
}

async function serve(
  deps: PassThroughDependencies,
  incoming: IncomingMessage,
  outgoing: ServerResponse,
  signal: AbortSignal,
  fallback: (body: Buffer) => Promise<void>,
): Promise<void> {
  const startedAt = performance.now();
  const given = incoming.headers['x-request-id'];
  const requestId = typeof given === 'string' && safeRequestId.test(given) ? given : randomUUID();
  const cors = deps.cors.headersFor(incoming.headers.origin);
  const read = await readNodeBody(incoming, deps.maxBodyBytes).catch(() => undefined);
  if (!read) return; // the client went away mid-body
  let value: unknown;
  let isJson = read.kind === 'read';
  if (read.kind === 'read')
    try {
      value = JSON.parse(read.bytes.toString('utf8'));
    } catch {
      isJson = false;
    }
  if (read.kind === 'read' && isJson && needsFetchRoute(deps, value)) return fallback(read.bytes);

  deps.metrics.httpInFlight.inc(1);
  const exchange: Exchange = { deps, outgoing, requestId, cors, startedAt, keyId: 'anonymous', done: false };
  try {
    // The order of checks is the Fetch app's: drain, key, rate limit, then the body.
    if (deps.isDraining())
      throw new HttpError(503, 'shutting_down', 'The server is shutting down', {
        headers: { 'retry-after': '1', connection: 'close' },
      });
    const caller = deps.keys.authenticate({ headers: { get: (name) => headerOf(incoming, name) } });
    exchange.keyId = caller.keyId;
    deps.rateLimiter.take(caller.keyId, caller.requestsPerMinute ?? deps.requestsPerMinute);
    if (!acceptsJsonBody(incoming.headers['content-type']))
      throw new HttpError(415, 'unsupported_media_type', 'The request body must be application/json');
    if (read.kind === 'too-large')
      throw new HttpError(
        413,
        'payload_too_large',
        `The request body is larger than ${deps.maxBodyBytes} bytes`,
        {
          headers: { connection: 'close' },
        },
      );
    // The parser's message quotes the input, which may hold a secret: report no text.
    if (!isJson) throw new HttpError(400, 'invalid_json', 'The request body is not valid JSON');
    const body = parseWith(chatCompletionRequestSchema, value, 'body');
    const resolved = deps.catalog.resolve(body.model);
    await routeCall(exchange, value as Record<string, unknown>, {
      requestedModel: body.model,
      tag: resolved.tag,
      stream: body.stream === true,
      includeUsage: body.stream_options?.include_usage === true,
      maxTokens: body.max_completion_tokens ?? body.max_tokens ?? undefined,
      signal,
    });
  } catch (error) {
    writeError(exchange, error);
  }
}

/** One request's response state. */
interface Exchange {
  deps: PassThroughDependencies;
  outgoing: ServerResponse;
  requestId: string;
  cors: Record<string, string> | undefined;
  startedAt: number;
  keyId: string;
  /** The response head is written (HTTP metrics and the in-flight gauge are settled). */
  done: boolean;
  status?: number;
}

function headerOf(incoming: IncomingMessage, name: string): string | null {
  const value = incoming.headers[name];
  if (value === undefined) return null;
  if (Array.isArray(value)) return value.join(', ');
  // Node keeps only the first of repeated Authorization headers; the Fetch route sees them all
  // joined (and refuses them as malformed): do the same here.
  if (name === 'authorization') {
    const raw = incoming.rawHeaders;
    const all: string[] = [];
    for (let index = 0; index + 1 < raw.length; index += 2)
      if (raw[index]!.length === 13 && raw[index]!.toLowerCase() === 'authorization')
        all.push(raw[index + 1]!);
    if (all.length > 1) return all.join(', ');
  }
  return value;
}

/**
 * Settles the HTTP series at the response head, as the Fetch app does when it returns; the
 * prom-client calls wait until the head has left (they cost more than the rest of this path).
 */
function settleHead(exchange: Exchange, status: number): void {
  if (exchange.done) return;
  exchange.done = true;
  exchange.status = status;
  const seconds = (performance.now() - exchange.startedAt) / 1000;
  const { metrics } = exchange.deps;
  setImmediate(() => {
    metrics.httpInFlight.dec(1);
    metrics.observeHttp(route, 'POST', status, seconds);
  });
}

function writeError(exchange: Exchange, error: unknown): void {
  const { deps, outgoing } = exchange;
  const http = toHttpError(error, deps.knownSecrets);
  settleHead(exchange, http.status);
  if (http.status >= 500)
    deps.logger.error(
      { requestId: exchange.requestId, route, err: { name: http.name, code: http.code } },
      'request failed',
    );
  logRequest(exchange, undefined);
  if (outgoing.headersSent || outgoing.destroyed) return;
  const payload = JSON.stringify({
    error: {
      code: http.code,
      message: http.message,
      ...(http.issues?.length ? { issues: http.issues } : {}),
    },
  });
  outgoing.writeHead(http.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
    'x-request-id': exchange.requestId,
    ...http.headers,
    ...exchange.cors,
  });
  outgoing.end(payload);
}

/** The one log line of a request (built only when `info` is on). */
function logRequest(exchange: Exchange, call: Record<string, unknown> | undefined): void {
  const { logger } = exchange.deps;
  if (!logger.isLevelEnabled('info')) return;
  logger.info(
    {
      requestId: exchange.requestId,
      method: 'POST',
      route,
      status: exchange.status,
      keyId: exchange.keyId,
      durationMs: Math.round((performance.now() - exchange.startedAt) * 100) / 100,
      ...call,
    },
    'request',
  );
}

interface RouteInput {
  requestedModel: string;
  tag: string | undefined;
  stream: boolean;
  includeUsage: boolean;
  maxTokens: number | undefined;
  signal: AbortSignal;
}

interface Attempted {
  target: string;
  outcome: string;
  durationMs: number;
}

/**
 * Picks targets with the balancer and runs attempts until one commits: a failover on
 * `target-unavailable` and retryable failures (to the next candidate by priority tier, then score, or the same
 * target after the policy's backoff when none is left), none on request errors.
 */
async function routeCall(
  exchange: Exchange,
  body: Record<string, unknown>,
  input: RouteInput,
): Promise<void> {
  const { deps } = exchange;
  const balancer = deps.balancer();
  const state = newRouteState(exchange.startedAt + balancer.timeouts.timeoutMs);
  deps.budget?.recordRequest();
  const bodyFor = upstreamBodies(body, input.stream);

  for (let attempt = 0; attempt < deps.retry.maxAttempts; attempt++) {
    const target =
      attempt === 0
        ? firstTarget(exchange, balancer, input, state)
        : await nextAttemptTarget(deps, balancer, input, state);
    if (target === undefined) break;
    state.targetId = target;
    const { lease, outcome } = await attemptOn(exchange, balancer, input, state, target, bodyFor);
    if (outcome.kind === 'failed') {
      const mayTryAgain = bookFailedAttempt(deps, state, target, lease, outcome);
      if (!mayTryAgain) break;
      continue;
    }
    if (outcome.kind === 'cancelled') {
      endCancelled(exchange, input, state, target, lease, outcome.durationMs);
      return;
    }
    if (outcome.kind === 'broken') {
      endBroken(exchange, input, state, target, lease, outcome);
      return;
    }
    if (input.stream) deps.streams.open--;
    // The books are kept after the answer has left: `end()` only flushes the socket on the next
    // tick, so anything run now (balancer record, metrics, audit, the log line) would delay it.
    setImmediate(() => bookSuccess(exchange, input, state, target, lease, outcome));
    return;
  }
  throw unservedError(exchange, input, state);
}

type Lease = ReturnType<Balancer['acquire']>;

function newRouteState(deadline: number): RouteState {
  return {
    deadline,
    attempts: [],
    excluded: new Set(),
    retries: new Map(),
    candidates: undefined,
    selection: undefined,
    lastError: undefined,
    targetId: undefined,
  };
}

/** One attempt on a target: a lease taken, then the body sent within what is left of the deadline. */
async function attemptOn(
  exchange: Exchange,
  balancer: Balancer,
  input: RouteInput,
  state: RouteState,
  target: string,
  bodyFor: (modelId: string) => Buffer,
): Promise<{ lease: Lease; outcome: AttemptOutcome }> {
  const { deps } = exchange;
  const model = deps.catalog.target(target)!.model;
  const lease = balancer.acquire(target);
  const left = state.deadline - performance.now();
  const outcome = await runPassThroughAttempt({
    client: deps.clients.get(target)!,
    provider: model.provider,
    modelId: model.modelId,
    body: bodyFor(model.modelId),
    stream: input.stream,
    dropUsageEvent: !input.includeUsage,
    signal: input.signal,
    firstByteTimeoutMs: Math.max(
      1,
      Math.min(
        input.stream ? balancer.timeouts.firstTokenTimeoutMs : balancer.timeouts.attemptTimeoutMs,
        left,
      ),
    ),
    totalTimeoutMs: Math.max(1, left),
    secrets: deps.knownSecrets,
    commit: (contentType, contentLength) => writeHead(exchange, input, target, contentType, contentLength),
  });
  return { lease, outcome };
}

/**
 * Books an attempt that failed before anything reached the client, and says whether the call may
 * try again: not when it was cancelled or the request itself is at fault (every target would
 * refuse it); an unavailable target is not tried again in this call.
 */
function bookFailedAttempt(
  deps: PassThroughDependencies,
  state: RouteState,
  target: string,
  lease: Lease,
  outcome: Extract<AttemptOutcome, { kind: 'failed' }>,
): boolean {
  const code = outcome.error.code;
  state.attempts.push({ target, outcome: code, durationMs: outcome.durationMs });
  lease.release({
    outcome: 'failure',
    latencyMs: outcome.durationMs,
    errorCode: code,
    ...(outcome.error.retryAfterMs === undefined ? {} : { retryAfterMs: outcome.error.retryAfterMs }),
  });
  deps.attemptFailed(target, code, outcome.durationMs);
  state.lastError = outcome.error;
  const kind = classifyFailure(outcome.error);
  if (kind === 'cancelled' || kind === 'request-error') return false;
  if (kind === 'target-unavailable') state.excluded.add(target);
  return true;
}

/**
 * The client went away (or the server shut down): before the head the call is a 499, after it the
 * stream closes; either way it is booked as `client_disconnected`.
 */
function endCancelled(
  exchange: Exchange,
  input: RouteInput,
  state: RouteState,
  target: string,
  lease: Lease,
  durationMs: number,
): void {
  const { deps } = exchange;
  lease.release();
  state.attempts.push({ target, outcome: 'cancelled', durationMs });
  if (exchange.done) {
    if (input.stream) deps.streams.open--;
    deps.logger.info({ requestId: exchange.requestId }, 'client disconnected mid-stream');
  } else settleHead(exchange, 499);
  finish(exchange, input, state.attempts, state.selection, target, undefined, 'client_disconnected');
  logRequest(exchange, { target, attempts: state.attempts.length, outcome: 'client_disconnected' });
}

/** A stream that broke after its first event (the client got an SSE `error`): a failure of its target. */
function endBroken(
  exchange: Exchange,
  input: RouteInput,
  state: RouteState,
  target: string,
  lease: Lease,
  outcome: Extract<AttemptOutcome, { kind: 'broken' }>,
): void {
  const { deps } = exchange;
  state.attempts.push({ target, outcome: outcome.error.code, durationMs: outcome.durationMs });
  lease.release({ outcome: 'failure', latencyMs: outcome.durationMs, errorCode: outcome.error.code });
  deps.attemptFailed(target, outcome.error.code, outcome.durationMs);
  deps.streams.open--;
  deps.logger.warn(
    { requestId: exchange.requestId, code: outcome.error.code },
    'stream failed after the first token',
  );
  const code = toHttpError(outcome.error).code;
  finish(exchange, input, state.attempts, state.selection, target, undefined, code);
  logRequest(exchange, { target, attempts: state.attempts.length, outcome: code });
}

/**
 * The error of a call nothing committed, booked: a request error as it is (every target would
 * refuse it), else one that lists every attempt.
 */
function unservedError(exchange: Exchange, input: RouteInput, state: RouteState): BallastError {
  const { lastError, attempts } = state;
  const error =
    lastError && classifyFailure(lastError) === 'request-error'
      ? lastError
      : new NoHealthyTargetError({
          message: `No target could serve the call: ${attempts.map((item) => `${item.target} (${item.outcome})`).join(', ')}`,
          attempts: attempts.map((item) => ({ ...item, message: item.outcome })),
          ...(lastError?.retryAfterMs === undefined ? {} : { retryAfterMs: lastError.retryAfterMs }),
        });
  finish(exchange, input, attempts, state.selection, 'none', undefined, toHttpError(error).code);
  return error;
}

/** What one call's attempts share while {@link routeCall} fails over. */
interface RouteState {
  deadline: number;
  attempts: Attempted[];
  /** Targets that must not be tried again in this call (unavailable, or refused by their breaker). */
  excluded: Set<string>;
  /** Re-tries per target, against `retry.maxRetriesPerTarget`. */
  retries: Map<string, number>;
  /** The failover order, built when the first attempt fails. */
  candidates: string[] | undefined;
  selection: Selection | undefined;
  lastError: BallastError | undefined;
  targetId: string | undefined;
}

/**
 * The upstream body for a model id, built once per id: `model` rewritten, `metadata` dropped, and
 * for streams `include_usage` asked for.
 */
function upstreamBodies(body: Record<string, unknown>, stream: boolean): (modelId: string) => Buffer {
  const built = new Map<string, Buffer>();
  return (modelId) => {
    let bytes = built.get(modelId);
    if (!bytes) {
      // `metadata` annotates the call for the gateway's own records (the SDK route ignores it too);
      // OpenAI refuses it unless `store` is set, so it is never forwarded.
      const { metadata: _annotations, ...forwarded } = body;
      forwarded.model = modelId;
      // Usage is asked for on the client's behalf: tokens and cost are counted from it.
      if (stream)
        forwarded.stream_options = {
          ...(body.stream_options as Record<string, unknown> | undefined),
          include_usage: true,
        };
      bytes = Buffer.from(JSON.stringify(forwarded), 'utf8');
      built.set(modelId, bytes);
    }
    return bytes;
  };
}

/** The balancer's pick for the first attempt (a refusal is the call's error, booked first). */
function firstTarget(exchange: Exchange, balancer: Balancer, input: RouteInput, state: RouteState): string {
  try {
    state.selection = balancer.select({
      ...(input.tag ? { requiredCapabilities: [input.tag] } : {}),
      ...(input.maxTokens === undefined ? {} : { maxTokens: input.maxTokens }),
      stream: input.stream,
    });
  } catch (error) {
    finish(exchange, input, state.attempts, undefined, 'none', undefined, toHttpError(error).code);
    throw error;
  }
  return state.selection.targetId;
}

/**
 * The target of a re-try: the next candidate in failover order, else the same target after the
 * retry policy's wait; `undefined` when the call must stop (nobody left, the deadline, the budget).
 */
async function nextAttemptTarget(
  deps: PassThroughDependencies,
  balancer: Balancer,
  input: RouteInput,
  state: RouteState,
): Promise<string | undefined> {
  const previous = state.targetId!;
  state.candidates ??= failoverOrder(balancer, state.selection!, previous);
  const target = nextTarget(balancer, state.candidates, state.excluded, input.stream);
  // A target this call has not tried is never charged to the retry budget, as in the balancer:
  // during a partial outage a healthy target must always get its chance.
  if (target) {
    deps.failedOver(previous, state.lastError!.code);
    return target;
  }
  return retrySameTarget(deps, input, state, previous);
}

/**
 * Nobody else is left: the same target again after the policy's wait, unless it must not be
 * retried, the wait would pass the deadline or the retry budget is spent (checked before the wait,
 * as the balancer does, so a refused call does not wait first).
 */
async function retrySameTarget(
  deps: PassThroughDependencies,
  input: RouteInput,
  state: RouteState,
  previous: string,
): Promise<string | undefined> {
  const done = state.retries.get(previous) ?? 0;
  if (state.excluded.has(previous) || done >= deps.retry.maxRetriesPerTarget) return undefined;
  const waitMs = retryDelayMs(
    { retry: done, retryAfterMs: state.lastError!.retryAfterMs },
    deps.retry,
    Math.random,
  );
  if (waitMs === undefined || performance.now() + waitMs >= state.deadline) return undefined;
  if (deps.budget && !deps.budget.tryWithdraw()) {
    state.attempts.push({ target: previous, outcome: 'retry_budget_exhausted', durationMs: 0 });
    return undefined;
  }
  state.retries.set(previous, done + 1);
  deps.retried(previous, state.attempts.length + 1, waitMs, state.lastError!.code);
  if (waitMs > 0) await sleep(waitMs, input.signal);
  if (input.signal.aborted) return undefined;
  return previous;
}

/** Commits the response: the head, once the upstream's first byte (or whole JSON answer) is in. */
function writeHead(
  exchange: Exchange,
  input: RouteInput,
  target: string,
  contentType: string,
  contentLength: number | undefined,
): ServerResponse {
  const { deps } = exchange;
  const model = deps.catalog.target(target)!.model;
  settleHead(exchange, 200);
  if (input.stream) deps.streams.open++;
  exchange.outgoing.writeHead(200, {
    'content-type': contentType,
    ...(contentLength === undefined
      ? { 'cache-control': 'no-cache', 'x-accel-buffering': 'no' }
      : { 'content-length': contentLength }),
    'x-request-id': exchange.requestId,
    'x-ballast-provider': model.provider,
    'x-ballast-model': model.modelId,
    'x-ballast-target': target,
    ...exchange.cors,
  });
  // SSE: the head goes out in one write with the first event (the attempt writes it next).
  return exchange.outgoing;
}

/** A served call's books: the lease (latency, TTFT, usage, cost), metrics, audit and the log line. */
function bookSuccess(
  exchange: Exchange,
  input: RouteInput,
  state: RouteState,
  target: string,
  lease: Lease,
  outcome: Extract<AttemptOutcome, { kind: 'served' }>,
): void {
  const usage = fromOpenAIFormatUsage(outcome.usage);
  const costUsd = computeCostUsd(exchange.deps.prices.get(target), usage);
  lease.release({
    outcome: 'success',
    latencyMs: outcome.durationMs,
    ...(outcome.ttftMs === undefined ? {} : { ttftMs: outcome.ttftMs }),
    usage,
    ...(costUsd === undefined ? {} : { costUsd }),
  });
  state.attempts.push({ target, outcome: 'success', durationMs: outcome.durationMs });
  finish(exchange, input, state.attempts, state.selection, target, {
    latencyMs: outcome.durationMs,
    ttftMs: outcome.ttftMs,
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    costUsd,
  });
  logRequest(exchange, {
    target,
    attempts: state.attempts.length,
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    costUsd,
  });
}

/**
 * The other candidates of a selection in failover order: by priority tier (lower first), then by
 * the balancer's composite score, then configuration order. Built only when a first attempt fails.
 */
function failoverOrder(balancer: Balancer, selection: Selection, first: string): string[] {
  const priority = new Map(balancer.health().map((health) => [health.target, health.priority]));
  return selection.scores
    .map((score, index) => ({ ...score, index, priority: priority.get(score.target) ?? 0 }))
    .filter((score) => score.target !== first)
    .sort((a, b) => a.priority - b.priority || b.total - a.total || a.index - b.index)
    .map((score) => score.target);
}

/** The next candidate by score that is not excluded and whose breaker admits a call now. */
function nextTarget(
  balancer: Balancer,
  candidates: string[],
  excluded: Set<string>,
  stream: boolean,
): string | undefined {
  while (candidates.length) {
    const candidate = candidates.shift()!;
    if (excluded.has(candidate)) continue;
    try {
      // A selection pinned to one target: the breaker's admission (a half-open probe included).
      return balancer.select({ requiredCapabilities: [`target:${candidate}`], stream }).targetId;
    } catch {
      excluded.add(candidate);
    }
  }
  return undefined;
}

/** Per-call metrics and the routing audit. */
function finish(
  exchange: Exchange,
  input: RouteInput,
  attempts: Attempted[],
  selection: Selection | undefined,
  target: string,
  success:
    | {
        latencyMs: number;
        ttftMs: number | undefined;
        inputTokens: number | undefined;
        outputTokens: number | undefined;
        costUsd: number | undefined;
      }
    | undefined,
  errorCode?: string,
): void {
  const { deps } = exchange;
  const model = success ? deps.catalog.target(target)?.model : undefined;
  const provider = model?.provider ?? 'none';
  const modelId = model?.modelId ?? 'none';
  deps.observeCall({
    provider,
    model: modelId,
    ok: success !== undefined,
    stream: input.stream,
    latencyMs: success?.latencyMs,
    ttftMs: success?.ttftMs,
    inputTokens: success?.inputTokens,
    outputTokens: success?.outputTokens,
    costUsd: success?.costUsd,
  });
  if (deps.decisions.wanted())
    deps.decisions.record({
      requestId: exchange.requestId,
      keyId: exchange.keyId,
      requestedModel: input.requestedModel,
      stream: input.stream,
      target: success ? target : 'none',
      provider,
      model: modelId,
      strategy: selection?.strategy ?? 'none',
      attempts: attempts.map((item) => ({ ...item, durationMs: Math.round(item.durationMs * 100) / 100 })),
      skipped: (selection?.skipped ?? []).map((skip) => ({ target: skip.target, reason: skip.reason })),
      latencyMs: Math.round((performance.now() - exchange.startedAt) * 100) / 100,
      costUsd: success?.costUsd,
      outcome: success ? 'success' : 'failure',
      ...(errorCode ? { errorCode } : {}),
    });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
