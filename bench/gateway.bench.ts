/**
 * Gateway overhead: the same requests sent straight to a fake OpenAI upstream (testkit, loopback)
 * and through the Ballast gateway (node:http adapter → router → balancer → openai SDK → upstream),
 * measured side by side in one run: interleaved rounds of sequential requests (alternating which
 * side goes first) for non-stream latency and streaming time to first byte, then requests per
 * second with 32 concurrent clients for each side. The client is node:http with a keep-alive
 * agent on both sides, so the difference is what the gateway adds.
 */

import { Agent, request as httpRequest } from 'node:http';
import { createOpenAI } from '@ballast/openai';
import { createGateway, createLogger, createNodeFetch, serveNode } from '@ballast/server';
import { startFakeOpenAI } from '@ballast/testkit';

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

type Side = 'direct' | 'gateway' | 'gatewayUndici';

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
  const urls: Record<Side, string> = {
    direct: `${upstream.url}/v1/chat/completions`,
    gateway: `${servers[0]!.url}/v1/chat/completions`,
    gatewayUndici: `${servers[1]!.url}/v1/chat/completions`,
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
  const empty = () => ({ direct: [] as number[], gateway: [] as number[], gatewayUndici: [] as number[] });
  const chatSamples = empty();
  const ttfbSamples = empty();
  const chatAdded = { gateway: [] as number[], gatewayUndici: [] as number[] };
  const ttfbAdded = { gateway: [] as number[], gatewayUndici: [] as number[] };
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
    for (const side of ['gateway', 'gatewayUndici'] as const) {
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
  for (const gateway of gateways) gateway.close();
  await upstream.close();
  agent.destroy();

  const row = (
    measure: string,
    samples: Record<Side, number[]>,
    q: number,
    added?: Record<'gateway' | 'gatewayUndici', number[]>,
  ) => ({
    measure,
    direct: ms(quantile(samples.direct, q)),
    gateway: ms(quantile(samples.gateway, q)),
    'added (node:http upstream)': ms(
      added ? median(added.gateway) : quantile(samples.gateway, q) - quantile(samples.direct, q),
    ),
    'gateway, SDK default fetch': ms(quantile(samples.gatewayUndici, q)),
    'added (undici upstream)': ms(
      added ? median(added.gatewayUndici) : quantile(samples.gatewayUndici, q) - quantile(samples.direct, q),
    ),
  });
  return {
    name: 'gateway',
    rows: [
      row('non-stream p50 (ms)', chatSamples, 0.5, chatAdded),
      row('non-stream p99 (ms)', chatSamples, 0.99),
      row('stream TTFB p50 (ms)', ttfbSamples, 0.5, ttfbAdded),
      row('stream TTFB p99 (ms)', ttfbSamples, 0.99),
      {
        measure: 'req/s, 32 concurrent clients',
        direct: Math.round(rps.direct!),
        gateway: Math.round(rps.gateway!),
        'added (node:http upstream)': `${((rps.gateway! / rps.direct! - 1) * 100).toFixed(0)}%`,
        'gateway, SDK default fetch': Math.round(rps.gatewayUndici!),
        'added (undici upstream)': `${((rps.gatewayUndici! / rps.direct! - 1) * 100).toFixed(0)}%`,
      },
    ],
    notes: [
      `${rounds} interleaved rounds × ${perRound} sequential requests per side and kind; "added" p50 is the median of per-round median differences, p99 the difference of pooled p99s`,
      'upstream: testkit fake OpenAI on loopback; gateway: serveNode → router → balancer → openai SDK, one JSON log line per request and per routing decision into a discarding sink',
      '"gateway" uses createNodeFetch() under the SDK (what `ballast gateway` does); "SDK default fetch" is Node 20\'s undici fetch',
      'goal: < 0.3 ms added p50, ≤ 1 ms added stream TTFB; Portkey 1.15.2 measured +1.75 ms p50 and +27.5 ms TTFB on this kind of machine',
      'load generator, gateways and upstream run in one process on the same cores (other jobs may share the machine: see load average)',
    ],
  };
}
