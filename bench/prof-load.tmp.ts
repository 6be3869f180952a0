import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Agent, request } from 'node:http';
import { createInterface } from 'node:readline';
const extra = process.env.PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] : [];
const start = async (args: string[], flags: string[] = []) => {
  const child = spawn(process.execPath, [...flags, ...process.execArgv, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  return { urls: JSON.parse(line), child };
};
const up = await start(['bench/gateway-servers.ts', 'upstream']);
const mode = process.argv[2] ?? 'gateway';
const gw = await start(['bench/prof-gw.tmp.ts', mode, up.urls.upstream], extra);
const agent = new Agent({ keepAlive: true, maxSockets: 4 });
const send = (body: string) => new Promise<void>((resolve, reject) => {
  const req = request(`${gw.urls.url}/v1/chat/completions`, { method: 'POST', agent, headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' } }, (res) => { res.resume(); res.on('end', resolve); });
  req.on('error', reject); req.end(body);
});
const chat = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello' }] });
const stream = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello' }], stream: true });
const n = Number(process.env.N ?? 4000);
for (let i = 0; i < 1000; i++) { await send(chat); await send(stream); }
gw.child.stdin!.write('reset\n');
await new Promise((r) => setTimeout(r, 100));
const t = performance.now();
for (let i = 0; i < n; i++) { await send(chat); await send(stream); }
console.log(mode, 'wall per pair ms', ((performance.now() - t) / n).toFixed(3));
gw.child.stdin!.write('report\n');
await new Promise((r) => setTimeout(r, 300));
console.log('per pair CPU: see stderr /', n);
gw.child.stdin!.end(); up.child.stdin!.end();
await once(gw.child, 'exit');
