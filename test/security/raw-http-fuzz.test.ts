/**
 * Servers that do not speak HTTP well, on the clients' own road (undici, no fetch injected): a
 * fuzzer writes each answer byte by byte — status lines that are odd or not HTTP/1.1, interim
 * 1xx answers, 204/304/101 with a body, Content-Length that lies or is given twice, chunked
 * bodies (also mixed with a length), codings the body does not have, control bytes in headers —
 * and sends it whole, leaves the socket open after it, or cuts it halfway. Whatever comes, every
 * call of each REST client settles (no hang) with a value or a TradeApiError naming its API, and
 * no error text holds a credential.
 */
import { createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBhexOrgClient } from "../../src/handwritten/bhex/client.js";
import { TradeApiError } from "../../src/handwritten/core/errors.js";
import { createHubiClient } from "../../src/handwritten/hubi/client.js";
import { createXeleClient } from "../../src/handwritten/xele/client.js";
import { createXtClient } from "../../src/handwritten/xt/client.js";

const SECRET = "sk-rawfuzz-0001";
const ACCESS = "ak-rawfuzz-0001";
const TOKEN = "tk-rawfuzz-0001";
const PASSWORD = "pw-rawfuzz-0001";
const TIMEOUT_MS = 150;
/** Every credential, as a server that echoes them writes them (each client must hide those it was given). */
const ECHO = `${SECRET} ${ACCESS} ${TOKEN} ${PASSWORD}`;

/** How the server sends the answer: all of it then FIN; all of it, socket left open; half, then RST. */
type Mode = "end" | "open" | "cut";
let answer: Buffer = Buffer.alloc(0);
let mode: Mode = "end";
/** Requests the server answered (each run must reach it: a call refused before sending tests nothing). */
let requests = 0;
const sockets = new Set<Socket>();
let server: Server;
let base = "";

beforeAll(async () => {
  server = createServer((s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    s.on("error", () => undefined);
    s.once("data", () => {
      requests++;
      if (mode === "end") s.end(answer);
      else if (mode === "open") s.write(answer);
      else {
        s.write(answer.subarray(0, answer.length >> 1));
        setTimeout(() => s.resetAndDestroy(), 5);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => server.close(() => r()));
});

const STATUS = ["HTTP/1.1 200 OK", "HTTP/1.0 200 OK", "HTTP/1.1 200", "HTTP/1.1 999 Odd", "HTTP/2 200", "ICY 200 OK", "HTTP/1.1 -1 X", "HTTP/1.1 500 Internal", "HTTP/1.1 429 Slow Down", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK", "HTTP/1.1 204 No Content", "HTTP/1.1 304 Not Modified", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade", "HTTP/1.1 302 Found\r\nLocation: http://elsewhere.test/", "garbage", ""];
const HEADERS = ["Content-Type: application/json", "Content-Type: text/html", "Content-Type: application/json; charset=utf-16", "Content-Type: text/plain; charset=nope", "Content-Length: 5", "Content-Length: 99999", "Content-Length: -1", "Content-Length: abc", "Content-Length: 5, 6", "Content-Length: 0", "Transfer-Encoding: chunked", "Transfer-Encoding: gzip, chunked", "Content-Encoding: gzip", "Content-Encoding: br", "Content-Encoding: zstd", "Content-Encoding: gzip, gzip", "Connection: close", "Retry-After: 999999999", "Retry-After: -5", "X-Bad: a\u0000b", "X-Bad: a\rb", `Set-Cookie: s=${SECRET}`, `X-Echo: ${ECHO}`];
const BODIES = [`{"code":200,"info":"ok","data":{}}`, `{"status":0,"msg":"","data":[]}`, `{"code":0,"msg":"","ticket":"t","result":""}`, `{"code":308,"info":"bad signature ${ECHO}"}`, `{"status":-1,"message":"${ECHO}"}`, `{"code":114,"msg":"${ECHO}"}`, `<html>502 ${ECHO}</html>`, "", "{", "null", "[]"];

const answers = fc.record({
  status: fc.constantFrom(...STATUS),
  headers: fc.uniqueArray(fc.constantFrom(...HEADERS), { maxLength: 5 }),
  body: fc.oneof(fc.constantFrom(...BODIES), fc.string({ maxLength: 40 })),
  chunked: fc.boolean(),
  mode: fc.constantFrom<Mode>("end", "end", "end", "open", "cut"),
});

function wire(a: { status: string; headers: string[]; body: string; chunked: boolean }): Buffer {
  const body = a.chunked ? `${Buffer.byteLength(a.body).toString(16)}\r\n${a.body}\r\n0\r\n\r\n` : a.body;
  return Buffer.from(`${a.status}\r\n${a.headers.map((h) => `${h}\r\n`).join("")}\r\n${body}`, "utf8");
}

/** Options of every client (the base URL is known once the server listens: given in each call). */
const common = { retry: false as const, timeoutMs: TIMEOUT_MS };
/** Each client, its call, and the credentials it was given (which no error of it may show). */
const clients: Array<[string, () => Promise<unknown>, string[]]> = [
  ["xt", () => createXtClient({ ...common, baseUrl: base, accessKey: ACCESS, secretKey: SECRET, rateLimit: false }).call("getBalance"), [SECRET, ACCESS]],
  ["bhex", () => createBhexOrgClient({ ...common, baseUrl: base, accessKey: ACCESS, secretKey: SECRET, rateLimit: false }).call("accountBalanceFlow", { user_id: 1 }), [SECRET, ACCESS]],
  ["hubi", () => createHubiClient({ ...common, baseUrl: base, accessKey: ACCESS, secretKey: SECRET, accessToken: TOKEN }).call("cancelOrder", { order_no: "1" }), [SECRET, ACCESS, TOKEN]],
  ["xele", () => createXeleClient({ ...common, maUrl: base, msUrl: base, username: "u", password: PASSWORD }).call("getSystemInfo"), [PASSWORD]],
];

describe("REST clients against servers that write broken HTTP (undici road)", () => {
  it.each(clients)("%s: every call settles with a value or a TradeApiError, no credential in it", async (api, call, secrets) => {
    requests = 0;
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(answers, async (a) => {
        answer = wire(a);
        mode = a.mode;
        runs++;
        const started = performance.now();
        const result = await call().then(
          () => undefined,
          (e: unknown) => e,
        );
        for (const s of sockets) s.destroy();
        // The call's own deadline, plus room for a busy machine: never a hang.
        expect(performance.now() - started).toBeLessThan(TIMEOUT_MS + 2_000);
        if (result === undefined) return;
        if (!(result instanceof TradeApiError)) throw new Error(`${api}: not a TradeApiError: ${String(result)}`, { cause: result });
        expect(result.api).toBe(api);
        const text = `${result.message}\n${result.stack}\n${JSON.stringify(result)}`;
        for (const secret of secrets) expect(text).not.toContain(secret);
      }),
      { numRuns: 150 },
    );
    // The calls reach the server (a call refused before sending would test nothing). Not every
    // run is counted: a request on a kept-alive socket, or sent as the server dropped the last
    // run's socket, is not a new connection's first request.
    expect(requests).toBeGreaterThanOrEqual(runs * 0.8);
  }, 60_000);
});
