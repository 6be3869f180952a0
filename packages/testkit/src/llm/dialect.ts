import type { ReceivedRequest, ScriptedReply, ScriptedUsage } from './scripted-reply';

/** One event of a streamed answer, written as one unit to the socket. */
export type StreamFrame = string;

/** What the harness needs to speak one provider's wire format. */
export interface WireDialect {
  readonly name: string;
  /** Whether this path is the chat endpoint (`/v1/chat/completions`, `/v1/messages`, `/api/chat`). */
  isChatPath(method: string, path: string): boolean;
  /**
   * Answers for other endpoints the SDKs call (model lists, version, embeddings), or `undefined`
   * for 404. `body` is the parsed JSON request body.
   */
  answerOther?(method: string, path: string, body?: unknown): unknown;
  /** Whether the request asked for a stream. */
  wantsStream(body: unknown): boolean;
  /** Checks the credentials header; `true` when no key is configured. */
  isAuthorized(headers: ReceivedRequest['headers'], apiKey: string | undefined): boolean;
  renderResponse(reply: ScriptedReply, request: ReceivedRequest, usage: ScriptedUsage): unknown;
  renderStream(
    reply: ScriptedReply,
    request: ReceivedRequest,
    usage: ScriptedUsage,
  ): { contentType: string; frames: StreamFrame[] };
  /** A realistic error body for a status, as the provider sends it. */
  renderError(
    status: number,
    message: string | undefined,
    code: string | undefined,
  ): { body: unknown; headers?: Record<string, string> };
  /** A stream frame that is not valid in this format (for `malformed-json` on streams). */
  malformedFrame: StreamFrame;
}

/** The model id the client asked for (`model` in every provider's request body). */
export function requestedModel(request: ReceivedRequest): string {
  const body = request.body as { model?: unknown } | undefined;
  return typeof body?.model === 'string' ? body.model : 'unknown-model';
}

/** Splits text into pieces of `size` characters (at least one piece, possibly empty). */
export function splitText(text: string, size: number): string[] {
  if (text.length === 0) return [];
  const pieces: string[] = [];
  for (let index = 0; index < text.length; index += size) pieces.push(text.slice(index, index + size));
  return pieces;
}

/** A short random id in the provider's style, e.g. `chatcmpl-9f2c…`. */
export function randomId(prefix: string): string {
  return `${prefix}${Math.random().toString(36).slice(2, 12)}${Math.random().toString(36).slice(2, 12)}`;
}
