import {
  ApiCallError,
  type BallastError,
  type ChatChunk,
  type ChatModel,
  type ChatRequest,
  type ChatResult,
} from '@ballast/core';
import type { BalancerCallOptions } from './balancer-config';
import type { CallRun, Stoppable } from './call-run';
import { attachRoute, type BalancedChatChunk, type Route } from './route';

/** What a stream needs of its committed attempt (the balancer's attempt handle). */
export interface StreamAttempt {
  readonly attempt: { stop(error: BallastError): void; dispose(): void };
  readonly slot: { readonly model: ChatModel; readonly runtime: { readonly id: string }; release(): void };
}

/**
 * What a {@link BalancedStream} asks of its balancer: the routing up to the first content chunk,
 * and the booking of how the stream ended. Every method books; the stream only sequences them.
 */
export interface StreamHost<H extends StreamAttempt> {
  /**
   * Routes the stream call up to its first content chunk (failover happens there, and a call
   * that fails is booked there), then hands the committed attempt to {@link BalancedStream.begin}
   * in the same async frame; resolves to what `begin` returned.
   */
  startStream(stream: BalancedStream<H>): Promise<IteratorResult<BalancedChatChunk, undefined>>;
  /** Books a stream that finished (the attempt, the call); returns its `finish` chunk. */
  finishStream(stream: BalancedStream<H>, result: ChatResult): BalancedChatChunk;
  /** Books a stream that failed after its first chunk (no failover then). */
  failStream(stream: BalancedStream<H>, error: BallastError): void;
  /** Books a stream nobody reads to the end (`cancelled`, or the code of its deadline or abort). */
  abandonStream(stream: BalancedStream<H>, code: string): void;
  toBallastError(thrown: unknown, model: ChatModel): BallastError;
}

/** Not started, between its chunks, or over (finished, failed, or closed by its consumer). */
type StreamState = 'idle' | 'open' | 'done';

const finished: IteratorResult<BalancedChatChunk, undefined> = Object.freeze({
  done: true,
  value: undefined,
});

/**
 * One balanced stream, as a hand-written async iterator rather than an async generator: a
 * generator pays for its request queue, a promise per step and a resumed frame per chunk, and the
 * first chunk, already read while routing, is handed out here without any of that.
 *
 * It keeps the generator's contract:
 * - nothing starts before the first `next()`, and requests that overlap run one after the other;
 * - failover happens only before the first content chunk (in the balancer's attempt loop); an
 *   error after it is booked and thrown, with the route attached;
 * - a consumer that stops reading (`return()`: a `break` or a throw in a for-await body; or
 *   `throw()`) gets the stream booked as cancelled, with its latency and time to first token so far;
 * - the call's deadline or its caller's abort, while the consumer holds a chunk and asks for
 *   nothing, closes the stream at once (the run stops this stream, see {@link BalancedStream.stop})
 *   and the consumer's next `next()` throws why;
 * - the target's concurrency slot is freed only once the upstream stream has closed.
 *
 * The stream closes its upstream as soon as it hands out the `finish` chunk: a consumer that
 * stops there, without asking for the end, does not hold the slot.
 */
export class BalancedStream<H extends StreamAttempt>
  implements AsyncIterableIterator<BalancedChatChunk>, Stoppable
{
  /** Whether the stream's outcome is booked (finished, failed or abandoned). */
  settled = false;
  /** Set when the stream was given up while its consumer was not reading. */
  abandonedWith: BallastError | undefined = undefined;
  /** The committed attempt, once routed. */
  handle!: H;
  route!: Route;
  /** `performance.now()` when the call began. */
  startedAt = 0;
  timeToFirstTokenMs = 0;
  private state: StreamState = 'idle';
  /** Between handing out a chunk and the consumer's next request: the only time `stop` abandons. */
  private waitingForConsumer = false;
  private run: CallRun | undefined = undefined;
  private upstream: AsyncIterator<ChatChunk> | undefined = undefined;
  /** Chunks read while routing (up to the first content chunk), handed out before reading on. */
  private buffered: readonly ChatChunk[] = [];
  private bufferedAt = 0;
  /** The request still running (the routing, a read of the upstream); later requests wait for it. */
  private pending: Promise<unknown> | undefined = undefined;
  private closing: Promise<void> | undefined = undefined;

  constructor(
    private readonly host: StreamHost<H>,
    readonly request: ChatRequest,
    readonly options: BalancerCallOptions | undefined,
  ) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<BalancedChatChunk, undefined>> {
    if (this.pending !== undefined) return this.afterPending(this.pending, 'next');
    switch (this.state) {
      case 'idle':
        return this.start();
      case 'open':
        return this.resume();
      default:
        return Promise.resolve(finished);
    }
  }

  /** The consumer stops reading: books the stream as cancelled (if it is not booked) and closes it. */
  return(value?: unknown): Promise<IteratorResult<BalancedChatChunk, undefined>> {
    if (this.pending !== undefined) return this.afterPending(this.pending, 'return', value);
    if (this.state === 'idle') this.state = 'done';
    else if (this.state === 'open') this.close();
    // As a generator's `return(value)`: done, with the value given (for-await gives none).
    return Promise.resolve(
      value === undefined
        ? finished
        : ({ done: true, value } as unknown as IteratorResult<BalancedChatChunk, undefined>),
    );
  }

  /**
   * The consumer stops reading with an error of its own: as `return()` (booked as cancelled, never
   * against the target's health: the error is the consumer's), then rejects with that error, as
   * a generator without a `catch` does.
   */
  throw(thrown?: unknown): Promise<IteratorResult<BalancedChatChunk, undefined>> {
    if (this.pending !== undefined) return this.afterPending(this.pending, 'throw', thrown);
    if (this.state === 'open') this.close();
    this.state = 'done';
    return Promise.reject(thrown);
  }

  /**
   * @internal Called by the balancer, in its attempt loop's frame, with the committed attempt:
   * the stream takes the attempt's place on the call's watch list (it stops the attempt first, see
   * {@link BalancedStream.stop}) and hands out the first chunk.
   */
  begin(
    handle: H,
    upstream: AsyncIterator<ChatChunk>,
    buffered: readonly ChatChunk[],
    route: Route,
    run: CallRun,
    startedAt: number,
    timeToFirstTokenMs: number,
  ): IteratorResult<BalancedChatChunk, undefined> {
    this.handle = handle;
    this.upstream = upstream;
    this.buffered = buffered;
    this.route = route;
    this.run = run;
    this.startedAt = startedAt;
    this.timeToFirstTokenMs = timeToFirstTokenMs;
    this.state = 'open';
    this.pending = undefined;
    // One watcher at a time: no list is built, and none spliced at the end.
    run.unwatch(handle.attempt);
    run.watch(this);
    try {
      this.options?.onRoute?.(route);
    } catch (thrown) {
      throw this.failed(thrown);
    }
    return this.resumeBuffered();
  }

  /**
   * The call stopped (its deadline, its caller's abort). The upstream request is aborted, as the
   * attempt's own watch did before the stream replaced it; a stream whose consumer holds a chunk
   * and is not reading is booked and closed now, since no request of its consumer will come to.
   */
  stop(error: BallastError): void {
    this.handle.attempt.stop(error);
    if (!this.waitingForConsumer || this.settled) return;
    this.abandonedWith = error;
    this.host.abandonStream(this, error.code);
    this.closeUpstream();
  }

  /** The first request: routes the call (the balancer calls {@link BalancedStream.begin}). */
  private start(): Promise<IteratorResult<BalancedChatChunk, undefined>> {
    // Done until `begin` opens it: a call that fails to route is over.
    this.state = 'done';
    const starting = this.host.startStream(this);
    this.pending = starting;
    return starting;
  }

  /** The consumer asks for the next chunk: the buffered ones first, then the upstream's. */
  private resume(): Promise<IteratorResult<BalancedChatChunk, undefined>> {
    this.waitingForConsumer = false;
    // Booked when it was abandoned: this only closes it and reports why.
    if (this.abandonedWith) return Promise.reject(this.failed(this.abandonedWith));
    if (this.bufferedAt < this.buffered.length) {
      try {
        return Promise.resolve(this.resumeBuffered());
      } catch (error) {
        return Promise.reject(error);
      }
    }
    const reading = this.read();
    this.pending = reading;
    return reading;
  }

  /** Hands out the next buffered chunk (there is one: the first content chunk ends the buffer). */
  private resumeBuffered(): IteratorResult<BalancedChatChunk, undefined> {
    const chunk = this.buffered[this.bufferedAt++] as ChatChunk;
    if (this.bufferedAt === this.buffered.length) this.buffered = [];
    return this.deliver(chunk);
  }

  /** Reads the upstream's next chunk (an async frame only for chunks not already read). */
  private async read(): Promise<IteratorResult<BalancedChatChunk, undefined>> {
    try {
      const next = await (this.upstream as AsyncIterator<ChatChunk>).next();
      this.pending = undefined;
      if (next.done) throw this.endedEarly();
      return this.deliver(next.value);
    } catch (thrown) {
      this.pending = undefined;
      if (this.state !== 'open') throw thrown; // already failed and closed by `deliver`
      throw this.failed(thrown);
    }
  }

  /** A chunk for the consumer; the `finish` chunk books the stream and closes it. */
  private deliver(chunk: ChatChunk): IteratorResult<BalancedChatChunk, undefined> {
    if (chunk.type !== 'finish') {
      this.waitingForConsumer = true;
      return { done: false, value: chunk };
    }
    let value: BalancedChatChunk;
    try {
      value = this.host.finishStream(this, chunk.result);
    } catch (thrown) {
      throw this.failed(thrown);
    }
    this.close();
    return { done: false, value };
  }

  /**
   * After the first chunk the answer is partly delivered: never fail over. Books the failure
   * (unless the stream is already booked), closes the stream and returns the error to throw.
   */
  private failed(thrown: unknown): BallastError {
    const error = this.run?.failure ?? this.host.toBallastError(thrown, this.handle.slot.model);
    if (!this.settled) this.host.failStream(this, error);
    attachRoute(error, this.route);
    this.close();
    return error;
  }

  private endedEarly(): ApiCallError {
    const { model, runtime } = this.handle.slot;
    return new ApiCallError({
      message: `${runtime.id} stream ended without a finish chunk`,
      code: 'invalid_response',
      provider: model.provider,
      modelId: model.modelId,
      isRetryable: true,
    });
  }

  /**
   * The stream is over, however it ended. Not booked by then means the consumer stopped reading:
   * it is booked as cancelled, with its latency and time to first token so far.
   */
  private close(): void {
    if (this.state === 'done') return;
    this.state = 'done';
    this.waitingForConsumer = false;
    if (!this.settled) this.host.abandonStream(this, 'cancelled');
    const run = this.run as CallRun;
    run.unwatch(this);
    this.closeUpstream();
    run.dispose();
  }

  /** Closes the upstream stream (once); the slot is freed only when it has closed. */
  private closeUpstream(): void {
    if (this.closing) return;
    // Two unnamed reactions rather than one named closure: a bundler that keeps function names
    // (tsx, esbuild `keepNames`) sets the name of a `const` closure with a defineProperty per
    // call, which costs more than the closure.
    this.closing = Promise.resolve(this.upstream?.return?.()).then(
      () => this.releaseSlot(),
      () => this.releaseSlot(),
    );
  }

  private releaseSlot(): void {
    this.handle.attempt.dispose();
    this.handle.slot.release();
  }

  /** A request made while another runs: it runs once that one has settled, as a generator's do. */
  private afterPending(
    pending: Promise<unknown>,
    request: 'next' | 'return' | 'throw',
    argument?: unknown,
  ): Promise<IteratorResult<BalancedChatChunk, undefined>> {
    const again = () => {
      // A failed routing leaves its promise behind (nothing else clears it): the stream is over.
      if (this.pending === pending) this.pending = undefined;
      return request === 'next'
        ? this.next()
        : request === 'return'
          ? this.return(argument)
          : this.throw(argument);
    };
    return pending.then(again, again);
  }
}
