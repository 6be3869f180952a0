import { createAnthropic } from '@ballast/anthropic';
import type { ChatMessage, ChatModel } from '@ballast/core';
import { createGroq } from '@ballast/groq';
import { createOllama } from '@ballast/ollama';
import { createOpenAI } from '@ballast/openai';
import {
  aviScenario,
  type FakeAviController,
  type FakeLlmServer,
  startFakeAnthropic,
  startFakeAviController,
  startFakeGroq,
  startFakeOllama,
  startFakeOpenAI,
} from '@ballast/testkit';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type AviClient, createAviClient } from '../avi-client';
import { AviConfirmationError } from '../write-plan';
import { createMemoryAuditLog, type MemoryAuditLog } from './audit-log';
import { type AviAgentEvent, createAviAgent } from './create-avi-agent';

type Provider = 'openai' | 'anthropic' | 'groq' | 'ollama';
const providers: Provider[] = ['openai', 'anthropic', 'groq', 'ollama'];

let fakes: Record<Provider, FakeLlmServer>;
let models: Record<Provider, ChatModel>;
let avi: FakeAviController;
let client: AviClient;
let audit: MemoryAuditLog;

// Secrets the controller holds: the recorded tls_ticket_key values of the alb-sdk cassette
// (test_basic_vs), the demo VS's keys, the admin password and the live session cookies.
const recordedTicketKeys = [
  'TaCHBHUT1uVdnVAy2ovPFg==',
  'txWO1E3wMN1Ida1Uc/dziw==',
  'Pc7AHYJQUJT4diRbVGDVrA==',
];
const demoTicketKeys = ['U2hvcEFlc0tleTEyMzQ1Ng==', 'U2hvcEhtYWNLZXk5ODc2NQ=='];

beforeAll(async () => {
  const [openai, anthropic, groq, ollama] = await Promise.all([
    startFakeOpenAI(),
    startFakeAnthropic(),
    startFakeGroq(),
    startFakeOllama(),
  ]);
  fakes = { openai, anthropic, groq, ollama };
  models = {
    openai: createOpenAI({ apiKey: 'test-openai-key', baseURL: `${openai.url}/v1` }).chatModel('gpt-4o-mini'),
    anthropic: createAnthropic({ apiKey: 'test-anthropic-key', baseURL: anthropic.url }).chatModel(
      'claude-sonnet-4-6',
    ),
    groq: createGroq({ apiKey: 'test-groq-key', baseURL: groq.url }).chatModel('llama-3.3-70b-versatile'),
    ollama: createOllama({ host: ollama.url }).chatModel('llama3.2'),
  };
});

afterAll(async () => {
  await Promise.all(Object.values(fakes).map((fake) => fake.close()));
});

beforeEach(async () => {
  avi = await startFakeAviController();
  client = createAviClient({ baseUrl: avi.url, username: avi.username, password: avi.password });
  audit = createMemoryAuditLog();
  for (const fake of Object.values(fakes)) fake.requests.length = 0;
});

afterEach(async () => {
  await client.close();
  await avi.close();
});

async function collect(events: AsyncIterable<AviAgentEvent>): Promise<AviAgentEvent[]> {
  const list: AviAgentEvent[] = [];
  for await (const event of events) list.push(event);
  return list;
}

const textOf = (events: AviAgentEvent[]) =>
  events.map((event) => (event.type === 'text-delta' ? event.text : '')).join('');

const sentToModel = (provider: Provider) =>
  JSON.stringify(fakes[provider].requests.map((request) => request.body));

function liveSecrets(): string[] {
  return [
    avi.password,
    ...avi.requests.flatMap((request) =>
      String(request.headers.cookie ?? '')
        .split(';')
        .map((part) => part.split('=')[1]?.trim() ?? '')
        .filter((value) => value.length >= 8),
    ),
  ];
}

describe.each(providers)('tool round trip on %s', (provider) => {
  it('answers the two-step question "which pool behind vs-shop is unhealthy, and why?"', async () => {
    const fake = fakes[provider];
    fake.enqueue(
      { toolCalls: [{ name: 'get_virtual_service', arguments: { name: 'vs-shop' } }] },
      { toolCalls: [{ name: 'why_is_down', arguments: { kind: 'pool', name: 'pool-shop-web' } }] },
      {
        text: 'pool-shop-web is unhealthy: server 10.10.1.13:8080 fails the hm-shop-http monitor (connect refused).',
      },
    );
    const agent = createAviAgent({
      client,
      model: models[provider],
      audit: audit.sink,
      knownSecrets: [avi.password],
    });
    const events = await collect(
      agent.send({
        conversationId: `c-${provider}`,
        message: 'Which pool behind vs-shop is unhealthy, and why?',
      }),
    );

    expect(events.map((event) => event.type)).toEqual([
      'tool-call',
      'tool-result',
      'tool-call',
      'tool-result',
      ...Array(events.length - 5).fill('text-delta'),
      'done',
    ]);
    expect(events[1]).toMatchObject({
      type: 'tool-result',
      name: 'get_virtual_service',
      result: { pools: ['pool-shop-web'] },
    });
    expect(events[3]).toMatchObject({
      type: 'tool-result',
      name: 'why_is_down',
      result: { problems: [expect.stringMatching(/10\.10\.1\.13:8080 is OPER_DOWN: .*hm-shop-http/)] },
    });
    expect(textOf(events)).toMatch(/10\.10\.1\.13:8080/);

    // Each tool result went back to the model in the next request, in the provider's format.
    expect(fake.requests).toHaveLength(3);
    expect(JSON.stringify(fake.requests[1]!.body)).toContain('pool-shop-web');
    expect(JSON.stringify(fake.requests[2]!.body)).toMatch(/OPER_DOWN.*hm-shop-http/);
    // Tools were sent natively, with JSON Schema parameters.
    expect(JSON.stringify(fake.requests[0]!.body)).toContain('why_is_down');
    expect(audit.events.filter((event) => event.type === 'tool-call').map((event) => event.tool)).toEqual([
      'get_virtual_service',
      'why_is_down',
    ]);
    expect(avi.writes).toEqual([]);
  });

  it('keeps the conversation: the second message carries the first turn', async () => {
    const fake = fakes[provider];
    fake.enqueue({ text: 'vs-shop runs on Avi-se-hot.' }, { text: 'Yes, the same one.' });
    const agent = createAviAgent({ client, model: models[provider] });
    await collect(agent.send({ conversationId: 'multi', message: 'Where does vs-shop run?' }));
    await collect(agent.send({ conversationId: 'multi', message: 'Still there?' }));
    const second = JSON.stringify(fake.requests[1]!.body);
    expect(second).toContain('Where does vs-shop run?');
    expect(second).toContain('vs-shop runs on Avi-se-hot.');
    expect((await agent.history('multi')).map((message) => message.role)).toEqual([
      'system',
      'user',
      'assistant',
      'user',
      'assistant',
    ]);
  });

  it('sends no secret of a recorded response to the model', async () => {
    const fake = fakes[provider];
    fake.enqueue(
      { toolCalls: [{ name: 'api_get', arguments: { path: '/api/virtualservice' } }] },
      { toolCalls: [{ name: 'api_get', arguments: { path: `/api/virtualservice/${aviScenario.vsShop}` } }] },
      { text: 'Done.' },
    );
    const agent = createAviAgent({ client, model: models[provider], knownSecrets: [avi.password] });
    const events = await collect(
      agent.send({ conversationId: 'secrets', message: 'Show me every virtual service' }),
    );
    expect(events.at(-1)).toEqual({ type: 'done', conversationId: 'secrets' });
    const sent = sentToModel(provider);
    expect(sent).toContain('basic_vs'); // the recorded object did reach the model…
    expect(sent).toContain('tls_ticket_key'); // …with its key field…
    for (const secret of [...recordedTicketKeys, ...demoTicketKeys, ...liveSecrets()])
      expect(sent).not.toContain(secret);
    expect(JSON.stringify(events)).not.toContain(recordedTicketKeys[0]);
  });
});

describe('bad model behaviour', () => {
  const provider: Provider = 'openai';

  it('an invented tool gets a typed refusal the model sees, and nothing is written', async () => {
    fakes[provider].enqueue(
      { toolCalls: [{ name: 'restart_controller', arguments: {} }] },
      { text: 'I cannot restart the controller.' },
    );
    const agent = createAviAgent({ client, model: models[provider], audit: audit.sink });
    const events = await collect(agent.send({ conversationId: 'x', message: 'restart it' }));
    expect(events[1]).toMatchObject({ type: 'tool-result', result: { error: { code: 'unknown_tool' } } });
    expect(JSON.stringify(fakes[provider].requests[1]!.body)).toContain('unknown_tool');
    expect(audit.events[0]).toMatchObject({ type: 'tool-refused', tool: 'restart_controller' });
    expect(avi.writes).toEqual([]);
  });

  it('api_get refuses a query string inside the path instead of dropping it', async () => {
    fakes[provider].enqueue(
      { toolCalls: [{ name: 'api_get', arguments: { path: '/api/pool?name=pool-shop-web' } }] },
      { text: 'I will pass the filter as query.' },
    );
    const agent = createAviAgent({ client, model: models[provider] });
    const events = await collect(agent.send({ conversationId: 'x', message: 'show pool-shop-web' }));
    expect(events[1]).toMatchObject({
      type: 'tool-result',
      result: { error: { code: 'invalid_arguments', message: expect.stringContaining('`query`') } },
    });
  });

  it('an invented object name gets not_found with the similar names', async () => {
    fakes[provider].enqueue(
      { toolCalls: [{ name: 'get_virtual_service', arguments: { name: 'vs-shoop' } }] },
      { text: 'Did you mean vs-shop?' },
    );
    const agent = createAviAgent({ client, model: models[provider] });
    const events = await collect(agent.send({ conversationId: 'x', message: 'status of vs-shoop' }));
    expect(events[1]).toMatchObject({
      type: 'tool-result',
      result: { error: { code: 'not_found', message: expect.stringContaining('Did you mean: vs-shop') } },
    });
  });

  it('malformed or unexpected arguments are refused', async () => {
    fakes[provider].enqueue(
      { toolCalls: [{ name: 'get_pool', arguments: '{"name": "pool-shop-web"' }] },
      { toolCalls: [{ name: 'get_pool', arguments: { name: 'pool-shop-web', token: 'abc' } }] },
      { text: 'ok' },
    );
    const agent = createAviAgent({ client, model: models[provider] });
    const events = await collect(agent.send({ conversationId: 'x', message: 'pool?' }));
    const results = events.filter((event) => event.type === 'tool-result');
    expect(
      results.map((event) => (event as { result: { error: { code: string } } }).result.error.code),
    ).toEqual(['invalid_arguments', 'invalid_arguments']);
  });

  it('a delete in read-only mode is refused; nothing is written', async () => {
    fakes[provider].enqueue(
      { toolCalls: [{ name: 'delete_virtual_service', arguments: { name: 'vs-shop' } }] },
      { text: 'I am read-only.' },
    );
    const agent = createAviAgent({ client, model: models[provider], audit: audit.sink });
    expect(agent.tools.map((tool) => tool.name)).not.toContain('delete_virtual_service');
    const events = await collect(agent.send({ conversationId: 'x', message: 'delete vs-shop' }));
    expect(events[1]).toMatchObject({ result: { error: { code: 'read_only' } } });
    expect(events.some((event) => event.type === 'plan')).toBe(false);
    expect(avi.writes).toEqual([]);
  });

  it('a delete in plan-writes mode yields a plan; only a confirm with its token deletes, once', async () => {
    fakes[provider].enqueue(
      { toolCalls: [{ name: 'delete_virtual_service', arguments: { name: 'vs-shop' } }] },
      { text: 'I prepared the deletion; please confirm it.' },
    );
    const agent = createAviAgent({ client, model: models[provider], mode: 'plan-writes', audit: audit.sink });
    const events = await collect(agent.send({ conversationId: 'x', message: 'delete vs-shop' }));
    const plan = events.find((event) => event.type === 'plan');
    expect(plan).toMatchObject({
      plan: { method: 'DELETE', path: `/api/virtualservice/${aviScenario.vsShop}`, risk: 'high' },
    });
    const token = (plan as { token: string }).token;
    expect(sentToModel(provider)).not.toContain(token); // the model never sees the token
    expect(avi.writes).toEqual([]);

    await expect(agent.confirm('not-a-token')).rejects.toMatchObject({ reason: 'invalid_token' });
    expect(avi.writes).toEqual([]);
    await expect(agent.confirm(token, { actor: 'alice' })).resolves.toMatchObject({ executed: true });
    expect(avi.writes).toEqual([expect.objectContaining({ method: 'DELETE' })]);
    const again = await agent.confirm(token).catch((error: unknown) => error);
    expect(AviConfirmationError.isInstance(again) && again.reason).toBe('token_used');
    expect(avi.writes).toHaveLength(1);
    expect(audit.events.map((event) => event.type)).toEqual([
      'tool-call',
      'plan-issued',
      'confirm-refused',
      'write-confirmed',
      'confirm-refused',
    ]);
  });

  it('a pool server disable is planned with a diff against the current pool', async () => {
    fakes[provider].enqueue(
      {
        toolCalls: [
          {
            name: 'set_pool_server_enabled',
            arguments: { pool: 'pool-shop-web', server: '10.10.1.13:8080', enabled: false },
          },
        ],
      },
      { text: 'Planned.' },
    );
    const agent = createAviAgent({ client, model: models[provider], mode: 'plan-writes' });
    const events = await collect(agent.send({ conversationId: 'x', message: 'take 10.10.1.13 out' }));
    const plan = events.find((event) => event.type === 'plan') as Extract<AviAgentEvent, { type: 'plan' }>;
    expect(plan.plan).toMatchObject({
      method: 'PATCH',
      diff: { 'servers[2].enabled': { from: true, to: false } },
      risk: 'medium',
    });
    await agent.confirm(plan.token);
    const pool = avi.objects('pool').find((item) => item.uuid === aviScenario.poolShopWeb)!;
    expect((pool.servers as Array<{ enabled: boolean }>).map((server) => server.enabled)).toEqual([
      true,
      true,
      false,
    ]);
  });

  it('stops after maxSteps with a typed error', async () => {
    fakes[provider].setResponder(() => ({ toolCalls: [{ name: 'list_pools', arguments: {} }] }));
    try {
      const agent = createAviAgent({ client, model: models[provider], maxSteps: 3 });
      const events = await collect(agent.send({ conversationId: 'x', message: 'loop' }));
      expect(events.at(-1)).toEqual({
        type: 'error',
        error: { code: 'max_steps', message: 'The model did not finish within 3 steps' },
      });
      expect(fakes[provider].requests).toHaveLength(3);
    } finally {
      fakes[provider].setResponder(() => ({ text: 'OK' }));
    }
  });

  it('an aborted chat ends with an aborted error', async () => {
    const controller = new AbortController();
    controller.abort();
    const agent = createAviAgent({ client, model: models[provider] });
    const events = await collect(
      agent.send({ conversationId: 'x', message: 'hi', signal: controller.signal }),
    );
    expect(events).toEqual([{ type: 'error', error: { code: 'aborted', message: 'The chat was aborted' } }]);
  });

  it('a controller failure inside a tool reaches the model as a typed tool error', async () => {
    avi.addFault({ path: '/api/pool-inventory', fault: { type: 'html' } });
    fakes[provider].enqueue(
      { toolCalls: [{ name: 'list_pools', arguments: {} }] },
      { text: 'The controller answered HTML.' },
    );
    const agent = createAviAgent({ client, model: models[provider] });
    const events = await collect(agent.send({ conversationId: 'x', message: 'pools?' }));
    expect(events[1]).toMatchObject({
      result: { error: { code: 'controller_error', message: expect.stringMatching(/returned HTML/) } },
    });
  });
});

// Pins what `send` does step by step (input checks, history kept on every exit, the order of
// events and audit records, truncation, error mapping), so its split into steps changes none of it.
describe('send, step by step', () => {
  const provider: Provider = 'openai';
  const secret = 'hunter2-SECRET-value';

  it('refuses a bad conversation id or message before calling the model', async () => {
    const agent = createAviAgent({ client, model: models[provider], maxMessageChars: 10 });
    const badId = {
      code: 'invalid_request',
      message: 'conversationId must be 1-128 characters of A-Z a-z 0-9 _ . : -',
    };
    const badMessage = { code: 'invalid_request', message: 'message must be 1-10 characters' };
    expect(await collect(agent.send({ conversationId: 'has space', message: 'hi' }))).toEqual([
      { type: 'error', error: badId },
    ]);
    expect(await collect(agent.send({ conversationId: 'x'.repeat(129), message: 'hi' }))).toEqual([
      { type: 'error', error: badId },
    ]);
    expect(await collect(agent.send({ conversationId: 'ok', message: '   ' }))).toEqual([
      { type: 'error', error: badMessage },
    ]);
    expect(await collect(agent.send({ conversationId: 'ok', message: '12345678901' }))).toEqual([
      { type: 'error', error: badMessage },
    ]);
    expect(fakes[provider].requests).toHaveLength(0);
    expect(await agent.history('ok')).toEqual([]);
  });

  it('starts a conversation with the given system prompt and a redacted user message', async () => {
    fakes[provider].enqueue({ text: 'Noted.' }, { text: 'Again.' });
    const agent = createAviAgent({
      client,
      model: models[provider],
      systemPrompt: 'You are terse.',
      knownSecrets: [secret],
    });
    await collect(agent.send({ conversationId: 'p', message: `my password is ${secret}` }));
    await collect(agent.send({ conversationId: 'p', message: 'and again' }));
    const history = await agent.history('p');
    expect(history.map((message) => message.role)).toEqual([
      'system',
      'user',
      'assistant',
      'user',
      'assistant',
    ]);
    expect(history[0]).toEqual({ role: 'system', content: 'You are terse.' });
    expect(JSON.stringify(history)).not.toContain(secret);
    expect(sentToModel(provider)).not.toContain(secret);
  });

  it('streams tool-call, tool-result, then plan; audits the call, then the plan; records the tool turn', async () => {
    fakes[provider].enqueue(
      { toolCalls: [{ id: 'call-1', name: 'delete_virtual_service', arguments: { name: 'vs-shop' } }] },
      { text: 'Confirm it.' },
    );
    const order: string[] = [];
    const agent = createAviAgent({
      client,
      model: models[provider],
      mode: 'plan-writes',
      audit: (event) => {
        order.push(`audit:${event.type}`);
        audit.sink(event);
      },
    });
    const events: AviAgentEvent[] = [];
    for await (const event of agent.send({ conversationId: 'plan', message: 'delete vs-shop' })) {
      order.push(`event:${event.type}`);
      events.push(event);
    }
    expect(order.filter((item) => item !== 'event:text-delta')).toEqual([
      'event:tool-call',
      'audit:tool-call',
      'event:tool-result',
      'audit:plan-issued',
      'event:plan',
      'event:done',
    ]);
    const plan = events.find((event) => event.type === 'plan') as Extract<AviAgentEvent, { type: 'plan' }>;
    expect(Object.keys(plan.plan).sort()).toEqual(['diff', 'method', 'path', 'risk', 'summary']); // no body on a DELETE
    const issued = audit.events.find((event) => event.type === 'plan-issued')!;
    expect(issued).toMatchObject({ conversationId: 'plan', tool: 'delete_virtual_service' });
    expect(issued.planHash).toMatch(/\S/);
    expect(issued.plan).toMatchObject({ method: 'DELETE' });
    const history = await agent.history('plan');
    expect(history.map((message) => message.role)).toEqual([
      'system',
      'user',
      'assistant',
      'tool',
      'assistant',
    ]);
    expect(history[2]).toMatchObject({ toolCalls: [{ id: 'call-1', name: 'delete_virtual_service' }] });
    expect(history[3]).toMatchObject({ toolCallId: 'call-1', toolName: 'delete_virtual_service' });
    expect(history[3]).not.toHaveProperty('isError');
  });

  it('truncates a long tool result, sends the same text to the model, and marks a failed tool turn', async () => {
    fakes[provider].enqueue(
      { toolCalls: [{ id: 'c1', name: 'list_pools', arguments: {} }] },
      { toolCalls: [{ id: 'c2', name: 'no_such_tool', arguments: {} }] },
      { text: 'Done.' },
    );
    const agent = createAviAgent({ client, model: models[provider], maxToolResultChars: 40 });
    const events = await collect(agent.send({ conversationId: 'long', message: 'pools?' }));
    const results = events.filter((event) => event.type === 'tool-result') as Array<
      Extract<AviAgentEvent, { type: 'tool-result' }>
    >;
    expect(typeof results[0]!.result).toBe('string');
    expect(results[0]!.result).toMatch(/^.{40}… \[truncated \d+ characters; ask for fewer fields\]$/s);
    const history = await agent.history('long');
    const tools = history.filter((message) => message.role === 'tool');
    expect(tools[0]).toMatchObject({ content: results[0]!.result });
    expect(tools[0]).not.toHaveProperty('isError');
    expect(tools[1]).toMatchObject({ isError: true });
    expect(JSON.stringify(fakes[provider].requests[1]!.body)).toContain('ask for fewer fields');
  });

  it('keeps the turns so far when it stops after maxSteps', async () => {
    fakes[provider].setResponder(() => ({ toolCalls: [{ name: 'list_pools', arguments: {} }] }));
    try {
      const agent = createAviAgent({ client, model: models[provider], maxSteps: 2 });
      await collect(agent.send({ conversationId: 'steps', message: 'loop' }));
      expect((await agent.history('steps')).map((message) => message.role)).toEqual([
        'system',
        'user',
        'assistant',
        'tool',
        'assistant',
        'tool',
      ]);
    } finally {
      fakes[provider].setResponder(() => ({ text: 'OK' }));
    }
  });

  it('keeps the newest turns from a user message on, after the system prompt', async () => {
    fakes[provider].enqueue(
      { text: 'one' },
      { toolCalls: [{ name: 'list_pools', arguments: {} }] },
      { text: 'two' },
      { text: 'three' },
    );
    const agent = createAviAgent({ client, model: models[provider], maxHistoryMessages: 4 });
    for (const message of ['first', 'second', 'third'])
      await collect(agent.send({ conversationId: 'trim', message }));
    const history = await agent.history('trim');
    expect(history.map((message) => [message.role, message.content])).toEqual([
      ['system', expect.any(String)],
      ['user', 'third'],
      ['assistant', 'three'],
    ]);
  });

  it('turns a model failure into a typed, redacted error event and keeps the user turn', async () => {
    fakes[provider].enqueue({ fault: { type: 'status', status: 400, message: `bad request ${secret}` } });
    const agent = createAviAgent({ client, model: models[provider], knownSecrets: [secret] });
    const events = await collect(agent.send({ conversationId: 'fail', message: 'hi' }));
    expect(events).toEqual([
      {
        type: 'error',
        error: {
          code: 'bad_request',
          message: 'openai:gpt-4o-mini failed (HTTP 400): bad request [redacted]',
        },
      },
    ]);
    expect(JSON.stringify(events)).not.toContain(secret);
    expect((await agent.history('fail')).map((message) => message.role)).toEqual(['system', 'user']);
  });

  it('reports a failure that is not a Ballast error as internal_error, and still saves the history', async () => {
    const saved: ChatMessage[][] = [];
    let failNext = true;
    const agent = createAviAgent({
      client,
      model: models[provider],
      conversations: {
        get: () => undefined,
        set: (_id, messages) => {
          saved.push(messages);
          if (failNext) {
            failNext = false;
            throw new Error('disk full');
          }
        },
      },
    });
    fakes[provider].enqueue({ text: 'Hello.' });
    const events = await collect(agent.send({ conversationId: 'store', message: 'hi' }));
    expect(events.filter((event) => event.type !== 'text-delta')).toEqual([
      { type: 'error', error: { code: 'internal_error', message: 'The agent failed unexpectedly' } },
    ]);
    expect(saved.map((messages) => messages.map((message) => message.role))).toEqual([
      ['system', 'user', 'assistant'],
      ['system', 'user', 'assistant'],
    ]);
  });

  it('keeps its never-throws promise when the conversation store fails', async () => {
    const failing = { code: 'internal_error', message: 'The agent failed unexpectedly' };
    const unreadable = createAviAgent({
      client,
      model: models[provider],
      conversations: {
        get: () => Promise.reject(new Error('store offline')),
        set: () => {},
      },
    });
    expect(await collect(unreadable.send({ conversationId: 'store', message: 'hi' }))).toEqual([
      { type: 'error', error: failing },
    ]);
    expect(fakes[provider].requests).toHaveLength(0);

    const unwritable = createAviAgent({
      client,
      model: models[provider],
      conversations: {
        get: () => undefined,
        set: () => {
          throw new Error('disk full');
        },
      },
    });
    fakes[provider].enqueue({ text: 'Hello.' });
    const events = await collect(unwritable.send({ conversationId: 'store', message: 'hi' }));
    expect(events.at(-1)).toEqual({ type: 'error', error: failing });
  });

  it('ends with an error event when the model stream ends unfinished', async () => {
    fakes[provider].enqueue({ text: 'partial answer', fault: { type: 'end-stream-early', afterChunks: 2 } });
    const agent = createAviAgent({ client, model: models[provider] });
    const events = await collect(agent.send({ conversationId: 'cut', message: 'hi' }));
    expect(events.at(-1)).toEqual({
      type: 'error',
      error: {
        code: 'invalid_response',
        message: 'openai:gpt-4o-mini stream ended before the provider finished the answer',
      },
    });
    expect(events.some((event) => event.type === 'done')).toBe(false);
  });
});
