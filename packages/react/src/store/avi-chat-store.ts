import { AbortedError } from '@ballast/core';
import type { BallastClient } from '../client/ballast-client';

/** A write the agent planned; nothing runs until it is confirmed with its token. */
export interface AviPlan {
  method: string;
  path: string;
  body?: unknown;
  /** Field → `{ from, to }`. */
  diff?: Record<string, { from: unknown; to: unknown }>;
  risk: string;
  summary: string;
}

/** A tool the agent called while answering, with its result once it arrived. */
export interface AviToolCall {
  id: string;
  name: string;
  arguments: unknown;
  result?: unknown;
}

/** A plan inside an answer, and what became of it. */
export interface AviPlanState {
  token: string;
  plan: AviPlan;
  status: 'pending' | 'confirming' | 'executed' | 'failed' | 'dismissed';
  result?: unknown;
  error?: string;
}

/** One turn of the conversation. */
export interface AviChatMessage {
  id: string;
  role: 'user' | 'assistant';
  text: string;
  toolCalls: AviToolCall[];
  plans: AviPlanState[];
  /** Set when the turn ended with an error event. */
  error?: { code: string; message: string };
}

/** What {@link createAviChatStore} holds. */
export interface AviChatSnapshot {
  conversationId: string;
  messages: AviChatMessage[];
  status: 'idle' | 'streaming' | 'error';
  error: Error | undefined;
}

/** The store behind `useAviChat`: `subscribe` / `getSnapshot`, plus the chat's actions. */
export interface AviChatStore {
  subscribe(listener: () => void): () => void;
  getSnapshot(): AviChatSnapshot;
  /** Sends a message and streams the answer (tool calls, plans, text) into the snapshot. */
  send(message: string): Promise<void>;
  /** Runs a planned write: `POST /api/avi/confirm { token }`. */
  confirm(token: string): Promise<void>;
  /** Marks a plan as not wanted (nothing is sent: an unconfirmed plan never runs). */
  dismiss(token: string): void;
  /** Cancels the answer being streamed. */
  stop(): void;
}

type AviEvent =
  | { type: 'tool-call'; id: string; name: string; arguments: unknown }
  | { type: 'tool-result'; id: string; name: string; result: unknown }
  | { type: 'plan'; token: string; plan: AviPlan }
  | { type: 'text-delta'; text: string }
  | { type: 'done'; conversationId: string }
  | { type: 'error'; error: { code: string; message: string } };

/** Parses one SSE `data:` payload; anything not a known event is ignored (never guessed). */
function parseEvent(data: string): AviEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const event = value as Record<string, unknown>;
  switch (event.type) {
    case 'tool-call':
    case 'tool-result':
      return typeof event.id === 'string' && typeof event.name === 'string' ? (event as AviEvent) : undefined;
    case 'plan':
      return typeof event.token === 'string' && typeof event.plan === 'object' && event.plan !== null
        ? (event as AviEvent)
        : undefined;
    case 'text-delta':
      return typeof event.text === 'string' ? (event as AviEvent) : undefined;
    case 'done':
      return event as AviEvent;
    case 'error': {
      const error = event.error as Record<string, unknown> | undefined;
      return typeof error?.message === 'string' ? (event as AviEvent) : undefined;
    }
    default:
      return undefined;
  }
}

/** Yields the `data:` payload of each server-sent event of a response body. */
async function* serverSentData(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let boundary = buffer.indexOf('\n\n');
      while (boundary >= 0) {
        const frame = buffer.slice(0, boundary);
        buffer = buffer.slice(boundary + 2);
        const data = frame
          .split('\n')
          .filter((line) => line.startsWith('data:'))
          .map((line) => line.slice(5).trimStart())
          .join('\n');
        if (data) yield data;
        boundary = buffer.indexOf('\n\n');
      }
    }
  } finally {
    reader.releaseLock();
  }
}

let sequence = 0;
const nextId = (prefix: string) => `${prefix}-${++sequence}`;

/**
 * Creates the Avi chat store over `POST /api/avi/chat` (server-sent events) and
 * `POST /api/avi/confirm`. A write is only ever run by {@link AviChatStore.confirm}; leaving the
 * chat (the last subscriber) aborts the answer being streamed.
 *
 * @example
 * ```ts
 * const chat = createAviChatStore(client, 'ops-1');
 * await chat.send('why is pool-shop-web degraded?');
 * const plan = chat.getSnapshot().messages.at(-1)?.plans[0];
 * if (plan) await chat.confirm(plan.token);
 * ```
 */
export function createAviChatStore(client: BallastClient, conversationId: string): AviChatStore {
  let snapshot: AviChatSnapshot = { conversationId, messages: [], status: 'idle', error: undefined };
  const listeners = new Set<() => void>();
  let streaming: AbortController | undefined;
  const set = (patch: Partial<AviChatSnapshot>) => {
    snapshot = { ...snapshot, ...patch };
    for (const listener of [...listeners]) listener();
  };
  const updateMessage = (id: string, change: (message: AviChatMessage) => AviChatMessage) =>
    set({ messages: snapshot.messages.map((message) => (message.id === id ? change(message) : message)) });
  const updatePlan = (token: string, change: Partial<AviPlanState>) =>
    set({
      messages: snapshot.messages.map((message) =>
        message.plans.some((plan) => plan.token === token)
          ? {
              ...message,
              plans: message.plans.map((plan) => (plan.token === token ? { ...plan, ...change } : plan)),
            }
          : message,
      ),
    });

  const apply = (id: string, event: AviEvent) => {
    switch (event.type) {
      case 'tool-call':
        return updateMessage(id, (message) => ({
          ...message,
          toolCalls: [...message.toolCalls, { id: event.id, name: event.name, arguments: event.arguments }],
        }));
      case 'tool-result':
        return updateMessage(id, (message) => ({
          ...message,
          toolCalls: message.toolCalls.map((call) =>
            call.id === event.id ? { ...call, result: event.result } : call,
          ),
        }));
      case 'plan':
        return updateMessage(id, (message) => ({
          ...message,
          plans: [...message.plans, { token: event.token, plan: event.plan, status: 'pending' }],
        }));
      case 'text-delta':
        return updateMessage(id, (message) => ({ ...message, text: message.text + event.text }));
      case 'error':
        return updateMessage(id, (message) => ({ ...message, error: event.error }));
      case 'done':
        return undefined;
    }
  };

  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        if (listeners.delete(listener) && listeners.size === 0) streaming?.abort();
      };
    },
    getSnapshot: () => snapshot,
    async send(message) {
      streaming?.abort();
      const controller = new AbortController();
      streaming = controller;
      const answerId = nextId('assistant');
      set({
        status: 'streaming',
        error: undefined,
        messages: [
          ...snapshot.messages,
          { id: nextId('user'), role: 'user', text: message, toolCalls: [], plans: [] },
          { id: answerId, role: 'assistant', text: '', toolCalls: [], plans: [] },
        ],
      });
      try {
        const response = await client.send('/api/avi/chat', {
          body: { conversationId, message },
          signal: controller.signal,
        });
        if (!response.body) throw new Error('The Avi chat answered without a body');
        for await (const data of serverSentData(response.body)) {
          const event = parseEvent(data);
          if (event) apply(answerId, event);
        }
        if (streaming === controller) set({ status: 'idle' });
      } catch (error) {
        if (streaming !== controller) return;
        if (controller.signal.aborted || AbortedError.isInstance(error)) set({ status: 'idle' });
        else set({ status: 'error', error: error instanceof Error ? error : new Error(String(error)) });
      } finally {
        if (streaming === controller) streaming = undefined;
      }
    },
    async confirm(token) {
      updatePlan(token, { status: 'confirming' });
      try {
        const answer = await client.request<{ executed: boolean; result?: unknown }>('/api/avi/confirm', {
          body: { token },
        });
        updatePlan(token, { status: answer.executed ? 'executed' : 'failed', result: answer.result });
      } catch (error) {
        updatePlan(token, {
          status: 'failed',
          error: error instanceof Error ? error.message : String(error),
        });
      }
    },
    dismiss(token) {
      updatePlan(token, { status: 'dismissed' });
    },
    stop() {
      streaming?.abort();
    },
  };
}
