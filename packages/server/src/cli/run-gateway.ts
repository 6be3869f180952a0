import { parseArgs } from 'node:util';
import { ConfigError, type SharedState } from '@ballast/core';
import { createProxmoxClient } from '@ballast/proxmox';
import { createRedisSharedState, openStores, type Stores } from '@ballast/store';
import { proxmoxMigrationSource } from '../advice/sources';
import { gatewayEnvironmentVariables, loadGatewayEnvironment } from '../config/gateway-env';
import { createGateway, type Gateway } from '../gateway/gateway';
import { type ModuleServiceServer, startModuleService } from '../grpc/module-service';
import { type NodeServer, serveNode } from '../http/serve-node';
import { createLogger, type Logger } from '../logging/logger';

/** Where the CLI writes and what it reads. */
export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  env: Record<string, string | undefined>;
  /** Logger for the gateway (default JSON lines on stdout). */
  logger?: Logger;
}

/** A gateway started by the CLI. */
export interface RunningGateway {
  gateway: Gateway;
  server: NodeServer;
  grpc: ModuleServiceServer | undefined;
  /** Drains streams, stops the servers and any fake upstreams. */
  stop(): Promise<void>;
}

export const gatewayUsage = `Usage: ballast gateway [options]

Starts the OpenAI-compatible Ballast gateway (HTTP, optional gRPC ModuleService).

Options:
  --config FILE      JSON file of the settings below (environment variables win)
  --port N           HTTP port (HTTP_PORT, default 8080; 0 = any free port)
  --host HOST        interface (HOST, default 0.0.0.0)
  --grpc-port N      gRPC ModuleService port (GRPC_PORT; unset = no gRPC)
  --shared-state URL redis:// URL of the live state shared by several gateway replicas
                     (REDIS_URL; "off" = none): breakers, concurrency slots, outcome windows
  --fake             start the testkit's fake OpenAI, Anthropic, Ollama and Proxmox servers as
                     upstreams: runs with no keys (needs @ballast/testkit installed)
  --store SPEC       where metrics history, memory, RAG and the audit log live:
                     sqlite:PATH (default sqlite:ballast.db; one file, WAL, migrated on open),
                     postgres://… (shared by replicas; default when DATABASE_URL is set) or
                     memory (nothing survives a restart; the default with --fake)
  -h, --help         this text

Environment:
${Object.entries(gatewayEnvironmentVariables)
  .map(([name, text]) => `  ${name.padEnd(27)} ${text}`)
  .join('\n')}`;

interface Fakes {
  env: Record<string, string>;
  migrations: ReturnType<typeof proxmoxMigrationSource>;
  close(): Promise<void>;
}

async function startFakes(): Promise<Fakes> {
  type Testkit = typeof import('@ballast/testkit');
  let testkit: Testkit;
  try {
    testkit = (await import('@ballast/testkit')) as Testkit;
  } catch {
    throw new Error(
      '--fake needs @ballast/testkit, which is not installed. Install it next to @ballast/server (npm install --save-dev @ballast/testkit) or run without --fake.',
    );
  }
  const echo =
    (provider: string) =>
    (request: { body: unknown }): { text: string } => {
      const messages =
        (request.body as { messages?: Array<{ content?: unknown }> } | undefined)?.messages ?? [];
      const last = messages.at(-1)?.content;
      const text = typeof last === 'string' ? last : Array.isArray(last) ? 'your message' : 'hello';
      return { text: `(${provider} fake) You said: ${text.slice(0, 200)}` };
    };
  const keys = { openai: 'sk-fake-openai-key', anthropic: 'sk-ant-fake-key' };
  const openai = await testkit.startFakeOpenAI({ apiKey: keys.openai, responder: echo('openai') });
  const anthropic = await testkit.startFakeAnthropic({
    apiKey: keys.anthropic,
    responder: echo('anthropic'),
  });
  const ollama = await testkit.startFakeOllama({ responder: echo('ollama') });
  const token = { tokenId: 'root@pam!ballast-fake', tokenSecret: 'ballast-fake-0000-4000-8000-000000000000' };
  const simulator = testkit.createClusterSimulator({ seed: 7, nodes: 5, guests: 40, imbalance: 'severe' });
  const proxmox = await testkit.startFakeProxmox({ simulator, ...token });
  return {
    env: {
      OPENAI_API_KEY: keys.openai,
      OPENAI_BASE_URL: `${openai.url}/v1`,
      OPENAI_MODELS: 'gpt-4o-mini',
      ANTHROPIC_API_KEY: keys.anthropic,
      ANTHROPIC_BASE_URL: anthropic.url,
      ANTHROPIC_MODELS: 'claude-sonnet-4-5',
      OLLAMA_BASE_URL: ollama.url,
      OLLAMA_MODELS: 'llama3.2',
      MODEL_ALIASES: 'fast=gpt-4o-mini|llama3.2;smart=claude-sonnet-4-5|gpt-4o-mini',
      ENABLE_MEMORY: 'true',
      ENABLE_RAG: 'true',
    },
    migrations: proxmoxMigrationSource(createProxmoxClient({ baseUrl: proxmox.url, ...token })),
    async close() {
      await Promise.all([openai.close(), anthropic.close(), ollama.close(), proxmox.close()]);
    },
  };
}

/**
 * `ballast gateway`: reads flags, the environment and an optional config file, starts the gateway
 * (and the gRPC ModuleService when `GRPC_PORT`/`--grpc-port` is set), and prints where it listens
 * and which providers are live. Returns `undefined` after printing help or a configuration error
 * (then `process.exitCode` is set).
 *
 * @example
 * ```ts
 * const running = await runGateway(['--fake', '--port', '0'], { out: console.log, err: console.error, env: process.env });
 * await running?.stop();
 * ```
 */
export async function runGateway(argv: string[], io: CliIo): Promise<RunningGateway | undefined> {
  let values: {
    config?: string;
    port?: string;
    host?: string;
    'grpc-port'?: string;
    store?: string;
    'shared-state'?: string;
    fake?: boolean;
    help?: boolean;
  };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        config: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        'grpc-port': { type: 'string' },
        store: { type: 'string' },
        'shared-state': { type: 'string' },
        fake: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }));
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${gatewayUsage}`);
    process.exitCode = 2;
    return undefined;
  }
  if (values.help) {
    io.out(gatewayUsage);
    return undefined;
  }
  let fakes: Fakes | undefined;
  try {
    if (values.fake) fakes = await startFakes();
  } catch (error) {
    io.err((error as Error).message);
    process.exitCode = 1;
    return undefined;
  }
  const env: Record<string, string | undefined> = {
    ...io.env,
    ...fakes?.env,
    ...(values.port === undefined ? {} : { HTTP_PORT: values.port }),
    ...(values.host === undefined ? {} : { HOST: values.host }),
    ...(values['grpc-port'] === undefined ? {} : { GRPC_PORT: values['grpc-port'] }),
  };
  let settings: ReturnType<typeof loadGatewayEnvironment>;
  try {
    settings = loadGatewayEnvironment({ env, ...(values.config ? { file: values.config } : {}) });
  } catch (error) {
    await fakes?.close();
    if (ConfigError.isInstance(error)) {
      io.err(error.message);
      process.exitCode = 2;
      return undefined;
    }
    throw error;
  }
  let sharedState: SharedState | undefined;
  try {
    sharedState = openSharedState(values['shared-state'] ?? env.REDIS_URL);
  } catch (error) {
    await fakes?.close();
    if (ConfigError.isInstance(error)) {
      io.err(`--shared-state / REDIS_URL: ${error.message}`);
      process.exitCode = 2;
      return undefined;
    }
    throw error;
  }
  const logger = io.logger ?? createLogger({ knownSecrets: settings.secrets, env });
  const storeSpec =
    values.store ?? env.BALLAST_STORE ?? env.DATABASE_URL ?? (values.fake ? 'memory' : 'sqlite:ballast.db');
  let store: Stores;
  try {
    store = await openStores(storeSpec, { knownSecrets: settings.secrets });
  } catch (error) {
    await fakes?.close();
    // StoreError messages never hold the connection string's password.
    io.err(`Cannot open the store: ${(error as Error).message}`);
    process.exitCode = 2;
    return undefined;
  }
  const gateway = createGateway({
    store,
    targets: settings.targets,
    aliases: settings.aliases,
    strategy: settings.strategy,
    moduleId: settings.moduleId,
    apiKeys: settings.apiKeys,
    ...(settings.requestsPerMinute === undefined ? {} : { requestsPerMinute: settings.requestsPerMinute }),
    ...(settings.maxBodyBytes === undefined ? {} : { maxBodyBytes: settings.maxBodyBytes }),
    ...(settings.corsOrigins ? { cors: { origins: settings.corsOrigins } } : {}),
    memory: settings.enableMemory,
    rag: settings.enableRag
      ? settings.ragCollections
        ? { collections: settings.ragCollections }
        : true
      : false,
    balancer: {
      ...(settings.timeoutMs === undefined ? {} : { timeoutMs: settings.timeoutMs }),
      ...(settings.maxAttempts === undefined ? {} : { retry: { maxAttempts: settings.maxAttempts } }),
    },
    ...(fakes ? { migrations: fakes.migrations } : {}),
    ...(sharedState ? { sharedState } : {}),
    logger,
    knownSecrets: settings.secrets,
    env,
  });
  const server = await serveNode(gateway.fetch, {
    // `/v1/chat/completions` to OpenAI-compatible upstreams straight on node:http (pass-through).
    nodeHandler: gateway.nodeHandler,
    port: settings.httpPort,
    host: settings.host,
    onError: (error) => logger.error({ err: { name: (error as Error).name } }, 'unhandled handler error'),
  });
  const grpc =
    settings.grpcPort === undefined
      ? undefined
      : await startModuleService(gateway, { port: settings.grpcPort, host: settings.host });
  io.out(`Ballast gateway listening on ${server.url} (OpenAI-compatible base URL ${server.url}/v1)`);
  if (grpc) io.out(`gRPC ModuleService on ${grpc.address}`);
  io.out(
    `Routing strategy: ${settings.strategy}; memory ${settings.enableMemory ? 'on' : 'off'}; RAG ${settings.enableRag ? 'on' : 'off'}`,
  );
  const storeHealth = await store.describe();
  io.out(
    `Store: ${storeHealth.kind} ${storeHealth.location} (schema v${storeHealth.schemaVersion}; vector search ${storeHealth.vectorSearch}, lexical ${storeHealth.lexicalSearch})`,
  );
  io.out(`Providers${fakes ? ' (testkit fakes)' : ''}:`);
  for (const provider of settings.providers)
    io.out(`  ${provider.provider.padEnd(10)} ${provider.models.join(', ')}  ${provider.endpoint}`);
  const aliasLines = Object.entries(settings.aliases).map(
    ([alias, models]) => `${alias} → ${models.join(' | ')}`,
  );
  if (aliasLines.length) io.out(`Aliases: ${aliasLines.join('; ')}`);
  if (sharedState)
    io.out(
      `Shared state: ${sharedState.kind} at ${redactedHost(values['shared-state'] ?? env.REDIS_URL)} (${sharedState.isAvailable() ? 'connected' : 'connecting; local state until then'})`,
    );
  if (!settings.apiKeys.length)
    io.out('No GATEWAY_API_KEYS set: the gateway is open to anyone who can reach it.');
  let stopping: Promise<void> | undefined;
  return {
    gateway,
    server,
    grpc,
    stop() {
      stopping ??= (async () => {
        gateway.drain();
        await Promise.all([server.close({ timeoutMs: 10_000 }), grpc?.close()]);
        // The last calls' books are written before the store closes.
        await gateway.flush();
        gateway.close();
        await store.close();
        await sharedState?.close();
        await fakes?.close();
      })();
      return stopping;
    },
  };
}

/**
 * The shared state named by `--shared-state` / `REDIS_URL`: `undefined` when unset or `off`. The
 * gateway starts even when Redis is down (every replica then decides locally until it is back).
 */
function openSharedState(url: string | undefined): SharedState | undefined {
  if (url === undefined || url.trim() === '' || url.trim().toLowerCase() === 'off') return undefined;
  return createRedisSharedState({ url: url.trim() });
}

/** `host:port` of a URL, never its user or password. */
function redactedHost(url: string | undefined): string {
  try {
    return new URL(url ?? '').host;
  } catch {
    return '(invalid URL)';
  }
}
