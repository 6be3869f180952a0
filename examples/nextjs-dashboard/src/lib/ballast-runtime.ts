import { createAnthropic } from '@ballast/anthropic';
import { createAviClient, createMemoryAuditLog } from '@ballast/avi';
import type { ChatModel } from '@ballast/core';
import { createOllama } from '@ballast/ollama';
import { createOpenAI } from '@ballast/openai';
import { createProxmoxClient } from '@ballast/proxmox';
import {
  createAviRouteSource,
  createGateway,
  createLogger,
  type Gateway,
  type GatewayTarget,
  kubernetesScalingSource,
  proxmoxMigrationExecutor,
  proxmoxMigrationSource,
} from '@ballast/server';
import {
  createClusterSimulator,
  createWorkloadSimulator,
  type FakeLlmServer,
  loadTrace,
  type ReceivedRequest,
  type ScriptedReply,
  scaleTrace,
  startFakeAnthropic,
  startFakeAviController,
  startFakeKubernetes,
  startFakeOllama,
  startFakeOpenAI,
  startFakeProxmox,
} from '@ballast/testkit';
import { aviDemoResponder } from './avi-demo-responder';
import { startLoadGenerator } from './load-generator';

/** What the app runs on: real providers (keys set) or the testkit fakes, per part. */
export interface RuntimeMode {
  llm: 'fakes' | 'live';
  proxmox: 'simulated' | 'live';
  kubernetes: 'simulated';
  avi: 'simulated';
  /** One sentence per part, shown on every page. */
  notes: string[];
}

/** The app's one gateway (its handlers are the API routes) and the fakes behind it. */
export interface BallastRuntime {
  gateway: Gateway;
  mode: RuntimeMode;
  /** The fake LLM servers by provider (empty with real keys), for the failure switch. */
  fakeProviders: Record<string, FakeLlmServer>;
  /** Sets whether a fake provider answers 503 to every call (`/api/demo/faults`). */
  setProviderDown(provider: string, down: boolean): boolean;
}

const fakeKeys = { openai: 'sk-fake-openai-dashboard', anthropic: 'sk-ant-fake-dashboard' };
const proxmoxToken = {
  tokenId: 'root@pam!ballast-demo',
  tokenSecret: 'ballast-demo-0000-4000-8000-000000000000',
};

/** A fake provider's normal answer: an echo, after a latency typical of the provider. */
function fakeAnswer(provider: string, baseMs: number, spreadMs: number) {
  return (request: ReceivedRequest): ScriptedReply => {
    const messages =
      (request.body as { messages?: Array<{ content?: unknown }> } | undefined)?.messages ?? [];
    const last = messages.at(-1)?.content;
    const text = typeof last === 'string' ? last.slice(0, 200) : 'your message';
    return {
      text: `(${provider} fake) You said: ${text}. This answer streams from the ${provider} fake through the Ballast balancer.`,
      fault: { type: 'delay', ms: Math.round(baseMs + Math.random() * spreadMs) },
      chunkDelayMs: 20,
    };
  };
}

async function startFakeLlms() {
  const openai = await startFakeOpenAI({ apiKey: fakeKeys.openai, responder: fakeAnswer('openai', 80, 120) });
  const anthropic = await startFakeAnthropic({
    apiKey: fakeKeys.anthropic,
    responder: fakeAnswer('anthropic', 150, 200),
  });
  const ollama = await startFakeOllama({ responder: fakeAnswer('ollama', 40, 60) });
  const targets: GatewayTarget[] = [
    {
      model: createOpenAI({ apiKey: fakeKeys.openai, baseURL: `${openai.url}/v1`, maxRetries: 0 }).chatModel(
        'gpt-4o-mini',
      ),
    },
    {
      model: createAnthropic({ apiKey: fakeKeys.anthropic, baseURL: anthropic.url, maxRetries: 0 }).chatModel(
        'claude-haiku-4-5',
      ),
    },
    { model: createOllama({ host: ollama.url }).chatModel('llama3.2') },
  ];
  const servers = { openai, anthropic, ollama };
  const answers: Record<string, ReturnType<typeof fakeAnswer>> = {
    openai: fakeAnswer('openai', 80, 120),
    anthropic: fakeAnswer('anthropic', 150, 200),
    ollama: fakeAnswer('ollama', 40, 60),
  };
  return { targets, servers, answers, secrets: Object.values(fakeKeys) };
}

/** The simulated Proxmox cluster (or a real one with `PROXMOX_BASE_URL` + token variables). */
async function startProxmox() {
  const baseUrl = process.env.PROXMOX_BASE_URL;
  const tokenId = process.env.PROXMOX_TOKEN_ID;
  const tokenSecret = process.env.PROXMOX_TOKEN_SECRET;
  if (baseUrl && tokenId && tokenSecret)
    return {
      client: createProxmoxClient({ baseUrl, tokenId, tokenSecret }),
      live: true,
      secrets: [tokenSecret],
    };
  const simulator = createClusterSimulator({ seed: 7, nodes: 5, guests: 40, imbalance: 'severe' });
  const fake = await startFakeProxmox({ simulator, ...proxmoxToken });
  return { client: createProxmoxClient({ baseUrl: fake.url, ...proxmoxToken }), live: false, secrets: [] };
}

/** A deployment driven by a real CPU trace (Alibaba 2018, CC BY 4.0), served by the fake Kubernetes API. */
async function startKubernetes() {
  const demand = scaleTrace(loadTrace('alibaba-2018-cpu').values, { peak: 6 });
  const simulator = createWorkloadSimulator({
    name: 'web',
    namespace: 'shop',
    trace: demand,
    requestsPerPod: { cpuCores: 0.5, memoryBytes: 256 * 2 ** 20 },
    startReplicas: 4,
    podStartupSteps: 1,
    noise: 0.05,
    seed: 2018,
    hpa: { minReplicas: 2, maxReplicas: 20, targetCpuUtilizationPercent: 70 },
  });
  // Up to a busy hour of the trace, so the advice has history and something to say.
  for (let step = 0; step < 120; step++) simulator.step();
  const fake = await startFakeKubernetes({ workloads: [simulator] });
  return { kubeConfig: fake.kubeConfigYaml };
}

/** Real providers from the usual variables (`OPENAI_API_KEY`, `ANTHROPIC_API_KEY`, optional `*_MODEL`). */
function liveProviders() {
  const targets: GatewayTarget[] = [];
  const secrets: string[] = [];
  const providers: string[] = [];
  const openaiKey = process.env.OPENAI_API_KEY;
  if (openaiKey) {
    targets.push({
      model: createOpenAI({ apiKey: openaiKey }).chatModel(process.env.OPENAI_MODEL ?? 'gpt-4o-mini'),
    });
    secrets.push(openaiKey);
    providers.push('openai');
  }
  const anthropicKey = process.env.ANTHROPIC_API_KEY;
  if (anthropicKey) {
    targets.push({
      model: createAnthropic({ apiKey: anthropicKey }).chatModel(
        process.env.ANTHROPIC_MODEL ?? 'claude-haiku-4-5',
      ),
    });
    secrets.push(anthropicKey);
    providers.push('anthropic');
  }
  return { targets, secrets, providers, aliases: undefined, strategy: undefined };
}

/**
 * The Avi agent over the testkit's fake Avi controller (seeded from the alb-sdk cassettes). Its
 * model is a real provider when keys are set; otherwise a fake OpenAI server scripted to make the
 * tool calls a model would make (`aviDemoResponder`): the agent, its tools and the confirm step
 * are the real `@ballast/avi` code either way.
 */
async function startAvi(liveModel: ChatModel | undefined) {
  const controller = await startFakeAviController();
  const brain = liveModel
    ? undefined
    : await startFakeOpenAI({ apiKey: fakeKeys.openai, responder: aviDemoResponder });
  const model =
    liveModel ??
    createOpenAI({ apiKey: fakeKeys.openai, baseURL: `${brain?.url}/v1`, maxRetries: 0 }).chatModel(
      'gpt-4o-mini',
    );
  const client = createAviClient({
    baseUrl: controller.url,
    username: controller.username,
    password: controller.password,
  });
  return createAviRouteSource({
    client,
    model,
    mode: 'plan-writes',
    audit: createMemoryAuditLog().sink,
    adviceModel: null,
    knownSecrets: [controller.password],
  });
}

async function startRuntime(): Promise<BallastRuntime> {
  const hasKeys = Boolean(process.env.OPENAI_API_KEY || process.env.ANTHROPIC_API_KEY);
  const fakes = hasKeys ? undefined : await startFakeLlms();
  const live = hasKeys ? liveProviders() : undefined;
  const proxmox = await startProxmox();
  const kubernetes = await startKubernetes();
  const avi = await startAvi(live?.targets[0]?.model);
  const secrets = [...(fakes?.secrets ?? []), ...(live?.secrets ?? []), ...proxmox.secrets];
  const gateway = createGateway({
    targets: live?.targets ?? fakes?.targets ?? [],
    aliases: live ? {} : { fast: ['gpt-4o-mini', 'llama3.2'], smart: ['claude-haiku-4-5', 'gpt-4o-mini'] },
    strategy: 'weighted',
    migrations: proxmoxMigrationSource(proxmox.client),
    executor: proxmoxMigrationExecutor(proxmox.client),
    scaling: kubernetesScalingSource({ demo: kubernetes.kubeConfig }),
    avi,
    // A failing fake must open its circuit quickly, so the demo shows failover within seconds.
    balancer: { circuitBreaker: { minimumRequests: 3, cooldownMs: 15_000 } },
    alerts: { intervalMs: 10_000 },
    logger: createLogger({
      level: process.env.LOG_LEVEL === 'debug' ? 'debug' : 'warn',
      knownSecrets: secrets,
    }),
    knownSecrets: secrets,
    env: process.env,
  });
  const mode: RuntimeMode = {
    llm: hasKeys ? 'live' : 'fakes',
    proxmox: proxmox.live ? 'live' : 'simulated',
    kubernetes: 'simulated',
    avi: 'simulated',
    notes: [
      hasKeys
        ? `LLM providers: ${live?.providers.join(', ')} (from your keys).`
        : 'No provider keys set: the LLM providers are the testkit fakes (OpenAI, Anthropic and Ollama wire formats on 127.0.0.1).',
      proxmox.live
        ? 'Proxmox: the cluster at PROXMOX_BASE_URL.'
        : 'Proxmox: a simulated 5-node cluster (testkit fake Proxmox VE API); migrations move simulated guests only.',
      'Kubernetes: a fake API server replaying the Alibaba 2018 CPU trace (CC BY 4.0) for shop/web.',
      hasKeys
        ? 'Avi: a fake controller (seeded from the alb-sdk cassettes); the agent uses your first provider.'
        : 'Avi: a fake controller (seeded from the alb-sdk cassettes) and a scripted fake LLM that makes the tool calls.',
    ],
  };
  // On the fakes the load generator runs unless switched off; with real keys only when asked (it costs money).
  const generator = process.env.BALLAST_LOAD_GENERATOR ?? (hasKeys ? 'off' : 'on');
  if (generator === 'on') startLoadGenerator(gateway, hasKeys ? ['auto'] : ['fast', 'smart', 'auto']);
  return {
    gateway,
    mode,
    fakeProviders: fakes?.servers ?? {},
    setProviderDown(provider, down) {
      const server = fakes?.servers[provider as keyof typeof fakes.servers];
      const answer = fakes?.answers[provider];
      if (!server || !answer) return false;
      server.setResponder(
        down
          ? () => ({ fault: { type: 'status', status: 503, message: `${provider} is down (demo switch)` } })
          : answer,
      );
      return true;
    },
  };
}

const globalKey = Symbol.for('ballast.nextjs-dashboard.runtime');

/**
 * The app's runtime, started once per server process (kept on `globalThis`, so `next dev`'s module
 * reloads do not start a second set of fakes).
 */
export function getBallastRuntime(): Promise<BallastRuntime> {
  const holder = globalThis as { [globalKey]?: Promise<BallastRuntime> };
  holder[globalKey] ??= startRuntime();
  return holder[globalKey];
}
