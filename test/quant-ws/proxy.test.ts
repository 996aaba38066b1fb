/**
 * The quant-ws `proxy` option: the socket is a CONNECT tunnel through an HTTP proxy to the
 * gateway (named `gw.invalid`, reachable only through the test proxy), TLS inside it for
 * wss://; a proxy that refuses, is silent or is down is a ConnectionError within the connect
 * timeout, its password in no message; the option is checked when the client is made.
 */
import { createServer as createTlsServer, type TLSSocket } from "node:tls";
import { connect, createServer } from "node:net";
import { inspect } from "node:util";
import { describe, expect, it, onTestFinished } from "vitest";
import { ConnectionError, UsageError } from "../../src/handwritten/core/errors.js";
import { ClientClosedError } from "../../src/handwritten/quant-ws/errors.js";
import { createQuantWsClient, type QuantWsClientOptions } from "../../src/handwritten/quant-ws/index.js";
import { selfSignedCert, startProxy } from "../helpers/proxy.js";
import { thrown } from "../helpers/rejection.js";
import { creds, ETH, rejection, startMock } from "./helpers.js";

const PASSWORD = "pr0xy-s3cret";

function client(opts: QuantWsClientOptions) {
  const c = createQuantWsClient({ requestTimeoutMs: 2_000, loginTimeoutMs: 2_000, reconnect: false, ...opts });
  onTestFinished(() => c.close());
  return c;
}

describe("through the proxy", () => {
  it("ws://: logs in, reaches READY and answers a request, all through one tunnel with the credentials", async () => {
    const mock = await startMock();
    const auth = `Basic ${Buffer.from(`ops:${PASSWORD}`).toString("base64")}`;
    const proxy = await startProxy({ auth });
    const port = new URL(mock.url).port;
    const c = client({ url: `ws://gw.invalid:${port}/ws/v1`, proxy: `http://ops:${PASSWORD}@127.0.0.1:${proxy.port}` });
    const session = await c.login(creds());
    const reply = await session.request("position", { symbol: ETH });
    expect(reply).toBeTypeOf("object");
    expect(proxy.connects).toEqual([`gw.invalid:${port}`]);
    expect(proxy.auths).toEqual([auth]);
  });

  it("wss://: TLS to the gateway's name inside the tunnel (wsOptions' TLS settings apply)", async () => {
    const mock = await startMock();
    const { key, cert } = selfSignedCert("gw.invalid");
    const servernames: Array<string | false | null> = [];
    const front = createTlsServer({ key, cert }, (tls: TLSSocket) => {
      servernames.push(tls.servername);
      const plain = connect(Number(new URL(mock.url).port), "127.0.0.1");
      plain.on("error", () => tls.destroy());
      tls.on("error", () => plain.destroy());
      tls.pipe(plain).pipe(tls);
    });
    await new Promise<void>((r) => front.listen(0, "127.0.0.1", r));
    onTestFinished(() => new Promise<void>((r) => front.close(() => r())));
    const port = (front.address() as { port: number }).port;
    const proxy = await startProxy();
    const url = `wss://gw.invalid:${port}/ws/v1`;

    // Not trusted: the certificate is checked against the gateway's name, through the tunnel.
    const untrusted = await rejection(client({ url, proxy: proxy.url }).connect());
    expect(untrusted).toBeInstanceOf(ConnectionError);
    expect(untrusted.message).toMatch(/self-signed certificate/i);

    const trusted = client({ url, proxy: proxy.url, wsOptions: { ca: cert } });
    const session = await trusted.login(creds());
    expect(session.ready).toBe(true);
    expect(new Set(servernames)).toEqual(new Set(["gw.invalid"]));
    expect(proxy.connects).toEqual([`gw.invalid:${port}`, `gw.invalid:${port}`]);
  });
});

describe("a proxy that does not carry the socket", () => {
  it("407: a ConnectionError naming the status; the password nowhere", async () => {
    const proxy = await startProxy({ auth: "Basic never" });
    const c = client({ url: "ws://gw.invalid:1/ws/v1", proxy: `http://ops:${PASSWORD}@127.0.0.1:${proxy.port}` });
    const e = await rejection(c.connect());
    expect(e).toBeInstanceOf(ConnectionError);
    expect(e.message).toBe(
      `quant-ws: cannot connect to ws://gw.invalid:1/ws/v1: the proxy http://[redacted]@127.0.0.1:${proxy.port}/ answered 407 to CONNECT gw.invalid:1, not 2xx: it asks for credentials (user:password@ in the proxy URL), or refused the ones given`,
    );
    expect(inspect(e, { depth: 9, showHidden: true }) + inspect(c, { depth: 5 })).not.toContain(PASSWORD);
  });

  it("an answer to CONNECT that is not HTTP and echoes the request: the raw bytes Node keeps in the cause chain (rawPacket) lose the password too", async () => {
    // Node's HTTP parse error keeps the bytes it could not read (here the CONNECT request, its
    // Proxy-Authorization in it) as a Uint8Array, which inspect shows and loggers serialize.
    const echo = createServer((socket) => {
      socket.on("error", () => undefined);
      socket.once("data", (d) => socket.end(`HTTP/1.1 9x9 ${d.toString("latin1").replace(/\r\n/g, " | ")} ${PASSWORD}\r\n\r\n`));
    });
    await new Promise<void>((r) => echo.listen(0, "127.0.0.1", r));
    onTestFinished(() => new Promise<void>((r) => echo.close(() => r())));
    const c = client({ url: "ws://gw.invalid:1/ws/v1", proxy: `http://ops:${PASSWORD}@127.0.0.1:${(echo.address() as { port: number }).port}` });
    const e = await rejection(c.connect());
    expect(e).toBeInstanceOf(ConnectionError);
    const bytes: string[] = [];
    const seen = new Set<unknown>();
    const walk = (v: unknown, depth: number): void => {
      if (v === null || typeof v !== "object" || seen.has(v) || depth > 12) return;
      seen.add(v);
      if (v instanceof Uint8Array) return void bytes.push(Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("latin1"));
      for (const k of Object.getOwnPropertyNames(v)) walk((v as Record<string, unknown>)[k], depth + 1);
    };
    walk(e, 0);
    // (the bytes are there, their secret gone)
    expect(bytes.join("\n")).toContain("proxy-authorization: Basic [redacted]");
    const everything = [...bytes, inspect(e, { depth: 12, showHidden: true }), JSON.stringify(e)].join("\n");
    expect(everything).not.toContain(PASSWORD);
    expect(everything).not.toContain(Buffer.from(`ops:${PASSWORD}`).toString("base64"));
  });

  it("silent: a ConnectionError within connectTimeoutMs", async () => {
    const proxy = await startProxy({ silent: true });
    const t0 = performance.now();
    const e = await rejection(client({ url: "ws://gw.invalid:1/ws/v1", proxy: proxy.url, connectTimeoutMs: 300 }).connect());
    expect(e).toBeInstanceOf(ConnectionError);
    expect(e.message).toBe(`quant-ws: cannot connect to ws://gw.invalid:1/ws/v1: the proxy http://127.0.0.1:${proxy.port}/ did not answer CONNECT gw.invalid:1 within 300 ms`);
    expect(performance.now() - t0).toBeLessThan(1_000);
  });

  it("close() while the proxy has not answered CONNECT ends the opening at once (and the connection to the proxy)", async () => {
    const proxy = await startProxy({ silent: true });
    const c = createQuantWsClient({ url: "ws://gw.invalid:1/ws/v1", proxy: proxy.url, connectTimeoutMs: 5_000, reconnect: false });
    const connecting = rejection(c.connect());
    while (proxy.connects.length === 0) await new Promise((r) => setTimeout(r, 5));
    const t0 = performance.now();
    await c.close();
    expect(performance.now() - t0).toBeLessThan(500);
    expect(await connecting).toBeInstanceOf(ClientClosedError);
    for (let i = 0; i < 100 && proxy.openClients() > 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(proxy.openClients()).toBe(0);
  });

  it("down: a ConnectionError naming the refusal", async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const e = await rejection(client({ url: "ws://gw.invalid:1/ws/v1", proxy: `http://127.0.0.1:${port}` }).connect());
    expect(e).toBeInstanceOf(ConnectionError);
    expect(e.message).toBe(`quant-ws: cannot connect to ws://gw.invalid:1/ws/v1: the proxy http://127.0.0.1:${port}/ cannot be reached (ECONNREFUSED)`);
  });
});

describe("the option is checked when the client is made", () => {
  it.each([
    ["socks5://127.0.0.1:1080", 'the proxy option "socks5://127.0.0.1:1080" must start with http:// or https://, not socks5:'],
    [`http://u:${PASSWORD}@proxy.example:3128/x`, `the proxy option "http://[redacted]@proxy.example:3128/x" has a path, query or fragment: give the proxy's scheme, host and port only`],
  ])("%s", (proxy, message) => {
    const e = thrown(() => createQuantWsClient({ proxy }));
    expect(e).toBeInstanceOf(UsageError);
    expect((e as Error).message).toBe(`quant-ws createQuantWsClient: ${message}`);
  });

  it("not with wsOptions.agent or wsOptions.createConnection", () => {
    for (const wsOptions of [{ agent: {} as never }, { createConnection: (() => undefined) as never }]) {
      const e = thrown(() => createQuantWsClient({ proxy: "http://127.0.0.1:3128", wsOptions }));
      expect(e).toBeInstanceOf(UsageError);
      expect((e as Error).message).toMatch(/the proxy option cannot be given with wsOptions\.agent or wsOptions\.createConnection/);
    }
  });
});
