/**
 * Signed, typed XT call through createXtClient vs raw fetch of the same prebuilt URL, against
 * one local server, interleaved rounds. Client-side rate limiting is off (it would measure
 * XT's 10 req/s, not the client).
 *
 * A third variant shows the floor: the least a correct signed call must do by hand (fresh
 * nonce + HMAC, an abortable timeout, lossless parse, envelope check) with fetch, no library.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { meta } from "../generated/xt-spot.meta.js";
import { signXtParams } from "../src/auth/xt.js";
import { parseJson } from "../src/handwritten/core/json.js";
import { createXtClient } from "../src/handwritten/xt/client.js";
import { median } from "./harness.js";

const CALLS_PER_ROUND = 250;
const ROUNDS = 12; // 3,000 calls each, plus 2 warm-up rounds

const body = meta.operations.find((o) => o.operationId === "getOrder")!.responses["200"]!.example!;
const server = createServer((_req, res) => {
  res.writeHead(200, { "content-type": "application/json" });
  res.end(body);
});
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const client = createXtClient({ accessKey: "bench-key", secretKey: "bench-secret", baseUrl: base, rateLimit: false });
const url = `${base}/trade/api/v1/getOrder?market=btc_usdt&id=156293034776987&accesskey=bench-key&nonce=1700000000000&signature=${"0".repeat(64)}`;

const variants: Array<{ name: string; run: () => Promise<unknown> }> = [
  { name: "raw fetch(prebuilt URL) + res.json()", run: async () => (await fetch(url)).json() },
  {
    name: "hand-written floor (sign, timeout, parse)",
    run: async () => {
      const nonce = String(Date.now());
      const signature = signXtParams({ market: "btc_usdt", id: "156293034776987", accesskey: "bench-key", nonce }, "bench-secret");
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), 10_000);
      try {
        const res = await fetch(`${base}/trade/api/v1/getOrder?market=btc_usdt&id=156293034776987&accesskey=bench-key&nonce=${nonce}&signature=${signature}`, {
          signal: controller.signal,
        });
        const v = parseJson(await res.text()) as { code: number; data: unknown };
        if (v.code !== 200) throw new Error(String(v.code));
        return v.data;
      } finally {
        clearTimeout(timer);
      }
    },
  },
  { name: "createXtClient().call('getOrder') (signed)", run: () => client.call("getOrder", { market: "btc_usdt", id: 156293034776987 }) },
];

const perCall: number[][] = variants.map(() => []);
for (let round = 0; round < ROUNDS + 2; round++) {
  const order = round % 2 ? [...variants.keys()].reverse() : [...variants.keys()];
  for (const i of order) {
    const t = performance.now();
    for (let n = 0; n < CALLS_PER_ROUND; n++) await variants[i]!.run();
    if (round >= 2) perCall[i]!.push((performance.now() - t) / CALLS_PER_ROUND);
  }
}
const [raw, floor, ours] = perCall.map(median) as [number, number, number];
console.log(`\nXT signed typed call vs raw fetch (local server, ${ROUNDS * CALLS_PER_ROUND} calls each, interleaved)`);
variants.forEach((v, i) => console.log(`  ${v.name.padEnd(44)} ${median(perCall[i]!).toFixed(4)} ms/call`));
console.log(`  ratio ${(ours / raw).toFixed(3)}× the raw baseline (target ≤ 1.10×)`);
console.log(`  floor ${(floor / raw).toFixed(3)}× the raw baseline: what signing + a timeout + lossless parsing cost by themselves`);
console.log(`  client ${(ours / floor).toFixed(3)}× the hand-written floor`);
server.closeAllConnections();
server.close();
