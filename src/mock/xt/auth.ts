/**
 * The XT emulator's signature check: 307 bad access key, 308 bad signature, as the real
 * service answers; every canonical-string variant the vendor's SDKs send is accepted and
 * named in the log (matchXtSignature).
 */
import { signXtParams, XT_SIGNATURE_VARIANTS, type XtSignatureVariant } from "../../auth/xt.js";
import type { OperationMeta } from "../../handwritten/core/meta.js";
import type { MockReply, MockRequest } from "../http-mock.js";
import { envelope } from "./replies.js";

function isBase64Field(op: OperationMeta, name: string): boolean {
  const props = op.body?.properties;
  return ((props && Object.hasOwn(props, name) ? props[name] : undefined) ?? op.params.find((p) => p.name === name)?.schema)?.contentEncoding === "base64";
}

const VARIANT_NAMES: Record<XtSignatureVariant, string> = {
  java: "java (raw trimmed values, as the vendor Java SDK)",
  raw: "raw (raw untrimmed values)",
  python: "python (URL-encoded values, as the vendor Python SDK)",
};

/**
 * Which documented canonical-string variant a request's signature matches, or undefined.
 * Every variant (XT_SIGNATURE_VARIANTS) is tried with the batch `data` decoded (the vendor
 * doc) and as base64 text (both SDKs); the hex digits are compared without regard to case,
 * since the vendor Python SDK sends upper case and the Java SDK lower case.
 */
export function matchXtSignature(op: OperationMeta, params: Readonly<Record<string, string>>, secretKey: string): string | undefined {
  const { signature = "", ...rest } = params;
  const given = signature.toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(given)) return undefined;
  const hasBatchData = Object.keys(rest).some((k) => isBase64Field(op, k));
  const decoded = Object.create(null) as Record<string, string>;
  for (const [k, v] of Object.entries(rest)) decoded[k] = isBase64Field(op, k) ? Buffer.from(v, "base64").toString("utf8") : v;
  const hexCase = signature === given ? "lower-case hex" : signature === given.toUpperCase() ? "upper-case hex" : "mixed-case hex";
  for (const [data, signed] of hasBatchData ? ([["decoded", decoded], ["base64", rest]] as const) : ([["", rest]] as const)) {
    // Variants whose canonical strings coincide for these values are all named.
    const hits = XT_SIGNATURE_VARIANTS.filter((variant) => signXtParams(signed, secretKey, { variant }).toLowerCase() === given);
    if (hits.length > 0) {
      const names = hits.length > 1 ? `${hits.join(" = ")}, identical here` : VARIANT_NAMES[hits[0]!];
      return `${names}, ${hexCase}${data ? `, batch data ${data}` : ""}`;
    }
  }
  return undefined;
}

export function xtAuthenticator(accessKey: string, secretKey: string): (req: MockRequest) => MockReply | undefined {
  return (req) => {
    if (req.op.security.length === 0) return undefined;
    const inQuery = req.query.some(([k]) => k === "signature");
    const inForm = req.form.some(([k]) => k === "signature");
    if (inQuery && inForm) return envelope(400, "signature parameters must be in the query (GET) or the body (POST), not both");
    const pairs = req.method === "GET" ? req.query : req.form;
    const params = Object.fromEntries(pairs);
    if (params.accesskey !== accessKey) return envelope(307, "accesskey error");
    if (!/^\d{13}$/.test(params.nonce ?? "")) return envelope(400, "nonce must be a 13-digit millisecond timestamp");
    const matched = matchXtSignature(req.op, params, secretKey);
    if (!matched) return envelope(308, "signature check failed");
    req.notes.push(`signature: ${matched}`);
    return undefined;
  };
}
