import { createHash } from 'node:crypto';

/**
 * Turns texts into vectors for memory recall and RAG search. Implement it over a real embedding
 * model (OpenAI `text-embedding-3-small`, Ollama `nomic-embed-text`…) for semantic recall.
 */
export interface Embedder {
  /** Names the embedding space: stores refuse to mix vectors of different ids. */
  readonly id: string;
  readonly dimensions: number;
  embed(texts: readonly string[]): Promise<number[][]>;
}

/**
 * A deterministic, dependency-free embedder: hashed bag of words (lower-cased word unigrams and
 * bigrams hashed into `dimensions` buckets with a sign bit, log-scaled, L2-normalised), so cosine
 * similarity is word overlap. It finds documents that share words with the query, not synonyms:
 * it is the in-memory default and the test fixture, not a semantic model.
 *
 * @example
 * ```ts
 * const embedder = createHashedBagOfWordsEmbedder();
 * const [a, b] = await embedder.embed(['proxmox node overloaded', 'which proxmox node is overloaded?']);
 * cosineSimilarity(a!, b!); // high
 * ```
 */
export function createHashedBagOfWordsEmbedder(options: { dimensions?: number } = {}): Embedder {
  const dimensions = options.dimensions ?? 512;
  const embedOne = (text: string): number[] => {
    const vector = new Array<number>(dimensions).fill(0);
    const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
    const add = (token: string, weight: number) => {
      const digest = createHash('sha1').update(token).digest();
      const bucket = digest.readUInt32LE(0) % dimensions;
      vector[bucket]! += (digest[4]! & 1 ? 1 : -1) * weight;
    };
    for (let index = 0; index < words.length; index++) {
      add(words[index]!, 1);
      if (index + 1 < words.length) add(`${words[index]} ${words[index + 1]}`, 0.5);
    }
    for (let index = 0; index < dimensions; index++) {
      const value = vector[index]!;
      vector[index] = Math.sign(value) * Math.log1p(Math.abs(value));
    }
    return normalize(vector);
  };
  return {
    id: `hashed-bow-${dimensions}`,
    dimensions,
    embed: async (texts) => texts.map(embedOne),
  };
}

function normalize(vector: number[]): number[] {
  let norm = 0;
  for (const value of vector) norm += value * value;
  norm = Math.sqrt(norm);
  return norm === 0 ? vector : vector.map((value) => value / norm);
}

/** Cosine similarity of two vectors of the same length (0 when either is all zeros). */
export function cosineSimilarity(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let index = 0; index < a.length; index++) {
    const x = a[index]!;
    const y = b[index] ?? 0;
    dot += x * y;
    normA += x * x;
    normB += y * y;
  }
  return normA === 0 || normB === 0 ? 0 : dot / Math.sqrt(normA * normB);
}
