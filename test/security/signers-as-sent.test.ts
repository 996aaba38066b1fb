/**
 * The exported signers ("request in, signed request out") sign exactly what the request sends:
 * a name given twice (which a record of one value per name would sign once) is refused, a
 * parameter named `__proto__` is signed like any other, and the signer's headers replace a
 * request's own of the same name in any letter case (fetch would join both into one value).
 */
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { authorizeBhex } from "../../src/auth/bhex.js";
import { authorizeHubi } from "../../src/auth/hubi.js";
import { authorizeXt } from "../../src/auth/xt.js";
import { UsageError } from "../../src/handwritten/core/errors.js";

type Pairs = Array<[string, string]>;
const req = (method: string, query: Pairs, form: Pairs | null, headers: Record<string, string> = {}) => ({ method, path: "/api/futures/x", query, form, headers });
const BHEX = { accessKey: "ak-bhex", secretKey: "sk-bhex" };
const XT = { accessKey: "ak-xt", secretKey: "sk-xt", nonce: "1700000000000" };
const HUBI = { accessKey: "ak-hubi", secretKey: "sk-hubi", accessToken: "tk-hubi", timestamp: "2026-12-05T00:00:00.000Z", seqNum: 1 };

describe("the exported signers sign what is sent", () => {
  it.each([
    ["BHEX, twice in the form", () => authorizeBhex(req("POST", [], [["a", "1"], ["a", "2"]]), BHEX)],
    ["BHEX, once in the query and once in the form", () => authorizeBhex(req("POST", [["b", "q"]], [["b", "f"]]), BHEX)],
    ["BHEX allAsPost, query and form", () => authorizeBhex(req("GET", [["b", "q"]], [["b", "f"]]), { ...BHEX, allAsPost: true })],
    ["XT, twice in the query", () => authorizeXt(req("GET", [["a", "1"], ["a", "2"]], null), XT)],
    ["XT, query and form", () => authorizeXt(req("POST", [["a", "1"]], [["a", "2"]]), XT)],
  ])("a name given twice is a UsageError (%s)", (_what, sign) => {
    expect(sign).toThrow(UsageError);
    expect(sign).toThrow(/the request gives the parameter "[ab]" twice: a signature covers one value per name/);
  });

  it("a parameter named __proto__ is in the signature (BHEX, XT)", () => {
    const bhex = authorizeBhex(req("GET", [["__proto__", "x"], ["c", "1"]], null), BHEX);
    expect(bhex.query.find(([k]) => k === "signature")![1]).toBe(createHmac("sha256", BHEX.secretKey).update("__proto__=x&c=1").digest("hex"));
    const xt = authorizeXt(req("GET", [["__proto__", "x"]], null), XT);
    expect(xt.query.find(([k]) => k === "signature")![1]).toBe(createHmac("sha256", XT.secretKey).update(`__proto__=x&accesskey=${XT.accessKey}&nonce=${XT.nonce}`).digest("hex"));
  });

  it("the signer's headers replace the request's of the same name in any letter case (BHEX, Hubi)", () => {
    const bhex = authorizeBhex(req("GET", [["c", "1"]], null, { "x-access-key": "evil", "X-Trace": "t" }), BHEX);
    expect(bhex.headers).toEqual({ "X-Trace": "t", "X-ACCESS-KEY": BHEX.accessKey });
    const hubi = authorizeHubi(req("GET", [["c", "1"]], null, { "x-api-key": "evil", "X-API-SIGNATURE": "forged", "x-trace": "t" }), HUBI);
    expect(Object.keys(hubi.headers).filter((k) => k.toLowerCase() === "x-api-key")).toEqual(["X-API-Key"]);
    expect(Object.keys(hubi.headers).filter((k) => k.toLowerCase() === "x-api-signature")).toEqual(["X-API-Signature"]);
    expect(hubi.headers["X-API-Key"]).toBe(HUBI.accessKey);
    expect(hubi.headers["x-trace"]).toBe("t");
  });
});
