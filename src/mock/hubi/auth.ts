/**
 * The Hubi emulator's header and signature check (the order of checks and the answers are
 * listed in src/mock/hubi.ts).
 */
import { timingSafeEqual } from "node:crypto";
import { HUBI_API_VERSION, hubiSignedText, type HubiValueEncoding } from "../../auth/hubi.js";
import { hmacSha256Hex } from "../../auth/hmac.js";
import type { MockReply, MockRequest } from "../http-mock.js";
import { illegal } from "./replies.js";

export interface HubiAuthOptions {
  accessKey: string;
  secretKey: string;
  accessToken: string;
  /** Largest accepted distance between X-API-Timestamp and the emulator clock (ms). */
  maxClockSkewMs: number;
  now: () => number;
}

const ENCODING_NAMES: Record<HubiValueEncoding, string> = {
  raw: "raw values (the vendor example and Java SDK)",
  "url-encoded": "urlencode(params, safe=',') (the vendor Python SDK)",
};

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const ISO_8601 = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/;
/**
 * The vendor Java SDK formats X-API-Timestamp with the pattern `yyyy-MM-dd'T'HH:mm:sssZ`:
 * `sss` is the seconds padded to three digits, not milliseconds, so it sends e.g.
 * `2024-01-02T20:53:034+0000` (a vendor bug). Java's own lenient parser reads that back as
 * 34 seconds; the emulator does the same (and says so in its log) rather than refuse every
 * call of the vendor's SDK.
 */
const JAVA_SDK_TIMESTAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}):0([0-5]\d)(Z|[+-]\d{2}:?\d{2})$/;

/**
 * Parse X-API-Timestamp; a timestamp without a zone (as in the vendor's example) is UTC. The
 * vendor Java SDK's `HH:mm:sssZ` form (three-digit seconds, no fraction) is read as seconds.
 */
export function parseHubiTimestamp(text: string): number | undefined {
  const java = JAVA_SDK_TIMESTAMP.exec(text.trim());
  if (java) return parseHubiTimestamp(`${java[1]}:${java[2]}${java[3]}`);
  const m = ISO_8601.exec(text.trim());
  if (!m) return undefined;
  const ms = m[2] ? m[2].slice(0, 4).padEnd(4, "0") : "";
  const zone = m[3] ? m[3].replace(/^([+-]\d{2})(\d{2})$/, "$1:$2") : "Z";
  const t = Date.parse(`${m[1]}${ms}${zone}`);
  return Number.isNaN(t) ? undefined : t;
}

/** The emulator's `authenticate` hook: undefined lets the request through, else the refusal. */
export function hubiAuthenticator(opts: HubiAuthOptions): (req: MockRequest) => MockReply | undefined {
  const { accessKey, secretKey, accessToken, maxClockSkewMs: maxSkew, now } = opts;
  const seenNonces = new Map<string, number>();
  return (req) => {
    const h = req.headers;
    if (h["x-api-version"] !== HUBI_API_VERSION) return illegal("ILLEGAL_VERSION");
    if (!h["x-api-key"] || !sameText(h["x-api-key"], accessKey)) return illegal("ILLEGAL_ACCESS_KEY");
    if (!h.authorization || !sameText(h.authorization, `Bearer ${accessToken}`)) return illegal("ILLEGAL_ACCESS_KEY");
    const method = h["x-api-signature-method"];
    if (method !== undefined && method !== "HmacSHA256") return illegal("ILLEGAL_SIGN_TYPE");
    const charset = /charset=([^;\s]+)/i.exec(h["content-type"] ?? "")?.[1];
    if (charset && !/^utf-?8$/i.test(charset)) return illegal("ILLEGAL_CHARSET", 400);
    const timestamp = h["x-api-timestamp"] ?? "";
    const javaSdkForm = JAVA_SDK_TIMESTAMP.test(timestamp.trim());
    const at = parseHubiTimestamp(timestamp);
    const t = now();
    if (at === undefined || Math.abs(t - at) > maxSkew) return illegal("ILLEGAL_TIMESTAMP");
    const nonce = h["x-api-nonce"] ?? "";
    for (const [n, seenAt] of seenNonces) if (seenAt < t - 2 * maxSkew) seenNonces.delete(n);
    if (!/^[0-9a-f]{32}$/.test(nonce) || seenNonces.has(nonce)) return illegal("ILLEGAL_NONCE");
    const listed = h["x-api-signature-params"];
    const signature = h["x-api-signature"];
    if (listed === undefined || !signature) return illegal("ILLEGAL_SIGN");
    const sent = [...req.query, ...req.form];
    const names = listed === "" ? [] : listed.split(",");
    const byName = new Map(sent);
    const sentNames = sent.map(([k]) => k);
    const coversExactly =
      names.length === sentNames.length && new Set(names).size === names.length && names.every((n) => byName.has(n));
    if (!coversExactly) return illegal("ILLEGAL_SIGN");
    const pairs = names.map((n) => [n, byName.get(n)!] as [string, string]);
    const expected = (enc: HubiValueEncoding) => hmacSha256Hex(secretKey, hubiSignedText(pairs, nonce, req.path, enc));
    const given = signature.toLowerCase();
    const encoding = (["raw", "url-encoded"] as const).find((enc) => sameText(given, expected(enc)));
    if (!encoding) return illegal("ILLEGAL_SIGN");
    seenNonces.set(nonce, t);
    req.notes.push(`signature: ${ENCODING_NAMES[encoding]}`);
    if (javaSdkForm) req.notes.push("X-API-Timestamp in the vendor Java SDK's HH:mm:sssZ form (a vendor bug), read as seconds");
    return undefined;
  };
}
