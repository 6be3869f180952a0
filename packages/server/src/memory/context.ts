import type { ChatRequest } from '@ballast/core';
import type { Embedder } from './embedder';
import type { MemoryEntry, MemoryStore } from './memory-store';
import type { RagStore, ScoredRagChunk } from './rag-store';

/** Memory settings of the gateway. */
export interface MemoryOptions {
  store: MemoryStore;
  embedder: Embedder;
  /** Recent turns replayed before the request's own messages. Default 10. */
  recentTurns?: number;
  /** Older turns recalled by similarity. Default 3. */
  recallTopK?: number;
  /** Minimum cosine similarity of a recalled turn. Default 0.3. */
  minScore?: number;
}

/** RAG settings of the gateway. */
export interface RagOptions {
  store: RagStore;
  embedder: Embedder;
  /** Collections a caller may name; `undefined` allows any. */
  collections?: string[];
  /** Default 3. */
  defaultTopK?: number;
}

/**
 * Adds session memory and retrieved documents to a request, as the AILB seed does: recent turns
 * are replayed as messages, recalled older turns and RAG chunks go into one system message placed
 * before the caller's messages. Returns the request to send and what was added (for logs).
 */
export async function enrichRequest(
  request: ChatRequest,
  input: {
    query: string;
    sessionKey?: string | undefined;
    memory?: MemoryOptions | undefined;
    rag?: { options: RagOptions; collection: string; topK: number } | undefined;
  },
): Promise<{ request: ChatRequest; recalled: number; replayed: number; documents: ScoredRagChunk[] }> {
  const context: string[] = [];
  let replayedMessages: ChatRequest['messages'] = [];
  let recalled = 0;
  let documents: ScoredRagChunk[] = [];
  const embedders = new Set(
    [input.memory?.embedder, input.rag?.options.embedder].filter(Boolean) as Embedder[],
  );
  const vectors = new Map<Embedder, number[]>();
  for (const embedder of embedders) {
    const [vector] = input.query ? await embedder.embed([input.query]) : [];
    if (vector) vectors.set(embedder, vector);
  }
  if (input.memory && input.sessionKey) {
    const { store } = input.memory;
    const recentTurns = input.memory.recentTurns ?? 10;
    const recent = await store.recent(input.sessionKey, recentTurns);
    replayedMessages = recent.map((entry) => ({ role: entry.role, content: entry.content }));
    const vector = vectors.get(input.memory.embedder);
    if (vector) {
      const hits = await store.search(input.sessionKey, vector, {
        topK: input.memory.recallTopK ?? 3,
        minScore: input.memory.minScore ?? 0.3,
        excludeRecent: recentTurns,
      });
      recalled = hits.length;
      if (hits.length)
        context.push(
          `Earlier in this conversation:\n${hits.map((hit) => `- (${hit.role}) ${hit.content}`).join('\n')}`,
        );
    }
  }
  if (input.rag) {
    const vector = vectors.get(input.rag.options.embedder);
    if (vector)
      documents = await input.rag.options.store.query(
        input.rag.collection,
        vector,
        input.rag.topK,
        input.query,
      );
    if (documents.length)
      context.push(
        `Use these documents from "${input.rag.collection}" when they are relevant; cite them as [n]:\n${documents
          .map((doc, index) => `[${index + 1}] ${doc.text}`)
          .join('\n\n')}`,
      );
  }
  if (!context.length && !replayedMessages.length) return { request, recalled: 0, replayed: 0, documents };
  const leadingSystem: ChatRequest['messages'] = [];
  let rest = request.messages;
  while (rest[0]?.role === 'system') {
    leadingSystem.push(rest[0]);
    rest = rest.slice(1);
  }
  return {
    request: {
      ...request,
      messages: [
        ...leadingSystem,
        ...(context.length ? [{ role: 'system' as const, content: context.join('\n\n') }] : []),
        ...replayedMessages,
        ...rest,
      ],
    },
    recalled,
    replayed: replayedMessages.length,
    documents,
  };
}

/** Stores the user's last message and the answer as two memory entries. */
export async function rememberTurn(
  memory: MemoryOptions,
  sessionKey: string,
  userText: string,
  answer: string,
  now: number,
): Promise<void> {
  const texts = [userText, answer].filter((text) => text !== '');
  const vectors = texts.length ? await memory.embedder.embed(texts) : [];
  const entries: MemoryEntry[] = [];
  let index = 0;
  if (userText !== '')
    entries.push({ role: 'user', content: userText, createdAt: now, embedding: vectors[index++]! });
  if (answer !== '')
    entries.push({ role: 'assistant', content: answer, createdAt: now, embedding: vectors[index]! });
  if (entries.length) await memory.store.append(sessionKey, entries);
}
