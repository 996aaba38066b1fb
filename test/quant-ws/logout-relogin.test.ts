import type { WebSocket } from "ws";
import { describe, expect, it, onTestFinished } from "vitest";
import { createQuantWsClient, type QuantWsClient } from "../../src/handwritten/quant-ws/index.js";
import { creds, rawGateway } from "./helpers.js";

/**
 * A gateway whose logins belong to their socket (as the server's: a token of a closed socket
 * is "Invalid token"). The first login is answered at once, later ones (the re-logins) after
 * `reloginReplyMs`, and READY follows each reply after `readyMs` (`refuseRelogins`: they are
 * refused as "Do not log in repeat"). `log` records what it did.
 */
async function gateway(reloginReplyMs: number, readyMs: number, refuseRelogins = false) {
  const held = new Map<string, WebSocket>();
  const log: string[] = [];
  let n = 0;
  const { url, wss } = await rawGateway((ws, f) => {
    const answer = (extra: Record<string, unknown>) => ws.send(JSON.stringify({ op: f.op, cid: f.cid, error_message: "", ...extra }));
    if (f.op === "login" && refuseRelogins && n > 0) {
      log.push("login refused");
      answer({ result: false, error_message: "Do not log in repeat" });
    } else if (f.op === "login") {
      const token = `tok${++n}`;
      setTimeout(() => {
        if (ws.readyState !== ws.OPEN) return;
        held.set(token, ws);
        log.push(`login ${token}`);
        answer({ result: true, token });
        setTimeout(() => ws.readyState === ws.OPEN && ws.send(JSON.stringify({ op: "state", token, code: 6, msg: "" })), readyMs);
      }, n === 1 ? 0 : reloginReplyMs);
    } else if (f.op === "logout") {
      const ok = held.get(f.token as string) === ws;
      if (ok) held.delete(f.token as string);
      log.push(`logout ${String(f.token)} ${ok ? "ok" : "Invalid token"}`);
      answer(ok ? { result: true } : { result: false, error_message: "Invalid token" });
    } else if (f.op === "ping") ws.send(JSON.stringify({ op: "pong", ts: f.ts }));
  });
  wss.on("connection", (ws) => ws.on("close", () => {
    for (const [token, socket] of held) if (socket === ws) held.delete(token);
  }));
  return { url, wss, log, held: () => [...held.keys()] };
}

function client(url: string, repeatLoginDelayMs = 500): QuantWsClient {
  const c = createQuantWsClient({
    url,
    requestTimeoutMs: 2_000,
    loginTimeoutMs: 2_000,
    reconnect: { baseDelayMs: 1, maxDelayMs: 1 },
    repeatLogin: { baseDelayMs: repeatLoginDelayMs, maxDelayMs: repeatLoginDelayMs, random: () => 1 },
  });
  onTestFinished(() => c.close());
  return c;
}

/** Log in, drop the socket, and resolve once the re-login's login frame is out. */
async function reloggingIn(gw: Awaited<ReturnType<typeof gateway>>, c: QuantWsClient) {
  const session = await c.login(creds());
  const errors: Error[] = [];
  c.on("error", (e) => errors.push(e));
  const reconnected = c.next("reconnected", 3_000);
  reconnected.catch(() => undefined);
  const reopened = c.next("open", 2_000);
  for (const ws of gw.wss.clients) ws.terminate();
  await reopened;
  await new Promise((r) => setTimeout(r, 30));
  return { session, errors, reconnected };
}

describe("quant-ws: logout() while the session logs in again after a reconnect", () => {
  it("before the login reply: resolves once the login that reply brings is logged out; nothing is held, nothing reported", async () => {
    const gw = await gateway(150, 10);
    const c = client(gw.url);
    const { session, errors, reconnected } = await reloggingIn(gw, c);
    await session.logout();
    expect(session.ended).toBe(true);
    expect(gw.held()).toEqual([]);
    // No logout with the dropped socket's token; the new login logged out.
    expect(gw.log).toEqual(["login tok1", "login tok2", "logout tok2 ok"]);
    expect(await reconnected).toMatchObject({ sessions: [], failed: [] });
    expect(c.sessions).toEqual([]);
    expect(errors).toEqual([]);
    await c.close();
    expect(gw.log).toHaveLength(3);
  });

  it("after the login reply, before READY: the same", async () => {
    const gw = await gateway(0, 200);
    const c = client(gw.url);
    const { session, errors } = await reloggingIn(gw, c);
    expect(gw.log).toEqual(["login tok1", "login tok2"]);
    await session.logout();
    expect(gw.held()).toEqual([]);
    await new Promise((r) => setTimeout(r, 100));
    // Logged out once, and the re-login it stopped is not reported as failed.
    expect(gw.log).toEqual(["login tok1", "login tok2", "logout tok2 ok"]);
    expect(errors).toEqual([]);
  });

  it("close() meanwhile sends no logout with the dropped socket's token; the login the re-login's reply brings is logged out", async () => {
    const gw = await gateway(150, 10);
    const c = client(gw.url);
    const { session } = await reloggingIn(gw, c);
    await c.close();
    expect(session.ended).toBe(true);
    // (close() waits for the reply of a login in flight, and releases the login it brings)
    expect(gw.log.filter((l) => l.startsWith("logout"))).toEqual(["logout tok2 ok"]);
    expect(gw.held()).toEqual([]);
  });

  it("while a refused re-login waits to be retried: resolves at once, and it is not retried", async () => {
    const gw = await gateway(0, 10, true);
    const c = client(gw.url, 5_000);
    const { session, errors } = await reloggingIn(gw, c);
    expect(gw.log).toEqual(["login tok1", "login refused"]);
    const t0 = performance.now();
    // request("logout") resolves to a reply as its type says (nothing sent: no login is held).
    await expect(session.request("logout")).resolves.toEqual({ op: "logout", cid: "", result: true, error_message: "" });
    expect(performance.now() - t0).toBeLessThan(1_000);
    await new Promise((r) => setTimeout(r, 100));
    expect(gw.log).toEqual(["login tok1", "login refused"]);
    expect(errors).toEqual([]);
  });
});

describe("quant-ws: a re-login cut short by a second drop", () => {
  it("logout() while the next socket's re-login waits for its reply: that re-login is stopped and its login logged out (the first run's end does not hide it)", async () => {
    // Socket 1: logged in (tokA). Socket 2: the re-login is refused as repeat, and the socket
    // drops during the backoff. Socket 3: the re-login's reply is held until the test sends it.
    let sockets = 0;
    const log: string[] = [];
    let answer: (() => void) | undefined;
    const { url, wss } = await rawGateway((ws, f) => {
      const n = ((ws as unknown as { n?: number }).n ??= ++sockets);
      if (f.op === "ping") return ws.send(JSON.stringify({ op: "pong", ts: f.ts }));
      if (f.op === "logout") {
        log.push(`logout ${String(f.token)}`);
        return ws.send(JSON.stringify({ op: "logout", cid: f.cid, result: f.token === "tokC", error_message: f.token === "tokC" ? "" : "Invalid token" }));
      }
      if (f.op !== "login") return;
      log.push(`login on socket ${n}`);
      if (n === 1) {
        ws.send(JSON.stringify({ op: "login", cid: f.cid, result: true, error_message: "", token: "tokA" }));
        ws.send(JSON.stringify({ op: "state", token: "tokA", code: 6, msg: "" }));
      } else if (n === 2) {
        ws.send(JSON.stringify({ op: "login", cid: f.cid, result: false, error_message: "Do not log in repeat" }));
        setTimeout(() => ws.terminate(), 30);
      } else {
        answer = () => {
          ws.send(JSON.stringify({ op: "login", cid: f.cid, result: true, error_message: "", token: "tokC" }));
          ws.send(JSON.stringify({ op: "state", token: "tokC", code: 6, msg: "" }));
        };
      }
    });
    const c = createQuantWsClient({
      url,
      requestTimeoutMs: 2_000,
      loginTimeoutMs: 5_000,
      reconnect: { baseDelayMs: 1, maxDelayMs: 1 },
      repeatLogin: { baseDelayMs: 200, maxDelayMs: 200, random: () => 1 },
    });
    onTestFinished(() => c.close());
    const session = await c.login(creds());
    const retry = c.next("reloginRetry", 3_000);
    for (const ws of wss.clients) ws.terminate();
    await retry;
    await expect.poll(() => answer !== undefined, { timeout: 3_000 }).toBe(true);
    // Past the first run's backoff: it has seen the socket change and ended.
    await new Promise((r) => setTimeout(r, 300));
    expect(session.ready).toBe(false);
    const out = session.logout();
    out.catch(() => undefined);
    await new Promise((r) => setTimeout(r, 50));
    answer!();
    await expect(out).resolves.toBeUndefined();
    expect(session.ended).toBe(true);
    // No logout with the dropped socket's token; the login the third socket gave logged out.
    expect(log).toEqual(["login on socket 1", "login on socket 2", "login on socket 3", "logout tokC"]);
  });
});
