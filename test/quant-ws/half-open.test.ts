import { describe, expect, it } from "vitest";
import { InvalidRequestError } from "../../src/handwritten/core/errors.js";
import { backoffDelayMs } from "../../src/handwritten/core/retry.js";
import type { QuantWsClientEvents } from "../../src/handwritten/quant-ws/index.js";
import { creds, framesOf, setup } from "./helpers.js";

// The server notices a dead socket only at its idle check: a login made on a socket that died
// half-open lingers there, and logging in again meanwhile is "Do not log in repeat".
const mockOpts = { idleTimeoutMs: 500, idleCheckMs: 50 };
const fastHeartbeat = { pingIntervalMs: 40, maxMissedPongs: 2, reconnect: { baseDelayMs: 10, maxDelayMs: 20 } };

describe("quant-ws half-open socket, then reconnect", () => {
  it("retries the refused re-login with the one backoff formula until the server lets the old login go", async () => {
    const { mock, client } = await setup(mockOpts, { ...fastHeartbeat, repeatLogin: { windowMs: 5_000, baseDelayMs: 40, maxDelayMs: 160, random: () => 0.5 } });
    const session = await client.login(creds());
    const oldToken = session.token;
    const retries: Array<QuantWsClientEvents["reloginRetry"]> = [];
    client.on("reloginRetry", (r) => retries.push(r));
    const reconnected = client.next("reconnected", 5_000);
    const started = Date.now();
    mock.halfOpen();

    const back = await reconnected;
    expect(back.failed).toEqual([]);
    expect(back.sessions).toEqual([{ session }]);
    // Refused at least until the idle check released the old login (500 ms of silence).
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    expect(retries.length).toBeGreaterThanOrEqual(2);
    expect(retries.every((r) => r.session === session && r.error instanceof InvalidRequestError && r.error.code === "Do not log in repeat")).toBe(true);
    expect(retries.map((r) => r.delayMs)).toEqual(retries.map((_, i) => backoffDelayMs(i + 1, { baseDelayMs: 40, maxDelayMs: 160, random: () => 0.5 })));
    expect(retries.slice(0, 4).map((r) => r.delayMs)).toEqual([20, 40, 80, 80].slice(0, Math.min(4, retries.length)));
    const refused = framesOf(mock, "login").length;
    expect(refused).toBe(retries.length + 2);
    expect(session.ready).toBe(true);
    expect(session.token).not.toBe(oldToken);
    await expect(session.asset()).resolves.toHaveProperty("USDT");
  });

  it("gives up when the window passes, with an error naming it, and ends the session", async () => {
    const { mock, client } = await setup({ idleTimeoutMs: 60_000, idleCheckMs: 50 }, { ...fastHeartbeat, repeatLogin: { windowMs: 200, baseDelayMs: 20, maxDelayMs: 40 } });
    const session = await client.login(creds());
    const reconnected = client.next("reconnected", 5_000);
    mock.halfOpen();
    const back = await reconnected;
    expect(back.sessions).toEqual([]);
    expect(back.failed).toHaveLength(1);
    const error = back.failed[0]!.error;
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error.message).toMatch(/Do not log in repeat .*still held this access_key@platform after \d+ attempts over \d+ ms \(repeatLogin.windowMs 200\)/);
    expect(session.ended).toBe(true);
  });

  it("repeatLogin: false ends the session at the first refusal", async () => {
    const { mock, client } = await setup({ idleTimeoutMs: 60_000, idleCheckMs: 50 }, { ...fastHeartbeat, repeatLogin: false });
    const session = await client.login(creds());
    const retries: unknown[] = [];
    client.on("reloginRetry", (r) => retries.push(r));
    const reconnected = client.next("reconnected", 5_000);
    mock.halfOpen();
    const back = await reconnected;
    expect(back.failed.map((f) => (f.error as InvalidRequestError).code)).toEqual(["Do not log in repeat"]);
    expect(retries).toEqual([]);
    expect(session.ended).toBe(true);
  });

  it("a socket that drops during the backoff hands the re-login to the next reconnect (no two logins at once)", async () => {
    const { mock, client } = await setup(mockOpts, { ...fastHeartbeat, repeatLogin: { windowMs: 5_000, baseDelayMs: 150, maxDelayMs: 150, random: () => 1 } });
    const session = await client.login(creds());
    const firstRetry = client.next("reloginRetry", 5_000);
    mock.halfOpen();
    await firstRetry;
    const done = new Promise<QuantWsClientEvents["reconnected"]>((resolve) => {
      const off = client.on("reconnected", (r) => {
        if (!r.sessions.length && !r.failed.length) return;
        off();
        resolve(r);
      });
    });
    mock.dropSockets();
    const back = await done;
    expect(back.failed).toEqual([]);
    expect(back.sessions.map((s) => s.session)).toEqual([session]);
    expect(session.ended).toBe(false);
    expect(mock.tokens()).toEqual([session.token]);
    await expect(session.asset()).resolves.toHaveProperty("USDT");
  });

  it("close() during the backoff stops at once", async () => {
    const { mock, client } = await setup({ idleTimeoutMs: 60_000, idleCheckMs: 50 }, { ...fastHeartbeat, repeatLogin: { windowMs: 60_000, baseDelayMs: 5_000, maxDelayMs: 5_000, random: () => 1 } });
    const session = await client.login(creds());
    const retrying = client.next("reloginRetry", 5_000);
    mock.halfOpen();
    await retrying;
    const started = Date.now();
    await client.close();
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(session.ended).toBe(true);
  });
});
