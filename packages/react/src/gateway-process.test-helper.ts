import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The gateway child process of the React tests (see `gateway-server.test-helper.ts`). */
export interface GatewayProcess {
  url: string;
  /** Migration tasks the fake Proxmox has run (read through its own API). */
  migrationTasks(): Promise<number>;
  close(): Promise<void>;
}

const here = dirname(fileURLToPath(import.meta.url));
const repositoryRoot = join(here, '..', '..', '..');

/** Starts the gateway over the fakes in a Node child process and waits for its address. */
export async function startGatewayProcess(): Promise<GatewayProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=@ballast/source', join(here, 'gateway-server.test-helper.ts')],
    { cwd: repositoryRoot, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines = createInterface({ input: child.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the gateway process exited early (${code})`)));
  });
  const address = JSON.parse(first) as { url: string; proxmoxUrl: string; proxmoxAuthorization: string };
  return {
    url: address.url,
    async migrationTasks() {
      const get = async <T>(path: string) => {
        const response = await fetch(`${address.proxmoxUrl}/api2/json${path}`, {
          headers: { authorization: address.proxmoxAuthorization },
        });
        return ((await response.json()) as { data: T }).data;
      };
      let count = 0;
      for (const { node } of await get<Array<{ node: string }>>('/nodes')) {
        const tasks = await get<Array<{ type: string }>>(`/nodes/${node}/tasks?source=all`);
        count += tasks.filter((task) => task.type.endsWith('migrate')).length;
      }
      return count;
    },
    async close() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Sends one chat call through the gateway, so the metrics have something to show. */
export async function sendChat(url: string): Promise<void> {
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }] }),
  });
  if (!response.ok) throw new Error(`chat failed: ${response.status}`);
  await response.text();
}
