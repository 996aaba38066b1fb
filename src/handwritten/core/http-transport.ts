/**
 * The HTTP layer every REST client shares. One `execute(op, request)` runs an operation:
 *
 *   for each attempt (retry policy from the spec's x-retryable):
 *     wait for the rate limiter (limits from x-rate-limits / x-rate-limit)
 *     authorize(request)  ← the API's signer, called afresh per attempt (new nonce/timestamp)
 *     fetch with a timeout → typed transport errors
 *     decode the body without losing digits → ResponseFormatError when it is not what the
 *     spec says (e.g. an HTML error page)
 *     HTTP status / vendor envelope → HttpError / ApiError subclass from x-error-codes
 *
 * Secrets: `authorize` lists the secret-derived values it put on the attempt (`secrets`: key,
 * signature, nonce, token …), and fields named like secrets (`trade_password`, `token` …) are
 * added from the request itself; every error of the attempt (message, stack, body, snippet,
 * cause) goes through one Redactor made of those and the client's own secrets before it is
 * thrown. Redirects are never followed (`RedirectError`, see errors.ts): fetch would forward
 * the signed headers to wherever a 3xx points.
 *
 * openapi-fetch clients reach it through `asFetch()`, a `fetch` that maps the Request back to
 * its operation; `call(operationId, params)` reaches it directly. Either way the same code
 * signs, retries and checks, and the openapi-fetch middleware (which runs once per call, not
 * per attempt) is not needed for any of it.
 */
import {
  AbortedError,
  apiErrorFromCode,
  ConnectionError,
  HttpError,
  RedirectError,
  ResponseFormatError,
  TimeoutError,
  TradeApiError,
  UsageError,
  snippet,
} from "./errors.js";
import { DecimalPrecisionError, parseJson, type DecimalsMode } from "./json.js";
import type { ApiMeta, HttpMethod, OperationMeta } from "./meta.js";
import { envelopeOf } from "./meta.js";
import type { RateLimiter } from "./rate-limit.js";
import { withRetries, type RetryOptions } from "./retry.js";
import { describeAs, Redactor, redactUrl, secretNamedValues } from "./redaction.js";

/** A request before it is put on the wire; signers add to it. Values are raw (not encoded). */
export interface OutgoingRequest {
  method: HttpMethod;
  baseUrl: string;
  /** Concrete path (path parameters already filled in). */
  path: string;
  query: Array<[string, string]>;
  /** Form-urlencoded body fields, in the order they are sent. */
  form: Array<[string, string]> | null;
  /** JSON body text. */
  json: string | null;
  headers: Record<string, string>;
  /**
   * Secret-derived values this request carries (access key, signature, nonce, token,
   * password …), set by the signer: removed from every error of the attempt, in every form.
   */
  secrets?: ReadonlyArray<string | undefined>;
}

/** Options of one call: abort it, or bound each attempt by another timeout than the client's. */
export interface CallOptions {
  signal?: AbortSignal;
  /** Per-attempt timeout in ms for this call (default: the client's `timeoutMs`). */
  timeoutMs?: number;
}

export interface TransportEvent {
  api: string;
  operation: string;
  method: HttpMethod;
  /** Path only: never the query (it may hold a signature). */
  path: string;
  attempt: number;
  status?: number;
  ms: number;
  error?: string;
}

export interface TransportOptions {
  fetch?: typeof globalThis.fetch;
  /** Per-attempt timeout in ms (default 10 000). */
  timeoutMs?: number;
  /** Retry policy for operations the spec marks `x-retryable: true`; false disables retries. */
  retry?: RetryOptions | false;
  /** null disables client-side rate limiting. */
  rateLimiter?: RateLimiter | null;
  /** Called once per attempt, after it ends. Receives no secrets. */
  onEvent?: (e: TransportEvent) => void;
  signal?: AbortSignal;
  /**
   * What a number with a fraction or exponent becomes (see parseJson): "exact" (default) a
   * number when the double holds it exactly, else a DecimalPrecisionError naming the field;
   * "string" every such number as the text the server sent; "number" the nearest double.
   */
  decimals?: DecimalsMode;
}

export interface TransportConfig extends TransportOptions {
  api: string;
  meta: ApiMeta;
  baseUrl: string;
  /** Adds credentials to one attempt. Called afresh for each attempt. */
  authorize?: (req: OutgoingRequest, op: OperationMeta, attempt: number) => OutgoingRequest | Promise<OutgoingRequest>;
  /** Literal secret values (or a Redactor of them) to scrub from errors; kept private by the transport. */
  secrets?: () => ReadonlyArray<string | undefined> | Redactor;
  /** Called with each decoded success body: throw to turn it into an error (default: envelope check). */
  checkBody?: (body: unknown, op: OperationMeta, status: number) => void;
  /**
   * Called with each decoded JSON body of a non-2xx answer, before the generic lookup of the
   * envelope's code field: throw to choose the error (e.g. codes carried in a message text).
   * Returning leaves the generic mapping (ApiError from the code field, else HttpError).
   */
  checkErrorBody?: (body: unknown, op: OperationMeta, status: number) => void;
}

export interface TransportResult {
  status: number;
  headers: Headers;
  /** Decoded JSON (bigints for large integers), the text for text/* answers, or the bytes. */
  body: unknown;
  contentType: string;
  /** The body's bytes as received (decoders that must see them, e.g. in another charset). */
  raw?: Uint8Array;
}

const DECODER = new TextDecoder();

export function encodePairs(pairs: ReadonlyArray<readonly [string, string]>): string {
  return pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");
}

export function isJsonContentType(ct: string | null | undefined): boolean {
  return !!ct && /(^|\/|\+)json\b/i.test(ct);
}

export class HttpTransport {
  /** The configuration, without the secrets callback (kept in a private field). */
  readonly config: Omit<TransportConfig, "secrets">;
  readonly #byRoute: Array<{ op: OperationMeta; re: RegExp }>;
  readonly #secrets: TransportConfig["secrets"];
  /**
   * The secret-derived values of the last attempts (signatures, nonces …), so that an error
   * raised later from a success answer (e.g. a download that is not a file) loses them too.
   */
  readonly #recent: Array<() => ReadonlyArray<string | undefined>> = [];

  constructor(config: TransportConfig) {
    const { secrets, ...rest } = config;
    if (/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(rest.baseUrl)) {
      // Never stored, never sent: fetch refuses such URLs, and its message would print the password.
      throw new UsageError(
        `the base URL ${redactUrl(rest.baseUrl)} holds credentials (user:password@); tradeapi does not send them: remove them from the URL`,
        { api: rest.api },
      );
    }
    this.config = rest;
    this.#secrets = secrets;
    describeAs(this, "HttpTransport", () => ({ api: this.config.api, baseUrl: redactUrl(this.config.baseUrl), operations: this.config.meta.operations.length }));
    this.#byRoute = config.meta.operations.map((op) => ({
      op,
      re: new RegExp(`^${op.path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/\\\{[^}]+\\\}/g, "[^/]+")}$`),
    }));
  }

  /** The operation a concrete method + path belongs to. */
  route(method: string, path: string): OperationMeta | undefined {
    const m = method.toUpperCase();
    return this.#byRoute.find((r) => r.op.method === m && r.re.test(path))?.op;
  }

  /** Run one operation with signing, rate limiting, retries and error mapping. */
  async execute(op: OperationMeta, request: OutgoingRequest, opts: CallOptions = {}): Promise<TransportResult> {
    const { retry } = this.config;
    return withRetries(op.retryable && retry !== false, (n) => this.attempt(op, request, n, opts), retry || {});
  }

  private errCtx(op: OperationMeta, cause?: unknown) {
    return { api: this.config.api, operation: op.operationId, cause };
  }

  /** A redactor of the client's secrets, the last attempts' signed values and `extra`. */
  redactor(extra: ReadonlyArray<string | undefined> = []): Redactor {
    const own = this.#secrets?.() ?? [];
    if (this.#recent.length) extra = [...extra, ...this.#recent.flatMap((values) => values())];
    return extra.length ? (own instanceof Redactor ? own.with(extra) : new Redactor([...own, ...extra])) : own instanceof Redactor ? own : new Redactor(own);
  }

  private async attempt(op: OperationMeta, base: OutgoingRequest, n: number, opts: CallOptions): Promise<TransportResult> {
    const cfg = this.config;
    if (cfg.rateLimiter && op.rateLimit.length) await cfg.rateLimiter.acquire(op.rateLimit);
    const copy: OutgoingRequest = {
      ...base,
      query: [...base.query],
      form: base.form ? [...base.form] : null,
      headers: { ...base.headers },
    };
    const req = cfg.authorize ? await cfg.authorize(copy, op, n) : copy;
    const carried = () => [...(req.secrets ?? []), ...secretNamedValues([...req.query, ...(req.form ?? [])], req.json)];
    this.#recent.push(carried);
    if (this.#recent.length > 16) this.#recent.shift();
    let redactor: Redactor | undefined;
    const redactorOf = () => (redactor ??= this.redactor());
    try {
      return await this.send(op, req, n, redactorOf, opts);
    } catch (e) {
      throw redactorOf().error(e);
    }
  }

  private async send(op: OperationMeta, req: OutgoingRequest, n: number, redactorOf: () => Redactor, opts: CallOptions): Promise<TransportResult> {
    const cfg = this.config;
    const qs = req.query.length ? `?${encodePairs(req.query)}` : "";
    const url = `${req.baseUrl.replace(/\/+$/, "")}${req.path}${qs}`;
    const headers: Record<string, string> = { ...req.headers };
    let body: string | undefined;
    if (req.form) {
      body = encodePairs(req.form);
      headers["content-type"] ??= "application/x-www-form-urlencoded";
    } else if (req.json !== null) {
      body = req.json;
      headers["content-type"] ??= "application/json";
    }
    const timeoutMs = opts.timeoutMs ?? cfg.timeoutMs ?? 10_000;
    // A plain controller + timer: AbortSignal.timeout() is several times costlier per call in Node 20.
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new DOMException(`no answer within ${timeoutMs} ms`, "TimeoutError"));
    }, timeoutMs);
    const outer = opts.signal ?? cfg.signal;
    const onOuterAbort = () => controller.abort(outer?.reason);
    if (outer?.aborted) controller.abort(outer.reason);
    else outer?.addEventListener("abort", onOuterAbort, { once: true });
    const started = cfg.onEvent ? performance.now() : 0;
    const fetchFn = cfg.fetch ?? globalThis.fetch;
    const event = (status?: number, error?: string) =>
      cfg.onEvent?.({
        api: cfg.api,
        operation: op.operationId,
        method: req.method,
        path: req.path,
        attempt: n,
        ms: performance.now() - started,
        ...(status !== undefined ? { status } : {}),
        ...(error !== undefined ? { error } : {}),
      });
    let res: Response;
    let raw: Uint8Array;
    try {
      // Never "follow": fetch would forward the signed headers to wherever the 3xx points.
      res = await fetchFn(url, { method: req.method, headers, body, signal: controller.signal, redirect: "manual" });
      if (isRedirect(res)) {
        await res.body?.cancel().catch(() => undefined);
        throw redirectError(res, url, this.errCtx(op));
      }
      raw = new Uint8Array(await res.arrayBuffer());
    } catch (e) {
      const err = this.transportError(op, e, timedOut, outer, timeoutMs);
      event(undefined, err.name);
      throw err;
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener("abort", onOuterAbort);
    }
    try {
      const result = this.decode(op, res, raw, redactorOf);
      event(res.status);
      return result;
    } catch (e) {
      event(res.status, e instanceof Error ? e.name : "Error");
      throw e;
    }
  }

  private transportError(op: OperationMeta, e: unknown, timedOut: boolean, outer: AbortSignal | undefined, ms: number): TradeApiError {
    if (e instanceof TradeApiError) return e;
    const ctx = this.errCtx(op);
    const base = redactUrl(this.config.baseUrl);
    if (outer?.aborted) return new AbortedError("request aborted by the caller", ctx);
    if (timedOut) return new TimeoutError(`no answer within ${ms} ms`, { ...ctx, timeoutMs: ms });
    const cause = (e as { cause?: { code?: string; message?: string } })?.cause;
    const detail = cause?.code ?? cause?.message ?? (e instanceof Error ? e.message : String(e));
    return new ConnectionError(`connection failed (${detail}); is the base URL ${base} reachable?`, ctx);
  }

  private decode(op: OperationMeta, res: Response, raw: Uint8Array, secrets: () => Redactor = () => this.redactor()): TransportResult {
    const cfg = this.config;
    const ct = res.headers.get("content-type") ?? "";
    const documented = op.responses["200"]?.contentType ?? "application/json";
    const expectJson = isJsonContentType(documented);
    const text = expectJson || !res.ok || /^text\//i.test(ct) || isJsonContentType(ct) ? DECODER.decode(raw) : null;
    let body: unknown = text ?? raw;
    let parsed = false;
    if (text !== null && (expectJson || isJsonContentType(ct)) && /^\s*[[{"\d-tfn]/.test(text)) {
      try {
        // An error answer is still mapped when a decimal in it does not fit: kept as its text.
        body = parseJson(text, { decimals: res.ok ? cfg.decimals : "string" });
        parsed = true;
      } catch (e) {
        if (e instanceof DecimalPrecisionError) throw new DecimalPrecisionError(e.path, e.literal, this.errCtx(op));
        parsed = false;
      }
    }
    if (!res.ok) {
      if (parsed) cfg.checkErrorBody?.(body, op, res.status);
      const env = envelopeOf(cfg.meta, op);
      const codeField = env?.codeField ?? "code";
      if (parsed && body && typeof body === "object") {
        const b = body as Record<string, unknown>;
        const code = b[codeField] ?? b.code;
        if (code !== undefined && code !== null && typeof code !== "object") {
          const msg = b[env?.messageField ?? "msg"] ?? b.msg ?? b.message;
          throw apiErrorFromCode(
            { ...this.errCtx(op), code: code as string | number, vendorMessage: msg === undefined ? undefined : String(msg), httpStatus: res.status, body },
            cfg.meta.errorCodes,
          );
        }
      }
      throw new HttpError(res.status, snippet(text ?? "", secrets()), this.errCtx(op));
    }
    if (expectJson && !parsed) {
      const looksHtml = /^\s*</.test(text ?? "");
      throw new ResponseFormatError(
        looksHtml
          ? `expected JSON but got an HTML page (content-type ${ct || "none"}): a proxy or gateway error page, or a wrong base URL?`
          : `expected JSON but the body is not valid JSON (content-type ${ct || "none"})`,
        snippet(text ?? "", secrets(), 120),
        this.errCtx(op),
      );
    }
    if (parsed) (cfg.checkBody ?? ((b, o) => this.checkEnvelope(b, o)))(body, op, res.status);
    return { status: res.status, headers: res.headers, body, contentType: ct, raw };
  }

  /** Vendor envelope check from x-envelope: a non-success code becomes an ApiError subclass. */
  checkEnvelope(body: unknown, op: OperationMeta): void {
    const env = envelopeOf(this.config.meta, op);
    if (!env) return;
    if (!body || typeof body !== "object" || Array.isArray(body)) {
      throw new ResponseFormatError(`expected a {${env.codeField}, …} envelope`, snippet(String(body)), this.errCtx(op));
    }
    const b = body as Record<string, unknown>;
    const code = b[env.codeField];
    if (code === undefined) {
      throw new ResponseFormatError(`envelope has no "${env.codeField}" field`, snippet(JSON.stringify(Object.keys(b))), this.errCtx(op));
    }
    if (env.success.some((s) => String(s) === String(code))) return;
    const msg = env.messageField ? b[env.messageField] : undefined;
    throw apiErrorFromCode(
      { ...this.errCtx(op), code: code as string | number, vendorMessage: msg === undefined || msg === null ? undefined : String(msg), body },
      this.config.meta.errorCodes,
    );
  }

  /**
   * A `fetch` for openapi-fetch's `createClient({ fetch })`: maps the Request to its
   * operation and runs it through `execute`. The Response it returns carries the body
   * already decoded losslessly (its `json()` returns the bigint-preserving value).
   */
  asFetch(): typeof globalThis.fetch {
    return async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
      const request = input instanceof Request ? input : new Request(input, init);
      const url = new URL(request.url);
      const base = new URL(this.config.baseUrl);
      const basePath = base.pathname.replace(/\/+$/, "");
      const path = url.pathname.startsWith(basePath) ? url.pathname.slice(basePath.length) || "/" : url.pathname;
      const op = this.route(request.method, path);
      if (!op) {
        throw new TradeApiError(`no operation in the ${this.config.meta.spec} spec for ${request.method} ${path}`, { api: this.config.api });
      }
      const ct = request.headers.get("content-type") ?? "";
      const bodyText = request.body ? await request.text() : "";
      const headers: Record<string, string> = {};
      request.headers.forEach((v, k) => {
        if (k !== "content-type" && k !== "content-length") headers[k] = v;
      });
      // The spec's content type decides (openapi-fetch labels every serialized body JSON).
      const isForm = /x-www-form-urlencoded/i.test(op.body?.contentType ?? ct);
      let form: Array<[string, string]> | null = null;
      let json: string | null = null;
      if (isForm) form = bodyText ? formPairs(bodyText) : [];
      else if (bodyText) json = bodyText;
      const out: OutgoingRequest = {
        method: request.method.toUpperCase() as HttpMethod,
        baseUrl: this.config.baseUrl,
        path,
        query: [...url.searchParams.entries()],
        form,
        json,
        headers,
      };
      const result = await this.execute(op, out, { signal: request.signal });
      return toResponse(result);
    };
  }
}

/** A 3xx answer with somewhere to go (or a browser fetch's opaque redirect). */
export function isRedirect(res: Response): boolean {
  return res.type === "opaqueredirect" || (res.status >= 300 && res.status < 400 && res.headers.has("location"));
}

/** The RedirectError for a 3xx answer to `url` (its location is redacted by the caller's Redactor). */
export function redirectError(res: Response, url: string, ctx: { api?: string; operation?: string }): RedirectError {
  const location = res.headers.get("location") ?? "";
  let target = location;
  let sameOrigin = false;
  try {
    const to = new URL(location, url);
    target = to.href;
    sameOrigin = to.origin === new URL(url).origin;
  } catch {
    /* keep the raw text */
  }
  return new RedirectError(res.status || 302, redactUrl(target), sameOrigin, ctx);
}

/** Form fields from a urlencoded body, or from a JSON object body (default serializer). */
function formPairs(bodyText: string): Array<[string, string]> {
  if (/^\s*\{/.test(bodyText)) {
    const obj = parseJson(bodyText) as Record<string, unknown>;
    return Object.entries(obj)
      .filter(([, v]) => v !== undefined && v !== null)
      .map(([k, v]) => [k, typeof v === "object" ? JSON.stringify(v) : String(v)]);
  }
  return [...new URLSearchParams(bodyText).entries()];
}

function toResponse(result: TransportResult): Response {
  if (result.body instanceof Uint8Array) {
    return new Response(result.body as Uint8Array<ArrayBuffer>, {
      status: result.status,
      headers: { "content-type": result.contentType, "content-length": String(result.body.byteLength) },
    });
  }
  const value = result.body;
  const text = typeof value === "string" ? value : "\u0000decoded";
  const res = new Response(text, {
    status: result.status,
    // A Content-Length makes openapi-fetch call response.json() (ours) instead of JSON.parse(text).
    headers: { "content-type": result.contentType || "application/json", "content-length": String(text.length) },
  });
  Object.defineProperty(res, "json", { value: async () => value });
  return res;
}
