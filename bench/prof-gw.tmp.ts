import { createServer, request as httpRequest, Agent } from 'node:http';
import { runGateway, createLogger } from '@ballast/server';
const [mode, upstreamUrl] = process.argv.slice(2) as [string, string];
let url: string;
let stop = async () => {};
if (mode === 'gateway') {
  const running = (await runGateway(['--port', '0', '--host', '127.0.0.1', '--store', process.env.STORE ?? 'memory'], {
    out: () => {}, err: console.error,
    env: { OPENAI_API_KEY: 'sk-upstream', OPENAI_BASE_URL: `${upstreamUrl}/v1`, OPENAI_MODELS: 'gpt-4o-mini', GATEWAY_API_KEYS: 'bench:sk-bench', REDIS_URL: 'off' },
    logger: createLogger({ level: 'info', destination: { write: () => {} } }),
  }))!;
  url = running.server.url; stop = () => running.stop();
} else if (mode === 'nostore') {
  const { loadGatewayEnvironment, createGateway, serveNode } = await import('@ballast/server');
  const settings = loadGatewayEnvironment({ env: { OPENAI_API_KEY: 'sk-upstream', OPENAI_BASE_URL: `${upstreamUrl}/v1`, OPENAI_MODELS: 'gpt-4o-mini', GATEWAY_API_KEYS: 'bench:sk-bench' } });
  const gateway = createGateway({ targets: settings.targets, apiKeys: settings.apiKeys, logger: createLogger({ level: process.env.LEVEL as any ?? 'info', destination: { write: () => {} } }), alerts: { intervalMs: 0 }, env: {} });
  const server = await serveNode(gateway.fetch, { port: 0, nodeHandler: gateway.nodeHandler });
  url = server.url;
} else {
  const upstream = new URL(upstreamUrl);
  const proxyAgent = new Agent({ keepAlive: true, maxSockets: 256 });
  const server = createServer((incoming, outgoing) => {
    const forward = httpRequest({ host: upstream.hostname, port: upstream.port, path: incoming.url, method: incoming.method, headers: incoming.headers, agent: proxyAgent },
      (answer) => { outgoing.writeHead(answer.statusCode ?? 502, answer.headers); answer.pipe(outgoing); });
    incoming.pipe(forward);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as any).port}`;
}
process.stdout.write(JSON.stringify({ url }) + '\n');
let base = process.cpuUsage();
process.stdin.on('data', (d) => {
  if (String(d).startsWith('reset')) { base = process.cpuUsage(); return; }
  const u = process.cpuUsage(base); process.stderr.write(`${mode} cpu user ${u.user / 1000} ms system ${u.system / 1000} ms\n`);
});
process.stdin.on('end', async () => { await stop(); process.exit(0); });
