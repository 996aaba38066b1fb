/**
 * XT spot v1 request signing (specs/openapi/xt-spot.yaml, securitySchemes.xtAccessKey).
 * Pure: the caller passes every parameter, including `accesskey` and `nonce`.
 *
 * The vendor's two SDKs build the canonical string differently; each is a variant here:
 *
 * | variant          | canonical string                                              | hex   |
 * |------------------|---------------------------------------------------------------|-------|
 * | `java` (default) | names sorted (ordinal), `k=v` with the raw value trimmed as    | lower |
 * |                  | Java's `String.trim()` does, joined with `&`                   |       |
 * | `python`         | `urllib.parse.urlencode(sorted(params.items()))`: names sorted | UPPER |
 * |                  | (code points), keys and values `quote_plus`-encoded            |       |
 * | `raw`            | names sorted (ordinal), raw untrimmed values (the vendor doc's | lower |
 * |                  | steps read literally)                                          |       |
 *
 * For values without leading/trailing spaces or control characters `java` and `raw` agree.
 */
import { ownFields } from "../handwritten/core/validate.js";
import { UsageError } from "../handwritten/core/errors.js";
import {
  checkSignable,
  compareCodePoints,
  compareUtf16,
  javaTrim,
  pairsToSign,
  paramText,
  pythonQuotePlus,
  sortedParamSigner,
  type SignOptions,
} from "./hmac.js";
import type { SignableRequest, SignedRequest } from "./request.js";

/** Each variant's canonical string (the `signature` parameter itself excluded), the default first. */
const xtSigner = sortedParamSigner({
  java: { order: compareUtf16, value: (v) => javaTrim(paramText(v)), exclude: "signature" },
  raw: { order: compareUtf16, exclude: "signature" },
  python: { order: compareCodePoints, name: pythonQuotePlus, value: (v) => pythonQuotePlus(paramText(v)), exclude: "signature", upperHex: true },
});

export type XtSignatureVariant = (typeof xtSigner)["variants"][number];

/** Every variant, the default first (the emulator tries them in this order). */
export const XT_SIGNATURE_VARIANTS: ReadonlyArray<XtSignatureVariant> = xtSigner.variants;

export type XtSignOptions = SignOptions<XtSignatureVariant>;

/** The text a variant signs (the `signature` parameter itself excluded; default variant "java"). */
export const xtCanonicalString = xtSigner.canonical;

/**
 * HMAC-SHA256 (key: secretKey) over the variant's canonical string: the `signature`
 * parameter, lowercase hex, or upper-case hex for the `python` variant. A `signature` already among the params is not signed.
 */
export const signXtParams = xtSigner.sign;

/** A 13-digit millisecond timestamp, as XT's `nonce` must be. */
export function xtNonce(now: number = Date.now()): string {
  if (typeof now !== "number") throw new UsageError(`xtNonce takes a time in ms (a number), got ${typeof now}`);
  const s = String(Math.trunc(now));
  if (s.length !== 13) throw new UsageError(`XT nonce must be a 13-digit millisecond timestamp, got ${s}`);
  return s;
}

/** What `authorizeXt` needs besides the request: the identity, the nonce and the variant. */
export interface XtAuthInput {
  accessKey: string;
  secretKey: string;
  /** The 13-digit millisecond `nonce` (xtNonce(now)). */
  nonce: string;
  variant?: XtSignatureVariant;
  /**
   * Names of base64 parameters whose decoded text is signed instead of the base64 (the batch
   * `data`, as the vendor doc says); empty or absent: every value signed as sent (the SDKs).
   */
  decodeBase64?: ReadonlyArray<string>;
}

const XT_AUTH_PARAMS = new Set(["accesskey", "nonce", "signature"]);

/**
 * Sign one XT request: `accesskey`, `nonce` and `signature` join the parameters, in the
 * query of a GET or the form body of any other method (never both), replacing any there.
 */
export function authorizeXt<R extends SignableRequest>(request: R, input: XtAuthInput): SignedRequest<R> {
  // What the caller gave, never Object.prototype's (an option left out stays out).
  request = ownFields(request);
  input = ownFields(input);
  checkSignable(request, input);
  const isGet = request.method === "GET";
  const fields = isGet ? request.query : [...(request.form ?? []), ...request.query];
  const target: Array<[string, string]> = fields.filter(([k]) => !XT_AUTH_PARAMS.has(k));
  target.push(["accesskey", input.accessKey], ["nonce", input.nonce]);
  const decode = input.decodeBase64;
  const canonical = pairsToSign(target, decode?.length ? (k, v) => (decode.includes(k) ? Buffer.from(v, "base64").toString("utf8") : v) : undefined);
  const signature = signXtParams(canonical, input.secretKey, { variant: input.variant });
  target.push(["signature", signature]);
  const secrets = [input.accessKey, input.secretKey, signature];
  // `secrets` (a field the request lacks) named before the spread: added after it, on Node 20,
  // it left an object slow to read for the rest of the call (a signed call 10-20% slower). Set
  // again after, for a request that was signed before (it had secrets of its own).
  const signed = isGet ? { secrets, ...request, query: target } : { secrets, ...request, query: [], form: target };
  signed.secrets = secrets;
  return signed;
}
