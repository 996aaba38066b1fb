/** Shared primitives for the signers: HMAC-SHA256 and MD5, lowercase hex, UTF-8. */
import { createHash, createHmac } from "node:crypto";

export function hmacSha256Hex(secret: string, text: string): string {
  return createHmac("sha256", secret).update(text, "utf8").digest("hex");
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
 * The canonical string XT and BHEX sign: parameters sorted by name in ASCII order, `k=v`
 * joined with `&`, raw (not URL-encoded) values.
 */
export function sortedParamString(params: Readonly<Record<string, ParamValue>>): string {
  return Object.keys(params)
    .sort(compareUtf16)
    .map((k) => `${k}=${String(params[k])}`)
    .join("&");
}

function percentEncode(text: string, keep: (byte: number) => boolean): string {
  let out = "";
  for (const b of Buffer.from(text, "utf8")) {
    if (b === 0x20) out += "+";
    else if (keep(b)) out += String.fromCharCode(b);
    else out += `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

const isAlnum = (b: number) => (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);

/**
 * Python's `urllib.parse.quote_plus(text, safe)`: UTF-8 bytes; letters, digits and `_.-~`
 * (plus the `safe` characters) kept; space → `+`; every other byte `%XX` (upper-case hex).
 * This is what `urllib.parse.urlencode(pairs, safe=...)` applies to each key and value.
 */
export function pythonQuotePlus(text: string, safe = ""): string {
  const extra = new Set([..."_.-~", ...safe].map((c) => c.charCodeAt(0)));
  return percentEncode(text, (b) => isAlnum(b) || extra.has(b));
}

/**
 * PHP's `urlencode` (what `http_build_query` applies with its default PHP_QUERY_RFC1738):
 * UTF-8 bytes; letters, digits and `-_.` kept; space → `+`; every other byte `%XX`
 * (upper-case hex). Unlike Python, `~` is encoded (`%7E`).
 */
export function phpUrlencode(text: string): string {
  return percentEncode(text, (b) => isAlnum(b) || b === 0x2d || b === 0x5f || b === 0x2e);
}

/** Java's `String.trim()`: removes every leading and trailing char ≤ U+0020 (not Unicode spaces). */
export function javaTrim(text: string): string {
  return text.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, "");
}
