import { createServer, type Socket } from "node:net";
import fc from "fast-check";
import { TradeApiError } from "./src/handwritten/core/errors.js";
import { createXtClient } from "./src/handwritten/xt/client.js";
let next: Buffer = Buffer.alloc(0); let mode = 0;
const socks = new Set<Socket>();
const server = createServer((s) => { socks.add(s); s.on("close", () => socks.delete(s)); s.on("error", () => {}); s.once("data", () => { if (mode === 0) s.end(next); else if (mode === 1) { s.write(next); } else { s.write(next.subarray(0, next.length >> 1)); setTimeout(() => s.destroy(), 20); } }); });
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
const base = `http://127.0.0.1:${(server.address() as any).port}`;
const c = createXtClient({ accessKey: "ak-fuzz-0001", secretKey: "sk-fuzz-0001", baseUrl: base, retry: false, rateLimit: false, timeoutMs: 300 });
const body = fc.oneof(fc.constant('{"code":200,"info":"ok","data":{"id":1}}'), fc.string(), fc.constant(""));
const head = fc.tuple(
  fc.constantFrom("HTTP/1.1 200 OK", "HTTP/1.0 200 OK", "HTTP/1.1 200", "HTTP/1.1 999 X", "HTTP/2 200", "HTTP/1.1 200 OK\r\nX: a\rb", "ICY 200 OK", "HTTP/1.1 -1 X", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK", "HTTP/1.1 204 No Content", "HTTP/1.1 304 Not Modified", "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade"),
  fc.array(fc.constantFrom("Content-Type: application/json", "Content-Type: text/html", "Content-Type: application/json; charset=utf-16", "Content-Length: 5", "Content-Length: 99999", "Content-Length: -1", "Content-Length: abc", "Content-Length: 5, 6", "Transfer-Encoding: chunked", "Transfer-Encoding: gzip, chunked", "Content-Encoding: gzip", "Content-Encoding: br", "Content-Encoding: zstd", "Content-Encoding: gzip, gzip", "Connection: close", "Location: http://evil/", "Retry-After: 999999999", "X-\u0000: y", "Set-Cookie: s=sk-fuzz-0001"), { maxLength: 5 }),
  body, fc.constantFrom(0, 1, 2), fc.boolean());
let n = 0; const bad: string[] = [];
await fc.assert(fc.asyncProperty(head, async ([status, headers, b, m, chunked]) => {
  mode = m;
  const payload = chunked ? `${Buffer.byteLength(b).toString(16)}\r\n${b}\r\n0\r\n\r\n` : b;
  next = Buffer.from(`${status}\r\n${headers.join("\r\n")}${headers.length ? "\r\n" : ""}\r\n${payload}`, "latin1");
  const t0 = performance.now();
  const r = await c.call("getBalance", {}).then(() => "ok", (e: unknown) => e);
  const ms = performance.now() - t0;
  n++;
  if (r !== "ok" && !(r instanceof TradeApiError)) bad.push(`${String(r)} <- ${JSON.stringify(next.toString("latin1")).slice(0, 200)}`);
  if (r instanceof TradeApiError && (r.message.includes("sk-fuzz-0001") || String(r.stack).includes("sk-fuzz-0001"))) bad.push("LEAK " + r.message);
  if (ms > 1500) bad.push(`slow ${ms.toFixed(0)} ms <- ${JSON.stringify(next.toString("latin1")).slice(0, 200)}`);
  for (const s of socks) s.destroy();
}), { numRuns: 1500 });
console.log(n, "runs;", bad.length, "bad"); console.log(bad.slice(0, 10).join("\n"));
server.close(); process.exit(0);
