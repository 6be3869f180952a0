/**
 * One gateway replica of `bench/shared-state.bench.ts`, in its own process as a real deployment
 * runs it: one target (`upstream`, `maxConcurrent` 8) in front of the given fake upstream, one API
 * key limited per minute, and the shared state on Redis (or none with `off`).
 *
 *   tsx bench/shared-state-replica.ts <upstreamUrl> <redisUrl|off> <keyPrefix> <requestsPerMinute> <apiKey>
 *
 * Prints one JSON line `{"url": …}` once it serves, then serves until its stdin closes (or it is
 * killed: the bench SIGKILLs one replica to measure how its leases come back).
 */

import { createOpenAI } from '@ballast/openai';
import { createGateway, createLogger, createNodeFetch, hashApiKey, serveNode } from '@ballast/server';
import { createRedisSharedState } from '@ballast/store';

const [upstreamUrl = '', redisUrl = 'off', keyPrefix = 'ballast-bench', rpm = '60', apiKey = ''] =
  process.argv.slice(2);
const sharedState =
  redisUrl === 'off'
    ? undefined
    : createRedisSharedState({ url: redisUrl, keyPrefix, commandTimeoutMs: 5_000 });
if (sharedState && !(await sharedState.ready(10_000))) throw new Error('Redis did not answer within 10 s');
const gateway = createGateway({
  targets: [
    {
      id: 'upstream',
      model: createOpenAI({
        apiKey: 'sk-upstream',
        baseURL: `${upstreamUrl}/v1`,
        maxRetries: 0,
        fetch: createNodeFetch(),
      }).chatModel('gpt-4o-mini'),
      maxConcurrent: 8,
    },
  ],
  apiKeys: [{ id: 'bench', hash: hashApiKey(apiKey), requestsPerMinute: Number(rpm) }],
  balancer: {
    timeoutMs: 300_000,
    queueTimeoutMs: 300_000,
    maxQueue: 10_000,
    retry: { maxAttempts: 1 },
    circuitBreaker: { minimumRequests: 1_000_000, cooldownMs: 600_000 },
  },
  ...(sharedState ? { sharedState } : {}),
  logger: createLogger({ level: 'silent' }),
  alerts: { intervalMs: 0 },
  env: {},
});
const server = await serveNode(gateway.fetch, { port: 0 });
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
const stop = async () => {
  await server.close({ timeoutMs: 2_000 });
  gateway.close();
  await sharedState?.close();
  process.exit(0);
};
process.stdin.resume();
process.stdin.on('end', () => void stop());
process.stdin.on('close', () => void stop());
