/**
 * The servers of `bench/gateway.bench.ts`, run in their own processes so that the load
 * generator's and the upstream's work never shares an event loop with the gateway under test (in
 * one process, a stream's later chunks were processed before the client saw its first byte, which
 * inflated the gateway's time to first byte).
 *
 *   tsx bench/gateway-servers.ts upstream              # prints {"upstream": url}
 *   tsx bench/gateway-servers.ts gateways <upstream>   # prints {"gateway": url, …}
 *
 * Each process prints one JSON line with its URLs, then serves until its stdin closes.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOpenAI } from '@ballast/openai';
import {
  createGateway,
  createLogger,
  createNodeFetch,
  hashApiKey,
  loadGatewayEnvironment,
  runGateway,
  serveNode,
} from '@ballast/server';
import { startFakeOpenAI } from '@ballast/testkit';
import OpenAI from 'openai';

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/**
 * Floor 1: the least any HTTP hop costs here, a proxy that pipes the request and the response
 * through one more pair of loopback sockets without looking at them.
 */
function bareProxy(upstreamUrl: string): Server {
  const upstream = new URL(upstreamUrl);
  const proxyAgent = new Agent({ keepAlive: true, maxSockets: 256 });
  return createServer((incoming, outgoing) => {
    const forward = httpRequest(
      {
        host: upstream.hostname,
        port: upstream.port,
        path: incoming.url,
        method: incoming.method,
        headers: incoming.headers,
        agent: proxyAgent,
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    incoming.pipe(forward);
  });
}

/**
 * Floor 2: the least a gateway on the official SDK costs, a server that parses the body, makes
 * the SDK call and writes its answer (JSON, or SSE chunks as they come), with no routing,
 * validation, auth, logging or metrics at all.
 */
function sdkFloor(upstreamUrl: string): Server {
  const client = new OpenAI({
    apiKey: 'sk-upstream',
    baseURL: `${upstreamUrl}/v1`,
    maxRetries: 0,
    fetch: createNodeFetch(),
  });
  return createServer(async (incoming, outgoing) => {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as OpenAI.ChatCompletionCreateParams;
    if (body.stream) {
      const stream = await client.chat.completions.create({ ...body, stream: true });
      outgoing.writeHead(200, { 'content-type': 'text/event-stream' });
      for await (const chunk of stream) outgoing.write(`data: ${JSON.stringify(chunk)}\n\n`);
      outgoing.end('data: [DONE]\n\n');
      return;
    }
    const answer = await client.chat.completions.create({ ...body, stream: false });
    outgoing.writeHead(200, { 'content-type': 'application/json' });
    outgoing.end(JSON.stringify(answer));
  });
}

async function startUpstream(): Promise<Record<string, string>> {
  const upstream = await startFakeOpenAI({
    responder: () => ({ text: 'Hello from the upstream, four words.' }),
  });
  return { upstream: upstream.url };
}

/**
 * The gateway exactly as `ballast gateway` starts it (`runGateway`: environment → targets with
 * their pass-through endpoints → `serveNode` with the node fast path), with an API key, the given
 * store (`memory`, or `sqlite:…`, the CLI's default) and a production log level into a
 * discarding sink.
 */
async function startCliGateway(upstreamUrl: string, store: string): Promise<string> {
  const running = await runGateway(['--port', '0', '--host', '127.0.0.1', '--store', store], {
    out: () => {},
    err: (line) => process.stderr.write(`${line}\n`),
    env: {
      OPENAI_API_KEY: 'sk-upstream',
      OPENAI_BASE_URL: `${upstreamUrl}/v1`,
      OPENAI_MODELS: 'gpt-4o-mini',
      GATEWAY_API_KEYS: 'bench:sk-bench',
      REDIS_URL: 'off',
    },
    logger: createLogger({ level: 'info', destination: { write: () => {} } }),
  });
  if (!running) throw new Error('the gateway CLI did not start');
  return running.server.url;
}

/**
 * The same gateway without a store: the fast path with its balancer, key check, metrics and log
 * line, but no audit row or metrics row per call (what the store adds shows as the difference).
 */
async function startStorelessGateway(upstreamUrl: string): Promise<string> {
  const settings = loadGatewayEnvironment({
    env: {
      OPENAI_API_KEY: 'sk-upstream',
      OPENAI_BASE_URL: `${upstreamUrl}/v1`,
      OPENAI_MODELS: 'gpt-4o-mini',
      GATEWAY_API_KEYS: 'bench:sk-bench',
    },
  });
  const gateway = createGateway({
    targets: settings.targets,
    apiKeys: settings.apiKeys,
    logger: createLogger({ level: 'info', destination: { write: () => {} } }),
    alerts: { intervalMs: 0 },
    env: {},
  });
  return (await serveNode(gateway.fetch, { port: 0, nodeHandler: gateway.nodeHandler })).url;
}

/** The Fetch handler (what a Next.js or Hono mount runs): router → balancer → openai SDK. */
async function startFetchGateway(upstreamUrl: string): Promise<string> {
  const gateway = createGateway({
    targets: [
      {
        model: createOpenAI({
          apiKey: 'sk-upstream',
          baseURL: `${upstreamUrl}/v1`,
          maxRetries: 0,
          fetch: createNodeFetch(),
        }).chatModel('gpt-4o-mini'),
      },
    ],
    apiKeys: [{ id: 'bench', hash: hashApiKey('sk-bench') }],
    // Production-like: one JSON log line per request and per routing decision, into a discarding sink.
    logger: createLogger({ level: 'info', destination: { write: () => {} } }),
    alerts: { intervalMs: 0 },
    env: {},
  });
  return (await serveNode(gateway.fetch, { port: 0 })).url;
}

/** A scratch directory for the SQLite row's database file, removed when the process exits. */
function scratchDatabase(): string {
  const directory = mkdtempSync(join(tmpdir(), 'ballast-gateway-bench-'));
  process.on('exit', () => rmSync(directory, { recursive: true, force: true }));
  return `sqlite:${join(directory, 'ballast.db')}`;
}

async function startGateways(upstreamUrl: string): Promise<Record<string, string>> {
  const [gateway, gatewaySqlite, gatewayNoStore, gatewayFetch, bare, sdk] = await Promise.all([
    startCliGateway(upstreamUrl, 'memory'),
    // The CLI's default store (`sqlite:ballast.db`): one WAL file on local disk.
    startCliGateway(upstreamUrl, scratchDatabase()),
    startStorelessGateway(upstreamUrl),
    startFetchGateway(upstreamUrl),
    listen(bareProxy(upstreamUrl)),
    listen(sdkFloor(upstreamUrl)),
  ]);
  return { gateway, gatewaySqlite, gatewayNoStore, gatewayFetch, bareProxy: bare, sdkFloor: sdk };
}

const [role, upstreamUrl] = process.argv.slice(2);
const urls = role === 'upstream' ? await startUpstream() : await startGateways(upstreamUrl ?? '');
process.stdout.write(`${JSON.stringify(urls)}\n`);
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
process.stdin.on('close', () => process.exit(0));
