import { z } from 'zod';
import type { StoreBackend } from '../errors/store-error';
import { parseStoreInput } from '../validate-input';
import { IvfFlatIndex, type IvfFlatOptions } from './ivf-flat-index';
import { VectorMatrix } from './vector-matrix';
import type { VectorIndexDescription } from './vector-store';

let simdSupport: boolean | undefined;

/** How a store searches vectors in process: every vector, or an IVF-flat approximate index. */
export type VectorIndexOption = 'exact' | ({ kind: 'ivf-flat' } & IvfFlatOptions);

const vectorIndexOptionSchema = z.union([
  z.literal('exact'),
  z
    .object({
      kind: z.literal('ivf-flat'),
      lists: z.number().int().min(1).max(65_536).optional(),
      probes: z.number().int().min(1).max(65_536).optional(),
      recallTarget: z.number().gt(0).max(1).optional(),
      seed: z.number().int().optional(),
    })
    .strict(),
]);

/** Validates the `vectorIndex` option (a typed `invalid_input` error otherwise). */
export function parseVectorIndexOption(option: VectorIndexOption, backend: StoreBackend): VectorIndexOption {
  return parseStoreInput(vectorIndexOptionSchema, option, 'vectorIndex option', backend) as VectorIndexOption;
}

/** The in-process part of a store's `describe()`. */
export function describeInProcessIndexes(
  option: VectorIndexOption,
  indexes: Iterable<CollectionVectorIndex<unknown>>,
): { vectorSearch: 'exact-scan' | 'ivf-flat'; vectorIndex: VectorIndexDescription } {
  let cachedCollections = 0;
  let cachedBytes = 0;
  let simd = CollectionVectorIndex.simdAvailable();
  for (const index of indexes) {
    cachedCollections += 1;
    cachedBytes += index.byteSize;
    simd &&= index.simd;
  }
  return {
    vectorSearch: option === 'exact' ? 'exact-scan' : 'ivf-flat',
    vectorIndex: {
      location: 'process',
      engine: simd ? 'wasm-simd' : 'scalar',
      cachedCollections,
      cachedBytes,
      ...(option === 'exact'
        ? {}
        : {
            ivf: {
              ...(option.lists === undefined ? {} : { lists: option.lists }),
              ...(option.probes === undefined ? {} : { probes: option.probes }),
            },
          }),
    },
  };
}

/**
 * One collection's vectors in process: a {@link VectorMatrix} kept in step with every write, and
 * optionally an {@link IvfFlatIndex} over it. Both stores (in memory, SQL) hold one per searched
 * collection.
 */
export class CollectionVectorIndex<Key> {
  private readonly matrix: VectorMatrix<Key>;
  private readonly approximate: IvfFlatIndex<Key> | undefined;

  /** Whether this runtime runs the WebAssembly SIMD kernel. */
  static simdAvailable(): boolean {
    simdSupport ??= new VectorMatrix<number>(4).simd;
    return simdSupport;
  }

  constructor(dimensions: number, option: VectorIndexOption = 'exact') {
    this.matrix = new VectorMatrix<Key>(dimensions);
    this.approximate = option === 'exact' ? undefined : new IvfFlatIndex(this.matrix, option);
  }

  get dimensions(): number {
    return this.matrix.dimensions;
  }

  get size(): number {
    return this.matrix.size;
  }

  /** Bytes held (the matrix, and the index's centroids and ordered copy). */
  get byteSize(): number {
    return this.matrix.byteSize + (this.approximate?.byteSize ?? 0);
  }

  /** Whether scoring runs on the WebAssembly SIMD kernel. */
  get simd(): boolean {
    return this.matrix.simd;
  }

  /** Makes room for `rows` vectors at once (a bulk load then never regrows the memory). */
  reserve(rows: number): void {
    this.matrix.reserve(rows);
  }

  set(key: Key, vector: ArrayLike<number>): void {
    this.matrix.set(key, vector);
  }

  delete(key: Key): boolean {
    return this.matrix.delete(key);
  }

  /** The `k` most similar keys (cosine, best first); exact unless an approximate index was asked for. */
  search(query: ArrayLike<number>, k: number): Array<{ key: Key; score: number }> {
    return this.approximate ? this.approximate.search(query, k) : this.matrix.search(query, k);
  }
}
