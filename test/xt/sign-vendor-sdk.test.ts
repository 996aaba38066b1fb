/**
 * The emulator accepts what the vendor's own SDKs send (issue: signatures checked against the
 * vendors' code): the Python SDK's upper-case hex over URL-encoded values, the Java SDK's
 * lower-case hex over trimmed raw values, the batch `data` signed decoded or as base64; and it
 * names the matched variant in its log. Requests are built here as each SDK builds them.
 */
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startXtMock, XT_MOCK_ACCESS_KEY, XT_MOCK_SECRET_KEY } from "../../src/mock/xt.js";
import type { HttpMock } from "../../src/mock/http-mock.js";

let mock: HttpMock;
const log: string[] = [];
beforeAll(async () => {
  mock = await startXtMock({ log: (l) => log.push(l) });
});
afterAll(() => mock.close());

const hmac = (text: string) => createHmac("sha256", XT_MOCK_SECRET_KEY).update(text, "utf8").digest("hex");
/** Python's quote_plus, written out for the characters these tests use. */
const quotePlus = (s: string) =>
  [...Buffer.from(s, "utf8")].map((b) => (b === 0x20 ? "+" : /[A-Za-z0-9_.\-~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, "0")}`)).join("");

/** The vendor Python SDK: urlencode(sorted(params)), HMAC hex upper-cased, posted as a form. */
function pythonSdkBody(params: Record<string, string>): string {
  const text = Object.keys(params)
    .sort()
    .map((k) => `${quotePlus(k)}=${quotePlus(params[k]!)}`)
    .join("&");
  return `${text}&signature=${hmac(text).toUpperCase()}`;
}

/** The vendor Java SDK: TreeMap order, raw values trimmed, lower-case hex; values sent as given. */
function javaSdkBody(params: Record<string, string>): string {
  const text = Object.keys(params)
    .sort()
    .map((k) => `${k}=${params[k]!.trim()}`)
    .join("&");
  return `${new URLSearchParams(params)}&signature=${hmac(text)}`;
}

async function post(path: string, body: string) {
  const res = await fetch(`${mock.url}${path}`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body });
  return (await res.json()) as { code: number; info: string; data?: unknown };
}

const base = () => ({ accesskey: XT_MOCK_ACCESS_KEY, nonce: String(Date.now()) });

describe("XT emulator: vendor SDK signatures", () => {
  it("accepts the Python SDK's upper-case hex over URL-encoded values, and logs the variant", async () => {
    log.length = 0;
    const r = await post("/trade/api/v1/order", pythonSdkBody({ ...base(), market: "btc_usdt", price: "5000", number: "0.002", type: "1", entrustType: "0" }));
    expect(r.code).toBe(200);
    expect(log.join("\n")).toMatch(/signature: .*python.*upper-case hex/);
  });

  it("accepts the Python SDK where URL encoding changes the text (space, comma, & = +)", async () => {
    const r = await post("/trade/api/v1/transfer", pythonSdkBody({ ...base(), from: "1", to: "2", amount: "1", coin: "usdt", safePwd: "p w,&=+%~" }));
    expect(r.code).not.toBe(308);
  });

  it("accepts the Java SDK's trimmed values (the spec: values are trimmed) and the untrimmed form", async () => {
    log.length = 0;
    const params = { ...base(), market: "btc_usdt", price: " 5000 ", number: "0.002", type: "1", entrustType: "0" };
    expect((await post("/trade/api/v1/order", javaSdkBody(params))).code).not.toBe(308);
    expect(log.join("\n")).toMatch(/signature: java \(raw trimmed values/);
    const untrimmed = Object.keys(params)
      .sort()
      .map((k) => `${k}=${params[k as keyof typeof params]}`)
      .join("&");
    log.length = 0;
    expect((await post("/trade/api/v1/order", `${new URLSearchParams(params)}&signature=${hmac(untrimmed)}`)).code).not.toBe(308);
    expect(log.join("\n")).toMatch(/signature: raw \(raw untrimmed values/);
  });

  it("accepts the Python SDK's batch data signed as base64 text", async () => {
    log.length = 0;
    const data = Buffer.from('[{"price":1000,"amount":1,"type":1}]').toString("base64");
    const r = await post("/trade/api/v1/batchOrder", pythonSdkBody({ ...base(), market: "btc_usdt", data }));
    expect(r.code).toBe(200);
    expect(log.join("\n")).toMatch(/signature: .*python.*batch data base64/);
  });

  it("still refuses a wrong signature (308), in either case", async () => {
    const params = { ...base(), market: "btc_usdt", price: "5000", number: "0.002", type: "1", entrustType: "0" };
    const good = pythonSdkBody(params);
    const bad = good.replace(/signature=([0-9A-F])/, (_m, c: string) => `signature=${c === "0" ? "1" : "0"}`);
    expect((await post("/trade/api/v1/order", bad)).code).toBe(308);
    expect((await post("/trade/api/v1/order", bad.toLowerCase())).code).toBe(308);
  });
});

describe("XT client: signatureVariant", () => {
  it("python: signs as the Python SDK (upper-case hex over URL-encoded values) and the emulator accepts it", async () => {
    const { createXtClient } = await import("../../src/handwritten/xt/client.js");
    const sent: string[] = [];
    const xt = createXtClient({
      accessKey: XT_MOCK_ACCESS_KEY,
      secretKey: XT_MOCK_SECRET_KEY,
      baseUrl: mock.url,
      rateLimit: false,
      signatureVariant: "python",
      fetch: async (input: RequestInfo | URL, init?: RequestInit) => {
        const req = new Request(input, init);
        sent.push(await req.clone().text());
        return fetch(req);
      },
    });
    log.length = 0;
    await xt.call("transfer", { from: 1, to: 2, amount: 1, coin: "usdt", safePwd: "a b,c" }); // a 308 would throw
    expect(sent[0]).toMatch(/signature=[0-9A-F]{64}$/);
    expect(log.join("\n")).toMatch(/signature: python \(URL-encoded values.*upper-case hex/);
  });
});
