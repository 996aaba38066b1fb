import { describe, expect, it } from "vitest";
import { ApiError, CredentialsError, InvalidRequestError, TimeoutError } from "../../src/handwritten/core/errors.js";
import { QuantWsStateError, SessionNotReadyError, StateCode } from "../../src/handwritten/quant-ws/index.js";
import { creds, ETH, framesOf, isOp, rejection, setup } from "./helpers.js";

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
    expect(frame).toMatchObject({ op: "login", platform: "binance", symbols: [ETH], access_key: "ak-test", secret_key: "sk-test" });
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
    { given: "fail-param-key", want: StateCode.PARAM_MISS, name: "PARAM_MISS", kind: "invalid-request" },
    { given: "fail-connect", want: StateCode.CONNECT_FAILED, name: "CONNECT_FAILED", kind: "unavailable" },
  ])("rejects with QuantWsStateError on state $name and releases the login", async ({ given, want, kind }) => {
    const { mock, client } = await setup();
    const e = await rejection(client.login(creds({ accessKey: given })));
    expect(e).toBeInstanceOf(QuantWsStateError);
    expect(e).toBeInstanceOf(ApiError);
    expect((e as QuantWsStateError).stateCode).toBe(want);
    expect((e as QuantWsStateError).kind).toBe(kind);
    // The client logs the failed token out so that a later login is not "repeat".
    const logout = await mock.waitForFrame(isOp("logout"));
    expect(logout.frame).toMatchObject({ op: "logout", token: expect.any(String) });
    await expect.poll(() => mock.tokens()).toEqual([]);
    expect(client.sessions).toHaveLength(0);
  });

  it("times out when READY never comes", async () => {
    const { client } = await setup({ readyDelayMs: 60_000 }, { loginTimeoutMs: 150 });
    const started = Date.now();
    const e = await rejection(client.login(creds()));
    expect(e).toBeInstanceOf(TimeoutError);
    expect(e.message).toMatch(/no READY state within \d+ ms after the login reply \(no state notification\)/);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("times out when the login reply never comes", async () => {
    const { mock, client } = await setup({}, { loginTimeoutMs: 150 });
    mock.silence("login");
    const e = await rejection(client.login(creds()));
    expect(e).toBeInstanceOf(TimeoutError);
    expect(e.message).toMatch(/no login reply within 150 ms/);
  });

  it("checks credentials before touching the network", async () => {
    const { mock, client } = await setup();
    const e = await rejection(client.login(creds({ secretKey: "" })));
    expect(e).toBeInstanceOf(CredentialsError);
    expect(e.message).toMatch(/QUANT_WS_SECRET_KEY/);
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
