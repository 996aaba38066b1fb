/**
 * `tradeapi ws`: the Quant gateway WebSocket, step by step.
 *
 * `ws` prints one JSON object per line (`step` for what the CLI did, `event` for what the
 * server pushed) and always ends on its own: after the flow, or after --seconds.
 */
import { stringifyJson } from "../../handwritten/core/json.js";
import { AbortedError, OUTCOME_UNKNOWN_NOTE, redactUrl } from "../../handwritten/core/errors.js";
import { createQuantWsClient, type QuantWsClient } from "../../handwritten/quant-ws/client.js";
import type { QuantWsSession, RequestFields } from "../../handwritten/quant-ws/session.js";
import { startQuantWsMock, type QuantWsMock } from "../../mock/quant-ws.js";
import { CallStopped, CliUsageError, didYouMean, isStopSignal, MAX_TIMER_SECONDS, numberFlag, parseFlags, quotedValue, stopExitCode, timeoutFlag, type FlagSpec, type StopSignal } from "../args.js";
import { coerceValue } from "../coerce.js";
import { wrap } from "../help.js";
import { quantWsMeta } from "../../../generated/quant-ws.js";
import { CLI_LOGIN_TIMEOUT_MS, loginTarget, quantWsOperations, within, type QuantWsTarget } from "../apis/quant-ws.js";
import { withProxy } from "../proxy-env.js";
import { envNameOf, findApi, resolveSettings, type CliIo, type CliSettings } from "../registry.js";
import { callCommand } from "./call.js";

const DEMO_ACCESS_KEY = "demo-access-key";
const DEMO_SECRET_KEY = "demo-secret-key";
/** Only for the in-process emulator of `ws demo`; a real gateway needs --platform (or its environment variable). */
const DEMO_PLATFORM = "okex";

const ENV = findApi("quant-ws").env;
const URL_ENV = envNameOf("quant-ws", "baseUrl");

export const WS_USAGE = `usage:
  tradeapi ws demo [--url URL --platform P] [--symbol ETH/USDT] [--seconds 20]
      the whole flow (login → READY → orders → notifications → cancel →
      logout); with no --url or ${URL_ENV} it starts the emulator in-process,
      otherwise it logs in to that gateway with --platform and the access and
      secret keys (flags or environment)
  tradeapi ws login --platform P --symbols BTC/USDT[,ETH/USDT] [--seconds 30]
        [--url URL]
      log in, wait for READY, print state and notifications, log out
      (alias: watch)
  tradeapi ws place --platform P --symbol ETH/USDT --action BUY
        --type LIMIT|MARKET|IOC --quantity 1 [--price 2000] [--seconds 3]
      log in, place one order, print its notifications, log out
  tradeapi ws send <op> [name=value ...]
      the same as \`tradeapi call quant-ws <op> ...\`
  tradeapi ws help
flags: --access-key/--secret-key, --account, --timeout MS (connect + login
  until READY + place's order, in all)
environment: ${wrap(ENV.map((v) => v.name).join(", "), 66).join("\n  ")}`;

const str = (name: string, description: string): FlagSpec => ({ name, type: "string", description });
/** The gateway's flags (--url, --platform, the keys, --timeout …) by name, as `call quant-ws` takes them. */
const GATEWAY = new Map((findApi("quant-ws").callFlags ?? []).map((f) => [f.name, f] as const));
const gateway = (...names: string[]): FlagSpec[] => names.map((n) => GATEWAY.get(n)!);
const CONNECT = [...gateway("url", "platform", "access-key", "secret-key", "account", "timeout"), str("base-url", "gateway URL")];
const SECONDS = str("seconds", "how long to run");
/**
 * The flags of each subcommand: only its own (`ws login --price 5` is an unknown flag, not
 * ignored). `--symbols` only where it means what it says: `demo` and `place` log in with
 * `--symbol`, the one they trade (`send` is `call quant-ws`, whose flags it takes).
 */
const WS_FLAGS: Readonly<Record<"demo" | "login" | "place", readonly FlagSpec[]>> = {
  demo: [...CONNECT, ...gateway("symbol"), SECONDS],
  login: [...CONNECT, ...gateway("symbols", "symbol"), SECONDS],
  place: [
    ...CONNECT,
    str("symbol", "the symbol to trade"),
    SECONDS,
    str("action", "BUY or SELL"),
    str("type", "LIMIT, MARKET or IOC"),
    str("order-type", "the same as --type"),
    str("quantity", "order quantity"),
    str("price", "order price"),
  ],
};
/** Every flag of a ws subcommand: the first reading, which finds the subcommand. */
const ANY_WS_FLAGS: readonly FlagSpec[] = [...new Map(Object.values(WS_FLAGS).flat().map((f) => [f.name, f] as const)).values()];

/**
 * Ctrl-C or SIGTERM, for the whole command (a second Ctrl-C ends the process at once):
 * `signal` aborts what is in flight, `stopped` resolves with the signal, `by()` names it once
 * it came.
 */
interface Stop {
  signal: AbortSignal;
  stopped: Promise<StopSignal>;
  by(): StopSignal | undefined;
}

function stopOf(io: CliIo): Stop {
  const controller = new AbortController();
  let by: StopSignal | undefined;
  const stopped = new Promise<StopSignal>((resolve) => {
    // (a reader that went away stops it too: the login is logged out, exit 141)
    void io.untilStopped?.({ pipe: true, orphan: true }).then((signal) => {
      by = signal ?? "SIGINT";
      controller.abort(new Error(`stopped by ${by}`));
      resolve(by);
    });
  });
  return { signal: controller.signal, stopped, by: () => by };
}

/** The exit code of a command stopped by `signal` (as a call's: 130, 143), 0 when it was not. */
const exitCodeOf = (signal: string): number => (isStopSignal(signal) ? stopExitCode(signal) : 0);

/** A bounded wait: resolves after `seconds`, when the user stops the command, or on cancel(). */
function pause(stop: Stop, seconds: number): { done: Promise<"elapsed" | StopSignal | "cancelled">; cancel(): void } {
  let cancel = () => undefined as void;
  const done = new Promise<"elapsed" | StopSignal | "cancelled">((resolve) => {
    const timer = setTimeout(() => resolve("elapsed"), seconds * 1000);
    const end = (why: StopSignal | "cancelled") => {
      clearTimeout(timer);
      resolve(why);
    };
    cancel = () => end("cancelled");
    void stop.stopped.then(end);
  });
  return { done, cancel };
}

/** `--seconds` of `ws login` and `ws place`: the exit code, a stop said on stdout (the logout follows). */
async function wait(stop: Stop, seconds: number, out: Printer): Promise<number> {
  const why = await pause(stop, seconds).done;
  if (isStopSignal(why)) out.line({ step: "stopped", note: `stopped by ${why}: logging out` });
  // (that line has no reader: said where someone may see it)
  if (why === "SIGPIPE") out.error("tradeapi: stopped by SIGPIPE (the output's reader went away): logging out\n");
  return exitCodeOf(why);
}

class Printer {
  readonly #io: CliIo;
  readonly #start = Date.now();
  constructor(io: CliIo) {
    this.#io = io;
  }
  /** A line on stderr. */
  error(text: string): void {
    this.#io.stderr(text);
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
  /** Print the client's connection events; the returned function stops (before close()). */
  followClient(client: QuantWsClient): () => void {
    const offs = [
      client.on("error", (e) => this.line({ event: "error", error: e.name, message: e.message })),
      client.on("disconnected", (d) => this.line({ event: "disconnected", ...d })),
      client.on("reconnecting", (r) => this.line({ event: "reconnecting", ...r })),
      // The gateway still holds the login of the socket that died half-open: retried with backoff.
      client.on("reloginRetry", (r) => this.line({ event: "reloginRetry", session: r.session.platform, attempt: r.attempt, delayMs: r.delayMs, reason: r.error.code })),
      client.on("reconnected", (r) => this.line({ event: "reconnected", attempt: r.attempt, sessions: r.sessions.length, failed: r.failed.length })),
    ];
    return () => offs.forEach((off) => off());
  }
}

async function loginAndFollow(client: QuantWsClient, t: QuantWsTarget, out: Printer): Promise<QuantWsSession> {
  const { platform, symbols } = t.login;
  out.line({ step: "login", platform, symbols, note: "the reply only accepts the login; trading waits for state READY (6)" });
  // The login's own states (CONNECT_SUCCESS, READY) arrive before login() resolves.
  const offStates = client.on("state", (s) => out.line({ event: "state", session: platform, code: s.code, name: s.name, msg: s.msg, ready: s.ready }));
  try {
    const session = await client.login(t.login);
    out.line({ step: "ready", session: platform, note: "state READY arrived: requests may be sent" });
    out.follow(session, platform);
    return session;
  } finally {
    offStates();
  }
}

/**
 * Connect, then `start` (the login, and for `operation` other than "login" its request: it calls
 * `sending()` just before sending it), all within --timeout, as `call quant-ws` (one bound: a
 * request gets what the login left); then `rest` with what `start` gave, unbounded by it.
 * `stop` ends `start` as Ctrl-C ends a call (a CallStopped: exit 130 or 143, one line saying
 * whether the request may have reached the gateway); closing the client logs out a login the
 * gateway answered.
 */
async function withClient<S>(
  { url, proxy }: { url: string; proxy?: string },
  flags: Record<string, string>,
  out: Printer,
  stop: Stop | undefined,
  operation: string,
  start: (client: QuantWsClient, sending: () => void) => Promise<S>,
  rest: (started: S) => Promise<number>,
  onClient?: (c: QuantWsClient) => void,
): Promise<number> {
  const timeout = timeoutFlag(flags);
  const limit = timeout ?? CLI_LOGIN_TIMEOUT_MS;
  // (with --timeout, the request gets what the login left, as in call quant-ws; without, 10 s)
  const client = createQuantWsClient({ url, ...(proxy ? { proxy } : {}), loginTimeoutMs: limit, requestTimeoutMs: timeout ?? Math.min(limit, 10_000) });
  onClient?.(client);
  const unfollow = out.followClient(client);
  let stage: "connect" | "login" | "request" = "connect";
  try {
    let started: S;
    try {
      started = await within(timeout, stop?.signal, () => client, operation, async () => {
        await client.connect();
        stage = "login";
        out.line({ step: "connected", url: redactUrl(url) });
        return start(client, () => (stage = "request"));
      }, () => stage);
    } catch (e) {
      const by = stop?.by();
      throw by !== undefined && e instanceof AbortedError ? new CallStopped(by, e) : e;
    }
    return await rest(started);
  } finally {
    // What arrives while closing (e.g. the reply to the logout a failed login sends) is not news.
    unfollow();
    await client.close();
    out.line({ step: "closed" });
  }
}

/** The settings, with the proxy the environment gives the gateway URL (the spec's when none is set). */
function settingsOf(io: CliIo, flags: Record<string, string>): CliSettings {
  const entry = findApi("quant-ws");
  return withProxy(entry, resolveSettings(entry, io.env, flags), { baseUrl: quantWsMeta.serverUrl }, io.env);
}

async function demo(io: CliIo, flags: Record<string, string>): Promise<number> {
  const out = new Printer(io);
  const settings = settingsOf(io, flags);
  const seconds = numberFlag("seconds", flags.seconds, 20, MAX_TIMER_SECONDS);
  const symbol = flags.symbol ?? "ETH/USDT";
  let mock: QuantWsMock | undefined;
  let url = settings.baseUrl;
  if (!url) {
    mock = await startQuantWsMock({ readyDelayMs: 300 });
    url = mock.url;
    out.line({ step: "emulator", url, note: `no --url or ${URL_ENV}: started \`npx tradeapi mock quant-ws\` in-process` });
  }
  try {
    const t = loginTarget({ ...settings, baseUrl: url }, {
      symbols: [symbol],
      ...(mock ? { accessKey: DEMO_ACCESS_KEY, secretKey: DEMO_SECRET_KEY, platform: DEMO_PLATFORM } : {}),
    });
    // (the flow races the stop itself: --seconds or a signal, whichever comes first)
    const limit = pause(stopOf(io), seconds);
    let active: QuantWsClient | undefined;
    // An order or a cancel cut off by the stop may have reached the gateway: the note says so.
    let inFlight: string | undefined;
    const changing = async <T>(op: string, send: () => Promise<T>): Promise<T> => {
      inFlight = op;
      try {
        return await send();
      } finally {
        inFlight = undefined;
      }
    };
    const flow = withClient(t, flags, out, undefined, "login", (client) => loginAndFollow(client, t, out), async (session) => {
      const info = await session.symbolInfo(symbol);
      out.line({ step: "symbol_info", symbol, data: info });
      out.line({ step: "asset", data: await session.asset() });
      out.line({ step: "place_order", note: "a MARKET BUY: expect order, fill, position and asset notifications", symbol });
      const filled = session.next("fill", 5_000).catch(() => undefined);
      const orderNo = await changing("place_order", () => session.placeOrder({ symbol, action: "BUY", price: 0, quantity: 1, order_type: "MARKET" }));
      out.line({ step: "placed", order_no: orderNo });
      await filled;
      await new Promise((r) => setTimeout(r, 50));
      const limitPrice = Math.max(info.price_tick, 1);
      out.line({ step: "place_order", note: "a LIMIT BUY far below the market: it rests on the book", symbol, price: limitPrice });
      const resting = await changing("place_order", () => session.placeOrder({ symbol, action: "BUY", price: limitPrice, quantity: 1, order_type: "LIMIT" }));
      out.line({ step: "placed", order_no: resting });
      out.line({ step: "open_orders", data: await session.openOrders(symbol) });
      const cancelled = await changing("cancel_order", () => session.cancelOrder(symbol, [resting]));
      out.line({ step: "cancel_order", cancelled: cancelled.cancelled, failed: cancelled.failed });
      out.line({ step: "position", data: await session.position(symbol) });
      await session.logout();
      out.line({ step: "logout" });
      return 0;
    }, (c) => (active = c));
    try {
      const winner = await Promise.race([flow.then(() => "done" as const), limit.done]);
      if (winner !== "done") {
        // (Ctrl-C or SIGTERM: the exit code of a call stopped so, 130 or 143)
        const signal = isStopSignal(winner) ? winner : undefined;
        const cut = inFlight ? `: the ${inFlight} request was in flight${OUTCOME_UNKNOWN_NOTE}` : "";
        out.line({ step: "stopped", note: `${signal ? `stopped by ${signal}` : "--seconds elapsed"} before the flow finished${cut}` });
        await active?.close();
        await flow.catch(() => undefined);
        if (signal) return exitCodeOf(signal);
        // (exit 1 is one line on stderr, as for any error)
        io.stderr(`tradeapi: error: ws demo: --seconds ${flags.seconds ?? seconds} elapsed before the flow finished${cut}\n`);
        return 1;
      }
      return 0;
    } finally {
      limit.cancel();
    }
  } finally {
    await mock?.close();
  }
}

/** How long the logout after `ws login` or `ws place` waits for its reply: as long as the client's close() does. */
const LOGOUT_MS = 2_000;

/**
 * The logout that ends `ws login` and `ws place`, within LOGOUT_MS (it waited the 10 s of a
 * request): a failure is said on its line (the gateway may hold the login until the socket
 * closes), not printed as a logout done. A session the gateway already ended needs none.
 */
async function logOut(session: QuantWsSession, out: Printer): Promise<void> {
  if (session.ended) return out.line({ step: "logout" });
  try {
    await session.logout({ timeoutMs: LOGOUT_MS });
    out.line({ step: "logout" });
  } catch (e) {
    out.line({ step: "logout", ok: false, note: `the logout failed (${e instanceof Error ? e.message : String(e)}); the gateway may hold the login until the socket closes` });
  }
}

async function watch(io: CliIo, flags: Record<string, string>): Promise<number> {
  const out = new Printer(io);
  const seconds = numberFlag("seconds", flags.seconds, 30, MAX_TIMER_SECONDS);
  const t = loginTarget(settingsOf(io, flags));
  const stop = stopOf(io);
  return withClient(t, flags, out, stop, "login", (client) => loginAndFollow(client, t, out), async (session) => {
    out.line({ step: "watching", seconds, note: "printing state and notifications; Ctrl-C stops" });
    const code = await wait(stop, seconds, out);
    await logOut(session, out);
    return code;
  });
}

async function place(io: CliIo, flags: Record<string, string>): Promise<number> {
  const out = new Printer(io);
  const symbol = flags.symbol;
  if (!symbol) throw new CliUsageError("ws place needs --symbol (e.g. ETH/USDT)");
  const op = quantWsOperations.find((o) => o.operationId === "place_order")!;
  const raw: Record<string, string> = {
    symbol,
    action: (flags.action ?? "").toUpperCase(),
    order_type: (flags.type ?? flags["order-type"] ?? "LIMIT").toUpperCase(),
    price: flags.price ?? "0",
    quantity: flags.quantity ?? "",
  };
  // A missing or bad value is named by the flag that gives it.
  const flagOf: Record<string, string> = { action: "--action", quantity: "--quantity", order_type: "--type", price: "--price", symbol: "--symbol" };
  if (raw.action === "") throw new CliUsageError("ws place needs --action BUY|SELL");
  if (raw.quantity === "") throw new CliUsageError("ws place needs --quantity (e.g. 1)");
  const fields: Record<string, unknown> = {};
  for (const p of op.params) {
    try {
      fields[p.name] = coerceValue(p, raw[p.name] ?? "");
    } catch (e) {
      if (e instanceof CliUsageError && flagOf[p.name]) throw new CliUsageError(`ws place ${flagOf[p.name]}: ${e.message}`);
      throw e;
    }
  }
  // Price 0 is the vendor document's for MARKET orders only (a LIMIT at 0 went out and was refused).
  if (raw.order_type !== "MARKET" && (flags.price === undefined || !(Number(fields.price) > 0))) throw new CliUsageError(`ws place needs --price above 0 for ${raw.order_type} orders (0 only for MARKET)`);
  const seconds = numberFlag("seconds", flags.seconds, 3, MAX_TIMER_SECONDS);
  const t = loginTarget(settingsOf(io, flags), { symbols: [symbol] });
  const stop = stopOf(io);
  const sendOrder = async (client: QuantWsClient, sending: () => void) => {
    const session = await loginAndFollow(client, t, out);
    out.line({ step: "place_order", ...fields });
    sending();
    // Stopped now, it is not sent; stopped once sent, its outcome is unknown (the error says which).
    const orderNo = await session.placeOrder(fields as unknown as RequestFields<"place_order">, { signal: stop.signal });
    out.line({ step: "placed", order_no: orderNo });
    return session;
  };
  return withClient(t, flags, out, stop, "place_order", sendOrder, async (session) => {
    const code = await wait(stop, seconds, out);
    await logOut(session, out);
    return code;
  });
}

/** The `ws` subcommands as its usage names them (`watch` is `login`'s other name). */
const WS_COMMANDS = ["demo", "login", "place", "send", "help"];

export async function run(args: string[], io: CliIo): Promise<number> {
  // (a first reading, every subcommand's flags known, finds the subcommand; then its own, strictly)
  const first = parseFlags(args, ANY_WS_FLAGS, false);
  const [sub] = first.positional;
  if (sub === "send") {
    // The same as `call quant-ws ...` (its --help and its flags included): the same arguments without "send".
    const same = [...args];
    same.splice(same.indexOf("send"), 1);
    return callCommand(["quant-ws", ...same], io);
  }
  if (sub === "help" || (sub === undefined && first.flags.help)) {
    io.stdout(`${WS_USAGE}\n`);
    return 0;
  }
  if (sub === undefined) {
    io.stderr(`${WS_USAGE}\n`);
    return 2;
  }
  const name = sub === "watch" ? "login" : sub;
  if (name !== "demo" && name !== "login" && name !== "place") {
    throw new CliUsageError(`unknown ws command ${quotedValue(sub)}${didYouMean(sub, WS_COMMANDS)}; one of: ${WS_COMMANDS.join(", ")}`);
  }
  const { flags } = parseSubcommandFlags(args, WS_FLAGS[name], name);
  if (flags.help) {
    io.stdout(`${WS_USAGE}\n`);
    return 0;
  }
  if (name === "demo") return demo(io, flags);
  return name === "login" ? watch(io, flags) : place(io, flags);
}

/** The subcommand's flags, strictly: an unknown one is named with the closest of its own, and the hint lists them. */
function parseSubcommandFlags(args: readonly string[], own: readonly FlagSpec[], name: string): ReturnType<typeof parseFlags> {
  try {
    return parseFlags(args, own);
  } catch (e) {
    if (e instanceof CliUsageError) {
      e.hint = `(ws ${name} takes ${own.map((f) => `--${f.name}`).join(", ")}; \`tradeapi ws help\` for more)`;
    }
    throw e;
  }
}
