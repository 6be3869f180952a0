import { tokenize } from './tokenize';

/** Okapi BM25 parameters (the usual defaults, as in Lucene and SQLite FTS5). */
const k1 = 1.2;
const b = 0.75;

/**
 * An in-process Okapi BM25 index over a fixed set of documents, the lexical search of the
 * in-memory vector store (SQLite uses FTS5's `bm25()`, PostgreSQL its full-text search). Built
 * once per collection version; `search` scores only documents that share a term with the query.
 */
export class Bm25Index {
  private readonly postings = new Map<string, Array<{ document: number; frequency: number }>>();
  private readonly lengths: number[] = [];
  private readonly averageLength: number;

  constructor(texts: readonly string[]) {
    texts.forEach((text, document) => {
      const tokens = tokenize(text);
      this.lengths.push(tokens.length);
      const counts = new Map<string, number>();
      for (const token of tokens) counts.set(token, (counts.get(token) ?? 0) + 1);
      for (const [token, frequency] of counts) {
        let list = this.postings.get(token);
        if (!list) {
          list = [];
          this.postings.set(token, list);
        }
        list.push({ document, frequency });
      }
    });
    this.averageLength =
      this.lengths.reduce((sum, length) => sum + length, 0) / Math.max(1, this.lengths.length);
  }

  /** The best `topK` documents (index into the constructor's texts) with their BM25 scores. */
  search(query: string, topK: number): Array<{ document: number; score: number }> {
    const scores = new Map<number, number>();
    const total = this.lengths.length;
    for (const token of new Set(tokenize(query))) {
      const list = this.postings.get(token);
      if (!list) continue;
      const idf = Math.log(1 + (total - list.length + 0.5) / (list.length + 0.5));
      for (const { document, frequency } of list) {
        const norm = frequency + k1 * (1 - b + (b * this.lengths[document]!) / (this.averageLength || 1));
        scores.set(document, (scores.get(document) ?? 0) + (idf * (frequency * (k1 + 1))) / norm);
      }
    }
    return [...scores]
      .map(([document, score]) => ({ document, score }))
      .sort((left, right) => right.score - left.score || left.document - right.document)
      .slice(0, Math.max(0, topK));
  }
}
