/**
 * BHEX broker Org API request signing (specs/openapi/bhex-org.yaml,
 * securitySchemes.bhexAccessKey). Pure: no clock, no nonce (the API has neither).
 */
import { hmacSha256Hex, sortedParamString, type ParamValue } from "./hmac.js";

/** The header that carries the org access key on every request. */
export const BHEX_ACCESS_KEY_HEADER = "X-ACCESS-KEY";

/**
 * Lowercase hex HMAC-SHA256 (key: secretKey) over the request parameters sorted by name
 * (ASCII), `k=v` joined with `&`, raw (not URL-encoded) values: the `signature` parameter.
 * A `signature` already among the params is not signed.
 */
export function signBhexParams(params: Readonly<Record<string, ParamValue>>, secretKey: string): string {
  const { signature: _omit, ...rest } = params;
  return hmacSha256Hex(secretKey, sortedParamString(rest));
}
