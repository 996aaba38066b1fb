/** Shared primitives for the signers: HMAC-SHA256 and MD5, lowercase hex, UTF-8. */
import { createHash, createHmac } from "node:crypto";

export function hmacSha256Hex(secret: string, text: string): string {
  return createHmac("sha256", secret).update(text, "utf8").digest("hex");
}

export function md5Hex(text: string): string {
  return createHash("md5").update(text, "utf8").digest("hex");
}

export type ParamValue = string | number | bigint | boolean;

/**
 * The canonical string XT and BHEX sign: parameters sorted by name in ASCII order, `k=v`
 * joined with `&`, raw (not URL-encoded) values.
 */
export function sortedParamString(params: Readonly<Record<string, ParamValue>>): string {
  return Object.keys(params)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((k) => `${k}=${String(params[k])}`)
    .join("&");
}
