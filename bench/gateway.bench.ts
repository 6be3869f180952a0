/**
 * Gateway overhead: the same requests sent straight to a fake OpenAI upstream (testkit, loopback)
 * and through the Ballast gateway (node:http adapter → router → balancer → openai SDK → upstream),
 * measured side by side in one run: interleaved rounds of sequential requests (alternating which
 * side goes first) for non-stream latency and streaming time to first byte, then requests per
 * second with 32 concurrent clients for each side. The client is node:http with a keep-alive
 * agent on both sides, so the difference is what the gateway adds.
 */

import { Agent, createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createOpenAI } from '@ballast/openai';
import { createGateway, createLogger, createNodeFetch, serveNode } from '@ballast/server';
import { startFakeOpenAI } from '@ballast/testkit';
import OpenAI from 'openai';

interface Timing {
  totalMs: number;
  firstByteMs: number;
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

function send(url: string, body: string): Promise<Timing> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let firstByteMs = -1;
    const req = httpRequest(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          authorization: 'Bearer sk-bench',
        },
      },
      (res) => {
        res.on('data', () => {
          if (firstByteMs < 0) firstByteMs = performance.now() - started;
        });
        res.on('end', () => {
          if (res.statusCode !== 200) reject(new Error(`status ${res.statusCode}`));
          else resolve({ totalMs: performance.now() - started, firstByteMs });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
}

const ms = (value: number) => Number(value.toFixed(3));

async function throughput(url: string, body: string, seconds: number, concurrency: number): Promise<number> {
  const deadline = performance.now() + seconds * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        await send(url, body);
        done++;
      }
    }),
  );
  return done / seconds;
}

type Side = 'direct' | 'gateway' | 'gatewayUndici' | 'bareProxy' | 'sdkFloor';

const sideNames: Record<Side, string> = {
  direct: 'direct to the upstream',
  gateway: 'Ballast gateway (createNodeFetch under the SDK, as `ballast gateway`)',
  gatewayUndici: "Ballast gateway (the SDK's default undici fetch)",
  bareProxy: 'floor 1: bare node:http proxy (pipes bytes, no parsing)',
  sdkFloor: 'floor 2: node:http + JSON.parse + openai SDK call, nothing else',
};

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

export default async function run() {
  const upstream = await startFakeOpenAI({
    responder: () => ({ text: 'Hello from the upstream, four words.' }),
  });
  const makeGateway = (fetch: typeof globalThis.fetch | undefined) =>
    createGateway({
      targets: [
        {
          model: createOpenAI({
            apiKey: 'sk-upstream',
            baseURL: `${upstream.url}/v1`,
            maxRetries: 0,
            ...(fetch ? { fetch } : {}),
          }).chatModel('gpt-4o-mini'),
        },
      ],
      // Production-like: one JSON log line per request and per routing decision, into a discarding sink.
      logger: createLogger({ level: 'info', destination: { write: () => {} } }),
      alerts: { intervalMs: 0 },
      env: {},
    });
  // What `ballast gateway` uses (keep-alive node:http under the SDK) and the SDK's default fetch.
  const gateways = [makeGateway(createNodeFetch()), makeGateway(undefined)];
  const servers = await Promise.all(gateways.map((gateway) => serveNode(gateway.fetch, { port: 0 })));
  const floors = [bareProxy(upstream.url), sdkFloor(upstream.url)];
  const floorUrls = await Promise.all(floors.map(listen));
  const urls: Record<Side, string> = {
    direct: `${upstream.url}/v1/chat/completions`,
    gateway: `${servers[0]!.url}/v1/chat/completions`,
    gatewayUndici: `${servers[1]!.url}/v1/chat/completions`,
    bareProxy: `${floorUrls[0]}/v1/chat/completions`,
    sdkFloor: `${floorUrls[1]}/v1/chat/completions`,
  };
  const sides = Object.keys(urls) as Side[];
  const chat = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello' }] });
  const stream = JSON.stringify({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'Say hello' }],
    stream: true,
  });

  const rounds = Number(process.env.GATEWAY_BENCH_ROUNDS ?? 12);
  const perRound = Number(process.env.GATEWAY_BENCH_REQUESTS ?? 150);
  const seconds = Number(process.env.GATEWAY_BENCH_SECONDS ?? 4);
  const empty = () =>
    Object.fromEntries(sides.map((side) => [side, [] as number[]])) as Record<Side, number[]>;
  const chatSamples = empty();
  const ttfbSamples = empty();
  const chatAdded = empty();
  const ttfbAdded = empty();
  const median = (values: number[]) =>
    quantile(
      [...values].sort((a, b) => a - b),
      0.5,
    );
  // Warm-up: JIT, sockets, SDK.
  for (let index = 0; index < 300; index++)
    for (const side of sides) {
      await send(urls[side], chat);
      await send(urls[side], stream);
    }
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? sides : [...sides].reverse();
    const chatRound = empty();
    const ttfbRound = empty();
    for (const side of order) {
      for (let index = 0; index < perRound; index++)
        chatRound[side].push((await send(urls[side], chat)).totalMs);
      for (let index = 0; index < perRound; index++)
        ttfbRound[side].push((await send(urls[side], stream)).firstByteMs);
    }
    for (const side of sides) {
      chatAdded[side].push(median(chatRound[side]) - median(chatRound.direct));
      ttfbAdded[side].push(median(ttfbRound[side]) - median(ttfbRound.direct));
    }
    for (const side of sides) {
      chatSamples[side].push(...chatRound[side]);
      ttfbSamples[side].push(...ttfbRound[side]);
    }
  }
  for (const list of [...Object.values(chatSamples), ...Object.values(ttfbSamples)])
    list.sort((a, b) => a - b);
  const rps: Record<string, number> = {};
  for (const side of sides) rps[side] = await throughput(urls[side], chat, seconds, 32);

  await Promise.all(servers.map((server) => server.close()));
  for (const floor of floors) {
    floor.closeAllConnections();
    floor.close();
  }
  for (const gateway of gateways) gateway.close();
  await upstream.close();
  agent.destroy();

  const rows = sides.map((side) => ({
    side: sideNames[side],
    'non-stream p50 ms': ms(quantile(chatSamples[side], 0.5)),
    'added p50 ms': side === 'direct' ? '' : ms(median(chatAdded[side])),
    'non-stream p99 ms': ms(quantile(chatSamples[side], 0.99)),
    'stream TTFB p50 ms': ms(quantile(ttfbSamples[side], 0.5)),
    'added TTFB p50 ms': side === 'direct' ? '' : ms(median(ttfbAdded[side])),
    'stream TTFB p99 ms': ms(quantile(ttfbSamples[side], 0.99)),
    'req/s (32 clients)': Math.round(rps[side]!),
  }));
  return {
    name: 'gateway',
    rows,
    notes: [
      `${rounds} interleaved rounds × ${perRound} sequential requests per side and kind; "added" p50 is the median of per-round median differences, p99 the difference of pooled p99s`,
      'upstream: testkit fake OpenAI on loopback; gateway: serveNode → router → balancer → openai SDK, one JSON log line per request and per routing decision into a discarding sink',
      '"gateway" uses createNodeFetch() under the SDK (what `ballast gateway` does); "SDK default fetch" is Node 20\'s undici fetch',
      "floors: what one more HTTP hop costs (bare proxy) and what any gateway built on the official SDK costs before it routes, validates, authenticates, logs or counts anything (SDK floor); the gateway's own cost is its row minus floor 2",
      'goal: < 0.3 ms added p50, ≤ 1 ms added stream TTFB; Portkey 1.15.2 measured +1.75 ms p50 and +27.5 ms TTFB on this kind of machine',
      'load generator, gateways and upstream run in one process on the same cores (other jobs may share the machine: see load average)',
    ],
  };
}
