import type { ReceivedRequest, ScriptedReply } from '@ballast/testkit';

interface WireMessage {
  role: string;
  content?: unknown;
  tool_calls?: Array<{ function?: { name?: string } }>;
}

const textOf = (content: unknown) => (typeof content === 'string' ? content : JSON.stringify(content ?? ''));

/**
 * The Avi demo's scripted LLM (a testkit fake OpenAI upstream, used only when no provider key is
 * set): it answers in the OpenAI wire format with the tool calls a model would make, so the real
 * `@ballast/avi` agent runs its real tools against the fake controller. The policy is fixed:
 * a question about a degraded or down pool → `why_is_down`; a failing server in that answer →
 * `set_pool_server_enabled` (which the agent only plans); anything else → `list_virtual_services`;
 * after the tools, a short summary of what they returned.
 */
export function aviDemoResponder(request: ReceivedRequest): ScriptedReply {
  const messages = ((request.body as { messages?: WireMessage[] } | undefined)?.messages ?? []).filter(
    (message) => message.role !== 'system',
  );
  const last = messages.at(-1);
  const lastUser = [...messages].reverse().find((message) => message.role === 'user');
  const turn = messages.slice(messages.lastIndexOf(lastUser as WireMessage));
  const called = turn.flatMap((message) => message.tool_calls ?? []).map((call) => call.function?.name);
  if (last?.role === 'user') {
    const question = textOf(last.content);
    const pool = /\b(pool-[a-z0-9-]+)/i.exec(question)?.[1];
    if (pool && /degraded|down|why|fail/i.test(question))
      return { toolCalls: [{ name: 'why_is_down', arguments: { kind: 'pool', name: pool } }] };
    return { toolCalls: [{ name: 'list_virtual_services', arguments: {} }] };
  }
  if (last?.role === 'tool') {
    const result = textOf(last.content);
    // Every tool answer of this turn: the failing server was named by `why_is_down`, earlier.
    const turnResults = turn
      .filter((message) => message.role === 'tool')
      .map((message) => textOf(message.content));
    const failing = /Server (\d{1,3}(?:\.\d{1,3}){3}:\d+) failed/.exec(turnResults.join('\n'))?.[1];
    const pool = /\b(pool-[a-z0-9-]+)/i.exec(textOf(lastUser?.content))?.[1];
    if (failing && pool && called.includes('why_is_down') && !called.includes('set_pool_server_enabled'))
      return {
        toolCalls: [
          { name: 'set_pool_server_enabled', arguments: { pool, server: failing, enabled: false } },
        ],
      };
    if (failing)
      return {
        text: `Server ${failing} fails its health monitor, so ${pool ?? 'the pool'} is degraded. I planned disabling it; confirm the plan to apply it.`,
        chunkDelayMs: 10,
      };
    return { text: `Here is what the controller reports: ${result.slice(0, 300)}`, chunkDelayMs: 10 };
  }
  return { text: 'Ask me about a virtual service or a pool, for example: why is pool-shop-web degraded?' };
}
