import type { OpenAIFormatUsage } from '@ballast/core';

const usageKey = Buffer.from('"usage"');
const errorKey = Buffer.from('"error"');
const doneEvent = Buffer.from('data: [DONE]');

/** Options of {@link createSseRelay}. */
export interface SseRelayOptions {
  /**
   * Drop the upstream's usage-only event (`choices: []`): the gateway asked for usage to count
   * tokens, the client did not, and a client that reads `choices[0]` of every chunk must not get it.
   */
  dropUsageEvent: boolean;
}

/**
 * Relays an OpenAI-format SSE body event by event without decoding it: bytes go on as they came,
 * cut at event boundaries (a client can use nothing shorter), and only the rare events that
 * carry `"usage"` or `"error"` are parsed — for token counts and cost, and to see an in-stream
 * upstream error. Everything else is two `Buffer.indexOf` scans per network chunk.
 *
 * @example
 * ```ts
 * const relay = createSseRelay({ dropUsageEvent: true });
 * upstream.on('data', (chunk) => { const out = relay.push(chunk); if (out) client.write(out); });
 * // at the end: relay.usage, relay.done
 * ```
 */
export function createSseRelay(options: SseRelayOptions) {
  let carry: Buffer | undefined;
  let usage: OpenAIFormatUsage | undefined;
  let upstreamError: unknown;
  let done = false;
  let events = 0;

  /** Parses one event's `data:` JSON; `undefined` when it is not a JSON object. */
  const dataOf = (event: string): Record<string, unknown> | undefined => {
    let data = '';
    for (const line of event.split(/\r?\n/))
      if (line.startsWith('data:')) data += line.slice(line.charCodeAt(5) === 32 ? 6 : 5);
    try {
      const value: unknown = JSON.parse(data);
      return value && typeof value === 'object' && !Array.isArray(value)
        ? (value as Record<string, unknown>)
        : undefined;
    } catch {
      return undefined;
    }
  };

  /** The complete events of `region`, without the dropped ones, reading usage and errors. */
  const inspect = (region: Buffer): Buffer => {
    const kept: Buffer[] = [];
    let start = 0;
    while (start < region.length) {
      const end = eventEnd(region, start);
      const event = region.subarray(start, end);
      start = end;
      if (event.indexOf(usageKey) === -1 && event.indexOf(errorKey) === -1) {
        kept.push(event);
        continue;
      }
      const data = dataOf(event.toString('utf8'));
      if (data?.error !== undefined && data.choices === undefined) upstreamError = data.error;
      const found = data?.usage;
      if (found && typeof found === 'object') {
        usage = found as OpenAIFormatUsage;
        if (options.dropUsageEvent && Array.isArray(data.choices) && data.choices.length === 0) continue;
      }
      kept.push(event);
    }
    return kept.length === 1 ? kept[0]! : Buffer.concat(kept);
  };

  return {
    /** The bytes of the complete events so far to send on, or `undefined` when there are none yet. */
    push(chunk: Buffer): Buffer | undefined {
      const bytes = carry ? Buffer.concat([carry, chunk]) : chunk;
      const boundary = lastEventBoundary(bytes);
      if (boundary === 0) {
        carry = bytes;
        return undefined;
      }
      carry = boundary < bytes.length ? bytes.subarray(boundary) : undefined;
      const region = boundary < bytes.length ? bytes.subarray(0, boundary) : bytes;
      events++;
      if (region.indexOf(doneEvent) !== -1) done = true;
      if (region.indexOf(usageKey) === -1 && region.indexOf(errorKey) === -1) return region;
      const out = inspect(region);
      return out.length ? out : undefined;
    },
    /** Bytes of an unterminated last event, if the upstream left one. */
    flush(): Buffer | undefined {
      const rest = carry;
      carry = undefined;
      return rest;
    },
    /** Whether any complete event has been relayed. */
    get started() {
      return events > 0;
    },
    /** The upstream's `usage`, once its usage event has passed. */
    get usage() {
      return usage;
    },
    /** The `error` of an in-stream upstream error event. */
    get upstreamError() {
      return upstreamError;
    },
    /** The upstream sent `data: [DONE]`: the stream finished. */
    get done() {
      return done;
    },
  };
}

/** The relay {@link createSseRelay} returns. */
export type SseRelay = ReturnType<typeof createSseRelay>;

/** Where the last complete event of `bytes` ends (0: none yet). Events end with a blank line. */
function lastEventBoundary(bytes: Buffer): number {
  const lf = bytes.lastIndexOf('\n\n');
  const crlf = bytes.lastIndexOf('\n\r\n');
  return Math.max(lf === -1 ? 0 : lf + 2, crlf === -1 ? 0 : crlf + 3);
}

/** The end of the event that starts at `start` (the region ends with a complete event). */
function eventEnd(region: Buffer, start: number): number {
  const lf = region.indexOf('\n\n', start);
  const crlf = region.indexOf('\n\r\n', start);
  const candidates = [lf === -1 ? -1 : lf + 2, crlf === -1 ? -1 : crlf + 3].filter((at) => at !== -1);
  return candidates.length ? Math.min(...candidates) : region.length;
}
