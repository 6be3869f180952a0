import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** Live request counters of a fake server. */
export interface TrafficCounters {
  /** Requests received whose response has not finished (hung, delayed or streaming ones included). */
  readonly inFlight: number;
  /** Highest `inFlight` seen since start or the last `resetMaxInFlight()`. */
  readonly maxInFlight: number;
  /** Requests whose connection the client closed before the response finished. */
  readonly closedByClient: number;
  /** Requests received since start (the request log may keep fewer). */
  readonly received: number;
}

/**
 * Sockets the server itself dropped (a `reset` or `cut-stream` fault, or `close()`), so their
 * unfinished responses are not blamed on the client. Module-wide: a socket belongs to one server.
 */
const droppedByServer = new WeakSet<Socket>();

/**
 * Destroys a request's connection on the server's initiative (a fault), so the gauge does not
 * count it in `closedByClient`.
 */
export function dropConnection(incoming: IncomingMessage): void {
  droppedByServer.add(incoming.socket);
  incoming.socket.destroy();
}

/**
 * Counts what a fake server sees on the wire: requests in flight, their high-water mark, and
 * connections the client closed early. These are the numbers a client-side limiter or abort
 * handling must get right *at the upstream*, which client-side counters cannot show: a client
 * that frees its slot when its caller aborts, before the socket is closed, overloads the server
 * while its own counters look fine.
 *
 * @example
 * ```ts
 * const gauge = new TrafficGauge();
 * server.on('request', (incoming, response) => gauge.track(incoming, response));
 * await gauge.whenIdle();
 * ```
 */
export class TrafficGauge implements TrafficCounters {
  private active = 0;
  private highWater = 0;
  private clientClosed = 0;
  private total = 0;
  private idleWaiters: Array<() => void> = [];
  private stopping = false;

  get inFlight(): number {
    return this.active;
  }

  get maxInFlight(): number {
    return this.highWater;
  }

  get closedByClient(): number {
    return this.clientClosed;
  }

  get received(): number {
    return this.total;
  }

  /** Starts counting one request; it leaves `inFlight` when its response finishes or its socket closes. */
  track(incoming: IncomingMessage, response: ServerResponse): void {
    this.total++;
    this.active++;
    if (this.active > this.highWater) this.highWater = this.active;
    let done = false;
    const settle = () => {
      if (done) return;
      done = true;
      // `close` without a finished response: the connection went away mid-request.
      if (!response.writableFinished && !this.stopping && !droppedByServer.has(incoming.socket))
        this.clientClosed++;
      this.active--;
      if (this.active === 0) this.wakeIdle();
    };
    // 'close' always follows, finished or not; waiting for it (not 'finish') means a response
    // counts as in flight until the server has really let go of it.
    response.once('close', settle);
  }

  /** Starts a new high-water mark from the current `inFlight`. */
  resetMaxInFlight(): void {
    this.highWater = this.active;
  }

  /** Resolves when no request is in flight (at once if none is). */
  whenIdle(): Promise<void> {
    if (this.active === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** The server is shutting down: connections it destroys now are not the client's doing. */
  stop(): void {
    this.stopping = true;
  }

  private wakeIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }
}
