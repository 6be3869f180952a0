import type { ToolCall } from './chat-request';
import type { StructuredOutputMode } from './structured-output';

/** Why the model stopped, normalized. */
export type UnifiedFinishReason = 'stop' | 'length' | 'tool-calls' | 'content-filter' | 'error' | 'other';

/** Why the model stopped: normalized, and exactly as the provider said it. */
export interface FinishReason {
  unified: UnifiedFinishReason;
  raw: string | undefined;
}

/**
 * Token usage, normalized. A field is `undefined` when the provider did not report it: Ballast
 * does not guess. `inputTokens` includes `cachedInputTokens`; `outputTokens` includes
 * `reasoningTokens`.
 */
export interface Usage {
  inputTokens: number | undefined;
  outputTokens: number | undefined;
  cachedInputTokens: number | undefined;
  reasoningTokens: number | undefined;
  totalTokens: number | undefined;
}

/** The result of a chat call. */
export interface ChatResult {
  text: string;
  toolCalls: ToolCall[];
  finishReason: FinishReason;
  usage: Usage;
  /** Cost in US dollars computed from `usage` and the pricing table; `undefined` when unknown. */
  costUsd: number | undefined;
  /** Wall time of the call, from request to last byte. */
  latencyMs: number;
  /** For streams: time from request to the first text or tool-call delta. */
  timeToFirstTokenMs?: number;
  provider: string;
  modelId: string;
  /** The provider's response id, when it sent one. */
  responseId?: string;
  /** The provider's response as received (for streams: the last chunk). */
  raw: unknown;
  /**
   * Set when the request asked for JSON and a router adapted it to this model
   * (see `prepareStructuredRequest`): the mode that actually served the answer.
   */
  structuredOutputMode?: StructuredOutputMode;
}

/**
 * One piece of a streamed answer. A stream always ends with exactly one `finish` chunk carrying
 * the whole result, or throws a Ballast error.
 */
export type ChatChunk =
  | { type: 'text-delta'; text: string }
  | { type: 'tool-call-delta'; index: number; id?: string; name?: string; argumentsDelta: string }
  | { type: 'tool-call'; toolCall: ToolCall }
  | { type: 'finish'; result: ChatResult };

/** Usage with every field unknown. */
export function emptyUsage(): Usage {
  return {
    inputTokens: undefined,
    outputTokens: undefined,
    cachedInputTokens: undefined,
    reasoningTokens: undefined,
    totalTokens: undefined,
  };
}

/** Builds a Usage from the counts a provider reported, deriving the total when possible. */
export function createUsage(counts: Partial<Usage>): Usage {
  const usage = { ...emptyUsage(), ...stripUndefined(counts) };
  if (
    usage.totalTokens === undefined &&
    usage.inputTokens !== undefined &&
    usage.outputTokens !== undefined
  ) {
    usage.totalTokens = usage.inputTokens + usage.outputTokens;
  }
  return usage;
}

/** Adds two usages; a field stays `undefined` only if it is unknown in both. */
export function addUsage(a: Usage, b: Usage): Usage {
  const sum = (x: number | undefined, y: number | undefined) =>
    x === undefined && y === undefined ? undefined : (x ?? 0) + (y ?? 0);
  return {
    inputTokens: sum(a.inputTokens, b.inputTokens),
    outputTokens: sum(a.outputTokens, b.outputTokens),
    cachedInputTokens: sum(a.cachedInputTokens, b.cachedInputTokens),
    reasoningTokens: sum(a.reasoningTokens, b.reasoningTokens),
    totalTokens: sum(a.totalTokens, b.totalTokens),
  };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  // A plain loop: this runs for every call's usage, and the entries/filter/fromEntries chain
  // allocated three arrays per call for a five-field object.
  const out: Partial<T> = {};
  for (const key in value) if (Object.hasOwn(value, key) && value[key] !== undefined) out[key] = value[key];
  return out;
}
