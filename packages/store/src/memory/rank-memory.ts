import { cosineSimilarity } from '../vectors/vector-math';
import type { MemoryEntry, ScoredMemoryEntry } from './memory-store';

/**
 * Ranks a session's entries (oldest first) against a query vector: skips the `excludeRecent`
 * newest (they are replayed verbatim anyway), keeps scores ≥ `minScore`, best `topK` first.
 */
export function rankMemory(
  entries: readonly MemoryEntry[],
  embedding: readonly number[],
  options: { topK: number; minScore: number; excludeRecent?: number },
): ScoredMemoryEntry[] {
  const excludeRecent = Math.max(0, options.excludeRecent ?? 0);
  const pool = entries.slice(0, Math.max(0, entries.length - excludeRecent));
  return pool
    .filter((entry) => entry.embedding !== undefined)
    .map((entry) => ({ ...entry, score: cosineSimilarity(embedding, entry.embedding!) }))
    .filter((entry) => entry.score >= options.minScore)
    .sort((a, b) => b.score - a.score)
    .slice(0, Math.max(0, options.topK));
}
