import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/handwritten/core/errors.js";
import type { ParamValue } from "../../src/auth/hmac.js";
import { createHmac } from "node:crypto";
import { authorizeXt, signXtParams, xtCanonicalString, xtNonce, type XtSignatureVariant } from "../../src/auth/xt.js";

// Expected signatures were computed independently with
//   printf '%s' '<canonical string>' | openssl dgst -sha256 -hmac '<secret>'
// (and cross-checked with Python's hmac module), not with signXtParams.
describe("signXtParams", () => {
  it.each([
    {
      name: "the vendor doc's getOrder parameters (own secret: the vendor doc's is unpublished)",
      params: { market: "btc_usdt", nonce: 1562919832183, accesskey: "myAccessKey", id: 123 },
      secret: "mySecretKey",
      want: "a4dbea1b723ef9f55bf236316977054b2628057811f92d35a7e932fe179de02e",
    },
    {
      name: "batch data signed as the decoded JSON string (vendor doc)",
      params: { nonce: "1700000000000", market: "btc_usdt", data: '[{"price":1000,"amount":1,"type":1}]', accesskey: "ak-1" },
      secret: "sk-1",
      want: "e5ef43ad4980f1942d9d27da5769e97d1acdf24c49a6709c3ff9788761dac223",
    },
    {
      name: "batch data signed as base64 text (vendor SDKs)",
      params: { nonce: "1700000000000", market: "btc_usdt", data: "W3sicHJpY2UiOjEwMDAsImFtb3VudCI6MSwidHlwZSI6MX1d", accesskey: "ak-1" },
      secret: "sk-1",
      want: "c23b78ac9d85816fa1c1fa3bb5c02170e60e7de9537351e0695c3e81a075ff6d",
    },
    {
      name: "ASCII order (upper case first), raw values with a space, UTF-8 secret",
      params: { zeta: 2, Zeta: 1, safePwd: "p w", coin: "usdt", amount: "0.5", nonce: 1700000000001, accesskey: "k" },
      secret: "sécret",
      want: "ccbd4a7338c64d23abbf3791eee04d81ed068079521f127d2a742f7909920d82",
    },
  ] as Array<{ name: string; params: Record<string, ParamValue>; secret: string; want: string }>)("$name", ({ params, secret, want }) => {
    expect(signXtParams(params, secret)).toBe(want);
  });

  it("ignores an existing signature parameter", () => {
    const p = { market: "btc_usdt", nonce: 1562919832183, accesskey: "myAccessKey", id: 123 };
    expect(signXtParams({ ...p, signature: "old" }, "mySecretKey")).toBe(signXtParams(p, "mySecretKey"));
  });
});

// One parameter set with a space, `& = + %`, a comma, `~`, `!*'()`, padding spaces and
// non-ASCII text, signed as each vendor SDK does. The canonical strings were built by running
// the vendor algorithms in Python 3.11, not with this project's code:
//   python: urllib.parse.urlencode(sorted(params.items())), hmac(...).hexdigest().upper()
//   java:   "&".join(f"{k}={params[k].strip(<chars <= U+0020>)}" for k in sorted(params))
//            (Java's String.trim(); checked with `java`: " a b ".trim() == "a b")
//   raw:    "&".join(f"{k}={params[k]}" for k in sorted(params))
// and the signatures with hmac.new(b"sk-xt", text.encode(), hashlib.sha256).hexdigest().
describe("signXtParams: each vendor SDK's variant, on awkward values", () => {
  const params = { accesskey: "ak-1", nonce: "1700000000000", market: "btc_usdt", memo: " a b&c=d+e%f,g~h(i)!*' ", note: "价格 €" };
  it.each([
    {
      variant: "python",
      text: "accesskey=ak-1&market=btc_usdt&memo=+a+b%26c%3Dd%2Be%25f%2Cg~h%28i%29%21%2A%27+&nonce=1700000000000&note=%E4%BB%B7%E6%A0%BC+%E2%82%AC",
      want: "015CD781C81C99C1736755DBA9DE7BD373ABF901DA369C04AD01A74554B6F601",
    },
    {
      variant: "java",
      text: "accesskey=ak-1&market=btc_usdt&memo=a b&c=d+e%f,g~h(i)!*'&nonce=1700000000000&note=价格 €",
      want: "c99b0397e818061820363c2089b522bd699b8d23a2c024806430e192d586a8ca",
    },
    {
      variant: "raw",
      text: "accesskey=ak-1&market=btc_usdt&memo= a b&c=d+e%f,g~h(i)!*' &nonce=1700000000000&note=价格 €",
      want: "5a6ac2b4cb62ba6092b57759d7a90da36023d5c00d18d6f32c949870c131a4e7",
    },
  ] as Array<{ variant: XtSignatureVariant; text: string; want: string }>)("$variant", ({ variant, text, want }) => {
    // The expected hex is the HMAC of the hand-built text (node:crypto), in the SDK's case.
    const hex = createHmac("sha256", "sk-xt").update(text, "utf8").digest("hex");
    expect(variant === "python" ? hex.toUpperCase() : hex).toBe(want);
    expect(xtCanonicalString(params, variant)).toBe(text);
    expect(signXtParams(params, "sk-xt", { variant })).toBe(want);
  });

  it("java is the default, and equals raw when no value has padding", () => {
    expect(signXtParams(params, "sk-xt")).toBe("c99b0397e818061820363c2089b522bd699b8d23a2c024806430e192d586a8ca");
    const plain = { ...params, memo: "a b" };
    expect(signXtParams(plain, "sk-xt")).toBe(signXtParams(plain, "sk-xt", { variant: "raw" }));
  });

  it("java trims only chars <= U+0020, as String.trim() does (not U+00A0)", () => {
    expect(xtCanonicalString({ a: "\t\u00a0x\u00a0\n" }, "java")).toBe("a=\u00a0x\u00a0");
  });
});

describe("the public signers refuse a number no server reads (NaN, ±Infinity)", () => {
  it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])("%s", async (bad) => {
    const { signBhexParams } = await import("../../src/auth/bhex.js");
    for (const sign of [signXtParams, signBhexParams]) {
      expect(() => sign({ market: "btc_usdt", price: bad }, "sk")).toThrow(UsageError);
      expect(() => sign({ market: "btc_usdt", price: bad }, "sk")).toThrow(`parameter "price" must be a finite number to be signed, got ${bad}`);
    }
    expect(signXtParams({ market: "btc_usdt", price: 1e-7 }, "sk")).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("xtNonce", () => {
  it("is a 13-digit millisecond timestamp", () => {
    expect(xtNonce(1562919832183)).toBe("1562919832183");
    expect(xtNonce()).toMatch(/^\d{13}$/);
    expect(() => xtNonce(156291983)).toThrow(UsageError);
    expect(() => xtNonce(Number.NaN)).toThrow("XT nonce must be a 13-digit millisecond timestamp, got NaN");
  });
});

// The pure request signer: the same vectors as above, reached through a request.
describe("authorizeXt (request in, signed request out)", () => {
  it("GET: accesskey, nonce and signature join the query; the secret values are listed", () => {
    const req = { method: "GET", path: "/trade/api/v1/getOrder", query: [["market", "btc_usdt"], ["id", "123"]] as Array<[string, string]>, form: null, headers: {} };
    const signed = authorizeXt(req, { accessKey: "myAccessKey", secretKey: "mySecretKey", nonce: "1562919832183" });
    const want = "a4dbea1b723ef9f55bf236316977054b2628057811f92d35a7e932fe179de02e";
    expect(signed.query).toEqual([["market", "btc_usdt"], ["id", "123"], ["accesskey", "myAccessKey"], ["nonce", "1562919832183"], ["signature", want]]);
    expect(signed.form).toBeNull();
    expect(signed.secrets).toEqual(["myAccessKey", "mySecretKey", want]);
    expect(req.query).toHaveLength(2); // the input is not changed
  });

  it("replaces stale auth parameters instead of signing them", () => {
    const req = {
      method: "GET",
      path: "/x",
      query: [["market", "btc_usdt"], ["nonce", "1"], ["signature", "old"], ["id", "123"], ["accesskey", "other"]] as Array<[string, string]>,
      form: null,
      headers: {},
    };
    const signed = authorizeXt(req, { accessKey: "myAccessKey", secretKey: "mySecretKey", nonce: "1562919832183" });
    expect(signed.query.find(([k]) => k === "signature")![1]).toBe("a4dbea1b723ef9f55bf236316977054b2628057811f92d35a7e932fe179de02e");
    expect(signed.query.filter(([k]) => k === "nonce")).toHaveLength(1);
  });

  it.each([
    { signing: "decoded (the vendor doc)", decodeBase64: ["data"], want: "e5ef43ad4980f1942d9d27da5769e97d1acdf24c49a6709c3ff9788761dac223" },
    { signing: "base64 text (the vendor SDKs)", decodeBase64: [], want: "c23b78ac9d85816fa1c1fa3bb5c02170e60e7de9537351e0695c3e81a075ff6d" },
  ])("POST batch data signed $signing: everything in the form, nothing in the query", ({ decodeBase64, want }) => {
    const req = {
      method: "POST",
      path: "/trade/api/v1/batchOrder",
      query: [] as Array<[string, string]>,
      form: [["market", "btc_usdt"], ["data", "W3sicHJpY2UiOjEwMDAsImFtb3VudCI6MSwidHlwZSI6MX1d"]] as Array<[string, string]>,
      headers: {},
    };
    const signed = authorizeXt(req, { accessKey: "ak-1", secretKey: "sk-1", nonce: "1700000000000", decodeBase64 });
    expect(signed.query).toEqual([]);
    expect(signed.form).toEqual([...req.form, ["accesskey", "ak-1"], ["nonce", "1700000000000"], ["signature", want]]);
  });
});
