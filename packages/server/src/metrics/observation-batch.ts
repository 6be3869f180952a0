/** A finished LLM call, as the request path reports it to the metrics. */
export interface CallObservation {
  provider: string;
  model: string;
  ok: boolean;
  stream: boolean;
  latencyMs?: number | undefined;
  ttftMs?: number | undefined;
  inputTokens?: number | undefined;
  outputTokens?: number | undefined;
  costUsd?: number | undefined;
}

/** One HTTP request's outcome. */
export interface HttpObservation {
  route: string;
  method: string;
  status: number;
  seconds: number;
}

/** When pending observations are applied. */
export interface ObservationBatchOptions {
  /** Applied as soon as this many are pending (on the next turn of the event loop). Default 256. */
  batchSize?: number;
  /** …or this long after the first one (an `unref`'d timer). Default 100 ms. */
  flushIntervalMs?: number;
}

/** Pending observations, applied together (see {@link createObservationBatch}). */
export interface ObservationBatch {
  call(observation: CallObservation): void;
  http(observation: HttpObservation): void;
  /** Applies everything pending now (what every read of the series runs first). */
  apply(): void;
}

/**
 * Keeps Prometheus observations off the request path: a request only appends its plain record,
 * and prom-client's label hashing and series updates run once per batch: when `batchSize` are
 * pending (on the next `setImmediate`, after the answer that filled it has been written), after
 * `flushIntervalMs`, or when the series are read. The buffer never holds more than two batches;
 * nothing is dropped.
 */
export function createObservationBatch(
  apply: (calls: readonly CallObservation[], http: readonly HttpObservation[]) => void,
  options: ObservationBatchOptions = {},
): ObservationBatch {
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? 256));
  const flushIntervalMs = Math.max(0, options.flushIntervalMs ?? 100);
  let calls: CallObservation[] = [];
  let http: HttpObservation[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let immediate: ReturnType<typeof setImmediate> | undefined;

  const applyNow = () => {
    if (timer) clearTimeout(timer);
    if (immediate) clearImmediate(immediate);
    timer = immediate = undefined;
    if (calls.length === 0 && http.length === 0) return;
    const batch = { calls, http };
    calls = [];
    http = [];
    apply(batch.calls, batch.http);
  };
  const schedule = () => {
    const pending = calls.length + http.length;
    // Past two batches in one turn of the event loop (a burst), they are applied at once.
    if (pending >= 2 * batchSize) applyNow();
    else if (pending >= batchSize) immediate ??= setImmediate(applyNow);
    else if (!timer) {
      timer = setTimeout(applyNow, flushIntervalMs);
      timer.unref?.();
    }
  };
  return {
    call(observation) {
      calls.push(observation);
      schedule();
    },
    http(observation) {
      http.push(observation);
      schedule();
    },
    apply: applyNow,
  };
}
