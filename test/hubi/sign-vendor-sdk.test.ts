/**
 * The Hubi emulator accepts what the vendor's SDKs send: the Python SDK's signature over
 * `urlencode(params, safe=',')`, the Java SDK's raw values with its malformed `HH:mm:sssZ`
 * timestamp (a vendor bug, named in the log), hex in either case. Headers are built here by
 * hand, as each SDK builds them.
 */
import { createHash, createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HUBI_MOCK_ACCESS_KEY, HUBI_MOCK_ACCESS_TOKEN, HUBI_MOCK_SECRET_KEY, parseHubiTimestamp, startHubiMock, type HubiMock } from "../../src/mock/hubi.js";

const NOW = Date.UTC(2024, 0, 2, 20, 53, 34, 500);
let mock: HubiMock;
const log: string[] = [];
beforeAll(async () => {
  mock = await startHubiMock({ now: () => NOW, log: (l) => log.push(l) });
});
afterAll(() => mock.close());

let seq = 1;
function headers(signedParams: string, names: string, path: string, timestamp: string, upper = false): Record<string, string> {
  const nonce = createHash("md5").update(`${HUBI_MOCK_ACCESS_KEY}${timestamp}${seq++}`).digest("hex");
  const sig = createHmac("sha256", HUBI_MOCK_SECRET_KEY).update(`${signedParams}1.0.0${nonce}${path}`, "utf8").digest("hex");
  return {
    "X-API-Version": "1.0.0",
    "X-API-Key": HUBI_MOCK_ACCESS_KEY,
    "X-API-Timestamp": timestamp,
    "X-API-Nonce": nonce,
    "X-API-Signature-Params": names,
    "X-API-Signature": upper ? sig.toUpperCase() : sig,
    Authorization: `Bearer ${HUBI_MOCK_ACCESS_TOKEN}`,
  };
}

describe("Hubi emulator: vendor SDK signatures", () => {
  it("accepts the Python SDK: urlencode(params, safe=',') signed, the same text sent as the query", async () => {
    log.length = 0;
    // Python 3.11: urlencode([("symbol", "BTC USD,x!")], safe=",") == "symbol=BTC+USD,x%21"
    const signed = "symbol=BTC+USD,x%21";
    const path = "/api/futures/query_active_orders";
    const res = await fetch(`${mock.url}${path}?${signed}`, { headers: headers(signed, "symbol", path, new Date(NOW).toISOString()) });
    expect(res.status).toBe(200);
    expect(log.join("\n")).toMatch(/signature: urlencode\(params, safe=','\) \(the vendor Python SDK\)/);
  });

  it("the old encodeURIComponent text is not the Python SDK's and is refused", async () => {
    const signed = `symbol=${encodeURIComponent("BTC USD,x!")}`; // BTC%20USD%2Cx!
    const path = "/api/futures/query_active_orders";
    const res = await fetch(`${mock.url}${path}?symbol=BTC+USD,x%21`, { headers: headers(signed, "symbol", path, new Date(NOW).toISOString()) });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { message: string }).message).toBe("ILLEGAL_SIGN");
  });

  it("accepts the Java SDK's HH:mm:sssZ timestamp (vendor bug) and upper-case hex, and says so in the log", async () => {
    log.length = 0;
    const javaTimestamp = "2024-01-02T20:53:034+0000"; // SimpleDateFormat("yyyy-MM-dd'T'HH:mm:sssZ"), checked with java
    const path = "/api/futures/query_accounts";
    const res = await fetch(`${mock.url}${path}`, { headers: { ...headers("", "", path, javaTimestamp, true), "X-API-Signature-Method": "HmacSHA256" } });
    expect(res.status).toBe(200);
    expect(log.join("\n")).toMatch(/Java SDK's HH:mm:sssZ form \(a vendor bug\)/);
  });

  it("reads the Java form as seconds; other malformed timestamps still fail", () => {
    expect(parseHubiTimestamp("2024-01-02T20:53:034+0000")).toBe(Date.UTC(2024, 0, 2, 20, 53, 34));
    expect(parseHubiTimestamp("2024-01-02T20:53:074+0000")).toBeUndefined();
    expect(parseHubiTimestamp("2024-01-02T20:53:134+0000")).toBeUndefined();
  });
});
