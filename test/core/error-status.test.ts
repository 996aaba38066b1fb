/**
 * A vendor's error answer in an HTTP status that says what it is: a 429 or 5xx whose JSON body
 * holds a code the spec's table gives no kind (or kind "other") is a RateLimitError or a
 * ServiceUnavailableError saying the status, and a read retries it as it retries the same status
 * with an HTML page. A code the table classifies keeps its kind whatever the status.
 */
import { describe, expect, it } from "vitest";
import { createBhexOrgClient } from "../../src/handwritten/bhex/client.js";
import { ApiError, AuthError, RateLimitError, ServiceUnavailableError } from "../../src/handwritten/core/errors.js";
import { createHubiClient } from "../../src/handwritten/hubi/client.js";
import { createXtClient } from "../../src/handwritten/xt/client.js";
import { meta as bhexDocs } from "../../generated/bhex-org.docs.js";
import { meta as hubiDocs } from "../../generated/hubi-futures.docs.js";
import { meta as xtDocs } from "../../generated/xt-spot.docs.js";
import { specExample } from "../helpers/answers.js";
import { recordingFetch } from "../helpers/recording-fetch.js";

const KEYS = { accessKey: "ak-status-1", secretKey: "sk-status-1" };
const retry = { sleep: async () => {}, maxAttempts: 3 };
const answer = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

const APIS = {
  xt: {
    read: (fetch: typeof globalThis.fetch) => createXtClient({ ...KEYS, fetch, retry, rateLimit: false }).call("getBalance"),
    write: (fetch: typeof globalThis.fetch) => createXtClient({ ...KEYS, fetch, retry, rateLimit: false }).call("cancel", { market: "btc_usdt", id: 1 }),
    failure: (code: number) => ({ code, info: "busy, try later", data: null }),
    ok: () => JSON.parse(specExample(xtDocs, "getBalance")),
  },
  bhex: {
    read: (fetch: typeof globalThis.fetch) => createBhexOrgClient({ ...KEYS, fetch, retry }).call("basicTime"),
    write: undefined,
    failure: (code: number) => ({ code, msg: "busy, try later" }),
    ok: () => JSON.parse(specExample(bhexDocs, "basicTime")),
  },
  hubi: {
    read: (fetch: typeof globalThis.fetch) => createHubiClient({ ...KEYS, accessToken: "tk-status-1", fetch, retry, rateLimit: false }).call("queryAccounts"),
    write: undefined,
    failure: () => ({ status: -1, message: "busy, try later" }),
    ok: () => JSON.parse(specExample(hubiDocs, "queryAccounts")),
  },
} as const;

describe.each(Object.keys(APIS) as Array<keyof typeof APIS>)("%s", (api) => {
  const a = APIS[api];
  it.each([429, 500, 502, 503, 504])("a read answered %i with a vendor body is retried, and succeeds when the server recovers", async (status) => {
    const { fetch, calls } = recordingFetch((_req, n) => (n === 1 ? answer(status, a.failure(status), { "retry-after": "0" }) : answer(200, a.ok())));
    await expect(a.read(fetch)).resolves.toBeDefined();
    expect(calls).toHaveLength(2);
  });

  it("one that keeps failing ends as the typed error of its status, saying it and the Retry-After", async () => {
    for (const [status, Cls] of [[429, RateLimitError], [503, ServiceUnavailableError]] as const) {
      const { fetch, calls } = recordingFetch(() => answer(status, a.failure(status), { "retry-after": "0" }));
      const e = (await a.read(fetch).catch((err: unknown) => err)) as ApiError;
      expect(e).toBeInstanceOf(Cls);
      expect(e.httpStatus).toBe(status);
      expect(e.retryAfterMs).toBe(0);
      expect(e.message).toContain(`(HTTP ${status}) (the server asks to retry after 0 s)`);
      expect(calls).toHaveLength(3);
    }
  });
});

describe("what the status does not change", () => {
  it("a call that changes state is not retried (one attempt), its error still typed by the status", async () => {
    const { fetch, calls } = recordingFetch(() => answer(503, APIS.xt.failure(503)));
    const e = await APIS.xt.write(fetch).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(ServiceUnavailableError);
    expect(calls).toHaveLength(1);
  });

  it("a code the spec classifies keeps its kind in a 5xx (BHEX 1105, wrong credentials: not retried)", async () => {
    const { fetch, calls } = recordingFetch(() => answer(500, { code: 1105, msg: "Username or password is incorrect" }));
    const e = (await APIS.bhex.read(fetch).catch((err: unknown) => err)) as ApiError;
    expect(e).toBeInstanceOf(AuthError);
    expect(e.message).toMatch(/^bhex basicTime: code 1105 Username or password is incorrect .* \(HTTP 500\)$/);
    expect(calls).toHaveLength(1);
  });

  it("a 4xx with an unknown code stays a plain ApiError (not retried)", async () => {
    const { fetch, calls } = recordingFetch(() => answer(400, APIS.xt.failure(777)));
    const e = await APIS.xt.read(fetch).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(ApiError);
    expect(e).not.toBeInstanceOf(ServiceUnavailableError);
    expect(e).not.toBeInstanceOf(RateLimitError);
    expect(calls).toHaveLength(1);
  });
});

describe("what an error says of its HTTP status and Retry-After", () => {
  it("a vendor code in an HTTP 200 answer carries httpStatus 200 on every API (it was undefined, while .GET's response said 200)", async () => {
    const xt = createXtClient({ ...KEYS, fetch: recordingFetch(() => answer(200, { code: 121, info: "no such order", data: null })).fetch, retry: false, rateLimit: false });
    const e = await xt.call("getOrder", { market: "btc_usdt", id: 1 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect(e).toMatchObject({ code: 121, httpStatus: 200 });
    const { error, response } = await xt.GET("/trade/api/v1/getOrder", { params: { query: { market: "btc_usdt", id: 1 } } } as never);
    expect([(error as ApiError | undefined)?.httpStatus, response.status]).toEqual([200, 200]);
    const bhex = createBhexOrgClient({ ...KEYS, fetch: recordingFetch(() => answer(200, { status: 31009, msg: "user info error" })).fetch, retry: false });
    expect(await bhex.call("basicTime").catch((x: unknown) => x)).toMatchObject({ code: 31009, httpStatus: 200 });
  });

  it("a Retry-After beyond what a timer holds says so, not the 2147483.647 s it is read as", async () => {
    const fetch = recordingFetch(() => answer(429, { code: 106, info: "too many", data: null }, { "retry-after": "1000000000" })).fetch;
    const xt = createXtClient({ ...KEYS, fetch, retry: false, rateLimit: false });
    const e = (await xt.call("getBalance").catch((x: unknown) => x)) as Error;
    expect(e.message).toContain("(the server asks to retry after 24.8 days or more)");
    expect(e.message).not.toContain("2147483.647");
  });
});
