/**
 * Hubi futures request signing (specs/openapi/hubi-futures.yaml, securitySchemes.hubiApiKey,
 * from the vendor's sign.md). Pure: the caller passes the clock reading and the sequence
 * number, so the vendor's worked example is a known-answer test.
 *
 *   nonce     = md5hex(accessKey + timestamp + seqNum)
 *   signature = hmacSha256hex(secretKey, params + "1.0.0" + nonce + path)
 *   params    = "k1=v1&k2=v2..." in the order named by X-API-Signature-Params
 */
import { shownValue, typeName, UsageError } from "../handwritten/core/errors.js";
import { CONTROL, unsendable, where, ownFields } from "../handwritten/core/validate.js";
import { checkSignable, hmacSha256Hex, md5Hex, paramText, paramValue, pythonQuotePlus, withSignedHeaders, type ParamValue } from "./hmac.js";
import type { SignableRequest, SignedRequest } from "./request.js";

export const HUBI_API_VERSION = "1.0.0";

/** Parameters in the order they are sent: pairs, or an object (its key order is used). */
export type HubiSignedParams = ReadonlyArray<readonly [string, ParamValue]> | Readonly<Record<string, ParamValue>>;

export interface HubiSignInput {
  accessKey: string;
  secretKey: string;
  accessToken: string;
  /** URL path only (no host, no query string), e.g. `/api/futures/enter_order`. */
  path: string;
  /** Every query (GET) or form (POST) parameter, in the order sent. */
  params: HubiSignedParams;
  /** The exact text sent in X-API-Timestamp (ISO 8601). */
  timestamp: string;
  seqNum: number | bigint | string;
  /** How the params enter the signed text (see HubiValueEncoding); default "raw". */
  valueEncoding?: HubiValueEncoding;
}

/**
 * How the params enter the signed text:
 * - "raw" (default): `k=v` with the values as sent before encoding, joined with `&`, as the
 *   vendor's worked example and Java SDK do;
 * - "url-encoded": exactly the vendor Python SDK's `urllib.parse.urlencode(params, safe=',')`:
 *   keys and values `quote_plus`-encoded (UTF-8; letters, digits, `_.-~` and `,` kept; space
 *   → `+`; everything else `%XX` upper-case), in the order sent.
 */
export type HubiValueEncoding = "raw" | "url-encoded";

/** The seven headers of a signed Hubi request. */
export interface HubiAuthHeaders {
  "X-API-Version": string;
  "X-API-Key": string;
  "X-API-Timestamp": string;
  "X-API-Nonce": string;
  "X-API-Signature-Params": string;
  "X-API-Signature": string;
  Authorization: string;
}

export function hubiParamPairs(params: HubiSignedParams): Array<[string, string]> {
  if (typeof params !== "object" || params === null) throw new UsageError("the parameters to sign must be [name, value] pairs or an object of name → value");
  const pairs = Array.isArray(params)
    ? (params as ReadonlyArray<readonly [string, ParamValue]>)
    : Object.entries(params as Readonly<Record<string, ParamValue>>);
  return pairs.map((p) => {
    if (!Array.isArray(p) || typeof p[0] !== "string") throw new UsageError("the parameters to sign must be [name, value] pairs or an object of name → value");
    return [p[0], paramText(paramValue(p[0], p[1]))];
  });
}

/** A sequence number: a whole number of 0 or more (a number, a bigint or its digits). */
function isSeqNum(v: unknown): v is number | bigint | string {
  return (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) || (typeof v === "bigint" && v >= 0n) || (typeof v === "string" && /^\d+$/.test(v));
}

/** The inputs every Hubi signing function reads: strings with no control character (a header's; the path may have any text a URL carries), and a seqNum. */
function checkSignInput(fn: string, fields: Readonly<Record<string, unknown>>, seqNum: unknown): void {
  for (const [k, v] of Object.entries(fields)) {
    if (typeof v !== "string") throw new UsageError(`${fn} needs ${k} as a string, got ${typeName(v)}`);
    // A line break would split the header (the value is not shown: it may be a credential).
    const control = k === "path" ? null : CONTROL.exec(v);
    const bad = control ? `a control character (${where(control)}), which would split its header` : unsendable(v, false);
    if (bad) throw new UsageError(`${fn}: ${k} has ${bad}`);
  }
  if (!isSeqNum(seqNum)) throw new UsageError(`${fn} needs seqNum as a whole number of 0 or more (a number, bigint or digits), got ${typeof seqNum === "number" ? String(seqNum) : typeName(seqNum)}`);
}

/** md5(accessKey + timestamp + seqNum), lowercase hex. */
export function hubiNonce(accessKey: string, timestamp: string, seqNum: number | bigint | string): string {
  checkSignInput("hubiNonce", { accessKey, timestamp }, seqNum);
  return md5Hex(`${accessKey}${timestamp}${String(seqNum)}`);
}

/** The text HMAC-SHA256 signs: params + "1.0.0" + nonce + path. */
export function hubiSignedText(
  params: HubiSignedParams,
  nonce: string,
  path: string,
  valueEncoding: HubiValueEncoding = "raw",
): string {
  if (typeof nonce !== "string" || typeof path !== "string") throw new UsageError(`hubiSignedText takes (params, nonce, path) with the nonce and path as text, got ${typeName(nonce)} and ${typeName(path)}`);
  if (valueEncoding !== "raw" && valueEncoding !== "url-encoded") throw new UsageError(`valueEncoding must be "raw" or "url-encoded", got ${shownValue(valueEncoding)}`);
  const encode = valueEncoding === "url-encoded" ? (v: string) => pythonQuotePlus(v, ",") : (v: string) => v;
  const joined = hubiParamPairs(params)
    .map(([k, v]) => `${encode(k)}=${encode(v)}`)
    .join("&");
  return `${joined}${HUBI_API_VERSION}${nonce}${path}`;
}

/** Sign one request: the seven headers, in the vendor's order. */
export function signHubiRequest(given: HubiSignInput): HubiAuthHeaders {
  const input = ownFields(given); // (never Object.prototype's)
  const i = (input ?? {}) as Partial<Record<keyof HubiSignInput, unknown>>;
  checkSignInput("signHubiRequest", { accessKey: i.accessKey, accessToken: i.accessToken, timestamp: i.timestamp, path: i.path }, i.seqNum);
  const pairs = hubiParamPairs(input.params);
  const nonce = hubiNonce(input.accessKey, input.timestamp, input.seqNum);
  return {
    "X-API-Version": HUBI_API_VERSION,
    "X-API-Key": input.accessKey,
    "X-API-Timestamp": input.timestamp,
    "X-API-Nonce": nonce,
    "X-API-Signature-Params": pairs.map(([k]) => k).join(","),
    "X-API-Signature": hmacSha256Hex(input.secretKey, hubiSignedText(pairs, nonce, input.path, input.valueEncoding)),
    Authorization: `Bearer ${input.accessToken}`,
  };
}

/** X-API-Timestamp text for a clock reading: UTC ISO 8601 with milliseconds and `Z`. */
export function hubiTimestamp(nowMs: number): string {
  const ms = (nowMs as unknown) instanceof Date ? (nowMs as unknown as Date).getTime() : nowMs;
  // A Date holds ±8.64e15 ms; past that (or NaN, or not a number) toISOString throws a RangeError.
  if (typeof ms !== "number" || !(Math.abs(ms) <= 8.64e15)) {
    throw new UsageError(`hubiTimestamp needs a clock reading in ms since 1970 (a finite number), got ${typeof ms === "number" ? String(ms) : typeName(ms)}`);
  }
  return new Date(ms).toISOString();
}

/** What `authorizeHubi` needs besides the request: the identity, the clock reading and the seqNum. */
export interface HubiAuthInput {
  accessKey: string;
  secretKey: string;
  accessToken: string;
  /** The exact X-API-Timestamp text (hubiTimestamp(now)). */
  timestamp: string;
  seqNum: number | bigint | string;
  valueEncoding?: HubiValueEncoding;
  /** Also send `X-API-Signature-Method: HmacSHA256`, as the vendor Java SDK does. */
  signatureMethodHeader?: boolean;
}

/**
 * Sign one Hubi request: the seven headers over exactly the parameters sent, in the order
 * sent (the query of a GET; query then form otherwise).
 */
export function authorizeHubi<R extends SignableRequest>(request: R, input: HubiAuthInput): SignedRequest<R> {
  // What the caller gave, never Object.prototype's (an option left out stays out).
  request = ownFields(request);
  input = ownFields(input);
  checkSignable(request, input);
  const params = request.method === "GET" ? request.query : [...request.query, ...(request.form ?? [])];
  const headers = signHubiRequest({ ...input, path: request.path, params });
  // (`secrets` named first, then set: see authorizeXt.) The nonce is md5(accessKey + timestamp +
  // seqNum): derived from the key, so removed too.
  const secrets = [input.accessKey, input.secretKey, input.accessToken, headers["X-API-Nonce"], headers["X-API-Signature"]];
  const signed = {
    secrets,
    ...request,
    headers: withSignedHeaders(request.headers, { ...headers, ...(input.signatureMethodHeader ? { "X-API-Signature-Method": "HmacSHA256" } : {}) }),
  };
  signed.secrets = secrets;
  return signed;
}
