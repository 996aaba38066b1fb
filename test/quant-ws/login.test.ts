import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import { describe, expect, it, onTestFinished } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import { ApiError, AuthError, CredentialsError, InvalidRequestError, ResponseFormatError, TimeoutError, UsageError } from "../../src/handwritten/core/errors.js";
import {
  createQuantWsClient,
  QuantWsSession,
  QuantWsFrameError,
  QuantWsLoginRejectedError,
  QuantWsStateError,
  SessionNotReadyError,
  StateCode,
  stateName,
  UnknownPlatformError,
} from "../../src/handwritten/quant-ws/index.js";
import { creds, ETH, framesOf, isOp, payloads, rawGateway, rejection, replyTo, setup } from "./helpers.js";

describe("quant-ws login", () => {
  it("resolves only after state READY, not on the login reply", async () => {
    const { mock, client } = await setup({ readyDelayMs: 80 });
    const seen: string[] = [];
    client.on("state", (s) => seen.push(`state ${s.name}`));
    const session = await client.login(creds());
    seen.push("login resolved");
    expect(seen).toEqual(["state CONNECT_SUCCESS", "state READY", "login resolved"]);
    expect(session.ready).toBe(true);
    expect(session.token).toMatch(/\w+/);
    expect(mock.tokens()).toEqual([session.token]);
    const [frame] = framesOf(mock, "login");
    expect(frame).toMatchObject({ op: "login", platform: "huobi", symbols: [ETH], access_key: "ak-test", secret_key: "sk-test" });
    expect(frame!.cid).toEqual(expect.any(String));
  });

  it('rejects with InvalidRequestError on "Do not log in repeat"', async () => {
    const { client } = await setup();
    await client.login(creds());
    const e = await rejection(client.login(creds()));
    expect(e).toBeInstanceOf(InvalidRequestError);
    expect((e as ApiError).code).toBe("Do not log in repeat");
    expect(e.message).toMatch(/quant-ws login: .*Do not log in repeat/);
    expect(e.message).not.toContain("sk-test");
  });

  it.each([
    { label: "PARAM_MISS (missing parameter)", over: { accessKey: "fail-param-key" }, want: StateCode.PARAM_MISS, cls: QuantWsStateError, kind: "invalid-request", text: /state PARAM_MISS: missing access_key/ },
    {
      label: "PARAM_MISS (platform not found)",
      over: { platform: "binance" },
      want: StateCode.PARAM_MISS,
      cls: UnknownPlatformError,
      kind: "invalid-request",
      text: /state PARAM_MISS: platform not found \(this gateway does not serve platform "binance"; the open-source gateway serves okex, huobi, huobi_future, ftx/,
    },
    {
      label: "GENERAL_ERROR (keys refused)",
      over: { accessKey: "bad-key-1" },
      want: StateCode.GENERAL_ERROR,
      cls: QuantWsLoginRejectedError,
      kind: "auth",
      text: /code 7 state GENERAL_ERROR: Websocket connection authorized failed: invalid access key or signature \(the exchange refused the login to huobi: check access_key and secret_key\)/,
    },
    {
      // The adapters end a login with 7 for a setup step that failed too: not a matter of keys (it was an AuthError saying "check access_key")
      label: "GENERAL_ERROR (a setup step failed)",
      over: { accessKey: "broken-1" },
      want: StateCode.GENERAL_ERROR,
      cls: QuantWsStateError,
      kind: "other",
      text: /code 7 state GENERAL_ERROR: get_account_balance error: the exchange answered HTTP 502 \(the gateway's exchange adapter failed while logging in to huobi; the login ended\)/,
    },
  ])("fails at once on state $label after a result-true reply, and releases the login", async ({ over, want, cls, kind, text }) => {
    // A long login timeout: the failure must come from the state, not from waiting.
    const { mock, client } = await setup({ readyDelayMs: 40 }, { loginTimeoutMs: 10_000 });
    const states: string[] = [];
    client.on("state", (s) => states.push(s.name));
    const started = Date.now();
    const e = await rejection(client.login(creds(over)));
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(e).toBeInstanceOf(cls);
    expect(e).toBeInstanceOf(ApiError);
    expect(e instanceof AuthError).toBe(kind === "auth");
    expect((e as QuantWsStateError).stateCode).toBe(want);
    expect((e as ApiError).kind).toBe(kind);
    expect(e.message).toMatch(text);
    expect(e.message).not.toContain("sk-test");
    expect(states).toEqual([stateName(want)]);
    // The client logs the failed token out so that a later login is not "repeat".
    const logout = await mock.waitForFrame(isOp("logout"));
    expect(logout.frame).toMatchObject({ op: "logout", token: expect.any(String) });
    await expect.poll(() => mock.tokens()).toEqual([]);
    expect(client.sessions).toHaveLength(0);
    // So the same login can be tried again and fails the same way (not "Do not log in repeat").
    expect(await rejection(client.login(creds(over)))).toBeInstanceOf(cls);
  });

  it("a login without a symbol is refused before anything is sent (every adapter answers it with PARAM_MISS \"param symbols miss\"), as the emulator does", async () => {
    const { mock, client } = await setup();
    const e = await rejection(client.login(creds({ symbols: [] })));
    expect(e).toBeInstanceOf(UsageError);
    expect(e.message).toMatch(/^quant-ws login: symbols must name at least one symbol/);
    expect(framesOf(mock, "login")).toHaveLength(0);
    // The emulator, sent one anyway, answers as the gateway: a result-true reply, then state 1.
    const raw = new WebSocket(mock.url);
    await new Promise((r) => raw.once("open", r));
    const frames: Array<Record<string, unknown>> = [];
    raw.on("message", (d) => frames.push(JSON.parse(String(d))));
    raw.send(JSON.stringify({ op: "login", cid: "1", platform: "huobi", symbols: [], access_key: "k", secret_key: "s" }));
    await expect.poll(() => frames.find((f) => f.op === "state")).toMatchObject({ code: StateCode.PARAM_MISS, msg: "param symbols miss" });
    expect(frames[0]).toMatchObject({ op: "login", result: true });
    raw.close();
  });

  it("state 7 that arrives before the login reply (replies delayed) still ends the login at once", async () => {
    const { mock, client } = await setup({ readyDelayMs: 20, replyDelayMs: 150 }, { loginTimeoutMs: 10_000 });
    const started = Date.now();
    const e = await rejection(client.login(creds({ accessKey: "bad-key-early" })));
    expect(e).toBeInstanceOf(QuantWsLoginRejectedError);
    expect(Date.now() - started).toBeLessThan(1_500);
    // The emulator pushed state 7 at 10 ms and the reply at 150 ms: the state was held for the
    // unknown token and applied when the reply bound it. The held login was released.
    await expect.poll(() => mock.tokens()).toEqual([]);
  });

  it("state 7 is an AuthError carrying the gateway's message, without the secret", async () => {
    const { mock, client } = await setup();
    const e = await rejection(client.login(creds({ accessKey: "bad-key-2", secretKey: "s3cret-value" })));
    expect(e).toBeInstanceOf(AuthError);
    expect((e as QuantWsLoginRejectedError).stateMessage).toBe("Websocket connection authorized failed: invalid access key or signature");
    expect(e.message).not.toContain("s3cret-value");
    expect(framesOf(mock, "login")[0]).toMatchObject({ platform: "huobi", access_key: "bad-key-2" });
  });

  it("state CONNECT_FAILED (3) is not final: the login keeps waiting while the server retries, and reports each state", async () => {
    const { client } = await setup({ readyDelayMs: 40 }, { loginTimeoutMs: 3_000 });
    const states: string[] = [];
    client.on("state", (s) => states.push(s.name));
    const session = await client.login(creds({ accessKey: "flaky-1" }));
    expect(session.ready).toBe(true);
    expect(states).toEqual(["CONNECT_FAILED", "RECONNECTING", "CONNECT_SUCCESS", "READY"]);
  });

  it("a server that never gets past CONNECT_FAILED ends the login at the login timeout, naming the last state", async () => {
    const { mock, client } = await setup({ readyDelayMs: 40 }, { loginTimeoutMs: 300 });
    const states: string[] = [];
    client.on("state", (s) => states.push(s.name));
    const e = await rejection(client.login(creds({ accessKey: "fail-connect" })));
    expect(e).toBeInstanceOf(TimeoutError);
    // The caller's loginTimeoutMs, not what was left of it after the reply.
    expect(e.message).toMatch(/no READY state within 300 ms of the login \(last state (CONNECT_FAILED|RECONNECTING) "(connect to the exchange failed|reconnecting to the exchange)"\)/);
    expect((e as TimeoutError).timeoutMs).toBe(300);
    expect(states.slice(0, 3)).toEqual(["CONNECT_FAILED", "RECONNECTING", "CONNECT_FAILED"]);
    await expect.poll(() => mock.tokens()).toEqual([]);
  });

  it("state 7 after READY is reported but does not end the session", async () => {
    const { mock, client } = await setup();
    const session = await client.login(creds());
    mock.sendState(StateCode.GENERAL_ERROR, "some adapter error");
    const s = await session.next("state", 2_000);
    expect(s).toMatchObject({ code: 7, name: "GENERAL_ERROR", msg: "some adapter error", ready: true });
    await expect(session.asset()).resolves.toHaveProperty("USDT");
  });

  it("refuses an empty platform before touching the network, naming the known ones", async () => {
    const { mock, client } = await setup();
    const e = await rejection(client.login(creds({ platform: "" })));
    expect(e).toBeInstanceOf(UsageError);
    expect(e.message).toMatch(/missing platform: .* okex, huobi, huobi_future, ftx/);
    expect(mock.acceptedSockets).toBe(0);
  });

  it("times out when READY never comes", async () => {
    const { client } = await setup({ readyDelayMs: 60_000 }, { loginTimeoutMs: 150 });
    const started = Date.now();
    const e = await rejection(client.login(creds()));
    expect(e).toBeInstanceOf(TimeoutError);
    expect(e.message).toMatch(/no READY state within 150 ms of the login \(no state notification\)/);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("times out when the login reply never comes", async () => {
    const { mock, client } = await setup({}, { loginTimeoutMs: 150 });
    mock.silence("login");
    const e = await rejection(client.login(creds()));
    expect(e).toBeInstanceOf(TimeoutError);
    expect(e.message).toMatch(/no login reply within 150 ms/);
  });

  it("a login reply that comes after the login timed out is logged out: the next login is not \"Do not log in repeat\"", async () => {
    const { mock, client } = await setup({ replyDelayMs: 400 }, { loginTimeoutMs: 150 });
    const errors: Error[] = [];
    client.on("error", (e) => errors.push(e));
    const e = await rejection(client.login(creds()));
    expect(e).toBeInstanceOf(TimeoutError);
    expect(e.message).toMatch(/no login reply within 150 ms/);
    // The reply comes (the gateway holds the login): the client logs its token out.
    const logout = await mock.waitForFrame(isOp("logout"), 5_000);
    expect((logout.frame as { token?: unknown }).token).toEqual(expect.any(String));
    mock.setReplyDelay(0);
    await expect.poll(() => mock.tokens(), { timeout: 3_000 }).toEqual([]);
    const session = await client.login(creds());
    expect(session.ready).toBe(true);
    // The late reply was expected, not an "unknown cid" error.
    expect(errors.filter((x) => /unknown cid/.test(x.message))).toEqual([]);
  });

  it.each([
    { label: "a decimal no double holds", extra: `,"extra":0.1000000000000000055511151231257827` },
    { label: "error_message given twice", extra: `,"error_message":""` },
  ])("a login reply that cannot be read ($label): its token is kept out of every event and its login logged out, close() waiting for that", async ({ extra }) => {
    const TOKEN = "tok-unreadable-0123456789";
    const held = new Set<unknown>();
    let logoutAnswered = false;
    const { url } = await rawGateway((ws, f) => {
      if (f.op === "login") {
        if (held.has(f.access_key)) return ws.send(JSON.stringify({ op: "login", cid: f.cid, result: false, error_message: "Do not log in repeat", token: "" }));
        held.add(f.access_key);
        ws.send(`{"op":"login","cid":"${String(f.cid)}","result":true,"error_message":"","token":"${TOKEN}"${extra}}`);
        // Later frames quote the token in their free text.
        ws.send(JSON.stringify({ op: "error", error_message: `failed for token=${TOKEN}` }));
        ws.send(`{"op":"state","token":"${TOKEN}","code":77,"msg":"session ${TOKEN} ready"}`);
      } else if (f.op === "logout") {
        // Answered a little later: close() must wait for it.
        setTimeout(() => {
          held.clear();
          logoutAnswered = true;
          ws.send(replyTo(f));
        }, 100);
      }
    });
    const client = createQuantWsClient({ url, requestTimeoutMs: 1_000, loginTimeoutMs: 1_000, reconnect: false });
    onTestFinished(() => client.close());
    const errors: Error[] = [];
    client.on("error", (e) => errors.push(e));
    const e = await rejection(client.login(creds()));
    expect(e).toBeInstanceOf(QuantWsFrameError);
    expect((e as QuantWsFrameError).outcomeUnknown).toBe(true);
    await expect.poll(() => errors.length, { timeout: 2_000 }).toBeGreaterThanOrEqual(3);
    await client.close();
    // The gateway was asked to log that login out, and answered before close() resolved.
    expect(logoutAnswered).toBe(true);
    expect(held.size).toBe(0);
    for (const x of [e, ...errors]) expect(inspect(x, { depth: 10, showHidden: true }) + JSON.stringify(x)).not.toContain(TOKEN);
    expect(errors.filter((x) => /unknown cid/.test(x.message))).toEqual([]);
  });

  it("a login that failed on an unreadable reply was logged out: the next login is not \"Do not log in repeat\"", async () => {
    const held = new Set<unknown>();
    let n = 0;
    const { url } = await rawGateway((ws, f) => {
      if (f.op === "login") {
        if (held.has(f.access_key)) return ws.send(JSON.stringify({ op: "login", cid: f.cid, result: false, error_message: "Do not log in repeat", token: "" }));
        held.add(f.access_key);
        const token = `tok-${++n}`;
        ws.send(n === 1 ? `{"op":"login","cid":"${String(f.cid)}","result":true,"error_message":"","error_message":"","token":"${token}"}` : replyTo(f, { token }));
        ws.send(JSON.stringify({ op: "state", token, code: 6, msg: "" }));
      } else if (f.op === "logout") {
        held.clear();
        ws.send(replyTo(f));
      }
    });
    const client = createQuantWsClient({ url, requestTimeoutMs: 1_000, loginTimeoutMs: 1_000, reconnect: false });
    onTestFinished(() => client.close());
    client.on("error", () => undefined);
    expect(await rejection(client.login(creds()))).toBeInstanceOf(QuantWsFrameError);
    await expect.poll(() => held.size, { timeout: 2_000 }).toBe(0);
    const session = await client.login(creds());
    expect(session.ready).toBe(true);
  });

  it("a login reply that comes after the login timed out and cannot be read is logged out too, its token kept out of the events", async () => {
    const TOKEN = "tok-late-unreadable-98765";
    const logouts: unknown[] = [];
    const { url } = await rawGateway((ws, f) => {
      if (f.op === "login") {
        setTimeout(() => {
          ws.send(`{"op":"login","cid":"${String(f.cid)}","result":true,"error_message":"","token":"${TOKEN}","error_message":""}`);
          ws.send(JSON.stringify({ op: "error", error_message: `failed for ${TOKEN}` }));
        }, 200);
      } else if (f.op === "logout") {
        logouts.push(f.token);
        ws.send(replyTo(f));
      }
    });
    const client = createQuantWsClient({ url, requestTimeoutMs: 1_000, loginTimeoutMs: 100, reconnect: false });
    onTestFinished(() => client.close());
    const errors: Error[] = [];
    client.on("error", (e) => errors.push(e));
    expect(await rejection(client.login(creds()))).toBeInstanceOf(TimeoutError);
    await expect.poll(() => logouts, { timeout: 2_000 }).toEqual([TOKEN]);
    await expect.poll(() => errors.length, { timeout: 2_000 }).toBe(2);
    for (const x of errors) expect(inspect(x, { depth: 10, showHidden: true }) + JSON.stringify(x)).not.toContain(TOKEN);
  });

  it("checks credentials before touching the network", async () => {
    const { mock, client } = await setup();
    const e = await rejection(client.login(creds({ secretKey: "" })));
    expect(e).toBeInstanceOf(CredentialsError);
    // The library names its option; the variable is the CLI's business (its hint adds it).
    expect(e.message).toContain("missing secretKey: pass { secretKey } to the client");
    expect(e.message).not.toMatch(/QUANT_WS_SECRET_KEY/);
    expect(mock.acceptedSockets).toBe(0);
  });
});

describe("quant-ws READY gating", () => {
  it('"wait": a request waits while the link is down and goes out on READY', async () => {
    const { mock, client } = await setup();
    const session = await client.login(creds());
    mock.sendState(StateCode.DISCONNECT);
    await session.next("state");
    expect(session.ready).toBe(false);
    const asked = session.asset();
    // Nothing is sent while not READY: a ping round trip proves the socket is idle otherwise.
    await client.ping();
    expect(framesOf(mock, "asset")).toHaveLength(0);
    mock.sendState(StateCode.RECONNECTING);
    await session.next("state");
    expect(framesOf(mock, "asset")).toHaveLength(0);
    mock.sendState(StateCode.READY);
    await expect(asked).resolves.toHaveProperty("USDT");
    expect(framesOf(mock, "asset")).toHaveLength(1);
  });

  it('"fail": a request fails fast with SessionNotReadyError', async () => {
    const { mock, client } = await setup({}, { notReady: "fail" });
    const session = await client.login(creds());
    mock.sendState(StateCode.RECONNECTING);
    await session.next("state");
    const e = await rejection(session.asset());
    expect(e).toBeInstanceOf(SessionNotReadyError);
    expect((e as SessionNotReadyError).stateCode).toBe(StateCode.RECONNECTING);
    expect(e.message).toMatch(/state RECONNECTING/);
    // Per-request override of the client's policy.
    const waited = session.asset({ notReady: "wait" });
    mock.sendState(StateCode.READY);
    await expect(waited).resolves.toHaveProperty("USDT");
  });

  it("a waiting request times out if READY does not come", async () => {
    const { mock, client } = await setup();
    const session = await client.login(creds());
    mock.sendState(StateCode.DISCONNECT);
    await session.next("state");
    const e = await rejection(session.asset({ timeoutMs: 100 }));
    expect(e).toBeInstanceOf(TimeoutError);
    expect(e.message).toMatch(/not READY within 100 ms \(last state: DISCONNECT\)/);
  });
});

describe("quant-ws login: a gateway that hands out a token another session holds", () => {
  it("the second login fails at once with a ResponseFormatError; the first session keeps its token and its notifications, and no logout is sent for it", async () => {
    const received: Array<Record<string, unknown>> = [];
    const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    onTestFinished(() => new Promise<void>((r) => wss.close(() => r())));
    let socket: import("ws").WebSocket | undefined;
    wss.on("connection", (ws) => {
      socket = ws;
      ws.on("message", (raw) => {
        const f = JSON.parse(String(raw)) as Record<string, unknown>;
        received.push(f);
        if (f.op === "login") {
          ws.send(JSON.stringify({ op: "login", cid: f.cid, result: true, error_message: "", token: "SAME" }));
          ws.send(JSON.stringify({ op: "state", token: "SAME", code: 6, msg: "" }));
        } else if (f.op === "logout") ws.send(JSON.stringify({ op: "logout", cid: f.cid, result: true, error_message: "" }));
      });
    });
    await new Promise<void>((r) => wss.once("listening", () => r()));
    const client = createQuantWsClient({ url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/ws/v1`, loginTimeoutMs: 3_000, reconnect: false });
    onTestFinished(() => client.close());
    const first = await client.login(creds());
    const started = Date.now();
    const e = await rejection(client.login(creds({ accessKey: "ak-other", secretKey: "sk-other" })));
    expect(e).toBeInstanceOf(ResponseFormatError);
    expect(e.message).toContain("the gateway answered this login with the token of another session of this client");
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(first.token).toBe("SAME");
    expect(client.sessions).toEqual([first]);
    expect(received.filter((f) => f.op === "logout")).toEqual([]);
    const next = first.next("order", 2_000);
    socket!.send(JSON.stringify({ op: "notify", topic: "order", token: "SAME", data: payloads.order() }));
    await expect(next).resolves.toMatchObject({ order_no: "1" });
  });
});

describe("state 7 during login: keys refused, or a setup step that failed", () => {
  it("is a QuantWsLoginRejectedError (an AuthError) only when the adapter's message is about the keys", async () => {
    const { loginStateError } = await import("../../src/handwritten/quant-ws/errors.js");
    const ctx = { platform: "huobi" };
    for (const msg of ["Websocket connection authorized failed: invalid access key", "Invalid Sign", "invalid-passphrase", "Login failed.", "permission denied", "api key expired"]) {
      expect(loginStateError(7, msg, ctx), msg).toBeInstanceOf(QuantWsLoginRejectedError);
    }
    for (const msg of ["_init_contract_info error: symbol not found", "get_account_balance error", "get open orders error", "subscribe order channel failed!", "signal lost"]) {
      const e = loginStateError(7, msg, ctx);
      expect(e, msg).toBeInstanceOf(QuantWsStateError);
      expect(e, msg).not.toBeInstanceOf(AuthError);
      expect(e!.kind).toBe("other");
    }
  });
});

describe("sessions come from login()", () => {
  it("new QuantWsSession() (which type-checks: the declarations leave its constructor out) is a UsageError saying where sessions come from, not a TypeError", () => {
    const make = QuantWsSession as unknown as new (...args: unknown[]) => unknown;
    for (const args of [[], [{}, {}], [null, null]]) {
      const e = (() => {
        try {
          return new make(...args);
        } catch (x) {
          return x;
        }
      })();
      expect(e).toBeInstanceOf(UsageError);
      expect((e as Error).message).toBe("quant-ws: a QuantWsSession is made by client.login(), not by new QuantWsSession()");
    }
  });
});
