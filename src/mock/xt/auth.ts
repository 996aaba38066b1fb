/**
 * The XT emulator's signature check: 307 bad access key, 308 bad signature, as the real
 * service answers; every canonical-string variant the vendor's SDKs send is accepted and
 * named in the log (matchXtSignature).
 */
import { createHmac } from "node:crypto";
import { compareCodePoints, hmacSha256Hex, paramText, paramValue } from "../../auth/hmac.js";
import { XT_SIGNATURE_VARIANTS, type XtSignatureVariant } from "../../auth/xt.js";
import type { OperationMeta } from "../../handwritten/core/meta.js";
import type { MockReply, MockRequest } from "../http-mock.js";
import { givenTwice, nameGivenTwice } from "../params.js";
import { envelope } from "./replies.js";

function isBase64Field(op: OperationMeta, name: string): boolean {
  const props = op.body?.properties;
  return ((props && Object.hasOwn(props, name) ? props[name] : undefined) ?? op.params.find((p) => p.name === name)?.schema)?.contentEncoding === "base64";
}

/**
 * Java's `String.trim()` (every leading and trailing character at or below U+0020 removed), as
 * `javaTrim` (auth/hmac.ts) does, in linear time: its regex backtracks quadratically over a run
 * of such characters inside a value (100 000 spaces in a batch `data` held the emulator ~5 s).
 */
function trimLinear(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && text.charCodeAt(start) <= 0x20) start++;
  while (end > start && text.charCodeAt(end - 1) <= 0x20) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

/** Bytes `quote_plus` keeps as they are: ASCII letters, digits and `_.-~`. */
const KEPT = new Uint8Array(256);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~") KEPT[c.charCodeAt(0)] = 1;
const QUOTE_PLUS_KEEPS = /^[A-Za-z0-9_.~-]*$/;
const HEX_DIGITS = Buffer.from("0123456789ABCDEF", "latin1");

/**
 * Python's `quote_plus(text)` (safe ""), as `pythonQuotePlus` (auth/hmac.ts) writes it, into one
 * buffer: that one appends a string per byte (~150 ms and most of a GC for an 800 KB batch
 * `data`, computed twice per request); this takes ~10 ms.
 */
function quotePlusLinear(text: string): string {
  if (QUOTE_PLUS_KEEPS.test(text)) return text;
  const src = Buffer.from(text, "utf8");
  const out = Buffer.allocUnsafe(src.length * 3);
  let j = 0;
  for (let i = 0; i < src.length; i++) {
    const b = src[i]!;
    if (KEPT[b] === 1) out[j++] = b;
    else if (b === 0x20) out[j++] = 0x2b;
    else {
      out[j++] = 0x25;
      out[j++] = HEX_DIGITS[b >> 4]!;
      out[j++] = HEX_DIGITS[b & 15]!;
    }
  }
  return out.toString("latin1", 0, j);
}

/** How one variant writes its canonical string (as auth/xt.ts's rule for it does). */
interface MockRule {
  /** The names' order: UTF-16 code units (Java's `TreeMap`) or code points (Python's `sorted`). */
  order: "utf16" | "codePoints";
  name: (name: string) => string;
  value: (value: string) => string;
}

/**
 * The canonical strings the emulator checks: those auth/xt.ts's variants sign (the tests sign
 * with signXtParams and check each variant is found), written in linear time.
 */
const CANONICAL_RULES: Readonly<Record<XtSignatureVariant, MockRule>> = {
  java: { order: "utf16", name: (k) => k, value: trimLinear },
  raw: { order: "utf16", name: (k) => k, value: (v) => v },
  python: { order: "codePoints", name: quotePlusLinear, value: quotePlusLinear },
};

const VARIANT_NAMES: Record<XtSignatureVariant, string> = {
  java: "java (raw trimmed values, as the vendor Java SDK)",
  raw: "raw (raw untrimmed values)",
  python: "python (URL-encoded values, as the vendor Python SDK)",
};

/** A name that holds a UTF-16 surrogate: only then can code point order differ from UTF-16 order. */
const SURROGATE = /[\uD800-\uDFFF]/;

/** The parameters in one order: names, the values as sent, which are base64 fields and those decoded. */
interface Ordered {
  names: string[];
  sent: string[];
  isBase64: boolean[];
  decoded: string[] | undefined;
}

function ordered(op: OperationMeta, params: Readonly<Record<string, string>>, names: string[]): Ordered {
  const sent = names.map((k) => paramText(paramValue(k, params[k])));
  const isBase64 = names.map((k) => isBase64Field(op, k));
  const decoded = isBase64.includes(true) ? sent.map((v, i) => (isBase64[i] ? Buffer.from(v, "base64").toString("utf8") : v)) : undefined;
  return { names, sent, isBase64, decoded };
}

/** Text handed to the HMAC at once: short pairs are gathered up to this, a longer value goes alone. */
const CHUNK_CHARS = 16 * 1024;

/**
 * HMAC-SHA256 (lower-case hex) of the canonical string `name=value&…` of names (in order) and
 * values already written as the variant writes them, fed in pieces: joining an 800 KB value
 * into one string cost ~3 ms per variant and form, several times what hashing it does.
 */
function signCanonical(secretKey: string, names: ReadonlyArray<string>, values: ReadonlyArray<string>): string {
  const hmac = createHmac("sha256", secretKey);
  let pending = "";
  for (let i = 0; i < names.length; i++) {
    pending += `${i === 0 ? "" : "&"}${names[i]!}=`;
    const v = values[i]!;
    if (v.length >= CHUNK_CHARS) {
      hmac.update(pending, "utf8").update(v, "utf8");
      pending = "";
    } else if ((pending += v).length >= CHUNK_CHARS) {
      hmac.update(pending, "utf8");
      pending = "";
    }
  }
  return hmac.update(pending, "utf8").digest("hex");
}

/**
 * Which documented canonical-string variant a request's signature matches, or undefined.
 * Every variant (XT_SIGNATURE_VARIANTS) is tried with the batch `data` decoded (the vendor
 * doc) and as base64 text (both SDKs); the hex digits are compared without regard to case,
 * since the vendor Python SDK sends upper case and the Java SDK lower case.
 *
 * Linear in the parameters' length, so a body near the 1 MiB cap is checked in a few tens of
 * ms (an 800 KB batch `data` took ~450 ms, 100 000 spaces in one value ~5 s): the names are
 * sorted and their values read once per order (the default sort is UTF-16 order; code point
 * order differs only for names with surrogates), each canonical string is hashed as it is
 * written, never joined.
 */
export function matchXtSignature(op: OperationMeta, params: Readonly<Record<string, string>>, secretKey: string): string | undefined {
  const signature = params.signature ?? "";
  const given = signature.toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(given)) return undefined;
  hmacSha256Hex(secretKey, ""); // the key checked as every signer checks it (an empty one is a UsageError)
  const names = Object.keys(params).filter((k) => k !== "signature");
  const byUtf16 = ordered(op, params, names.sort());
  const byCodePoints = names.some((k) => SURROGATE.test(k)) ? ordered(op, params, [...names].sort(compareCodePoints)) : byUtf16;
  // Each variant writes the names, and every value but a base64 field's, once for both forms.
  const written = new Map<XtSignatureVariant, { names: string[]; values: string[] }>();
  const matches = (variant: XtSignatureVariant, decode: boolean): boolean => {
    const rule = CANONICAL_RULES[variant];
    const o = rule.order === "utf16" ? byUtf16 : byCodePoints;
    let w = written.get(variant);
    if (!w) written.set(variant, (w = { names: o.names.map(rule.name), values: o.sent.map((v, i) => (o.isBase64[i] ? "" : rule.value(v))) }));
    const values = o.isBase64.includes(true) ? w.values.map((v, i) => (o.isBase64[i] ? rule.value((decode ? o.decoded! : o.sent)[i]!) : v)) : w.values;
    return signCanonical(secretKey, w.names, values) === given;
  };
  const hexCase = signature === given ? "lower-case hex" : signature === given.toUpperCase() ? "upper-case hex" : "mixed-case hex";
  for (const [data, decode] of byUtf16.decoded ? ([["decoded", true], ["base64", false]] as const) : ([["", false]] as const)) {
    // Variants whose canonical strings coincide for these values are all named.
    const hits = XT_SIGNATURE_VARIANTS.filter((variant) => matches(variant, decode));
    if (hits.length > 0) {
      const names = hits.length > 1 ? `${hits.join(" = ")}, identical here` : VARIANT_NAMES[hits[0]!];
      return `${names}, ${hexCase}${data ? `, batch data ${data}` : ""}`;
    }
  }
  return undefined;
}

export interface XtAuthOptions {
  accessKey: string;
  secretKey: string;
  /** Largest accepted distance between a request's nonce (its time in ms) and `now()`. */
  maxClockSkewMs: number;
  now: () => number;
}

export function xtAuthenticator({ accessKey, secretKey, maxClockSkewMs, now }: XtAuthOptions): (req: MockRequest) => MockReply | undefined {
  return (req) => {
    if (req.op.security.length === 0) return undefined;
    const inQuery = req.query.some(([k]) => k === "signature");
    const inForm = req.form.some(([k]) => k === "signature");
    if (inQuery && inForm) return envelope(400, "signature parameters must be in the query (GET) or the body (POST), not both");
    const pairs = req.method === "GET" ? req.query : req.form;
    // The handlers read both: parameters on the other side would act unsigned (an address, a price).
    const other = req.method === "GET" ? req.form : req.query;
    if (other.length > 0) {
      const named = other.slice(0, 5).map(([k]) => JSON.stringify(k.slice(0, 40))).join(", ");
      return envelope(400, `parameters must all be in the ${req.method === "GET" ? "query (GET)" : "body (POST)"}: the signature covers those only, not ${named}${other.length > 5 ? ` and ${other.length - 5} more` : ""}`);
    }
    // (a name in both the query and the body is refused above: the side not signed is none)
    const twice = nameGivenTwice(req);
    if (twice !== undefined) return envelope(400, givenTwice(twice));
    // Not Object.fromEntries: a null-prototype object takes 100 000 names in a third of the time.
    const params = Object.create(null) as Record<string, string>;
    for (const [k, v] of pairs) params[k] = v;
    if (params.accesskey !== accessKey) return envelope(307, "accesskey error");
    if (!/^\d{13}$/.test(params.nonce ?? "")) return envelope(400, "nonce must be a 13-digit millisecond timestamp");
    // The vendor's document: the server checks the request's validity by this time.
    const skew = Number(params.nonce) - now();
    if (Math.abs(skew) > maxClockSkewMs) {
      return envelope(400, `nonce ${params.nonce} is ${Math.round(Math.abs(skew) / 1000)} s ${skew < 0 ? "behind" : "ahead of"} the server's clock (at most ${maxClockSkewMs} ms accepted): sign with the current time`);
    }
    const matched = matchXtSignature(req.op, params, secretKey);
    if (!matched) return envelope(308, "signature check failed");
    req.notes.push(`signature: ${matched}`);
    return undefined;
  };
}
