/**
 * Redirects are never followed (RedirectError, src/handwritten/core/errors.ts): a 3xx to
 * another origin would receive the signed headers, one to the same origin would resend a
 * possibly state-changing request. The error says where it pointed, redacted.
 * Clients made without a `fetch` option send with undici.request (the default road); the
 * last tests run the same refusal through an injected fetch (`redirect: "manual"`).
 */
import { afterEach, describe, expect, it } from "vitest";
import { createBhexOrgClient } from "../../src/handwritten/bhex/client.js";
import { HttpError, RedirectError } from "../../src/handwritten/core/errors.js";
import { createHubiClient } from "../../src/handwritten/hubi/client.js";
import { createXtClient } from "../../src/handwritten/xt/client.js";
import { startProbeServer, type ProbeServer } from "./leak-probe.js";

let servers: ProbeServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});
async function server(...args: Parameters<typeof startProbeServer>) {
  const s = await startProbeServer(...args);
  servers.push(s);
  return s;
}

describe("redirects of signed requests", () => {
  it.each([301, 302, 303, 307, 308])("HTTP %i to another origin: refused, nothing sent there, location redacted", async (status) => {
    const other = await server(() => ({ status: 200, body: "{}" }));
    const api = await server((c) => ({ status, body: "", headers: { location: `${other.origin}/steal${c.url.slice(c.url.indexOf("?"))}` } }));
    const xt = createXtClient({ accessKey: "ak-redirect-1", secretKey: "sk-redirect-1", baseUrl: api.url, rateLimit: false, retry: false });
    const e = await xt.call("getBalance").catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RedirectError);
    expect(e).toBeInstanceOf(HttpError);
    const r = e as RedirectError;
    expect(r.status).toBe(status);
    expect(r.sameOrigin).toBe(false);
    expect(r.location.startsWith(`${other.origin}/steal?`)).toBe(true);
    expect(r.location).toContain("signature=[redacted]");
    expect(r.location).not.toContain("ak-redirect-1");
    expect(r.message).toContain(`redirect to ${other.origin}/steal`);
    expect(r.message).toContain("another origin");
    expect(other.captured).toEqual([]);
    expect(api.captured).toHaveLength(1);
  });

  it("a redirect whose body stalls is refused at its head, not after the body timeout (nor past the caller's abort)", async () => {
    const { createServer } = await import("node:http");
    const stall = createServer((_req, res) => {
      res.writeHead(302, { location: "/elsewhere", "content-length": "100" });
      res.write("x"); // the rest never comes
    });
    await new Promise<void>((r) => stall.listen(0, "127.0.0.1", r));
    try {
      const baseUrl = `http://127.0.0.1:${(stall.address() as { port: number }).port}`;
      for (const fetchRoad of [false, true]) {
        const xt = createXtClient({ baseUrl, retry: false, timeoutMs: 8_000, ...(fetchRoad ? { fetch: globalThis.fetch } : {}) });
        const started = performance.now();
        const e = await xt.call("getServerTime", {}, { signal: AbortSignal.timeout(3_000) }).catch((x: unknown) => x);
        expect(e).toBeInstanceOf(RedirectError);
        expect(performance.now() - started).toBeLessThan(1_500);
      }
    } finally {
      stall.closeAllConnections();
      await new Promise<void>((r) => stall.close(() => r()));
    }
  });

  it("to the same origin: refused too (not resent), sameOrigin true", async () => {
    const api = await server((c) => (c.url.startsWith("/v2") ? { status: 200, body: '{"status":0,"data":{}}' } : { status: 307, body: "", headers: { location: `/v2${c.url}` } }));
    const bhex = createBhexOrgClient({ accessKey: "ak-redirect-2", secretKey: "sk-redirect-2", baseUrl: api.url, rateLimit: false, retry: false });
    const e = (await bhex.call("accountBalance", { user_id: "1" }).catch((x: unknown) => x)) as RedirectError;
    expect(e).toBeInstanceOf(RedirectError);
    expect(e.sameOrigin).toBe(true);
    expect(e.message).toContain("resend");
    expect(api.captured).toHaveLength(1);
  });

  it("through the openapi-fetch methods as well (hubi GET)", async () => {
    const other = await server(() => ({ status: 200, body: "{}" }));
    const api = await server(() => ({ status: 302, body: "", headers: { location: `${other.origin}/x` } }));
    const hubi = createHubiClient({ accessKey: "ak-redirect-3", secretKey: "sk-redirect-3", accessToken: "tk-redirect-3", baseUrl: api.url, retry: false });
    // openapi-fetch's contract: the error is returned, not thrown, with the answer's status.
    const { error, response } = await hubi.GET("/api/futures/query_accounts", {});
    expect(error).toBeInstanceOf(RedirectError);
    expect(response.status).toBe(302);
    expect(other.captured).toEqual([]);
  });

  it.each([302, 307])("through an injected fetch as well (HTTP %i): refused, nothing sent to the other origin", async (status) => {
    const other = await server(() => ({ status: 200, body: "{}" }));
    const api = await server((c) => ({ status, body: "", headers: { location: `${other.origin}/steal${c.url.slice(c.url.indexOf("?"))}` } }));
    const xt = createXtClient({ accessKey: "ak-redirect-5", secretKey: "sk-redirect-5", baseUrl: api.url, rateLimit: false, retry: false, fetch: globalThis.fetch });
    const e = (await xt.call("getBalance").catch((x: unknown) => x)) as RedirectError;
    expect(e).toBeInstanceOf(RedirectError);
    expect(e.status).toBe(status);
    expect(e.location).toContain("signature=[redacted]");
    expect(e.location).not.toContain("ak-redirect-5");
    expect(other.captured).toEqual([]);
    expect(api.captured).toHaveLength(1);
  });

  it("a 3xx without a Location is an ordinary answer (decoded as usual)", async () => {
    const api = await server(() => ({ status: 304, body: "" }));
    const xt = createXtClient({ accessKey: "ak-redirect-4", secretKey: "sk-redirect-4", baseUrl: api.url, rateLimit: false, retry: false });
    const e = await xt.call("getBalance").catch((x: unknown) => x);
    expect(e).not.toBeInstanceOf(RedirectError);
    expect(e).toBeInstanceOf(HttpError);
  });
});
