import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { captureCliIo } from './cli-io.test-helper';
import { type RunningGateway, runGateway } from './run-gateway';

let running: RunningGateway | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
  process.exitCode = undefined;
});

const io = captureCliIo;

describe('ballast gateway', () => {
  it('--fake starts the testkit upstreams and serves the OpenAI API with no keys', async () => {
    const { out, io: cli } = io();
    running = await runGateway(['--fake', '--port', '0', '--host', '127.0.0.1', '--grpc-port', '0'], cli);
    expect(running).toBeDefined();
    const text = out.join('\n');
    expect(text).toMatch(/listening on http:\/\/127\.0\.0\.1:\d+/);
    expect(text).toMatch(/gRPC ModuleService on 127\.0\.0\.1:\d+/);
    expect(text).toMatch(/openai\s+gpt-4o-mini/);
    expect(text).toMatch(/anthropic\s+claude-sonnet-4-5/);
    expect(text).toMatch(/ollama\s+llama3\.2/);
    expect(text).not.toContain('sk-fake-openai-key');
    // No keys: one memory namespace for everyone, and the start-up says so.
    expect(text).toContain('open to anyone who can reach it');
    expect(text).toContain('Session memory is shared: anyone who sends the same session_id');
    const client = new OpenAI({ apiKey: 'unused', baseURL: `${running!.server.url}/v1`, maxRetries: 0 });
    const reply = await client.chat.completions.create({
      model: 'fast',
      messages: [{ role: 'user', content: 'ping' }],
    });
    expect(reply.choices[0]?.message.content).toMatch(/fake\) You said: ping/);
    // Streams through every provider (the CLI's upstream fetch is createNodeFetch).
    for (const model of ['claude-sonnet-4-5', 'llama3.2', 'gpt-4o-mini']) {
      const stream = await client.chat.completions.create({
        model,
        messages: [{ role: 'user', content: 'stream me' }],
        stream: true,
      });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      expect(text).toMatch(/fake\) You said: stream me/);
    }
    const health = await (await fetch(`${running!.server.url}/healthz`)).json();
    expect(health).toMatchObject({ status: 'ok', memory: { enabled: true }, rag: { enabled: true } });
    const advice = await fetch(`${running!.server.url}/api/ai-recommendations`, {
      method: 'POST',
      body: '{}',
    });
    expect((await advice.json()).success).toBe(true);
  });

  it('lists every configuration problem at once and exits with 2', async () => {
    const { err, io: cli } = io({
      OPENAI_API_KEY: 'sk-real-looking-secret-123',
      HTTP_PORT: 'eighty',
      ROUTING_STRATEGY: 'fastest',
      ENABLE_RAG: 'maybe',
      LOAD_BALANCER_WEIGHT_COST: '-1',
    });
    expect(await runGateway([], cli)).toBeUndefined();
    const text = err.join('\n');
    for (const name of [
      'OPENAI_MODELS',
      'HTTP_PORT',
      'ROUTING_STRATEGY',
      'ENABLE_RAG',
      'LOAD_BALANCER_WEIGHT_COST',
    ])
      expect(text).toContain(name);
    expect(text).not.toContain('sk-real-looking-secret-123');
    expect(process.exitCode).toBe(2);
  });

  it('reads a config file under the environment', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'ballast-cli-'));
    const file = join(directory, 'gateway.json');
    writeFileSync(
      file,
      JSON.stringify({
        OLLAMA_BASE_URL: 'http://127.0.0.1:9',
        OLLAMA_MODELS: ['llama3.2', 'qwen2.5'],
        ROUTING_STRATEGY: 'failover',
      }),
    );
    const { out, io: cli } = io({
      HTTP_PORT: '0',
      HOST: '127.0.0.1',
      GATEWAY_API_KEYS: 'ci:sk-ci-key-0123456789',
    });
    const database = join(dirname(file), 'gateway.db');
    running = await runGateway(['--config', file, '--store', `sqlite:${database}`], cli);
    expect(out.join('\n')).toMatch(/ollama\s+llama3\.2, qwen2\.5/);
    expect(out.join('\n')).toContain(`Store: sqlite ${database} (schema v5; vector search exact-scan`);
    expect(out.join('\n')).toContain('Routing strategy: failover');
    expect(out.join('\n')).not.toContain('open to anyone');
    expect(out.join('\n')).not.toContain('Session memory is shared');
    expect(running!.gateway.strategy).toBe('failover');
    expect((await fetch(`${running!.server.url}/v1/models`)).status).toBe(401);
  });

  it('prints help', async () => {
    const { out, io: cli } = io();
    expect(await runGateway(['--help'], cli)).toBeUndefined();
    expect(out.join('\n')).toContain('ROUTING_STRATEGY');
  });

  it('--store sqlite:PATH keeps metrics history across a restart and reports the store in /healthz', async () => {
    const database = join(mkdtempSync(join(tmpdir(), 'ballast-cli-store-')), 'ballast.db');
    const args = ['--fake', '--port', '0', '--host', '127.0.0.1', '--store', `sqlite:${database}`];
    running = await runGateway(args, io().io);
    const client = new OpenAI({ apiKey: 'unused', baseURL: `${running!.server.url}/v1`, maxRetries: 0 });
    for (const model of ['gpt-4o-mini', 'llama3.2'])
      await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'remember me' }] });
    await running!.stop();

    running = await runGateway(args, io().io);
    const health = (await (await fetch(`${running!.server.url}/healthz`)).json()) as { store: unknown };
    expect(health.store).toMatchObject({
      kind: 'sqlite',
      location: database,
      vectorSearch: 'exact-scan',
      status: 'ok',
    });
    const performance = (await (
      await fetch(`${running!.server.url}/api/monitoring/performance?hours=1`)
    ).json()) as {
      source: string;
      totals: { requests: number };
      providers: Record<string, { requests: number; successRate: number }>;
    };
    expect(performance.source).toBe('store');
    expect(performance.totals.requests).toBe(2);
    expect(performance.providers.openai).toMatchObject({ requests: 1, successRate: 1 });
    expect(performance.providers.ollama).toMatchObject({ requests: 1, successRate: 1 });
  });

  it('refuses an unknown --store without echoing it', async () => {
    const { err, io: cli } = io();
    expect(
      await runGateway(['--fake', '--port', '0', '--store', 'mysql://root:hunter2@db/x'], cli),
    ).toBeUndefined();
    expect(err.join('\n')).toMatch(/Cannot open the store: Unknown store/);
    expect(err.join('\n')).not.toContain('hunter2');
    expect(process.exitCode).toBe(2);
  });

  it('refuses a port that is not written in decimal digits instead of reading 0x50 as 80', async () => {
    for (const port of ['0x50', '1e3', '0b1']) {
      const { err, io: cli } = io();
      expect(await runGateway(['--fake', '--port', port, '--host', '127.0.0.1'], cli), port).toBeUndefined();
      expect(err.join('\n')).toContain(`HTTP_PORT: must be an integer from 0 to 65535, got "${port}"`);
      expect(process.exitCode).toBe(2);
      process.exitCode = undefined;
    }
  });

  it('says which --host cannot be resolved, with exit code 2', async () => {
    const { err, io: cli } = io();
    expect(
      await runGateway(['--fake', '--port', '0', '--host', 'no-such-host.invalid'], cli),
    ).toBeUndefined();
    expect(err.join('\n')).toMatch(/Cannot listen on no-such-host\.invalid:0: no such host\. Check --host/);
    expect(process.exitCode).toBe(2);
  });
});
