/**
 * A spec-driven HTTP emulator core. Routes, parameters and example answers come from the
 * generated metadata (so they follow the spec); each API adds only what the spec cannot say:
 * how to check credentials and which operations keep state.
 *
 * Servers listen on 127.0.0.1 only. `close()` ends open connections too.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { parseJson, stringifyJson } from "../handwritten/core/json.js";
import type { ApiMeta, OperationMeta } from "../handwritten/core/meta.js";

export interface MockRequest {
  op: OperationMeta;
  method: string;
  path: string;
  /** Decoded query pairs, in wire order. */
  query: Array<[string, string]>;
  /** Decoded form pairs, in wire order (form-urlencoded bodies). */
  form: Array<[string, string]>;
  /** Parsed JSON body (bigints kept), or undefined. */
  json: unknown;
  rawBody: string;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  /** query + form merged into one object (last wins). */
  params: Record<string, string>;
  /** Appended to this request's log line (e.g. which signature variant matched). */
  notes: string[];
}

export interface MockReply {
  status?: number;
  /**
   * A value to serialize as JSON (bigints kept), a ready string/bytes, or a `StreamedBody`
   * (chunks written as they are produced, with backpressure: large answers without holding them).
   */
  body: unknown;
  contentType?: string;
  headers?: Record<string, string>;
}

export interface HttpMockOptions {
  meta: ApiMeta;
  port?: number;
  host?: string;
  /** Checked first for every request; return a reply to reject it. */
  authenticate?: (req: MockRequest) => MockReply | undefined | Promise<MockReply | undefined>;
  /** Per-operation behaviour (by operationId); operations without one answer their example. */
  handlers?: Record<string, (req: MockRequest) => MockReply | Promise<MockReply>>;
  /** Answer for unknown routes (default 404 JSON). */
  notFound?: (method: string, path: string) => MockReply;
  /** Log one line per request (no secrets: method, path, status). */
  log?: (line: string) => void;
}

export interface HttpMock {
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

/** The spec's 200 example of an operation, as a reply with the exact example text. */
export function exampleReply(op: OperationMeta, status = "200"): MockReply {
  const r = op.responses[status];
  if (!r?.example) return { status: 200, body: "{}", contentType: "application/json" };
  return { status: Number(status) || 200, body: r.example, contentType: r.contentType ?? "application/json" };
}

/** Parse an example's JSON text (bigints kept) for handlers that modify it. */
export function exampleValue(op: OperationMeta, status = "200"): unknown {
  const text = op.responses[status]?.example;
  return text ? parseJson(text) : undefined;
}

function routeTable(meta: ApiMeta) {
  return meta.operations.map((op) => ({
    op,
    re: new RegExp(`^${op.path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/\\\{[^}]+\\\}/g, "[^/]+")}$`),
  }));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** A reply body produced chunk by chunk (see MockReply.body). */
export class StreamedBody {
  constructor(readonly chunks: AsyncIterable<string | Uint8Array>) {}
}

function send(res: ServerResponse, reply: MockReply): void {
  const status = reply.status ?? 200;
  if (reply.body instanceof StreamedBody) {
    res.writeHead(status, { "content-type": reply.contentType ?? "application/octet-stream", ...reply.headers });
    // A client that goes away ends the pipeline (and the producer) with an error: nothing to report.
    pipeline(Readable.from(reply.body.chunks), res).catch(() => undefined);
    return;
  }
  let payload: string | Uint8Array;
  let ct = reply.contentType;
  if (typeof reply.body === "string" || reply.body instanceof Uint8Array) {
    payload = reply.body;
    ct ??= "application/json";
  } else {
    payload = stringifyJson(reply.body);
    ct ??= "application/json";
  }
  res.writeHead(status, { "content-type": ct, ...reply.headers });
  res.end(payload);
}

export async function startHttpMock(opts: HttpMockOptions): Promise<HttpMock> {
  const routes = routeTable(opts.meta);
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://mock");
      const method = (req.method ?? "GET").toUpperCase();
      const route = routes.find((r) => r.op.method === method && r.re.test(url.pathname));
      let reply: MockReply;
      const notes: string[] = [];
      try {
        const rawBody = await readBody(req);
        if (!route) {
          reply = opts.notFound?.(method, url.pathname) ?? { status: 404, body: { code: 404, msg: `no route ${method} ${url.pathname}` } };
        } else {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers[k.toLowerCase()] = v;
          const ct = headers["content-type"] ?? "";
          const form = /x-www-form-urlencoded/i.test(ct) ? [...new URLSearchParams(rawBody).entries()] : [];
          let json: unknown;
          if (/json/i.test(ct) && rawBody.trim()) {
            try {
              json = parseJson(rawBody);
            } catch {
              json = undefined;
            }
          }
          const query = [...url.searchParams.entries()];
          const mreq: MockRequest = {
            op: route.op,
            method,
            path: url.pathname,
            query,
            form,
            json,
            rawBody,
            headers,
            params: Object.fromEntries([...query, ...form]),
            notes,
          };
          reply = (await opts.authenticate?.(mreq)) ?? (await opts.handlers?.[route.op.operationId]?.(mreq)) ?? exampleReply(route.op);
        }
      } catch (e) {
        reply = { status: 500, body: { code: 500, msg: `emulator error: ${e instanceof Error ? e.message : String(e)}` } };
      }
      opts.log?.(`${method} ${url.pathname} → ${reply.status ?? 200}${notes.length ? ` [${notes.join("; ")}]` : ""}`);
      send(res, reply);
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = opts.host ?? "127.0.0.1";
  return {
    url: `http://${host}:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
