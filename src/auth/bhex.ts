/**
 * BHEX broker Org API request signing (specs/openapi/bhex-org.yaml,
 * securitySchemes.bhexAccessKey). Pure: no clock, no nonce (the API has neither).
 *
 * The vendor's three demos do not build the same canonical string; each is a variant here
 * (all sign with HMAC-SHA256 and send lowercase hex):
 *
 * | variant          | canonical string                                                   |
 * |------------------|--------------------------------------------------------------------|
 * | `java` (default) | names sorted (ordinal), `k=v` with raw values, joined with `&`      |
 * | `python`         | the `k=v` strings (raw values) sorted as whole strings, joined      |
 * |                  | with `&`: differs from `java` when one name is a prefix of another  |
 * |                  | (`a1=…` sorts before `a=…`, since `1` < `=`)                        |
 * | `php`            | `ksort` then `http_build_query`: names sorted (bytes), keys and     |
 * |                  | values PHP-`urlencode`d (space `+`, `~` → `%7E`), booleans `1`/`0`  |
 */
import { ownFields } from "../handwritten/core/validate.js";
import { checkSignable, compareCodePoints, compareUtf16, compareUtf8Bytes, pairsToSign, paramText, phpUrlencode, sortedParamSigner, withSignedHeaders, type SignOptions } from "./hmac.js";
import type { SignableRequest, SignedRequest } from "./request.js";

/** The header that carries the org access key on every request. */
export const BHEX_ACCESS_KEY_HEADER = "X-ACCESS-KEY";

/** Each variant's canonical string (the `signature` parameter itself excluded), the default first. */
const bhexSigner = sortedParamSigner({
  java: { order: compareUtf16, exclude: "signature" },
  python: { order: compareCodePoints, wholePairs: true, exclude: "signature" },
  php: { order: compareUtf8Bytes, name: phpUrlencode, value: (v) => phpUrlencode(typeof v === "boolean" ? (v ? "1" : "0") : paramText(v)), exclude: "signature" },
});

export type BhexSignatureVariant = (typeof bhexSigner)["variants"][number];

/** Every variant, the default first (the emulator tries them in this order). */
export const BHEX_SIGNATURE_VARIANTS: ReadonlyArray<BhexSignatureVariant> = bhexSigner.variants;

export type BhexSignOptions = SignOptions<BhexSignatureVariant>;

/** The text a variant signs (the `signature` parameter itself excluded; default variant "java"). */
export const bhexCanonicalString = bhexSigner.canonical;

/**
 * HMAC-SHA256 (key: secretKey) over the variant's canonical string: the `signature`
 * parameter, lowercase hex. A `signature` already among the params is not signed.
 */
export const signBhexParams = bhexSigner.sign;

/** What `authorizeBhex` needs besides the request. */
export interface BhexAuthInput {
  accessKey: string;
  secretKey: string;
  variant?: BhexSignatureVariant;
  /** Send a documented GET as a form POST, its parameters in the body, as the vendor demos do. */
  allAsPost?: boolean;
}

/**
 * Sign one BHEX request: header X-ACCESS-KEY, and `signature` over every parameter sent
 * (query and form), added to the query of a GET or the form body of a POST.
 */
export function authorizeBhex<R extends SignableRequest>(request: R, input: BhexAuthInput): SignedRequest<R> {
  // What the caller gave, never Object.prototype's (an option left out stays out).
  request = ownFields(request);
  input = ownFields(input);
  checkSignable(request, input);
  let method = request.method;
  let query: Array<[string, string]> = request.query.filter(([k]) => k !== "signature");
  let form: Array<[string, string]> | null = request.form?.filter(([k]) => k !== "signature") ?? null;
  if (input.allAsPost && method === "GET") {
    method = "POST";
    form = [...(form ?? []), ...query];
    query = [];
  }
  const signature = signBhexParams(pairsToSign([...query, ...(form ?? [])]), input.secretKey, { variant: input.variant });
  if (method === "GET") query.push(["signature", signature]);
  else form = [...(form ?? []), ["signature", signature]];
  // (`secrets` named first, then set: see authorizeXt)
  const secrets = [input.accessKey, input.secretKey, signature];
  const out = {
    secrets,
    ...request,
    method,
    query,
    form,
    headers: withSignedHeaders(request.headers, { [BHEX_ACCESS_KEY_HEADER]: input.accessKey }),
  };
  out.secrets = secrets;
  return out;
}
