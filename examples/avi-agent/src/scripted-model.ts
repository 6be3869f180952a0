import type { ChatModel } from '@ballast/core';
import { createOpenAI } from '@ballast/openai';
import {
  type FakeLlmServer,
  type ReceivedRequest,
  type ScriptedReply,
  startFakeOpenAI,
} from '@ballast/testkit';

interface WireMessage {
  role: string;
  content?: string | null;
  tool_calls?: Array<{ function: { name: string; arguments: string } }>;
}

/**
 * The demo's offline model: the real OpenAI adapter talking to the testkit's fake OpenAI server,
 * whose replies are scripted from the conversation so far. It reads the real tool results the
 * agent sends back (pools behind a VS, servers that are down) to choose its next call and to word
 * its answer, so the tool round trip is exercised end to end without a network.
 */
export async function startScriptedModel(): Promise<{ model: ChatModel; server: FakeLlmServer }> {
  const server = await startFakeOpenAI({ apiKey: 'offline-demo' });
  server.setResponder(reply);
  const model = createOpenAI({ apiKey: 'offline-demo', baseURL: `${server.url}/v1` }).chatModel(
    'gpt-4o-mini',
  ); // any priced id: the fake ignores it
  return { model, server };
}

function reply(request: ReceivedRequest): ScriptedReply {
  const messages = ((request.body as { messages?: WireMessage[] } | undefined)?.messages ??
    []) as WireMessage[];
  const last = messages.at(-1);
  if (last?.role === 'user') {
    const text = String(last.content ?? '').toLowerCase();
    if (text.includes('unhealthy') || text.includes('why'))
      return { toolCalls: [{ name: 'get_virtual_service', arguments: { name: 'vs-shop' } }] };
    if (text.includes('rotation') || text.includes('disable'))
      return {
        toolCalls: [
          {
            name: 'set_pool_server_enabled',
            arguments: { pool: 'pool-shop-web', server: '10.10.1.13:8080', enabled: false },
          },
        ],
      };
    if (text.includes('service engine') || text.includes('cpu'))
      return { toolCalls: [{ name: 'get_service_engine', arguments: { name: 'Avi-se-hot' } }] };
    return {
      text: 'Ask me about vs-shop, its pools, or the service engines (I am the offline scripted model).',
    };
  }
  const call = [...messages].reverse().find((message) => message.tool_calls?.length)?.tool_calls?.[0]
    ?.function.name;
  const result = parse(String(last?.content ?? '{}'));
  if (call === 'get_virtual_service') {
    const pool = (result.pools as string[] | undefined)?.[0];
    return pool
      ? { toolCalls: [{ name: 'why_is_down', arguments: { kind: 'pool', name: pool } }] }
      : { text: 'vs-shop has no pool.' };
  }
  if (call === 'why_is_down') {
    const problems = (result.problems as string[] | undefined) ?? [];
    const pool = (result.pool as { name?: string } | undefined)?.name ?? 'the pool';
    return {
      text: problems.length
        ? `${pool} is the unhealthy pool behind vs-shop: ${problems.join('; ')}.`
        : `${pool} looks healthy.`,
    };
  }
  if (call === 'set_pool_server_enabled') {
    const summary =
      (result.summary as string | undefined) ?? (result.error as { message?: string } | undefined)?.message;
    return { text: `Plan ready: ${summary}. Nothing changes until you confirm it.` };
  }
  if (call === 'get_service_engine')
    return {
      text: `${String(result.name)} runs at ${String(result.cpu_percent)} % CPU, hosting ${(result.virtual_services as string[] | undefined)?.join(', ')}.`,
    };
  return { text: 'Done.' };
}

function parse(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
