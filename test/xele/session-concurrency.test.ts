/**
 * The Xele session under many calls at once: a counter that refuses every token meets one
 * re-login, not one per wave of calls; calls queued for a slot do not send a token dropped
 * meanwhile (they give the slot back and wait for the login); a shared login's failure reaches each call as
 * its own error naming its operation; a token many logins old is still scrubbed from errors.
 */
import { describe, expect, it } from "vitest";
import { ApiError, AuthError, TimeoutError } from "../../src/handwritten/core/errors.js";
import { createXeleClient } from "../../src/handwritten/xele/client.js";
import { recordingFetch, type Recorded } from "../helpers/recording-fetch.js";

const answer = (value: unknown) => new Response(JSON.stringify(value), { headers: { "content-type": "application/json" } });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The token a recorded request carries (JSON body, or a GET's base64 `params`). */
function tokenOf(req: Recorded): string | undefined {
  const params = req.url.searchParams.get("params");
  const text = params ? Buffer.from(params, "base64").toString("utf8") : req.body;
  try {
    return (JSON.parse(text) as { token?: string }).token;
  } catch {
    return undefined;
  }
}

const INFO = { code: 0, msg: "成功", result: { system_name: "x", trading_day: "20260101" } };
const opts = { maUrl: "http://ma.test", msUrl: "http://ms.test", username: "u", password: "secret-pw-0123", retry: false as const };

describe("xele session under concurrency", () => {
  it("a counter that refuses every token: one re-login for a burst of 40 calls (not one per wave), every call an AuthError of its own", async () => {
    let logins = 0;
    const { fetch, calls } = recordingFetch(async (req) => {
      if (req.url.pathname === "/login") return answer({ code: 0, msg: "成功", ticket: `tok-${++logins}` });
      await sleep(5);
      return answer({ code: 109, msg: "无效token" });
    });
    const c = createXeleClient({ ...opts, fetch });
    const errors = await Promise.all(Array.from({ length: 40 }, () => c.call("getSystemInfo").catch((e: unknown) => e)));
    expect(logins).toBe(2);
    for (const e of errors) {
      expect(e).toBeInstanceOf(AuthError);
      expect(e).toMatchObject({ code: 109, operation: "getSystemInfo" });
    }
    expect(new Set(errors).size).toBe(40);
    // (the calls holding the refused token when a slot came are not sent at all)
    expect(calls.filter((r) => r.url.pathname !== "/login").length).toBeLessThan(40 + 4);
    // A later call logs in again (the counter may have come back), once.
    await c.call("getSystemInfo").catch(() => undefined);
    expect(logins).toBe(3);
  });

  it("a token that expired: calls queued for a slot wait for the new login instead of sending the dropped token", async () => {
    let logins = 0;
    let expired = "";
    const { fetch, calls } = recordingFetch(async (req) => {
      if (req.url.pathname === "/login") {
        await sleep(20);
        return answer({ code: 0, msg: "成功", ticket: `tok-${++logins}` });
      }
      await sleep(40);
      return tokenOf(req) === expired ? answer({ code: 109, msg: "无效token" }) : answer(INFO);
    });
    const c = createXeleClient({ ...opts, fetch, maxInFlight: 2 });
    await c.login();
    expired = "tok-1";
    const results = await Promise.all(Array.from({ length: 12 }, () => c.call("getSystemInfo")));
    expect(results).toHaveLength(12);
    expect(logins).toBe(2);
    const sentStale = calls.filter((r) => r.url.pathname !== "/login" && tokenOf(r) === "tok-1");
    // Only the calls in flight when the 109 came (2 slots) sent the dropped token.
    expect(sentStale.length).toBeLessThanOrEqual(2);
  });

  it("on MA (where the login goes too): the calls queued for an MA slot step aside for the re-login, none sends the dropped token", async () => {
    let logins = 0;
    let expired = "";
    const order: string[] = [];
    const { fetch } = recordingFetch(async (req) => {
      if (req.url.pathname === "/login") {
        order.push("login");
        return answer({ code: 0, msg: "成功", ticket: `tok-${++logins}` });
      }
      order.push(tokenOf(req) ?? "?");
      await sleep(30);
      return tokenOf(req) === expired ? answer({ code: 109, msg: "无效token" }) : answer({ code: 0, msg: "成功", result: [] });
    });
    const c = createXeleClient({ ...opts, fetch, maxInFlight: { MA: 1 } });
    await c.login();
    expired = "tok-1";
    order.length = 0;
    await Promise.all(Array.from({ length: 6 }, () => c.call("getTradeTemplates")));
    // The first call meets the 109; the login comes next, before the 5 calls queued behind it.
    expect(order).toEqual(["tok-1", "login", ...Array(6).fill("tok-2")]);
  });

  it("a login that fails reaches each waiting call as its own error naming the call's operation, the login's error its cause", async () => {
    const { fetch } = recordingFetch(async (req) => {
      if (req.url.pathname === "/login") {
        await sleep(200);
        return answer({ code: 0, msg: "成功", ticket: "t" });
      }
      return answer(INFO);
    });
    const c = createXeleClient({ ...opts, fetch, timeoutMs: 50 });
    const errors = await Promise.all([c.call("getSystemInfo"), c.call("getInvestorFunds"), c.call("getSystemInfo")].map((p) => p.then(() => new Error("resolved"), (e: unknown) => e as Error)));
    expect(new Set(errors).size).toBe(3);
    expect(errors.map((e) => (e as ApiError).operation)).toEqual(["getSystemInfo", "getInvestorFunds", "getSystemInfo"]);
    for (const e of errors) {
      expect(e).toBeInstanceOf(TimeoutError);
      expect(e.message).toMatch(/^xele (getSystemInfo|getInvestorFunds): the login failed: no answer within 50 ms/);
      expect((e.cause as TimeoutError).operation).toBe("login");
      expect(e.stack?.split("\n")[0]).toBe(`TimeoutError: ${e.message}`);
    }
    expect(errors[0]!.cause).toBe(errors[1]!.cause);
  });

  it("MA issuing the same ticket again: a refusal of it is judged anew (a later 109 still brings a re-login)", async () => {
    let logins = 0;
    let refuse = 2;
    const { fetch } = recordingFetch(async (req) => {
      if (req.url.pathname === "/login") return answer({ code: 0, msg: "成功", ticket: `same-ticket-${(logins++, "0001")}` });
      if (refuse > 0) return refuse--, answer({ code: 109, msg: "无效token" });
      return answer(INFO);
    });
    const c = createXeleClient({ ...opts, fetch });
    await expect(c.call("getSystemInfo")).rejects.toBeInstanceOf(AuthError);
    await c.call("getSystemInfo");
    refuse = 1;
    await expect(c.call("getSystemInfo")).resolves.toBeDefined();
  });

  it("a login answer holding a decimal no double holds, in a member the login does not read, is a login", async () => {
    const { fetch } = recordingFetch(async (req) => {
      if (req.url.pathname === "/login") return new Response('{"code":0,"msg":"ok","ticket":"TICKET-abcdef0123","serverTime":1700000000.12345678901}', { headers: { "content-type": "application/json" } });
      return answer(INFO);
    });
    const c = createXeleClient({ ...opts, fetch });
    await expect(c.call("getSystemInfo")).resolves.toMatchObject({ system_name: "x" });
  });

  it("a token 20 logins old that an answer echoes is still scrubbed", async () => {
    let logins = 0;
    const { fetch } = recordingFetch(async (req) => {
      if (req.url.pathname === "/login") return answer({ code: 0, msg: "成功", ticket: `TICKET-${++logins}-abcdefgh` });
      return answer({ code: 116, msg: `bad request for session TICKET-1-abcdefgh` });
    });
    const c = createXeleClient({ ...opts, fetch });
    for (let i = 0; i < 20; i++) await c.login();
    const e = (await c.call("getSystemInfo").catch((x: unknown) => x)) as ApiError;
    expect(e).toBeInstanceOf(ApiError);
    expect(`${e.message} ${JSON.stringify(e)} ${e.stack}`).not.toContain("TICKET-1-abcdefgh");
  });
});
