/**
 * The BHEX emulator accepts the canonical strings of all three vendor demos (Java, Python,
 * PHP), including where they disagree, names the one matched in its log, and still refuses a
 * wrong signature. The requests are built here as each demo builds them.
 */
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BHEX_MOCK_ACCESS_KEY, BHEX_MOCK_SECRET_KEY, startBhexMock } from "../../src/mock/bhex.js";
import type { HttpMock } from "../../src/mock/http-mock.js";

let mock: HttpMock;
const log: string[] = [];
beforeAll(async () => {
  mock = await startBhexMock({ log: (l) => log.push(l), knownUserIds: ["10001"] });
});
afterAll(() => mock.close());

const hmac = (text: string) => createHmac("sha256", BHEX_MOCK_SECRET_KEY).update(text, "utf8").digest("hex");
/** PHP urlencode, written out: letters, digits and -_. kept, space +, the rest %XX. */
const phpUrlencode = (s: string) =>
  [...Buffer.from(s, "utf8")].map((b) => (b === 0x20 ? "+" : /[A-Za-z0-9_.-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, "0")}`)).join("");

const demos: Record<string, (p: Record<string, string>) => string> = {
  // Java: TreeMap over the names, raw values.
  java: (p) => Object.keys(p).sort().map((k) => `${k}=${p[k]}`).join("&"),
  // Python: the k=v strings sorted as whole strings.
  python: (p) => Object.entries(p).map(([k, v]) => `${k}=${v}`).sort().join("&"),
  // PHP: ksort($p); http_build_query($p).
  php: (p) => Object.keys(p).sort().map((k) => `${phpUrlencode(k)}=${phpUrlencode(p[k]!)}`).join("&"),
};

async function postSigned(path: string, params: Record<string, string>, signature: string) {
  const body = new URLSearchParams({ ...params, signature }).toString();
  const res = await fetch(`${mock.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", "x-access-key": BHEX_MOCK_ACCESS_KEY },
    body,
  });
  return { status: res.status, body: (await res.json()) as { code?: number; status?: number; msg?: string } };
}

// A desc with a space, `~`, a comma, `& = + %` and Chinese: PHP signs it encoded, the others raw.
const orderParams = () => ({
  user_id: "10001",
  exchange_id: "301",
  symbol_id: "BTCUSDT",
  client_order_id: `demo-${Math.random().toString(36).slice(2)}`,
  type: "limit",
  side: "buy",
  price: "9000",
  quantity: "0.01",
  desc: "x y~z,&=+% 中",
});

describe("BHEX emulator: the vendor demos' signatures", () => {
  it.each(["java", "python", "php"])("accepts the %s demo's canonical string and logs it", async (demo) => {
    log.length = 0;
    const p = orderParams();
    const r = await postSigned("/api/v2/org/order/create", p, hmac(demos[demo]!(p)));
    expect(r.status).toBe(200);
    expect(r.body.status).toBe(0);
    expect(log.join("\n")).toMatch(new RegExp(`signature: [^\\]]*\\b${demo}\\b`));
  });

  it("accepts the Python demo where its order differs from Java's (a name that prefixes another + a digit)", async () => {
    // `limit=` vs `limit1=`: '1' < '=' puts limit1 first in the Python demo, after limit in Java.
    const p = { user_id: "10001", limit: "5", limit1: "x" };
    expect(demos.python!(p)).toBe("limit1=x&limit=5&user_id=10001");
    expect(demos.java!(p)).toBe("limit=5&limit1=x&user_id=10001");
    log.length = 0;
    const r = await postSigned("/api/v2/org/statistics/lock_record", p, hmac(demos.python!(p)));
    expect(r.status).toBe(200);
    expect(log.join("\n")).toMatch(/signature: python \(/);
  });

  it("refuses a signature over none of the canonical strings (1105)", async () => {
    const p = orderParams();
    const r = await postSigned("/api/v2/org/order/create", p, hmac(`${demos.java!(p)}&x=1`));
    expect(r.status).toBe(400);
    expect(r.body.code).toBe(1105);
  });
});

describe("BHEX client: signatureVariant", () => {
  it("php: the emulator recognises the PHP demo's string from the client", async () => {
    const { createBhexOrgClient } = await import("../../src/handwritten/bhex/client.js");
    const bhex = createBhexOrgClient({ accessKey: BHEX_MOCK_ACCESS_KEY, secretKey: BHEX_MOCK_SECRET_KEY, baseUrl: mock.url, rateLimit: false, signatureVariant: "php" });
    log.length = 0;
    await bhex.call("orderCreate", { user_id: "10001", exchange_id: 301, symbol_id: "BTCUSDT", type: "limit", side: "buy", price: "9000", quantity: "0.01", client_order_id: "php 1~" });
    expect(log.join("\n")).toMatch(/signature: php \(/);
  });
});
