import type { ToolCall } from './chat-request';
import type { ChatChunk, ChatResult, FinishReason, Usage } from './chat-result';
import { parseToolArguments } from './tool-arguments';

interface PartialToolCall {
  id: string | undefined;
  name: string;
  rawArguments: string;
}

/**
 * Collects a provider's stream deltas into the final {@link ChatResult}: text, tool calls
 * assembled by index from their fragments, and time to first token. Adapters feed it and
 * forward the chunks it returns.
 */
export class StreamAccumulator {
  private text = '';
  private readonly toolCalls = new Map<number, PartialToolCall>();
  private firstTokenAt: number | undefined;

  constructor(private readonly context: { provider: string; modelId: string; startedAt: number }) {}

  /** Records a text delta and returns the chunk to emit. */
  textDelta(text: string): ChatChunk {
    this.markFirstToken();
    this.text += text;
    return { type: 'text-delta', text };
  }

  /** Records a fragment of a tool call (OpenAI/Groq `delta.tool_calls`, Anthropic `input_json_delta`). */
  toolCallDelta(
    index: number,
    fragment: { id?: string | undefined; name?: string | undefined; argumentsDelta?: string },
  ): ChatChunk {
    this.markFirstToken();
    const current = this.toolCalls.get(index) ?? { id: undefined, name: '', rawArguments: '' };
    if (fragment.id) current.id = fragment.id;
    if (fragment.name) current.name += fragment.name;
    current.rawArguments += fragment.argumentsDelta ?? '';
    this.toolCalls.set(index, current);
    return {
      type: 'tool-call-delta',
      index,
      argumentsDelta: fragment.argumentsDelta ?? '',
      ...(fragment.id ? { id: fragment.id } : {}),
      ...(fragment.name ? { name: fragment.name } : {}),
    };
  }

  /** Records a tool call that arrived whole (Ollama) and returns its delta chunk. */
  wholeToolCall(
    index: number,
    call: { id?: string | undefined; name: string; rawArguments: string },
  ): ChatChunk {
    return this.toolCallDelta(index, { id: call.id, name: call.name, argumentsDelta: call.rawArguments });
  }

  /** The tool calls assembled so far, in index order, with ids synthesized where missing. */
  completedToolCalls(): ToolCall[] {
    return [...this.toolCalls.entries()]
      .sort(([a], [b]) => a - b)
      .map(([index, call]) => ({
        id: call.id ?? `call_${index}`,
        name: call.name,
        ...parseToolArguments(call.rawArguments),
      }));
  }

  /** Emits one `tool-call` chunk per completed call, then the `finish` chunk. */
  *finish(details: {
    finishReason: FinishReason;
    usage: Usage;
    costUsd: number | undefined;
    raw: unknown;
    responseId?: string | undefined;
  }): Generator<ChatChunk> {
    const toolCalls = this.completedToolCalls();
    for (const toolCall of toolCalls) yield { type: 'tool-call', toolCall };
    const now = performance.now();
    const result: ChatResult = {
      text: this.text,
      toolCalls,
      finishReason: details.finishReason,
      usage: details.usage,
      costUsd: details.costUsd,
      latencyMs: now - this.context.startedAt,
      provider: this.context.provider,
      modelId: this.context.modelId,
      raw: details.raw,
      ...(this.firstTokenAt === undefined
        ? {}
        : { timeToFirstTokenMs: this.firstTokenAt - this.context.startedAt }),
      ...(details.responseId ? { responseId: details.responseId } : {}),
    };
    yield { type: 'finish', result };
  }

  private markFirstToken() {
    this.firstTokenAt ??= performance.now();
  }
}
