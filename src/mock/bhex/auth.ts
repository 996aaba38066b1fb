/**
 * The BHEX emulator's credential check: the X-ACCESS-KEY header and one `signature`
 * parameter matching any of the vendor demos' canonical strings (src/auth/bhex.ts).
 */
import { BHEX_SIGNATURE_VARIANTS, signBhexParams, type BhexSignatureVariant } from "../../auth/bhex.js";
import type { MockReply, MockRequest } from "../http-mock.js";
import { givenTwice, nameGivenTwice } from "../params.js";
import { authFailed } from "./replies.js";

const VARIANT_NAMES: Record<BhexSignatureVariant, string> = {
  java: "java (names sorted, raw values; the vendor Java demo)",
  python: "python (whole k=v strings sorted; the vendor Python demo)",
  php: "php (ksort + http_build_query, URL-encoded; the vendor PHP demo)",
};

export interface BhexAuthOptions {
  accessKey: string;
  secretKey: string;
  /** Checked after authentication, before the handler: return a reply to inject a failure. */
  fault?: (req: MockRequest) => MockReply | undefined;
}

export function bhexAuthenticator(opts: BhexAuthOptions): (req: MockRequest) => MockReply | undefined {
  const { accessKey, secretKey } = opts;
  return (req) => {
    if (req.op.security.length === 0) return undefined;
    if (!req.headers["x-access-key"]) return authFailed("missing X-ACCESS-KEY header");
    if (req.headers["x-access-key"] !== accessKey) return authFailed("unknown X-ACCESS-KEY");
    const pairs = [...req.query, ...req.form];
    const sigs = pairs.filter(([k]) => k === "signature");
    if (sigs.length !== 1) return authFailed(sigs.length ? "more than one signature parameter" : "missing signature parameter");
    const twice = nameGivenTwice(req);
    if (twice !== undefined) return authFailed(givenTwice(twice));
    const signed = Object.create(null) as Record<string, string>;
    for (const [k, v] of pairs) if (k !== "signature") signed[k] = v;
    const given = sigs[0]![1].toLowerCase();
    // Variants whose canonical strings coincide for these params are all named.
    const hits = BHEX_SIGNATURE_VARIANTS.filter((v) => signBhexParams(signed, secretKey, { variant: v }) === given);
    if (hits.length === 0) return authFailed("signature mismatch");
    req.notes.push(`signature: ${hits.length > 1 ? `${hits.join(" = ")}, identical here` : VARIANT_NAMES[hits[0]!]}`);
    return opts.fault?.(req);
  };
}
