/**
 * `tradeapi mock quant-ws`: a loopback Quant trading gateway that behaves as the vendor doc and the
 * open-source server do (see specs/asyncapi/quant-ws.yaml, Decisions):
 *
 * - login → reply with a token → state CONNECT_SUCCESS (2) → asset and position snapshots
 *   (notify, before READY, as the adapters push them) → READY (6) after `readyDelayMs`.
 *   Failures come as states after a `result: true` reply, and the login stays held (the next
 *   login of the same access_key@platform is "Do not log in repeat") until logout:
 *   a platform the open-source gateway does not serve (only okex, huobi, huobi_future, ftx)
 *   → PARAM_MISS (1) "platform not found"; an empty key, a missing symbols list or an access key starting
 *   with "fail-param" → PARAM_MISS (1); an access key starting with "bad-key" → GENERAL_ERROR
 *   (7) "Websocket connection authorized failed…" (rejected keys); another access key
 *   starting with "fail" → CONNECT_FAILED (3), RECONNECTING (5), CONNECT_FAILED … forever
 *   (the server retries); one starting with "flaky" → CONNECT_FAILED, RECONNECTING, then
 *   CONNECT_SUCCESS and READY.
 * - Nulls as the server sends them: a flat position has `margin_mode: null, utime: null`;
 *   `symbol_info` has `size_limit`, `value_tick`, `value_limit` null (except huobi_future);
 *   MARKET orders have `price: null`.
 * - `cancel_order` with `order_nos: []` cancels every open order of the symbol and, like the
 *   server, sends no reply (only the CANCELED order notifications), unless `cancelAllReply`.
 * - `halfOpen()`: the sockets stop carrying anything either way without closing (a dead
 *   link); when the client gives up on them, their logins stay held until the idle check
 *   finds them idle for `idleTimeoutMs`, as on the server (which notices nothing else).
 * - place_order / cancel_order / open_orders / asset / position / symbol_info / logout with
 *   "Invalid token" for unknown tokens; orders that cross the mark price fill at once and
 *   push order, fill, position and asset notifications; resting LIMIT orders can be cancelled.
 * - ping → pong with the same ts; a missing field → `{"op":"error","error_message":"'field'"}`
 *   without cid; an unknown op → no answer; a socket idle for `idleTimeoutMs` (15 s) is closed.
 * - Faults for tests and demos: drop sockets, delay or reorder replies, swallow an op's
 *   replies, stop answering pings, push any state (DISCONNECT / RECONNECTING / READY, or a
 *   whole outage), send raw text.
 */
import { WebSocketServer, WebSocket } from "ws";
import type { AddressInfo } from "node:net";
import { quantWsMeta, StateCode } from "../../generated/quant-ws.js";

export interface QuantWsMockOptions {
  port?: number;
  host?: string;
  /** Default: the spec's channel, /ws/v1. */
  path?: string;
  /** Login reply → READY (default 200 ms); CONNECT_SUCCESS comes halfway. */
  readyDelayMs?: number;
  /** Close sockets that sent nothing usable for this long (default 15 000, as the server). */
  idleTimeoutMs?: number;
  /**
   * How often idleness is checked: default 16 000 ms with the default idle timeout (as the
   * server: a dead socket, and the logins on it, can linger up to ~31 s), otherwise
   * min(1 000, idleTimeoutMs / 3).
   */
  idleCheckMs?: number;
  /** Delay every reply (default 0). */
  replyDelayMs?: number;
  /** Hold replies and send them in reverse order, this many at a time (0 = off). */
  reorderWindow?: number;
  /** Answer pings (default true). */
  answerPings?: boolean;
  /** Mark price per symbol (default 100 for unknown symbols). */
  marks?: Record<string, number>;
  /** Reply to a cancel-all (`order_nos: []`) as a fixed gateway would (default false: no reply, as the server). */
  cancelAllReply?: boolean;
  log?: (line: string) => void;
  /** Largest frame accepted (bytes; default 1 MiB): a larger one closes the socket with 1009. */
  maxFrameBytes?: number;
}

export interface ReceivedFrame {
  socket: number;
  /** Parsed frame, or the raw text when it was not JSON. */
  frame: Record<string, unknown> | string;
}

interface MockOrder {
  symbol: string;
  order_no: string;
  action: "BUY" | "SELL";
  /** null for MARKET orders, as the server sends them. */
  price: number | null;
  quantity: number;
  remain: number;
  status: "NONE" | "SUBMITTED" | "PARTIAL-FILLED" | "FILLED" | "CANCELED" | "FAILED";
  order_type: "LIMIT" | "MARKET" | "IOC";
  ctime: number;
  utime: number;
}

interface Balance {
  free: number;
  locked: number;
  total: number;
}

interface Login {
  token: string;
  key: string;
  socket: Conn;
  platform: string;
  symbols: string[];
  linkUp: boolean;
  orders: Map<string, MockOrder>;
  balances: Record<string, Balance>;
  positions: Map<string, { long: number; short: number; longPrice: number; shortPrice: number; utime: number | null }>;
}

interface Conn {
  id: number;
  ws: WebSocket;
  lastActive: number;
  held: string[];
  flushTimer: ReturnType<typeof setTimeout> | undefined;
  /** halfOpen(): nothing is read or written any more, and closing it does not end its logins. */
  dead: boolean;
}

export interface QuantWsMock {
  readonly url: string;
  readonly port: number;
  /** Frames received, oldest first (the last 10 000, and at most 16 MiB of frame text). */
  readonly received: readonly ReceivedFrame[];
  /** Sockets open now. */
  readonly openSockets: number;
  /** Sockets accepted since start. */
  readonly acceptedSockets: number;
  /** Tokens logged in now. */
  tokens(): string[];
  /** Resolves when a frame matching `test` arrives (or has arrived since `since`). */
  waitForFrame(test: (f: ReceivedFrame) => boolean, timeoutMs?: number): Promise<ReceivedFrame>;
  /** Resolves once `n` sockets have been accepted in all. */
  waitForSockets(n: number, timeoutMs?: number): Promise<void>;
  dropSockets(): void;
  setReplyDelay(ms: number): void;
  setReorderWindow(n: number): void;
  setAnswerPings(on: boolean): void;
  /** Never reply to `op` (its requests time out) until called with false; "notify:<topic>" drops those notifications. */
  silence(op: string, on?: boolean): void;
  /** Push a state to one token or to every logged-in token. */
  sendState(code: number, msg?: string, token?: string): void;
  /** DISCONNECT now, RECONNECTING at half, READY after `downMs` (requests fail meanwhile). */
  outage(downMs: number, token?: string): void;
  /** Send text as is to every open socket. */
  sendRaw(text: string): void;
  /** Forget a login as a restarted server would: its token becomes "Invalid token". */
  forgetToken(token: string): void;
  /**
   * Make every open socket half-open: frames are neither read nor written, the socket is not
   * closed, and when it does close its logins stay held until the idle check (idle longer
   * than `idleTimeoutMs`) releases them, as the server does.
   */
  halfOpen(): void;
  close(): Promise<void>;
}

/** The adapters the open-source gateway serves (the spec's known values). */
const KNOWN_PLATFORMS = new Set<string>(quantWsMeta.operations.login.fields.platform.knownValues);
const DEFAULT_MARKS: Record<string, number> = { "BTC/USDT": 60_000, "ETH/USDT": 2_000, "EOS/USDT": 1 };
const REPLY_OPS = new Set(Object.keys(quantWsMeta.operations));

/** Python's KeyError text, as the server answers a missing field. */
class MissingField extends Error {}
function field<T>(f: Record<string, unknown>, name: string): T {
  if (!(name in f)) throw new MissingField(`'${name}'`);
  return f[name] as T;
}

export async function startQuantWsMock(opts: QuantWsMockOptions = {}): Promise<QuantWsMock> {
  const path = opts.path ?? quantWsMeta.channel;
  const readyDelayMs = opts.readyDelayMs ?? 200;
  const idleTimeoutMs = opts.idleTimeoutMs ?? 15_000;
  const idleCheckMs = opts.idleCheckMs ?? (opts.idleTimeoutMs === undefined ? 16_000 : Math.max(10, Math.min(1_000, Math.floor(idleTimeoutMs / 3))));
  const marks = { ...DEFAULT_MARKS, ...opts.marks };
  const log = opts.log ?? (() => undefined);
  let replyDelayMs = opts.replyDelayMs ?? 0;
  let reorderWindow = opts.reorderWindow ?? 0;
  let answerPings = opts.answerPings ?? true;
  const silenced = new Set<string>();

  const timers = new Set<ReturnType<typeof setTimeout>>();
  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const conns = new Set<Conn>();
  /** Half-open sockets the client closed: their logins live until the idle check. */
  const zombies = new Set<Conn>();
  const cancelAllReply = opts.cancelAllReply ?? false;
  const logins = new Map<string, Login>();
  const byKey = new Map<string, Login>();
  const received: ReceivedFrame[] = [];
  const receivedBytes: number[] = [];
  let keptBytes = 0;
  const frameWatchers = new Set<(f: ReceivedFrame) => void>();
  let accepted = 0;
  const acceptWatchers = new Set<() => void>();
  let orderSeq = 2510832677225473n;
  let fillSeq = 9302836;
  let tokenSeq = 0;

  const wss = new WebSocketServer({ host: opts.host ?? "127.0.0.1", port: opts.port ?? 0, path, maxPayload: opts.maxFrameBytes ?? 1024 * 1024 });
  await new Promise<void>((resolve, reject) => {
    wss.once("listening", resolve);
    wss.once("error", reject);
  });
  const port = (wss.address() as AddressInfo).port;
  const url = `ws://${opts.host ?? "127.0.0.1"}:${port}${path}`;

  const write = (c: Conn, text: string) => {
    if (!c.dead && c.ws.readyState === WebSocket.OPEN) c.ws.send(text);
  };
  const push = (login: Login, frame: object) => write(login.socket, JSON.stringify(frame));

  const flushHeld = (c: Conn) => {
    if (c.flushTimer) {
      clearTimeout(c.flushTimer);
      timers.delete(c.flushTimer);
      c.flushTimer = undefined;
    }
    const held = c.held.reverse();
    c.held = [];
    for (const t of held) write(c, t);
  };
  const reply = (c: Conn, frame: Record<string, unknown>) => {
    if (silenced.has(String(frame.op))) return;
    const text = JSON.stringify(frame);
    const out = () => {
      if (reorderWindow > 1) {
        c.held.push(text);
        if (c.held.length >= reorderWindow) flushHeld(c);
        else if (!c.flushTimer) {
          c.flushTimer = setTimeout(() => flushHeld(c), 50);
          timers.add(c.flushTimer);
        }
      } else write(c, text);
    };
    if (replyDelayMs > 0) later(replyDelayMs, out);
    else out();
  };

  const state = (login: Login, code: number, msg: string) => push(login, { op: "state", token: login.token, code, msg });
  const notify = (login: Login, topic: string, data: unknown) => {
    if (!silenced.has(`notify:${topic}`)) push(login, { op: "notify", topic, token: login.token, data });
  };

  const split = (symbol: string) => {
    const [base = symbol, quote = "USDT"] = symbol.split("/");
    return { base, quote };
  };
  const balance = (login: Login, ccy: string): Balance => (login.balances[ccy] ??= { free: 0, locked: 0, total: 0 });
  const positionOf = (login: Login, symbol: string) => {
    let p = login.positions.get(symbol);
    if (!p) login.positions.set(symbol, (p = { long: 0, short: 0, longPrice: 0, shortPrice: 0, utime: null }));
    return p;
  };
  const positionView = (login: Login, symbol: string, withSymbol: boolean) => {
    const p = positionOf(login, symbol);
    const flat = p.long === 0 && p.short === 0;
    return {
      ...(withSymbol ? { symbol } : {}),
      // The server sends nulls for a flat position.
      margin_mode: flat ? null : "crossed",
      long_quantity: p.long,
      long_avail_qty: p.long,
      long_open_price: p.longPrice,
      long_hold_price: p.longPrice,
      long_liquid_price: 0,
      long_unrealised_pnl: 0,
      long_leverage: p.long ? 1 : 0,
      long_margin: p.long * p.longPrice,
      short_quantity: p.short,
      short_avail_qty: p.short,
      short_open_price: p.shortPrice,
      short_hold_price: p.shortPrice,
      short_liquid_price: 0,
      short_unrealised_pnl: 0,
      short_leverage: p.short ? 1 : 0,
      short_margin: p.short * p.shortPrice,
      utime: flat ? null : p.utime,
    };
  };
  const orderView = (o: MockOrder, withSymbol: boolean) => {
    const { symbol, ...rest } = o;
    return withSymbol ? { symbol, ...rest } : rest;
  };
  const assetView = (login: Login) => Object.fromEntries(Object.entries(login.balances).map(([k, b]) => [k, { ...b }]));

  const fill = (login: Login, o: MockOrder, price: number) => {
    const { base, quote } = split(o.symbol);
    const qty = o.remain;
    const cost = qty * price;
    const q = balance(login, quote);
    const b = balance(login, base);
    const now = Date.now();
    if (o.action === "BUY") {
      q.total -= cost;
      q.free = q.total - q.locked;
      b.total += qty;
      b.free = b.total - b.locked;
    } else {
      q.total += cost;
      q.free = q.total - q.locked;
      b.total -= qty;
      b.free = b.total - b.locked;
    }
    const p = positionOf(login, o.symbol);
    if (o.action === "BUY") {
      p.longPrice = p.long + qty ? (p.long * p.longPrice + qty * price) / (p.long + qty) : 0;
      p.long += qty;
    } else {
      p.shortPrice = p.short + qty ? (p.short * p.shortPrice + qty * price) / (p.short + qty) : 0;
      p.short += qty;
    }
    p.utime = now;
    o.remain = 0;
    o.status = "FILLED";
    o.utime = now;
    const fillNo = String(++fillSeq);
    // Orders fill only on arrival here (no matching engine), so every fill takes liquidity.
    notify(login, "fill", { symbol: o.symbol, order_no: o.order_no, fill_no: fillNo, price, quantity: qty, side: o.action, liquidity: "TAKER", ctime: now });
    notify(login, "order", orderView(o, true));
    notify(login, "position", positionView(login, o.symbol, true));
    notify(login, "asset", assetView(login));
  };

  const handlers: Record<string, (c: Conn, f: Record<string, unknown>, cid: string) => void> = {
    login(c, f, cid) {
      const platform = field<string>(f, "platform");
      const symbols = field<string[]>(f, "symbols");
      const accessKey = field<string>(f, "access_key");
      const secretKey = field<string>(f, "secret_key");
      const key = `${accessKey}@${platform}`;
      if (byKey.has(key)) {
        reply(c, { op: "login", cid, result: false, error_message: "Do not log in repeat", token: "" });
        return;
      }
      const token = `${(++tokenSeq).toString(36)}${Math.random().toString(36).slice(2, 12)}`;
      const login: Login = {
        token,
        key,
        socket: c,
        platform,
        symbols: Array.isArray(symbols) ? symbols.map(String) : [],
        linkUp: false,
        orders: new Map(),
        balances: { USDT: { free: 100_000, locked: 0, total: 100_000 } },
        positions: new Map(),
      };
      for (const s of login.symbols) {
        const { base } = split(s);
        login.balances[base] ??= { free: 10, locked: 0, total: 10 };
      }
      logins.set(token, login);
      byKey.set(key, login);
      log(`quant-ws mock: socket ${c.id} login ${platform} [${login.symbols.join(",")}] → token ${token.slice(0, 4)}…`);
      reply(c, { op: "login", cid, result: true, error_message: "", token });
      // Every failure below comes after a result-true reply; the login stays held until logout.
      const half = Math.floor(readyDelayMs / 2);
      const live = () => logins.get(token) === login;
      const goReady = (at: number) => {
        later(at, () => {
          if (!live()) return;
          state(login, StateCode.CONNECT_SUCCESS, "connected");
          // The adapters push their snapshots as soon as they have them, before READY.
          notify(login, "asset", assetView(login));
          for (const s of login.symbols) notify(login, "position", positionView(login, s, true));
          for (const o of login.orders.values()) notify(login, "order", orderView(o, true));
        });
        later(at + (readyDelayMs - half), () => {
          if (!live()) return;
          login.linkUp = true;
          state(login, StateCode.READY, "ready");
        });
      };
      if (!KNOWN_PLATFORMS.has(platform)) {
        later(half, () => live() && state(login, StateCode.PARAM_MISS, "platform not found"));
        return;
      }
      // An empty symbols list is taken (account-level requests such as asset trade no symbol);
      // a missing one is not.
      if (!accessKey || !secretKey || !Array.isArray(symbols) || accessKey.startsWith("fail-param")) {
        later(half, () => live() && state(login, StateCode.PARAM_MISS, "missing access_key, secret_key or symbols"));
        return;
      }
      if (accessKey.startsWith("bad-key")) {
        later(half, () => live() && state(login, StateCode.GENERAL_ERROR, "Websocket connection authorized failed: invalid access key or signature"));
        return;
      }
      if (accessKey.startsWith("flaky")) {
        later(half, () => live() && state(login, StateCode.CONNECT_FAILED, "connect to the exchange failed"));
        later(half * 2, () => live() && state(login, StateCode.RECONNECTING, "reconnecting to the exchange"));
        goReady(half * 3);
        return;
      }
      if (accessKey.startsWith("fail")) {
        // The server never gives up: CONNECT_FAILED, RECONNECTING, CONNECT_FAILED, ...
        const retry = (n: number) =>
          later(half, () => {
            if (!live()) return;
            state(login, n % 2 ? StateCode.CONNECT_FAILED : StateCode.RECONNECTING, n % 2 ? "connect to the exchange failed" : "reconnecting to the exchange");
            retry(n + 1);
          });
        retry(1);
        return;
      }
      goReady(half);
    },
    place_order(c, f, cid) {
      const login = withLogin(c, f, cid);
      if (!login) return;
      const symbol = field<string>(f, "symbol");
      const action = field<string>(f, "action");
      const price = Number(field(f, "price"));
      const quantity = Math.abs(Number(field(f, "quantity")));
      const orderType = field<string>(f, "order_type");
      const fail = (msg: string) => reply(c, { op: "place_order", cid, result: false, error_message: msg });
      if (action !== "BUY" && action !== "SELL") return fail(`Invalid action ${action}`);
      if (orderType !== "LIMIT" && orderType !== "MARKET" && orderType !== "IOC") return fail(`Invalid order_type ${orderType}`);
      if (!(quantity > 0) || !Number.isFinite(price) || price < 0) return fail("Invalid price or quantity");
      const mark = marks[symbol] ?? 100;
      const { base, quote } = split(symbol);
      const execPrice = orderType === "MARKET" ? mark : price;
      if (action === "BUY" && balance(login, quote).free < execPrice * quantity) return fail("Insufficient balance");
      if (action === "SELL" && balance(login, base).free < quantity && !login.platform.includes("future") && !login.platform.includes("swap")) {
        return fail("Insufficient balance");
      }
      const now = Date.now();
      // The server reports MARKET orders with price null.
      const o: MockOrder = { symbol, order_no: String(++orderSeq), action, price: orderType === "MARKET" ? null : price, quantity, remain: quantity, status: "SUBMITTED", order_type: orderType, ctime: now, utime: now };
      login.orders.set(o.order_no, o);
      reply(c, { op: "place_order", cid, result: true, error_message: "", order_no: o.order_no });
      notify(login, "order", orderView(o, true));
      const crosses = orderType === "MARKET" || (action === "BUY" ? price >= mark : price <= mark);
      if (crosses) fill(login, o, orderType === "MARKET" ? mark : price);
      else if (orderType === "IOC") {
        o.status = "CANCELED";
        o.utime = Date.now();
        notify(login, "order", orderView(o, true));
      } else {
        if (action === "BUY") {
          const q = balance(login, quote);
          q.locked += price * quantity;
          q.free = q.total - q.locked;
        } else {
          const b = balance(login, base);
          b.locked += quantity;
          b.free = b.total - b.locked;
        }
        notify(login, "asset", assetView(login));
      }
    },
    cancel_order(c, f, cid) {
      const login = withLogin(c, f, cid);
      if (!login) return;
      const symbol = field<string>(f, "symbol");
      const orderNos = field<unknown[]>(f, "order_nos");
      // An empty list cancels every open order of the symbol; the server then sends no reply
      // (the adapters return True instead of a list and the reply fails to build).
      const all = Array.isArray(orderNos) && orderNos.length === 0;
      const targets = all
        ? [...login.orders.values()].filter((o) => o.symbol === symbol && (o.status === "SUBMITTED" || o.status === "PARTIAL-FILLED")).map((o) => o.order_no)
        : Array.isArray(orderNos) ? orderNos : [];
      const data = targets.map((no) => {
        const o = login.orders.get(String(no));
        if (!o || o.symbol !== symbol) return { result: false, error_message: "Order not found", order_no: String(no) };
        if (o.status !== "SUBMITTED" && o.status !== "PARTIAL-FILLED") return { result: false, error_message: `Order is ${o.status}`, order_no: o.order_no };
        const { base, quote } = split(o.symbol);
        if (o.action === "BUY") {
          const q = balance(login, quote);
          q.locked -= (o.price ?? 0) * o.remain;
          q.free = q.total - q.locked;
        } else {
          const b = balance(login, base);
          b.locked -= o.remain;
          b.free = b.total - b.locked;
        }
        o.status = "CANCELED";
        o.utime = Date.now();
        return { result: true, error_message: "", order_no: o.order_no };
      });
      if (!all || cancelAllReply) reply(c, { op: "cancel_order", cid, result: true, error_message: "", data });
      for (const item of data) if (item.result) notify(login, "order", orderView(login.orders.get(item.order_no)!, true));
      if (data.some((d) => d.result)) notify(login, "asset", assetView(login));
    },
    open_orders(c, f, cid) {
      const login = withLogin(c, f, cid);
      if (!login) return;
      const symbol = field<string>(f, "symbol");
      const data = [...login.orders.values()].filter((o) => o.symbol === symbol && (o.status === "SUBMITTED" || o.status === "PARTIAL-FILLED")).map((o) => orderView(o, false));
      reply(c, { op: "open_orders", cid, result: true, error_message: "", data });
    },
    asset(c, f, cid) {
      const login = withLogin(c, f, cid);
      if (login) reply(c, { op: "asset", cid, result: true, error_message: "", data: assetView(login) });
    },
    position(c, f, cid) {
      const login = withLogin(c, f, cid);
      if (login) reply(c, { op: "position", cid, result: true, error_message: "", data: positionView(login, field<string>(f, "symbol"), false) });
    },
    symbol_info(c, f, cid) {
      const login = withLogin(c, f, cid);
      if (!login) return;
      const symbol = field<string>(f, "symbol");
      const { base, quote } = split(symbol);
      reply(c, {
        op: "symbol_info",
        cid,
        result: true,
        error_message: "",
        // Spot adapters have no size/value rules: the server sends null for them.
        data:
          login.platform === "huobi_future"
            ? { price_tick: 0.01, size_tick: 1, size_limit: 1, value_tick: 1, value_limit: 10, base_currency: base, quote_currency: quote, settlement_currency: quote }
            : { price_tick: 0.01, size_tick: 0.0001, size_limit: null, value_tick: null, value_limit: null, base_currency: base, quote_currency: quote, settlement_currency: quote },
      });
    },
    logout(c, f, cid) {
      const token = field<string>(f, "token");
      const login = logins.get(token);
      if (!login || login.socket !== c) {
        reply(c, { op: "logout", cid, result: false, error_message: "Invalid token" });
        return;
      }
      forget(login);
      log(`quant-ws mock: socket ${c.id} logout token ${token.slice(0, 4)}…`);
      reply(c, { op: "logout", cid, result: true, error_message: "" });
    },
  };

  /** The login a request's token names, or an "Invalid token" / not-ready reply. */
  function withLogin(c: Conn, f: Record<string, unknown>, cid: string): Login | undefined {
    const op = String(f.op);
    const token = field<string>(f, "token");
    const login = logins.get(token);
    if (!login || login.socket !== c) {
      reply(c, { op, cid, result: false, error_message: "Invalid token" });
      return undefined;
    }
    if (!login.linkUp) {
      reply(c, { op, cid, result: false, error_message: "Trading interface not ready" });
      return undefined;
    }
    return login;
  }

  function forget(login: Login): void {
    if (logins.get(login.token) === login) logins.delete(login.token);
    if (byKey.get(login.key) === login) byKey.delete(login.key);
  }

  const record = (c: Conn, frame: Record<string, unknown> | string, bytes: number) => {
    const r: ReceivedFrame = { socket: c.id, frame };
    received.push(r);
    receivedBytes.push(bytes);
    keptBytes += bytes;
    while (received.length > 10_000 || (keptBytes > 16 * 1024 * 1024 && received.length > 1)) {
      received.shift();
      keptBytes -= receivedBytes.shift()!;
    }
    for (const w of [...frameWatchers]) w(r);
  };

  function onFrame(c: Conn, text: string): void {
    if (c.dead) return;
    let f: Record<string, unknown>;
    try {
      const v = JSON.parse(text) as unknown;
      if (v === null || typeof v !== "object" || Array.isArray(v)) throw new SyntaxError("frame is not a JSON object");
      f = v as Record<string, unknown>;
    } catch (e) {
      record(c, text, text.length);
      write(c, JSON.stringify({ op: "error", error_message: (e as Error).message }));
      return;
    }
    record(c, f, text.length);
    const op = f.op;
    try {
      if (op === "ping") {
        const ts = field<number>(f, "ts");
        if (answerPings) write(c, JSON.stringify({ op: "pong", ts }));
      } else if (typeof op === "string" && REPLY_OPS.has(op) && handlers[op]) {
        const cid = typeof f.cid === "string" ? f.cid : "";
        handlers[op]!(c, f, cid);
      } else {
        // Unknown op: the server ignores it (no reply), and it does not count as activity.
        return;
      }
      c.lastActive = Date.now();
    } catch (e) {
      write(c, JSON.stringify({ op: "error", error_message: e instanceof MissingField ? e.message : String((e as Error).message) }));
    }
  }

  let connSeq = 0;
  wss.on("connection", (ws) => {
    const c: Conn = { id: ++connSeq, ws, lastActive: Date.now(), held: [], flushTimer: undefined, dead: false };
    conns.add(c);
    accepted++;
    for (const w of [...acceptWatchers]) w();
    log(`quant-ws mock: socket ${c.id} connected`);
    ws.on("message", (data, isBinary) => {
      if (isBinary) return;
      onFrame(c, data.toString());
    });
    ws.on("close", () => {
      conns.delete(c);
      if (c.flushTimer) {
        clearTimeout(c.flushTimer);
        timers.delete(c.flushTimer);
      }
      if (c.dead && Date.now() - c.lastActive <= idleTimeoutMs && [...logins.values()].some((l) => l.socket === c)) {
        // The server never saw this socket close: its logins stay until the idle check.
        zombies.add(c);
        log(`quant-ws mock: socket ${c.id} closed by the client but half-open here: its logins stay until the idle check`);
        return;
      }
      for (const login of [...logins.values()]) if (login.socket === c) forget(login);
      log(`quant-ws mock: socket ${c.id} closed`);
    });
    ws.on("error", () => undefined);
  });

  const idleTimer = setInterval(() => {
    const now = Date.now();
    for (const z of zombies) {
      if (now - z.lastActive <= idleTimeoutMs) continue;
      zombies.delete(z);
      for (const login of [...logins.values()]) if (login.socket === z) forget(login);
      log(`quant-ws mock: socket ${z.id} idle for more than ${idleTimeoutMs} ms: its logins are released`);
    }
    for (const c of conns) {
      if (now - c.lastActive > idleTimeoutMs && c.ws.readyState === WebSocket.OPEN) {
        log(`quant-ws mock: socket ${c.id} idle for more than ${idleTimeoutMs} ms, closing`);
        c.ws.close(1000, "idle timeout");
      }
    }
  }, idleCheckMs);

  const mock: QuantWsMock = {
    url,
    port,
    received,
    get openSockets() {
      return conns.size;
    },
    get acceptedSockets() {
      return accepted;
    },
    tokens: () => [...logins.keys()],
    waitForFrame(test, timeoutMs = 5_000) {
      const hit = received.find(test);
      if (hit) return Promise.resolve(hit);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => {
          frameWatchers.delete(watch);
          reject(new Error(`quant-ws mock: no matching frame within ${timeoutMs} ms`));
        }, timeoutMs);
        const watch = (f: ReceivedFrame) => {
          if (!test(f)) return;
          clearTimeout(t);
          frameWatchers.delete(watch);
          resolve(f);
        };
        frameWatchers.add(watch);
      });
    },
    waitForSockets(n, timeoutMs = 5_000) {
      if (accepted >= n) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => {
          acceptWatchers.delete(watch);
          reject(new Error(`quant-ws mock: ${accepted} of ${n} sockets within ${timeoutMs} ms`));
        }, timeoutMs);
        const watch = () => {
          if (accepted < n) return;
          clearTimeout(t);
          acceptWatchers.delete(watch);
          resolve();
        };
        acceptWatchers.add(watch);
      });
    },
    dropSockets() {
      for (const c of conns) c.ws.terminate();
    },
    setReplyDelay(ms) {
      replyDelayMs = ms;
    },
    setReorderWindow(n) {
      reorderWindow = n;
      if (n <= 1) for (const c of conns) flushHeld(c);
    },
    setAnswerPings(on) {
      answerPings = on;
    },
    silence(op, on = true) {
      if (on) silenced.add(op);
      else silenced.delete(op);
    },
    sendState(code, msg = "", token) {
      for (const login of logins.values()) {
        if (token && login.token !== token) continue;
        if (code === StateCode.READY) login.linkUp = true;
        else if (code >= 1 && code <= 5) login.linkUp = false;
        state(login, code, msg || (quantWsMeta.stateCodes as Record<string, { name: string }>)[String(code)]?.name || "");
      }
    },
    outage(downMs, token) {
      mock.sendState(StateCode.DISCONNECT, "exchange disconnected", token);
      later(Math.floor(downMs / 2), () => mock.sendState(StateCode.RECONNECTING, "reconnecting to the exchange", token));
      later(downMs, () => mock.sendState(StateCode.READY, "ready", token));
    },
    sendRaw(text) {
      for (const c of conns) write(c, text);
    },
    forgetToken(token) {
      const login = logins.get(token);
      if (login) forget(login);
    },
    halfOpen() {
      for (const c of conns) c.dead = true;
    },
    async close() {
      clearInterval(idleTimer);
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const c of conns) c.ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
  return mock;
}
