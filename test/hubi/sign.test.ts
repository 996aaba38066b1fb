import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { authorizeHubi, hubiNonce, hubiSignedText, hubiTimestamp, signHubiRequest } from "../../src/auth/hubi.js";
import { signHubiRequest as fromRoot } from "../../src/index.js";
import { UsageError } from "../../src/handwritten/core/errors.js";
import { createHubiClient } from "../../src/handwritten/hubi/client.js";

/** The headers of the vendor's worked example, copied from the vendor document (not computed here). */
const VENDOR_HEADERS = {
  "X-API-Version": "1.0.0",
  "X-API-Key": "14e5aa14f20345cbaf020e9b8562cbd6",
  "X-API-Timestamp": "2019-12-30T15:52:41.788",
  "X-API-Nonce": "3c72aa1b1d0b486b4bcd9350e9410ad5",
  "X-API-Signature-Params": "top,coin_code,price_coin_code",
  "X-API-Signature": "ab8c4d4535cf8d33283462d6c8571b8ca4241b608fc77659a1be2d6dae9709b2",
  Authorization: "Bearer b868dd65-84da-43f5-b2ca-d3dcc843e795",
};

describe("signHubiRequest: the vendor document's worked example", () => {
  // Inputs and expected values copied from the vendor document, not computed here.
  const vendor = {
    accessKey: "14e5aa14f20345cbaf020e9b8562cbd6",
    secretKey: "b3a0a2a36d0f4b52b697ac2df3484bc2",
    accessToken: "b868dd65-84da-43f5-b2ca-d3dcc843e795",
    path: "/api/entrust/current/top",
    params: [
      ["top", "100"],
      ["coin_code", "HUB"],
      ["price_coin_code", "USDT"],
    ] as Array<[string, string]>,
    timestamp: "2019-12-30T15:52:41.788",
    seqNum: 999,
  };

  it("reproduces the nonce and the signature", () => {
    expect(hubiNonce(vendor.accessKey, vendor.timestamp, vendor.seqNum)).toBe("3c72aa1b1d0b486b4bcd9350e9410ad5");
    expect(signHubiRequest(vendor)).toEqual(VENDOR_HEADERS);
  });

  it("signs the text the document shows", () => {
    expect(hubiSignedText(vendor.params, "3c72aa1b1d0b486b4bcd9350e9410ad5", vendor.path)).toBe(
      "top=100&coin_code=HUB&price_coin_code=USDT1.0.03c72aa1b1d0b486b4bcd9350e9410ad5/api/entrust/current/top",
    );
  });

  it("takes the params as an object in key order too, and is exported from the package root", () => {
    const asObject = { ...vendor, params: { top: 100, coin_code: "HUB", price_coin_code: "USDT" } };
    expect(fromRoot(asObject)["X-API-Signature"]).toBe("ab8c4d4535cf8d33283462d6c8571b8ca4241b608fc77659a1be2d6dae9709b2");
  });

  it("depends on the parameter order (the order named by X-API-Signature-Params)", () => {
    const reordered = { ...vendor, params: [vendor.params[1]!, vendor.params[0]!, vendor.params[2]!] };
    const headers = signHubiRequest(reordered);
    expect(headers["X-API-Signature-Params"]).toBe("coin_code,top,price_coin_code");
    expect(headers["X-API-Signature"]).not.toBe("ab8c4d4535cf8d33283462d6c8571b8ca4241b608fc77659a1be2d6dae9709b2");
  });
});

// Expected values computed independently with `md5sum` and `openssl dgst -sha256 -hmac`.
const base = {
  accessKey: "ak-0123456789abcdef",
  secretKey: "sk-fedcba9876543210",
  accessToken: "tok-1",
  timestamp: "2024-01-02T03:04:05.678Z",
};

describe.each([
  {
    given: "an enter_order form",
    path: "/api/futures/enter_order",
    seqNum: 42,
    params: [
      ["coin_code", "USDT"],
      ["symbol", "BTCUSD"],
      ["open_position", true],
      ["quantity", 5],
      ["price", 9500.5],
      ["trade_direction", "BUY"],
      ["order_type", "LIMIT"],
    ] as Array<[string, string | number | boolean]>,
    valueEncoding: "raw" as const,
    nonce: "a210418d0d1946685181fe459babb26a",
    names: "coin_code,symbol,open_position,quantity,price,trade_direction,order_type",
    signature: "966f4d690e7864461985c9d3fe7696951b63931da4aad0a9703d45d0b080d96b",
  },
  {
    given: "no parameters (empty Signature-Params)",
    path: "/api/futures/query_accounts",
    seqNum: 43,
    params: [] as Array<[string, string]>,
    valueEncoding: "raw" as const,
    nonce: "519954f798144bec48552b8fa6673439",
    names: "",
    signature: "472d82ed66fb30a2c083ee077becfacb56a316650d66eea6d88624250d780450",
  },
  {
    given: "a value with a comma and a space, raw",
    path: "/api/futures/cancel_order_batch",
    seqNum: 44,
    params: [["order_nos", "O101-1,O101-2 x"]] as Array<[string, string]>,
    valueEncoding: "raw" as const,
    nonce: "f931bc4ad8e74142db4e0ddaeaba3c3a",
    names: "order_nos",
    signature: "a57960a386a72b1d4a744bf42c458b23e39d79126883f6ce78f0f8960141bc6d",
  },
  {
    // Python 3.11: urlencode([("order_nos", "O101-1,O101-2 x")], safe=",") == "order_nos=O101-1,O101-2+x"
    given: "the same value URL-encoded as the vendor Python SDK does (comma kept, space +)",
    path: "/api/futures/cancel_order_batch",
    seqNum: 44,
    params: [["order_nos", "O101-1,O101-2 x"]] as Array<[string, string]>,
    valueEncoding: "url-encoded" as const,
    nonce: "f931bc4ad8e74142db4e0ddaeaba3c3a",
    names: "order_nos",
    signature: "6797de21c35375db1fa802be6610ab7a05b69b615528c7761b3cba1683cecf32",
  },
])("signHubiRequest: $given", ({ path, seqNum, params, valueEncoding, nonce, names, signature }) => {
  it("gives the independently computed nonce, params list and signature", () => {
    const headers = signHubiRequest({ ...base, path, params, seqNum, valueEncoding });
    expect(headers["X-API-Nonce"]).toBe(nonce);
    expect(headers["X-API-Signature-Params"]).toBe(names);
    expect(headers["X-API-Signature"]).toBe(signature);
    expect(headers.Authorization).toBe("Bearer tok-1");
  });
});

describe("hubiTimestamp", () => {
  it("is UTC ISO 8601 with milliseconds and Z", () => {
    expect(hubiTimestamp(Date.UTC(2024, 0, 2, 3, 4, 5, 678))).toBe("2024-01-02T03:04:05.678Z");
  });

  it("a reading that is no time is a UsageError saying so (not a RangeError from Date)", () => {
    for (const [v, got] of [[Number.NaN, "NaN"], [1e20, "100000000000000000000"], ["1700000000000", "string"], [undefined, "undefined"]] as const) {
      expect(() => hubiTimestamp(v as never)).toThrow(UsageError);
      expect(() => hubiTimestamp(v as never)).toThrow(`hubiTimestamp needs a clock reading in ms since 1970 (a finite number), got ${got}`);
    }
  });

  it("a client whose now() gives no time says so, naming the operation, and sends nothing", async () => {
    let sent = 0;
    const c = createHubiClient({ accessKey: "k", secretKey: "s", accessToken: "t", baseUrl: "https://hubi.test", rateLimit: false, now: () => Number.NaN, fetch: async () => (sent++, new Response("{}")) });
    await expect(c.call("cancelOrder", { order_no: "1" })).rejects.toThrow("hubi cancelOrder: the request cannot be signed: hubiTimestamp needs a clock reading in ms since 1970 (a finite number), got NaN");
    expect(sent).toBe(0);
  });
});

describe("the signing functions' arguments", () => {
  const good = { accessKey: "k", secretKey: "s", accessToken: "t", path: "/api/futures/cancel_order", params: { order_no: "1" }, timestamp: "2026-01-01T00:00:00.000Z", seqNum: 1 };
  it.each([
    [{ seqNum: Number.NaN }, "signHubiRequest needs seqNum as a whole number of 0 or more (a number, bigint or digits), got NaN"],
    [{ seqNum: 1.5 }, "got 1.5"],
    [{ seqNum: -1 }, "got -1"],
    [{ seqNum: "12a" }, "got string"],
    [{ accessToken: "tk\r\nX-Evil: 1" }, "signHubiRequest: accessToken has a control character (U+000D at index 2), which would split its header"],
    [{ accessKey: "k\u0007" }, "signHubiRequest: accessKey has a control character (U+0007 at index 1)"],
    [{ timestamp: "t\ud800" }, "signHubiRequest: timestamp has a lone surrogate"],
    [{ path: "/a\ud800" }, "signHubiRequest: path has a lone surrogate"],
  ])("signHubiRequest(%j) is a UsageError", (change, message) => {
    expect(() => signHubiRequest({ ...good, ...change } as never)).toThrow(UsageError);
    expect(() => signHubiRequest({ ...good, ...change } as never)).toThrow(message);
  });

  it("the values that go on the wire are taken: a path with letters past U+00FF, seqNum as digits or a bigint", () => {
    expect(signHubiRequest({ ...good, path: "/api/ü报" })["X-API-Signature"]).toMatch(/^[0-9a-f]{64}$/);
    expect(signHubiRequest({ ...good, seqNum: "7" })["X-API-Nonce"]).toBe(signHubiRequest({ ...good, seqNum: 7n })["X-API-Nonce"]);
  });

  it("hubiNonce checks its arguments too (undefined is not hashed as the text \"undefined\")", () => {
    expect(() => hubiNonce(undefined as never, "t", 1)).toThrow("hubiNonce needs accessKey as a string, got undefined");
    expect(() => hubiNonce("k", "t", Number.NaN)).toThrow(UsageError);
  });
});

// The vendor Python SDK signs urllib.parse.urlencode(params, safe=","): quote_plus on keys and
// values, `,` kept. The text below was produced by Python 3.11
//   urlencode([("order_nos", "O1,O2 x"), ("note", "a+b&c=d!*'()~é")], safe=",")
// not by this project; the signature is the HMAC of that text + "1.0.0" + nonce + path.
describe("hubiSignedText url-encoded: the vendor Python SDK's exact encoding", () => {
  const params: Array<[string, string]> = [
    ["order_nos", "O1,O2 x"],
    ["note", "a+b&c=d!*'()~é"],
  ];
  const nonce = "f931bc4ad8e74142db4e0ddaeaba3c3a";
  const path = "/api/futures/cancel_order_batch";
  const text = `order_nos=O1,O2+x&note=a%2Bb%26c%3Dd%21%2A%27%28%29~%C3%A9${"1.0.0"}${nonce}${path}`;

  it("encodes space, comma, !*'() and ~ as Python does (not as encodeURIComponent)", () => {
    expect(hubiSignedText(params, nonce, path, "url-encoded")).toBe(text);
  });

  it("signs that text", () => {
    const want = createHmac("sha256", base.secretKey).update(text, "utf8").digest("hex");
    expect(want).toBe("2be7eb34bd389030c973453c5f4f1a0f9de7da7d0daa9dc12d8945cc54161524");
    const headers = signHubiRequest({ ...base, path, params, seqNum: 44, valueEncoding: "url-encoded" });
    expect(headers["X-API-Nonce"]).toBe(nonce);
    expect(headers["X-API-Signature"]).toBe(want);
  });

  it("raw (the Java SDK and the worked example) signs the values as sent", () => {
    const raw = createHmac("sha256", base.secretKey).update(`order_nos=O1,O2 x&note=a+b&c=d!*'()~é1.0.0${nonce}${path}`, "utf8").digest("hex");
    expect(raw).toBe("4044d7731fb844485be85f3abef4b88f12e3e6f2799b7d7ba6ea07505eb72547");
    expect(signHubiRequest({ ...base, path, params, seqNum: 44 })["X-API-Signature"]).toBe(raw);
  });
});

// The pure request signer, on the vendor's worked example (values from the vendor document).
describe("authorizeHubi (request in, signed request out)", () => {
  const req = {
    method: "GET",
    path: "/api/entrust/current/top",
    query: [["top", "100"], ["coin_code", "HUB"], ["price_coin_code", "USDT"]] as Array<[string, string]>,
    form: null,
    headers: { accept: "application/json" } as Record<string, string>,
  };
  const input = {
    accessKey: "14e5aa14f20345cbaf020e9b8562cbd6",
    secretKey: "b3a0a2a36d0f4b52b697ac2df3484bc2",
    accessToken: "b868dd65-84da-43f5-b2ca-d3dcc843e795",
    timestamp: "2019-12-30T15:52:41.788",
    seqNum: 999,
  };

  it("adds the seven headers over the query as sent, and lists nonce and signature as secrets", () => {
    const signed = authorizeHubi(req, input);
    expect(signed.headers).toEqual({ accept: "application/json", ...VENDOR_HEADERS });
    expect(signed.query).toEqual(req.query);
    expect(signed.secrets).toEqual([
      input.accessKey,
      input.secretKey,
      input.accessToken,
      "3c72aa1b1d0b486b4bcd9350e9410ad5",
      "ab8c4d4535cf8d33283462d6c8571b8ca4241b608fc77659a1be2d6dae9709b2",
    ]);
  });

  it("signs the form of a POST the same way, and adds X-API-Signature-Method when asked", () => {
    const post = authorizeHubi({ ...req, method: "POST", query: [], form: req.query }, { ...input, signatureMethodHeader: true });
    expect(post.headers["X-API-Signature"]).toBe("ab8c4d4535cf8d33283462d6c8571b8ca4241b608fc77659a1be2d6dae9709b2");
    expect(post.headers["X-API-Signature-Method"]).toBe("HmacSHA256");
  });
});
