// The one sorted-parameter signer behind XT and BHEX (src/auth/hmac.ts): its rules, and the
// variant lists and defaults the two signers keep (the emulators try variants in this order).
import { createHmac } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BHEX_SIGNATURE_VARIANTS, bhexCanonicalString, signBhexParams } from "../../src/auth/bhex.js";
import { compareCodePoints, compareUtf16, sortedParamSigner, sortedParamString } from "../../src/auth/hmac.js";
import { signHubiRequest } from "../../src/auth/hubi.js";
import { signXtParams, XT_SIGNATURE_VARIANTS, xtCanonicalString } from "../../src/auth/xt.js";
import { decimalText } from "../../src/handwritten/core/json.js";
import { fcSeed } from "../helpers/fc-seed.js";

const hmac = (key: string, text: string) => createHmac("sha256", key).update(text).digest("hex");

describe("numbers are signed in plain decimal notation, as they are sent", () => {
  it("decimalText: the same double back, never an exponent, String()'s text when it has none", () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (n) => {
        const t = decimalText(n);
        expect(t).toMatch(/^-?\d+(\.\d+)?$/);
        expect(Number(t)).toBe(n === 0 ? 0 : n);
        if (!String(n).includes("e")) expect(t).toBe(String(n));
      }),
      { seed: fcSeed(20261202), numRuns: 2000 },
    );
    expect([1.2e-7, 1e21, -1.5e-10, 1e-7].map(decimalText)).toEqual(["0.00000012", "1000000000000000000000", "-0.00000000015", "0.0000001"]);
  });

  it("XT, BHEX and Hubi sign 1.2e-7 as 0.00000012 (the text the client sends), every variant", () => {
    for (const variant of XT_SIGNATURE_VARIANTS) expect(signXtParams({ price: 1.2e-7, n: 1e21 }, "k", { variant })).toBe(signXtParams({ price: "0.00000012", n: "1000000000000000000000" }, "k", { variant }));
    for (const variant of BHEX_SIGNATURE_VARIANTS) expect(signBhexParams({ price: 1.2e-7 }, "k", { variant })).toBe(signBhexParams({ price: "0.00000012" }, "k", { variant }));
    expect(sortedParamString({ q: 5e-7 })).toBe("q=0.0000005");
    const hubi = (price: number | string) => signHubiRequest({ accessKey: "ak", secretKey: "sk", accessToken: "tk", path: "/p", seqNum: 1, timestamp: "1", params: { price } } as never);
    expect(hubi(1.2e-7)).toEqual(hubi("0.00000012"));
  });
});

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
