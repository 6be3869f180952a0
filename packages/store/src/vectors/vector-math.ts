/** Packs a vector as little-endian float32 bytes (how SQLite BLOBs and PostgreSQL BYTEA hold it). */
export function encodeVector(vector: readonly number[] | Float32Array): Buffer {
  const floats = vector instanceof Float32Array ? vector : Float32Array.from(vector);
  return Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength);
}

/** Reads a vector packed by {@link encodeVector}. */
export function decodeVector(bytes: Uint8Array): Float32Array {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float32Array(copy.buffer, 0, Math.floor(bytes.byteLength / 4));
}

/**
 * The float32 values packed by {@link encodeVector}, as a view on `bytes` when they are 4-byte
 * aligned (no copy) and a copy otherwise. For reading once (the matrix load copies the values
 * into its own memory); do not keep the result, it may pin the driver's buffer.
 */
export function float32View(bytes: Uint8Array): Float32Array {
  const length = Math.floor(bytes.byteLength / 4);
  return bytes.byteOffset % 4 === 0
    ? new Float32Array(bytes.buffer, bytes.byteOffset, length)
    : decodeVector(bytes);
}

/** Cosine similarity of two vectors of the same length (0 when either is all zeros). */
export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
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
