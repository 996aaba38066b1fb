/**
 * The heartbeat: `ping` with `ts` every `intervalMs`; `maxMissed` beats in a row that find the
 * last ping without its pong and no frame come since the beat before declare the socket dead.
 * A beat that finds frames come meanwhile is no miss: the pong may wait behind them (a burst of
 * notifications the application reads slower than they come). A gateway that still writes but
 * no longer reads is found by `maxPongWaitMs`: no pong for that long, whatever else comes.
 * `ping()` measures one round trip on demand.
 */
import WebSocket from "ws";
import { ConnectionError, TimeoutError } from "../core/errors.js";
import { API, ConnectionDroppedError } from "./errors.js";

export interface HeartbeatHost {
  /** Is `ws` still the client's socket? */
  isCurrent(ws: WebSocket): boolean;
  /** `ws` missed too many pongs: close it as dead, with this reason. */
  dead(ws: WebSocket, reason: string): void;
  /** A pong arrived. */
  pong(ts: number, rttMs: number): void;
}

interface PingWaiter {
  resolve(rtt: number): void;
  reject(e: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

export class Heartbeat {
  #timer: ReturnType<typeof setInterval> | undefined;
  #awaitingPong: number | undefined;
  #lastPingTs = 0;
  #missedPongs = 0;
  /** Frames (other than pongs of no ping of ours) read since the last beat. */
  #framesSinceBeat = false;
  /** When the first ping sent since the last pong of ours went out (performance.now()); undefined while none waits. */
  #unansweredSince: number | undefined;
  readonly #waiters = new Map<number, PingWaiter>();
  /** When each ping still without its pong was sent (`performance.now()`), by ts; the last 64. */
  readonly #sentAt = new Map<number, number>();

  constructor(
    readonly intervalMs: number,
    readonly maxMissed: number,
    readonly host: HeartbeatHost,
    /** No pong of ours for this long declares the socket dead even while other frames come. */
    readonly maxPongWaitMs: number = 60_000,
  ) {}

  start(ws: WebSocket): void {
    // One interval, of the socket now in use.
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#missedPongs = 0;
    this.#awaitingPong = undefined;
    this.#framesSinceBeat = false;
    this.#unansweredSince = undefined;
    if (this.intervalMs <= 0) return;
    this.#timer = setInterval(() => this.#beat(ws), this.intervalMs);
    this.#timer.unref();
  }

  /** Stop pinging; `ping()` calls still waiting fail (the socket closed). */
  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#awaitingPong = undefined;
    for (const w of this.#waiters.values()) {
      clearTimeout(w.timer);
      w.reject(new ConnectionDroppedError("socket closed before the pong", { api: API, operation: "ping", sent: true }));
    }
    this.#waiters.clear();
    this.#sentAt.clear();
  }

  /** A frame was read (any but a pong of no ping of ours): the socket carries data this way. */
  onFrame(): void {
    this.#framesSinceBeat = true;
  }

  #beat(ws: WebSocket): void {
    if (!this.host.isCurrent(ws) || ws.readyState !== WebSocket.OPEN) return;
    const framesCame = this.#framesSinceBeat;
    this.#framesSinceBeat = false;
    if (this.#awaitingPong !== undefined) {
      // (from the first ping still unanswered, not from the last pong: pongs coming late but
      // coming are a gateway that reads)
      const waitedMs = performance.now() - (this.#unansweredSince ?? performance.now());
      if (framesCame) {
        // Not a miss: the pong may be behind frames not read yet. Unless none came for too long.
        this.#missedPongs = 0;
        if (waitedMs >= this.maxPongWaitMs) {
          this.host.dead(ws, `a ping unanswered for ${Math.round(waitedMs)} ms although other frames kept coming (maxPongWaitMs ${this.maxPongWaitMs}): the gateway no longer reads`);
          return;
        }
      } else if (++this.#missedPongs >= this.maxMissed) {
        this.host.dead(ws, `no pong for ${this.#missedPongs} pings and no other frame meanwhile (heartbeat every ${this.intervalMs} ms)`);
        return;
      }
    }
    this.#send(ws);
  }

  #send(ws: WebSocket): number {
    const ts = Math.max(Date.now(), this.#lastPingTs + 1);
    this.#lastPingTs = ts;
    this.#awaitingPong = ts;
    this.#sentAt.set(ts, performance.now());
    this.#unansweredSince ??= performance.now();
    // The last 64 pings' times are kept, and every one a ping() still waits on (100 of them in
    // flight lost the pongs of the oldest 36: answered, they timed out).
    if (this.#sentAt.size > 64)
      for (const old of this.#sentAt.keys())
        if (old !== ts && !this.#waiters.has(old)) {
          this.#sentAt.delete(old);
          break;
        }
    ws.send(`{"op":"ping","ts":${ts}}`);
    return ts;
  }

  /** One ping on `ws`; resolves to the round trip in ms. */
  ping(ws: WebSocket | undefined, timeoutMs: number): Promise<number> {
    if (!ws || ws.readyState !== WebSocket.OPEN) return Promise.reject(new ConnectionError("not connected", { api: API, operation: "ping" }));
    return new Promise((resolve, reject) => {
      const ts = this.#send(ws);
      const timer = setTimeout(() => {
        this.#waiters.delete(ts);
        // (its send time too: 5,000 timed-out pings kept theirs, and a late pong still matched them)
        this.#sentAt.delete(ts);
        reject(new TimeoutError(`no pong within ${timeoutMs} ms`, { api: API, operation: "ping", timeoutMs }));
      }, timeoutMs);
      this.#waiters.set(ts, {
        resolve: (rtt) => {
          clearTimeout(timer);
          resolve(rtt);
        },
        reject,
        timer,
      });
    });
  }

  /**
   * A pong of a ping this client sent (the last 64, and any a ping() waits on), which the gateway echoes with its ts,
   * proves the socket alive both ways and is measured and reported. A pong of another ts (a
   * gateway's own, or forged) proves nothing of the pings: it neither keeps the socket alive (a
   * gateway that sends its own pongs but no longer reads ours would never be found dead) nor is
   * reported (its ts minus the clock would be any number the server likes).
   */
  onPong(ts: number): void {
    // On the monotonic clock: the wall clock may have been set meanwhile.
    const sentAt = this.#sentAt.get(ts);
    if (sentAt === undefined) return;
    this.#missedPongs = 0;
    this.#framesSinceBeat = true;
    this.#unansweredSince = undefined;
    if (ts === this.#awaitingPong) this.#awaitingPong = undefined;
    this.#sentAt.delete(ts);
    const rttMs = Math.round(performance.now() - sentAt);
    const waiter = this.#waiters.get(ts);
    if (waiter) {
      this.#waiters.delete(ts);
      waiter.resolve(rttMs);
    }
    this.host.pong(ts, rttMs);
  }
}
