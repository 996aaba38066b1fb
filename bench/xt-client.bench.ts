/**
 * Signed, typed XT call through createXtClient vs raw fetch of the same prebuilt URL, against
 * one local server, interleaved rounds. Client-side rate limiting is off (it would measure
 * XT's 10 req/s, not the client).
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { meta } from "../generated/xt-spot.meta.js";
import { createXtClient } from "../src/handwritten/xt/client.js";
import { interleave, report } from "./harness.js";

const CALLS_PER_ROUND = 250;
const ROUNDS = 10; // 2,500 calls each, plus warm-up

const body = meta.operations.find((o) => o.operationId === "getOrder")!.responses["200"]!.example!;
const server = createServer((_req, res) => {
  res.writeHead(200, { "content-type": "application/json" });
  res.end(body);
});
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const client = createXtClient({ accessKey: "bench-key", secretKey: "bench-secret", baseUrl: base, rateLimit: false });
const url = `${base}/trade/api/v1/getOrder?market=btc_usdt&id=156293034776987&accesskey=bench-key&nonce=1700000000000&signature=${"0".repeat(64)}`;

const [typed, raw] = await interleave(
  {
    name: "createXtClient().call('getOrder') (signed)",
    run: async () => {
      for (let i = 0; i < CALLS_PER_ROUND; i++) await client.call("getOrder", { market: "btc_usdt", id: 156293034776987 });
    },
  },
  {
    name: "raw fetch(prebuilt URL) + res.json()",
    run: async () => {
      for (let i = 0; i < CALLS_PER_ROUND; i++) await (await fetch(url)).json();
    },
  },
  ROUNDS,
);
report("XT signed typed call vs raw fetch (local server)", typed, raw, { per: CALLS_PER_ROUND, label: "call" }, "≤ 1.10×");
server.closeAllConnections();
server.close();
