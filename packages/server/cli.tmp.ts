import { Agent, request } from 'node:http';
import { Pool } from 'undici';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
const child = spawn(process.execPath, [...process.execArgv, '../../bench/gateway-servers.ts', 'upstream'], { stdio: ['pipe', 'pipe', 'inherit'] });
const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
const up = JSON.parse(line).upstream as string;
const body = Buffer.from(JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello' }] }));
const pool = new Pool(up, { connections: 8, pipelining: 1 });
const agent = new Agent({ keepAlive: true, maxSockets: 8 });
const viaUndici = async () => { const r = await pool.request({ method: 'POST', path: '/v1/chat/completions', headers: { 'content-type': 'application/json' }, body }); const chunks: Buffer[] = []; await new Promise<void>((res) => { r.body.on('data', (c: Buffer) => chunks.push(c)); r.body.on('end', res); }); };
const viaHttp = () => new Promise<void>((resolve) => { const req = request(`${up}/v1/chat/completions`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': body.length } }, (res) => { const chunks: Buffer[] = []; res.on('data', (c) => chunks.push(c)); res.on('end', resolve); }); req.end(body); });
for (const round of [1, 2, 3]) for (const [name, fn] of [['undici', viaUndici], ['http', viaHttp]] as const) {
  const c0 = process.cpuUsage(); const t = performance.now();
  for (let i = 0; i < 3000; i++) await fn();
  const c = process.cpuUsage(c0);
  console.log(round, name, 'wall us', ((performance.now() - t) / 3).toFixed(0), 'cpu us', ((c.user + c.system) / 3000).toFixed(0));
}
child.stdin!.end(); await pool.close(); agent.destroy();
