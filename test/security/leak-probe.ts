/**
 * Tools of the leak tests: hostile local servers that echo every request back in every form
 * (raw, upper case, URL-encoded, base64), and a searcher that looks for secret values in all
 * that a caller or a log could ever see, decoding URL-encoding and base64 on its own (it does
 * not use the project's redaction code, so it cannot share its blind spots).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";

export interface Captured {
  method: string;
  url: string;
  /** Header lines exactly as sent ("X-API-Signature: …"). */
  headerLines: string[];
  headers: Record<string, string>;
  body: string;
}

export type Reply =
  | { status: number; contentType?: string; body: string; headers?: Record<string, string> }
  | "hang"
  | "destroy";

export interface ProbeServer {
  url: string;
  origin: string;
  captured: Captured[];
  close(): Promise<void>;
}

/** The request as text, then the same text upper-cased, URL-encoded and base64-encoded. */
export function echoText(c: Captured): string {
  const raw = `${c.method} ${c.url}\n${c.headerLines.join("\n")}\n\n${c.body}`;
  return [raw, raw.toUpperCase(), encodeURIComponent(raw), Buffer.from(raw, "utf8").toString("base64")].join("\n--\n");
}

export async function startProbeServer(answer: (c: Captured, n: number) => Reply, userinfo = ""): Promise<ProbeServer> {
  const captured: Captured[] = [];
  const hanging = new Set<ServerResponse>();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (d: Buffer) => chunks.push(d));
    req.on("end", () => {
      const headerLines: string[] = [];
      const headers: Record<string, string> = {};
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        headerLines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
        headers[req.rawHeaders[i]!.toLowerCase()] = req.rawHeaders[i + 1]!;
      }
      const c: Captured = { method: req.method ?? "", url: req.url ?? "", headerLines, headers, body: Buffer.concat(chunks).toString("utf8") };
      captured.push(c);
      const r = answer(c, captured.length);
      if (r === "hang") {
        hanging.add(res);
        return;
      }
      if (r === "destroy") {
        req.socket.destroy();
        return;
      }
      res.writeHead(r.status, { "content-type": r.contentType ?? "application/json", ...(r.headers ?? {}) });
      res.end(r.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: userinfo ? `http://${userinfo}@127.0.0.1:${port}` : origin,
    origin,
    captured,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

// `params` (Xele's base64 JSON) is not a secret as a whole: the token inside it is, and is
// taken from the decoded JSON below.
const SECRET_PARAM_NAMES = new Set(["signature", "accesskey", "token", "password", "secret_key", "access_key"]);
const SECRET_HEADERS = new Set(["x-api-key", "x-api-nonce", "x-api-signature", "authorization", "x-access-key"]);

/** Every secret-derived value a captured request carried (query/form/JSON fields, signed headers). */
export function carriedSecrets(c: Captured): string[] {
  const out: string[] = [];
  const url = new URL(c.url, "http://x");
  for (const [k, v] of url.searchParams) if (SECRET_PARAM_NAMES.has(k.toLowerCase())) out.push(v);
  if (/^[^{[]/.test(c.body)) for (const [k, v] of new URLSearchParams(c.body)) if (SECRET_PARAM_NAMES.has(k.toLowerCase())) out.push(v);
  for (const [k, v] of Object.entries(c.headers)) {
    if (SECRET_HEADERS.has(k)) out.push(v, v.replace(/^Bearer\s+/i, ""));
  }
  // The Xele token or password inside a JSON body or a base64 ?params= JSON.
  const jsonTexts = [c.body];
  const p = url.searchParams.get("params");
  if (p) jsonTexts.push(Buffer.from(p, "base64").toString("utf8"));
  for (const t of jsonTexts) {
    try {
      const v = JSON.parse(t) as Record<string, unknown>;
      for (const k of ["token", "password", "secret_key", "access_key"]) if (typeof v?.[k] === "string" && v[k]) out.push(v[k] as string);
    } catch {
      /* not JSON */
    }
  }
  return out.filter((v) => v.length >= 6);
}

/** The text plus its URL-decoded form plus every base64 run decoded at each alignment. */
function expand(text: string): string {
  const parts = [text];
  let decoded = text;
  for (let i = 0; i < 2; i++) {
    try {
      decoded = decodeURIComponent(decoded.replace(/%(?![0-9a-f]{2})/gi, "%25"));
    } catch {
      break;
    }
    parts.push(decoded);
  }
  for (const t of [text, decoded]) {
    for (const run of t.match(/[A-Za-z0-9+/_-]{12,}/g) ?? []) {
      for (let o = 0; o < 4; o++) parts.push(Buffer.from(run.slice(o).replace(/-/g, "+").replace(/_/g, "/"), "base64").toString("latin1"));
    }
  }
  return parts.join("\n");
}

/** Windows of a secret worth searching: the whole value, and every 16-character piece of a long one. */
function needles(secret: string): string[] {
  const forms = new Set([secret, JSON.stringify(secret).slice(1, -1)]);
  const out = new Set<string>();
  for (const f of forms) {
    out.add(f.toLowerCase());
    if (f.length > 16) for (let i = 0; i + 16 <= f.length; i++) out.add(f.slice(i, i + 16).toLowerCase());
  }
  return [...out];
}

export interface Hit {
  where: string;
  secret: string;
  excerpt: string;
}

/** Search `texts` (label → text) for any form or 16-character piece of the secrets. */
export function findLeaks(texts: Record<string, string>, secrets: Iterable<string>): Hit[] {
  const hits: Hit[] = [];
  const uniq = [...new Set(secrets)].filter((s) => s.length >= 6).map((s) => ({ s, needles: needles(s) }));
  for (const [where, text] of Object.entries(texts)) {
    const hay = expand(text).toLowerCase();
    for (const { s, needles: ns } of uniq) {
      const n = ns.find((x) => hay.includes(x));
      if (n) {
        const i = hay.indexOf(n);
        hits.push({ where, secret: `${s.slice(0, 4)}…(${s.length})`, excerpt: hay.slice(Math.max(0, i - 40), i + n.length + 20) });
        break;
      }
    }
  }
  return hits;
}

/** Everything a caller can see of an error: message, stack, inspect, JSON, cause chain, fields. */
export function errorSurfaces(label: string, e: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  let cur: unknown = e;
  for (let depth = 0; cur !== undefined && cur !== null && depth < 6; depth++) {
    const p = `${label}${depth ? `.cause${depth}` : ""}`;
    const err = cur as Error & Record<string, unknown>;
    out[`${p}.message`] = String(err.message);
    out[`${p}.stack`] = String(err.stack);
    out[`${p}.String`] = String(cur);
    out[`${p}.inspect`] = inspect(cur, { depth: 10, showHidden: true, getters: true });
    try {
      out[`${p}.json`] = JSON.stringify(cur) ?? "";
    } catch (x) {
      out[`${p}.json`] = String(x);
    }
    for (const k of Object.getOwnPropertyNames(cur)) {
      try {
        out[`${p}.${k}`] = inspect(err[k], { depth: 10, showHidden: true });
      } catch {
        /* getter threw */
      }
    }
    cur = err.cause;
  }
  return out;
}

/** Everything a caller can see of an object: inspect (deep, hidden, getters), JSON, a structured clone. */
export function objectSurfaces(label: string, obj: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  out[`${label}.inspect`] = inspect(obj, { depth: 10, showHidden: true, getters: true });
  try {
    out[`${label}.json`] = JSON.stringify(obj) ?? "";
  } catch (x) {
    out[`${label}.json`] = String(x);
  }
  try {
    out[`${label}.clone`] = inspect(structuredClone(obj), { depth: 10 });
  } catch (x) {
    out[`${label}.clone`] = String(x);
  }
  // Enumerable walk, the way a generic logger or serializer would (every string found, one text).
  const seen = new Set<unknown>();
  const lines: string[] = [];
  const walk = (v: unknown, path: string, depth: number): void => {
    if (depth > 8 || v === null || typeof v !== "object" || seen.has(v)) {
      if (typeof v === "string") lines.push(`${path}: ${v}`);
      return;
    }
    seen.add(v);
    // `meta` is the generated spec metadata: public, large, and the same for every client.
    for (const k of Object.keys(v)) if (k !== "meta") walk((v as Record<string, unknown>)[k], `${path}.${k}`, depth + 1);
  };
  walk(obj, "", 0);
  out[`${label}.walk`] = lines.join("\n");
  return out;
}
