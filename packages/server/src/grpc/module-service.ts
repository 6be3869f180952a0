import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { toStrategyName } from '../config/gateway-env';
import type { Gateway } from '../gateway/gateway';
import { type Caller, createApiKeyVerifier } from '../http/api-keys';
import { HttpError } from '../http/http-error';

/** Options of {@link startModuleService}. */
export interface ModuleServiceOptions {
  /** Default 0: an ephemeral port. */
  port?: number;
  /** Default `127.0.0.1`. */
  host?: string;
  /** Path of `module_service.proto` (default: the one shipped in the package). */
  protoPath?: string;
  /** The package version reported by `GetStatus`. */
  version?: string;
}

/** A running gRPC ModuleService. */
export interface ModuleServiceServer {
  readonly port: number;
  readonly address: string;
  /** Waits for in-flight calls, then stops (forcing after `timeoutMs`, default 5 s). */
  close(options?: { timeoutMs?: number }): Promise<void>;
}

/**
 * Where the package's `module_service.proto` is: beside `src/` in the repository, beside `dist/`
 * once installed.
 */
export function moduleServiceProtoPath(): string {
  const here = typeof __dirname === 'string' ? __dirname : dirname(fileURLToPath(import.meta.url));
  let directory = here;
  for (let depth = 0; depth < 5; depth++) {
    const candidate = join(directory, 'proto', 'module_service.proto');
    if (existsSync(candidate)) return candidate;
    directory = resolve(directory, '..');
  }
  throw new Error(`module_service.proto not found above ${here}`);
}

/** Loads the ModuleService definition (for servers and for clients such as tests). */
export function loadModuleServiceDefinition(protoPath = moduleServiceProtoPath()) {
  const definition = protoLoader.loadSync(protoPath, {
    keepCase: true,
    longs: Number,
    enums: String,
    defaults: true,
    oneofs: true,
  });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as {
    ballast: { module: { v1: { ModuleService: grpc.ServiceClientConstructor } } };
  };
  return loaded.ballast.module.v1.ModuleService;
}

const statusOfHttp = (status: number): grpc.status =>
  status === 401
    ? grpc.status.UNAUTHENTICATED
    : status === 403
      ? grpc.status.PERMISSION_DENIED
      : status === 404
        ? grpc.status.NOT_FOUND
        : status === 400
          ? grpc.status.INVALID_ARGUMENT
          : grpc.status.INTERNAL;

/**
 * Serves the gRPC `ModuleService` (`GetStatus`, `GetRoutes`, `GetMetrics`, `ApplyRateLimit`,
 * `SetTrafficWeight`, `Reload`) over a gateway with `@grpc/grpc-js`. Calls carry the gateway's API
 * key as `authorization: Bearer <key>` metadata; the three writes need an admin key.
 *
 * @example
 * ```ts
 * const grpcServer = await startModuleService(gateway, { port: 50051, host: '0.0.0.0' });
 * ```
 */
export async function startModuleService(
  gateway: Gateway,
  options: ModuleServiceOptions = {},
): Promise<ModuleServiceServer> {
  const service = loadModuleServiceDefinition(options.protoPath);
  const keys = createApiKeyVerifier(gateway.apiKeys);
  const server = new grpc.Server();
  const authenticate = (call: grpc.ServerUnaryCall<unknown, unknown>, admin: boolean): Caller => {
    const header = call.metadata.get('authorization')[0];
    const caller = keys.authenticate(
      new Request('http://grpc.local/', { headers: header ? { authorization: String(header) } : {} }),
    );
    if (admin && !caller.admin) throw new HttpError(403, 'forbidden', 'This call needs an admin API key');
    return caller;
  };
  const unary =
    <Request, Response>(admin: boolean, run: (request: Request) => Promise<Response> | Response) =>
    (call: grpc.ServerUnaryCall<Request, Response>, callback: grpc.sendUnaryData<Response>) => {
      Promise.resolve()
        .then(() => {
          authenticate(call as grpc.ServerUnaryCall<unknown, unknown>, admin);
          return run(call.request);
        })
        .then(
          (response) => callback(null, response),
          (error: unknown) => {
            const http = error instanceof HttpError ? error : undefined;
            callback({
              code: http ? statusOfHttp(http.status) : grpc.status.INTERNAL,
              details: http ? http.message : 'internal error',
            });
          },
        );
    };
  const resolveTarget = (name: string): string => {
    const health = gateway.balancer.health();
    const exact = health.find((entry) => entry.target === name);
    if (exact) return exact.target;
    const byProvider = health.filter((entry) => entry.provider === name);
    if (byProvider.length === 1) return byProvider[0]!.target;
    throw new HttpError(404, 'not_found', `Unknown target "${name.slice(0, 100)}"`);
  };
  const startedAt = Date.now();

  server.addService(service.service, {
    GetStatus: unary(false, async () => {
      const health = await gateway.health();
      return {
        module_id: gateway.moduleId,
        status: health.status,
        version: options.version ?? '',
        uptime_seconds: Math.round((Date.now() - startedAt) / 1000),
        providers: health.providers.map((provider) => ({
          target: provider.target,
          provider: provider.provider,
          model: provider.model,
          status: provider.status,
          circuit: provider.circuit,
          in_flight: provider.inFlight,
        })),
        memory_enabled: health.memory.enabled,
        rag_enabled: health.rag.enabled,
        strategy: gateway.strategy,
      };
    }),
    GetRoutes: unary(false, () => ({
      routes: gateway.routes,
      models: gateway.catalog
        .models()
        .map((model) => ({ id: model.id, owned_by: model.owned_by, targets: model.targets })),
    })),
    GetMetrics: unary(false, (request: { window_minutes?: number }) => {
      const stats = gateway.stats(request.window_minutes ? request.window_minutes * 60_000 : undefined);
      return {
        module_id: stats.moduleId,
        strategy: stats.strategy,
        total_requests: stats.totals.requests,
        total_failures: stats.totals.failures,
        total_cost_usd: stats.totals.costUsd,
        targets: stats.targets.map((target) => ({
          target: target.target,
          provider: target.provider,
          model: target.model,
          requests: target.requests,
          successes: target.successes,
          failures: target.failures,
          success_rate: target.successRate ?? 0,
          latency_p50_ms: target.latencyMs?.p50 ?? 0,
          latency_p95_ms: target.latencyMs?.p95 ?? 0,
          latency_p99_ms: target.latencyMs?.p99 ?? 0,
          ttft_p50_ms: target.timeToFirstTokenMs?.p50 ?? 0,
          ttft_p95_ms: target.timeToFirstTokenMs?.p95 ?? 0,
          input_tokens: target.inputTokens,
          output_tokens: target.outputTokens,
          cost_usd: target.costUsd,
          circuit: target.circuit,
          in_flight: target.inFlight,
        })),
      };
    }),
    ApplyRateLimit: unary(true, (request: { key_id?: string; requests_per_minute?: number }) => {
      const keyId = request.key_id ?? '';
      if (!keyId) throw new HttpError(400, 'validation_failed', 'key_id is required');
      const limit = request.requests_per_minute ?? 0;
      gateway.rateLimiter.setLimit(keyId, limit > 0 ? limit : undefined);
      return {
        success: true,
        message: limit > 0 ? `${keyId}: ${limit} requests per minute` : `${keyId}: limit cleared`,
      };
    }),
    SetTrafficWeight: unary(
      true,
      (request: { target?: string; weight?: number; max_concurrent?: number }) => {
        const weight = request.weight ?? 0;
        // The same bound as `PUT /api/load-balancing/providers/:target`: larger weights make
        // routing scores Infinity or NaN.
        if (!Number.isFinite(weight) || weight < 0 || weight > 1_000_000)
          throw new HttpError(400, 'validation_failed', 'weight must be a number from 0 to 1000000');
        const target = resolveTarget(request.target ?? '');
        gateway.configureTarget(target, {
          weight,
          ...(request.max_concurrent ? { maxConcurrent: request.max_concurrent } : {}),
        });
        return { success: true, message: `${target}: weight ${weight}`, target, weight };
      },
    ),
    Reload: unary(true, (request: { strategy?: string; reset?: boolean }) => {
      let strategy: ReturnType<typeof toStrategyName>;
      if (request.strategy) {
        strategy = toStrategyName(request.strategy);
        if (!strategy)
          throw new HttpError(
            400,
            'validation_failed',
            `Unknown strategy "${request.strategy.slice(0, 40)}"`,
          );
      }
      gateway.reload({ ...(request.reset ? { reset: true } : {}), ...(strategy ? { strategy } : {}) });
      return { success: true, message: 'reloaded', strategy: gateway.strategy };
    }),
  });

  const host = options.host ?? '127.0.0.1';
  const port = await new Promise<number>((resolvePort, reject) =>
    server.bindAsync(
      `${host.includes(':') ? `[${host}]` : host}:${options.port ?? 0}`,
      grpc.ServerCredentials.createInsecure(),
      (error, bound) => (error ? reject(error) : resolvePort(bound)),
    ),
  );
  return {
    port,
    address: `${host}:${port}`,
    close(closeOptions = {}) {
      return new Promise<void>((done) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          done();
        }, closeOptions.timeoutMs ?? 5_000);
        timer.unref();
        server.tryShutdown(() => {
          clearTimeout(timer);
          done();
        });
      });
    },
  };
}
