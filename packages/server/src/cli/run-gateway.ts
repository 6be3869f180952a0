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
  // What is open so far, closed newest first when a later step fails.
  const opened: Array<() => Promise<void> | void> = [];
  try {
    const flags = parseGatewayFlags(argv);
    if (flags.help) {
      io.out(gatewayUsage);
      return undefined;
    }
    const fakes = flags.fake ? await startFakesOrExit() : undefined;
    if (fakes) opened.push(() => fakes.close());
    const env = gatewayEnv(io.env, fakes, flags);
    const settings = loadSettingsOrExit(env, flags.config);
    const sharedStateUrl = flags['shared-state'] ?? env.REDIS_URL;
    const sharedState = openSharedStateOrExit(sharedStateUrl);
    if (sharedState) opened.push(() => sharedState.close());
    const logger = io.logger ?? createLogger({ knownSecrets: settings.secrets, env });
    const store = await openStoreOrExit(
      flags.store ?? env.BALLAST_STORE ?? env.DATABASE_URL ?? (flags.fake ? 'memory' : 'sqlite:ballast.db'),
      settings.secrets,
    );
    opened.push(() => store.close());
    const gateway = createGateway({
      ...gatewayConfigFrom(settings),
      store,
      ...(fakes ? { migrations: fakes.migrations } : {}),
      ...(sharedState ? { sharedState } : {}),
      logger,
      env,
    });
    opened.push(() => gateway.close());
    const server = await listenOrExit(settings, () =>
      serveNode(gateway.fetch, {
        // `/v1/chat/completions` to OpenAI-compatible upstreams straight on node:http (pass-through).
        nodeHandler: gateway.nodeHandler,
        port: settings.httpPort,
        host: settings.host,
        onError: (error) => logger.error({ err: { name: (error as Error).name } }, 'unhandled handler error'),
      }),
    );
    opened.push(() => server.close({ timeoutMs: 10_000 }));
    const grpc =
      settings.grpcPort === undefined
        ? undefined
        : await startModuleService(gateway, { port: settings.grpcPort, host: settings.host });
    await printStartup(io, { settings, server, grpc, store, fakes, sharedState, sharedStateUrl });
    return runningGateway({ gateway, server, grpc, store, sharedState, fakes });
  } catch (error) {
    for (const close of opened.reverse()) await Promise.resolve(close()).catch(() => {});
    if (!(error instanceof CliExit)) throw error;
    io.err(error.message);
    process.exitCode = error.exitCode;
    return undefined;
  }
}

/** A start-up step that failed in a way the user can fix: its message, and the exit code to set. */
class CliExit extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

interface GatewayFlags {
  config?: string;
  port?: string;
  host?: string;
  'grpc-port'?: string;
  store?: string;
  'shared-state'?: string;
  fake?: boolean;
  help?: boolean;
}

function parseGatewayFlags(argv: string[]): GatewayFlags {
  try {
    return parseArgs({
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
    }).values;
  } catch (error) {
    throw new CliExit(`${(error as Error).message}\n\n${gatewayUsage}`, 2);
  }
}

async function startFakesOrExit(): Promise<Fakes> {
  try {
    return await startFakes();
  } catch (error) {
    throw new CliExit((error as Error).message, 1);
  }
}

/** The environment the settings are read from: flags win over the fakes' endpoints, which win over the process's. */
function gatewayEnv(
  processEnv: Record<string, string | undefined>,
  fakes: Fakes | undefined,
  flags: GatewayFlags,
): Record<string, string | undefined> {
  return {
    ...processEnv,
    ...fakes?.env,
    ...(flags.port === undefined ? {} : { HTTP_PORT: flags.port }),
    ...(flags.host === undefined ? {} : { HOST: flags.host }),
    ...(flags['grpc-port'] === undefined ? {} : { GRPC_PORT: flags['grpc-port'] }),
  };
}

type GatewaySettings = ReturnType<typeof loadGatewayEnvironment>;

function loadSettingsOrExit(
  env: Record<string, string | undefined>,
  file: string | undefined,
): GatewaySettings {
  try {
    return loadGatewayEnvironment({ env, ...(file ? { file } : {}) });
  } catch (error) {
    if (ConfigError.isInstance(error)) throw new CliExit(error.message, 2);
    throw error;
  }
}

function openSharedStateOrExit(url: string | undefined): SharedState | undefined {
  try {
    return openSharedState(url);
  } catch (error) {
    if (ConfigError.isInstance(error)) throw new CliExit(`--shared-state / REDIS_URL: ${error.message}`, 2);
    throw error;
  }
}

async function openStoreOrExit(spec: string, knownSecrets: readonly string[]): Promise<Stores> {
  try {
    return await openStores(spec, { knownSecrets });
  } catch (error) {
    // StoreError messages never hold the connection string's password.
    throw new CliExit(`Cannot open the store: ${(error as Error).message}`, 2);
  }
}

/** A port that is taken or not allowed is the user's to fix: say which, and how. */
async function listenOrExit(
  settings: GatewaySettings,
  listen: () => Promise<NodeServer>,
): Promise<NodeServer> {
  try {
    return await listen();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const where = `${settings.host}:${settings.httpPort}`;
    if (code === 'EADDRINUSE')
      throw new CliExit(
        `Cannot listen on ${where}: the address is in use. Pick another --port (or HTTP_PORT; 0 = any free port).`,
        2,
      );
    if (code === 'EACCES')
      throw new CliExit(
        `Cannot listen on ${where}: permission denied (ports below 1024 need privileges). Pick another --port.`,
        2,
      );
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
      throw new CliExit(`Cannot listen on ${where}: no such host. Check --host (or HOST).`, 2);
    if (code === 'EADDRNOTAVAIL')
      throw new CliExit(`Cannot listen on ${where}: no such local address. Check --host (or HOST).`, 2);
    throw error;
  }
}

/** The gateway's configuration from the settings (the store, logger and fakes are added by the caller). */
function gatewayConfigFrom(settings: GatewaySettings) {
  return {
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
    knownSecrets: settings.secrets,
  };
}

/** Where it listens, how it routes, which store and providers it uses, and what is left open. */
async function printStartup(
  io: CliIo,
  started: {
    settings: GatewaySettings;
    server: NodeServer;
    grpc: ModuleServiceServer | undefined;
    store: Stores;
    fakes: Fakes | undefined;
    sharedState: SharedState | undefined;
    sharedStateUrl: string | undefined;
  },
): Promise<void> {
  const { settings, server, grpc, store, fakes, sharedState } = started;
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
      `Shared state: ${sharedState.kind} at ${redactedHost(started.sharedStateUrl)} (${sharedState.isAvailable() ? 'connected' : 'connecting; local state until then'})`,
    );
  if (!settings.apiKeys.length) {
    io.out('No GATEWAY_API_KEYS set: the gateway is open to anyone who can reach it.');
    // Sessions are namespaced by key id: without keys every caller has the same one.
    if (settings.enableMemory)
      io.out('  Session memory is shared: anyone who sends the same session_id reads and adds to it.');
  }
}

function runningGateway(parts: {
  gateway: Gateway;
  server: NodeServer;
  grpc: ModuleServiceServer | undefined;
  store: Stores;
  sharedState: SharedState | undefined;
  fakes: Fakes | undefined;
}): RunningGateway {
  const { gateway, server, grpc, store, sharedState, fakes } = parts;
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
