import type { BalancedChatChunk, BalancedChatResult, Balancer, RoutingOptions } from '@ballast/balancer';
import type { ChatRequest } from '@ballast/core';
import { HttpError, toHttpError } from '../http/http-error';
import { json, readJson } from '../http/json';
import type { RouteContext } from '../http/router';
import { enrichRequest, type MemoryOptions, type RagOptions, rememberTurn } from '../memory/context';
import type { GatewayMetrics } from '../metrics/gateway-metrics';
import { chatCompletionRequestSchema, lastUserText, toChatRequest } from './chat-completion-request';
import { completionId, createChunkWriter, sseFrame, toChatCompletion } from './chat-completion-response';
import type { ModelCatalog } from './model-catalog';

/** What the chat completions handler needs. */
export interface ChatCompletionsDependencies {
  balancer: () => Balancer;
  catalog: ModelCatalog;
  metrics: GatewayMetrics;
  maxBodyBytes: number;
  memory: MemoryOptions | undefined;
  rag: RagOptions | undefined;
  knownSecrets: ReadonlyArray<string | undefined>;
  /** Routing audit: one call per routing decision. */
  onDecision: (decision: RoutingDecision) => void;
  /** Streams being written (graceful shutdown waits for them). */
  streams: { open: number };
  now: () => number;
}

/** The audit record of one routed call. */
export interface RoutingDecision {
  requestId: string;
  keyId: string;
  requestedModel: string;
  stream: boolean;
  target: string;
  provider: string;
  model: string;
  strategy: string;
  attempts: Array<{ target: string; outcome: string; durationMs: number }>;
  skipped: Array<{ target: string; reason: string }>;
  latencyMs: number;
  costUsd: number | undefined;
  outcome: 'success' | 'failure';
  errorCode?: string;
}

/**
 * `POST /v1/chat/completions`: OpenAI-compatible, JSON or SSE, tools and `response_format`,
 * routed through the balancer. A stream's response starts only once the first chunk is in hand,
 * so a failover before the first token is invisible to the client; an error after it becomes an
 * SSE `error` event (which the `openai` SDK throws as an `APIError`). Closing the connection
 * aborts the upstream call.
 */
export function createChatCompletionsHandler(deps: ChatCompletionsDependencies) {
  return async (request: Request, context: RouteContext): Promise<Response> => {
    const body = await readJson(request, chatCompletionRequestSchema, { maxBytes: deps.maxBodyBytes });
    const resolved = deps.catalog.resolve(body.model);
    let chatRequest = toChatRequest(body);
    const query = lastUserText(chatRequest);
    const sessionKey =
      body.session_id !== undefined && deps.memory ? `${context.caller.keyId}:${body.session_id}` : undefined;
    let ragInput: { options: RagOptions; collection: string; topK: number } | undefined;
    if (body.rag_collection !== undefined) {
      const rag = deps.rag;
      if (!rag) throw new HttpError(400, 'validation_failed', 'RAG is disabled on this gateway (ENABLE_RAG)');
      if (rag.collections && !rag.collections.includes(body.rag_collection))
        throw new HttpError(404, 'not_found', `Unknown RAG collection "${body.rag_collection}"`);
      ragInput = {
        options: rag,
        collection: body.rag_collection,
        topK: body.rag_top_k ?? rag.defaultTopK ?? 3,
      };
    }
    const extraHeaders: Record<string, string> = {};
    if (body.session_id !== undefined && !deps.memory) extraHeaders['x-ballast-memory'] = 'disabled';
    if (sessionKey || ragInput) {
      const enriched = await enrichRequest(chatRequest, {
        query,
        sessionKey,
        memory: deps.memory,
        rag: ragInput,
      });
      chatRequest = enriched.request;
      context.logger.debug(
        { replayed: enriched.replayed, recalled: enriched.recalled, documents: enriched.documents.length },
        'context added',
      );
    }
    const routing: RoutingOptions = resolved.tag ? { requiredCapabilities: [resolved.tag] } : {};
    const meta = { id: completionId(), created: Math.floor(deps.now() / 1000) };
    const remember = (answer: string) => {
      if (!sessionKey || !deps.memory) return;
      rememberTurn(deps.memory, sessionKey, query, answer, deps.now()).catch((error: unknown) =>
        context.logger.warn({ err: { name: (error as Error).name } }, 'memory write failed'),
      );
    };
    const balancer = deps.balancer();
    const startedAt = performance.now();
    const decide = (result: BalancedChatResult | undefined, error: unknown, stream: boolean) => {
      const route = result?.route;
      // Only a failure needs its HTTP form (building an Error captures a stack: not on every success).
      const failed = result ? undefined : toHttpError(error, deps.knownSecrets);
      deps.onDecision({
        requestId: context.requestId,
        keyId: context.caller.keyId,
        requestedModel: body.model,
        stream,
        target: route?.target ?? 'none',
        provider: result?.provider ?? 'none',
        model: result?.modelId ?? 'none',
        strategy: route?.strategy ?? 'none',
        attempts: (route?.attempts ?? []).map((attempt) => ({
          target: attempt.target,
          outcome: attempt.outcome,
          durationMs: Math.round(attempt.durationMs * 100) / 100,
        })),
        skipped: (route?.skipped ?? []).map((skip) => ({ target: skip.target, reason: skip.reason })),
        latencyMs: Math.round((performance.now() - startedAt) * 100) / 100,
        costUsd: result?.costUsd,
        outcome: result ? 'success' : 'failure',
        ...(failed ? { errorCode: failed.code } : {}),
      });
      deps.metrics.observeCall({
        provider: result?.provider ?? 'none',
        model: result?.modelId ?? 'none',
        ok: result !== undefined,
        stream,
        latencyMs: result?.latencyMs,
        ttftMs: result?.timeToFirstTokenMs,
        inputTokens: result?.usage.inputTokens,
        outputTokens: result?.usage.outputTokens,
        costUsd: result?.costUsd,
      });
    };

    if (!body.stream) {
      let result: BalancedChatResult;
      try {
        result = await balancer.chat(chatRequest, { signal: request.signal, routing });
      } catch (error) {
        decide(undefined, error, false);
        throw error;
      }
      decide(result, undefined, false);
      remember(result.text);
      return json(toChatCompletion(result, meta), {
        headers: {
          'x-ballast-provider': result.provider,
          'x-ballast-model': result.modelId,
          'x-ballast-target': result.route.target,
          ...extraHeaders,
        },
      });
    }
    return streamCompletion(deps, balancer, chatRequest, routing, request.signal, context, meta, {
      includeUsage: body.stream_options?.include_usage === true,
      requestedModel: body.model,
      decide,
      remember,
      extraHeaders,
    });
  };
}

async function streamCompletion(
  deps: ChatCompletionsDependencies,
  balancer: Balancer,
  chatRequest: ChatRequest,
  routing: RoutingOptions,
  signal: AbortSignal,
  context: RouteContext,
  meta: { id: string; created: number },
  options: {
    includeUsage: boolean;
    requestedModel: string;
    decide: (result: BalancedChatResult | undefined, error: unknown, stream: boolean) => void;
    remember: (answer: string) => void;
    extraHeaders: Record<string, string>;
  },
): Promise<Response> {
  let servedBy: string | undefined;
  const iterator = balancer
    .stream(chatRequest, {
      signal,
      routing,
      onRoute: (route) => {
        servedBy = route.target;
      },
    })
    [Symbol.asyncIterator]();
  let first: IteratorResult<BalancedChatChunk>;
  try {
    first = await iterator.next();
  } catch (error) {
    options.decide(undefined, error, true);
    throw error;
  }
  const writer = createChunkWriter({ ...meta, model: options.requestedModel });
  let pending: IteratorResult<BalancedChatChunk> | undefined = first;
  // Tool calls: deltas keep the provider's index; a whole `tool-call` chunk with no deltas before
  // it gets the next free index.
  const streamedIds = new Set<string>();
  const usedIndexes = new Set<number>();
  let text = '';
  let finished = false;
  deps.streams.open++;
  const close = () => {
    if (finished) return;
    finished = true;
    deps.streams.open--;
  };
  /** Forwards one balancer chunk; true when a frame was enqueued (or the stream closed). */
  const pump = async (controller: ReadableStreamDefaultController<Uint8Array>): Promise<boolean> => {
    const next = pending ?? (await iterator.next());
    pending = undefined;
    if (next.done) {
      // The balancer ends a healthy stream with `finish`; ending without one is a cut stream.
      throw new HttpError(502, 'upstream_error', 'The upstream stream ended without finishing');
    }
    const chunk = next.value;
    switch (chunk.type) {
      case 'text-delta':
        if (chunk.text === '') return false;
        text += chunk.text;
        controller.enqueue(sseFrame(writer.text(chunk.text)));
        return true;
      case 'tool-call-delta':
        if (chunk.id) streamedIds.add(chunk.id);
        usedIndexes.add(chunk.index);
        controller.enqueue(
          sseFrame(
            writer.toolCall(chunk.index, { id: chunk.id, name: chunk.name, arguments: chunk.argumentsDelta }),
          ),
        );
        return true;
      case 'tool-call': {
        if (streamedIds.has(chunk.toolCall.id)) return false;
        let index = 0;
        while (usedIndexes.has(index)) index++;
        usedIndexes.add(index);
        streamedIds.add(chunk.toolCall.id);
        controller.enqueue(
          sseFrame(
            writer.toolCall(index, {
              id: chunk.toolCall.id,
              name: chunk.toolCall.name,
              arguments: chunk.toolCall.rawArguments || JSON.stringify(chunk.toolCall.arguments),
            }),
          ),
        );
        return true;
      }
      case 'finish':
        controller.enqueue(sseFrame(writer.finish(chunk.result)));
        if (options.includeUsage) controller.enqueue(sseFrame(writer.usage(chunk.result.usage)));
        controller.enqueue(sseFrame('[DONE]'));
        options.decide(chunk.result, undefined, true);
        options.remember(text);
        close();
        controller.close();
        await iterator.return?.();
        return true;
    }
    return false;
  };
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(sseFrame(writer.role()));
    },
    async pull(controller) {
      // A pull that enqueues nothing is not called again: read until a frame is out.
      try {
        for (;;) {
          if (await pump(controller)) return;
        }
      } catch (error) {
        if (finished) return;
        const http = toHttpError(error, deps.knownSecrets);
        options.decide(undefined, error, true);
        context.logger.warn({ code: http.code, status: http.status }, 'stream failed after the first token');
        controller.enqueue(
          sseFrame({ error: { code: http.code, message: http.message, type: 'upstream_error' } }),
        );
        close();
        controller.close();
      }
    },
    async cancel() {
      // The client went away: stop the upstream call.
      if (!finished) {
        context.logger.info({ textChars: text.length }, 'client disconnected mid-stream');
        options.decide(undefined, new HttpError(499, 'bad_request', 'client disconnected'), true);
      }
      close();
      await iterator.return?.();
    },
  });
  return new Response(body, {
    status: 200,
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-accel-buffering': 'no',
      ...(servedBy === undefined ? {} : { 'x-ballast-target': servedBy }),
      ...options.extraHeaders,
    },
  });
}
