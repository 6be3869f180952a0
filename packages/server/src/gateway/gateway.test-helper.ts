import { createAnthropic } from '@ballast/anthropic';
import { createOpenAI } from '@ballast/openai';
import { type FakeLlmServer, startFakeAnthropic, startFakeOpenAI } from '@ballast/testkit';
import { hashApiKey } from '../http/api-keys';
import { type NodeServer, serveNode } from '../http/serve-node';
import { createLogger } from '../logging/logger';
import { createGateway, type Gateway, type GatewayConfig } from './gateway';

export const upstreamKey = 'sk-upstream-SECRET-0123456789';
export const anthropicKey = 'sk-ant-SECRET-9876543210';
export const clientKey = 'sk-ballast-client-key-abcdef';
export const adminKey = 'sk-ballast-admin-key-123456';

/** A gateway over a fake OpenAI and a fake Anthropic, served on an ephemeral port, logs captured. */
export interface GatewayFixture {
  openai: FakeLlmServer;
  anthropic: FakeLlmServer;
  gateway: Gateway;
  server: NodeServer;
  url: string;
  logs: string[];
  close(): Promise<void>;
}

export async function startGatewayFixture(overrides: Partial<GatewayConfig> = {}): Promise<GatewayFixture> {
  const openai = await startFakeOpenAI({ apiKey: upstreamKey });
  const anthropic = await startFakeAnthropic({ apiKey: anthropicKey });
  const logs: string[] = [];
  const logger = createLogger({
    level: 'debug',
    destination: { write: (line: string) => void logs.push(line) },
    knownSecrets: [upstreamKey, anthropicKey],
  });
  const gateway = createGateway({
    targets: [
      {
        model: createOpenAI({ apiKey: upstreamKey, baseURL: `${openai.url}/v1`, maxRetries: 0 }).chatModel(
          'gpt-4o-mini',
        ),
        aliases: ['fast'],
      },
      {
        model: createAnthropic({ apiKey: anthropicKey, baseURL: anthropic.url, maxRetries: 0 }).chatModel(
          'claude-3-5-haiku-latest',
        ),
      },
    ],
    aliases: { smart: ['claude-3-5-haiku-latest', 'gpt-4o-mini'] },
    apiKeys: [
      { id: 'client', hash: hashApiKey(clientKey) },
      { id: 'admin', hash: hashApiKey(adminKey), admin: true },
    ],
    balancer: { retry: { baseDelayMs: 1, maxDelayMs: 5 }, circuitBreaker: { minimumRequests: 100 } },
    alerts: { intervalMs: 0 },
    logger,
    knownSecrets: [upstreamKey, anthropicKey],
    env: {},
    ...overrides,
  });
  const server = await serveNode(gateway.fetch, { port: 0 });
  return {
    openai,
    anthropic,
    gateway,
    server,
    url: server.url,
    logs,
    async close() {
      await server.close({ timeoutMs: 2_000 });
      gateway.close();
      await Promise.all([openai.close(), anthropic.close()]);
    },
  };
}
