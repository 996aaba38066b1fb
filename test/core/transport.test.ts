/**
 * The transport's wire: undici.request by default (no `fetch` option), the `fetch` option when
 * given, against real local servers. Per-call `{ signal, timeoutMs }`, the typed errors of each
 * failure (timeout, refused connection, HTML page, a server closing mid-body, a silent body),
 * the streaming entry `open`, and the cost rules (no AbortController per call without a signal).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createNetServer, type AddressInfo, type Socket } from "node:net";
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from "node:zlib";
import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { meta as xtMeta } from "../../generated/xt-spot.meta.js";
import { createBhexOrgClient } from "../../src/handwritten/bhex/client.js";
import { AbortedError, ApiError, ConnectionError, HttpError, RateLimitError, ResponseFormatError, ResponseTooLargeError, retryAfterMsOf, TimeoutError, UsageError } from "../../src/handwritten/core/errors.js";
import { DEFAULT_MAX_RESPONSE_BYTES, encodePairs, HttpTransport } from "../../src/handwritten/core/http-transport.js";
import { signXtParams } from "../../src/auth/xt.js";
import { createHubiClient } from "../../src/handwritten/hubi/client.js";
import { createXeleClient } from "../../src/handwritten/xele/client.js";
import { createXtClient } from "../../src/handwritten/xt/client.js";
import { RateLimiter } from "../../src/handwritten/core/rate-limit.js";
import { rejection } from "../helpers/rejection.js";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
interface Local {
  url: string;
  requests: number;
  close(): Promise<void>;
}

let servers: Local[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

async function serve(handler: Handler): Promise<Local> {
  const server: Server = createServer((req, res) => {
    local.requests++;
    req.resume();
    req.on("end", () => handler(req, res));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const local: Local = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: 0,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
  servers.push(local);
  return local;
}

/** A TCP server that answers each connection's first bytes with `answer` (no HTTP parsing). */
async function rawServer(answer: (socket: Socket) => void): Promise<{ url: string; connections: number }> {
  const sockets = new Set<Socket>();
  const server = createNetServer((socket) => {
    local.connections++;
    sockets.add(socket);
    socket.on("error", () => undefined);
    socket.once("data", () => answer(socket));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const local = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: 0, connections: 0 };
  servers.push({
    ...local,
    close: () =>
      new Promise<void>((r) => {
        for (const so of sockets) so.destroy();
        server.close(() => r());
      }),
  });
  return local;
}

const KEYS = { accessKey: "ak-transport", secretKey: "sk-transport-secret" };
const OK = '{"code":200,"info":"success","data":{"serverTime":1700000000000}}';
const answer = (res: ServerResponse, body = OK, status = 200, type = "application/json") => {
  res.writeHead(status, { "content-type": type });
  res.end(body);
};
const xt = (baseUrl: string, more: Parameters<typeof createXtClient>[0] = {}) => createXtClient({ ...KEYS, baseUrl, rateLimit: false, retry: false, ...more });

describe("numbers on the wire", () => {
  it("a price of 0.00000012 is sent (and signed) as 0.00000012, not 1.2e-7; 1e21 as its 22 digits", async () => {
    let body = "";
    const server = createServer((req, res) => {
      let text = "";
      req.on("data", (d: Buffer) => (text += d));
      req.on("end", () => {
        body = text;
        answer(res, '{"code":200,"info":"success","data":{"id":1}}');
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      await xt(url).call("order", { market: "shib_usdt", price: 1.2e-7, number: 1e21, type: 1, entrustType: 0 });
      const form = new URLSearchParams(body);
      expect(form.get("price")).toBe("0.00000012");
      expect(form.get("number")).toBe("1000000000000000000000");
      // The signature is over the same text.
      const signed = Object.fromEntries([...form].filter(([k]) => k !== "signature"));
      expect(form.get("signature")).toBe(signXtParams(signed, KEYS.secretKey));
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe("an answer's charset", () => {
  // "成功" and "余额" in GBK (TextEncoder writes only UTF-8).
  const GBK_OK = Buffer.from([0xb3, 0xc9, 0xb9, 0xa6]);
  const GBK_BALANCE = Buffer.from([0xd3, 0xe0, 0xb6, 0xee]);
  const gbkJson = (...parts: Array<string | Buffer>) => Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p) : p)));

  it("JSON a server writes in GBK and says so is read as GBK: data and vendor messages keep their Chinese", async () => {
    let body = gbkJson('{"code":200,"info":"', GBK_OK, '","data":{"serverTime":1,"name":"', GBK_BALANCE, '"}}');
    let type = "application/json; charset=GBK";
    const s = await serve((_req, res) => {
      res.writeHead(200, { "content-type": type });
      res.end(body);
    });
    await expect(xt(s.url).call("getServerTime")).resolves.toEqual({ serverTime: 1, name: "余额" });
    body = gbkJson('{"code":104,"info":"', GBK_OK, '"}');
    type = 'application/json;charset="gbk"';
    const e = await rejection(xt(s.url).call("getServerTime"));
    expect((e as ApiError).vendorMessage).toBe("成功");
    // Without a charset the answer is UTF-8, as before.
    body = Buffer.from('{"code":200,"info":"成功","data":{"serverTime":1,"name":"余额"}}');
    type = "application/json";
    await expect(xt(s.url).call("getServerTime")).resolves.toEqual({ serverTime: 1, name: "余额" });
  });

  it("a charset the runtime cannot decode is a ResponseFormatError naming it", async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json; charset=x-no-such-charset" });
      res.end('{"code":200,"info":"success","data":{}}');
    });
    const e = await rejection(xt(s.url).call("getServerTime"));
    expect(e).toBeInstanceOf(ResponseFormatError);
    expect(e.message).toContain('names a charset this runtime cannot decode ("x-no-such-charset")');
  });
});

describe("an answer's Content-Encoding (a server or CDN that compresses without being asked)", () => {
  const ROADS = [["undici", {}], ["fetch", { fetch: globalThis.fetch }]] as const;
  const coded: Record<string, (b: Buffer) => Buffer> = {
    gzip: (b) => gzipSync(b),
    "x-gzip": (b) => gzipSync(b),
    deflate: (b) => deflateSync(b),
    br: (b) => brotliCompressSync(b),
    "gzip, br": (b) => brotliCompressSync(gzipSync(b)),
    identity: (b) => b,
  };
  const server = (encoding: string, body: Buffer, status = 200) =>
    serve((_req, res) => {
      res.writeHead(status, { "content-type": "application/json", "content-encoding": encoding });
      res.end(body);
    });

  it.each(ROADS.slice(0, 1))("is decoded on the %s road: gzip, x-gzip, deflate, br and a list of codings", async (_road, options) => {
    for (const [encoding, encode] of Object.entries(coded)) {
      const s = await server(encoding, encode(Buffer.from(OK)));
      await expect(xt(s.url, options).call("getServerTime"), encoding).resolves.toEqual({ serverTime: 1700000000000 });
    }
    // An error answer's body too: its envelope code is read.
    const s = await server("gzip", gzipSync('{"code":121,"info":"no such order"}'), 400);
    expect(await rejection(xt(s.url, options).call("getServerTime"))).toMatchObject({ code: 121, vendorMessage: "no such order" });
  });

  it.each(ROADS)("an empty body with a coding stays empty on the %s road: a 503 is an HttpError, not a decoding failure", async (_road, options) => {
    const s = await server("gzip", Buffer.alloc(0), 503);
    const e = await rejection(xt(s.url, options).call("getServerTime"));
    expect(e).toBeInstanceOf(HttpError);
    expect((e as HttpError).status).toBe(503);
  });

  it("raw deflate (no zlib wrapper), as some servers send it, is read on the undici road", async () => {
    const s = await server("deflate", deflateRawSync(OK));
    await expect(xt(s.url).call("getServerTime")).resolves.toEqual({ serverTime: 1700000000000 });
  });

  it.each(ROADS)("a body that is not what its coding says is a ResponseFormatError on the %s road, not retried", async (_road, options) => {
    const s = await server("gzip", Buffer.from(OK));
    const e = await rejection(xt(s.url, { ...options, retry: { maxAttempts: 3, sleep: async () => undefined } }).call("getServerTime"));
    expect(e).toBeInstanceOf(ResponseFormatError);
    expect(e.message).toMatch(/xt getServerTime: the answer's body cannot be decoded as its Content-Encoding says \(Z_DATA_ERROR\)/);
    expect(s.requests).toBe(1);
  });

  it("a Content-Encoding that names no compression (utf-8, none, binary: a misconfigured server) is read as sent, as fetch and browsers read it", async () => {
    for (const label of ["UTF-8", "none", "binary", "identity, utf8"]) {
      const s = await server(label, Buffer.from(OK));
      await expect(xt(s.url).call("getServerTime"), label).resolves.toEqual({ serverTime: 1700000000000 });
    }
  });

  it("a coding the client cannot decode is a ResponseFormatError naming it (undici road)", async () => {
    const s = await server("zstd", Buffer.from(OK));
    const e = await rejection(xt(s.url).call("getServerTime"));
    expect(e).toBeInstanceOf(ResponseFormatError);
    expect(e.message).toContain('"zstd" is not a coding this client can decode (gzip, deflate, br)');
  });

  it.each(ROADS.slice(0, 1))("a decompression bomb stops at maxResponseBytes of decoded bytes on the %s road", async (_road, options) => {
    const bomb = gzipSync(Buffer.alloc(20 * 1024 * 1024, 0x20)); // 20 KiB on the wire
    const s = await server("gzip", bomb);
    const e = await rejection(xt(s.url, { ...options, maxResponseBytes: 1024 * 1024 }).call("getServerTime"));
    expect(e).toBeInstanceOf(ResponseTooLargeError);
  });

  it("codings stacked past five are refused, read whole or streamed (thousands of them on a small body held a call and the CPU for minutes)", async () => {
    const layered = (n: number) => {
      let b = Buffer.from(OK);
      for (let i = 0; i < n; i++) b = gzipSync(b);
      return b;
    };
    const five = await server(Array(5).fill("gzip").join(", "), layered(5));
    await expect(xt(five.url).call("getServerTime")).resolves.toEqual({ serverTime: 1700000000000 });
    const six = await server(Array(6).fill("gzip").join(","), layered(6));
    const e = await rejection(xt(six.url).call("getServerTime"));
    expect(e).toBeInstanceOf(ResponseFormatError);
    expect(e.message).toContain("cannot be decoded as its Content-Encoding says (6 codings stacked; at most 5 are decoded)");
    // An empty body has nothing to decode: a 503 stays an HttpError, on the undici road and
    // with an injected fetch whose Response names the codings (the fetch road decodes nothing).
    const empty = await server(Array(6).fill("gzip").join(","), Buffer.alloc(0), 503);
    expect(await rejection(xt(empty.url).call("getServerTime"))).toBeInstanceOf(HttpError);
    const fetch = async () => new Response(null, { status: 503, headers: { "content-encoding": Array(6).fill("gzip").join(",") } });
    expect(await rejection(xt("http://xt.test", { fetch }).call("getServerTime"))).toBeInstanceOf(HttpError);
    const op = xtMeta.operations.find((o) => o.operationId === "getServerTime")!;
    const t = new HttpTransport({ api: "xt", meta: xtMeta, baseUrl: six.url, retry: false });
    const stream = await t.open(op, { method: op.method, baseUrl: six.url, path: op.path, query: [], form: null, json: null, headers: {} });
    const read = async () => {
      for await (const _ of stream.body) void _;
    };
    expect(await rejection(read())).toBeInstanceOf(ResponseFormatError);
  });

  it("the caller's abort ends the decoding of a body already read (a small body that decodes to 100 MB is not decoded to its end)", async () => {
    // Valid JSON: the envelope and 100 MB of whitespace, 100 KB on the wire.
    const body = gzipSync(Buffer.concat([Buffer.from(OK), Buffer.alloc(100 * 1024 * 1024, 0x20)]));
    const s = await server("gzip", body);
    const client = xt(s.url, { maxResponseBytes: Infinity });
    const controller = new AbortController();
    const started = performance.now();
    const call = client.call("getServerTime", undefined, { signal: controller.signal });
    setTimeout(() => controller.abort(), 30);
    const e = await rejection(call);
    expect(e).toBeInstanceOf(AbortedError);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it.each(ROADS.slice(0, 1))("a streamed body (open) is decoded chunk by chunk on the %s road", async (_road, options) => {
    const rows = Array.from({ length: 5000 }, (_, i) => `${i}|row ${i}\n`).join("");
    for (const [encoding, encode] of [["gzip", gzipSync], ["deflate", deflateRawSync], ["br", brotliCompressSync]] as const) {
      const s = await serve((_req, res) => {
        res.writeHead(200, { "content-type": "text/plain; charset=utf-8", "content-encoding": encoding });
        const bytes = encode(Buffer.from(rows));
        res.write(bytes.subarray(0, 100));
        setTimeout(() => res.end(bytes.subarray(100)), 10);
      });
      const op = xtMeta.operations.find((o) => o.operationId === "getServerTime")!;
      const t = new HttpTransport({ api: "xt", meta: xtMeta, baseUrl: s.url, retry: false, ...options });
      const stream = await t.open(op, { method: op.method, baseUrl: s.url, path: op.path, query: [], form: null, json: null, headers: {} });
      let text = "";
      for await (const c of stream.body) text += Buffer.from(c).toString("utf8");
      expect(text, encoding).toBe(rows);
    }
  });
});

describe("a compressed answer on the fetch road (fetch decodes it leniently: a gzip body cut short reads as whole)", () => {
  const ROWS = Array.from({ length: 2000 }, (_, i) => `${i}|80100.0000\n`).join("");
  const served = (encoding: string, body: Buffer, seen: Array<string | undefined>) =>
    serve((req, res) => {
      seen.push(req.headers["accept-encoding"]);
      res.writeHead(200, { "content-type": "application/json", "content-encoding": encoding, "content-length": String(body.length) });
      res.end(body);
    });

  it("the request asks for no compression; a body compressed anyway is a ResponseFormatError naming its coding, read whole or streamed", async () => {
    const seen: Array<string | undefined> = [];
    const whole = gzipSync(Buffer.from(OK));
    for (const [encoding, body] of [["gzip", whole], ["br", brotliCompressSync(Buffer.from(OK))], ["gzip", whole.subarray(0, whole.length - 7)]] as const) {
      const s = await served(encoding, body, seen);
      const e = await rejection(xt(s.url, { fetch: globalThis.fetch }).call("getServerTime"));
      expect(e, encoding).toBeInstanceOf(ResponseFormatError);
      expect(e.message).toContain(`xt getServerTime: the answer is compressed (${encoding}) though the request asked for none (Accept-Encoding: identity): fetch decodes it without checking that it is whole`);
    }
    expect(seen).toEqual(["identity", "identity", "identity"]);
    // Not retried: the server would compress the next answer too.
    const again = await served("gzip", whole, seen);
    expect(await rejection(xt(again.url, { fetch: globalThis.fetch, retry: { maxAttempts: 3, sleep: async () => undefined } }).call("getServerTime"))).toBeInstanceOf(ResponseFormatError);
    expect(seen).toHaveLength(4);
    // A stream of rows cut short (no gzip end): refused, not rows that lose their end.
    const cut = gzipSync(Buffer.from(ROWS));
    const s = await served("gzip", cut.subarray(0, cut.length - 7), seen);
    const op = xtMeta.operations.find((o) => o.operationId === "getServerTime")!;
    const t = new HttpTransport({ api: "xt", meta: xtMeta, baseUrl: s.url, retry: false, fetch: globalThis.fetch });
    const stream = await t.open(op, { method: op.method, baseUrl: s.url, path: op.path, query: [], form: null, json: null, headers: {} });
    const e = await rejection(
      (async () => {
        for await (const _ of stream.body) void _;
      })(),
    );
    expect(e).toBeInstanceOf(ResponseFormatError);
  });

  it("a decompression bomb is refused before it is decoded far (maxResponseBytes on the undici road)", async () => {
    const s = await served("gzip", gzipSync(Buffer.alloc(20 * 1024 * 1024, 0x20)), []);
    const e = await rejection(xt(s.url, { fetch: globalThis.fetch, maxResponseBytes: 1024 * 1024 }).call("getServerTime"));
    expect(e).toBeInstanceOf(ResponseFormatError);
  });

  it("a request that names an encoding itself gets fetch's decoding, as it asked", async () => {
    const seen: Array<string | undefined> = [];
    const s = await served("gzip", gzipSync(Buffer.from(OK)), seen);
    const op = xtMeta.operations.find((o) => o.operationId === "getServerTime")!;
    const t = new HttpTransport({ api: "xt", meta: xtMeta, baseUrl: s.url, retry: false, fetch: globalThis.fetch });
    const r = await t.execute(op, { method: op.method, baseUrl: s.url, path: op.path, query: [], form: null, json: null, headers: { "Accept-Encoding": "gzip" } });
    expect(r.body).toMatchObject({ data: { serverTime: 1700000000000 } });
    expect(seen).toEqual(["gzip"]);
  });
});

describe("the base URL is checked when a client is made", () => {
  const make: Record<string, (baseUrl: string) => unknown> = {
    xt: (baseUrl) => createXtClient({ ...KEYS, baseUrl }),
    bhex: (baseUrl) => createBhexOrgClient({ ...KEYS, baseUrl }),
    hubi: (baseUrl) => createHubiClient({ ...KEYS, baseUrl }),
    // (both of Xele's servers: one for another machine without the other is refused on its own)
    xele: (baseUrl) => createXeleClient({ username: "u", password: "p", maUrl: baseUrl, msUrl: "http://10.0.0.9:8181" }),
  };
  it.each([
    ["", "is not a URL: it needs http:// or https:// and a host"],
    ["127.0.0.1:8080", "is not a URL: it needs http:// or https:// and a host"],
    ["http://[::1", "is not a URL: it needs http:// or https:// and a host"],
    ["ftp://127.0.0.1", "must start with http:// or https://, not ftp:"],
    ["file:///etc/passwd", "must start with http:// or https://, not file:"],
    ["data:text/plain,hi", "must start with http:// or https://, not data:"],
    [" https://api.example", "holds a space, line break or control character"],
    ["https://api.example/v1\n", "holds a space, line break or control character"],
    ["https://api.example/a b", "holds a space, line break or control character"],
    ["https://api.example/v1?key=1", "has a query or fragment (? or #), which the requests cannot keep: remove it"],
    ["https://api.example/#top", "has a query or fragment (? or #), which the requests cannot keep: remove it"],
    ["https://u:pw@api.example", "holds credentials (user:password@); tradeapi does not send them: remove them from the URL"],
    // A password the message's redaction must take whole: with a space, a quote or an "@".
    ["https://u:p w@api.example", "holds a space, line break or control character"],
    ['https://u:p"w@api.example', "holds credentials (user:password@); tradeapi does not send them: remove them from the URL"],
    ["https://u:p@w@api.example", "holds credentials (user:password@); tradeapi does not send them: remove them from the URL"],
  ])("%j → UsageError: %s (every REST client, nothing sent)", (baseUrl, problem) => {
    for (const [api, create] of Object.entries(make)) {
      let error: unknown;
      try {
        create(baseUrl);
      } catch (e) {
        error = e;
      }
      expect(error, api).toBeInstanceOf(UsageError);
      expect((error as Error).message, api).toContain(problem);
      expect((error as Error).message).not.toMatch(/:p.?w@/);
      if (baseUrl.includes("@")) expect((error as Error).message).toContain('"https://[redacted]@api.example"');
    }
  });

  it("a query's values and a fragment are not shown in the message (a key passed as ?apikey=…)", () => {
    for (const [api, create] of Object.entries(make)) {
      for (const [baseUrl, shown] of [
        ["https://api.example/v1?apikey=s3cret-Query&v=2", '"https://api.example/v1?apikey=[redacted]&v=[redacted]"'],
        ["https://api.example/v1?s3cret-Query", '"https://api.example/v1?[redacted]"'],
        ["https://api.example/v1#s3cret-Query", '"https://api.example/v1#[redacted]"'],
      ] as const) {
        expect(() => create(baseUrl), api).toThrow(`the base URL ${shown} has a query or fragment`);
      }
    }
  });

  it("http and https URLs with a path (with or without a trailing slash) are taken", () => {
    for (const create of Object.values(make)) for (const ok of ["http://127.0.0.1:8080", "HTTPS://api.example/prefix/", "https://[::1]:9000/x"]) expect(() => create(ok)).not.toThrow();
    expect(() => createXtClient({ ...KEYS, baseUrl: 42 as unknown as string })).toThrow(/the base URL number must be a string/);
  });
});

describe("Retry-After", () => {
  it("retryAfterMsOf reads delay-seconds and HTTP dates", () => {
    const now = Date.parse("2026-12-02T12:00:00Z");
    expect(retryAfterMsOf("120", now)).toBe(120_000);
    expect(retryAfterMsOf(" 5 ", now)).toBe(5_000);
    expect(retryAfterMsOf("Wed, 02 Dec 2026 12:00:07 GMT", now)).toBe(7_000);
    expect(retryAfterMsOf("Wed, 02 Dec 2026 11:00:00 GMT", now)).toBe(0);
    for (const bad of [undefined, "", "-1", "1.5", "soon", "12abc", ",,", "soon, later"]) expect(retryAfterMsOf(bad, now), String(bad)).toBeUndefined();
    // A header sent twice arrives joined with ", " (a date holds a comma of its own): the longest wait.
    expect(retryAfterMsOf("1, 3", now)).toBe(3_000);
    expect(retryAfterMsOf("3, 1", now)).toBe(3_000);
    expect(retryAfterMsOf("Wed, 02 Dec 2026 12:00:07 GMT, 2", now)).toBe(7_000);
    expect(retryAfterMsOf("2, Wed, 02 Dec 2026 12:00:09 GMT, Wed, 02 Dec 2026 12:00:07 GMT", now)).toBe(9_000);
    expect(retryAfterMsOf("soon, 4", now)).toBe(4_000); // (Date.parse reads "soon, 4" as a date in 2001)
    expect(retryAfterMsOf("Wednesday, 02-Dec-26 12:00:05 GMT", now)).toBe(5_000);
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) expect(() => retryAfterMsOf("3", bad)).toThrow(/retryAfterMsOf takes the time now in ms \(a finite number\)/);
    // asctime names no zone: GMT, as every HTTP date (it was read in the machine's own zone: 4 hours in New York)
    const tz = process.env.TZ;
    try {
      for (const zone of ["America/New_York", "Asia/Shanghai", "UTC"]) {
        process.env.TZ = zone;
        expect(retryAfterMsOf("Wed Dec  2 12:00:07 2026", now), zone).toBe(7_000);
        expect(retryAfterMsOf("Wednesday, 02-Dec-26 12:00:05", now), zone).toBe(5_000);
      }
    } finally {
      if (tz === undefined) delete process.env.TZ;
      else process.env.TZ = tz;
    }
    // With the answer's Date, a date is counted on the server's clock (ours 5 minutes behind or ahead)
    expect(retryAfterMsOf("Wed, 02 Dec 2026 12:05:10 GMT", now, "Wed, 02 Dec 2026 12:05:00 GMT")).toBe(10_000);
    expect(retryAfterMsOf("Wed, 02 Dec 2026 11:55:10 GMT", now, "Wed, 02 Dec 2026 11:55:00 GMT")).toBe(10_000);
    expect(retryAfterMsOf("Wed, 02 Dec 2026 12:00:07 GMT", now, "no date")).toBe(7_000);
    expect(retryAfterMsOf("30", now, "Wed, 02 Dec 2026 11:55:00 GMT")).toBe(30_000);
    // A wait past what a timer can hold is read as that (1e23 ms; "Infinity s" in the message)
    for (const huge of ["9".repeat(20), "9".repeat(400), "Fri, 31 Dec 9999 23:59:59 GMT"]) expect(retryAfterMsOf(huge, now)).toBe(2 ** 31 - 1);
    // A long hostile header is read in linear time.
    const t = performance.now();
    for (const long of ["a".repeat(16_000), "Mon,".repeat(4_000), "1,".repeat(8_000)]) retryAfterMsOf(long, now);
    expect(performance.now() - t).toBeLessThan(500);
  });

  it("a Retry-After date is counted on the server's clock (its Date header): 10 s asked is 10 s, whatever this machine's clock says", async () => {
    for (const skewMs of [300_000, -300_000]) {
      const server = await serve((_req, res) => {
        const at = Math.floor((Date.now() + skewMs) / 1000) * 1000;
        res.setHeader("date", new Date(at).toUTCString());
        res.setHeader("retry-after", new Date(at + 10_000).toUTCString());
        res.writeHead(429, { "content-type": "text/plain" });
        res.end("slow down");
      });
      const e = await rejection(xt(server.url, { retry: { maxDelayMs: 60_000, maxAttempts: 1 } }).call("getServerTime"));
      expect((e as HttpError).retryAfterMs, `server clock ${skewMs} ms off`).toBe(10_000);
      expect(e.message).toContain("retry after 10 s");
    }
  });

  it("Retry-After sent twice: the longer wait is honoured (beyond maxDelayMs: not retried)", async () => {
    const twice = (values: string[]) =>
      serve((_req, res) => {
        if (s.requests === 1) {
          res.setHeader("retry-after", values);
          res.writeHead(429, { "content-type": "text/plain" });
          res.end("slow down");
        } else answer(res);
      }).then((l) => (s = l));
    await twice(["1", "3"]);
    const e = await rejection(xt(s.url, { retry: { maxDelayMs: 2_000, sleep: async () => undefined } }).call("getServerTime"));
    expect((e as HttpError).retryAfterMs).toBe(3_000);
    expect(s.requests).toBe(1);
    const delays: number[] = [];
    await twice(["3", "1"]);
    await expect(xt(s.url, { retry: { maxDelayMs: 5_000, sleep: async (ms) => void delays.push(ms) } }).call("getServerTime")).resolves.toEqual({ serverTime: 1700000000000 });
    expect(delays[0]).toBeGreaterThanOrEqual(3_000);
  });

  it("the error that ends a retried call says how many attempts it made (message, attempts, toJSON, stack); a single attempt does not", async () => {
    const failing = await serve((_req, res) => answer(res, "busy", 502, "text/plain"));
    const e = await rejection(xt(failing.url, { retry: { maxAttempts: 3, sleep: async () => undefined } }).call("getServerTime"));
    expect(e).toBeInstanceOf(HttpError);
    expect(e.message).toBe("xt getServerTime: after 3 attempts: HTTP 502: busy");
    expect((e as HttpError).attempts).toBe(3);
    expect(JSON.parse(JSON.stringify(e))).toMatchObject({ attempts: 3, status: 502 });
    expect(e.stack!.startsWith(`HttpError: ${e.message}\n`)).toBe(true);
    // A vendor error on the second attempt ends the call there: 2 attempts.
    const l = await serve((_req, res) => (l.requests === 1 ? answer(res, "busy", 502, "text/plain") : answer(res, '{"code":110,"info":"bad"}', 400)));
    const second = await rejection(xt(l.url, { retry: { sleep: async () => undefined } }).call("getServerTime"));
    expect(second).toBeInstanceOf(ApiError);
    expect((second as ApiError).attempts).toBe(2);
    expect(second.message).toMatch(/^xt getServerTime: after 2 attempts: /);
    const once = await rejection(xt(failing.url).call("getServerTime"));
    expect(once.message).toBe("xt getServerTime: HTTP 502: busy");
    expect("attempts" in once).toBe(false);
  });

  /** A server answering 429 with `retryAfter` to the first request (or to every one: "again"). */
  let s: Local;
  const limited = (retryAfter: string, then: "ok" | "again" = "ok") =>
    serve((_req, res) => {
      if (then === "again" || s.requests === 1) {
        res.writeHead(429, { "retry-after": retryAfter, "content-type": "text/plain" });
        res.end("slow down");
      } else answer(res);
    }).then((l) => (s = l));

  it("a 429 with a Retry-After within maxDelayMs is retried no sooner than it says", async () => {
    const delays: number[] = [];
    await limited("1");
    const client = xt(s.url, { retry: { maxDelayMs: 2_000, sleep: async (ms) => void delays.push(ms) } });
    await expect(client.call("getServerTime")).resolves.toEqual({ serverTime: 1700000000000 });
    expect(s.requests).toBe(2);
    // The retry's wait; then (this sleep passing no time) the client's hold for what is left of
    // the Retry-After, which on a real clock has passed by then.
    expect(delays[0]).toBeGreaterThanOrEqual(1_000);
    expect(delays.length).toBeLessThanOrEqual(2);
  });

  it("a Retry-After holds every call of the client: one made within it waits for its end, or (beyond maxDelayMs) fails at once, nothing sent", async () => {
    const l = await serve((req, res) => {
      if (l.requests === 1) {
        res.writeHead(429, { "retry-after": req.url!.includes("getServerTime") ? "1" : "5", "content-type": "text/plain" });
        res.end("slow down");
      } else answer(res);
    });
    const client = xt(l.url, { retry: false });
    const first = await rejection(client.call("getServerTime"));
    expect(first).toMatchObject({ status: 429, retryAfterMs: 1_000 });
    // Made at once after: held until the second is over (it was sent and earned its own 429).
    const t0 = performance.now();
    await expect(client.call("getServerTime")).resolves.toEqual({ serverTime: 1700000000000 });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(900);
    expect(l.requests).toBe(2);
    // A Retry-After longer than the retry's maxDelayMs (2 s by default): the calls within it fail at once.
    const m = await serve((_req, res) => {
      res.writeHead(429, { "retry-after": "5", "content-type": "text/plain" });
      res.end("slow down");
    });
    const other = xt(m.url, { retry: false });
    await rejection(other.call("getServerTime"));
    const t1 = performance.now();
    const held = (await rejection(other.call("getServerTime"))) as RateLimitError;
    expect(performance.now() - t1).toBeLessThan(200);
    expect(held).toBeInstanceOf(RateLimitError);
    expect(held).toMatchObject({ code: "retry-after", kind: "rate-limit" });
    expect(held.retryAfterMs).toBeGreaterThan(4_000);
    expect(held.outcomeUnknown).toBeUndefined();
    expect(held.message).toMatch(/^xt getServerTime: code retry-after not sent: the server asked for no requests until its Retry-After ends \(given with its answer to getServerTime \(HTTP 429\)\)/);
    expect(m.requests).toBe(1);
    // A call already aborted is an AbortedError, as without a hold.
    const gone = await rejection(other.call("getServerTime", {} as never, { signal: AbortSignal.abort(new Error("bye")) }));
    expect(gone).toBeInstanceOf(AbortedError);
    // A 503's Retry-After (one backend's, maybe) holds no other call: a cancel must still go out.
    const u = await serve((_req, res) => {
      if (u.requests === 1) {
        res.writeHead(503, { "retry-after": "5", "content-type": "text/plain" });
        res.end("busy");
      } else answer(res);
    });
    const third = xt(u.url, { retry: false });
    await rejection(third.call("getServerTime"));
    await expect(third.call("getServerTime")).resolves.toEqual({ serverTime: 1700000000000 });
    expect(u.requests).toBe(2);
  });

  it("a held call waits again for a longer Retry-After given meanwhile, and for one given while it waited its rate-limit turn; GET reports it as no answer", async () => {
    // Two calls in flight: the first answered 429 (1 s) at once, the second 429 (2 s) 300 ms later.
    const sent: number[] = [];
    const l = await serve((_req, res) => {
      const n = l.requests;
      sent.push(performance.now());
      const limited = (ra: string) => (res.writeHead(429, { "retry-after": ra, "content-type": "text/plain" }), res.end("slow down"));
      if (n === 1) limited("1");
      else if (n === 2) setTimeout(() => limited("2"), 300);
      else answer(res);
    });
    const client = xt(l.url);
    const first = rejection(client.call("getServerTime"));
    const second = rejection(client.call("getServerTime"));
    await first;
    const t0 = performance.now();
    const third = client.call("getServerTime");
    await second;
    await expect(third).resolves.toEqual({ serverTime: 1700000000000 });
    // It was sent after the second Retry-After (about 2.3 s after t0), not at the end of the first (1 s).
    expect(sent[2]! - t0).toBeGreaterThanOrEqual(2_100);
    // A call waiting for its limiter turn when a 429 arrives waits that Retry-After out too.
    const m = await serve((_req, res) => {
      sent.push(performance.now());
      if (m.requests === 1) setTimeout(() => (res.writeHead(429, { "retry-after": "2", "content-type": "text/plain" }), res.end("slow down")), 200);
      else answer(res);
    });
    const limited = xt(m.url, { rateLimit: new RateLimiter({ ...xtMeta.rateLimits, ip: { limit: 1, intervalMs: 1_000 } }) });
    sent.length = 0;
    const t1 = performance.now();
    const a = rejection(limited.call("getServerTime"));
    const b = limited.call("getServerTime");
    await a;
    await b;
    expect(sent[1]! - t1).toBeGreaterThanOrEqual(2_100);
    // Through the openapi-fetch methods, a call held back is { error } with no answer (status 0), not a 200.
    const h = await serve((_req, res) => (res.writeHead(429, { "retry-after": "30", "content-type": "text/plain" }), res.end("slow down")));
    const held = xt(h.url);
    await rejection(held.call("getServerTime"));
    const got = await held.GET("/trade/api/v1/getServerTime" as never);
    expect(got.error).toBeInstanceOf(RateLimitError);
    expect(got.response.status).toBe(0);
    expect(got.response.ok).toBe(false);
    expect(h.requests).toBe(1);
  }, 15_000);

  it("a Retry-After beyond maxDelayMs is not retried early: the HttpError carries it for the caller", async () => {
    await limited("60", "again");
    const e = await rejection(xt(s.url, { retry: { sleep: async () => undefined } }).call("getServerTime"));
    expect(e).toBeInstanceOf(HttpError);
    expect((e as HttpError).retryAfterMs).toBe(60_000);
    expect(e.message).toBe("xt getServerTime: HTTP 429: slow down (the server asks to retry after 60 s)");
    expect(JSON.parse(JSON.stringify(e))).toMatchObject({ status: 429, retryAfterMs: 60_000 });
    expect(s.requests).toBe(1);
  });

  it("an ApiError from a non-2xx answer carries its Retry-After too; without one there is no field", async () => {
    const l = await serve((req, res) => {
      res.writeHead(400, { "content-type": "application/json", ...(req.url!.includes("x=1") ? {} : { "retry-after": "3" }) });
      res.end('{"code":110,"info":"too fast"}');
    });
    const t = new HttpTransport({ api: "xt", meta: xtMeta, baseUrl: l.url, retry: false });
    const op = xtMeta.operations.find((o) => o.operationId === "getServerTime")!;
    const req = { method: op.method, baseUrl: l.url, path: op.path, query: [] as Array<[string, string]>, form: null, json: null, headers: {} };
    const e = await rejection(t.execute(op, req));
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).retryAfterMs).toBe(3_000);
    const without = await rejection(t.execute(op, { ...req, query: [["x", "1"]] }));
    expect("retryAfterMs" in without).toBe(false);
  });
});

describe("per-call options on call()", () => {
  it("a per-call timeout shorter than the client's fires, naming its ms", async () => {
    const s = await serve(() => undefined); // never answers
    const client = xt(s.url, { timeoutMs: 10_000 });
    const t = performance.now();
    const e = await rejection(client.call("getServerTime", {}, { timeoutMs: 80 }));
    expect(e).toBeInstanceOf(TimeoutError);
    expect(e.message).toContain("80 ms");
    expect((e as TimeoutError & { timeoutMs?: number }).timeoutMs).toBe(80);
    expect(performance.now() - t).toBeLessThan(3_000);
  });

  it("a per-call abort aborts that call only; the other call on the same client answers", async () => {
    const s = await serve((_req, res) => setTimeout(() => answer(res), 150));
    const client = xt(s.url);
    const controller = new AbortController();
    const aborted = rejection(client.call("getServerTime", {}, { signal: controller.signal }));
    const other = client.call("getServerTime");
    setTimeout(() => controller.abort(), 20);
    expect(await aborted).toBeInstanceOf(AbortedError);
    await expect(other).resolves.toEqual({ serverTime: 1700000000000 });
    // The next call with the (now aborted) signal is refused at once; without it, it runs.
    expect(await rejection(client.call("getServerTime", {}, { signal: controller.signal }))).toBeInstanceOf(AbortedError);
    await expect(client.call("getServerTime")).resolves.toEqual({ serverTime: 1700000000000 });
  });

  it.each([
    [300, "undici"],
    [10_000, "undici"],
    [300, "fetch"],
  ] as const)("an already aborted signal sends nothing (timeout %i ms, %s)", async (timeoutMs, road) => {
    const s = await serve((_req, res) => answer(res));
    const controller = new AbortController();
    controller.abort();
    const client = xt(s.url, road === "fetch" ? { fetch: globalThis.fetch } : {});
    const e = await rejection(client.call("getServerTime", {}, { signal: controller.signal, timeoutMs }));
    expect(e).toBeInstanceOf(AbortedError);
    await new Promise((r) => setTimeout(r, 50));
    expect(s.requests).toBe(0);
  });

  it("the client's signal still aborts, with or without a per-call signal", async () => {
    const s = await serve(() => undefined);
    const clientWide = new AbortController();
    const client = xt(s.url, { signal: clientWide.signal });
    const plain = rejection(client.call("getServerTime"));
    const withOwn = rejection(client.call("getServerTime", {}, { signal: new AbortController().signal, timeoutMs: 5_000 }));
    setTimeout(() => clientWide.abort(), 20);
    expect(await plain).toBeInstanceOf(AbortedError);
    expect(await withOwn).toBeInstanceOf(AbortedError);
  });

  it("a timeout that is not a usable number of ms → UsageError, nothing sent", async () => {
    const s = await serve((_req, res) => answer(res));
    const client = xt(s.url);
    for (const timeoutMs of [0, -5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31, "100" as unknown as number]) {
      const e = await rejection(client.call("getServerTime", {}, { timeoutMs }));
      expect(e.name, String(timeoutMs)).toBe("UsageError");
      expect(e.message).toContain("timeoutMs must be");
    }
    // The client's own timeoutMs is checked when the client is made.
    expect(() => xt(s.url, { timeoutMs: -1 })).toThrow(UsageError);
    expect(s.requests).toBe(0);
    await expect(client.call("getServerTime", {}, { timeoutMs: 2_500.5 })).resolves.toEqual({ serverTime: 1700000000000 });
  });

  it("BHEX call() and callWithKey() take the options too", async () => {
    const s = await serve(() => undefined);
    const bhex = createBhexOrgClient({ ...KEYS, baseUrl: s.url, rateLimit: false, retry: false, timeoutMs: 10_000 });
    const e = await rejection(bhex.call("accountBalance", { user_id: "1" }, { timeoutMs: 60 }));
    expect(e).toBeInstanceOf(TimeoutError);
    expect(e.message).toContain("60 ms");
  });
});

describe.each([
  ["undici (no fetch option)", {}],
  ["the fetch option", { fetch: globalThis.fetch }],
] as const)("failures through %s", (_name, road) => {
  it.each([
    // The parser's own words differ between undici versions (Node's fetch has its own copy).
    ["a status line that is not HTTP", "HTTP/1.1 abc\r\n\r\n", /Invalid (status code|response status)/],
    ["another protocol on the port", "SSH-2.0-OpenSSH_9.6\r\n", /Expected HTTP\//],
    ["a status below 100", "HTTP/1.1 099 Weird\r\nContent-Length: 2\r\n\r\n{}", /status/],
    ["headers past 16 KiB", `HTTP/1.1 200 OK\r\nX-Big: ${"a".repeat(100_000)}\r\nContent-Length: 2\r\n\r\n{}`, /its headers are larger than 16 KiB/],
    ["a broken chunk size", `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n`, /Invalid character in chunk size/],
  ])("%s → ResponseFormatError saying the answer is not HTTP, not retried", async (_what, raw, detail) => {
    const s = await rawServer((socket) => socket.end(raw));
    const e = await rejection(xt(s.url, { ...road, retry: {} }).call("getServerTime"));
    expect(e).toBeInstanceOf(ResponseFormatError);
    expect(e.message).toMatch(/^xt getServerTime: the answer cannot be read as HTTP\/1\.1 \(/);
    expect(e.message).toMatch(detail);
    expect(e.message).toContain(`is the base URL ${s.url} an HTTP server`);
    expect(s.connections).toBe(1);
  });

  it("an interim 100 Continue the request did not ask for (undici refuses it) → ResponseFormatError saying so, not retried; an order's outcome unknown", async () => {
    const body = '{"code":200,"info":"ok","data":{"serverTime":1}}';
    const s = await rawServer((socket) => socket.write(`HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`));
    const e = await rejection(xt(s.url, { ...road, retry: {} }).call("getServerTime"));
    expect(e).toBeInstanceOf(ResponseFormatError);
    expect(e.message).toBe("xt getServerTime: the server answered with an interim 100 Continue the request did not ask for, which this client cannot read (the server may send it to every request)");
    expect(s.connections).toBe(1);
    const order = await rejection(xt(s.url, road).call("order", { market: "btc_usdt", price: 1, number: 1, type: 1, entrustType: 0 }));
    expect(order).toBeInstanceOf(ResponseFormatError);
    expect((order as ResponseFormatError).outcomeUnknown).toBe(true);
  });

  it("an answer shorter than its Content-Length → ConnectionError saying the server closed it early", async () => {
    const s = await rawServer((socket) => socket.end('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"code":200'));
    const e = await rejection(xt(s.url, road).call("getServerTime"));
    expect(e).toBeInstanceOf(ConnectionError);
    expect(e.message).toMatch(/^xt getServerTime: connection failed: the server closed it before its answer was complete \(UND_ERR_(SOCKET|RES_CONTENT_LENGTH_MISMATCH)\)$/);
  });

  it("no answer → TimeoutError naming the ms", async () => {
    const s = await serve(() => undefined);
    const e = await rejection(xt(s.url, { ...road, timeoutMs: 100 }).call("getServerTime"));
    expect(e).toBeInstanceOf(TimeoutError);
    expect(e.message).toContain("no answer within 100 ms");
  });

  it("refused connection → ConnectionError naming the base URL", async () => {
    const s = await serve(() => undefined);
    const url = s.url;
    await s.close();
    servers = [];
    const e = await rejection(xt(url, road).call("getServerTime"));
    expect(e).toBeInstanceOf(ConnectionError);
    expect(e.message).toContain(`is the base URL ${url} reachable?`);
    expect(e.message).toMatch(/ECONNREFUSED/);
  });

  it("an HTML error page → ResponseFormatError (200) or HttpError (502), the page in the snippet", async () => {
    const page = "<html><body><h1>502 Bad Gateway</h1></body></html>";
    const s = await serve((req, res) => answer(res, page, req.url!.includes("getServerTime") ? 200 : 502, "text/html"));
    const client = xt(s.url, road);
    const e = await rejection(client.call("getServerTime"));
    expect(e).toBeInstanceOf(ResponseFormatError);
    expect(e.message).toContain("HTML page");
    const h = await rejection(client.call("getTicker", { market: "btc_usdt" }));
    expect(h).toBeInstanceOf(HttpError);
    expect((h as HttpError).status).toBe(502);
    expect(h.message).toContain("502 Bad Gateway");
  });

  it("a server closing mid-body → ConnectionError, the signature not in it", async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": "1000" });
      res.write('{"code":200,"info":"success","data":{');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const e = await rejection(xt(s.url, road).call("getBalance"));
    expect(e).toBeInstanceOf(ConnectionError);
    expect(String(e.stack)).not.toContain(KEYS.accessKey);
  });

  it("an endless answer → ResponseTooLargeError at maxResponseBytes (not retried), never an out-of-memory crash", async () => {
    let written = 0;
    const s = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"code":200,"info":"');
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      const pump = () => {
        while (!res.destroyed && written < 64 * 1024 * 1024 && res.write(chunk)) written += chunk.length;
      };
      res.on("drain", pump);
      pump();
    });
    // retry on: getServerTime is retryable, and a too-large answer is not worth another attempt
    const e = await rejection(xt(s.url, { ...road, maxResponseBytes: 1024 * 1024, retry: {} }).call("getServerTime"));
    expect(e).toBeInstanceOf(ResponseTooLargeError);
    expect(e.message).toBe("xt getServerTime: the answer is larger than 1048576 bytes: not read further (the maxResponseBytes option raises the limit)");
    expect((e as ResponseTooLargeError).maxResponseBytes).toBe(1024 * 1024);
    expect(s.requests).toBe(1);
    expect(written).toBeLessThan(16 * 1024 * 1024); // reading stopped (the socket closed), not drained
  });

  it("a Content-Length above maxResponseBytes → ResponseTooLargeError at once, before any body", async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": String(DEFAULT_MAX_RESPONSE_BYTES + 1) });
      res.write("{");
    });
    const started = performance.now();
    const e = await rejection(xt(s.url, { ...road, timeoutMs: 4000 }).call("getServerTime"));
    expect(e).toBeInstanceOf(ResponseTooLargeError);
    expect((e as ResponseTooLargeError).maxResponseBytes).toBe(64 * 1024 * 1024);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it("maxResponseBytes: Infinity lifts the limit; a value that is not a byte count → UsageError", async () => {
    const big = `{"code":200,"info":"${"x".repeat(200_000)}","data":{"serverTime":1}}`;
    const s = await serve((_req, res) => answer(res, big));
    await expect(xt(s.url, { ...road, maxResponseBytes: Infinity }).call("getServerTime")).resolves.toEqual({ serverTime: 1 });
    await expect(rejection(xt(s.url, { ...road, maxResponseBytes: 1000 }).call("getServerTime"))).resolves.toBeInstanceOf(ResponseTooLargeError);
    for (const bad of [0, -1, 1.5, Number.NaN, "1000"]) {
      expect(() => xt(s.url, { ...road, maxResponseBytes: bad as number })).toThrow(UsageError);
    }
    expect(() => xt(s.url, { maxResponseBytes: 0 })).toThrow("xt: maxResponseBytes must be a whole number of bytes of at least 1, or Infinity; got 0");
  });

  it("the response headers are a plain lower-cased record", async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json", "X-Trace-Id": "abc" });
      res.end(OK);
    });
    const client = xt(s.url, road);
    const op = client.transport.operation("getServerTime")!;
    const result = await client.transport.execute(op, { method: op.method, baseUrl: s.url, path: op.path, query: [], form: null, json: null, headers: {} });
    expect(result.headers["x-trace-id"]).toBe("abc");
    expect(result.contentType).toBe("application/json");
  });
});

describe("undici path specifics", () => {
  it("a body that stops arriving → TimeoutError (bodyTimeout), not a hang", async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": "1000" });
      res.write('{"code":200,');
    });
    const e = await rejection(xt(s.url, { timeoutMs: 150 }).call("getServerTime"));
    expect(e).toBeInstanceOf(TimeoutError);
    expect(e.message).toContain("150 ms");
  });

  it("a body trickled a byte at a time (each wait under bodyTimeout) → TimeoutError after timeoutMs, not a call that never ends", async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write("{");
      const t = setInterval(() => res.write(" "), 200);
      res.on("close", () => clearInterval(t));
    });
    // 5 000 ms: no native timer on this road (PRECISE_BELOW_MS); the shared sweep ends the body.
    const started = performance.now();
    const e = await rejection(xt(s.url, { timeoutMs: 5000 }).call("getServerTime"));
    const ms = performance.now() - started;
    expect(e).toBeInstanceOf(TimeoutError);
    expect(e.message).toContain("no answer within 5000 ms");
    expect(ms).toBeGreaterThanOrEqual(4900);
    expect(ms).toBeLessThan(7500);
  }, 15_000);

  it("interim answers (102, 103) every 900 ms, each refreshing undici's headersTimeout → TimeoutError after timeoutMs, an order marked outcomeUnknown, not a call held forever", async () => {
    const s = await serve((_req, res) => {
      let n = 0;
      const t = setInterval(() => (n++ % 2 ? res.writeEarlyHints({ link: "</a>; rel=preload" }) : res.writeProcessing()), 900);
      res.on("close", () => clearInterval(t));
    });
    // 5 000 ms: no native timer on this road (PRECISE_BELOW_MS); the shared sweep ends the wait for the head.
    const started = performance.now();
    const e = await rejection(xt(s.url, { timeoutMs: 5000, retry: false }).call("order", { market: "btc_usdt", price: "1", number: "1", type: 1, entrustType: 0 }));
    const ms = performance.now() - started;
    expect(e).toBeInstanceOf(TimeoutError);
    expect(e.message).toContain("no answer within 5000 ms");
    expect((e as TimeoutError).outcomeUnknown).toBe(true);
    expect(ms).toBeGreaterThanOrEqual(4900);
    expect(ms).toBeLessThan(7500);
  }, 15_000);

  it("creates no AbortController for a call without a signal, and one only when two signals meet", async () => {
    const s = await serve((_req, res) => answer(res));
    const client = xt(s.url);
    await client.call("getServerTime"); // warm
    const Original = globalThis.AbortController;
    let made = 0;
    globalThis.AbortController = class extends Original {
      constructor() {
        super();
        made++;
      }
    };
    try {
      for (let i = 0; i < 5; i++) await client.call("getServerTime");
      expect(made).toBe(0);
      const own = new Original();
      await client.call("getServerTime", {}, { signal: own.signal });
      expect(made).toBe(0);
      const both = xt(s.url, { signal: new Original().signal });
      await both.call("getServerTime", {}, { signal: own.signal });
      expect(made).toBe(1);
    } finally {
      globalThis.AbortController = Original;
    }
  });

  it("sends a User-Agent (fetch sends one of its own), unless the request names one", async () => {
    const agents: Array<string | undefined> = [];
    const s = await serve((req, res) => {
      agents.push(req.headers["user-agent"]);
      answer(res);
    });
    await xt(s.url).call("getServerTime");
    const client = xt(s.url);
    const op = client.transport.operation("getServerTime")!;
    await client.transport.execute(op, { method: op.method, baseUrl: s.url, path: op.path, query: [], form: null, json: null, headers: { "user-agent": "mine/1" } });
    expect(agents).toEqual(["tradeapi", "mine/1"]);
  });

  /** A server that counts the connections its requests came on. */
  const counting = async () => {
    const seen = new Set<unknown>();
    const s = await serve((req, res) => {
      seen.add(req.socket);
      answer(res);
    });
    return { url: s.url, sockets: () => seen.size };
  };

  it("keeps the connection alive between calls", async () => {
    const s = await counting();
    // Ten clients, one or two sockets (undici may open the second before the first is released):
    // the agent and its keep-alive pool are shared.
    for (let i = 0; i < 10; i++) await xt(s.url).call("getServerTime");
    expect(s.sockets()).toBeLessThanOrEqual(2);
  });

  it("keeps one connection for calls whose short timeouts all differ (a deadline passed down per call)", async () => {
    const s = await counting();
    const client = xt(s.url);
    // 30 values from 2 to 5 s: one agent (their native timers bound the connection), not one each.
    for (let i = 0; i < 30; i++) await client.call("getServerTime", {}, { timeoutMs: 2_001 + 99 * i });
    expect(s.sockets()).toBeLessThanOrEqual(2);
    // 30 values from 0.1 to 5 s: one agent per step of the connect timeout (250 ms, 0.5, 1, 2, 5 s).
    const spread = await counting();
    for (let i = 0; i < 30; i++) await xt(spread.url).call("getServerTime", {}, { timeoutMs: 100 + 163 * i });
    expect(spread.sockets()).toBeLessThanOrEqual(10); // (one or two each, as above)
    // Long ones too (no native timer: the connect timeout is the agent's): 100 deadlines from
    // 30 s down share the pool of their step of 5 s × 1.25^k (each opened its own connection).
    const long = await counting();
    const longClient = xt(long.url);
    for (let i = 0; i < 100; i++) await longClient.call("getServerTime", {}, { timeoutMs: 30_000 - i });
    expect(long.sockets()).toBeLessThanOrEqual(4);
  });

  it("a call's own timeoutMs (of 5 s or more, equal to the client's too) bounds the whole attempt; the client's bounds each phase", async () => {
    // Headers after 3.5 s, the body 3 s later: within 5 s per phase, not within 5 s in all.
    const s = await serve((_req, res) => {
      setTimeout(() => res.writeHead(200, { "content-type": "application/json" }).flushHeaders(), 3_500);
      setTimeout(() => res.end(OK), 6_500);
    });
    const client = xt(s.url, { timeoutMs: 5_000 });
    const [own, clients] = await Promise.all([
      client.call("getServerTime", {}, { timeoutMs: 5_000 }).catch((e: unknown) => e),
      client.call("getServerTime").catch((e: unknown) => e),
    ]);
    expect(own).toBeInstanceOf(TimeoutError);
    expect(clients).toEqual({ serverTime: 1700000000000 });
  }, 15_000);

  it("closes the pools of the timeouts used longest ago, past 16 of them", async () => {
    const open = new Set<Socket>();
    const s = await serve((req, res) => {
      open.add(req.socket);
      req.socket.once("close", () => open.delete(req.socket));
      answer(res);
    });
    const client = xt(s.url);
    // 20 long timeouts of 20 connect steps (5 s × 1.25^k) never used before: 20 pools, each with
    // a connection kept alive; at least 4 of them are closed at once (not left to their 4 s keep-alive).
    const steps = Array.from({ length: 20 }, (_, i) => Math.ceil(5_000 * 1.25 ** (i + 1)) + 1_000);
    for (const timeoutMs of steps) await client.call("getServerTime", {}, { timeoutMs });
    await new Promise((r) => setTimeout(r, 300));
    expect(open.size).toBeLessThanOrEqual(16);
    // The pools used last are kept: calling with the newest timeout again opens nothing new.
    const before = new Set(open);
    await client.call("getServerTime", {}, { timeoutMs: steps.at(-1)! });
    expect([...open].every((x) => before.has(x))).toBe(true);
  });
});

describe("open(): the streaming entry", () => {
  const transportFor = (baseUrl: string, more: Partial<ConstructorParameters<typeof HttpTransport>[0]> = {}) =>
    new HttpTransport({ api: "xt", meta: xtMeta, baseUrl, retry: false, ...more });
  const request = (baseUrl: string) => {
    const op = xtMeta.operations.find((o) => o.operationId === "getServerTime")!;
    return { op, req: { method: op.method, baseUrl, path: op.path, query: [], form: null, json: null, headers: {} } };
  };
  const drain = async (body: AsyncIterable<Uint8Array>) => {
    let text = "";
    for await (const c of body) text += Buffer.from(c).toString("utf8");
    return text;
  };

  it.each([{}, { fetch: globalThis.fetch }])("streams a 2xx body chunk by chunk (%o)", async (road) => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "text/plain; charset=utf-8" });
      res.write("a|b\n");
      setTimeout(() => res.end("c|d\n"), 20);
    });
    const { op, req } = request(s.url);
    const stream = await transportFor(s.url, road).open(op, req);
    expect(stream.status).toBe(200);
    expect(stream.contentType).toBe("text/plain; charset=utf-8");
    expect(await drain(stream.body)).toBe("a|b\nc|d\n");
  });

  it.each([{}, { fetch: globalThis.fetch }])("a body returned before its first read lets its connection go at once (%o)", async (road) => {
    let closed = false;
    const s = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("a|b\n"); // then silent: only a release ends it
      res.on("close", () => (closed = true));
    });
    const { op, req } = request(s.url);
    const stream = await transportFor(s.url, { ...road, timeoutMs: 10_000 }).open(op, req);
    const started = performance.now();
    await stream.body[Symbol.asyncIterator]().return?.();
    await vi.waitFor(() => expect(closed).toBe(true), { timeout: 2_000, interval: 10 });
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it("maps an error answer like execute (ApiError from the envelope, HttpError otherwise)", async () => {
    const s = await serve((req, res) =>
      req.url!.includes("x=1") ? answer(res, '{"code":121,"info":"no such order"}', 400) : answer(res, "<html>down</html>", 503, "text/html"),
    );
    const { op, req } = request(s.url);
    const t = transportFor(s.url);
    const api = await rejection(t.open(op, { ...req, query: [["x", "1"]] }));
    expect(api.constructor.name).not.toBe("HttpError");
    expect((api as { code?: unknown }).code).toBe(121);
    const http = await rejection(t.open(op, req));
    expect(http).toBeInstanceOf(HttpError);
    expect((http as HttpError).status).toBe(503);
  });

  it("a server closing mid-stream → ConnectionError from the body; an abort mid-stream → AbortedError", async () => {
    const s = await serve((req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("row|1\n");
      if (req.url!.includes("cut")) setTimeout(() => res.socket?.destroy(), 20);
    });
    const { op, req } = request(s.url);
    const cut = await transportFor(s.url).open(op, { ...req, query: [["cut", "1"]] });
    expect(await rejection(drain(cut.body))).toBeInstanceOf(ConnectionError);

    const controller = new AbortController();
    const open = await transportFor(s.url).open(op, req, { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    expect(await rejection(drain(open.body))).toBeInstanceOf(AbortedError);
  });

  it("a stream that goes silent → TimeoutError after timeoutMs without a chunk", async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("row|1\n");
    });
    const { op, req } = request(s.url);
    const stream = await transportFor(s.url).open(op, req, { timeoutMs: 120 });
    const e = await rejection(drain(stream.body));
    expect(e).toBeInstanceOf(TimeoutError);
    expect(e.message).toContain("120 ms");
  });

  it("a call option that cannot work is a UsageError before anything is sent", async () => {
    const s = await serve((_req, res) => answer(res));
    const { op, req } = request(s.url);
    const t = transportFor(s.url);
    const bad = await rejection(t.open(op, req, { signal: "x" as unknown as AbortSignal }));
    expect(bad).toBeInstanceOf(UsageError);
    expect(bad.message).toBe("xt getServerTime: the call option signal must be an AbortSignal, got string");
    expect(await rejection(t.open(op, req, { timeoutMs: -1 }))).toBeInstanceOf(UsageError);
    expect(s.requests).toBe(0);
  });

  it("a redirect is refused before any body is read", async () => {
    const s = await serve((_req, res) => {
      res.writeHead(302, { location: "http://127.0.0.1:1/elsewhere" });
      res.end();
    });
    const { op, req } = request(s.url);
    const e = await rejection(transportFor(s.url).open(op, req));
    expect(e.name).toBe("RedirectError");
  });
});

describe("encodePairs", () => {
  const reference = (pairs: ReadonlyArray<readonly [string, string]>) => pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");

  it("writes exactly what encodeURIComponent writes, for any text", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string({ unit: "binary" }), fc.string({ unit: "binary" })), { maxLength: 6 }), (pairs) => {
        let want: string | Error;
        try {
          want = reference(pairs);
        } catch (e) {
          want = e as Error;
        }
        if (want instanceof Error) expect(() => encodePairs(pairs)).toThrow(URIError);
        else expect(encodePairs(pairs)).toBe(want);
      }),
      { numRuns: 500 },
    );
    expect(encodePairs([["a b", "c&d=é"], ["safe-_.!~*'()", "x"]])).toBe("a%20b=c%26d%3D%C3%A9&safe-_.!~*'()=x");
    expect(encodePairs([])).toBe("");
  });
});
