/**
 * `createRestClient`: the one factory behind every REST client (XT, Hubi, BHEX, and any API
 * added later; the built-in ones call it as `buildRestClient`, without the check of a
 * configuration they fix themselves). An API is its spec's metadata plus a pure signer; this
 * file builds the rest:
 *
 *   transport      HttpTransport (per-attempt signing, rate limits, retries, typed errors)
 *   call(op, p, o) any operation by operationId with one flat params object; resolves to the
 *                  envelope's data, throws the typed error; `o`: per-call { signal, timeoutMs }
 *   GET/POST/…     the openapi-fetch method surface (`Client<paths>` typing): the template path
 *                  and `params.path/query/header` + `body` go straight to the same transport;
 *                  they RETURN { data, error, response } (error: the typed TradeApiError),
 *                  as openapi-fetch's contract says, and never throw a TradeApiError
 *   rateLimiter    from `rateLimit?: boolean | RateLimiter` (one name in every API)
 *   inspection     `describeAs`: console.log(client) shows the API, base URL and which
 *                  credentials are set, never their values
 *
 * Credentials stay in this closure: never spread into the transport or onto the client. The
 * library never reads the environment; a missing credential says "pass { secretKey }".
 */
import type { Client, ClientPathsWithMethod, FetchResponse, MaybeOptionalInit, Middleware } from "openapi-fetch";
import { checkHeaderCredentials, credentialOf } from "./credentials.js";
import { unlessAborted } from "./abort.js";
import { callerAborted, RETRY_AFTER_HOLD, shownValue, TradeApiError, typeName, UsageError } from "./errors.js";
import {
  CALL_OPTIONS,
  HttpTransport,
  TRANSPORT_OPTIONS,
  ON_ANSWER,
  type CallOptions,
  type OutgoingRequest,
  type TransportConfig,
  type TransportOptions,
  type TransportResult,
} from "./http-transport.js";
import { callData, type ApiMeta, type OperationMeta } from "./meta.js";
import { buildRequest, requireOperation } from "./operation-call.js";
import { RateLimiter } from "./rate-limit.js";
import { describeAs, redactUrl, secretNamedValues } from "./redaction.js";
import { checkOption, checkOptionNames, checkOptionsObject, heldParams, meant, ownFields } from "./validate.js";

export type { CallOptions } from "./http-transport.js";

type AnswerHook = (status: number, headers: Readonly<Record<string, string>>) => void;

/** The options every REST client takes (each API adds its own). */
export interface RestClientOptions extends Omit<TransportOptions, "rateLimiter"> {
  /** Default: the spec's first server. */
  baseUrl?: string | undefined;
  /**
   * Client-side rate limiting from the spec's x-rate-limits. true (default): a limiter of this
   * client's own; a RateLimiter: shared, e.g. by every client of one key; false: off.
   */
  rateLimit?: boolean | RateLimiter | undefined;
  /**
   * The former name of `rateLimit`.
   * @deprecated use `rateLimit` (the same name in every API). Still accepted: a RateLimiter
   * is used as `rateLimit` would use it, null turns limiting off. `rateLimit` wins when both are given.
   */
  rateLimiter?: RateLimiter | null | undefined;
  /**
   * The most calls of this client sending at once (default 64; `Infinity`: no cap). The rest
   * wait their turn, first come first served, each for at most its timeout (then a
   * TimeoutError: nothing was sent). Without a cap, a burst of 3,000 calls opened 3,000
   * connections to the server (one per call in flight), which servers that limit connections
   * per address refuse.
   */
  maxInFlight?: number | undefined;
}

/** The options of a client signed with an access key and a secret key (XT, Hubi, BHEX …). */
export interface KeyedClientOptions extends RestClientOptions {
  /** The API key; the library reads no environment variable (the CLI does). */
  accessKey?: string | undefined;
  /** The secret the calls are signed with; never shown in errors, events or inspection. */
  secretKey?: string | undefined;
}

/** The key pair of a keyed client, as `RestClientConfig.credentials` takes it. */
export function keyCredentials(options: KeyedClientOptions): { accessKey: string | undefined; secretKey: string | undefined } {
  return { accessKey: options.accessKey, secretKey: options.secretKey };
}

/** What the signer of one attempt gets besides the request. */
export interface SignContext {
  op: OperationMeta;
  /** 1 for the first attempt, 2 for the first retry … (sign afresh: new nonce/timestamp). */
  attempt: number;
  /** A credential by option name, or a CredentialsError "missing secretKey: pass { secretKey } …". */
  credential(name: string): string;
}

export interface RestClientConfig<P extends object> {
  /** The API's name as the CLI knows it (errors start with it). */
  api: string;
  meta: ApiMeta;
  /** The client's class-like name for inspection, e.g. "XtClient". */
  name: string;
  options: RestClientOptions;
  /** The credentials by option name (accessKey, secretKey, …): redacted from every error. */
  credentials?: Readonly<Record<string, string | undefined>>;
  /**
   * Add credentials to one attempt of an operation the spec marks as secured (operations
   * without `security` are sent unsigned). Wraps the API's pure signer (src/auth/<api>.ts).
   */
  sign?: (request: OutgoingRequest, ctx: SignContext) => OutgoingRequest;
  /** What only this API does to a call's flat params before they are placed (defaults, encoders, checks). */
  prepare?: (op: OperationMeta, params: Record<string, unknown>) => Record<string, unknown> | Promise<Record<string, unknown>>;
  /**
   * Replaces the envelope check of success bodies (`defaultCheck` is the spec's x-envelope
   * check); `req` is the request the body answers, as sent.
   */
  checkBody?: (body: unknown, op: OperationMeta, status: number, defaultCheck: (body: unknown, op: OperationMeta) => void, req: OutgoingRequest) => void;
  checkErrorBody?: TransportConfig["checkErrorBody"];
  /** What a success answer that is not JSON must be (e.g. BHEX's .xlsx files): throw to refuse it (TransportConfig.checkFile). */
  checkFile?: TransportConfig["checkFile"];
  /** The clock the signer takes a request's time from, if it signs with one (TransportConfig.signingClock). */
  signingClock?: TransportConfig["signingClock"];
  /**
   * Called with each call that fails (`call()` and the openapi-fetch methods), to choose the
   * error (e.g. documented HTTP statuses); `sent`: the parameters as handed to the transport,
   * when the failure came after (BHEX marks the idempotency key that went out).
   */
  mapError?: (op: OperationMeta, error: unknown, sent?: Readonly<Record<string, unknown>>) => unknown;
  /** Client methods only this API has, built from the core client (batch helpers, paginators …). */
  extend?: (core: RestCore<NoInfer<P>>) => P;
  /**
   * The names of the options only this API takes (besides RestClientOptions and the
   * credentials): any other key of `options` is a UsageError, so a misspelt option is not
   * silently left at its default.
   */
  optionNames?: Readonly<Record<string, unknown>>;
}

/** The names of RestClientOptions (the type checks that the list is whole). */
const REST_OPTIONS = { ...TRANSPORT_OPTIONS, baseUrl: 1, rateLimit: 1, rateLimiter: 1, maxInFlight: 1 } satisfies Record<keyof RestClientOptions, 1>;

/** A REST client's default `maxInFlight`: calls sending at once. */
export const DEFAULT_MAX_IN_FLIGHT = 64;

/** Lower-case HTTP methods of openapi-fetch's `Client`. */
type LowerMethod = "get" | "put" | "post" | "delete" | "options" | "head" | "patch" | "trace";
type RequiredKeys<T> = { [K in keyof T]-?: {} extends Pick<T, K> ? never : K }[keyof T];
/** The keys of a request's options the runtime takes (INIT_KEYS). */
type InitKey = "params" | "body" | "headers" | "signal" | "timeoutMs" | "parseAs";
/**
 * openapi-fetch's init narrowed to what the runtime takes (INIT_KEYS), and this call's timeout:
 * any other key (`timeoutMS`, `cache`, `redirect`, `baseUrl` …) is typed `never`, so it fails to
 * compile as it fails at run time; `parseAs` is "json" only.
 */
type OwnInit<Init> = Init & { [K in Exclude<keyof NonNullable<Init>, InitKey>]?: never } & { timeoutMs?: number | undefined; parseAs?: "json" | undefined };
type InitArg<Init> = RequiredKeys<Init> extends never ? [OwnInit<Init>?] : [OwnInit<Init>];
/**
 * openapi-fetch's init with a `signal` that may be undefined too (`{ signal }` of a signal that
 * may be absent compiles under exactOptionalPropertyTypes, as in `call()`'s options).
 */
type LooseSignal<I> = I extends object ? Omit<I, "signal"> & { signal?: AbortSignal | null | undefined } : I;

/**
 * openapi-fetch's `{ data, error, response }`, with `error` the typed TradeApiError (HttpError,
 * ApiError subclass, TimeoutError …) instead of a decoded error body. `response` carries the
 * real status and headers and no body: the body was already read into `data`. When no answer
 * came (timeout, connection, abort, bad input) it is `Response.error()` (type "error", status 0).
 */
// (re-exported so that a consumer's declarations name it through tradeapi's subpaths: under a
// layout that does not hoist openapi-fetch, as pnpm's, it could not be named otherwise)
export type { FetchResponse };

export type RestResponse<F> =
  | { data: F extends { data: infer D } ? D : never; error?: never; response: Response }
  | { data?: never; error: TradeApiError; response: Response };

export type RestMethod<Paths extends {}, M extends LowerMethod> = <
  Path extends ClientPathsWithMethod<Client<Paths>, M>,
  Init extends LooseSignal<MaybeOptionalInit<Paths[Path], M & keyof Paths[Path]>>,
>(
  url: Path,
  ...init: InitArg<Init>
) => Promise<RestResponse<FetchResponse<Paths[Path][M & keyof Paths[Path]] & Record<string | number, any>, Init, `${string}/${string}`>>>;

/** The openapi-fetch method surface of a tradeapi client, typed by the generated `paths`. */
export interface RestMethods<Paths extends {}> {
  GET: RestMethod<Paths, "get">;
  PUT: RestMethod<Paths, "put">;
  POST: RestMethod<Paths, "post">;
  DELETE: RestMethod<Paths, "delete">;
  OPTIONS: RestMethod<Paths, "options">;
  HEAD: RestMethod<Paths, "head">;
  PATCH: RestMethod<Paths, "patch">;
  TRACE: RestMethod<Paths, "trace">;
  /** `request("get", path, init)`: the same as the method of that name. */
  request<M extends LowerMethod, Path extends ClientPathsWithMethod<Client<Paths>, M>, Init extends LooseSignal<MaybeOptionalInit<Paths[Path], M & keyof Paths[Path]>>>(
    method: M,
    url: Path,
    ...init: InitArg<Init>
  ): Promise<RestResponse<FetchResponse<Paths[Path][M & keyof Paths[Path]] & Record<string | number, any>, Init, `${string}/${string}`>>>;
  /**
   * Refused with a UsageError: requests never pass through openapi-fetch, so a middleware
   * would never run. Wrap the `fetch` option instead (it sees every attempt, signed), or
   * listen with `onEvent`.
   */
  use(...middleware: Middleware[]): never;
  /** Refused like `use` (no middleware is ever registered). */
  eject(...middleware: Middleware[]): never;
}

/** What every REST client has: `call`, the transport, the limiter and the openapi-fetch methods. */
export interface RestCore<P extends object = {}> extends RestMethods<{}> {
  /** Run any operation by operationId (at run time also by "METHOD /path", untyped); resolves to the envelope's data, throws the typed error. */
  call(operationId: string, params?: Record<string, unknown>, opts?: CallOptions): Promise<unknown>;
  /** Run an operation and return the whole transport result (status, headers, decoded body). */
  execute(operationId: string, params?: Record<string, unknown>, opts?: CallOptions): Promise<{ op: OperationMeta; result: TransportResult }>;
  /** The HTTP transport every call of this client goes through. */
  readonly transport: HttpTransport;
  /** The rate limiter the client waits on; null when limiting is off. */
  readonly rateLimiter: RateLimiter | null;
  /** The client being built (its API-specific methods included), for helpers such as paginators. */
  readonly self: () => RestCore<P> & P;
}

/** The limiter `rateLimit` (or the deprecated `rateLimiter`) asks for. */
export function rateLimiterOf(meta: ApiMeta, options: Pick<RestClientOptions, "rateLimit" | "rateLimiter">, api?: string): RateLimiter | null {
  const chosen: unknown = options.rateLimit ?? (options.rateLimiter === undefined ? true : options.rateLimiter ?? false);
  if (chosen instanceof RateLimiter) {
    // A limiter made for another API (createXtRateLimiter() given to a BHEX client) knows none
    // of this one's rules: every call went unlimited, silently.
    const missing = Object.keys(meta.rateLimits ?? {}).filter((n) => !chosen.ruleNames.includes(n));
    if (missing.length === 0) return chosen;
    const name = options.rateLimit !== undefined ? "rateLimit" : "rateLimiter";
    const rules = missing.map((n) => JSON.stringify(n)).join(", ");
    throw new UsageError(`${name}: the RateLimiter given has no rule ${rules} of this API's limits (made for another API?): its calls would go unlimited`, { api });
  }
  if (chosen === false) return null;
  if (chosen === true) return new RateLimiter(meta.rateLimits);
  const name = options.rateLimit !== undefined ? "rateLimit" : "rateLimiter";
  throw new UsageError(`${name} must be true, false or a shared RateLimiter, got ${typeof chosen === "string" ? JSON.stringify(chosen) : typeof chosen}`, { api });
}

const METHODS = ["GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"] as const;
/** openapi-fetch options that would change how the request is built or read: refused, not ignored. */
const UNSUPPORTED_INIT: ReadonlySet<string> = new Set(["fetch", "middleware", "querySerializer", "bodySerializer", "pathSerializer", "baseUrl", "Request"]);
/** What a request's options may hold: the request, this call's signal and timeout, `parseAs: "json"`. */
const INIT_KEYS = ["params", "body", "headers", "signal", "timeoutMs", "parseAs"] as const;
/** fetch's own RequestInit: the transport sends the request by its own rules (redirects, cache, connections). */
const FETCH_INIT: ReadonlySet<string> = new Set(["cache", "credentials", "dispatcher", "duplex", "integrity", "keepalive", "method", "mode", "priority", "redirect", "referrer", "referrerPolicy", "window"]);

/** A request's options (openapi-fetch's init): a UsageError for a key it may not have or a parseAs other than json. */
function checkInit(api: string, op: OperationMeta, init: Record<string, unknown>): void {
  for (const key in init) {
    if (init[key] === undefined || (INIT_KEYS as readonly string[]).includes(key)) continue;
    if (UNSUPPORTED_INIT.has(key)) {
      throw new UsageError(`the openapi-fetch option "${key}" is not supported: tradeapi builds, signs and reads the request itself`, { api, operation: op.operationId });
    }
    // A typo (timeoutMS) or a fetch option would be left unread: the call would run without it.
    throw new UsageError(
      FETCH_INIT.has(key)
        ? `the fetch option "${key}" is not supported: the transport sends the request by its own rules; the request options are ${INIT_KEYS.join(", ")}`
        : `the request options: ${JSON.stringify(key)} is not an option${meant(key, INIT_KEYS)}; the options are ${INIT_KEYS.join(", ")}`,
      { api, operation: op.operationId },
    );
  }
  if (init.parseAs !== undefined && init.parseAs !== "json") {
    throw new UsageError(`parseAs ${shownValue(init.parseAs)} is not supported: data is the decoded body (JSON, text or bytes as the spec says)`, { api, operation: op.operationId });
  }
}

/** A body-less Response with the answer's status and headers (its body went into `data`). */
function answerResponse(status: number, headers: Readonly<Record<string, string>> | undefined): Response {
  if (status < 200 || status > 599) return Response.error();
  return new Response(null, { status, headers });
}

/** The status an error stands for: its HTTP status, 200 for an error envelope in a 200, none for no answer. */
function errorStatus(e: TradeApiError): number | undefined {
  const s = (e as { status?: unknown }).status;
  if (typeof s === "number") return s;
  // (a call the client held within a server's Retry-After got no answer: it was not sent)
  if ("httpStatus" in e) return typeof e.httpStatus === "number" ? e.httpStatus : (e as { code?: unknown }).code === RETRY_AFTER_HOLD && e.name === "RateLimitError" ? undefined : 200;
  if (e.name === "ResponseFormatError" || e.name === "DecimalPrecisionError" || e.name === "NumberTooLongError") return 200;
  return undefined;
}

/**
 * What the openapi-fetch methods resolve to: `data` or `error`, and `response`, built when first
 * read (a getter of the class: an own accessor defined per result cost `.GET` about 3 % of a
 * call, the object leaving V8's fast shapes).
 */
class RestAnswer {
  declare data?: unknown;
  declare error?: TradeApiError;
  readonly #build: () => Response;
  #built: Response | undefined;
  constructor(build: () => Response) {
    this.#build = build;
  }
  /** The answer's status and headers, no body (it went into `data`). */
  get response(): Response {
    return (this.#built ??= this.#build());
  }
}

/** The fields of RestClientConfig (the type checks that the list is whole). */
const CONFIG_FIELDS = {
  api: 1, meta: 1, name: 1, options: 1, credentials: 1, sign: 1, prepare: 1, checkBody: 1, checkErrorBody: 1, checkFile: 1, mapError: 1, extend: 1, optionNames: 1, signingClock: 1,
} satisfies Record<keyof RestClientConfig<object>, 1>;

/**
 * The configuration a new API passes (docs/adding-an-api.md), checked: a wrong field is a
 * UsageError naming it, not a TypeError from inside, and a misspelt one (`signer` for `sign`)
 * is refused, not ignored (its requests would go out unsigned).
 */
function checkRestConfig(config: unknown): void {
  const ctx = { operation: "createRestClient" };
  if (config === undefined) throw new UsageError("createRestClient takes the API's configuration { api, meta, name, options, sign, … }", ctx);
  checkOptionNames(ctx, "createRestClient: the configuration", config, CONFIG_FIELDS);
  const c = config as Record<string, unknown>;
  if (typeof c.api !== "string" || c.api === "") throw new UsageError(`createRestClient: api must be the API's name (a non-empty string), got ${shownValue(c.api)}`, ctx);
  const at = { api: c.api, operation: "createRestClient" };
  const m = c.meta as { operations?: unknown; servers?: unknown } | null | undefined;
  if (m === null || typeof m !== "object" || !Array.isArray(m.operations) || !Array.isArray(m.servers)) {
    throw new UsageError(`meta must be the API's runtime metadata (generated/<spec>.meta.ts), got ${typeName(c.meta)}`, at);
  }
  if (c.name !== undefined && typeof c.name !== "string") throw new UsageError(`name must be a string, got ${typeName(c.name)}`, at);
  checkOptionsObject(at, "credentials", c.credentials, "name → value");
  checkOptionsObject(at, "optionNames", c.optionNames, "option names");
  for (const f of ["sign", "prepare", "checkBody", "checkErrorBody", "checkFile", "mapError", "extend", "signingClock"] as const) checkOption(at, f, c[f], "function");
}

/**
 * The REST client of an API from its configuration (docs/adding-an-api.md), checked first: a
 * wrong or misspelt field is a UsageError naming it.
 */
export function createRestClient<P extends object = {}>(config: RestClientConfig<P>): RestCore<P> & P {
  config = ownFields(config, true);
  checkRestConfig(config);
  return buildRestClient({ ...config, credentials: ownFields(config.credentials), optionNames: ownFields(config.optionNames) });
}

/**
 * The signer of every attempt: `sign` given the operation, the attempt and the credentials,
 * each checked once (credentialOf refuses one that cannot be sent); public operations unsigned.
 */
function authorizer(api: string, sign: NonNullable<RestClientConfig<object>["sign"]>, credentials: Readonly<Record<string, string | undefined>>) {
  const checked = new Set<string>();
  return (req: OutgoingRequest, op: OperationMeta, attempt: number): OutgoingRequest => {
    if (op.security.length === 0) return req;
    const credential = (name: string) => {
      const value = credentials[name];
      if (value !== undefined && checked.has(value)) return value;
      checked.add(credentialOf(api, name, value, op.operationId));
      return value as string;
    };
    const signed = sign(req, { op, attempt, credential });
    if (signed.headers !== req.headers) checkHeaderCredentials(api, op.operationId, signed.headers, credentials);
    return signed;
  };
}

/**
 * createRestClient without the check of its configuration: for the built-in APIs (XT, Hubi,
 * BHEX), whose configuration is fixed in their factories, so that a consumer's bundle does not
 * carry the check.
 */
export function buildRestClient<P extends object = {}>(config: RestClientConfig<P>): RestCore<P> & P {
  const { api, meta } = config;
  // (the factory's options: left out, none; null or anything else but an object is refused below)
  // Own fields only (ownFields): an option on Object.prototype is none given.
  const options = config.options === undefined ? {} : ownFields(config.options, true);
  const credentials = ownFields({ ...(config.credentials ?? {}) });
  checkOptionNames({ api }, "options", options, { ...REST_OPTIONS, ...credentials, ...config.optionNames });
  // Never handed to the transport: the signer reads them through ctx.credential.
  const { baseUrl: givenBaseUrl, rateLimit: _rateLimit, rateLimiter: _deprecated, ...transportOptions } = options as RestClientOptions & Record<string, unknown>;
  for (const name of Object.keys(credentials)) delete (transportOptions as Record<string, unknown>)[name];
  const baseUrl = givenBaseUrl ?? meta.servers[0]?.url ?? "";
  const rateLimiter = rateLimiterOf(meta, options, api);
  const authorize = config.sign ? authorizer(api, config.sign, credentials) : undefined;

  const transport: HttpTransport = new HttpTransport({
    ...(transportOptions as TransportOptions),
    api,
    meta,
    baseUrl,
    rateLimiter,
    ...(authorize ? { authorize } : {}),
    secrets: () => Object.values(credentials),
    ...(config.checkBody
      ? { checkBody: (body: unknown, op: OperationMeta, status: number, req: OutgoingRequest) => config.checkBody!(body, op, status, (b, o) => transport.checkEnvelope(b, o, status), req) }
      : {}),
    ...(config.checkErrorBody ? { checkErrorBody: config.checkErrorBody } : {}),
    ...(config.checkFile ? { checkFile: config.checkFile } : {}),
    ...(config.signingClock ? { signingClock: config.signingClock } : {}),
    maxInFlight: options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT,
  });

  const callOpts = (opts: CallOptions | undefined): CallOptions => {
    const o = ownFields(opts);
    const signal = o?.signal ?? options.signal;
    return ownFields({ ...(signal ? { signal } : {}), ...(o?.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}) });
  };

  /** One call of `op`, for `call()` and the openapi-fetch methods alike: prepare, build, send; failures through `mapError`. */
  const run = async (op: OperationMeta, given: Record<string, unknown>, opts?: CallOptions, headers?: Record<string, string>, onAnswer?: AnswerHook) => {
    const params = heldParams(given); // (nested lists and objects read once too: what is checked is sent)
    let sending = false; // (once handed to the transport, its errors come out redacted, signed values and all)
    let ready: Record<string, unknown> | Promise<Record<string, unknown>> = params;
    try {
      ready = config.prepare ? config.prepare(op, params) : params;
      // Awaited only when a promise (BHEX's async onIdempotencyKey): no extra turn without one. The
      // call's signal and the client's end the wait (a hook that never settled held the call).
      if (ready instanceof Promise) ready = await unlessAborted(ready, { signals: [ownFields(opts)?.signal, options.signal], error: (s) => callerAborted({ api, operation: op.operationId }, s.reason) });
      const request = buildRequest(api, op, ready, baseUrl);
      if (headers) Object.assign(request.headers, headers);
      const o = callOpts(opts);
      sending = true;
      return await transport.execute(op, request, onAnswer ? Object.assign(o, { [ON_ANSWER]: onAnswer }) : o);
    } catch (e) {
      const mapped = config.mapError ? config.mapError(op, e, sending ? (ready as Record<string, unknown>) : undefined) : e;
      if (sending) throw mapped;
      // A parameter check's UsageError is not yet: a value given by mistake may be the client's
      // secret, or a secret-named parameter's (a trade password given as another parameter too).
      const named = secretNamedValues(Object.entries(params).filter((p): p is [string, string] => typeof p[1] === "string"));
      throw transport.redactor(named).error(mapped);
    }
  };

  /** The operation `ref` names, its parameters and call options checked (a UsageError, thrown in the caller's async function). */
  const operationOf = (ref: string, params: Record<string, unknown>, opts: CallOptions | undefined): OperationMeta => {
    const op = requireOperation(meta, ref);
    // null, a string or a list is no set of parameters (null was a TypeError, "x" an unknown parameter "0").
    checkOptionsObject({ api, operation: op.operationId }, "the parameters", params, "name → value");
    if (opts !== undefined) checkOptionNames({ api, operation: op.operationId }, "the call options", opts, CALL_OPTIONS);
    return op;
  };

  const execute = async (ref: string, params: Record<string, unknown> = {}, opts?: CallOptions) => {
    const op = operationOf(ref, params, opts);
    return { op, result: await run(op, params, opts) };
  };

  // Straight to run (not through execute): one async step less per call.
  const call = async (ref: string, params: Record<string, unknown> = {}, opts?: CallOptions) => {
    const op = operationOf(ref, params, opts);
    return callData(meta, op, (await run(op, params, opts)).body);
  };

  // ---- the openapi-fetch surface: "METHOD /template/{path}" → operation, no Request/Response round trip
  const byRoute = routesOf(meta);

  const fetchLike = async (method: string, url: unknown, given?: Record<string, unknown> | null) => {
    // (a method or path that is no text is named by its type: String() of some objects throws)
    // (request() upper-cases the caller's method; GET, POST… pass theirs as is)
    const m = typeof method === "string" ? method : typeName(method);
    let answer: { status: number; headers: Readonly<Record<string, string>> } | undefined;
    // null stands for no options, as undefined does. (Own fields only: ownFields.)
    const init = ownFields(given ?? {});
    try {
      if (typeof url !== "string") throw new UsageError(`the path must be the spec's path template (a string), got ${typeName(url)}`, { api });
      if (typeof init !== "object") throw new UsageError(`the request options must be an object, got ${typeName(init)}`, { api });
      const op = byRoute.get(m)?.get(url);
      if (!op) {
        throw new UsageError(
          `no operation for ${m} ${url}: pass the spec's path template (e.g. /orders/{id}) and the values in params.path; run \`tradeapi list ${api}\``,
          { api },
        );
      }
      checkInit(api, op, init);
      const { params: flat, headers } = flatParams(api, op, init);
      // init's `signal` and `timeoutMs` are this call's options (callOpts reads only those two).
      const result = await run(op, flat, init as CallOptions, headers, (status, h) => (answer = { status, headers: h }));
      const answered = new RestAnswer(() => answerResponse(result.status, result.headers));
      answered.data = result.body;
      return answered;
    } catch (e) {
      if (!(e instanceof TradeApiError)) throw e;
      // The last attempt's answer (when one came): its headers, e.g. Retry-After on a 429.
      const last = answer;
      const failed = new RestAnswer(() => {
        const status = errorStatus(e);
        return status === undefined ? Response.error() : answerResponse(status, status === last?.status ? last.headers : undefined);
      });
      failed.error = e;
      return failed;
    }
  };

  const refuse = (what: string) => (): never => {
    throw new UsageError(
      `client.${what}() is not supported: tradeapi clients send requests through their own transport, so openapi-fetch middleware would never run; ` +
        "wrap the `fetch` option to see every attempt (signed, after retries and rate limiting), or use `onEvent`",
      { api },
    );
  };

  const core = {
    call,
    execute,
    transport,
    rateLimiter,
    request: (method: string, url: unknown, init?: Record<string, unknown>) => fetchLike(typeof method === "string" ? method.toUpperCase() : method, url, init),
    use: refuse("use"),
    eject: refuse("eject"),
  } as unknown as RestCore<P> & P;
  for (const m of METHODS) (core as unknown as Record<string, unknown>)[m] = (url: unknown, init?: Record<string, unknown>) => fetchLike(m, url, init);
  (core as { self: () => RestCore<P> & P }).self = () => core;
  if (config.extend) Object.assign(core, config.extend(core));

  describeAs(core, config.name, () => ({
    api,
    baseUrl: redactUrl(baseUrl),
    ...Object.fromEntries(Object.entries(credentials).map(([k, v]) => [k, v ? "[set]" : "[missing]"])),
  }));
  return core;
}

/** The operations by method, then by path template: the caller's path is looked up as given (no joined key built per call). */
function routesOf(meta: ApiMeta): Map<string, Map<string, OperationMeta>> {
  const byRoute = new Map<string, Map<string, OperationMeta>>();
  for (const op of meta.operations) {
    let paths = byRoute.get(op.method);
    if (!paths) byRoute.set(op.method, (paths = new Map()));
    paths.set(op.path, op);
  }
  return byRoute;
}

/** openapi-fetch's `params.{path,query,header}` + `body` as one flat params object. */
function flatParams(api: string, op: OperationMeta, init: Record<string, unknown>): { params: Record<string, unknown>; headers: Record<string, string> | undefined } {
  const params: Record<string, unknown> = {};
  const add = (source: unknown, where: string) => {
    if (source === undefined || source === null) return;
    if (typeof source !== "object" || Array.isArray(source)) {
      throw new UsageError(`${where} must be an object of named values`, { api, operation: op.operationId });
    }
    for (const k of Object.keys(source)) {
      const v = (source as Record<string, unknown>)[k];
      if (v === undefined) continue;
      if (Object.hasOwn(params, k)) throw new UsageError(`parameter "${k}" is given twice (${where} and another place)`, { api, operation: op.operationId });
      // A `__proto__` key (JSON-parsed input) stays an own key, named as unknown: assigned, it
      // would become the prototype whose fields were sent as parameters.
      if (k === "__proto__") Object.defineProperty(params, k, { value: v, enumerable: true, writable: true, configurable: true });
      else params[k] = v;
    }
  };
  const p = ownFields((init.params ?? {}) as Record<string, unknown>);
  add(p.path, "params.path");
  add(p.query, "params.query");
  add(p.header, "params.header");
  add(init.body, "body");
  const given = init.headers;
  if (given === undefined || given === null) return { params, headers: undefined };
  const headers: Record<string, string> = {};
  // Every form fetch takes (an object, a Headers, [name, value] pairs), read by fetch's own
  // Headers (names in lower case): a header that cannot be sent (a line break in it, a name
  // that is not a token) is refused here, named, instead of failing later as a connection
  // error. A signer's header of the same name replaces the caller's (the transport).
  try {
    if (typeof given !== "object") throw new TypeError(`got ${typeName(given)}`);
    const list = new Headers(given instanceof Headers || Array.isArray(given) ? (given as HeadersInit) : Object.entries(given).flatMap(([k, v]): Array<[string, string]> => (v === undefined || v === null ? [] : [[k, String(v)]])));
    list.forEach((v, k) => (headers[k] = v));
  } catch (e) {
    throw new UsageError(`headers cannot be sent: ${(e as Error).message}`, { api, operation: op.operationId });
  }
  return { params, headers };
}
