import { createInterface } from 'node:readline/promises';
import type { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import {
  type AviAgent,
  type AviAgentEvent,
  type AviAuditEvent,
  type AviClient,
  createAviAgent,
  createAviClient,
  createMemoryAuditLog,
} from '@ballast/avi';
import type { ChatModel } from '@ballast/core';
import { llmSettingsHelp, modelFromEnvironment } from '@ballast/example-shared';
import { type FakeAviController, startFakeAviController } from '@ballast/testkit';
import { startScriptedModel } from './scripted-model';

/** Where the demo reads and writes. */
export interface DemoIo {
  log(line: string): void;
  env: NodeJS.ProcessEnv;
  /** Lines typed by a person (interactive mode). */
  input?: Readable;
  /** True when stdin is a terminal: chat interactively; otherwise play the scripted conversation. */
  interactive?: boolean;
}

/** What the demo did, for tests. */
export interface DemoOutcome {
  answers: string[];
  plans: number;
  confirmed: number;
  audit: AviAuditEvent[];
  /** Writes the fake controller applied (offline mode only). */
  controllerWrites?: number;
}

const scriptedConversation = [
  'Which pool behind vs-shop is unhealthy, and why?',
  'Take the failing server out of rotation.',
  'How busy is the service engine behind vs-shop (cpu)?',
];

const usage = `Usage: pnpm start [options]
  (no options)            offline: a fake Avi controller and a scripted model
  --controller <url>      a real controller (password in AVI_PASSWORD)
  --username <name>       default admin
  --tenant <name>         default admin
  --fingerprint <sha256>  pin the controller certificate
  --insecure              skip TLS verification (labs only; warned)
  --read-only             offer read tools only (default: writes are planned and need your confirmation)
LLM: ${llmSettingsHelp} (offline the scripted model is used when none is set).`;

/**
 * The Avi agent demo: a chat with a controller (the testkit's fake by default, or a real one from
 * flags and `AVI_PASSWORD`), showing each tool call and result, the confirm step of a write plan,
 * and the audit log. Without a terminal on stdin it plays a scripted conversation and confirms the
 * plan it is shown, so it runs unattended (CI, `pnpm start < /dev/null`).
 */
export async function runAviAgentDemo(argv: string[], io: DemoIo): Promise<DemoOutcome | undefined> {
  const { values } = parseArgs({
    args: argv,
    options: {
      controller: { type: 'string' },
      username: { type: 'string', default: 'admin' },
      tenant: { type: 'string', default: 'admin' },
      fingerprint: { type: 'string' },
      insecure: { type: 'boolean', default: false },
      'read-only': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    io.log(usage);
    return undefined;
  }

  const cleanup: Array<() => Promise<void>> = [];
  try {
    let fake: FakeAviController | undefined;
    let client: AviClient;
    if (values.controller === undefined) {
      fake = await startFakeAviController();
      cleanup.push(() => fake!.close());
      client = createAviClient({ baseUrl: fake.url, username: fake.username, password: fake.password });
      io.log(
        `Controller: fake Avi controller at ${fake.url} (seeded from recorded alb-sdk traffic + the vs-shop scenario)`,
      );
    } else {
      const password = io.env.AVI_PASSWORD;
      if (!password) throw new Error('Set AVI_PASSWORD to log in to a real controller');
      client = createAviClient({
        baseUrl: values.controller,
        username: values.username,
        password,
        tenant: values.tenant,
        ...(values.fingerprint
          ? { tls: { fingerprint: values.fingerprint } }
          : values.insecure
            ? { tls: { insecure: true } }
            : {}),
        onWarning: (message) => io.log(message),
      });
      io.log(`Controller: ${client.baseUrl} as ${values.username}, tenant ${values.tenant}`);
    }
    cleanup.unshift(() => client.close());

    const configured = modelFromEnvironment(io.env);
    let model: ChatModel;
    if (configured.model !== undefined) {
      model = configured.model;
      io.log(`Model: ${configured.description}`);
    } else {
      const scripted = await startScriptedModel();
      cleanup.push(() => scripted.server.close());
      model = scripted.model;
      io.log('Model: offline scripted model (the real OpenAI adapter against the testkit fake)');
    }

    const audit = createMemoryAuditLog();
    const agent = createAviAgent({
      client,
      model,
      mode: values['read-only'] ? 'read-only' : 'plan-writes',
      audit: audit.sink,
      knownSecrets: [io.env.AVI_PASSWORD, fake?.password].filter((value): value is string => Boolean(value)),
    });
    io.log(
      `Mode: ${values['read-only'] ? 'read-only' : 'writes are planned; nothing runs until you confirm'}\n`,
    );

    const outcome: DemoOutcome = { answers: [], plans: 0, confirmed: 0, audit: audit.events };
    const conversationId = `demo-${Date.now()}`;
    if (io.interactive && io.input) await chatInteractively(agent, conversationId, io, outcome);
    else
      for (const message of scriptedConversation) {
        io.log(`you> ${message}`);
        await runTurn(agent, conversationId, message, io, outcome, async () => {
          io.log('  confirm? yes (scripted: no terminal on stdin)');
          return true;
        });
      }

    io.log('\nAudit log:');
    for (const event of audit.events) io.log(`  ${formatAudit(event)}`);
    if (fake !== undefined) {
      outcome.controllerWrites = fake.writes.length;
      io.log(
        `\nThe fake controller applied ${fake.writes.length} write(s): ${fake.writes.map((write) => `${write.method} ${write.path}`).join(', ') || 'none'}`,
      );
    }
    return outcome;
  } finally {
    for (const close of cleanup) await close().catch(() => {});
  }
}

async function chatInteractively(agent: AviAgent, conversationId: string, io: DemoIo, outcome: DemoOutcome) {
  const prompt = createInterface({ input: io.input!, output: process.stdout, terminal: true });
  try {
    io.log('Ask about your virtual services, pools and service engines ("exit" to quit). Try:');
    for (const example of scriptedConversation) io.log(`  ${example}`);
    for (;;) {
      const message = (await prompt.question('you> ').catch(() => 'exit')).trim();
      if (message === '') continue;
      if (message === 'exit' || message === 'quit') return;
      await runTurn(agent, conversationId, message, io, outcome, async () =>
        /^y(es)?$/i.test((await prompt.question('  confirm this plan? [y/N] ')).trim()),
      );
    }
  } finally {
    prompt.close();
  }
}

async function runTurn(
  agent: AviAgent,
  conversationId: string,
  message: string,
  io: DemoIo,
  outcome: DemoOutcome,
  askConfirmation: () => Promise<boolean>,
) {
  let answer = '';
  const plans: Array<Extract<AviAgentEvent, { type: 'plan' }>> = [];
  for await (const event of agent.send({ conversationId, message })) {
    if (event.type === 'tool-call') io.log(`  → ${event.name}(${JSON.stringify(event.arguments)})`);
    if (event.type === 'tool-result')
      io.log(`  ← ${event.name}: ${truncate(JSON.stringify(event.result), 220)}`);
    if (event.type === 'plan') plans.push(event);
    if (event.type === 'text-delta') answer += event.text;
    if (event.type === 'error') io.log(`  ! ${event.error.code}: ${event.error.message}`);
  }
  if (answer) {
    io.log(`avi> ${answer}`);
    outcome.answers.push(answer);
  }
  for (const { token, plan } of plans) {
    outcome.plans++;
    io.log(`  PLAN [${plan.risk} risk] ${plan.summary}`);
    io.log(`       ${plan.method} ${plan.path}`);
    for (const [field, change] of Object.entries(plan.diff ?? {}))
      io.log(`       ${field}: ${JSON.stringify(change.from)} → ${JSON.stringify(change.to)}`);
    if (!(await askConfirmation())) {
      io.log('  not confirmed: nothing was changed');
      continue;
    }
    try {
      await agent.confirm(token, { actor: 'demo-user' });
      outcome.confirmed++;
      io.log('  executed on the controller');
    } catch (error) {
      io.log(`  refused: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  io.log('');
}

function formatAudit(event: AviAuditEvent): string {
  const time = new Date(event.at).toISOString().slice(11, 19);
  const what = event.plan
    ? `${event.plan.method} ${event.plan.path}`
    : event.tool !== undefined
      ? `${event.tool}(${truncate(JSON.stringify(event.arguments ?? {}), 80)})`
      : '';
  return `${time} ${event.type.padEnd(15)} ${what}${event.outcome ? ` ${event.outcome}` : ''}${
    event.error ? ` (${event.error.code})` : ''
  }${event.actor ? ` by ${event.actor}` : ''}`;
}

function truncate(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length)}…`;
}
