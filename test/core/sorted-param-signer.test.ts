// The one sorted-parameter signer behind XT and BHEX (src/auth/hmac.ts): its rules, and the
// variant lists and defaults the two signers keep (the emulators try variants in this order).
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { BHEX_SIGNATURE_VARIANTS, bhexCanonicalString, signBhexParams } from "../../src/auth/bhex.js";
import { compareCodePoints, compareUtf16, sortedParamSigner, sortedParamString } from "../../src/auth/hmac.js";
import { signXtParams, XT_SIGNATURE_VARIANTS, xtCanonicalString } from "../../src/auth/xt.js";

const hmac = (key: string, text: string) => createHmac("sha256", key).update(text).digest("hex");

describe("sortedParamString / sortedParamSigner", () => {
  it("by default: names in ordinal order, raw values, nothing excluded", () => {
    expect(sortedParamString({ b: "x y", a: 1, signature: "s", A: true })).toBe("A=true&a=1&b=x y&signature=s");
  });

  it("wholePairs sorts the k=v strings, not the names (a1=… before a=…)", () => {
    const params = { a: "2", a1: "1" };
    expect(sortedParamString(params, { order: compareCodePoints })).toBe("a=2&a1=1");
    expect(sortedParamString(params, { order: compareCodePoints, wholePairs: true })).toBe("a1=1&a=2");
  });

  it("a signer's first variant is its default; upperHex changes only the case", () => {
    const signer = sortedParamSigner({ low: { order: compareUtf16, exclude: "signature" }, up: { order: compareUtf16, exclude: "signature", upperHex: true } });
    const params = { b: "2", a: "1", signature: "old" };
    expect(signer.variants).toEqual(["low", "up"]);
    expect(signer.canonical(params)).toBe("a=1&b=2");
    expect(signer.sign(params, "k")).toBe(hmac("k", "a=1&b=2"));
    expect(signer.sign(params, "k", { variant: "up" })).toBe(hmac("k", "a=1&b=2").toUpperCase());
  });

  it("XT and BHEX keep their variant lists, defaults and hex case", () => {
    expect(XT_SIGNATURE_VARIANTS).toEqual(["java", "raw", "python"]);
    expect(BHEX_SIGNATURE_VARIANTS).toEqual(["java", "python", "php"]);
    const params = { market: " btc_usdt ", accesskey: "ak", signature: "x" };
    expect(xtCanonicalString(params)).toBe("accesskey=ak&market=btc_usdt");
    expect(signXtParams(params, "sk")).toBe(hmac("sk", "accesskey=ak&market=btc_usdt"));
    expect(signXtParams(params, "sk", { variant: "python" })).toBe(hmac("sk", "accesskey=ak&market=+btc_usdt+").toUpperCase());
    expect(bhexCanonicalString({ b: true, a: "x y" }, "php")).toBe("a=x+y&b=1");
    expect(signBhexParams(params, "sk")).toBe(hmac("sk", "accesskey=ak&market= btc_usdt "));
  });
});
