/**
 * A request signed a second time (an attempt re-signed from a copy of the first, a caller's own
 * retry of what a signer gave back) lists the secrets of the second signing: the values the
 * redactor must hide are the new signature's, not only the stale ones it carried in. The signers
 * name `secrets` before copying the request (Node 20 reads an object slowly when a field is
 * added after a spread) and then set it: this is the test that the order keeps the new list.
 */
import { describe, expect, it } from "vitest";
import { authorizeBhex } from "../../src/auth/bhex.js";
import { authorizeHubi } from "../../src/auth/hubi.js";
import { authorizeXt } from "../../src/auth/xt.js";

const base = (method: string) => ({
  method,
  path: "/x",
  query: [["a", "1"]] as Array<[string, string]>,
  form: method === "GET" ? null : ([["b", "2"]] as Array<[string, string]>),
  headers: {} as Record<string, string>,
});

describe("a request signed twice lists the second signing's secrets", () => {
  it.each(["GET", "POST"])("XT %s", (method) => {
    const first = authorizeXt(base(method), { accessKey: "ak-first", secretKey: "sk-first", nonce: "1700000000000" });
    const second = authorizeXt(first, { accessKey: "ak-second", secretKey: "sk-second", nonce: "1700000000001" });
    const signature = [...second.query, ...(second.form ?? [])].find(([k]) => k === "signature")![1];
    expect(second.secrets).toEqual(["ak-second", "sk-second", signature]);
    expect(signature).not.toBe(first.secrets[2]);
  });

  it.each(["GET", "POST"])("BHEX %s", (method) => {
    const first = authorizeBhex(base(method), { accessKey: "ak-first", secretKey: "sk-first" });
    const second = authorizeBhex({ ...first, query: base(method).query, form: base(method).form }, { accessKey: "ak-second", secretKey: "sk-second" });
    const signature = [...second.query, ...(second.form ?? [])].find(([k]) => k === "signature")![1];
    expect(second.secrets).toEqual(["ak-second", "sk-second", signature]);
    expect(second.headers["X-ACCESS-KEY"]).toBe("ak-second");
  });

  it.each(["GET", "POST"])("Hubi %s", (method) => {
    const input = { accessToken: "token-first", timestamp: "2019-12-30T15:52:41.788", seqNum: 1 };
    const first = authorizeHubi(base(method), { ...input, accessKey: "ak-first", secretKey: "sk-first" });
    const second = authorizeHubi(first, { ...input, seqNum: 2, accessKey: "ak-second", secretKey: "sk-second", accessToken: "token-second" });
    expect(second.secrets).toEqual(["ak-second", "sk-second", "token-second", second.headers["X-API-Nonce"], second.headers["X-API-Signature"]]);
    expect(second.headers["X-API-Signature"]).not.toBe(first.headers["X-API-Signature"]);
  });
});
