import { createHash } from 'node:crypto';

/**
 * A deterministic text embedding for the fake LLM servers: lower-cased word unigrams (weight 1)
 * and bigrams (weight 0.5) hashed into `dimensions` buckets with a sign bit, log-scaled and
 * L2-normalised. The same text always gives the same vector, and texts sharing words are close in
 * cosine similarity, so retrieval tests have meaningful, reproducible answers.
 *
 * @example
 * ```ts
 * const a = deterministicEmbedding('proxmox node overloaded', 256);
 * ```
 */
export function deterministicEmbedding(text: string, dimensions: number): number[] {
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
  let norm = 0;
  for (let index = 0; index < dimensions; index++) {
    const value = vector[index]!;
    vector[index] = Math.sign(value) * Math.log1p(Math.abs(value));
    norm += vector[index]! * vector[index]!;
  }
  norm = Math.sqrt(norm);
  return norm === 0 ? vector : vector.map((value) => value / norm);
}

/** Rough token count of texts (words), reported as embedding usage by the fakes. */
export function countWords(texts: readonly string[]): number {
  return texts.reduce((total, text) => total + (text.match(/[\p{L}\p{N}]+/gu)?.length ?? 0), 0);
}

/** Reads `input` of an embeddings request (a string or an array of strings); `undefined` if invalid. */
export function embeddingInputs(input: unknown): string[] | undefined {
  if (typeof input === 'string') return [input];
  if (Array.isArray(input) && input.length > 0 && input.every((value) => typeof value === 'string'))
    return input as string[];
  return undefined;
}
