import { describe, expect, it } from "vitest";
import type { ParamValue } from "../../src/auth/hmac.js";
import { signXtParams, xtNonce } from "../../src/auth/xt.js";

// Expected signatures were computed independently with
//   printf '%s' '<canonical string>' | openssl dgst -sha256 -hmac '<secret>'
// (and cross-checked with Python's hmac module), not with signXtParams.
describe("signXtParams", () => {
  it.each([
    {
      name: "the seed's getOrder parameters (own secret: the seed's is unpublished)",
      params: { market: "btc_usdt", nonce: 1562919832183, accesskey: "myAccessKey", id: 123 },
      secret: "mySecretKey",
      want: "a4dbea1b723ef9f55bf236316977054b2628057811f92d35a7e932fe179de02e",
    },
    {
      name: "batch data signed as the decoded JSON string (seed)",
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

describe("xtNonce", () => {
  it("is a 13-digit millisecond timestamp", () => {
    expect(xtNonce(1562919832183)).toBe("1562919832183");
    expect(xtNonce()).toMatch(/^\d{13}$/);
    expect(() => xtNonce(156291983)).toThrow(RangeError);
  });
});
