/** The usual RRF constant: damps the head so one list's first hit cannot drown the other list. */
const rrfK = 60;

/**
 * Fuses ranked lists (best first) into one by reciprocal rank: each key scores
 * Σ 1 / (60 + rank). Scores of different kinds (cosine, BM25) need no common scale.
 */
export function reciprocalRankFusion<Key>(
  lists: ReadonlyArray<readonly Key[]>,
  topK: number,
): Array<{ key: Key; score: number }> {
  const scores = new Map<Key, number>();
  for (const list of lists)
    list.forEach((key, index) => {
      scores.set(key, (scores.get(key) ?? 0) + 1 / (rrfK + index + 1));
    });
  return [...scores]
    .map(([key, score]) => ({ key, score }))
    .sort((a, b) => b.score - a.score)
    .slice(0, topK);
}
