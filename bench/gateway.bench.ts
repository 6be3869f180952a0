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
import { createGateway, createLogger, serveNode } from '@ballast/server';
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

export default async function run() {
  const upstream = await startFakeOpenAI({
    responder: () => ({ text: 'Hello from the upstream, four words.' }),
  });
  const gateway = createGateway({
    targets: [
      {
        model: createOpenAI({
          apiKey: 'sk-upstream',
          baseURL: `${upstream.url}/v1`,
          maxRetries: 0,
        }).chatModel('gpt-4o-mini'),
      },
    ],
    // Production-like: one JSON log line per request and per routing decision, into a discarding sink.
    logger: createLogger({ level: 'info', destination: { write: () => {} } }),
    alerts: { intervalMs: 0 },
    env: {},
  });
  const server = await serveNode(gateway.fetch, { port: 0 });
  const direct = `${upstream.url}/v1/chat/completions`;
  const through = `${server.url}/v1/chat/completions`;
  const chat = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello' }] });
  const stream = JSON.stringify({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'Say hello' }],
    stream: true,
  });

  const rounds = Number(process.env.GATEWAY_BENCH_ROUNDS ?? 12);
  const perRound = Number(process.env.GATEWAY_BENCH_REQUESTS ?? 150);
  const samples = {
    direct: [] as number[],
    gateway: [] as number[],
    directTtfb: [] as number[],
    gatewayTtfb: [] as number[],
  };
  // Warm-up: JIT, sockets, SDK.
  for (let index = 0; index < 300; index++) {
    await send(direct, chat);
    await send(through, chat);
    await send(direct, stream);
    await send(through, stream);
  }
  const roundMedians = { chat: [] as number[], ttfb: [] as number[] };
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? (['direct', 'gateway'] as const) : (['gateway', 'direct'] as const);
    const chatRound: Record<string, number[]> = { direct: [], gateway: [] };
    const ttfbRound: Record<string, number[]> = { direct: [], gateway: [] };
    for (const side of order) {
      const url = side === 'direct' ? direct : through;
      for (let index = 0; index < perRound; index++) chatRound[side]!.push((await send(url, chat)).totalMs);
      for (let index = 0; index < perRound; index++)
        ttfbRound[side]!.push((await send(url, stream)).firstByteMs);
    }
    const median = (values: number[]) =>
      quantile(
        [...values].sort((a, b) => a - b),
        0.5,
      );
    roundMedians.chat.push(median(chatRound.gateway!) - median(chatRound.direct!));
    roundMedians.ttfb.push(median(ttfbRound.gateway!) - median(ttfbRound.direct!));
    samples.direct.push(...chatRound.direct!);
    samples.gateway.push(...chatRound.gateway!);
    samples.directTtfb.push(...ttfbRound.direct!);
    samples.gatewayTtfb.push(...ttfbRound.gateway!);
  }
  for (const list of Object.values(samples)) list.sort((a, b) => a - b);
  roundMedians.chat.sort((a, b) => a - b);
  roundMedians.ttfb.sort((a, b) => a - b);

  const seconds = Number(process.env.GATEWAY_BENCH_SECONDS ?? 4);
  const directRps = await throughput(direct, chat, seconds, 32);
  const gatewayRps = await throughput(through, chat, seconds, 32);

  await server.close();
  gateway.close();
  await upstream.close();
  agent.destroy();

  return {
    name: 'gateway',
    rows: [
      {
        measure: 'non-stream p50 (ms)',
        direct: ms(quantile(samples.direct, 0.5)),
        gateway: ms(quantile(samples.gateway, 0.5)),
        added: ms(quantile(roundMedians.chat, 0.5)),
      },
      {
        measure: 'non-stream p99 (ms)',
        direct: ms(quantile(samples.direct, 0.99)),
        gateway: ms(quantile(samples.gateway, 0.99)),
        added: ms(quantile(samples.gateway, 0.99) - quantile(samples.direct, 0.99)),
      },
      {
        measure: 'stream TTFB p50 (ms)',
        direct: ms(quantile(samples.directTtfb, 0.5)),
        gateway: ms(quantile(samples.gatewayTtfb, 0.5)),
        added: ms(quantile(roundMedians.ttfb, 0.5)),
      },
      {
        measure: 'stream TTFB p99 (ms)',
        direct: ms(quantile(samples.directTtfb, 0.99)),
        gateway: ms(quantile(samples.gatewayTtfb, 0.99)),
        added: ms(quantile(samples.gatewayTtfb, 0.99) - quantile(samples.directTtfb, 0.99)),
      },
      {
        measure: 'req/s, 32 concurrent clients',
        direct: Math.round(directRps),
        gateway: Math.round(gatewayRps),
        added: `${((gatewayRps / directRps - 1) * 100).toFixed(0)}%`,
      },
    ],
    notes: [
      `${rounds} interleaved rounds × ${perRound} sequential requests per side and kind; "added" for p50 rows is the median of per-round median differences`,
      'upstream: testkit fake OpenAI on loopback; gateway: serveNode → router → key-less auth → balancer → openai SDK; one log line per request into a discarding sink',
      'goal: < 0.3 ms added p50, ≤ 1 ms added stream TTFB; Portkey 1.15.2 measured +1.75 ms p50 and +27.5 ms TTFB on this kind of machine',
      `load generator, gateway and upstream share ${process.env.GATEWAY_BENCH_NOTE ?? 'the same cores'}`,
    ],
  };
}
