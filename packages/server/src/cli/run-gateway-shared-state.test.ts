import { redisForTests } from '@ballast/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { captureCliIo } from './cli-io.test-helper';
import { type RunningGateway, runGateway } from './run-gateway';

// `ballast gateway --shared-state redis://…` / `REDIS_URL` (issue 14).

const redis = await redisForTests();
let running: RunningGateway | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
  process.exitCode = undefined;
});

const io = captureCliIo;

describe('ballast gateway --shared-state', () => {
  it('rejects a URL that is not redis:// with exit code 2, naming the option and not echoing it', async () => {
    const { err, io: cli } = io();
    const secret = ['https://user:', 'pa55', 'word@example.com'].join('');
    running = await runGateway(
      ['--fake', '--port', '0', '--host', '127.0.0.1', '--shared-state', secret],
      cli,
    );
    expect(running).toBeUndefined();
    expect(process.exitCode).toBe(2);
    expect(err.join('\n')).toMatch(/--shared-state \/ REDIS_URL: .*redis:\/\//);
    expect(err.join('\n')).not.toContain('pa55');
  });

  it('"off" wins over REDIS_URL: no shared state', async () => {
    const { out, io: cli } = io({ REDIS_URL: 'redis://127.0.0.1:1' });
    running = await runGateway(
      ['--fake', '--port', '0', '--host', '127.0.0.1', '--shared-state', 'off'],
      cli,
    );
    expect(out.join('\n')).not.toContain('Shared state');
    const health = await (await fetch(`${running!.server.url}/healthz`)).json();
    expect(health.sharedState).toEqual({ enabled: false });
  });

  it('starts even when Redis is unreachable, and reports it in /healthz', async () => {
    // Port 1 on loopback refuses connections: the gateway serves on local state.
    const { out, io: cli } = io({ REDIS_URL: 'redis://127.0.0.1:1' });
    running = await runGateway(['--fake', '--port', '0', '--host', '127.0.0.1'], cli);
    expect(out.join('\n')).toMatch(
      /Shared state: redis at 127\.0\.0\.1:1 \(connecting; local state until then\)/,
    );
    const reply = await fetch(`${running!.server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'fast', messages: [{ role: 'user', content: 'ping' }] }),
    });
    expect(reply.status).toBe(200);
    const health = await (await fetch(`${running!.server.url}/healthz`)).json();
    expect(health.sharedState).toEqual({ enabled: true, kind: 'redis', available: false });
  });

  it.skipIf(redis.skip !== undefined)(
    `connects to the Redis named by --shared-state${redis.skip ? ` (skipped: ${redis.skip})` : ''}`,
    async () => {
      if (redis.skip !== undefined) return;
      const { io: cli } = io();
      running = await runGateway(
        ['--fake', '--port', '0', '--host', '127.0.0.1', '--shared-state', redis.url],
        cli,
      );
      const healthUrl = `${running!.server.url}/healthz`;
      let health = await (await fetch(healthUrl)).json();
      while (!health.sharedState.available) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        health = await (await fetch(healthUrl)).json();
      }
      expect(health.sharedState).toEqual({ enabled: true, kind: 'redis', available: true });
    },
  );
});
