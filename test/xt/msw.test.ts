/**
 * The XT client at the network boundary with msw: the real global fetch, intercepted.
 * Without a `fetch` option the client sends with undici.request on its own agent, which msw
 * does not see: the rule is no `fetch` option → undici, `fetch` option → that fetch. So these
 * clients are given `fetch: globalThis.fetch`, read after listen() (msw patches it then).
 */
import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signXtParams } from "../../src/auth/xt.js";
import { OrderNotFoundError } from "../../src/handwritten/core/errors.js";
import { createXtClient } from "../../src/handwritten/xt/client.js";
import { xtOk, xtOrderJson } from "../helpers/answers.js";

const KEYS = { accessKey: "msw-key", secretKey: "msw-secret" };
const server = setupServer(
  http.get("https://api.xt.com/trade/api/v1/getOrder", ({ request }) => {
    const q = Object.fromEntries(new URL(request.url).searchParams);
    const { signature, ...rest } = q;
    if (signature !== signXtParams(rest, KEYS.secretKey)) return HttpResponse.json({ code: 308, info: "bad sign" });
    if (q.id !== "1234567890123456789") return HttpResponse.json({ code: 121, info: "撤单失败，订单不存在或已取消" });
    return new HttpResponse(xtOk(xtOrderJson("1234567890123456789", 1)), {
      headers: { "content-type": "application/json" },
    });
  }),
  http.post("https://api.xt.com/trade/api/v1/cancel", async ({ request }) => {
    const form = Object.fromEntries(new URLSearchParams(await request.text()));
    const { signature, ...rest } = form;
    return HttpResponse.json(signature === signXtParams(rest, KEYS.secretKey) ? { code: 200, info: "ok" } : { code: 308, info: "bad sign" });
  }),
);

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterAll(() => server.close());

describe("XT client through msw", () => {
  it("signs the query of a GET and keeps the big ID exact", async () => {
    const xt = createXtClient({ ...KEYS, rateLimit: false, fetch: globalThis.fetch });
    const order = await xt.call("getOrder", { market: "btc_usdt", id: 1234567890123456789n });
    expect(order?.id).toBe(1234567890123456789n);
  });

  it("signs the form body of a POST", async () => {
    const xt = createXtClient({ ...KEYS, rateLimit: false, fetch: globalThis.fetch });
    await expect(xt.call("cancel", { market: "btc_usdt", id: 5 })).resolves.toBeUndefined();
  });

  it("maps the vendor code to the error class", async () => {
    const xt = createXtClient({ ...KEYS, rateLimit: false, fetch: globalThis.fetch });
    await expect(xt.call("getOrder", { market: "btc_usdt", id: 7 })).rejects.toBeInstanceOf(OrderNotFoundError);
  });
});
