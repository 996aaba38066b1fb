/**
 * A spec-driven HTTP emulator core. Routes, parameters and example answers come from the
 * generated metadata (so they follow the spec); each API adds only what the spec cannot say:
 * how to check credentials and which operations keep state.
 *
 * Servers listen on 127.0.0.1 only. `close()` ends open connections too.
 *
 * Consumers run these in their tests, so no input makes one fall over: a request line whose
 * URL cannot be parsed gets a 400, a body above `maxBodyBytes` a 413 (the rest is discarded as
 * it arrives, never held), and any error in a handler (or in writing its reply) a 500; the process never exits
 * on input and no request grows memory beyond the body cap. A JSON body is read only for an
 * operation whose spec body is JSON, and not when nested deeper than MOCK_MAX_JSON_DEPTH: on a
 * form-only route it is no parameters (the API's own error follows), never parsed.
 */
import { UsageError } from "../handwritten/core/errors.js";
import { ownFields } from "../handwritten/core/validate.js";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { nestedDeeperThan, parseJson } from "../handwritten/core/json.js";
import { emulatorJson } from "./decimal-text.js";
import { envelopeOf, type ApiMeta, type OperationMeta, type ResponseMeta } from "../handwritten/core/meta.js";
import { addLostAnswers, takeLostAnswer } from "./options.js";
import { paginationOf, queryRows, type Row } from "./query-rows.js";

export interface MockRequest {
  op: OperationMeta;
  method: string;
  path: string;
  /** Decoded query pairs, in wire order. */
  query: Array<[string, string]>;
  /** Decoded form pairs, in wire order (form-urlencoded bodies). */
  form: Array<[string, string]>;
  /**
   * The JSON body (bigints kept), parsed when first read, or undefined: read only for an
   * operation whose spec body is JSON, sent as JSON, nested at most MOCK_MAX_JSON_DEPTH deep.
   */
  json: unknown;
  rawBody: string;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  /** query + form merged into one object (last wins), without a prototype. */
  params: Record<string, string>;
  /** Appended to this request's log line (e.g. which signature variant matched). */
  notes: string[];
}

export interface MockReply {
  status?: number;
  /**
   * A value to serialize as JSON (bigints kept, an ExactDecimal a number of its digits), a ready string/bytes, or a `StreamedBody`
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
  /**
   * Per-operation behaviour (by operationId). Operations without one answer their example; a
   * paged list (x-pagination) answers the example's records the request selects (`listReply`).
   */
  handlers?: Record<string, (req: MockRequest) => MockReply | Promise<MockReply>>;
  /**
   * The body of the emulator's own error answers (400, 404, 413, 500) in the API's envelope:
   * a client reads them as it reads the server's. Default `{ code: status, msg: message }`.
   */
  errorBody?: (status: number, message: string) => unknown;
  /** Answer for unknown routes (default 404 with `errorBody`'s "no such endpoint: METHOD /path"). */
  notFound?: (method: string, path: string) => MockReply;
  /** Log one line per request (no secrets: method, path, status). */
  log?: (line: string) => void;
  /** Largest request body accepted (bytes; default 1 MiB): larger ones get 413 unread. */
  maxBodyBytes?: number;
  /**
   * Most bytes of request bodies held at once, over all connections (default 32 MiB): a body
   * that would go past it gets 503 and is discarded (600 connections each holding a nearly
   * full body took 600 MB).
   */
  maxBodiesInFlightBytes?: number;
}

/** Default cap on a request body: far above any documented request, far below harm. */
export const MOCK_MAX_BODY_BYTES = 1024 * 1024;
/** Default cap on the request bodies held at once (maxBodiesInFlightBytes). */
export const MOCK_MAX_BODIES_IN_FLIGHT_BYTES = 32 * 1024 * 1024;
/** A request must be in within this (headers: the first part of it); then the connection is closed. */
export const MOCK_REQUEST_TIMEOUT_MS = 30_000;
export const MOCK_HEADERS_TIMEOUT_MS = 10_000;
/** The host as a URL writes it (an IPv6 address in brackets: `http://[::1]:8080`). */
export function urlHost(host: string | undefined): string {
  const h = host ?? "127.0.0.1";
  return h.includes(":") && !h.startsWith("[") ? `[${h}]` : h;
}

/** A connection with nothing sent or read either way this long is closed. */
export const MOCK_IDLE_TIMEOUT_MS = 120_000;
/** Most connections open at once; more are closed as they come. */
export const MOCK_MAX_CONNECTIONS = 1_000;
/** Most parameters in a request's query and form together (a Java server's default): more get a 400 unread. */
export const MOCK_MAX_PARAMS = 10_000;

/** How many `&`-separated parts a query or form text has (counted, not split). */
function partsOf(text: string): number {
  if (!text) return 0;
  let n = 1;
  for (let at = text.indexOf("&"); at >= 0; at = text.indexOf("&", at + 1)) n++;
  return n;
}

/** A running HTTP emulator (`startXtMock`, `startBhexMock`; the base of HubiMock). */
export interface HttpMock {
  /** Its base URL (`http://<host>:<port>`), for a client's `baseUrl`. */
  url: string;
  /** The port it listens on. */
  port: number;
  /** The Node HTTP server underneath. */
  server: Server;
  /**
   * The next `count` (default 1) requests of `operationId` are handled as usual (an order is
   * placed) and then get no answer: the connection is dropped instead. For testing what a
   * service does with an error whose `outcomeUnknown` is true (look the order up, then decide).
   */
  loseAnswers(operationId: string, count?: number): void;
  /** Stop: open connections end, and a request still in hand gets no answer (nor a log line). */
  close(): Promise<void>;
}

/**
 * The spec's 200 example of an operation, as a reply with the exact example text. An operation
 * without one is an error (the emulator answers it with a 500 saying so), never an empty `{}`
 * with status 200 that a client would take for an answer.
 */
export function exampleReply(op: OperationMeta, status = "200"): MockReply {
  const r = op.responses[status];
  if (!r?.example) throw new Error(`the spec has no ${status} example for ${op.operationId} (${op.method} ${op.path}): add one to its ${status} response, or give the emulator a handler for it`);
  return { status: Number(status) || 200, body: r.example, contentType: r.contentType ?? "application/json" };
}

/**
 * Metadata without a single example is the runtime metadata (generated/<name>.meta.ts leaves
 * the examples out): an emulator started with it could answer nothing the spec says. A
 * UsageError naming the metadata to pass instead.
 */
function checkExamples(meta: ApiMeta): void {
  if (!meta || typeof meta !== "object" || !Array.isArray(meta.operations) || meta.operations.length === 0) return;
  if (meta.operations.some((op: OperationMeta) => Object.values(op.responses ?? {}).some((r: ResponseMeta | undefined) => typeof r?.example === "string"))) return;
  throw new UsageError(
    `startHttpMock: the metadata of ${meta.spec} carries no examples, so no operation would have an answer: it is the runtime metadata (generated/<name>.meta.js), which leaves them out. Pass the docs metadata instead: import { meta } from generated/<name>.docs.js, as every emulator in src/mock does`,
    { api: meta.api },
  );
}

/** Parse an example's JSON text (bigints kept) for handlers that modify it. */
export function exampleValue(op: OperationMeta, status = "200"): unknown {
  const text = op.responses[status]?.example;
  return text ? parseJson(text) : undefined;
}

const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);

/**
 * The answer of a list that no handler keeps state for: its example with the records (the
 * envelope's data, or the `itemsField` of its x-pagination) cut down to those the request's
 * conditions select (parameters that name record fields) and, for a paged list, the page it
 * asks for; a `total` the example has is set. So a list the spec adds works from the spec
 * alone. Undefined when the example holds no records, or (unpaged) no condition applies: the
 * example's own text is answered then.
 */
export function listReply(meta: ApiMeta, req: MockRequest): MockReply | undefined {
  const p = paginationOf(req.op);
  const example = exampleValue(req.op);
  if (example === undefined) return undefined;
  const dataField = envelopeOf(meta, req.op)?.dataField;
  const data = dataField && isRecord(example) ? example[dataField] : example;
  const rows = p?.itemsField && isRecord(data) ? data[p.itemsField] : data;
  if (!Array.isArray(rows) || !rows.every(isRecord)) return undefined;
  const params = isRecord(req.json) ? { ...req.params, ...req.json } : req.params;
  const page = queryRows(req.op, rows as Row[], params);
  if (!p && page.applied.length === 0) return undefined; // nothing selected: the example's own text
  let newData: unknown = page.rows;
  if (p?.itemsField && isRecord(data)) {
    newData = { ...data, [p.itemsField]: page.rows };
    if (page.page && "total" in data) (newData as Record<string, unknown>).total = page.page.total;
  }
  return { status: 200, body: dataField && isRecord(example) ? { ...example, [dataField]: newData } : newData, contentType: req.op.responses["200"]?.contentType ?? "application/json" };
}

/**
 * Deepest nesting of a JSON request body that is read (documented requests nest a few levels):
 * 1 MB of `[` took JSON.parse 0.3 s, each request, before any credential was checked.
 */
export const MOCK_MAX_JSON_DEPTH = 64;

/**
 * A request's JSON body, or undefined: when the operation takes no JSON body (a form-only one
 * reads a JSON body as no parameters, unparsed), it was not sent as JSON, is empty, is nested
 * deeper than MOCK_MAX_JSON_DEPTH, or is no JSON.
 */
function jsonBodyOf(op: OperationMeta, contentType: string, rawBody: string): unknown {
  if (!/json/i.test(op.body?.contentType ?? "") || !/json/i.test(contentType) || !rawBody.trim()) return undefined;
  if (nestedDeeperThan(rawBody, MOCK_MAX_JSON_DEPTH)) return undefined;
  try {
    return parseJson(rawBody);
  } catch {
    return undefined;
  }
}

function routeTable(meta: ApiMeta) {
  return meta.operations.map((op) => ({
    op,
    re: new RegExp(`^${op.path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/\\\{[^}]+\\\}/g, "[^/]+")}$`),
  }));
}

/** A request the emulator refuses before any handler sees it (400 / 413). */
class RefusedRequest extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The bytes of request bodies held now, over all connections, and the most allowed. */
interface BodyBudget {
  held: number;
  readonly max: number;
}

/**
 * The body as text, at most `max` bytes (else RefusedRequest 413; the rest is never kept), and
 * within `budget` (else 503): what it holds counts there until it is read or refused.
 */
function readBody(req: IncomingMessage, max: number, budget: BodyBudget): Promise<string> {
  const tooLarge = () => new RefusedRequest(413, `request body larger than ${max} bytes`);
  const declared = Number(req.headers["content-length"]);
  if (declared > max) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (e?: Error) => {
      req.off("data", onData);
      budget.held -= size;
      size = 0;
      if (e) {
        chunks.length = 0;
        reject(e);
      } else resolve(Buffer.concat(chunks).toString("utf8"));
    };
    const onData = (c: Buffer) => {
      size += c.length;
      budget.held += c.length;
      if (size > max) return settle(tooLarge());
      if (budget.held > budget.max) return settle(new RefusedRequest(503, "too many request bodies in flight, try again"));
      chunks.push(c);
    };
    req.on("data", onData);
    req.once("end", () => settle());
    req.once("error", (e) => settle(e));
    req.once("close", () => {
      if (!req.complete) settle(new RefusedRequest(400, "request body ended early"));
    });
  });
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
    payload = emulatorJson(reply.body);
    ct ??= "application/json";
  }
  res.writeHead(status, { "content-type": ct, ...reply.headers });
  res.end(payload);
}

/** The last resort when answering failed: a plain 500 if nothing was sent yet, else drop the connection. */
function sendFallback(res: ServerResponse): void {
  try {
    if (!res.headersSent) {
      res.writeHead(500, { "content-type": "application/json", connection: "close" });
      res.end('{"code":500,"msg":"emulator error"}');
    } else res.destroy();
  } catch {
    res.destroy();
  }
}

/**
 * An emulator's HTTP server: its deadlines and caps, and what it does with a socket (idle, or
 * sending bytes the parser refuses) around the requests `handle` answers.
 */
function mockServer(handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>): Server {
  // Node checks those deadlines every connectionsCheckingInterval (30 s by default: a request
  // trickled in was cut after 33-40 s); each second, so "within 30 s" holds to the second.
  /** Requests of a socket still being handled (their answers not yet given to it). */
  const busy = new WeakMap<Socket, number>();
  /** Answers of a socket not yet written out (handled or not), and sockets to refuse after them. */
  const unanswered = new WeakMap<Socket, number>();
  const refuseWhenAnswered = new WeakSet<Socket>();
  /** A socket's last request: whole (its body all in) or still arriving. */
  const lastRequest = new WeakMap<Socket, IncomingMessage>();
  const server = createServer({ requestTimeout: MOCK_REQUEST_TIMEOUT_MS, headersTimeout: MOCK_HEADERS_TIMEOUT_MS, connectionsCheckingInterval: 1_000 }, (req, res) => {
    const socket = req.socket;
    lastRequest.set(socket, req);
    busy.set(socket, (busy.get(socket) ?? 0) + 1);
    unanswered.set(socket, (unanswered.get(socket) ?? 0) + 1);
    let out = false;
    const answered = () => {
      if (out) return;
      out = true;
      const left = unanswered.get(socket)! - 1;
      unanswered.set(socket, left);
      if (left === 0 && refuseWhenAnswered.has(socket)) refuse(socket);
    };
    res.once("finish", answered);
    res.once("close", answered);
    handle(req, res)
      .catch(() => sendFallback(res))
      .finally(() => busy.set(socket, busy.get(socket)! - 1));
  });
  // A slow or stalled client is not kept for Node's default 5 minutes, nor without number.
  server.maxConnections = MOCK_MAX_CONNECTIONS;
  // A socket quiet both ways this long is closed (a client that pipelines and never reads held
  // its connection for good), unless a request of its is still being handled (an emulated
  // latency may be longer).
  server.timeout = MOCK_IDLE_TIMEOUT_MS;
  server.on("timeout", (socket: Socket) => {
    if (!busy.get(socket)) socket.destroy();
  });
  // A request the HTTP parser itself refuses (or one past its deadline): the answers of the
  // requests before it on the socket are written first (a valid order pipelined before garbage
  // was placed, and its answer replaced by the 400), then, as Node's own handler, a 400 when no
  // answer has started on the socket (one written into a streamed answer corrupted it), and the
  // socket is closed. (end() alone left it half-open: a client that never closes its side kept
  // it, and 1,000 of them took every connection.)
  function refuse(socket: Socket): void {
    const answering = (socket as unknown as { _httpMessage?: { headersSent?: boolean } | null })._httpMessage?.headersSent === true;
    if (!socket.writable || answering) return void socket.destroy();
    socket.end("HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n", () => socket.destroy());
    // (a client whose buffers are full never takes the 400)
    setTimeout(() => socket.destroy(), 1_000).unref();
  }
  server.on("clientError", (err: NodeJS.ErrnoException, socket: Socket) => {
    // Deferred only for bytes after whole requests: a request still arriving past its deadline
    // (a slow body's ERR_HTTP_REQUEST_TIMEOUT) is refused now, or it held the socket for good.
    if (unanswered.get(socket) && lastRequest.get(socket)?.complete === true && err.code !== "ERR_HTTP_REQUEST_TIMEOUT") refuseWhenAnswered.add(socket);
    else refuse(socket);
  });
  return server;
}

export async function startHttpMock(given: HttpMockOptions): Promise<HttpMock> {
  const opts = ownFields(given, true); // (an option on Object.prototype is none given: a `host` there listened elsewhere)
  checkExamples(opts.meta);
  const routes = routeTable(opts.meta);
  const refusal = (status: number, message: string): MockReply => ({ status, body: opts.errorBody ? opts.errorBody(status, message) : { code: status, msg: message } });
  const maxBody = opts.maxBodyBytes ?? MOCK_MAX_BODY_BYTES;
  const budget: BodyBudget = { held: 0, max: opts.maxBodiesInFlightBytes ?? MOCK_MAX_BODIES_IN_FLIGHT_BYTES };
  const server = mockServer(handle);

  /** operationId → answers still to lose (loseAnswers). */
  const losing = new Map<string, number>();
  /** close() was called: a request still in hand is answered no more. */
  let closing = false;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? "GET").toUpperCase();
    let path = "?";
    let reply: MockReply;
    let operationId: string | undefined;
    const notes: string[] = [];
    try {
      let url: URL;
      try {
        // An origin-form target is a path, even one that starts with "//" (as a relative URL
        // that would be a host: `//host/path` must not be served as `/path`); absolute-form as
        // is. A target that does not parse either way (`//[`) is malformed.
        const target = req.url ?? "/";
        const relative = new URL(target, "http://mock");
        url = target.startsWith("/") ? new URL(`http://mock${target}`) : relative;
      } catch {
        throw new RefusedRequest(400, "the request line's URL cannot be parsed");
      }
      path = url.pathname;
      const route = routes.find((r) => r.op.method === method && r.re.test(url.pathname));
      const rawBody = await readBody(req, maxBody, budget);
      if (!route) {
        reply = opts.notFound?.(method, url.pathname) ?? refusal(404, `no such endpoint: ${method} ${url.pathname}`);
      } else {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers[k.toLowerCase()] = v;
        const ct = headers["content-type"] ?? "";
        const isForm = /x-www-form-urlencoded/i.test(ct);
        // Before any parsing or signature check: 1 MiB of `a=1&` is 250,000 parameters (~0.3 s each request).
        const count = partsOf(url.search.slice(1)) + (isForm ? partsOf(rawBody) : 0);
        if (count > MOCK_MAX_PARAMS) throw new RefusedRequest(400, `more than ${MOCK_MAX_PARAMS} parameters (${count})`);
        const form = isForm ? [...new URLSearchParams(rawBody).entries()] : [];
        const query = [...url.searchParams.entries()];
        operationId = route.op.operationId;
        // No prototype: a parameter named `constructor` or `__proto__` is a parameter like any
        // other. Set one by one, last wins (Object.assign of Object.fromEntries took ~0.3 s for
        // the 120 000 parameters a 1 MiB form holds).
        const given = Object.create(null) as Record<string, string>;
        for (const [k, v] of query) given[k] = v;
        for (const [k, v] of form) given[k] = v;
        let json: { value: unknown } | undefined;
        const op = route.op;
        const mreq: MockRequest = {
          op,
          method,
          path: url.pathname,
          query,
          form,
          get json() {
            return (json ??= { value: jsonBodyOf(op, ct, rawBody) }).value;
          },
          rawBody,
          headers,
          params: given,
          notes,
        };
        // (own handlers only: an operation named "constructor" or "toString" has none of Object's)
        const handler = opts.handlers && Object.hasOwn(opts.handlers, route.op.operationId) ? opts.handlers[route.op.operationId] : undefined;
        // (the authenticator reads the signing's own parameters; a handler only those the spec declares)
        const refused = await opts.authenticate?.(mreq);
        if (refused) reply = refused;
        else {
          mreq.params = declaredOnly(op, given);
          reply = (await handler?.(mreq)) ?? listReply(opts.meta, mreq) ?? exampleReply(route.op);
        }
      }
    } catch (e) {
      if (e instanceof RefusedRequest) {
        // Not kept: the rest of the body is read and discarded as it arrives (so the client,
        // still sending, gets to read the answer instead of a reset connection).
        req.resume();
        reply = refusal(e.status, e.message);
      } else {
        reply = refusal(500, `emulator error: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    // Closed meanwhile (a handler waited out an emulated latency): no answer, no log line.
    if (closing) return void res.destroy();
    const lose = takeLostAnswer(losing, operationId);
    try {
      opts.log?.(`${method} ${path} → ${lose ? `${reply.status ?? 200}, answer lost (loseAnswers)` : (reply.status ?? 200)}${notes.length ? ` [${notes.join("; ")}]` : ""}`);
    } catch {
      // A failing log line does not stop the answer.
    }
    if (lose) res.destroy();
    else send(res, reply);
  }
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${urlHost(opts.host)}:${port}`,
    port,
    server,
    loseAnswers(operationId: string, count = 1) {
      addLostAnswers(opts.meta.api, losing, operationId, count, opts.meta.operations.map((o) => o.operationId), "operation");
    },
    close: () =>
      new Promise<void>((resolve) => {
        closing = true;
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * `params` as a handler reads it: reading a name the operation's spec does not declare (its
 * parameters and form body fields), and the request does not give, throws (the emulator
 * answers 500 naming it). A parameter renamed in a spec with the handler left reading the old
 * name was read as undefined: the emulator answered, silently wrong.
 */
function declaredOnly(op: OperationMeta, params: Record<string, string>): Record<string, string> {
  return readsDeclared(op, "parameter", () => [...op.params.map((p) => p.name), ...Object.keys(op.body?.properties ?? {})], params);
}

/** A handler read a name its operation's spec does not declare: the emulator's own fault, answered as a 500 naming it (never as a vendor error). */
export class UndeclaredRead extends Error {}

/** The names of each operation a handler may read, per kind (`what`), made once. */
const DECLARED = new WeakMap<OperationMeta, Map<string, ReadonlySet<string>>>();

/** `record` whose members (`what`: parameters, fields) a handler of `op` reads: only those `declared` names, or those `record` has (see declaredOnly). */
export function readsDeclared<T extends object>(op: OperationMeta, what: string, declared: () => Iterable<string>, record: T): T {
  let kinds = DECLARED.get(op);
  if (!kinds) DECLARED.set(op, (kinds = new Map()));
  let names = kinds.get(what);
  if (!names) kinds.set(what, (names = new Set(declared())));
  const known = names;
  const operationId = op.operationId;
  return new Proxy(record, {
    get(target, name) {
      // (one the request gives is read as it is: checks of what was sent go over every name)
      if (typeof name === "string" && !known.has(name) && !Object.hasOwn(target, name)) {
        throw new UndeclaredRead(`the emulator reads ${what} ${JSON.stringify(name)} of ${operationId}, which its spec does not declare`);
      }
      return Reflect.get(target, name);
    },
  });
}
