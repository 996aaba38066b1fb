/**
 * The `proxy` option: every REST client's requests go through an HTTP proxy (a CONNECT tunnel),
 * with `user:password@` sent as Proxy-Authorization and kept out of errors, events and
 * inspection; a proxy that refuses, is down or stays silent is a typed error within the
 * timeout; a bad proxy URL, or one given with `fetch`, is a UsageError when the client is made.
 * The servers are named `*.invalid` (a name that never resolves): an answer proves the proxy
 * carried the request (test/helpers/proxy.ts tunnels any name to 127.0.0.1).
 */
import { createServer as createHttpServer, request as httpRequest } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { TLSSocket } from "node:tls";
import { createConnection, createServer } from "node:net";
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { AbortedError, ConnectionError, TimeoutError, UsageError } from "../../src/handwritten/core/errors.js";
import type { TransportEvent } from "../../src/handwritten/core/http-transport.js";
import { createBhexOrgClient } from "../../src/handwritten/bhex/client.js";
import { createHubiClient } from "../../src/handwritten/hubi/client.js";
import { createXeleClient } from "../../src/handwritten/xele/client.js";
import { createXtClient } from "../../src/handwritten/xt/client.js";
import { startBhexMock, BHEX_MOCK_ACCESS_KEY, BHEX_MOCK_SECRET_KEY } from "../../src/mock/bhex.js";
import { startHubiMock, HUBI_MOCK_ACCESS_KEY, HUBI_MOCK_ACCESS_TOKEN, HUBI_MOCK_SECRET_KEY } from "../../src/mock/hubi.js";
import { startXeleMock, XELE_MOCK_PASSWORD, XELE_MOCK_USERNAME } from "../../src/mock/xele.js";
import { startXtMock, XT_MOCK_ACCESS_KEY, XT_MOCK_SECRET_KEY } from "../../src/mock/xt.js";
import type { HttpMock } from "../../src/mock/http-mock.js";
import { runCliProcess } from "../helpers/cli.js";
import { selfSignedCert, startProxy } from "../helpers/proxy.js";
import { rejection, thrown } from "../helpers/rejection.js";

const PASSWORD = "pr0xy-s3cret";
const xtCreds = { accessKey: XT_MOCK_ACCESS_KEY, secretKey: XT_MOCK_SECRET_KEY };
let xt: HttpMock;
/** The XT emulator under a name only the test proxy can reach. */
let xtUrl: string;

beforeAll(async () => {
  xt = await startXtMock();
  xtUrl = `http://xt.invalid:${xt.port}`;
});
afterAll(() => xt.close());

describe("requests go through the proxy", () => {
  it("an XT call is tunnelled (CONNECT to the server's host and port), signed and answered", async () => {
    const proxy = await startProxy();
    const client = createXtClient({ ...xtCreds, baseUrl: xtUrl, proxy: proxy.url });
    const balance = await client.call("getBalance");
    expect(balance).toBeTypeOf("object");
    await client.call("getServerTime");
    expect(new Set(proxy.connects)).toEqual(new Set([`xt.invalid:${xt.port}`]));
    expect(new Set(proxy.auths)).toEqual(new Set([undefined]));
  });

  it("a URL object is taken as its text", async () => {
    const proxy = await startProxy();
    const client = createXtClient({ baseUrl: xtUrl, proxy: new URL(proxy.url) });
    await client.call("getServerTime");
    expect(proxy.connects).toEqual([`xt.invalid:${xt.port}`]);
  });

  it("user:password@ is sent as Proxy-Authorization: Basic (percent-decoded)", async () => {
    const auth = `Basic ${Buffer.from(`ops:${PASSWORD}/x`).toString("base64")}`;
    const proxy = await startProxy({ auth });
    const client = createXtClient({ baseUrl: xtUrl, proxy: `http://ops:${encodeURIComponent(`${PASSWORD}/x`)}@127.0.0.1:${proxy.port}` });
    await client.call("getServerTime");
    expect(new Set(proxy.auths)).toEqual(new Set([auth]));
  });

  it("Hubi, BHEX and Xele (both servers, and the row stream) go through it too", async () => {
    const proxy = await startProxy();
    const hubi = await startHubiMock();
    const bhex = await startBhexMock();
    const xele = await startXeleMock();
    try {
      const h = createHubiClient({ baseUrl: `http://hubi.invalid:${hubi.port}`, accessKey: HUBI_MOCK_ACCESS_KEY, secretKey: HUBI_MOCK_SECRET_KEY, accessToken: HUBI_MOCK_ACCESS_TOKEN, proxy: proxy.url });
      await h.call("queryAccounts");
      const b = createBhexOrgClient({ baseUrl: `http://bhex.invalid:${bhex.port}`, accessKey: BHEX_MOCK_ACCESS_KEY, secretKey: BHEX_MOCK_SECRET_KEY, proxy: proxy.url });
      await b.call("basicTime");
      const x = createXeleClient({
        maUrl: `http://ma.invalid:${new URL(xele.maUrl).port}`,
        msUrl: `http://ms.invalid:${new URL(xele.msUrl).port}`,
        username: XELE_MOCK_USERNAME,
        password: XELE_MOCK_PASSWORD,
        proxy: proxy.url,
      });
      await x.login();
      const rows: unknown[] = [];
      for await (const row of x.streamRows("queryOrders", {})) rows.push(row);
      expect(rows.length).toBeGreaterThan(0);
      expect(proxy.connects).toEqual(
        expect.arrayContaining([`hubi.invalid:${hubi.port}`, `bhex.invalid:${bhex.port}`, `ma.invalid:${new URL(xele.maUrl).port}`, `ms.invalid:${new URL(xele.msUrl).port}`]),
      );
    } finally {
      await Promise.all([hubi.close(), bhex.close(), xele.close()]);
    }
  });
});

describe("a proxy that does not carry the request is a typed error", () => {
  it("407 is a ConnectionError naming the status and what it wants; the password is in no message, event or inspection", async () => {
    const proxy = await startProxy({ auth: "Basic never" });
    const events: TransportEvent[] = [];
    const proxyUrl = `http://ops:${PASSWORD}@127.0.0.1:${proxy.port}`;
    const client = createXtClient({ ...xtCreds, baseUrl: xtUrl, proxy: proxyUrl, onEvent: (e) => events.push(e) });
    const e = await rejection(client.call("getBalance"));
    expect(e).toBeInstanceOf(ConnectionError);
    // Not retried: a proxy that refuses the credentials refuses the next attempt alike.
    expect(events).toHaveLength(1);
    expect((e as Error).message).toBe(
      `xt getBalance: connection failed through the proxy http://[redacted]@127.0.0.1:${proxy.port}/: the proxy answered 407 to CONNECT xt.invalid:${xt.port}, not 2xx: it asks for credentials (user:password@ in the proxy URL), or refused the ones given`,
    );
    const everything = [inspect(e, { depth: 9, showHidden: true }), JSON.stringify(e), inspect(client, { depth: 9, showHidden: true }), JSON.stringify(events)].join("\n");
    expect(everything).not.toContain(PASSWORD);
    expect(everything).not.toContain(Buffer.from(`ops:${PASSWORD}`).toString("base64"));
  });

  it("an answer that echoes the proxy's password loses it, as it loses the API's secrets", async () => {
    const proxy = await startProxy();
    const echo = createHttpServer((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ code: 104, info: `denied: ops:${PASSWORD} is not allowed` })));
    await new Promise<void>((r) => echo.listen(0, "127.0.0.1", r));
    try {
      const port = (echo.address() as { port: number }).port;
      const client = createXtClient({ ...xtCreds, baseUrl: `http://echo.invalid:${port}`, proxy: `http://ops:${PASSWORD}@127.0.0.1:${proxy.port}` });
      const e = await rejection(client.call("getBalance"));
      expect((e as Error).message).toContain("denied: ops:[redacted] is not allowed");
      expect(inspect(e, { depth: 9, showHidden: true })).not.toContain(PASSWORD);
    } finally {
      await new Promise<void>((r) => echo.close(() => r()));
    }
  });

  it("a refusal with another status (502: it cannot reach the server) names that status, and is retried (408, 429 too); another 4xx (403: not allowed there) is not", async () => {
    const retry = { maxAttempts: 3, sleep: async () => {} };
    for (const [status, attempts] of [[502, 3], [503, 3], [429, 3], [408, 3], [403, 1], [400, 1]] as const) {
      const proxy = await startProxy({ refuse: status });
      const events: TransportEvent[] = [];
      const e = await rejection(createXtClient({ baseUrl: xtUrl, proxy: proxy.url, retry, onEvent: (ev) => events.push(ev) }).call("getServerTime"));
      expect(e).toBeInstanceOf(ConnectionError);
      expect((e as Error).message).toMatch(new RegExp(`the proxy answered ${status} to CONNECT xt\\.invalid:\\d+, not 2xx$`));
      expect(events).toHaveLength(attempts);
    }
  });

  it("a proxy that is down is a ConnectionError that says the proxy", async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const e = await rejection(createXtClient({ baseUrl: xtUrl, proxy: `http://u:${PASSWORD}@127.0.0.1:${port}` }).call("getServerTime"));
    expect(e).toBeInstanceOf(ConnectionError);
    expect((e as Error).message).toBe(
      `xt getServerTime: after 3 attempts: connection failed (ECONNREFUSED) through the proxy http://[redacted]@127.0.0.1:${port}/; are the proxy and the base URL ${xtUrl} reachable?`,
    );
  });

  it.each([300, 5_500])("a proxy that never answers CONNECT is a TimeoutError within the timeout (%i ms)", async (timeoutMs) => {
    const proxy = await startProxy({ silent: true });
    const t0 = performance.now();
    // An order: nothing reached the server (the tunnel never opened), so its outcome is known.
    const order = { market: "btc_usdt", price: 5000, number: 0.002, type: 1, entrustType: 0 } as const;
    const e = await rejection(createXtClient({ baseUrl: xtUrl, proxy: proxy.url, timeoutMs, retry: false, accessKey: "ak-proxy-1", secretKey: "sk-proxy-1" }).call("order", order));
    const took = performance.now() - t0;
    expect(e).toBeInstanceOf(TimeoutError);
    expect((e as TimeoutError).outcomeUnknown).toBeUndefined();
    expect(e.message).toMatch(timeoutMs < 5_000 ? /^xt order: no tunnel through the proxy to the server within 300 ms: nothing was sent$/ : /^xt order: the proxy did not answer CONNECT xt\.invalid:\d+ within 5500 ms: nothing was sent$/);
    expect(proxy.connects).toHaveLength(1);
    expect(took).toBeGreaterThanOrEqual(timeoutMs - 50);
    // Under 5 s a native timer holds the timeout; above, undici's own (about a second late at most).
    expect(took).toBeLessThan(timeoutMs + (timeoutMs < 5_000 ? 250 : 2_500));
  }, 15_000);

  it("a tunnel that carries bytes before the request (an sshd's banner with the proxy's 200) fails the call once, nothing sent; no CONNECT after it", async () => {
    let connects = 0;
    const raw = createServer((c) => {
      c.once("data", () => {
        connects++;
        c.write("HTTP/1.1 200 Connection established\r\n\r\nSSH-2.0-OpenSSH_9.6\r\n");
      });
      c.on("error", () => undefined);
    });
    await new Promise<void>((r) => raw.listen(0, "127.0.0.1", r));
    onTestFinished(() => void raw.close());
    const proxy = `http://127.0.0.1:${(raw.address() as { port: number }).port}`;
    const client = createXtClient({ baseUrl: "http://ssh.invalid:22", proxy, ...xtCreds, rateLimit: false });
    const order = await rejection(client.call("order", { market: "btc_usdt", price: 5000, number: 0.002, type: 1, entrustType: 0 }));
    expect(order.message).toMatch(/^xt order: the answer cannot be read as HTTP\/1\.1 \(the tunnel to ssh\.invalid:22 sent 21 bytes before the request: is ssh\.invalid:22 an HTTP server \(the right port\)\?\)/);
    expect((order as TimeoutError).outcomeUnknown).toBeUndefined();
    expect(connects).toBe(1);
    await rejection(client.call("getServerTime"));
    const after = connects;
    await new Promise((r) => setTimeout(r, 300));
    expect([after, connects]).toEqual([2, 2]); // (one CONNECT a call, and none once it ended: undici reconnected thousands of times a second)
  });

  it("a proxy that drops the connection before answering CONNECT: nothing was sent, an order is not outcomeUnknown", async () => {
    const raw = createServer((c) => c.once("data", () => c.destroy()));
    await new Promise<void>((r) => raw.listen(0, "127.0.0.1", r));
    onTestFinished(() => void raw.close());
    const proxy = `http://127.0.0.1:${(raw.address() as { port: number }).port}`;
    const order = await rejection(createXtClient({ baseUrl: xtUrl, proxy, ...xtCreds, rateLimit: false }).call("order", { market: "btc_usdt", price: 5000, number: 0.002, type: 1, entrustType: 0 }));
    expect(order).toBeInstanceOf(ConnectionError);
    expect((order as ConnectionError).outcomeUnknown).toBeUndefined();
    // its answer to CONNECT no HTTP: named as such
    const junk = createServer((c) => c.once("data", () => c.end("SSH-2.0-OpenSSH_9.6\r\n")));
    await new Promise<void>((r) => junk.listen(0, "127.0.0.1", r));
    onTestFinished(() => void junk.close());
    const e = await rejection(createXtClient({ baseUrl: xtUrl, proxy: `http://127.0.0.1:${(junk.address() as { port: number }).port}`, ...xtCreds, rateLimit: false }).call("order", { market: "btc_usdt", price: 5000, number: 0.002, type: 1, entrustType: 0 }));
    expect([e.message.includes("the proxy's answer to CONNECT is not HTTP/1.1: HPE_"), (e as ConnectionError).outcomeUnknown]).toEqual([true, undefined]);
  });

  it("a short timeout's tunnel through a silent proxy is given up soon after the call (within about twice its timeout)", async () => {
    const proxy = await startProxy({ silent: true });
    const e = await rejection(createXtClient({ baseUrl: xtUrl, proxy: proxy.url, timeoutMs: 100, retry: false }).call("getServerTime"));
    expect(e).toBeInstanceOf(TimeoutError);
    expect(proxy.openClients()).toBe(1);
    // The agent's connect deadline is the step above 100 ms (250 ms), not 5 s: the CONNECT is dropped.
    await expect.poll(() => proxy.openClients(), { timeout: 1_000, interval: 20 }).toBe(0);
  });

  it.each(["end", "reset"] as const)("a proxy that closes the connection on CONNECT (%s) fails the call once: one CONNECT per attempt, none after it", async (how) => {
    let connects = 0;
    const closer = createServer((c) => {
      c.on("error", () => undefined);
      c.once("data", () => (connects++, how === "end" ? c.end() : c.resetAndDestroy()));
    });
    await new Promise<void>((r) => closer.listen(0, "127.0.0.1", r));
    onTestFinished(() => new Promise<void>((r) => closer.close(() => r())));
    const proxyUrl = `http://127.0.0.1:${(closer.address() as { port: number }).port}`;
    const t0 = performance.now();
    const e = await rejection(createXtClient({ baseUrl: "https://api.xt.invalid", proxy: proxyUrl, timeoutMs: 2_000, retry: false }).call("getServerTime"));
    expect(e).toBeInstanceOf(ConnectionError);
    expect((e as Error).message).toBe(`xt getServerTime: connection failed (ECONNRESET) through the proxy ${proxyUrl}/; are the proxy and the base URL https://api.xt.invalid reachable?`);
    expect(performance.now() - t0).toBeLessThan(1_000);
    // (undici's ProxyAgent read this as a socket to reconnect: thousands of CONNECTs a second, after the call ended)
    expect(connects).toBe(1);
    // Retried (a read): one CONNECT per attempt.
    await rejection(createXtClient({ baseUrl: "https://api.xt.invalid", proxy: proxyUrl, timeoutMs: 2_000, retry: { maxAttempts: 3, baseDelayMs: 1 } }).call("getServerTime"));
    expect(connects).toBe(4);
    await new Promise((r) => setTimeout(r, 300));
    expect(connects).toBe(4);
  });

  it("a proxy that answers CONNECT a byte at a time is a TimeoutError within the timeout (each byte renewed the idle timeout)", async () => {
    let connects = 0;
    const open = new Set<import("node:net").Socket>();
    const trickler = createServer((c) => {
      open.add(c);
      c.on("error", () => undefined);
      c.once("data", () => {
        connects++;
        // A status line, then one header that never ends: a byte every 100 ms.
        c.write("HTTP/1.1 200 Connection established\r\nX-Pad: ");
        const t = setInterval(() => c.write("a"), 100);
        c.on("close", () => clearInterval(t));
      });
    });
    await new Promise<void>((r) => trickler.listen(0, "127.0.0.1", r));
    onTestFinished(() => new Promise<void>((r) => (open.forEach((c) => c.destroy()), trickler.close(() => r()))));
    const t0 = performance.now();
    // 5 s and above: no native timer of the call's, the tunnel's own deadline holds.
    const e = await rejection(createXtClient({ baseUrl: "https://api.xt.invalid", proxy: `http://127.0.0.1:${(trickler.address() as { port: number }).port}`, timeoutMs: 5_200, retry: false }).call("getServerTime"));
    expect(e).toBeInstanceOf(TimeoutError);
    expect(performance.now() - t0).toBeLessThan(5_200 + 1_000);
    expect(connects).toBe(1);
  }, 15_000);

  it("the caller's abort ends a call waiting for the proxy's answer to CONNECT at once", async () => {
    const proxy = await startProxy({ silent: true });
    const client = createXtClient({ baseUrl: xtUrl, proxy: proxy.url, retry: false });
    const t0 = performance.now();
    const e = await rejection(client.call("getServerTime", {}, { signal: AbortSignal.timeout(100) }));
    expect(e).toBeInstanceOf(AbortedError);
    expect((e as Error).cause).toBeInstanceOf(DOMException);
    expect(performance.now() - t0).toBeLessThan(600);
    // The tunnel ends with the call (it waited for the client's 10 s, keeping the process alive).
    await expect.poll(() => proxy.openClients(), { timeout: 1_000, interval: 20 }).toBe(0);
  });
});

describe("the option is checked when the client is made", () => {
  it.each([
    ["socks5://127.0.0.1:1080", 'the proxy option "socks5://127.0.0.1:1080" must start with http:// or https://, not socks5:'],
    ["127.0.0.1:3128", 'the proxy option "127.0.0.1:3128" is not a URL: it needs http:// or https:// and a host'],
    ["http://proxy.example:3128/path", 'the proxy option "http://proxy.example:3128/path" has a path, query or fragment: give the proxy\'s scheme, host and port only'],
    [`http://u:${PASSWORD}@proxy.example:3128/?x=1`, `the proxy option "http://[redacted]@proxy.example:3128/?x=[redacted]" has a path, query or fragment: give the proxy's scheme, host and port only`],
    ["http://proxy example:3128", 'the proxy option "http://proxy example:3128" holds a space, line break or control character'],
    // (sent percent-decoded: a bare % failed every call as "URI malformed")
    [`http://ops:50%off-${PASSWORD}@proxy.example:3128`, 'the proxy option "http://[redacted]@proxy.example:3128" has a % in its user:password that is no %XX escape: write % as %25'],
    [3128, "the proxy option number must be a string"],
    // a password with an unescaped "/", "?" or "#": the URL parses as a host and a path, or not at all; hidden whole
    // (the message says to percent-encode them; it said only "not a URL", or "a path")
    [`http://alice:Xk9/${PASSWORD}@10.0.0.5:3128`, 'the proxy option "http://[redacted]@10.0.0.5:3128" is not a URL: a /, #, ? or \\ in its user:password is written percent-encoded (%2F, %23, %3F, %5C)'],
    [`http://alice:2024/${PASSWORD}@10.0.0.5:3128`, 'the proxy option "http://[redacted]@10.0.0.5:3128" has a path, query or fragment: give the proxy\'s scheme, host and port only (a /, #, ? or \\ in its user:password is written percent-encoded (%2F, %23, %3F, %5C))'],
    [`http://alice:${PASSWORD}#x@10.0.0.5:3128`, 'the proxy option "http://[redacted]@10.0.0.5:3128" is not a URL: a /, #, ? or \\ in its user:password is written percent-encoded (%2F, %23, %3F, %5C)'],
    [`http://alice:x?${PASSWORD}@10.0.0.5:3128`, 'the proxy option "http://[redacted]@10.0.0.5:3128" is not a URL: a /, #, ? or \\ in its user:password is written percent-encoded (%2F, %23, %3F, %5C)'],
    [`http://alice:x\\${PASSWORD}@10.0.0.5:3128`, 'the proxy option "http://[redacted]@10.0.0.5:3128" is not a URL: a /, #, ? or \\ in its user:password is written percent-encoded (%2F, %23, %3F, %5C)'],
    // (a valid escape of bytes that are no UTF-8: it said "no %XX escape")
    [`http://alice:%FF${PASSWORD}@10.0.0.5:3128`, 'the proxy option "http://[redacted]@10.0.0.5:3128" has %XX escapes in its user:password that are no UTF-8 text (it is sent as UTF-8)'],
  ])("%s", (proxy, message) => {
    const e = thrown(() => createXtClient({ proxy: proxy as string }));
    expect(e).toBeInstanceOf(UsageError);
    expect((e as Error).message).toBe(`xt: ${message}`);
    expect((e as Error).message).not.toContain(PASSWORD);
  });

  it("not with fetch", () => {
    const e = thrown(() => createXtClient({ proxy: "http://127.0.0.1:3128", fetch: globalThis.fetch }));
    expect(e).toBeInstanceOf(UsageError);
    expect((e as Error).message).toMatch(/^xt: the proxy option cannot be given with fetch/);
  });
});

describe("an https server through the proxy (the usual case: https://api.xt.com behind a corporate proxy)", () => {
  /** A TLS front for the XT emulator with a self-signed certificate for xt.invalid (made by openssl). */
  async function tlsFront() {
    const { key, cert, certFile } = selfSignedCert("xt.invalid");
    const servernames: Array<string | false | null> = [];
    const front = createHttpsServer({ key, cert }, (req, res) => {
      servernames.push((req.socket as TLSSocket).servername);
      const upstream = httpRequest({ host: "127.0.0.1", port: xt.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      req.pipe(upstream);
    });
    await new Promise<void>((r) => front.listen(0, "127.0.0.1", r));
    onTestFinished(() => new Promise<void>((r) => front.close(() => r())));
    return { url: `https://xt.invalid:${(front.address() as { port: number }).port}`, cert: certFile, servernames };
  }

  it("TLS runs end to end through the tunnel, to the server's name: its certificate is checked (self-signed: refused)", async () => {
    const front = await tlsFront();
    const proxy = await startProxy();
    const e = await rejection(createXtClient({ ...xtCreds, baseUrl: front.url, proxy: proxy.url, retry: false }).call("getBalance"));
    expect(e).toBeInstanceOf(ConnectionError);
    expect((e as Error).message).toMatch(
      /connection failed through the proxy http:\/\/127\.0\.0\.1:\d+\/: the server's TLS certificate was refused \((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)\): a certificate of a private CA is trusted with NODE_EXTRA_CA_CERTS; nothing was sent$/,
    );
    expect(proxy.connects).toEqual([`xt.invalid:${new URL(front.url).port}`]);
  });

  it("whose certificate was refused is said: an https:// proxy's own, a server's reached directly; an order so refused is not outcomeUnknown", async () => {
    const { key, cert } = selfSignedCert("localhost");
    const tlsProxy = createHttpsServer({ key, cert });
    await new Promise<void>((r) => tlsProxy.listen(0, "127.0.0.1", r));
    onTestFinished(() => new Promise<void>((r) => tlsProxy.close(() => r())));
    const order = { market: "btc_usdt", price: 5000, number: 0.002, type: 1, entrustType: 0 } as const;
    const viaProxy = await rejection(createXtClient({ ...xtCreds, baseUrl: xtUrl, proxy: `https://localhost:${(tlsProxy.address() as { port: number }).port}`, retry: false }).call("order", order));
    expect(viaProxy.message).toMatch(/: the proxy's TLS certificate was refused \((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)\): a certificate of a private CA is trusted with NODE_EXTRA_CA_CERTS; nothing was sent$/);
    expect((viaProxy as ConnectionError).outcomeUnknown).toBeUndefined();
    const front = await tlsFront();
    const direct = await rejection(createXtClient({ ...xtCreds, baseUrl: front.url.replace("xt.invalid", "localhost"), retry: false }).call("order", order));
    expect(direct.message).toMatch(/^xt order: connection failed: the server's TLS certificate was refused \([A-Z_]+\): a certificate of a private CA is trusted with NODE_EXTRA_CA_CERTS; nothing was sent$/);
    expect((direct as ConnectionError).outcomeUnknown).toBeUndefined();
    // trusted, but for another name: said so, no word of NODE_EXTRA_CA_CERTS
    const wrongName = (await runCliProcess(["call", "xt", "getBalance", "--base-url", front.url.replace("xt.invalid", "127.0.0.1")], {
      XT_ACCESS_KEY: XT_MOCK_ACCESS_KEY,
      XT_SECRET_KEY: XT_MOCK_SECRET_KEY,
      NODE_EXTRA_CA_CERTS: front.cert,
    }).catch((e: unknown) => e)) as { stderr: string };
    expect(wrongName.stderr).toMatch(/the server's TLS certificate was refused \(ERR_TLS_CERT_ALTNAME_INVALID\): it is for another host name; nothing was sent/);
  });

  it("a proxy's 2xx other than 200 to CONNECT opens the tunnel too (RFC 9110)", async () => {
    const raw = createServer((c) =>
      c.once("data", () => {
        const up = createConnection(Number(new URL(xtUrl).port), "127.0.0.1", () => c.write("HTTP/1.1 204 No Content\r\n\r\n"));
        c.pipe(up).pipe(c);
        up.on("error", () => c.destroy());
        c.on("error", () => up.destroy());
      }),
    );
    await new Promise<void>((r) => raw.listen(0, "127.0.0.1", r));
    onTestFinished(() => void raw.close());
    const client = createXtClient({ ...xtCreds, baseUrl: xtUrl, proxy: `http://127.0.0.1:${(raw.address() as { port: number }).port}` });
    await expect(client.call("getServerTime")).resolves.toHaveProperty("serverTime");
  });

  it("a refusal names the CONNECT target with its port, the scheme's when the URL has none", async () => {
    const proxy = await startProxy({ refuse: 403 });
    const e = await rejection(createXtClient({ baseUrl: "https://api.xt.invalid", proxy: proxy.url, retry: false }).call("getServerTime"));
    expect((e as Error).message).toMatch(/: the proxy answered 403 to CONNECT api\.xt\.invalid:443, not 2xx$/);
    expect(proxy.connects).toEqual(["api.xt.invalid:443"]);
  });

  it("trusted (NODE_EXTRA_CA_CERTS), `tradeapi call` with HTTPS_PROXY gets its signed answer, the server's name sent as SNI", async () => {
    const front = await tlsFront();
    const proxy = await startProxy();
    const { stdout } = await runCliProcess(["call", "xt", "getBalance"], {
      NODE_EXTRA_CA_CERTS: front.cert,
      XT_BASE_URL: front.url,
      XT_ACCESS_KEY: XT_MOCK_ACCESS_KEY,
      XT_SECRET_KEY: XT_MOCK_SECRET_KEY,
      // Every spelling set: the child inherits this machine's environment, where a lower-case one would win.
      https_proxy: proxy.url,
      HTTPS_PROXY: proxy.url,
      http_proxy: "",
      HTTP_PROXY: "",
      no_proxy: "",
      NO_PROXY: "",
    });
    expect(JSON.parse(stdout)).toBeTypeOf("object");
    expect(proxy.connects).toEqual([`xt.invalid:${new URL(front.url).port}`]);
    expect(front.servernames).toEqual(["xt.invalid"]);
  }, 30_000);
});
