import { useMemo, useSyncExternalStore } from 'react';
import type { BallastClient } from '../client/ballast-client';
import { useBallastClient } from '../client/ballast-context';
import { type AviChatSnapshot, createAviChatStore } from '../store/avi-chat-store';

/** Options of {@link useAviChat}. */
export interface AviChatOptions {
  /** Keeps the agent's history across mounts; default: a new conversation per mount. */
  conversationId?: string;
  client?: BallastClient;
}

/** What {@link useAviChat} returns. */
export interface AviChatState extends AviChatSnapshot {
  send: (message: string) => Promise<void>;
  confirm: (token: string) => Promise<void>;
  dismiss: (token: string) => void;
  stop: () => void;
}

const newConversationId = () =>
  `ui-${Date.now().toString(36)}-${Math.floor(Math.random() * 36 ** 6).toString(36)}`;

/**
 * Chat with the Avi agent (`POST /api/avi/chat`): the answer streams in with every tool call and
 * result, and each write the agent proposes arrives as a plan that runs only through `confirm`.
 * Unmounting aborts the answer being streamed.
 *
 * @example
 * ```tsx
 * const { messages, send, confirm, status } = useAviChat();
 * await send('why is pool-shop-web degraded?');
 * ```
 */
export function useAviChat(options: AviChatOptions = {}): AviChatState {
  const client = useBallastClient(options.client);
  const store = useMemo(
    () => createAviChatStore(client, options.conversationId ?? newConversationId()),
    [client, options.conversationId],
  );
  const snapshot = useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
  return { ...snapshot, send: store.send, confirm: store.confirm, dismiss: store.dismiss, stop: store.stop };
}
