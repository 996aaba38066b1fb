/**
 * The Quant gateway in the CLI:
 *
 *   tradeapi list quant-ws                     request messages of the spec
 *   tradeapi mock quant-ws [--port N] [faults]  the loopback gateway (src/mock/quant-ws.ts)
 *   tradeapi call quant-ws <op> [k=v ...]      log in, wait READY, one request, print, log out
 *   tradeapi ws demo                           the whole flow against an in-process emulator
 *   tradeapi ws login | place | send           the same steps against a real gateway
 *
 * `ws` prints one JSON object per line (`step` for what the CLI did, `event` for what the
 * server pushed) and always ends on its own: after the flow, or after --seconds.
 */
import { quantWsMeta, type Platform } from "../../../generated/quant-ws.js";
import { CredentialsError, redactUrl, UsageError } from "../../handwritten/core/errors.js";
import { stringifyJson } from "../../handwritten/core/json.js";
import { createQuantWsClient, type QuantWsClient } from "../../handwritten/quant-ws/client.js";
import type { QuantWsSession, RequestFields, SessionOp } from "../../handwritten/quant-ws/session.js";
import { startQuantWsMock, type QuantWsMock, type QuantWsMockOptions } from "../../mock/quant-ws.js";
import type { CliApi, CliCallFlags, CliIoLike } from "../registry.js";
import { parseArgs } from "../args.js";

const API = "quant-ws";
const DEMO_ACCESS_KEY = "demo-access-key";
const DEMO_SECRET_KEY = "demo-secret-key";

interface FieldMeta {
  type: string;
  required: boolean;
  enum?: readonly (string | number)[];
}
interface OpMeta {
  operationId: string;
  summary: string;
  retryable: boolean;
  dataField: string | null;
  fields: Readonly<Record<string, FieldMeta>>;
}
const OPERATIONS = quantWsMeta.operations as unknown as Readonly<Record<string, OpMeta>>;

function num(flags: Record<string, string>, name: string, fallback: number): number {
  const raw = flags[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`--${name} must be a non-negative number, got ${JSON.stringify(raw)}`, { api: API });
  return n;
}

/** Resolve `place_order` or `placeOrder` to the wire op. */
function opOf(name: string): string {
  if (OPERATIONS[name]) return name;
  const hit = Object.entries(OPERATIONS).find(([, m]) => m.operationId === name);
  if (hit) return hit[0];
  throw new UsageError(`unknown operation ${JSON.stringify(name)} for quant-ws; run \`tradeapi list quant-ws\``, { api: API });
}

/** `name=value` strings → the request's fields, typed by the spec (numbers, lists). */
export function coerceFields(op: string, params: Record<string, unknown>): Record<string, unknown> {
  const fields = OPERATIONS[op]?.fields ?? {};
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(params)) {
    const meta = fields[name];
    if (!meta) throw new UsageError(`${op} has no field ${JSON.stringify(name)}; fields: ${Object.keys(fields).join(", ") || "(none)"}`, { api: API, operation: op });
    if (typeof value !== "string") {
      out[name] = value;
      continue;
    }
    if (meta.type === "number" || meta.type === "integer") {
      const n = Number(value);
      if (value.trim() === "" || !Number.isFinite(n)) throw new UsageError(`${name} must be a number, got ${JSON.stringify(value)}`, { api: API, operation: op });
      out[name] = n;
    } else if (meta.type === "array") {
      out[name] = /^\s*\[/.test(value) ? (JSON.parse(value) as unknown) : value.split(",").map((v) => v.trim()).filter(Boolean);
    } else out[name] = value;
    if (meta.enum && !meta.enum.includes(out[name] as string)) {
      throw new UsageError(`${name} must be one of ${meta.enum.join(", ")}, got ${JSON.stringify(value)}`, { api: API, operation: op });
    }
  }
  for (const [name, meta] of Object.entries(fields)) {
    if (meta.required && out[name] === undefined) throw new UsageError(`${op} needs ${name}=...`, { api: API, operation: op });
  }
  return out;
}

interface Target {
  url: string;
  accessKey: string;
  secretKey: string;
  platform: Platform;
  symbols: string[];
  account?: string;
}

function target(env: NodeJS.ProcessEnv, flags: Record<string, string | undefined>, defaults: { symbols?: string[]; url?: string; demo?: boolean } = {}): Target {
  const url = flags.url ?? flags.baseUrl ?? defaults.url ?? env.QUANT_WS_URL ?? quantWsMeta.serverUrl;
  const accessKey = flags["access-key"] ?? env.QUANT_WS_ACCESS_KEY ?? (defaults.demo ? DEMO_ACCESS_KEY : undefined);
  const secretKey = flags["secret-key"] ?? env.QUANT_WS_SECRET_KEY ?? (defaults.demo ? DEMO_SECRET_KEY : undefined);
  if (!accessKey) throw new CredentialsError("missing access key: set QUANT_WS_ACCESS_KEY or pass --access-key", { api: API });
  if (!secretKey) throw new CredentialsError("missing secret key: set QUANT_WS_SECRET_KEY (or pass --secret-key)", { api: API });
  const platform = (flags.platform ?? env.QUANT_WS_PLATFORM ?? "binance") as Platform;
  const symbolsText = flags.symbols ?? flags.symbol ?? env.QUANT_WS_SYMBOLS;
  const symbols = symbolsText ? symbolsText.split(",").map((s) => s.trim()).filter(Boolean) : (defaults.symbols ?? []);
  if (!symbols.length) throw new UsageError("which symbols? pass --symbols BTC/USDT[,ETH/USDT] or set QUANT_WS_SYMBOLS", { api: API });
  const account = flags.account ?? env.QUANT_WS_ACCOUNT;
  return { url, accessKey, secretKey, platform, symbols, ...(account ? { account } : {}) };
}

/** A bounded wait: resolves after `seconds`, when the user stops the command, or on cancel(). */
function pause(io: CliIoLike, seconds: number): { done: Promise<void>; cancel(): void } {
  let cancel = () => undefined as void;
  const done = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, seconds * 1000);
    cancel = () => {
      clearTimeout(timer);
      resolve();
    };
    void io.untilStopped?.().then(cancel);
  });
  return { done, cancel };
}

class Printer {
  readonly #io: CliIoLike;
  readonly #start = Date.now();
  constructor(io: CliIoLike) {
    this.#io = io;
  }
  line(obj: Record<string, unknown>): void {
    this.#io.stdout(`${stringifyJson({ t: Date.now() - this.#start, ...obj })}\n`);
  }
  /** Print every state and notification of a session (tokens are never printed). */
  follow(session: QuantWsSession, label: string): void {
    session.on("state", (s) => this.line({ event: "state", session: label, code: s.code, name: s.name, msg: s.msg, ready: s.ready }));
    for (const topic of ["order", "fill", "position", "asset"] as const) {
      session.on(topic, (data) => this.line({ event: topic, session: label, data }));
    }
  }
  followClient(client: QuantWsClient): void {
    client.on("error", (e) => this.line({ event: "error", error: e.name, message: e.message }));
    client.on("disconnected", (d) => this.line({ event: "disconnected", ...d }));
    client.on("reconnecting", (r) => this.line({ event: "reconnecting", ...r }));
    client.on("reconnected", (r) => this.line({ event: "reconnected", attempt: r.attempt, sessions: r.sessions.length, failed: r.failed.length }));
  }
}

async function loginAndFollow(client: QuantWsClient, t: Target, out: Printer): Promise<QuantWsSession> {
  out.line({ step: "login", platform: t.platform, symbols: t.symbols, note: "the reply only accepts the login; trading waits for state READY (6)" });
  // The login's own states (CONNECT_SUCCESS, READY) arrive before login() resolves.
  const offStates = client.on("state", (s) => out.line({ event: "state", session: t.platform, code: s.code, name: s.name, msg: s.msg, ready: s.ready }));
  try {
    const session = await client.login({ platform: t.platform, symbols: t.symbols, accessKey: t.accessKey, secretKey: t.secretKey, ...(t.account ? { account: t.account } : {}) });
    out.line({ step: "ready", session: t.platform, note: "state READY arrived: requests may be sent" });
    out.follow(session, t.platform);
    return session;
  } finally {
    offStates();
  }
}

async function withClient(url: string, out: Printer, fn: (client: QuantWsClient) => Promise<void>, onClient?: (c: QuantWsClient) => void): Promise<void> {
  const client = createQuantWsClient({ url, loginTimeoutMs: 15_000 });
  onClient?.(client);
  out.followClient(client);
  try {
    await client.connect();
    out.line({ step: "connected", url: redactUrl(url) });
    await fn(client);
  } finally {
    await client.close();
    out.line({ step: "closed" });
  }
}

async function demo(io: CliIoLike, flags: Record<string, string>): Promise<number> {
  const out = new Printer(io);
  let mock: QuantWsMock | undefined;
  let url = flags.url ?? io.env.QUANT_WS_URL;
  if (!url) {
    mock = await startQuantWsMock({ readyDelayMs: 300 });
    url = mock.url;
    out.line({ step: "emulator", url, note: "no --url or QUANT_WS_URL: started `tradeapi mock quant-ws` in-process" });
  }
  const symbol = flags.symbol ?? "ETH/USDT";
  const t = target(io.env, { ...flags, symbols: flags.symbols ?? symbol }, { demo: mock !== undefined });
  const limit = pause(io, num(flags, "seconds", 20));
  const deadline = limit.done.then(() => "timeout" as const);
  let active: QuantWsClient | undefined;
  try {
    const flow = withClient(url, out, async (client) => {
      const session = await loginAndFollow(client, t, out);
      const info = await session.symbolInfo(symbol);
      out.line({ step: "symbol_info", symbol, data: info });
      out.line({ step: "asset", data: await session.asset() });
      out.line({ step: "place_order", note: "a MARKET BUY: expect order, fill, position and asset notifications", symbol });
      const filled = session.next("fill", 5_000).catch(() => undefined);
      const orderNo = await session.placeOrder({ symbol, action: "BUY", price: 0, quantity: 1, order_type: "MARKET" });
      out.line({ step: "placed", order_no: orderNo });
      await filled;
      await new Promise((r) => setTimeout(r, 50));
      const limitPrice = Math.max(info.price_tick, 1);
      out.line({ step: "place_order", note: "a LIMIT BUY far below the market: it rests on the book", symbol, price: limitPrice });
      const resting = await session.placeOrder({ symbol, action: "BUY", price: limitPrice, quantity: 1, order_type: "LIMIT" });
      out.line({ step: "placed", order_no: resting });
      out.line({ step: "open_orders", data: await session.openOrders(symbol) });
      const cancelled = await session.cancelOrder(symbol, [resting]);
      out.line({ step: "cancel_order", cancelled: cancelled.cancelled, failed: cancelled.failed });
      out.line({ step: "position", data: await session.position(symbol) });
      await session.logout();
      out.line({ step: "logout" });
    }, (c) => (active = c));
    const winner = await Promise.race([flow.then(() => "done" as const), deadline]);
    limit.cancel();
    if (winner === "timeout") {
      out.line({ step: "stopped", note: "--seconds elapsed before the flow finished" });
      await active?.close();
      await flow.catch(() => undefined);
      return 1;
    }
    return 0;
  } finally {
    limit.cancel();
    await mock?.close();
  }
}

async function watch(io: CliIoLike, flags: Record<string, string>): Promise<number> {
  const out = new Printer(io);
  const t = target(io.env, flags);
  await withClient(t.url, out, async (client) => {
    const session = await loginAndFollow(client, t, out);
    const seconds = num(flags, "seconds", 30);
    out.line({ step: "watching", seconds, note: "printing state and notifications; Ctrl-C stops" });
    await pause(io, seconds).done;
    if (!session.ended) await session.logout().catch(() => undefined);
    out.line({ step: "logout" });
  });
  return 0;
}

async function place(io: CliIoLike, flags: Record<string, string>): Promise<number> {
  const out = new Printer(io);
  const symbol = flags.symbol;
  if (!symbol) throw new UsageError("ws place needs --symbol (e.g. ETH/USDT)", { api: API });
  const fields = coerceFields("place_order", {
    symbol,
    action: (flags.action ?? "").toUpperCase(),
    order_type: (flags.type ?? flags["order-type"] ?? "LIMIT").toUpperCase(),
    price: flags.price ?? "0",
    quantity: flags.quantity ?? "",
  }) as unknown as RequestFields<"place_order">;
  const t = target(io.env, { ...flags, symbols: flags.symbols ?? symbol });
  await withClient(t.url, out, async (client) => {
    const session = await loginAndFollow(client, t, out);
    out.line({ step: "place_order", ...fields });
    const orderNo = await session.placeOrder(fields);
    out.line({ step: "placed", order_no: orderNo });
    await pause(io, num(flags, "seconds", 3)).done;
    await session.logout().catch(() => undefined);
    out.line({ step: "logout" });
  });
  return 0;
}

async function send(io: CliIoLike, positional: string[], flags: Record<string, string>): Promise<number> {
  const [name, ...pairs] = positional;
  if (!name) throw new UsageError("ws send needs an operation, e.g. `tradeapi ws send asset`", { api: API });
  const params: Record<string, string> = {};
  for (const p of pairs) {
    const eq = p.indexOf("=");
    if (eq <= 0) throw new UsageError(`expected name=value, got ${JSON.stringify(p)}`, { api: API });
    params[p.slice(0, eq)] = p.slice(eq + 1);
  }
  const caller = quantWsCli.createCaller!(io.env, flags);
  try {
    const data = await caller.call(name, params);
    io.stdout(`${stringifyJson(data, 2)}\n`);
  } finally {
    await caller.close?.();
  }
  return 0;
}

const WS_HELP = `usage:
  tradeapi ws demo [--url URL] [--symbol ETH/USDT] [--seconds 20]
      the whole flow (login → READY → orders → notifications → cancel → logout); with no
      --url or QUANT_WS_URL it starts the emulator in-process
  tradeapi ws login --platform binance --symbols BTC/USDT[,ETH/USDT] [--seconds 30] [--url URL]
      log in, wait for READY, print state and notifications, log out
  tradeapi ws place --symbol ETH/USDT --action BUY --type LIMIT|MARKET|IOC --quantity 1 [--price 2000] [--seconds 3]
      log in, place one order, print its notifications, log out
  tradeapi ws send <op> [name=value ...]     (same as \`tradeapi call quant-ws <op> ...\`)
credentials: QUANT_WS_ACCESS_KEY, QUANT_WS_SECRET_KEY (or --access-key/--secret-key); QUANT_WS_URL, QUANT_WS_PLATFORM`;

async function ws(args: string[], io: CliIoLike): Promise<number> {
  const { positional, flags } = parseArgs(args);
  const [sub, ...rest] = positional;
  switch (sub) {
    case "demo":
      return demo(io, flags);
    case "login":
    case "watch":
      return watch(io, flags);
    case "place":
      return place(io, flags);
    case "send":
      return send(io, rest, flags);
    case undefined:
    case "help":
      io.stdout(`${WS_HELP}\n`);
      return sub ? 0 : 2;
    default:
      throw new UsageError(`unknown ws command ${JSON.stringify(sub)}\n${WS_HELP}`, { api: API });
  }
}

/** `tradeapi mock quant-ws` flags → emulator options and periodic faults. */
export function mockOptions(args: string[]): { options: QuantWsMockOptions; dropEverySec: number; outageEverySec: number; outageMs: number } {
  const { flags } = parseArgs(args);
  const options: QuantWsMockOptions = {};
  if (flags["ready-delay"] !== undefined) options.readyDelayMs = num(flags, "ready-delay", 200);
  if (flags["idle-timeout"] !== undefined) options.idleTimeoutMs = num(flags, "idle-timeout", 15_000);
  if (flags["reply-delay"] !== undefined) options.replyDelayMs = num(flags, "reply-delay", 0);
  if (flags.reorder !== undefined) options.reorderWindow = num(flags, "reorder", 0);
  if (flags["no-pong"] === "true") options.answerPings = false;
  return { options, dropEverySec: num(flags, "drop-every", 0), outageEverySec: num(flags, "outage-every", 0), outageMs: num(flags, "outage-ms", 2_000) };
}

export const quantWsCli: CliApi = {
  name: API,
  title: quantWsMeta.title,
  env: [
    { name: "QUANT_WS_URL", description: `gateway URL (default ${quantWsMeta.serverUrl})` },
    { name: "QUANT_WS_ACCESS_KEY", description: "exchange access key sent in login" },
    { name: "QUANT_WS_SECRET_KEY", description: "exchange secret key sent in login", secret: true },
    { name: "QUANT_WS_PLATFORM", description: "platform to log in to (default binance)" },
    { name: "QUANT_WS_SYMBOLS", description: "comma-separated symbols for login (e.g. BTC/USDT,ETH/USDT)" },
    { name: "QUANT_WS_ACCOUNT", description: "optional account name for servers that need it" },
  ],
  flags: [
    { name: "url", description: "gateway URL (or --base-url)" },
    { name: "platform", description: "platform to log in to" },
    { name: "symbols", description: "comma-separated symbols to log in with (default: the request's symbol)" },
    { name: "timeout", description: "request timeout in ms (default 10000)" },
  ],
  operations: () =>
    Object.entries(OPERATIONS).map(([op, m]) => ({ operationId: op, method: "WS", path: quantWsMeta.channel, summary: m.summary })),
  createCaller(env, flags: CliCallFlags) {
    let client: QuantWsClient | undefined;
    return {
      async call(name, params) {
        const op = opOf(name);
        if (op === "login") throw new UsageError("login happens by itself: pass --platform/--symbols and the key env vars, then call another op", { api: API });
        const fields = op === "ping" ? {} : coerceFields(op, params);
        const symbol = typeof fields.symbol === "string" ? [fields.symbol] : undefined;
        const t = target(env, flags, { symbols: symbol ?? [] });
        const timeout = flags.timeout ? Number(flags.timeout) : undefined;
        client = createQuantWsClient({ url: t.url, ...(timeout ? { requestTimeoutMs: timeout } : {}) });
        if (op === "ping") {
          await client.connect();
          return { rttMs: await client.ping() };
        }
        const session = await client.login({ platform: t.platform, symbols: t.symbols, accessKey: t.accessKey, secretKey: t.secretKey, ...(t.account ? { account: t.account } : {}) });
        const reply = (await session.request(op as SessionOp, fields as never)) as unknown as Record<string, unknown>;
        const dataField = OPERATIONS[op]?.dataField;
        return dataField ? reply[dataField] : { result: reply.result };
      },
      async close() {
        await client?.close();
      },
    };
  },
  async startMock({ port, host, args }) {
    const { options, dropEverySec, outageEverySec, outageMs } = mockOptions(args);
    const mock = await startQuantWsMock({ ...options, port: port ?? 0, ...(host ? { host } : {}), log: (l) => process.stderr.write(`${l}\n`) });
    const timers: Array<ReturnType<typeof setInterval>> = [];
    if (dropEverySec > 0) timers.push(setInterval(() => mock.dropSockets(), dropEverySec * 1000));
    if (outageEverySec > 0) timers.push(setInterval(() => mock.outage(outageMs), outageEverySec * 1000));
    return {
      urls: { url: mock.url },
      async close() {
        for (const t of timers) clearInterval(t);
        await mock.close();
      },
    };
  },
  mockHint: (m) =>
    `any keys log in (an access key starting with "fail-param" gives PARAM_MISS, other "fail..." keys CONNECT_FAILED)\n` +
    `faults: --ready-delay MS --reply-delay MS --reorder N --idle-timeout MS --no-pong --drop-every SEC --outage-every SEC [--outage-ms MS]\n` +
    `try: tradeapi ws demo --url ${m.urls.url}\n` +
    `     QUANT_WS_URL=${m.urls.url} QUANT_WS_ACCESS_KEY=k QUANT_WS_SECRET_KEY=s tradeapi call quant-ws asset --symbols ETH/USDT`,
  commands: {
    ws: { description: "Quant gateway WebSocket: demo, login (watch notifications), place, send", run: ws },
  },
};
