/**
 * Gateway overhead: the same requests sent straight to a fake OpenAI upstream (testkit, loopback)
 * and through the Ballast gateway (as the `ballast gateway` CLI runs it: the node:http pass-through
 * fast path; and its Fetch handler: router → balancer → openai SDK → upstream),
 * measured side by side in one run: interleaved rounds of sequential requests (alternating which
 * side goes first) for non-stream latency and streaming time to first byte, then requests per
 * second with 32 concurrent clients for each side. The client is node:http with a keep-alive
 * agent on both sides, so the difference is what the gateway adds.
 */

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Agent, request as httpRequest } from 'node:http';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

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

type Side =
  | 'direct'
  | 'gateway'
  | 'gatewaySqlite'
  | 'gatewayNoStore'
  | 'gatewayFetch'
  | 'bareProxy'
  | 'sdkFloor';

const sideNames: Record<Side, string> = {
  direct: 'direct to the upstream',
  gateway: 'Ballast gateway as `ballast gateway --store memory` runs it (node:http pass-through fast path)',
  gatewaySqlite: 'Ballast gateway as `ballast gateway` runs it by default (fast path, SQLite store)',
  gatewayNoStore: 'Ballast gateway fast path without a store (no audit or metrics row per call)',
  gatewayFetch: 'Ballast gateway Fetch handler (Request → Response, openai SDK with createNodeFetch)',
  bareProxy: 'floor 1: bare node:http proxy (pipes bytes, no parsing)',
  sdkFloor: 'floor 2: node:http + JSON.parse + openai SDK call, nothing else',
};

/** Starts `bench/gateway-servers.ts <role>` in its own process and reads the URLs it prints. */
async function startProcess(args: string[]): Promise<{ urls: Record<string, string>; stop: () => void }> {
  const child = spawn(
    process.execPath,
    [...process.execArgv, fileURLToPath(new URL('./gateway-servers.ts', import.meta.url)), ...args],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  return { urls: JSON.parse(line) as Record<string, string>, stop: () => child.stdin!.end() };
}

export default async function run() {
  // Three processes: this one generates load; the upstream and the gateways each have their own.
  const upstream = await startProcess(['upstream']);
  const upstreamUrl = upstream.urls.upstream!;
  const gateways = await startProcess(['gateways', upstreamUrl]);
  const path = '/v1/chat/completions';
  const urls: Record<Side, string> = {
    direct: `${upstreamUrl}${path}`,
    gateway: `${gateways.urls.gateway}${path}`,
    gatewaySqlite: `${gateways.urls.gatewaySqlite}${path}`,
    gatewayNoStore: `${gateways.urls.gatewayNoStore}${path}`,
    gatewayFetch: `${gateways.urls.gatewayFetch}${path}`,
    bareProxy: `${gateways.urls.bareProxy}${path}`,
    sdkFloor: `${gateways.urls.sdkFloor}${path}`,
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

  gateways.stop();
  upstream.stop();
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
      'upstream: testkit fake OpenAI on loopback; every gateway checks an API key (sk-bench) and writes its production (info) log lines into a discarding sink',
      '"gateway" is runGateway() — the `ballast gateway` CLI — whose serveNode uses the gateway\'s nodeHandler: /v1/chat/completions relayed to the OpenAI-compatible upstream over a keep-alive node:http agent (balancer lease, zod validation, usage from the last SSE events)',
      '"gateway" runs with --store memory (the --fake default), the SQLite row with the CLI\'s default store (sqlite:<file> in a scratch directory): each call books a routing-decision audit entry and a metrics row; the storeless row is the same fast path without them',
      '"Fetch handler" is createGateway().fetch on serveNode: what a Next.js / Hono mount runs, and the path of non-OpenAI-compatible targets and memory/RAG requests',
      'floors: what one more HTTP hop costs (bare proxy) and what any gateway built on the official SDK costs before it routes, validates, authenticates, logs or counts anything (SDK floor)',
      'goal: < 0.3 ms added p50, ≤ 1 ms added stream TTFB; Portkey 1.15.2 measured +1.75 ms p50 and +27.5 ms TTFB on this kind of machine',
      'three processes: the load generator, the upstream fake, and the gateways with the floors (bench/gateway-servers.ts); they share the 2 cores (other jobs may too: see load average)',
    ],
  };
}
