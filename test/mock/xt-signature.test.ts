/**
 * The XT emulator's signature check writes each variant's canonical string itself, in linear
 * time (src/mock/xt/auth.ts), instead of through the client signers (auth/xt.ts), whose
 * `javaTrim` and `pythonQuotePlus` are quadratic or slow on long values. Here it is held to
 * exactly what it answered when it called the signers: the same variant named, or none, for
 * signatures the signers make over text where the variants are easy to get wrong.
 */
import { describe, expect, it } from "vitest";
import { meta } from "../../generated/xt-spot.docs.js";
import { signXtParams, XT_SIGNATURE_VARIANTS, type XtSignatureVariant } from "../../src/auth/xt.js";
import type { OperationMeta } from "../../src/handwritten/core/meta.js";
import { matchXtSignature } from "../../src/mock/xt.js";

const SECRET = "mock-secret-key";
const opOf = (id: string): OperationMeta => meta.operations.find((o) => o.operationId === id)!;

/** matchXtSignature as it was before (through signXtParams), the reference. */
function referenceMatch(op: OperationMeta, params: Readonly<Record<string, string>>, secretKey: string): string | undefined {
  const names: Record<XtSignatureVariant, string> = {
    java: "java (raw trimmed values, as the vendor Java SDK)",
    raw: "raw (raw untrimmed values)",
    python: "python (URL-encoded values, as the vendor Python SDK)",
  };
  const isBase64Field = (name: string) => {
    const props = op.body?.properties;
    return ((props && Object.hasOwn(props, name) ? props[name] : undefined) ?? op.params.find((p) => p.name === name)?.schema)?.contentEncoding === "base64";
  };
  const { signature = "", ...rest } = params;
  const given = signature.toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(given)) return undefined;
  const hasBatchData = Object.keys(rest).some(isBase64Field);
  const decoded = Object.create(null) as Record<string, string>;
  for (const [k, v] of Object.entries(rest)) decoded[k] = isBase64Field(k) ? Buffer.from(v, "base64").toString("utf8") : v;
  const hexCase = signature === given ? "lower-case hex" : signature === given.toUpperCase() ? "upper-case hex" : "mixed-case hex";
  for (const [data, signed] of hasBatchData ? ([["decoded", decoded], ["base64", rest]] as const) : ([["", rest]] as const)) {
    const hits = XT_SIGNATURE_VARIANTS.filter((variant) => signXtParams(signed, secretKey, { variant }).toLowerCase() === given);
    if (hits.length > 0) return `${hits.length > 1 ? `${hits.join(" = ")}, identical here` : names[hits[0]!]}, ${hexCase}${data ? `, batch data ${data}` : ""}`;
  }
  return undefined;
}

/** Characters where the variants differ: trimmed (≤ U+0020), URL-encoded, outside the BMP, lone surrogates, … */
const CHARS = ["a", "Z", "0", "9", " ", "\t", "\n", "\u0000", "\u001f", "\u007f", "\u0080", "~", "!", "*", "'", "(", ")", "+", "&", "=", "%", "/", ".", "-", "_", "é", "中", "\uFF01", "\uE000", "😀", "\u{10FFFF}", "\uD800", "\uDC00"];

function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 2 ** 32;
  };
}

/** Every signature a client may send for `params` (each variant; batch data as base64 and decoded), and some that are wrong. */
function signatures(params: Record<string, string>): string[] {
  const decoded = "data" in params ? { ...params, data: Buffer.from(params.data!, "base64").toString("utf8") } : undefined;
  const out: string[] = [];
  for (const variant of XT_SIGNATURE_VARIANTS) {
    for (const signed of decoded ? [params, decoded] : [params]) {
      const sig = signXtParams(signed, SECRET, { variant });
      out.push(sig, sig.toUpperCase(), `${sig.slice(0, 10).toUpperCase()}${sig.slice(10)}`);
    }
  }
  out.push(signXtParams({ ...params, extra: "1" }, SECRET), "0".repeat(64), "not hex", "");
  return out;
}

function expectSameAnswers(op: OperationMeta, params: Record<string, string>): void {
  for (const signature of signatures(params)) {
    const request = { ...params, signature };
    expect(matchXtSignature(op, request, SECRET), JSON.stringify(request)).toBe(referenceMatch(op, request, SECRET));
  }
}

describe("XT emulator: the signature check names what the client signers sign", () => {
  const base = { accesskey: "mock-access-key", nonce: "1700000000000" };

  it("values with spaces and control characters at either end (java trims, raw does not), encoded ones (python)", () => {
    const order = opOf("order");
    for (const price of [" 5000", "5000 ", "\t5000\u0000", "5 000", "a+b&c=d", "~!*'()", "é中😀", "\uD800x", "x\uDC00", "", "  "]) {
      expectSameAnswers(order, { ...base, market: "btc_usdt", price, number: "1", type: "1", entrustType: "0" });
    }
  });

  it("names ordered by UTF-16 (java, raw) and by code point (python) where they differ, and names a prototype has", () => {
    const order = opOf("order");
    for (const names of [["\uFF01", "😀"], ["a\uE000", "a\uD83D\uDE00", "a"], ["\uD800", "\uDBFF\uDFFF", "\uE000"], ["__proto__", "constructor", "toString"], ["10", "9", "1"]]) {
      const params = Object.fromEntries(names.map((n, i) => [n, `v${i} `])) as Record<string, string>;
      expectSameAnswers(order, { ...base, ...params });
    }
  });

  it("batch data signed decoded (the vendor doc) or as base64 (the SDKs), with text that trims or encodes", () => {
    const batchCancel = opOf("batchCancel");
    for (const text of ['["1","2"]', ' ["1"] ', "[1,\t 2]", '["é 😀+&"]', "\u0000[1]\u001f", "", "\xff\xfe"]) {
      expectSameAnswers(batchCancel, { ...base, market: "btc_usdt", data: Buffer.from(text, "utf8").toString("base64") });
    }
    // Bytes that are not UTF-8 (decoded with U+FFFD) and base64 that is not canonical.
    for (const data of [Buffer.from([0xff, 0xc3, 0x28, 0x20]).toString("base64"), "WzFd=", "W zFd", "%%%"]) expectSameAnswers(batchCancel, { ...base, market: "btc_usdt", data });
  });

  it("long values and many parameters (the canonical string is hashed in pieces)", () => {
    const batchCancel = opOf("batchCancel");
    const long = Array.from({ length: 40_000 }, (_, i) => CHARS[i % CHARS.length]!.replace(/\s/, "x")).join("");
    const many = Object.fromEntries(Array.from({ length: 3_000 }, (_, i) => [`p${i}`, i % 7 === 0 ? " é+ " : String(i)]));
    expectSameAnswers(batchCancel, { ...base, market: ` ${long} `, data: Buffer.from(`[1, "${long}"]`).toString("base64") });
    expectSameAnswers(batchCancel, { ...base, ...many, data: Buffer.from("[1]").toString("base64") });
  });

  it("random names and values from those characters: the same answer as the signers give, every time", () => {
    const next = random(20_240_601);
    const text = (max: number, min = 0) => Array.from({ length: min + Math.floor(next() * (max - min + 1)) }, () => CHARS[Math.floor(next() * CHARS.length)]!).join("");
    for (let i = 0; i < 150; i++) {
      const op = opOf(i % 2 === 0 ? "order" : "batchCancel");
      const params: Record<string, string> = { ...base };
      for (let n = Math.floor(next() * 4); n > 0; n--) {
        const name = text(4, 1);
        if (name !== "signature") params[name] = text(8);
      }
      if (op.operationId === "batchCancel") params.data = Buffer.from(text(10), "utf8").toString("base64");
      expectSameAnswers(op, params);
    }
  });
});
