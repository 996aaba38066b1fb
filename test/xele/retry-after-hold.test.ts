/**
 * A Retry-After the counter gave holds the client's next calls, and `retry.maxDelayMs` bounds
 * how long a call waits it out (beyond it: a RateLimitError at once, nothing sent), as on the
 * other clients. Xele runs its retries itself, and its wait used the 2 s default whatever
 * `retry.maxDelayMs` said.
 */
import { describe, expect, it } from "vitest";
import { createXeleClient } from "../../src/handwritten/xele/client.js";
import { RateLimitError } from "../../src/handwritten/core/errors.js";

const jsonAnswer = (body: unknown, status = 200, headers: Record<string, string> = {}) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

function counter() {
  let reads = 0;
  const fetch = async (input: string | URL | Request): Promise<Response> => {
    const url = String(input instanceof Request ? input.url : input);
    if (url.includes(":8899")) return jsonAnswer({ code: 0, msg: "成功", ticket: "tok-abcdefghijklmnop", username: "u" });
    return ++reads === 1 ? new Response("busy", { status: 429, headers: { "content-type": "text/plain", "retry-after": "1" } }) : jsonAnswer({ code: 0, msg: "成功", result: [] });
  };
  return { fetch, reads: () => reads };
}

describe("xele: a Retry-After hold and retry.maxDelayMs", () => {
  it("retry.maxDelayMs 100: a call within a 1 s hold fails at once, nothing sent (it waited the hold out, up to the 2 s default)", async () => {
    const { fetch, reads } = counter();
    const c = createXeleClient({ maUrl: "http://127.0.0.1:8899", msUrl: "http://127.0.0.1:8181", username: "u", password: "p", fetch, retry: { maxDelayMs: 100, baseDelayMs: 1 } });
    await expect(c.call("getFrontControls", {})).rejects.toThrow(/HTTP 429/);
    const sent = reads();
    const t0 = performance.now();
    const second = await c.call("getFrontControls", {}).then(() => "ok", (e: unknown) => e);
    expect(second).toBeInstanceOf(RateLimitError);
    expect(second).toMatchObject({ code: "retry-after" });
    expect(performance.now() - t0).toBeLessThan(300);
    expect(reads()).toBe(sent);
  });
});
