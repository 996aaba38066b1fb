/**
 * The transport table: one local 127.0.0.1 server answering XT's getOrder example, and each way
 * of getting that answer as a ratio to a raw `fetch` + `res.json()` of a prebuilt URL measured
 * in the same process, in interleaved rounds (medians):
 *
 *   raw fetch            the baseline (1.00): no signing, no timeout, no checks
 *   undici.request       with its own headersTimeout/bodyTimeout, body.json()
 *   node:http keep-alive http.request on a keep-alive Agent, JSON.parse
 *   best signed call     undici.request + fresh nonce + HMAC + parseJson + envelope check:
 *                        the least a correct signed call does, written by hand
 *   createXtClient().call  the library: parameter checks, signing, timeout, lossless parse, envelope
 *   .GET                 the openapi-fetch surface of the same client
 *
 * Targets (issue 10): `call` ≤ 0.8× raw fetch and ≤ 1.3× the best signed call. Client-side
 * rate limiting is off (it would measure XT's 10 req/s, not the client).
 */
import { Agent as HttpAgent, createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { Agent, request } from "undici";
import { meta } from "../generated/xt-spot.docs.js";
import { signXtParams } from "../src/auth/xt.js";
import { parseJson } from "../src/handwritten/core/json.js";
import { createXtClient } from "../src/handwritten/xt/client.js";
import { median } from "./harness.js";

const CALLS_PER_ROUND = Number(process.env.BENCH_CALLS ?? 500);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
/**
 * Calls of each variant before the measured rounds, interleaved as they are: the ratios are of
 * code the JIT has settled on. A call path as deep as the library's is still being tiered up
 * (Maglev, then Turbofan) after thousands of calls: on Node 24 a `call` took about 60 µs after
 * 7,000 calls and 50 µs after 14,000 (the hand-written best signed call settles sooner), so two
 * rounds of warm-up measured the library half-compiled, 1.17-1.54× the best signed call from
 * one run to the next.
 */
const WARMUP_CALLS = Number(process.env.BENCH_WARMUP ?? 15_000);
const WARMUP_ROUNDS = Math.ceil(WARMUP_CALLS / CALLS_PER_ROUND);

const body = meta.operations.find((o) => o.operationId === "getOrder")!.responses["200"]!.example!;
const server = createServer((_req, res) => {
  res.writeHead(200, { "content-type": "application/json" });
  res.end(body);
});
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
const { port } = server.address() as AddressInfo;
const base = `http://127.0.0.1:${port}`;
const path = "/trade/api/v1/getOrder";
const url = `${base}${path}?market=btc_usdt&id=156293034776987&accesskey=bench-key&nonce=1700000000000&signature=${"0".repeat(64)}`;

const client = createXtClient({ accessKey: "bench-key", secretKey: "bench-secret", baseUrl: base, rateLimit: false });
const undiciAgent = new Agent({ keepAliveTimeout: 4_000 });
const httpAgent = new HttpAgent({ keepAlive: true });

function nodeHttpJson(): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { agent: httpAgent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve(JSON.parse(Buffer.concat(chunks).toString("utf8"))));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

async function bestSigned(): Promise<unknown> {
  const nonce = String(Date.now());
  const signature = signXtParams({ market: "btc_usdt", id: "156293034776987", accesskey: "bench-key", nonce }, "bench-secret");
  const res = await request(`${base}${path}?market=btc_usdt&id=156293034776987&accesskey=bench-key&nonce=${nonce}&signature=${signature}`, {
    dispatcher: undiciAgent,
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
  const v = parseJson(await res.body.text()) as { code: number; data: unknown };
  if (res.statusCode !== 200 || v.code !== 200) throw new Error(String(v.code));
  return v.data;
}

const variants: Array<{ name: string; run: () => Promise<unknown> }> = [
  { name: "raw fetch(prebuilt URL) + res.json()", run: async () => (await fetch(url)).json() },
  {
    name: "undici.request + body.json()",
    run: async () => (await request(url, { dispatcher: undiciAgent, headersTimeout: 10_000, bodyTimeout: 10_000 })).body.json(),
  },
  { name: "node:http keep-alive + JSON.parse", run: nodeHttpJson },
  { name: "best signed call (undici + HMAC + parseJson)", run: bestSigned },
  { name: "createXtClient().call('getOrder')", run: () => client.call("getOrder", { market: "btc_usdt", id: 156293034776987 }) },
  {
    name: "createXtClient().GET(getOrder)",
    run: () => client.GET("/trade/api/v1/getOrder", { params: { query: { market: "btc_usdt", id: 156293034776987 } } } as never),
  },
];

const perCall: number[][] = variants.map(() => []);
for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
  const order = round % 2 ? [...variants.keys()].reverse() : [...variants.keys()];
  for (const i of order) {
    const t = performance.now();
    for (let n = 0; n < CALLS_PER_ROUND; n++) await variants[i]!.run();
    if (round >= WARMUP_ROUNDS) perCall[i]!.push((performance.now() - t) / CALLS_PER_ROUND);
  }
}
const ms = perCall.map(median);
const raw = ms[0]!;
const best = ms[3]!;
const call = ms[4]!;
const get = ms[5]!;
console.log(`\nTransport table: ${ROUNDS * CALLS_PER_ROUND} calls each after ${WARMUP_ROUNDS * CALLS_PER_ROUND} of warm-up, interleaved rounds, local server, ratio to raw fetch (Node ${process.versions.node})`);
variants.forEach((v, i) => console.log(`  ${v.name.padEnd(46)} ${(ms[i]! * 1000).toFixed(1).padStart(7)} µs/call  ${(ms[i]! / raw).toFixed(2)}×`));
const verdict = (ok: boolean) => (ok ? "met" : "missed");
console.log(`  call / raw fetch    ${(call / raw).toFixed(2)}× (target ≤ 0.80×: ${verdict(call / raw <= 0.8)})`);
console.log(`  call / best signed  ${(call / best).toFixed(2)}× (target ≤ 1.30×: ${verdict(call / best <= 1.3)})`);
console.log(`  .GET / call         ${(get / call).toFixed(2)}× (target ≤ 1.10×: ${verdict(get / call <= 1.1)})`);
server.closeAllConnections();
server.close();
httpAgent.destroy();
await undiciAgent.close();
process.exit(0);
