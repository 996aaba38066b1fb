/**
 * XT spot v1 request signing (specs/openapi/xt-spot.yaml, securitySchemes.xtAccessKey).
 * Pure: the caller passes every parameter, including `accesskey` and `nonce`.
 */
import { hmacSha256Hex, sortedParamString, type ParamValue } from "./hmac.js";

/**
 * Lowercase hex HMAC-SHA256 (key: secretKey) over the parameters sorted by name (ASCII),
 * `k=v` joined with `&`, raw values. `signature` itself, if present, is not signed.
 */
export function signXtParams(params: Readonly<Record<string, ParamValue>>, secretKey: string): string {
  const { signature: _omit, ...rest } = params;
  return hmacSha256Hex(secretKey, sortedParamString(rest));
}

/** A 13-digit millisecond timestamp, as XT's `nonce` must be. */
export function xtNonce(now: number = Date.now()): string {
  const s = String(Math.trunc(now));
  if (s.length !== 13) throw new RangeError(`XT nonce must be a 13-digit millisecond timestamp, got ${s}`);
  return s;
}
