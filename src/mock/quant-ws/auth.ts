/**
 * The quant-ws emulator's login: the credential and platform check and the state sequence
 * that follows (see src/mock/quant-ws.ts for the access-key prefixes and what each gives).
 */
import { WebSocket } from "ws";
import { StateCode } from "../../../generated/quant-ws.js";
import { assetView, invalidSymbol, isKnownSymbol, jsonShown, orderView, positionView, split, startBalance, type Login } from "./account.js";
import { field, type Conn, type Gateway } from "./gateway.js";

/** Most symbols one login subscribes to (each is a position snapshot at CONNECT_SUCCESS). */
export const MAX_LOGIN_SYMBOLS = 1_000;
/** Most logins one socket holds, and the emulator in all (each keeps state and gets pushes). */
export const MAX_SOCKET_LOGINS = 100;
export const MAX_LOGINS = 10_000;
/** Fastest a "fail…" login's CONNECT_FAILED / RECONNECTING loop goes (readyDelayMs 0 made it a busy loop). */
const MIN_RETRY_MS = 50;

export function login(gw: Gateway, c: Conn, f: Record<string, unknown>, cid: string): void {
  const platform = field<string>(f, "platform");
  const symbols = field<unknown>(f, "symbols");
  // A key that is not text is no key: PARAM_MISS below, as an empty one.
  const text = (v: unknown): string => (typeof v === "string" ? v : "");
  const accessKey = text(field(f, "access_key"));
  const secretKey = text(field(f, "secret_key"));
  const refuse = (msg: string) => gw.reply(c, { op: "login", cid, result: false, error_message: msg, token: "" });
  if (Array.isArray(symbols)) {
    if (symbols.length > MAX_LOGIN_SYMBOLS) return refuse(`Too many symbols: ${symbols.length}, at most ${MAX_LOGIN_SYMBOLS} per login`);
    const bad = symbols.find((s) => !isKnownSymbol(s));
    if (bad !== undefined) return refuse(invalidSymbol(bad));
  }
  const key = `${accessKey}@${String(platform)}`;
  if (gw.byKey.has(key)) return refuse("Do not log in repeat");
  if (gw.logins.size >= MAX_LOGINS) return refuse(`Too many logins: at most ${MAX_LOGINS}`);
  let onSocket = 0;
  for (const l of gw.logins.values()) if (l.socket === c) onSocket++;
  if (onSocket >= MAX_SOCKET_LOGINS) return refuse(`Too many logins on this connection: at most ${MAX_SOCKET_LOGINS}`);
  const token = `${(++gw.tokenSeq).toString(36)}${Math.random().toString(36).slice(2, 12)}`;
  const login: Login = {
    token,
    key,
    socket: c,
    platform: String(platform),
    symbols: Array.isArray(symbols) ? [...(symbols as string[])] : [],
    linkUp: false,
    ...accountOf(gw, key),
  };
  for (const s of login.symbols) {
    const { base } = split(s);
    if (!login.balances.has(base)) login.balances.set(base, startBalance(10));
  }
  gw.logins.set(token, login);
  gw.byKey.set(key, login);
  // The platform as JSON (a newline in it forged a log line) and cut, as the symbol list.
  const shown = login.symbols.length > 10 ? `${login.symbols.slice(0, 10).join(",")},… (${login.symbols.length} symbols)` : login.symbols.join(",");
  gw.log(`quant-ws mock: socket ${c.id} login ${jsonShown(platform)} [${shown}] → token ${token.slice(0, 4)}…`);
  gw.reply(c, { op: "login", cid, result: true, error_message: "", token });
  // Every failure below comes after a result-true reply; the login stays held until logout.
  const half = Math.floor(gw.settings.readyDelayMs / 2);
  const live = () => gw.logins.get(token) === login;
  const later = (ms: number, code: number, msg: string) => gw.later(ms, () => live() && gw.state(login, code, msg));
  if (!gw.settings.knownPlatforms.has(platform)) {
    later(half, StateCode.PARAM_MISS, "platform not found");
    return;
  }
  if (!accessKey || !secretKey || !Array.isArray(symbols) || accessKey.startsWith("fail-param")) {
    later(half, StateCode.PARAM_MISS, "missing access_key, secret_key or symbols");
    return;
  }
  // Every adapter of the server: `elif not kwargs.get("symbols")` → "param symbols miss".
  if (symbols.length === 0) {
    later(half, StateCode.PARAM_MISS, "param symbols miss");
    return;
  }
  if (accessKey.startsWith("bad-key")) {
    later(half, StateCode.GENERAL_ERROR, "Websocket connection authorized failed: invalid access key or signature");
    return;
  }
  if (accessKey.startsWith("broken")) {
    later(half, StateCode.GENERAL_ERROR, "get_account_balance error: the exchange answered HTTP 502");
    return;
  }
  if (accessKey.startsWith("flaky")) {
    later(half, StateCode.CONNECT_FAILED, "connect to the exchange failed");
    later(half * 2, StateCode.RECONNECTING, "reconnecting to the exchange");
    goReady(gw, login, half * 3, live);
    return;
  }
  if (accessKey.startsWith("fail")) {
    // The server never gives up: CONNECT_FAILED, RECONNECTING, CONNECT_FAILED, ... while the
    // login lives (it ends with its socket) and the socket is open.
    const retry = (n: number) =>
      gw.later(n === 1 ? half : Math.max(half, MIN_RETRY_MS), () => {
        if (!live() || c.ws.readyState !== WebSocket.OPEN) return;
        gw.state(login, n % 2 ? StateCode.CONNECT_FAILED : StateCode.RECONNECTING, n % 2 ? "connect to the exchange failed" : "reconnecting to the exchange");
        retry(n + 1);
      });
    retry(1);
    return;
  }
  goReady(gw, login, half, live);
}

/** The account of access_key@platform: the one an earlier login of it left, else a fresh one. */
function accountOf(gw: Gateway, key: string): Pick<Login, "orders" | "balances" | "positions"> {
  const kept = gw.accounts.get(key);
  if (kept) return kept;
  const account = { orders: new Map(), balances: new Map([["USDT", startBalance(100_000)]]), positions: new Map() };
  gw.accounts.set(key, account);
  if (gw.accounts.size > MAX_LOGINS) gw.accounts.delete(gw.accounts.keys().next().value!);
  return account;
}

/**
 * CONNECT_SUCCESS at `at`, then the snapshots, then READY half a ready delay later. While the
 * exchange is down (a gateway-wide `outage()`), CONNECT_FAILED and RECONNECTING instead, in
 * turn, until it is up again, then as above: the adapter has to reach the exchange first.
 */
function goReady(gw: Gateway, login: Login, at: number, live: () => boolean): void {
  const { readyDelayMs } = gw.settings;
  const half = Math.floor(readyDelayMs / 2);
  gw.later(at, () => {
    if (!live()) return;
    if (gw.exchangeDown()) {
      gw.state(login, StateCode.CONNECT_FAILED, "connect to the exchange failed");
      const retry = (n: number) =>
        gw.later(Math.max(half, MIN_RETRY_MS), () => {
          if (!live() || login.socket.ws.readyState !== WebSocket.OPEN) return;
          if (!gw.exchangeDown()) return goReady(gw, login, 0, live);
          gw.state(login, n % 2 ? StateCode.RECONNECTING : StateCode.CONNECT_FAILED, n % 2 ? "reconnecting to the exchange" : "connect to the exchange failed");
          retry(n + 1);
        });
      retry(1);
      return;
    }
    gw.state(login, StateCode.CONNECT_SUCCESS, "connected");
    // The adapters push their snapshots as soon as they have them, before READY.
    gw.notify(login, "asset", assetView(login));
    for (const s of login.symbols) gw.notify(login, "position", positionView(login, s, true));
    for (const o of login.orders.values()) gw.notify(login, "order", orderView(o, true));
  });
  gw.later(at + (readyDelayMs - half), () => {
    if (!live() || gw.exchangeDown()) return; // (the outage's end sends READY)
    login.linkUp = true;
    gw.state(login, StateCode.READY, "ready");
  });
}
