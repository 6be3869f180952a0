/** Input of {@link EmbeddingModel.embed}. */
export interface EmbedOptions {
  /** Texts to embed, in order; the result holds one vector per text, in the same order. */
  values: readonly string[];
  /** Aborts the call; the promise then rejects with `AbortedError`. */
  signal?: AbortSignal;
}

/** Output of {@link EmbeddingModel.embed}. */
export interface EmbedResult {
  /** One vector per input value, in input order. */
  embeddings: number[][];
  /** Tokens the provider counted (0 when it does not report them). */
  usage: { inputTokens: number };
}

/**
 * The contract of a text embedding model (OpenAI `text-embedding-3-small`, Ollama
 * `nomic-embed-text`…): turns texts into vectors for conversation-memory recall and RAG search.
 * Implementations throw only Ballast errors and honour `signal`.
 *
 * @example
 * ```ts
 * const model = createOpenAI().embeddingModel('text-embedding-3-small');
 * const { embeddings } = await model.embed({ values: ['which node is overloaded?'] });
 * ```
 */
export interface EmbeddingModel {
  /** Provider name, e.g. `openai`, `ollama`. */
  readonly provider: string;
  /** The model id as configured. */
  readonly modelId: string;
  /** Length of every vector, when known before the first call (`undefined` otherwise). */
  readonly dimensions: number | undefined;
  /** Largest number of values one call accepts; callers split bigger inputs. */
  readonly maxValuesPerCall: number;
  embed(options: EmbedOptions): Promise<EmbedResult>;
}
