/**
 * The wall clock set while calls wait (an NTP step, a VM resumed, an operator's `date -s`):
 * waits and timeouts run on the monotonic clock, so a clock set back an hour does not hold a
 * call for that hour, and one set forward does not let a burst past the rate limiter or expire
 * requests sent a moment ago. Only `Date` is faked here; timers and `performance.now()` run.
 * Nonces and the ping's `ts` stay wall-clock times, as the vendors' documents ask.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { RateLimiter } from "../../src/handwritten/core/rate-limit.js";
import { TimeoutError } from "../../src/handwritten/core/errors.js";
import { createXtClient } from "../../src/handwritten/xt/client.js";
import { json, recordingFetch } from "../helpers/recording-fetch.js";
import { creds, isOp, rejection, setup } from "../quant-ws/helpers.js";

const HOUR = 3_600_000;
const setClock = (deltaMs: number) => vi.setSystemTime(Date.now() + deltaMs);
/** `promise`, or an error once `ms` pass: a wait held for an hour fails the test in seconds. */
const within = <T>(ms: number, promise: Promise<T>): Promise<T> =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`still waiting after ${ms} ms`)), ms))]);

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date("2026-06-01T12:00:00Z"));
});
afterEach(() => {
  vi.useRealTimers();
});

describe("the rate limiter", () => {
  it("a clock set back an hour: the next turn still comes after the interval", async () => {
    const rl = new RateLimiter({ key: { limit: 1, intervalMs: 200 } });
    await rl.acquire(["key"]);
    setClock(-HOUR);
    const t0 = performance.now();
    await within(2_000, rl.acquire(["key"]));
    expect(performance.now() - t0).toBeGreaterThan(150);
  });

  it("a clock set forward an hour lets no burst through: the next turn waits out the interval", async () => {
    const rl = new RateLimiter({ key: { limit: 1, intervalMs: 400 } });
    await rl.acquire(["key"]);
    const t0 = performance.now();
    setClock(HOUR);
    await rl.acquire(["key"]);
    expect(performance.now() - t0).toBeGreaterThan(350);
  });

  it("a client's default limiter too (XT: 3 balance calls a second)", async () => {
    const { fetch } = recordingFetch(() => json({ code: 200, info: "SUCCESS", data: {} }));
    const xt = createXtClient({ baseUrl: "https://xt.test", accessKey: "ak", secretKey: "sk", fetch });
    for (let i = 0; i < 3; i++) await xt.call("getBalance");
    setClock(-HOUR);
    await within(3_000, xt.call("getBalance"));
  });
});

describe("quant-ws", () => {
  it("a clock set back an hour: a request still times out after its timeoutMs", async () => {
    const { mock, client } = await setup();
    const session = await client.login(creds());
    mock.silence("asset");
    const asked = rejection(session.asset({ timeoutMs: 300 }));
    await mock.waitForFrame(isOp("asset"));
    setClock(-HOUR);
    const e = await within(3_000, asked);
    expect(e).toBeInstanceOf(TimeoutError);
    expect(e).toMatchObject({ operation: "asset", timeoutMs: 300 });
  });

  it("a clock set forward an hour: a request sent after it is not expired with the ones before", async () => {
    const { mock, client } = await setup();
    const session = await client.login(creds());
    mock.silence("asset");
    const first = rejection(session.asset({ timeoutMs: 600 }));
    await new Promise((r) => setTimeout(r, 300));
    setClock(HOUR);
    const sentAt = performance.now();
    let secondEnded = 0;
    const second = rejection(session.asset({ timeoutMs: 600 })).then((e) => ((secondEnded = performance.now()), e));
    expect(await within(3_000, first)).toBeInstanceOf(TimeoutError);
    expect(await within(3_000, second)).toBeInstanceOf(TimeoutError);
    // Its own 600 ms, not the first one's remaining 300.
    expect(secondEnded - sentAt).toBeGreaterThan(500);
  });

  it("a clock set back an hour while a session waits for READY: the wait still ends at its timeout", async () => {
    const { mock, client } = await setup({ readyDelayMs: 60_000 }, { loginTimeoutMs: 400 });
    const login = rejection(client.login(creds()));
    await mock.waitForFrame(isOp("login"));
    setClock(-HOUR);
    const e = await within(3_000, login);
    expect(e).toBeInstanceOf(TimeoutError);
  });

  it("ping(): the round trip is measured on the monotonic clock, not the wall clock that was set meanwhile", async () => {
    const { client } = await setup();
    await client.login(creds());
    const rtt = client.ping();
    setClock(-HOUR);
    const ms = await within(3_000, rtt);
    expect(ms).toBeGreaterThanOrEqual(0);
    expect(ms).toBeLessThan(1_000);
  });
});
