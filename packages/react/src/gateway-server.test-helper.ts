import { createOpenAI } from '@ballast/openai';
import { createProxmoxClient } from '@ballast/proxmox';
import {
  createGateway,
  createLogger,
  type Gateway,
  type NodeServer,
  proxmoxMigrationExecutor,
  proxmoxMigrationSource,
  serveNode,
} from '@ballast/server';
import {
  createClusterSimulator,
  type FakeLlmServer,
  type FakeProxmox,
  startFakeOpenAI,
  startFakeProxmox,
} from '@ballast/testkit';

/** A real gateway over a fake OpenAI and a fake Proxmox VE cluster, on 127.0.0.1. */
interface ReactGatewayFixture {
  url: string;
  gateway: Gateway;
  openai: FakeLlmServer;
  proxmox: FakeProxmox;
  close(): Promise<void>;
}

const upstreamKey = 'sk-react-test-upstream';
const token = { tokenId: 'root@pam!ballast-react', tokenSecret: 'ballast-react-0000-4000-8000-000000000000' };

async function startReactGatewayFixture(): Promise<ReactGatewayFixture> {
  const openai = await startFakeOpenAI({ apiKey: upstreamKey });
  const simulator = createClusterSimulator({ seed: 7, nodes: 4, guests: 24, imbalance: 'severe' });
  const proxmox = await startFakeProxmox({ simulator, ...token });
  const client = createProxmoxClient({ baseUrl: proxmox.url, ...token });
  const gateway = createGateway({
    targets: [
      {
        model: createOpenAI({ apiKey: upstreamKey, baseURL: `${openai.url}/v1`, maxRetries: 0 }).chatModel(
          'gpt-4o-mini',
        ),
      },
    ],
    migrations: proxmoxMigrationSource(client),
    executor: proxmoxMigrationExecutor(client),
    alerts: { intervalMs: 0 },
    logger: createLogger({ level: 'silent', knownSecrets: [upstreamKey] }),
    knownSecrets: [upstreamKey],
    env: {},
  });
  const server: NodeServer = await serveNode(gateway.fetch, { port: 0, host: '127.0.0.1' });
  return {
    url: server.url,
    gateway,
    openai,
    proxmox,
    async close() {
      await server.close({ timeoutMs: 2_000 });
      gateway.close();
      await Promise.all([openai.close(), proxmox.close()]);
    },
  };
}

// Run as a child process by `gateway-process.test-helper.ts`: the React tests run in jsdom, where
// the vendor SDKs refuse to start (they take the page for a browser), so the server side lives in a
// real Node process, as it does in production. Prints one JSON line, then serves until killed.
const fixture = await startReactGatewayFixture();
process.stdout.write(
  `${JSON.stringify({ url: fixture.url, proxmoxUrl: fixture.proxmox.url, proxmoxAuthorization: `PVEAPIToken=${token.tokenId}=${token.tokenSecret}` })}\n`,
);
const stop = () => void fixture.close().finally(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
