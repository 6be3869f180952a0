import { createOpenAI } from '@ballast/openai';
import { type AuditEntryInput, openStores, StoreError, type Stores } from '@ballast/store';
import { type FakeLlmServer, startFakeOpenAI } from '@ballast/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../http/api-keys';
import { type NodeServer, serveNode } from '../http/serve-node';
import { createLogger } from '../logging/logger';
import type { RoutingDecision } from './chat-completions';
import { createGateway, type Gateway, type GatewayConfig } from './gateway';
import { type BookFailure, createGatewayBooks } from './gateway-books';

const upstreamKey = 'sk-books-upstream-0123456789';
const clientKey = 'sk-books-client-abcdef';

function capturingLogger() {
  const lines: string[] = [];
  const logger = createLogger({
    level: 'info',
    destination: { write: (line: string) => void lines.push(line) },
  });
  return { logger, lines };
}

// Recent instants: the stores keep 24 h of rows and 90 days of audit entries.
const base = Date.now() - 60_000;
const row = (index: number) => ({
  at: base + index,
  provider: 'openai',
  model: 'gpt-4o-mini',
  outcome: 'success' as const,
  latencyMs: index,
});

const decision = (index: number): RoutingDecision => ({
  requestId: `r-${index}`,
  keyId: 'client',
  requestedModel: 'gpt-4o-mini',
  stream: false,
  target: 'openai/gpt-4o-mini',
  provider: 'openai',
  model: 'gpt-4o-mini',
  strategy: 'weighted',
  attempts: [{ target: 'openai/gpt-4o-mini', outcome: 'success', durationMs: 1.25 }],
  skipped: [],
  latencyMs: 2.5,
  costUsd: 0.0001,
  outcome: 'success',
});

describe('gateway books (batched store rows and audit entries)', () => {
  const opened: Stores[] = [];
  afterEach(async () => {
    for (const stores of opened.splice(0)) await stores.close();
  });
  const memoryStores = async () => {
    const stores = await openStores('memory');
    opened.push(stores);
    return stores;
  };

  it('loses nothing: every row and entry booked is in the store after close()', async () => {
    const stores = await memoryStores();
    const { logger } = capturingLogger();
    // A timer that never fires within the test: only the batch size, flush and close write.
    const books = createGatewayBooks({ store: stores, logger, batchSize: 64, flushIntervalMs: 60_000 });
    for (let index = 0; index < 1_000; index++) {
      books.row(row(index));
      books.decision(decision(index), base + index);
    }
    books.audit({ kind: 'configuration-change', subject: 'openai/gpt-4o-mini', summary: 'weight 1 -> 3' });
    expect(books.stats().buffered).toBeLessThanOrEqual(128);
    await books.close();
    expect(books.stats()).toMatchObject({
      buffered: 0,
      pendingAudit: 0,
      written: 2_001,
      failed: 0,
      dropped: 0,
    });
    expect((await stores.metrics.recentCalls({ limit: 5_000 })).length).toBe(1_000);
    const decisions = await stores.audit.list({ kind: 'routing-decision', limit: 1_000 });
    expect(decisions.length).toBe(1_000);
    expect(decisions[0]).toMatchObject({
      at: base + 999,
      actor: 'client',
      subject: 'openai/gpt-4o-mini',
      summary: 'gpt-4o-mini -> openai/gpt-4o-mini (weighted, success)',
      details: { requestId: 'r-999', attempts: [{ durationMs: 1.25 }] },
    });
    expect((await stores.audit.list({ kind: 'configuration-change' })).length).toBe(1);
    // Booked after close: handed to the store at once.
    books.row(row(1_000));
    expect((await stores.metrics.recentCalls({ limit: 5_000 })).length).toBe(1_001);
  });

  it('writes a partial batch after its interval, and everything on flush()', async () => {
    const stores = await memoryStores();
    const { logger } = capturingLogger();
    const books = createGatewayBooks({ store: stores, logger, batchSize: 1_000, flushIntervalMs: 5 });
    books.row(row(1));
    await expect.poll(() => books.stats().written, { timeout: 10_000 }).toBe(1);
    const slow = createGatewayBooks({ store: stores, logger, batchSize: 1_000, flushIntervalMs: 60_000 });
    slow.decision(decision(2), base + 2);
    expect(await stores.audit.list()).toEqual([]);
    await slow.flush();
    expect((await stores.audit.list()).length).toBe(1);
  });

  it('logs and counts a refused row and a failed audit write, and keeps going', async () => {
    const { logger, lines } = capturingLogger();
    const failures: BookFailure[] = [];
    let writes = 0;
    const books = createGatewayBooks({
      store: {
        metrics: {
          record() {
            throw new StoreError({
              message: 'The metrics store is closed',
              backend: 'sqlite',
              reason: 'closed',
            });
          },
        } as unknown as Stores['metrics'],
        audit: {
          async appendMany(entries: readonly AuditEntryInput[]) {
            writes += 1;
            if (writes === 1)
              throw new StoreError({ message: 'disk I/O error', backend: 'sqlite', reason: 'query_failed' });
            return entries.length;
          },
        } as unknown as Stores['audit'],
      },
      logger,
      batchSize: 10,
      flushIntervalMs: 60_000,
      onFailure: (failure) => failures.push(failure),
    });
    for (let index = 0; index < 3; index++) {
      books.row(row(index));
      books.decision(decision(index), index);
    }
    await books.flush();
    books.decision(decision(3), 3);
    await books.flush();
    expect(books.stats()).toMatchObject({ written: 1, failed: 6, dropped: 0, buffered: 0, pendingAudit: 0 });
    expect(failures).toEqual([
      { book: 'metrics', reason: 'write_failed', count: 3 },
      { book: 'audit', reason: 'write_failed', count: 3 },
    ]);
    const warnings = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(warnings).toEqual([
      expect.objectContaining({ level: 'warn', msg: 'metrics record refused', book: 'metrics', count: 3 }),
      expect.objectContaining({ level: 'warn', msg: 'audit write failed', book: 'audit', count: 3 }),
    ]);
  });

  it('bounds what a stalled database holds: batches past maxPendingAudit are dropped and counted', async () => {
    const { logger, lines } = capturingLogger();
    let release: () => void = () => {};
    const stalled = new Promise<void>((resolve) => {
      release = resolve;
    });
    const books = createGatewayBooks({
      store: {
        metrics: { record() {} } as unknown as Stores['metrics'],
        audit: {
          appendMany: async (entries: readonly AuditEntryInput[]) => {
            await stalled;
            return entries.length;
          },
        } as unknown as Stores['audit'],
      },
      logger,
      batchSize: 10,
      flushIntervalMs: 60_000,
      maxPendingAudit: 25,
    });
    // One burst, no turn of the event loop: written at every second batch (20 entries).
    for (let index = 0; index < 100; index++) books.decision(decision(index), index);
    expect(books.stats()).toMatchObject({ buffered: 0, pendingAudit: 20, dropped: 80, written: 0 });
    expect(lines.filter((line) => line.includes('"reason":"dropped"')).length).toBe(4);
    release();
    await books.flush();
    expect(books.stats()).toMatchObject({ pendingAudit: 0, written: 20, dropped: 80, failed: 0 });
  });
});

describe('a gateway with batched books', () => {
  let upstream: FakeLlmServer;
  const running: Array<{ gateway: Gateway; server: NodeServer; stores: Stores }> = [];
  beforeAll(async () => {
    upstream = await startFakeOpenAI({ apiKey: upstreamKey });
  });
  afterAll(async () => {
    for (const { gateway, server, stores } of running.splice(0)) {
      await server.close({ timeoutMs: 2_000 });
      await gateway.flush();
      gateway.close();
      await stores.close();
    }
    await upstream.close();
  });
  const start = async (stores: Stores, overrides: Partial<GatewayConfig> = {}) => {
    const { logger, lines } = capturingLogger();
    const gateway = createGateway({
      targets: [
        {
          model: createOpenAI({
            apiKey: upstreamKey,
            baseURL: `${upstream.url}/v1`,
            maxRetries: 0,
          }).chatModel('gpt-4o-mini'),
          passThrough: { baseURL: `${upstream.url}/v1`, apiKey: upstreamKey },
        },
      ],
      apiKeys: [{ id: 'client', hash: hashApiKey(clientKey) }],
      store: stores,
      // Only reads, flush() and close() write the books in these tests.
      books: { batchSize: 10_000, flushIntervalMs: 600_000 },
      alerts: { intervalMs: 0 },
      logger,
      env: {},
      ...overrides,
    });
    const server = await serveNode(gateway.fetch, { port: 0, nodeHandler: gateway.nodeHandler });
    running.push({ gateway, server, stores });
    const call = async () => {
      const response = await fetch(`${server.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${clientKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(response.status).toBe(200);
      await response.arrayBuffer();
    };
    const get = async (path: string) =>
      fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${clientKey}` } });
    return { gateway, server, lines, call, get };
  };

  it('lets every read see the calls booked before it', async () => {
    const stores = await openStores('memory');
    const { gateway, call, get } = await start(stores);
    await call();
    await call();
    // Still batched: nothing reached the audit log yet.
    expect(await stores.audit.list()).toEqual([]);
    const report = (await (await get('/api/monitoring/performance?hours=1')).json()) as {
      source: string;
      providers: Record<string, { requests: number }>;
    };
    expect(report.source).toBe('store');
    expect(report.providers.openai?.requests).toBe(2);
    const metrics = await (await get('/metrics')).text();
    expect(metrics).toMatch(
      /ballast_llm_requests_total\{provider="openai",model="gpt-4o-mini",outcome="success"\} 2/,
    );
    expect(metrics).toMatch(
      /ballast_http_requests_total\{route="\/v1\/chat\/completions",method="POST",status="200"\} 2/,
    );
    await call();
    await gateway.flush();
    expect((await stores.audit.list({ kind: 'routing-decision' })).length).toBe(3);
    expect(await gateway.metrics.registry.metrics()).toMatch(/ballast_llm_requests_total\{[^}]*\} 3/);
    expect(gateway.bookStats()).toMatchObject({ buffered: 0, written: 6, failed: 0, dropped: 0 });
  });

  it('writes the books on drain, and keeps answering when the store fails (logged and counted)', async () => {
    const healthy = await openStores('memory');
    const failing: Stores = {
      ...healthy,
      kind: healthy.kind,
      describe: () => healthy.describe(),
      close: () => healthy.close(),
      metrics: {
        ...healthy.metrics,
        record() {
          throw new StoreError({
            message: 'The metrics store is closed',
            backend: 'memory',
            reason: 'closed',
          });
        },
      },
      audit: { ...healthy.audit, appendMany: async () => Promise.reject(new Error('disk full')) },
    };
    const { gateway, call, get, lines } = await start(failing);
    await call();
    gateway.drain();
    await expect.poll(() => gateway.bookStats()?.failed, { timeout: 10_000 }).toBe(2);
    expect(lines.some((line) => line.includes('metrics record refused'))).toBe(true);
    expect(lines.some((line) => line.includes('audit write failed'))).toBe(true);
    expect(await gateway.metrics.registry.metrics()).toMatch(
      /ballast_books_failed_total\{book="audit",reason="write_failed"\} 1/,
    );
    // Draining: new chat calls are refused, but the process and the other routes are fine.
    expect((await get('/healthz')).status).toBeLessThan(600);
  });
});
