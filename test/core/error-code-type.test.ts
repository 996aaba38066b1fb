/**
 * ApiError.code is typed string | number: a vendor code beyond 2^53 (read exactly as a bigint by
 * the JSON reader) is given as its digits, on every API (XT and BHEX gave a bigint, which a
 * consumer's JSON.stringify of its own log record threw on).
 */
import { describe, expect, it } from "vitest";
import { ApiError } from "../../src/handwritten/core/errors.js";
import { createBhexOrgClient } from "../../src/handwritten/bhex/client.js";
import { createXtClient } from "../../src/handwritten/xt/client.js";

const answering = (text: string) => (async () => new Response(text, { headers: { "content-type": "application/json" } })) as typeof fetch;
const BIG = "12345678901234567890";

describe("a vendor code beyond 2^53", () => {
  it("is the code's digits as a string (XT, BHEX), every digit kept", async () => {
    const xt = createXtClient({ accessKey: "a", secretKey: "s", baseUrl: "https://xt.test", fetch: answering(`{"code":${BIG},"info":"odd"}`), retry: false, rateLimit: false });
    const bhex = createBhexOrgClient({ accessKey: "a", secretKey: "s", baseUrl: "https://bhex.test", fetch: answering(`{"status":${BIG},"msg":"odd"}`), retry: false, rateLimit: false });
    for (const p of [xt.call("getServerTime"), bhex.call("accountBalance", { user_id: 1 })]) {
      const e = (await p.catch((x: unknown) => x)) as ApiError;
      expect(e).toBeInstanceOf(ApiError);
      expect(e.code).toBe(BIG);
      expect(() => JSON.stringify({ code: e.code })).not.toThrow();
      expect(e.message).toContain(`code ${BIG}`);
    }
  });
});

describe("an error class made without a kind", () => {
  it("has its class's kind (a RateLimitError said \"other\"): a switch on kind and instanceof agree", async () => {
    const { RateLimitError, TimestampError, AuthError, ServiceUnavailableError } = await import("../../src/handwritten/core/errors.js");
    expect(new RateLimitError({ code: 1 }).kind).toBe("rate-limit");
    expect(new TimestampError({ code: 1 }).kind).toBe("timestamp");
    expect(new AuthError({ code: 1 }).kind).toBe("auth");
    expect(new ServiceUnavailableError({ code: 1 }).kind).toBe("unavailable");
    expect(new ApiError({ code: 1 }).kind).toBe("other");
    class MyLimit extends RateLimitError {}
    expect(new MyLimit({ code: 1 }).kind).toBe("rate-limit");
    // (a kind given against the class is the class's: kind and instanceof never disagree)
    expect(new RateLimitError({ code: 1, kind: "other" }).kind).toBe("rate-limit");
  });
});
