/**
 * The quant-ws emulator's connection layer: sockets, the logins they hold, replies (with the
 * delay / reorder / silence faults), state and notification pushes, the idle check.
 */
import { WebSocket } from "ws";
import { quantWsMeta, StateCode } from "../../../generated/quant-ws.js";
import type { Login } from "./account.js";
import { FrameLog } from "./frames.js";
import { takeLostAnswer } from "../options.js";

export interface Conn {
  id: number;
  ws: WebSocket;
  lastActive: number;
  held: string[];
  flushTimer: ReturnType<typeof setTimeout> | undefined;
  /** halfOpen(): nothing is read or written any more, and closing it does not end its logins. */
  dead: boolean;
  /** Bytes of a test's sendRaw that may still be buffered (not counted against MAX_BUFFERED_BYTES). */
  rawBuffered: number;
  /** The emulator's own frames given to the socket and not yet written out (MAX_UNSENT_FRAMES). */
  unsent: number;
}

export interface GatewaySettings {
  readyDelayMs: number;
  idleTimeoutMs: number;
  replyDelayMs: number;
  reorderWindow: number;
  answerPings: boolean;
  cancelAllReply: boolean;
  /** Mark price per symbol (a Map: symbols come from request text). */
  marks: Map<string, number>;
  knownPlatforms: ReadonlySet<string>;
  log: (line: string) => void;
}

/** Most bytes waiting to be sent on one socket before it is closed (a client that stopped reading). */
export const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;
/**
 * Most frames of its own the emulator queues for a socket that is not read: each costs a few
 * hundred bytes of Node's beyond its text (a client that sent pings and read no pong held about
 * 230 MB before its 16 MiB of pongs were counted).
 */
export const MAX_UNSENT_FRAMES = 20_000;

/** Python's KeyError text, as the server answers a missing field. */
export class MissingField extends Error {}
export function field<T>(f: Record<string, unknown>, name: string): T {
  if (!(name in f)) throw new MissingField(`'${name}'`);
  return f[name] as T;
}

/** The highest order and fill numbers any gateway of this process has given. */
let lastOrderNo = 0n;
let lastFillNo = 0n;

/**
 * The number after `last`, or the clock in microseconds since 1970 when that is later: 16 digits
 * as the vendor's example order number (2510832677225473) until the year 2286. One count for
 * every gateway of the process (two emulators side by side gave the same numbers), and a new
 * process starts from the clock: a fixed start gave a restarted emulator the numbers of the
 * orders before the restart (a service reconciling after a reconnect took a new order for an
 * old one).
 */
const nextNumber = (last: bigint): bigint => {
  const clock = BigInt(Date.now()) * 1000n;
  return (clock > last ? clock : last) + 1n;
};

export class Gateway {
  readonly conns = new Set<Conn>();
  /** Half-open sockets the client closed: their logins live until the idle check. */
  readonly zombies = new Set<Conn>();
  readonly logins = new Map<string, Login>();
  readonly byKey = new Map<string, Login>();
  /**
   * Each account's orders, balances and positions, by access_key@platform as the server keys
   * them: a login after a drop finds its resting orders (they were per login: gone, and the
   * balances back to the start). At most MAX_LOGINS accounts, the oldest forgotten first.
   */
  readonly accounts = new Map<string, Pick<Login, "orders" | "balances" | "positions">>();
  readonly frames = new FrameLog();
  readonly silenced = new Set<string>();
  /** op → replies still to lose (loseAnswers): the request is handled, its reply not sent. */
  readonly losing = new Map<string, number>();
  accepted = 0;
  tokenSeq = 0;
  /**
   * Until when (performance.now()) the exchange is down for the whole gateway (`outage()`
   * without a token): a login meanwhile gets CONNECT_FAILED / RECONNECTING until then, and
   * READY after it, as an adapter that must reconnect to the exchange first.
   */
  exchangeDownUntil = 0;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private readonly acceptWatchers = new Set<() => void>();

  constructor(readonly settings: GatewaySettings) {}

  /** A new order number: one count for every gateway of this process, started from the clock (new across restarts). */
  nextOrderNo(): string {
    lastOrderNo = nextNumber(lastOrderNo);
    return String(lastOrderNo);
  }

  /** A new fill number, unique as order numbers are (the vendor's example, 9302836, is one of 7 digits; these have 16). */
  nextFillNo(): string {
    lastFillNo = nextNumber(lastFillNo);
    return String(lastFillNo);
  }

  get log(): (line: string) => void {
    return this.settings.log;
  }

  /** The exchange is down now (a gateway-wide `outage()` runs). */
  exchangeDown(): boolean {
    return performance.now() < this.exchangeDownUntil;
  }

  later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }
  clearTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  /**
   * Send `text`. A socket whose client has stopped reading (more than MAX_BUFFERED_BYTES
   * waiting to be sent) is closed then, as servers do, instead of buffering without bound:
   * replies and pushes alike (states and snapshots are pushes too, and logins on one socket
   * that stopped reading made the emulator buffer hundreds of MB of them). `unlimited`: a
   * test's sendRaw, which may flood a client on purpose.
   */
  write(c: Conn, text: string, unlimited = false): void {
    if (c.dead || c.ws.readyState !== WebSocket.OPEN) return;
    // What sendRaw buffered does not count against the emulator's own frames either; of it,
    // at most what is still buffered is left.
    c.rawBuffered = Math.min(c.rawBuffered, c.ws.bufferedAmount);
    if (unlimited) c.rawBuffered += text.length;
    else if (c.ws.bufferedAmount - c.rawBuffered + text.length > MAX_BUFFERED_BYTES || c.unsent >= MAX_UNSENT_FRAMES) {
      this.log(`quant-ws mock: socket ${c.id} has more than ${c.unsent >= MAX_UNSENT_FRAMES ? `${MAX_UNSENT_FRAMES} frames` : `${MAX_BUFFERED_BYTES} bytes`} unread, closing`);
      c.ws.terminate();
      return;
    }
    if (unlimited) return void c.ws.send(text);
    c.unsent++;
    c.ws.send(text, () => c.unsent--);
  }
  push(login: Login, frame: object): void {
    this.write(login.socket, JSON.stringify(frame));
  }

  flushHeld(c: Conn): void {
    if (c.flushTimer) {
      clearTimeout(c.flushTimer);
      this.timers.delete(c.flushTimer);
      c.flushTimer = undefined;
    }
    const held = c.held.reverse();
    c.held = [];
    for (const t of held) this.write(c, t);
  }
  /** A reply to a request, through the delay / reorder / silence faults. */
  reply(c: Conn, frame: Record<string, unknown>): void {
    const op = String(frame.op);
    if (this.silenced.has(op) || takeLostAnswer(this.losing, op)) return;
    const text = JSON.stringify(frame);
    const out = () => {
      if (this.settings.reorderWindow > 1) {
        c.held.push(text);
        if (c.held.length >= this.settings.reorderWindow) this.flushHeld(c);
        else if (!c.flushTimer) {
          c.flushTimer = setTimeout(() => this.flushHeld(c), 50);
          this.timers.add(c.flushTimer);
        }
      } else this.write(c, text);
    };
    if (this.settings.replyDelayMs > 0) this.later(this.settings.replyDelayMs, out);
    else out();
  }

  state(login: Login, code: number, msg: string): void {
    this.push(login, { op: "state", token: login.token, code, msg });
  }
  readonly notify = (login: Login, topic: string, data: unknown): void => {
    if (!this.silenced.has(`notify:${topic}`)) this.push(login, { op: "notify", topic, token: login.token, data });
  };
  /** Push a state to one token or to every logged-in token (the link follows it). */
  sendState(code: number, msg = "", token?: string): void {
    for (const login of this.logins.values()) {
      if (token && login.token !== token) continue;
      if (code === StateCode.READY) login.linkUp = true;
      else if (code >= 1 && code <= 5) login.linkUp = false;
      this.state(login, code, msg || (quantWsMeta.stateCodes as Record<string, { name: string }>)[String(code)]?.name || "");
    }
  }

  /** The login a request's token names, or an "Invalid token" / not-ready reply. */
  withLogin(c: Conn, f: Record<string, unknown>, cid: string): Login | undefined {
    const op = String(f.op);
    const token = field<string>(f, "token");
    const login = this.logins.get(token);
    if (!login || login.socket !== c) {
      this.reply(c, { op, cid, result: false, error_message: "Invalid token" });
      return undefined;
    }
    if (!login.linkUp) {
      this.reply(c, { op, cid, result: false, error_message: "Trading interface not ready" });
      return undefined;
    }
    return login;
  }
  forget(login: Login): void {
    if (this.logins.get(login.token) === login) this.logins.delete(login.token);
    if (this.byKey.get(login.key) === login) this.byKey.delete(login.key);
  }

  /** A new socket: counted, and its frames go to `onFrame`. */
  accept(ws: WebSocket, id: number, onFrame: (c: Conn, text: string) => void): void {
    const c: Conn = { id, ws, lastActive: Date.now(), held: [], flushTimer: undefined, dead: false, rawBuffered: 0, unsent: 0 };
    this.conns.add(c);
    this.accepted++;
    for (const w of [...this.acceptWatchers]) w();
    this.log(`quant-ws mock: socket ${c.id} connected`);
    ws.on("message", (data, isBinary) => {
      if (isBinary) return;
      onFrame(c, data.toString());
    });
    ws.on("close", () => this.closed(c));
    ws.on("error", () => undefined);
  }
  private closed(c: Conn): void {
    this.conns.delete(c);
    if (c.flushTimer) {
      clearTimeout(c.flushTimer);
      this.timers.delete(c.flushTimer);
    }
    if (c.dead && Date.now() - c.lastActive <= this.settings.idleTimeoutMs && [...this.logins.values()].some((l) => l.socket === c)) {
      // The server never saw this socket close: its logins stay until the idle check.
      this.zombies.add(c);
      this.log(`quant-ws mock: socket ${c.id} closed by the client but half-open here: its logins stay until the idle check`);
      return;
    }
    for (const login of [...this.logins.values()]) if (login.socket === c) this.forget(login);
    this.log(`quant-ws mock: socket ${c.id} closed`);
  }
  /** Resolves once `n` sockets have been accepted in all. */
  waitForSockets(n: number, timeoutMs: number): Promise<void> {
    if (this.accepted >= n) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.acceptWatchers.delete(watch);
        reject(new Error(`quant-ws mock: ${this.accepted} of ${n} sockets within ${timeoutMs} ms`));
      }, timeoutMs);
      const watch = () => {
        if (this.accepted < n) return;
        clearTimeout(t);
        this.acceptWatchers.delete(watch);
        resolve();
      };
      this.acceptWatchers.add(watch);
    });
  }

  /** Release the logins of half-open sockets idle too long; close idle open sockets. */
  idleCheck(): void {
    const now = Date.now();
    const { idleTimeoutMs } = this.settings;
    for (const z of this.zombies) {
      if (now - z.lastActive <= idleTimeoutMs) continue;
      this.zombies.delete(z);
      for (const login of [...this.logins.values()]) if (login.socket === z) this.forget(login);
      this.log(`quant-ws mock: socket ${z.id} idle for more than ${idleTimeoutMs} ms: its logins are released`);
    }
    for (const c of this.conns) {
      if (now - c.lastActive > idleTimeoutMs && c.ws.readyState === WebSocket.OPEN) {
        this.log(`quant-ws mock: socket ${c.id} idle for more than ${idleTimeoutMs} ms, closing`);
        c.ws.close(1000, "idle timeout");
      }
    }
  }
}
