import {
  type AviAdvice,
  type AviAgent,
  type AviAgentEvent,
  type AviClient,
  AviConfirmationError,
  adviseAvi,
  collectAvi,
  createAviAgent,
} from '@ballast/avi';
import { BallastError, type ChatModel, CollectorError, redactSecrets } from '@ballast/core';
import { z } from 'zod';
import { errorResponse } from '../http/http-error';
import { json, readJson } from '../http/json';
import type { Route } from '../http/router';

/**
 * What the Avi routes serve: an agent for `POST /api/avi/chat` and `POST /api/avi/confirm`, and
 * advice for `GET /api/avi/advice`. Build one with {@link createAviRouteSource}.
 */
export interface AviRouteSource {
  agent: AviAgent;
  advice(input: { signal: AbortSignal }): Promise<AviAdvice>;
  /** Secrets to scrub from error messages (the controller password). */
  knownSecrets?: string[];
}

/**
 * Builds an {@link AviRouteSource} from a client and a model: advice collects a fresh snapshot per
 * request (`collectAvi` → `adviseAvi`), the agent runs in `mode` (default `read-only`).
 *
 * @example
 * ```ts
 * const avi = createAviRouteSource({ client, model, mode: 'plan-writes', audit: auditLog.sink });
 * const handlers = createBallastHandlers({ balancer, avi });
 * ```
 */
export function createAviRouteSource(options: {
  client: AviClient;
  model: ChatModel;
  mode?: 'read-only' | 'plan-writes';
  audit?: Parameters<typeof createAviAgent>[0]['audit'];
  /** Model for advice; default `model`. `null` gives rule advice only. */
  adviceModel?: ChatModel | null;
  knownSecrets?: string[];
}): AviRouteSource {
  const agent = createAviAgent({
    client: options.client,
    model: options.model,
    mode: options.mode ?? 'read-only',
    ...(options.audit === undefined ? {} : { audit: options.audit }),
    ...(options.knownSecrets === undefined ? {} : { knownSecrets: options.knownSecrets }),
  });
  const adviceModel = options.adviceModel === null ? undefined : (options.adviceModel ?? options.model);
  return {
    agent,
    advice: async ({ signal }) =>
      adviseAvi({
        snapshot: await collectAvi({ client: options.client, signal }),
        model: adviceModel,
        signal,
      }),
    ...(options.knownSecrets === undefined ? {} : { knownSecrets: options.knownSecrets }),
  };
}

const chatBody = z
  .object({
    conversationId: z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, '1-128 characters of A-Z a-z 0-9 _ . : -'),
    message: z.string().min(1).max(8_000),
  })
  .strict();

const confirmBody = z.object({ token: z.string().min(1).max(200) }).strict();

const confirmStatus: Record<string, number> = {
  invalid_token: 404,
  token_used: 409,
  token_expired: 410,
  plan_changed: 409,
};

/**
 * The Avi endpoints:
 *
 * - `GET /api/avi/advice` → `{ success, analysis, recommendations, rejections, source }` (plus `llm`).
 * - `POST /api/avi/chat` `{ conversationId, message }` → `text/event-stream` of JSON `data:` events
 *   (`tool-call`, `tool-result`, `plan`, `text-delta`, `done`, `error`).
 * - `POST /api/avi/confirm` `{ token }` → `{ executed: true, result }`, or `{ error: { code } }` with
 *   404 `invalid_token`, 409 `token_used` / `plan_changed`, 410 `token_expired`, 502 when the
 *   controller refuses the write.
 */
export function aviRoutes(source: AviRouteSource): Route[] {
  const clean = (text: string) => redactSecrets(text, source.knownSecrets ?? []);
  return [
    {
      method: 'GET',
      path: '/api/avi/advice',
      summary: 'Avi advice: rule-based recommendations plus validated LLM ones, with rejections',
      handler: async (request) => {
        try {
          return json(await source.advice({ signal: request.signal }));
        } catch (error) {
          if (CollectorError.isInstance(error))
            return json(
              { success: false, error: { code: 'collector_failed', message: clean(error.message) } },
              { status: 502 },
            );
          throw error;
        }
      },
    },
    {
      method: 'POST',
      path: '/api/avi/chat',
      summary: 'Chat with the Avi agent (server-sent events: tool calls, results, plans, text)',
      handler: async (request) => {
        const body = await readJson(request, chatBody, { maxBytes: 65_536 });
        const events = source.agent.send({ ...body, signal: request.signal });
        return new Response(toEventStream(events), {
          headers: {
            'content-type': 'text/event-stream; charset=utf-8',
            'cache-control': 'no-cache',
            connection: 'keep-alive',
          },
        });
      },
    },
    {
      method: 'POST',
      path: '/api/avi/confirm',
      summary: 'Run an Avi write plan shown in the chat, by its single-use token',
      handler: async (request) => {
        const { token } = await readJson(request, confirmBody, { maxBytes: 4_096 });
        try {
          const confirmed = await source.agent.confirm(token, { signal: request.signal });
          return json({ executed: true, result: confirmed.result });
        } catch (error) {
          if (AviConfirmationError.isInstance(error))
            return errorResponse(confirmStatus[error.reason] ?? 400, error.reason, error.message);
          if (CollectorError.isInstance(error))
            return errorResponse(502, 'collector_failed', clean(error.message));
          if (BallastError.isInstance(error)) return errorResponse(400, error.code, clean(error.message));
          throw error;
        }
      },
    },
  ];
}

function toEventStream(events: AsyncIterable<AviAgentEvent>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const iterator = events[Symbol.asyncIterator]();
  return new ReadableStream({
    async pull(controller) {
      const next = await iterator.next();
      if (next.done) {
        controller.close();
        return;
      }
      controller.enqueue(encoder.encode(`data: ${JSON.stringify(next.value)}\n\n`));
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}
