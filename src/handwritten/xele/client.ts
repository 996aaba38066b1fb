/**
 * `createXeleClient`: the Xele counter management protocol, typed, on its two servers.
 *
 *   const xele = createXeleClient({ maUrl, msUrl, username, password });
 *   const funds = await xele.call("getInvestorFunds", { content: "777001" });   // FundInfo[]
 *   const orders = await xele.call("queryOrders", { investor_id: ["777001"] }); // OrderQry rows
 *   for await (const order of xele.streamRows("queryOrders")) { ... }           // row by row
 *
 * Each operation goes to the server the spec names (x-server: MA auth server or MS counter
 * server) through one shared HttpTransport per server (lossless JSON, typed errors from the
 * spec's error table). Around it, this client adds what is Xele's own:
 * - the MA token session (session.ts): login on first use, one login shared by concurrent
 *   calls, one re-login and retry when a call is answered 109 (invalid token);
 * - complete, closed requests (wire-request.ts): filters the caller leaves out are sent with
 *   their "no condition" values, everything is checked against the spec before sending, GETs
 *   carry their JSON as ?params=<base64>, `serialno` counts 0-65535;
 * - "|" row answers decoded into typed rows (pipe-rows.ts; streamed by pipe-row-stream.ts),
 *   the client-system export as {fileName, lines} (export.ts);
 * - at most `maxInFlight` requests per server at once (default 2; the vendor doc asks clients not to
 *   hammer the counter), and retries of transient failures for operations the spec marks
 *   retryable, each attempt waiting for a slot and carrying a fresh serialno.
 */
import type { components, operations } from "../../../generated/xele-mgmt.js";
import { requestSchemas, rowSchemas, type NoData, type RequiredData } from "../../../generated/xele-mgmt.meta.js";
import { ApiError, apiErrorFromCode, callerAborted, errorForCall, ResponseFormatError, RETRY_AFTER_HOLD, snippet, textOf, TimeoutError, TradeApiError, typeName, UsageError, type ErrorContext } from "../core/errors.js";
import { CALL_OPTIONS, HttpTransport, SESSION_LOGIN, TRANSPORT_OPTIONS, type CallOptions, type TransportOptions, type TransportResult } from "../core/http-transport.js";
import type { DecimalsAs } from "../core/decimals.js";
import { stringifyJson, type DecimalsMode } from "../core/json.js";
import type { OperationMeta } from "../core/meta.js";
import { callData, findOperation } from "../core/meta.js";
import { requireOperation, type OperationResponse } from "../core/operation-call.js";
import { describeAs, redactUrl, type Redactor } from "../core/redaction.js";
import { callSignal, isSignal, onAbort, unlessAborted, type WaitAbort } from "../core/abort.js";
import { checkRetryOptions, notRetried, withRetries } from "../core/retry.js";
import { checkOption, checkOptionNames, heldParams, ownFields, urlShown } from "../core/validate.js";
import { decodeClientSystemExport, saveClientSystemExport, type ClientSystemExport, type SaveExportOptions } from "./export.js";
import { COUNTER_VERSION_FORM } from "./counter-version.js";
import { InFlightLimit } from "../core/in-flight.js";
import { defaultedServer } from "./this-machine.js";
import { decodePipeRowStream } from "./pipe-row-stream.js";
import { charsetOf, decodePipeRows, type PipeRow, type PipeRowsOptions } from "./pipe-rows.js";
import { SERIALNO_MAX, XeleSession } from "./session.js";
import { loginScheme, pipeRowsOf, serverOf, XELE_SERVERS, xeleMeta, type XeleServer } from "./spec-info.js";
import { prepareData, requestJson, wireRequest, type PreparedData } from "./wire-request.js";

type Schemas = components["schemas"];

/** The request schema (x-request-schema) of every operation but login (the session logs in): generated from the spec. */
const { login: _login, ...requestSchemaNames } = requestSchemas;
export const XELE_REQUEST_SCHEMAS = requestSchemaNames satisfies Record<Exclude<keyof operations, "login">, keyof Schemas>;

/** The row schema (x-pipe-rows.rowSchema) of every "|" row answer but the client-system export (export.ts reads it as lines). */
const { exportClientSystemInfo: _export, ...rowSchemaNames } = rowSchemas;
export const XELE_ROW_SCHEMAS = rowSchemaNames satisfies Partial<Record<keyof typeof XELE_REQUEST_SCHEMAS, keyof Schemas>>;

export type XeleOperationId = keyof typeof XELE_REQUEST_SCHEMAS;
export type XelePipeOperationId = keyof typeof XELE_ROW_SCHEMAS;
export type XeleRequest<K extends XeleOperationId> = Schemas[(typeof XELE_REQUEST_SCHEMAS)[K]];
/** The `data` an operation sends (never: none). */
export type XeleData<K extends XeleOperationId> = XeleRequest<K> extends { data: infer D } ? D : never;

/**
 * Objects with every field optional, recursively (array items too): what the caller leaves out
 * is filled from the spec (x-no-condition, defaults) and what is still missing is named by a
 * UsageError at run time. (The generated types mark fields with a default as required, which
 * is right for answers, not for requests.)
 */
export type Fillable<T> = T extends string | number | bigint | boolean | symbol | null | undefined
  ? T // (first: a decimal, number & a brand, took the object branch and accepted anything)
  : T extends ReadonlyArray<infer E>
    ? ReadonlyArray<Fillable<E>>
    : T extends object
      ? { [P in keyof T]?: Fillable<T[P]> | undefined }
      : T;

/** The data fields of `K` a call must give (the generated RequiredData: required, and nothing the client fills). */
export type XeleRequiredField<K extends XeleOperationId> = K extends keyof RequiredData ? RequiredData[K] & keyof XeleData<K> : never;

/**
 * What `call` takes as data: left-out filters are filled with their "no condition" values (and
 * defaults), so those are optional; the fields nothing fills (`XeleRequiredField`) are
 * required, and their own fields are checked at run time (UsageError naming them).
 */
export type XeleDataInput<K extends XeleOperationId> = [XeleData<K>] extends [never]
  ? never
  : [XeleRequiredField<K>] extends [never]
    ? Fillable<XeleData<K>>
    : Fillable<XeleData<K>> & { [P in XeleRequiredField<K>]-?: Fillable<XeleData<K>[P]> };

/** Data is required where the operation takes a list, or has fields nothing fills. */
type DataRequired<K extends XeleOperationId> = XeleData<K> extends readonly unknown[] ? true : [XeleRequiredField<K>] extends [never] ? false : true;

export type XeleDataArgs<K extends XeleOperationId> = [XeleData<K>] extends [never]
  ? []
  : DataRequired<K> extends true
    ? [data: XeleDataInput<K>]
    : [data?: XeleDataInput<K>];

/**
 * `call`'s data argument. When `K` could not be inferred (an unknown operation id, so `K` is
 * the whole union) any data is accepted, so that the compiler's error names the operation id
 * instead of complaining about the argument count.
 */
type CallArgs<K extends XeleOperationId> = XeleOperationId extends K ? [data?: unknown, options?: CallOptions] : XeleCallArgs<K>;

/**
 * `call`'s and `streamRows`' arguments after the operation id: the data (as `XeleDataArgs`;
 * `undefined` for an operation without data) and then this call's own `{ signal, timeoutMs }`.
 */
export type XeleCallArgs<K extends XeleOperationId> = [XeleData<K>] extends [never]
  ? [data?: undefined, options?: CallOptions]
  : DataRequired<K> extends true
    ? [data: XeleDataInput<K>, options?: CallOptions]
    : [data?: XeleDataInput<K>, options?: CallOptions];

/** A decoded row of a "|" row answer (present columns; null for empty numbers). */
export type XeleRow<K extends XelePipeOperationId> = PipeRow<Schemas[(typeof XELE_ROW_SCHEMAS)[K]]>;

/** The envelope's `result` (or `comment`); an answer that carries none resolves as the generated NoData says (null, or an empty list). */
type EnvelopeData<R> = R extends { comment?: infer C } ? C : R extends { result?: infer D } ? (unknown extends D ? undefined : D) : undefined;

/** What `call` resolves to: rows, the export, or the envelope's data (`result`, or `comment` for template writes). */
export type XeleResult<K extends XeleOperationId> = K extends XelePipeOperationId
  ? Array<XeleRow<K>>
  : K extends "exportClientSystemInfo"
    ? ClientSystemExport
    : EnvelopeData<OperationResponse<operations[K]>> | (K extends keyof NoData ? NoData[K] : never);

/** The base URLs a client uses for the servers it is not given: the spec's, MA http://127.0.0.1:8899 and MS http://127.0.0.1:8181. */
export const XELE_DEFAULT_URLS: Readonly<Record<XeleServer, string>> = Object.fromEntries(
  XELE_SERVERS.map((s) => {
    const server = xeleMeta.servers.find((x) => x.role === s)!;
    const url = server.url.replace(/\{(\w+)\}/g, (_m, v: string) => server.variables?.[v]?.default ?? "");
    return [s, url];
  }),
) as Record<XeleServer, string>;

/**
 * One of maUrl / msUrl given for another machine, the other left to its default on this one: the
 * login (user name and password) or the token would go to a port of 127.0.0.1 that any local
 * process can listen on. Refused; both on this machine (an emulator, a tunnel) default as before.
 */
function oneServerDefaulted(options: XeleClientOptions, ctx: ErrorContext): void {
  const defaulted = defaultedServer(options.maUrl, options.msUrl);
  if (!defaulted) return;
  const { given, missing, server } = defaulted;
  const url = options[given]!;
  const what = server === "MA" ? "the login (user name and password)" : "the counter's requests and the session token";
  throw new UsageError(`${given} is ${urlShown(url)} but ${missing} is not given: ${what} would go to its default ${XELE_DEFAULT_URLS[server]}, a port of this machine; give ${missing} too`, ctx);
}

/**
 * What `createXeleClient` takes: the two servers (`maUrl`, `msUrl`: give both, or neither for
 * this machine's), the login (`username`, `password`), the HTTP options of every client
 * (`timeoutMs`, `retry`, `onEvent`, `decimals` …) and Xele's own. Every option is optional; an
 * unknown one is a UsageError.
 */
export interface XeleClientOptions extends Omit<TransportOptions, "rateLimiter"> {
  /** MA (auth server) base URL; default the spec's http://127.0.0.1:8899. */
  maUrl?: string | undefined;
  /** MS (counter server) base URL; default the spec's http://127.0.0.1:8181. */
  msUrl?: string | undefined;
  /** The MA login's user name (a CredentialsError at the first login when missing). */
  username?: string | undefined;
  /** The MA login's password; never shown in errors, logs or inspection. */
  password?: string | undefined;
  /** Requests in flight per server at most (default 2), or per server. */
  maxInFlight?: number | Partial<Record<XeleServer, number>> | undefined;
  /** The `operator` field of MS requests (default "": protocol users). */
  operator?: string | undefined;
  /** One line per session event (login, re-login); never a password or token. */
  log?: ((line: string) => void) | undefined;
  /** First serialno (default 0); it then counts up and wraps after 65535. */
  firstSerialNo?: number | undefined;
  /**
   * The counter's version (003, 007, 007P7, 007P8, 007P9, as the vendor doc's version history
   * names them; default: the newest the spec knows). Requests then carry only what that version
   * knows: a field the client would fill that came later is left out, and an operation, field or
   * value the caller gives that came later is a UsageError (a counter refuses an unknown field).
   */
  counterVersion?: string | undefined;
}

/**
 * `D`: the `decimals` option, for the JSON answers (envelope data); with "string", their decimal
 * fields are typed `string | number`. "|" rows are not JSON and are decoded by their own rules.
 */
export interface XeleClient<D extends DecimalsMode = "exact"> {
  /**
   * Run an operation; resolves to its rows, export, or envelope data. The last argument,
   * `{ signal, timeoutMs }`, applies to this call only: the signal also gives up a wait for
   * the login or an in-flight slot (the shared login itself goes on for the other calls);
   * `timeoutMs` is per attempt, as the client's own, and bounds a wait for the login or a slot
   * too (a TimeoutError, not retried: nothing was sent).
   */
  call<K extends XeleOperationId>(operationId: K, ...args: CallArgs<K>): Promise<K extends XelePipeOperationId | "exportClientSystemInfo" ? XeleResult<K> : DecimalsAs<XeleResult<K>, D>>;
  /**
   * A "|" row answer read and decoded row by row from the response body (see pipe-row-stream.ts).
   * The stream holds one of its server's in-flight slots until it ends or the caller stops; a
   * 109 before the first row leads to one re-login; a truncated answer throws after its rows.
   * `timeoutMs` covers the wait for the answer's headers, (without a `fetch` option) each wait
   * for the next chunk, and each wait for the next row while bytes come (a server that trickles
   * a byte at a time), not the whole body; a per-call one bounds the waits for the login and a
   * slot as well. Transport failures and error answers are mapped by
   * the server's HttpTransport (`open`), as for `call`.
   */
  streamRows<K extends XelePipeOperationId>(operationId: K, ...args: XeleCallArgs<K>): AsyncGenerator<XeleRow<K>, void, undefined>;
  /** 5.1 export: the file name and the records. */
  exportClientSystemInfo(data: XeleDataInput<"exportClientSystemInfo">, options?: CallOptions): Promise<ClientSystemExport>;
  /** 5.1 export written to `dir` under the file name the counter gives; null when there is nothing to export. */
  saveClientSystemExport(data: XeleDataInput<"exportClientSystemInfo">, dir: string, options?: CallOptions & SaveExportOptions): Promise<{ path: string; lines: number } | null>;
  /** Log in now (otherwise the first request does). */
  login(): Promise<void>;
  /** The MA login session the calls share (its token, login count; `reset()` forgets the token). */
  readonly session: XeleSession;
  /** The HTTP transport of each server (MA, MS). */
  readonly transports: Readonly<Record<XeleServer, HttpTransport>>;
  /** The `maxInFlight` limit of each server (MA, MS): how many requests are in flight and may be. */
  readonly inFlight: Readonly<Record<XeleServer, InFlightLimit>>;
}

/** The two servers' transports and in-flight limits, and the MA token session that logs in through them. */
interface XeleWire {
  readonly urls: Readonly<Record<XeleServer, string>>;
  readonly inFlight: Record<XeleServer, InFlightLimit>;
  readonly transports: Record<XeleServer, HttpTransport>;
  readonly session: XeleSession;
  /** The `counterVersion` option, upper-cased (undefined: the newest the spec knows). */
  readonly counterVersion: string | undefined;
}

/** The names of XeleClientOptions (the type checks that the list is whole). */
const XELE_OPTIONS = {
  ...TRANSPORT_OPTIONS,
  maUrl: 1,
  msUrl: 1,
  username: 1,
  password: 1,
  maxInFlight: 1,
  operator: 1,
  log: 1,
  firstSerialNo: 1,
  counterVersion: 1,
} satisfies Record<keyof XeleClientOptions, 1>;

/** Transports, slots and session of a client. The password stays in the session's private fields: never spread into the transports. */
function openXeleWire(options: XeleClientOptions): XeleWire {
  const ctx = { api: "xele" };
  checkOptionNames(ctx, "options", options, XELE_OPTIONS);
  checkRetryOptions(options.retry, "retry", ctx);
  checkOption(ctx, "log", options.log, "function");
  if (options.operator !== undefined && typeof options.operator !== "string") throw new UsageError(`operator must be a string, got ${typeName(options.operator)}`, ctx);
  checkOption(ctx, "firstSerialNo", options.firstSerialNo, { min: 0, max: SERIALNO_MAX });
  const counterVersion = counterVersionOf(options.counterVersion, ctx);
  const inFlightOption = ownFields(options.maxInFlight);
  const slots = { min: 1, max: Number.MAX_SAFE_INTEGER };
  if (inFlightOption !== null && typeof inFlightOption === "object") {
    checkOptionNames(ctx, "maxInFlight", inFlightOption, { MA: 1, MS: 1 });
    for (const server of XELE_SERVERS) checkOption(ctx, `maxInFlight.${server}`, inFlightOption[server], slots);
  }
  else checkOption(ctx, "maxInFlight", inFlightOption, slots);
  const { username, password, counterVersion: _version, ...transportOptions } = options;
  const urls: Record<XeleServer, string> = {
    MA: options.maUrl ?? XELE_DEFAULT_URLS.MA,
    MS: options.msUrl ?? XELE_DEFAULT_URLS.MS,
  };
  const maxOf = (s: XeleServer) => (typeof inFlightOption === "number" ? inFlightOption : (inFlightOption?.[s] ?? 2));
  const inFlight: Record<XeleServer, InFlightLimit> = { MA: new InFlightLimit(maxOf("MA"), "MA"), MS: new InFlightLimit(maxOf("MS"), "MS") };
  let session: XeleSession;
  const transports = Object.fromEntries(
    XELE_SERVERS.map((s) => [
      s,
      new HttpTransport({
        ...transportOptions,
        api: "xele",
        meta: xeleMeta,
        baseUrl: urls[s],
        rateLimiter: null,
        maxInFlight: undefined, // (the client's own cap per server, inFlight above, is the one)
        // Retries are run here (each attempt re-built with a fresh serialno and its own slot).
        retry: false,
        // (its maxDelayMs bounds a wait for a Retry-After hold: the 2 s default was used)
        holdRetry: options.retry || undefined,
        secrets: () => session.redactor(),
        checkBody: (body, op, status) => (op.operationId === loginScheme().operationId ? checkLoginAnswer(body, op, transports[s].redactor()) : transports[s].checkEnvelope(body, op, status)),
      }),
    ]),
  ) as Record<XeleServer, HttpTransport>;
  // (after the transports' own check of each URL, which names what is wrong with one)
  oneServerDefaulted(options, ctx);
  const login = loginThrough({ urls, inFlight, transports });
  session = new XeleSession({ username, password, login, log: options.log, firstSerialNo: options.firstSerialNo });
  return { urls, inFlight, transports, session, counterVersion };
}

/** The `counterVersion` option upper-cased, or a UsageError for one not written as the vendor doc writes versions. */
function counterVersionOf(given: unknown, ctx: ErrorContext): string | undefined {
  if (given === undefined) return undefined;
  const version = typeof given === "string" ? given.trim().toUpperCase() : undefined;
  if (version === undefined || !COUNTER_VERSION_FORM.test(version)) {
    throw new UsageError(`counterVersion is a counter version as the vendor doc writes them (003, 007, 007P7, 007P8, 007P9), got ${typeof given === "string" ? JSON.stringify(given.slice(0, 40)) : typeName(given)}`, ctx);
  }
  return version;
}

/** The session's login: the login operation on the MA server, its token field read from the answer. */
function loginThrough(wire: Omit<XeleWire, "session" | "counterVersion">): (username: string, password: string) => Promise<string> {
  const scheme = loginScheme();
  const loginOp = findOperation(xeleMeta, scheme.operationId)!;
  return async (username, password) => {
    const req = wireRequest(loginOp, wire.urls.MA, stringifyJson({ username, password }));
    const ma = wire.transports.MA;
    const result = await wire.inFlight.MA.run(() => ma.execute(loginOp, req, { [SESSION_LOGIN]: true } as CallOptions), undefined, ctxOf(loginOp), ma.timeoutOf(loginOp, undefined));
    const body = result.body as Record<string, unknown> | null;
    const ticket = body && typeof body === "object" ? body[scheme.tokenField] : undefined;
    if (typeof ticket === "string" && ticket !== "") return ticket;
    throw new ResponseFormatError(`the login answer has no "${scheme.tokenField}" (the token)`, "", ctxOf(loginOp));
  };
}

/** The longest login ticket taken (a JWT with many claims is a few KiB). */
const MAX_TICKET_CHARS = 16_384;

/**
 * The login answer has no envelope (the vendor doc names none): one without the token that
 * carries a code other than 0 is that code's ApiError (a wrong password: 114), before the
 * answer is checked against its schema.
 *
 * A token that is there but no string (`"ticket": 48151623`) is refused here, naming its JSON
 * type only: the schema check that would come next shows a wrong number by its value, and the
 * value is the session token.
 */
function checkLoginAnswer(body: unknown, op: OperationMeta, redactor: Redactor): void {
  if (!body || typeof body !== "object") return;
  const b = body as Record<string, unknown>;
  const field = loginScheme().tokenField;
  const ticket = b[field];
  if ((typeof ticket === "string" && ticket !== "") || b.code === undefined || textOf(b.code) === "0") {
    // A token goes out with every request and into every error's redactor: one of megabytes is no
    // token (each failed call searched every text for its forms); its text is not shown.
    if (typeof ticket === "string" && ticket.length > MAX_TICKET_CHARS) {
      throw new ResponseFormatError(`the login answer's ${field} (the token) is ${ticket.length} characters long; a token of more than ${MAX_TICKET_CHARS} is not taken`, "", ctxOf(op));
    }
    if (ticket === undefined || ticket === null || typeof ticket === "string") return;
    throw new ResponseFormatError(`the answer does not fit the spec: ${field} (the token) must be string, got ${jsonTypeName(ticket)}`, snippet(textOf(body), redactor), ctxOf(op));
  }
  throw apiErrorFromCode({ ...ctxOf(op), code: b.code as number, vendorMessage: b.msg == null ? undefined : textOf(b.msg), body }, xeleMeta.errorCodes);
}

/** The JSON type of a value as the schema check names it (integer, number, array, …), never the value. */
const jsonTypeName = (v: unknown): string =>
  v === null ? "null" : Array.isArray(v) ? "array" : typeof v === "bigint" || (typeof v === "number" && Number.isInteger(v)) ? "integer" : typeof v;

/** Errors of `op` name the API and the operation. */
const ctxOf = (op: OperationMeta): ErrorContext => ({ api: "xele", operation: op.operationId });

const isInvalidToken = (e: unknown) => e instanceof ApiError && loginScheme().reloginOnCodes.includes(Number(e.code));

/** An operation the caller may run (every one but login, which the session does); anything else, a symbol too, is a UsageError. */
function operationOf(id: string): OperationMeta {
  const op = requireOperation(xeleMeta, id);
  if (op.operationId === loginScheme().operationId) throw new UsageError("login is done by the session: call client.login() or just call an operation", { api: "xele" });
  return op;
}

/**
 * Send `data` for `op` and hand the result to `decode` (inside the retry scope, so a 109
 * hidden in a text answer also leads to the re-login). One re-login per call at most.
 */
async function sendInSession<R>(wire: XeleWire, options: XeleClientOptions, op: OperationMeta, data: PreparedData, decode: (r: TransportResult) => R, opts?: CallOptions): Promise<R> {
  const { session, inFlight, transports, urls } = wire;
  const server = serverOf(op);
  const ctx = ctxOf(op);
  // A wait for a slot ends after the call's timeout, as each attempt does.
  const slotWait = transports[server].timeoutOf(op, opts);
  // The call's signal and the client's end every wait of the call: the login, a slot, a backoff.
  const { signal, both } = callSignal(opts?.signal, options.signal);
  const abort = { signals: [signal], error: (s: AbortSignal) => callerAborted(ctx, s.reason) };
  try {
    const since = session.refusals;
    for (let relogins = 0, stale = 0; ; ) {
      const token = await tokenFor(session, abort, transports[server], op, opts);
      // The token sent: the newest one held when the request leaves (one may have come while it waited for a slot).
      let sent = token;
      try {
        return await withRetries(
          op.retryable && options.retry !== false,
          async () => {
            const result = await inFlight[server].run(
              () => {
                sent = tokenToSend(session, token, ctx, stale, since);
                const json = requestJson(op, data, { token: sent, serialno: session.nextSerialNo(), operator: options.operator });
                // (a 109, in the envelope or in rows, drops the token before the slot passes on:
                // the next call in line must not send it)
                return transports[server]
                  .execute(op, wireRequest(op, urls[server], json), opts)
                  .then(decode)
                  .catch((e: unknown) => Promise.reject(dropIfRefused(session, sent, e)));
              },
              signal,
              ctx,
              slotWait,
            );
            session.accepted(sent);
            return result;
          },
          options.retry || {},
          abort,
        );
      } catch (e) {
        if (e === STALE_TOKEN) {
          stale++;
          continue;
        }
        if (!isInvalidToken(e)) {
          // (an answer's own code: the counter read the token; not one the client made itself)
          if (e instanceof ApiError && e.code !== RETRY_AFTER_HOLD) session.accepted(sent);
        } else if (reloginMayHelp(session, sent, since) && relogins++ === 0) continue; // (the 109 dropped the token inside the slot)
        throw e;
      }
    }
  } finally {
    both?.dispose();
  }
}

/** `e`, after dropping `token` from the session when `e` is its 109. */
function dropIfRefused(session: XeleSession, token: string, e: unknown): unknown {
  if (isInvalidToken(e)) session.invalidate(token, e);
  return e;
}

/**
 * After a 109 for `sent`: may a new login's token fare better? Not when `sent` was itself refused
 * as soon as it was issued, nor when one was since the call began (`since`: the session's
 * `refusals` then): the counter refuses MA's tokens.
 */
const reloginMayHelp = (session: XeleSession, sent: string, since: number): boolean => !session.refusalOf(sent) && !session.refusalSince(since);

/** Thrown (inside a slot, which it gives back) when the call's token was dropped while the call waited: it waits for the new login. */
const STALE_TOKEN = new Error("the token was dropped while the call waited for a slot");

/**
 * The token a request leaves with, once it has its slot: the newest held (a login may have
 * come while it waited). When there is none, its own was dropped meanwhile (a 109 to another
 * call): sent, it would meet a 109 too. A token refused as soon as it was issued fails the call
 * with that refusal, nothing sent; else the call waits for the new login (STALE_TOKEN, at most
 * 3 times, then it is sent as it is).
 */
function tokenToSend(session: XeleSession, token: string, ctx: ErrorContext, stale: number, since: number): string {
  const now = session.currentToken();
  if (now !== undefined) return now;
  // (its own token refused, or a newer one since the call began: the counter refuses MA's tokens)
  const refusal = (session.refusalOf(token) ?? session.refusalSince(since))?.error;
  if (refusal instanceof TradeApiError) throw errorForCall(refusal, ctx, "not sent: the token it would carry was refused: ");
  if (stale < 3) throw STALE_TOKEN;
  return token;
}

/**
 * The session's token for a call: a wait for the login ends with the call's signals and, when
 * the call gives its own `timeoutMs`, after that long (a TimeoutError, not retried: nothing of
 * the call was sent). The shared login itself goes on for the other calls.
 */
function tokenFor(session: XeleSession, abort: WaitAbort, transport: HttpTransport, op: OperationMeta, opts: CallOptions | undefined): Promise<string> {
  const ctx = ctxOf(op);
  // A login's failure reaches each call waiting for it as its own error, naming the call's operation.
  const token = session.hasToken ? session.token() : session.token().catch((e: unknown) => Promise.reject(errorForCall(e, ctx, "the login failed: ")));
  if (opts?.timeoutMs === undefined || opts.timeoutMs === null || session.hasToken) return unlessAborted(token, abort);
  // (in whole ms, as each attempt's: 1.5 is 2)
  const ms = transport.timeoutOf(op, opts);
  // The call's timeout as one more signal of the same wait.
  const late = AbortSignal.timeout(ms);
  return unlessAborted(token, {
    signals: [...abort.signals, late],
    error: (s) => (s === late ? notRetried(new TimeoutError(`no login within ${ms} ms (this call's timeoutMs): nothing was sent; the login goes on for the other calls`, { ...ctx, timeoutMs: ms })) : abort.error(s)),
  });
}

/** A bad per-call option is a UsageError before the login or a slot is waited for. */
function checkCallOptions(transport: HttpTransport, op: OperationMeta, opts: CallOptions | undefined): void {
  if (opts === undefined) return;
  if (opts === null || typeof opts !== "object") {
    throw new UsageError(`the call options must be an object { signal?, timeoutMs? }, got ${typeName(opts)}`, ctxOf(op));
  }
  checkOptionNames(ctxOf(op), "the call options", opts, CALL_OPTIONS);
  transport.checkCallOptions(op, opts);
  if (opts.signal?.aborted) throw callerAborted(ctxOf(op), opts.signal.reason);
}

const pipeOptions = (op: OperationMeta): PipeRowsOptions => ({ layout: pipeRowsOf(op), context: ctxOf(op), errorCodes: xeleMeta.errorCodes });

/** How `op`'s answer becomes what `call` resolves to: the export, typed rows, or the envelope's data. */
function answerDecoder(op: OperationMeta): (r: TransportResult) => unknown {
  const layout = pipeRowsOf(op);
  // Rows are decoded from the bytes as received, strictly in the answer's charset (never U+FFFD).
  const rowsOptions = (r: TransportResult): PipeRowsOptions => ({ ...pipeOptions(op), charset: charsetOf(r.contentType) });
  if (layout?.firstLineIsFileName) return (r) => decodeClientSystemExport(r.raw ?? r.body, rowsOptions(r));
  if (layout) return (r) => decodePipeRows(r.raw ?? r.body, rowsOptions(r));
  return (r) => callData(xeleMeta, op, r.body);
}

/** `streamRows` before scrubbing: one slot held while reading; one re-login if a 109 comes before the first row. */
async function* streamInSession(wire: XeleWire, options: XeleClientOptions, id: string, data?: unknown, opts?: CallOptions): AsyncGenerator<unknown, void, undefined> {
  const { session, inFlight, transports, urls } = wire;
  const op = operationOf(id);
  const layout = pipeRowsOf(op);
  const ctx = ctxOf(op);
  if (!layout || layout.firstLineIsFileName) throw new UsageError("streamRows needs an operation that answers in \"|\" rows", ctx);
  const prepared = prepareData(op, data, wire.counterVersion);
  const server = serverOf(op);
  checkCallOptions(transports[server], op, opts);
  const { signal, both } = callSignal(opts?.signal, options.signal);
  try {
    const since = session.refusals;
    for (let relogins = 0, stale = 0; ; ) {
      const token = await tokenFor(session, { signals: [signal], error: (s) => callerAborted(ctx, s.reason) }, transports[server], op, opts);
      const release = await inFlight[server].acquire(signal, ctx, transports[server].timeoutOf(op, opts), true);
      // An abort frees the slot at once, even while the caller is not reading (its request ends with it).
      // (onAbort: one listener per signal however many streams share it)
      const off = signal ? onAbort(signal, release) : undefined;
      let sent = token;
      let yielded = 0;
      try {
        // The newest token held once the slot is ours (one may have come while it waited).
        sent = tokenToSend(session, token, ctx, stale, since);
        const json = requestJson(op, prepared, { token: sent, serialno: session.nextSerialNo(), operator: options.operator });
        const { body, contentType } = await transports[server].open(op, wireRequest(op, urls[server], json), opts);
        // The call's timeout bounds each wait for the next chunk (the transport) and for the next row.
        const lineTimeoutMs = transports[server].timeoutOf(op, opts);
        for await (const row of decodePipeRowStream(body, { ...pipeOptions(op), charset: charsetOf(contentType), maxHeldChars: options.maxResponseBytes, lineTimeoutMs })) {
          if (yielded++ === 0) session.accepted(sent);
          // An abort ends the stream at the next row, not after the rows already read.
          if (signal?.aborted) throw callerAborted(ctx, signal.reason);
          yield row;
        }
        if (yielded === 0) session.accepted(sent);
        return;
      } catch (e) {
        if (e === STALE_TOKEN) {
          stale++;
          continue;
        }
        if (yielded === 0 && isInvalidToken(e)) {
          session.invalidate(sent, e);
          if (reloginMayHelp(session, sent, since) && relogins++ === 0) continue;
        } else if (e instanceof ApiError && !isInvalidToken(e)) session.accepted(sent);
        throw e;
      } finally {
        off?.();
        release();
      }
    }
  } finally {
    both?.dispose();
  }
}

/**
 * A client of the Xele counter management protocol on its two servers (MA: login and auth
 * operations, MS: the counter). `call(operationId, data)` resolves to the operation's rows, its
 * export or its envelope data and throws a typed TradeApiError; `streamRows` reads a "|" row
 * answer row by row. The first call logs in (one login shared by concurrent calls; one re-login
 * and retry on 109, invalid token). Options that cannot work are a UsageError at once; nothing
 * is sent until a call.
 *
 *   const xele = createXeleClient({ maUrl: "http://10.0.0.5:8899", msUrl: "http://10.0.0.5:8181", username, password });
 *   const positions = await xele.call("getPositions", { investor_id: ["777001"] });
 */
export function createXeleClient<D extends DecimalsMode = "exact">(given: XeleClientOptions & { decimals?: D | undefined } = {}): XeleClient<D> {
  // What the caller gave, never Object.prototype's (ownFields); the call options and data too.
  const options = ownFields(given, true);
  const wire = openXeleWire(options);
  const { session, transports, inFlight, urls } = wire;
  /** Every error leaves this client through here: the password, recent tokens and URL credentials removed. */
  const scrub = (e: unknown): unknown => session.redactor().error(e);

  async function call(id: string, given?: unknown, callOptions?: CallOptions): Promise<unknown> {
    const data = heldParams(given); // (at every depth: what is checked is sent)
    const opts = ownFields(callOptions);
    try {
      const op = operationOf(id);
      const prepared = prepareData(op, data, wire.counterVersion);
      checkCallOptions(transports[serverOf(op)], op, opts);
      return await sendInSession(wire, options, op, prepared, answerDecoder(op), opts);
    } catch (e) {
      throw scrub(e);
    }
  }

  async function* streamRows(id: string, data?: unknown, opts?: CallOptions): AsyncGenerator<unknown, void, undefined> {
    try {
      yield* streamInSession(wire, options, id, heldParams(data), ownFields(opts));
    } catch (e) {
      throw scrub(e);
    }
  }

  const client: XeleClient<D> = {
    call: call as XeleClient<D>["call"],
    streamRows: streamRows as XeleClient["streamRows"],
    exportClientSystemInfo: (data, opts) => call("exportClientSystemInfo", data, opts) as Promise<ClientSystemExport>,
    async saveClientSystemExport(data, dir, opts) {
      const { overwrite, ...callOptions } = ownFields(opts ?? {});
      const exported = (await call("exportClientSystemInfo", data, callOptions)) as ClientSystemExport;
      const path = await saveClientSystemExport(exported, dir, { overwrite });
      return path === null ? null : { path, lines: exported.lines.length };
    },
    async login() {
      session.reset();
      try {
        await session.token();
      } catch (e) {
        throw scrub(e);
      }
    },
    session,
    transports,
    inFlight,
  };
  return describeAs(client, "XeleClient", () => ({
    api: "xele",
    maUrl: redactUrl(urls.MA),
    msUrl: redactUrl(urls.MS),
    username: options.username,
    password: options.password ? "[set]" : "[missing]",
    ...(wire.counterVersion ? { counterVersion: wire.counterVersion } : {}),
    hasToken: session.hasToken,
  }));
}
