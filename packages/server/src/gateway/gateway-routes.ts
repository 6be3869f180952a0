import type { Balancer } from '@ballast/balancer';
import type { SharedState } from '@ballast/core';
import { type StoresDescription, vectorMetadataSchema } from '@ballast/store';
import { z } from 'zod';
import { HttpError } from '../http/http-error';
import { json, parseWith, queryNumber, queryOf, readJson } from '../http/json';
import type { Route } from '../http/router';
import type { RagOptions } from '../memory/context';
import { chunkText } from '../memory/rag-store';
import type { GatewayMetrics } from '../metrics/gateway-metrics';
import type { ModelCatalog } from './model-catalog';

/** What the gateway's read-only routes need. */
export interface GatewayRouteDependencies {
  balancer: () => Balancer;
  catalog: ModelCatalog;
  metrics: GatewayMetrics;
  moduleId: string;
  strategy: () => string;
  memory: { enabled: boolean; sessions: () => Promise<number> };
  rag: RagOptions | undefined;
  /** The durable stores' health (kind, location, vector search mode), when the gateway has them. */
  describeStore?: (() => Promise<StoresDescription>) | undefined;
  isDraining: () => boolean;
  maxBodyBytes: number;
  publicMetrics: boolean;
  /** Replica-shared state, reported by `/healthz` (kind and whether it answers). */
  sharedState?: SharedState | undefined;
  startedAt: number;
  now: () => number;
}

/** Per-target routing statistics (`GET /api/routing/stats`, gRPC `GetMetrics`). */
export function routingStats(
  deps: Pick<GatewayRouteDependencies, 'balancer' | 'strategy' | 'moduleId'>,
  sinceMs?: number,
) {
  const balancer = deps.balancer();
  const snapshot = balancer.snapshot(sinceMs === undefined ? {} : { sinceMs });
  const targets = balancer.health().map((health) => {
    const metrics = snapshot.targets[health.target];
    return {
      target: health.target,
      provider: health.provider,
      model: health.modelId,
      circuit: health.state,
      inFlight: health.inFlight,
      queued: health.queued,
      maxConcurrent: health.maxConcurrent ?? null,
      requests: metrics?.requests ?? 0,
      successes: metrics?.successes ?? 0,
      failures: metrics?.failures ?? 0,
      failuresByCode: metrics?.failuresByCode ?? {},
      successRate: metrics?.successRate ?? null,
      latencyMs: metrics?.latencyMs ?? null,
      timeToFirstTokenMs: metrics?.timeToFirstTokenMs ?? null,
      inputTokens: metrics?.inputTokens ?? 0,
      outputTokens: metrics?.outputTokens ?? 0,
      costUsd: metrics?.costUsd ?? 0,
    };
  });
  return {
    moduleId: deps.moduleId,
    strategy: deps.strategy(),
    since: new Date(snapshot.since).toISOString(),
    until: new Date(snapshot.until).toISOString(),
    totals: {
      requests: snapshot.calls.requests,
      successes: snapshot.calls.successes,
      failures: snapshot.calls.failures,
      successRate: snapshot.calls.successRate ?? null,
      latencyMs: snapshot.calls.latencyMs ?? null,
      costUsd: snapshot.calls.costUsd,
    },
    targets,
  };
}

/** Overall and per-provider health (`GET /healthz`, gRPC `GetStatus`). */
/** Store health for `/healthz`: `{ kind: 'none' }` without stores, `status: 'error'` when the database fails. */
async function describeStoreSafely(describe: (() => Promise<StoresDescription>) | undefined) {
  if (!describe) return { kind: 'none' as const };
  try {
    return { ...(await describe()), status: 'ok' as const };
  } catch (error) {
    return { kind: 'unknown' as const, status: 'error' as const, error: (error as Error).name };
  }
}

export async function healthReport(deps: GatewayRouteDependencies) {
  const providers = deps
    .balancer()
    .health()
    .map((health) => ({
      target: health.target,
      provider: health.provider,
      model: health.modelId,
      status: health.state === 'open' ? 'down' : health.state === 'half-open' ? 'recovering' : 'up',
      circuit: health.state,
      inFlight: health.inFlight,
      cooldownRemainingMs: health.cooldownRemainingMs,
    }));
  const up = providers.filter((provider) => provider.status !== 'down').length;
  const status = deps.isDraining()
    ? 'draining'
    : up === providers.length
      ? 'ok'
      : up === 0
        ? 'down'
        : 'degraded';
  const ragCollections = deps.rag ? await deps.rag.store.collections() : [];
  return {
    status,
    moduleId: deps.moduleId,
    uptimeSeconds: Math.round((deps.now() - deps.startedAt) / 1000),
    providers,
    memory: deps.memory.enabled
      ? { enabled: true, sessions: await deps.memory.sessions() }
      : { enabled: false },
    rag: deps.rag
      ? { enabled: true, embedder: deps.rag.embedder.id, collections: ragCollections }
      : { enabled: false },
    store: await describeStoreSafely(deps.describeStore),
    sharedState: deps.sharedState
      ? { enabled: true, kind: deps.sharedState.kind, available: deps.sharedState.isAvailable() }
      : { enabled: false },
  };
}

const ingestSchema = z
  .object({
    documents: z
      .array(
        z
          .object({
            id: z.string().min(1).max(256).optional(),
            text: z
              .string()
              .min(1)
              .refine((text) => text.trim() !== '', 'must hold more than white space'),
            // Keeps a `__proto__` key as a field (z.record skipped it) and checks every value.
            metadata: vectorMetadataSchema.optional(),
          })
          .strict(),
      )
      .min(1)
      .max(1000),
    chunk_size: z.number().int().min(100).max(8000).optional(),
    chunk_overlap: z.number().int().min(0).max(2000).optional(),
  })
  .strict()
  .superRefine((body, context) => {
    // The chunker caps the overlap at half a chunk: say so rather than cut it silently.
    const size = body.chunk_size ?? 800;
    if (body.chunk_overlap !== undefined && body.chunk_overlap > Math.floor(size / 2))
      context.addIssue({
        code: 'custom',
        path: ['chunk_overlap'],
        message: `must be at most half of chunk_size (${Math.floor(size / 2)})`,
      });
  });

/**
 * `GET /api/routing/stats?minutes=`: a window of up to 30 days. A value that is not a positive
 * number is refused (400), never read as "no window" or turned into an invalid date.
 */
const routingStatsQuery = z
  .object({
    minutes: queryNumber(
      z
        .number()
        .positive()
        .max(30 * 24 * 60),
    ).optional(),
  })
  .strict();

/** The gateway's routes besides chat completions. */
export function gatewayRoutes(deps: GatewayRouteDependencies): Route[] {
  const routes: Route[] = [
    {
      method: 'GET',
      path: '/v1/models',
      summary: 'Models, aliases and provider/model names the gateway serves',
      handler: () => json({ object: 'list', data: deps.catalog.models() }),
    },
    {
      method: 'GET',
      path: '/v1/models/:model',
      summary: 'One model',
      handler: (_request, context) => {
        const model = deps.catalog.models().find((entry) => entry.id === context.params.model);
        if (!model) deps.catalog.resolve(context.params.model ?? '');
        return json(model);
      },
    },
    {
      method: 'GET',
      path: '/healthz',
      summary: 'Overall, per-provider, memory and RAG health (503 when no provider is up or draining)',
      access: 'public',
      handler: async () => {
        const report = await healthReport(deps);
        return json(report, { status: report.status === 'down' || report.status === 'draining' ? 503 : 200 });
      },
    },
    {
      method: 'GET',
      path: '/metrics',
      summary: 'Prometheus metrics',
      access: deps.publicMetrics ? 'public' : 'key',
      handler: async () =>
        new Response(await deps.metrics.registry.metrics(), {
          headers: { 'content-type': deps.metrics.registry.contentType },
        }),
    },
    {
      method: 'GET',
      path: '/api/routing/stats',
      summary: 'Per-target requests, success rate, latency, TTFT, tokens, cost, circuit and load',
      handler: (_request, context) => {
        const { minutes } = parseWith(routingStatsQuery, queryOf(context.url), 'query');
        return json(routingStats(deps, minutes === undefined ? undefined : minutes * 60_000));
      },
    },
  ];
  const rag = deps.rag;
  if (rag) {
    routes.push(
      {
        method: 'GET',
        path: '/v1/rag/collections',
        summary: 'RAG collections and their chunk counts',
        handler: async () => json({ object: 'list', data: await rag.store.collections() }),
      },
      {
        method: 'POST',
        path: '/v1/rag/collections/:collection/documents',
        summary: 'Ingest documents into a RAG collection (chunked and embedded)',
        access: 'admin',
        handler: async (request, context) => {
          const collection = context.params.collection ?? '';
          if (!/^[\w.-]{1,128}$/.test(collection))
            throw new HttpError(
              400,
              'validation_failed',
              'Collection names are 1-128 letters, digits, _ . -',
            );
          if (rag.collections && !rag.collections.includes(collection))
            throw new HttpError(404, 'not_found', `Unknown RAG collection "${collection}"`);
          const body = await readJson(request, ingestSchema, {
            maxBytes: Math.max(deps.maxBodyBytes, 8_388_608),
          });
          let chunks = 0;
          for (const [index, document] of body.documents.entries()) {
            const documentId = document.id ?? `doc-${deps.now()}-${index}`;
            const texts = chunkText(document.text, {
              ...(body.chunk_size === undefined ? {} : { size: body.chunk_size }),
              ...(body.chunk_overlap === undefined ? {} : { overlap: body.chunk_overlap }),
            });
            const vectors = await rag.embedder.embed(texts);
            await rag.store.upsert(
              collection,
              texts.map((text, n) => ({
                id: `${documentId}#${n}`,
                documentId,
                text,
                embedding: vectors[n]!,
                ...(document.metadata ? { metadata: document.metadata } : {}),
              })),
            );
            chunks += texts.length;
          }
          return json({ collection, documents: body.documents.length, chunks }, { status: 201 });
        },
      },
    );
  }
  return routes;
}
