/** Shared primitives for the signers: HMAC-SHA256 and MD5, lowercase hex, UTF-8. */
import { createHash, createHmac } from "node:crypto";
import { typeName, UsageError } from "../handwritten/core/errors.js";
import { paramText } from "../handwritten/core/json.js";

export { paramText };
import type { SignableRequest } from "./request.js";

export function hmacSha256Hex(secret: string, text: string): string {
  // The signers are public: a JavaScript caller's wrong argument is a UsageError, not a TypeError from crypto.
  if (typeof secret !== "string" || secret === "") throw new UsageError(`the secret key must be a non-empty string, got ${secret === "" ? "an empty string" : typeOf(secret)}`);
  return createHmac("sha256", secret).update(text, "utf8").digest("hex");
}

const typeOf = (v: unknown): string => (Array.isArray(v) ? "an array" : typeName(v));

/** `v` when it is a parameter value a signer can write (string, number, bigint, boolean), else a UsageError naming `name`. */
export function paramValue(name: string, v: unknown): ParamValue {
  // (NaN and Infinity are no value a server reads: "price=NaN" was signed and sent)
  if (typeof v === "number" && !Number.isFinite(v)) throw new UsageError(`parameter "${name}" must be a finite number to be signed, got ${v}`);
  if (typeof v === "string" || typeof v === "number" || typeof v === "bigint" || typeof v === "boolean") return v;
  throw new UsageError(`parameter "${name}" must be a string, number, bigint or boolean to be signed, got ${typeOf(v)}`);
}

/** A request a signer can take (method, path, [name, value] text pairs, headers) and an input object, else a UsageError. */
export function checkSignable(request: SignableRequest, input: object): void {
  const r = request as unknown as Record<string, unknown> | null;
  const pairs = (v: unknown) => Array.isArray(v) && v.every((p) => Array.isArray(p) && typeof p[0] === "string" && typeof p[1] === "string");
  if (typeof r?.method !== "string" || typeof r.path !== "string" || !pairs(r.query) || (r.form != null && !pairs(r.form)) || typeof r.headers !== "object" || typeof input !== "object" || !input) {
    throw new UsageError("a signer takes ({ method, path, query, form, headers }, { credentials… }) with [name, value] text pairs");
  }
}

export function md5Hex(text: string): string {
  return createHash("md5").update(text, "utf8").digest("hex");
}

export type ParamValue = string | number | bigint | boolean;

/** Ordinal (UTF-16 code unit) order, as Java's `String.compareTo` and a `TreeMap` sort. */
export function compareUtf16(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Code point order, as Python's `sorted()` on `str` sorts (differs from UTF-16 only above U+FFFF). */
export function compareCodePoints(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return x.length - y.length < 0 ? -1 : x.length > y.length ? 1 : 0;
}

/** Byte order of the UTF-8 text, as PHP's `strcmp` (and `ksort` on non-numeric string keys). */
export function compareUtf8Bytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/**
 * A request's [name, value] pairs as the record a sorted-parameter signer takes (`read` maps a
 * value first). A name given twice (also once in the query and once in the form) is a
 * UsageError: the record holds one value per name, so the signature would not cover what is
 * sent. A null-prototype record: a parameter named `__proto__` is signed as sent.
 */
export function pairsToSign(pairs: Iterable<readonly [string, string]>, read?: (name: string, value: string) => string): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const [k, v] of pairs) {
    if (Object.hasOwn(out, k)) throw new UsageError(`the request gives the parameter ${JSON.stringify(k)} twice: a signature covers one value per name`);
    out[k] = read ? read(k, v) : v;
  }
  return out;
}

/** `headers` with `add`, whose names replace the request's own of the same name in any letter case. */
export function withSignedHeaders(headers: Readonly<Record<string, string>>, add: Readonly<Record<string, string>>): Record<string, string> {
  const names = new Set(Object.keys(add).map((k) => k.toLowerCase()));
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (!names.has(k.toLowerCase())) out[k] = v;
  return Object.assign(out, add);
}

/** How a signer's canonical string is built from the parameters (each vendor SDK has its own). */
export interface CanonicalRule {
  /** The order of the names (of the whole `k=v` strings with `wholePairs`). */
  order: (a: string, b: string) => number;
  /** Sort the `k=v` strings as whole strings instead of the names. */
  wholePairs?: boolean;
  /** How a name is written (default: as is). */
  name?: (name: string) => string;
  /** How a value is written (default: `paramText`). */
  value?: (value: ParamValue) => string;
  /** A parameter that is never signed (e.g. `signature` itself). */
  exclude?: string;
  /** The signature in upper-case hex (default lower-case). */
  upperHex?: boolean;
}

/** A sorted-parameter signer's options: which vendor SDK's variant (CanonicalRule) to reproduce. */
export interface SignOptions<V extends string> {
  /** The vendor SDK's or demo's canonical string and hex case (default "java"). */
  variant?: V | undefined;
}

const ORDINAL_RAW: CanonicalRule = { order: compareUtf16 };

/**
 * The sorted-parameter canonical string XT and BHEX sign: `k=v` joined with `&`, sorted and
 * written as `rule` says; by default names sorted in ordinal (ASCII) order with raw (not
 * URL-encoded) values.
 */
export function sortedParamString(params: Readonly<Record<string, ParamValue>>, rule: CanonicalRule = ORDINAL_RAW): string {
  if (typeof params !== "object" || params === null || Array.isArray(params)) {
    throw new UsageError(`the parameters to sign must be an object of name → value, got ${typeOf(params)}`);
  }
  const name = rule.name ?? ((k: string) => k);
  const value = rule.value ?? paramText;
  const names = Object.keys(params).filter((k) => k !== rule.exclude);
  const pair = (k: string) => `${name(k)}=${value(paramValue(k, params[k]))}`;
  return (rule.wholePairs ? names.map(pair).sort(rule.order) : names.sort(rule.order).map(pair)).join("&");
}

/** HMAC-SHA256 (key: secretKey) over `rule`'s canonical string, in the rule's hex case. */
export function signSortedParams(params: Readonly<Record<string, ParamValue>>, secretKey: string, rule: CanonicalRule): string {
  const hex = hmacSha256Hex(secretKey, sortedParamString(params, rule));
  return rule.upperHex ? hex.toUpperCase() : hex;
}

/** A sorted-parameter signer: its variants (the first is the default), canonical string and signature. */
export interface SortedParamSigner<V extends string> {
  readonly variants: ReadonlyArray<V>;
  canonical(params: Readonly<Record<string, ParamValue>>, variant?: V): string;
  sign(params: Readonly<Record<string, ParamValue>>, secretKey: string, options?: SignOptions<V>): string;
}

/** The signer of a sorted-parameter API from its variants' rules (the first is the default). */
export function sortedParamSigner<V extends string>(rules: Readonly<Record<V, CanonicalRule>>): SortedParamSigner<V> {
  const variants = Object.keys(rules) as V[];
  const fallback = variants[0]!;
  // A variant that is not one of them (a JavaScript caller's "jav") is a UsageError, not a TypeError.
  const rule = (variant: V | undefined): CanonicalRule => {
    if (variant === undefined) return rules[fallback];
    if (typeof variant !== "string" || !Object.hasOwn(rules, variant)) throw new UsageError(`variant must be one of ${variants.map((v) => JSON.stringify(v)).join(", ")}, got ${typeof variant === "string" ? JSON.stringify(variant) : typeName(variant)}`);
    return rules[variant];
  };
  return {
    variants,
    canonical: (params, variant) => sortedParamString(params, rule(variant)),
    sign: (params, secretKey, options) => {
      if (options !== undefined && (options === null || typeof options !== "object")) throw new UsageError(`the sign options must be an object { variant? }, got ${typeName(options)}`);
      // (own: a `variant` on Object.prototype is none given)
      return signSortedParams(params, secretKey, rule(options && Object.hasOwn(options, "variant") ? options.variant : undefined));
    },
  };
}

const HEX = /* @__PURE__ */ Buffer.from("0123456789ABCDEF", "latin1");

/**
 * `text`'s UTF-8 bytes, each kept when `keep[byte]`, space as `+`, the rest `%XX` (upper-case
 * hex). Written into one buffer: linear in the text, whatever its length (a value of a million
 * bytes, added to a string byte by byte, took a fifth of a second).
 */
function percentEncode(text: string, keep: Uint8Array): string {
  const bytes = Buffer.from(text, "utf8");
  const out = Buffer.allocUnsafe(bytes.length * 3);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x20) out[n++] = 0x2b;
    else if (keep[b]) out[n++] = b;
    else {
      out[n++] = 0x25;
      out[n++] = HEX[b >> 4]!;
      out[n++] = HEX[b & 15]!;
    }
  }
  return out.toString("latin1", 0, n);
}

/** The bytes kept as they are: ASCII letters and digits, and `also`'s characters below U+0100. */
function keepTable(also: string): Uint8Array {
  const t = new Uint8Array(256);
  for (let b = 0; b < 256; b++) if ((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a)) t[b] = 1;
  for (const c of also) if (c.charCodeAt(0) < 256) t[c.charCodeAt(0)] = 1;
  return t;
}

const PYTHON_KEEP = /* @__PURE__ */ keepTable("_.-~");
const PHP_KEEP = /* @__PURE__ */ keepTable("-_.");

/**
 * Python's `urllib.parse.quote_plus(text, safe)`: UTF-8 bytes; letters, digits and `_.-~`
 * (plus the `safe` characters) kept; space → `+`; every other byte `%XX` (upper-case hex).
 * This is what `urllib.parse.urlencode(pairs, safe=...)` applies to each key and value.
 */
export function pythonQuotePlus(text: string, safe = ""): string {
  return percentEncode(text, safe ? keepTable(`_.-~${safe}`) : PYTHON_KEEP);
}

/**
 * PHP's `urlencode` (what `http_build_query` applies with its default PHP_QUERY_RFC1738):
 * UTF-8 bytes; letters, digits and `-_.` kept; space → `+`; every other byte `%XX`
 * (upper-case hex). Unlike Python, `~` is encoded (`%7E`).
 */
export function phpUrlencode(text: string): string {
  return percentEncode(text, PHP_KEEP);
}

/** Java's `String.trim()`: removes every leading and trailing char ≤ U+0020 (not Unicode spaces). */
export function javaTrim(text: string): string {
  // (a loop, not /[\u0000-\u0020]+$/, which tries every start inside a run of such chars: a
  // value with 100,000 spaces in its middle took seconds)
  let start = 0;
  let end = text.length;
  while (start < end && text.charCodeAt(start) <= 0x20) start++;
  while (end > start && text.charCodeAt(end - 1) <= 0x20) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}
