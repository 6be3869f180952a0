import { z } from 'zod';
import type { StoreBackend } from '../errors/store-error';
import { parseStoreInput, redactForStorage, storedText } from '../validate-input';
import { type MemoryEntry, memoryEntrySchema } from './memory-store';

const sessionIdSchema = storedText().min(1).max(500);

/** Validates a session id and entries, and redacts the contents. */
export function prepareMemoryEntries(
  sessionId: string,
  entries: readonly MemoryEntry[],
  context: { backend: StoreBackend; knownSecrets: readonly string[] },
): MemoryEntry[] {
  parseStoreInput(sessionIdSchema, sessionId, 'session id', context.backend);
  return parseStoreInput(
    z.array(memoryEntrySchema).max(1_000),
    entries,
    'memory entries',
    context.backend,
  ).map(
    (entry): MemoryEntry => ({
      role: entry.role,
      content: redactForStorage(entry.content, context.knownSecrets),
      createdAt: entry.createdAt,
      ...(entry.embedding ? { embedding: entry.embedding } : {}),
    }),
  );
}
