import { reciprocalRankFusion } from './reciprocal-rank-fusion';
import type { RetrievalMode } from './vector-store';

/** Candidates each list contributes to a hybrid fusion, per requested hit. */
const hybridCandidatesPerHit = 4;

/**
 * Runs a search in the given mode over a store's two primitive searches and returns ranked keys
 * with scores; the store then loads the chunks. Shared by every store so modes behave alike.
 */
export async function runSearch<Key>(
  mode: RetrievalMode,
  topK: number,
  search: {
    vector: (k: number) => Promise<Array<{ key: Key; score: number }>>;
    lexical: (k: number) => Promise<Array<{ key: Key; score: number }>>;
  },
): Promise<Array<{ key: Key; score: number }>> {
  if (mode === 'vector') return search.vector(topK);
  if (mode === 'lexical') return search.lexical(topK);
  const candidates = topK * hybridCandidatesPerHit;
  const [vector, lexical] = await Promise.all([search.vector(candidates), search.lexical(candidates)]);
  return reciprocalRankFusion([vector.map((hit) => hit.key), lexical.map((hit) => hit.key)], topK);
}
