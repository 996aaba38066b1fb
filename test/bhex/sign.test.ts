import { describe, expect, it } from "vitest";
import type { ParamValue } from "../../src/auth/hmac.js";
import { createHmac } from "node:crypto";
import { authorizeBhex, bhexCanonicalString, signBhexParams, type BhexSignatureVariant } from "../../src/auth/bhex.js";

// Expected signatures were computed independently with Python's hmac module:
//   hmac.new(secret.encode(), "&".join(f"{k}={params[k]}" for k in sorted(params)).encode(), hashlib.sha256).hexdigest()
// and the first one cross-checked with
//   printf '%s' 'token_ids=BTC,USDT&user_id=97298429944266752' | openssl dgst -sha256 -hmac 'mySecretKey'
// not with signBhexParams. The vendor publishes no secret key, so no vendor vector exists.
describe("signBhexParams", () => {
  it.each([
    {
      name: "account/balance parameters (raw comma, 17-digit id)",
      params: { user_id: "97298429944266752", token_ids: "BTC,USDT" },
      secret: "mySecretKey",
      want: "0c5c6dc8c557a3857e51b6c5b4b80b00d4eaf41b2b27eda470ebcb2823f97f08",
    },
    {
      name: "order/create with the vendor doc's values, numbers given as numbers",
      params: {
        user_id: 97298429944266752n,
        symbol_id: "ATUSDT",
        exchange_id: 301,
        client_order_id: "ATUSDT-2019061801",
        type: "limit",
        side: "sell",
        price: "0.1668",
        quantity: 10,
      },
      secret: "mySecretKey",
      want: "e3721fa3ef72fe1a87799d6ad882ec12f9bc9cee405366934d21de6d61ee84df",
    },
    {
      name: "batch lock items in the simple form (commas, semicolons, a space, trailing comma), UTF-8 secret",
      params: {
        client_order_id: "Lock2019071805",
        data_type: "simple",
        items: "83214971450163200,BTC,0.005,activity lock;231215678785585152,USDT,0.5,",
      },
      secret: "sk-测试",
      want: "90289a7c2b6a05559a834c2870bc829cdf03fb2880328061b5bcc3d15a6b1f0b",
    },
    {
      name: "air drop items as JSON text, signed exactly as sent",
      params: {
        client_order_id: "AD-1",
        data_type: "json",
        items: '[{"target_user_id":"83214971450163200","token_id":"BTC","amount":"0.5","to_target_lock":true,"sub_business_subject":101}]',
        desc: "air drop 0714",
      },
      secret: "s3cr3t",
      want: "a22e7676bd85d1cd14c9dbb72072538cfeeb5b599b345a6f62c1acc6e24b89ec",
    },
    { name: "no parameters: HMAC of the empty string", params: {}, secret: "k", want: "8bb990c40a7d61cb97597a942125025be50ac8beb74436e3735b98893a7f6620" },
    {
      name: "ASCII order puts upper case first; values are not URL-encoded",
      params: { zeta: "2", Zeta: "1", "a b": "x y" },
      secret: "k",
      want: "138d010f1e8259eec82b95386b836cdfeee7c03259df07fb9e2a775614abdd24",
    },
  ] as Array<{ name: string; params: Record<string, ParamValue>; secret: string; want: string }>)("$name", ({ params, secret, want }) => {
    expect(signBhexParams(params, secret)).toBe(want);
  });

  it("does not sign an existing signature parameter", () => {
    const p = { user_id: "97298429944266752", token_ids: "BTC,USDT" };
    expect(signBhexParams({ ...p, signature: "stale" }, "mySecretKey")).toBe(signBhexParams(p, "mySecretKey"));
  });

  it("depends on every value and on the key", () => {
    const p = { user_id: "1", token_ids: "BTC" };
    const base = signBhexParams(p, "k1");
    expect(signBhexParams({ ...p, user_id: "2" }, "k1")).not.toBe(base);
    expect(signBhexParams(p, "k2")).not.toBe(base);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
  });
});

// The three vendor demos on one parameter set where they disagree: a name that is a prefix of
// another (`a`, `a1`), a value needing URL encoding, `~`, non-ASCII. Canonical strings built
// from each demo's algorithm, not with this project's code:
//   java:   "&".join(f"{k}={p[k]}" for k in sorted(p))            (Python 3.11, as TreeMap does)
//   python: "&".join(sorted(f"{k}={v}" for k, v in p.items()))    (Python 3.11, the demo's code)
//   php:    ksort($p); http_build_query($p), built by hand: PHP urlencode keeps only
//           letters, digits and -_. (space +, ~ %7E)
// Signatures: Python hmac for java/python, `printf '%s' TEXT | openssl dgst -sha256 -hmac sk-bhex` for php.
describe("signBhexParams: each vendor demo's variant", () => {
  const params = { a: "1", a1: "2", user_id: "10001", desc: "x y~z,&=+%", b_c: "中" };
  it.each([
    { variant: "java", text: "a=1&a1=2&b_c=中&desc=x y~z,&=+%&user_id=10001", want: "71506136414a616216fb60a49326c114c8605262ff2f09c44cbc4d205154185f" },
    { variant: "python", text: "a1=2&a=1&b_c=中&desc=x y~z,&=+%&user_id=10001", want: "330c4f33c717bf082c0ebe29d57fb986c23aa8d3a497bd7ee5c71f670c47e251" },
    {
      variant: "php",
      text: "a=1&a1=2&b_c=%E4%B8%AD&desc=x+y%7Ez%2C%26%3D%2B%25&user_id=10001",
      want: "539cdfc53f2bac4a5a1da0d61548a8a5a0587d6ee651548718887ed83b956db4",
    },
  ] as Array<{ variant: BhexSignatureVariant; text: string; want: string }>)("$variant", ({ variant, text, want }) => {
    expect(createHmac("sha256", "sk-bhex").update(text, "utf8").digest("hex")).toBe(want);
    expect(bhexCanonicalString(params, variant)).toBe(text);
    expect(signBhexParams(params, "sk-bhex", { variant })).toBe(want);
  });

  it("java is the default; php sends booleans as 1/0 as http_build_query does", () => {
    expect(signBhexParams(params, "sk-bhex")).toBe("71506136414a616216fb60a49326c114c8605262ff2f09c44cbc4d205154185f");
    expect(bhexCanonicalString({ lock: true, free: false }, "php")).toBe("free=0&lock=1");
  });

  it("all three agree on names without shared prefixes and values needing no encoding", () => {
    const p = { user_id: "97298429944266752", token_ids: "BTC" };
    const want = signBhexParams(p, "mySecretKey");
    expect(signBhexParams(p, "mySecretKey", { variant: "python" })).toBe(want);
    expect(signBhexParams(p, "mySecretKey", { variant: "php" })).toBe(want);
  });
});

// The pure request signer, on the first vector above (computed with Python's hmac and openssl).
describe("authorizeBhex (request in, signed request out)", () => {
  const want = "0c5c6dc8c557a3857e51b6c5b4b80b00d4eaf41b2b27eda470ebcb2823f97f08";
  const req = {
    method: "GET",
    path: "/openapi/v1/account/balance",
    query: [["user_id", "97298429944266752"], ["token_ids", "BTC,USDT"]] as Array<[string, string]>,
    form: null,
    headers: {},
  };

  it("GET: X-ACCESS-KEY header, signature appended to the query", () => {
    const signed = authorizeBhex(req, { accessKey: "ak-org", secretKey: "mySecretKey" });
    expect(signed.method).toBe("GET");
    expect(signed.query).toEqual([...req.query, ["signature", want]]);
    expect(signed.headers).toEqual({ "X-ACCESS-KEY": "ak-org" });
    expect(signed.secrets).toEqual(["ak-org", "mySecretKey", want]);
  });

  it("allAsPost: the GET becomes a form POST carrying the same signature; a stale signature is dropped", () => {
    const stale = { ...req, query: [...req.query, ["signature", "old"]] as Array<[string, string]> };
    const signed = authorizeBhex(stale, { accessKey: "ak-org", secretKey: "mySecretKey", allAsPost: true });
    expect(signed.method).toBe("POST");
    expect(signed.query).toEqual([]);
    expect(signed.form).toEqual([...req.query, ["signature", want]]);
  });
});
