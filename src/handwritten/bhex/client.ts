/**
 * `createBhexOrgClient`: the BHEX broker Org API client. Configuration of the shared REST
 * factory (core/rest-client.ts: transport, openapi-fetch-typed methods, rate limits, retries,
 * lossless JSON, typed errors) with BHEX's pure signer (src/auth/bhex.ts), plus:
 *
 *   call(operationId, params)     any operation with one flat params object; resolves to `data`
 *   callWithKey(...)              the same, also returning the idempotency key that was sent
 *   withIdempotencyKey(...)       params with a key filled in, to keep for your own retries
 *   paginate(operationId, params) every record of a from_id/to_id list, exactly once
 *   downloadData(params, file)    a history .xlsx saved to disk
 *
 * Signing: header X-ACCESS-KEY, and the `signature` parameter over every parameter sent, in
 * the query (GET) or the form body (POST), as the vendor demos do. `allAsPost: true` sends
 * every call as a form POST, which is what those demos do even for documented GETs.
 *
 * Idempotency: operations with an `x-idempotency-key` (order create, withdraw, finance
 * tasks, payments) get a generated key when the caller gives none, made once per call so
 * that every attempt sends the same value.
 */
import type { components, operations, paths } from "../../../generated/bhex-org.js";
import { meta, type DataFields, type NoData, type RequiredOneOf } from "../../../generated/bhex-org.meta.js";
import { authorizeBhex, BHEX_SIGNATURE_VARIANTS, type BhexSignatureVariant } from "../../auth/bhex.js";
import { apiErrorFromCode, callerAborted, markIdempotencyKey, shownValue, UsageError } from "../core/errors.js";
import { unlessAborted } from "../core/abort.js";
import { isThenable } from "../core/observe.js";
import type { DecimalsAs } from "../core/decimals.js";
import type { CallOptions, HttpTransport } from "../core/http-transport.js";
import type { DecimalsMode } from "../core/json.js";
import { callData, type OperationMeta } from "../core/meta.js";
import { buildRequest, requireOperation, type CallData, type OperationParams, type ParamsArg, type WithRequiredOneOf } from "../core/operation-call.js";
import { RateLimiter } from "../core/rate-limit.js";
import { buildRestClient, keyCredentials, type KeyedClientOptions, type RestMethods } from "../core/rest-client.js";
import { checkRetryOptions, withRetries, type RetryOptions } from "../core/retry.js";
import { checkOption, checkOptionsObject, heldParams, ownFields } from "../core/validate.js";
import { documentedHttpError, downloadData, expectXlsx, type DownloadedFile } from "./download.js";
import { fillIdempotencyKey, idempotencyParamOf, newBhexClientOrderId, type BhexIdempotencyKeys, type IdempotencyKey } from "./idempotency.js";
import { batchItemsSpec, encodeBatchItems, type BhexBatchOperationId, type BhexBatchRows, type BhexItemsForm } from "./items.js";
import { paginate, type BhexPagedOperationId, type BhexRecord, type PaginateOptions } from "./paginate.js";

/** The BHEX spec's operations, by operationId (generated types). */
export type BhexOperations = operations;
/** The name of a BHEX operation, as `call` takes it: "orderCreate", "statisticsLockRecord", … */
export type BhexOperationId = keyof operations;
/** The BHEX spec's paths (openapi-typescript's `paths`), as the `GET`/`POST` methods take them. */
export type BhexPaths = paths;
/** The BHEX spec's components (its schemas), generated types. */
export type BhexComponents = components;
/** The operation's parameters exactly as the spec has them. */
export type BhexParams<K extends BhexOperationId> = OperationParams<operations[K]>;
/** What `call` resolves to: the envelope's `data`, or the whole answer of the four bare calls and the .xlsx bytes. */
/** What `call(K)` resolves to; for a union of operations, the union of theirs (a typed mock of `call` takes any one). */
export type BhexData<K extends BhexOperationId> = K extends unknown ? CallData<operations[K], DataFields[K]> | NoData[K] : never;

type Flatten<T> = { [P in keyof T]: T[P] } & {};
/** int64 parameters also take a string of digits: the answers carry most IDs as strings. */
type IdsAsText<P> = { [Q in keyof P]: bigint extends P[Q] ? P[Q] | string : P[Q] };
type WithOptionalKey<P, Key> = [Key] extends [keyof P] ? Omit<P, Key> & { [Q in Key & keyof P]?: P[Q] | undefined } : P;
type WithRows<P, K> = K extends BhexBatchOperationId
  ? "items" extends keyof P
    ? Omit<P, "items"> & { items: P["items"] | ReadonlyArray<BhexBatchRows[K]> }
    : P
  : P;
/**
 * What `call` takes: the spec's params, except that the idempotency key may be left out
 * (one is generated), int64 IDs may also be decimal strings (checked before sending) and
 * batch `items` may be typed rows (encoded per `data_type`).
 */
export type BhexCallParams<K extends BhexOperationId> = Flatten<
  WithRequiredOneOf<
    WithRows<IdsAsText<WithOptionalKey<BhexParams<K>, K extends keyof BhexIdempotencyKeys ? BhexIdempotencyKeys[K] : never>>, K>,
    K extends keyof RequiredOneOf ? RequiredOneOf[K] : []
  >
>;

/** The base URL a client uses without `baseUrl`: the spec's server, https://www.bhex.cn (a broker has its own host). */
export const BHEX_DEFAULT_BASE_URL = meta.servers[0]?.url ?? "https://www.bhex.cn";

/**
 * What `createBhexOrgClient` takes: the key pair (`accessKey`, `secretKey`), the options of
 * every REST client (`timeoutMs`, `retry`, `rateLimit`, `onEvent`, `decimals` …) and BHEX's own
 * (signing, idempotency keys). Every option is optional; an unknown one is a UsageError.
 */
export interface BhexOrgClientOptions extends KeyedClientOptions {
  /** The broker's Org API host (default: the spec's server, https://www.bhex.cn). */
  baseUrl?: string | undefined;
  /**
   * Send every call as a form POST with the signature in the body, as the vendor demos do,
   * instead of the documented method (GET calls then carry their parameters in the body).
   */
  allAsPost?: boolean | undefined;
  /**
   * Which vendor demo's canonical string to sign (src/auth/bhex.ts): "java" (default: names
   * sorted, raw values), "python" (whole `k=v` strings sorted) or "php" (http_build_query).
   */
  signatureVariant?: BhexSignatureVariant | undefined;
  /** Make a new idempotency key (default: newBhexClientOrderId, 19 digits). */
  newIdempotencyKey?: ((operationId: string, param: string) => string) | undefined;
  /**
   * Told about every idempotency key before its call is sent, e.g. to record it, once the
   * call's parameters have passed their checks (a refused call's key is never heard). An async
   * one is waited for: the call goes out once its promise resolves, and not at all when it
   * rejects (the call rejects with that error).
   */
  onIdempotencyKey?: ((key: IdempotencyKey) => void) | undefined;
  /**
   * Opt-in: also retry operations that carry an idempotency key on transient failures
   * (connection errors, timeouts, 5xx), resending the same key. Off by default: the server
   * may answer a resend with a duplicate-request error even though the first attempt went
   * through, so query the order by its client id to learn the outcome.
   */
  idempotentRetry?: RetryOptions | boolean | undefined;
}

/** `D`: the client's `decimals` option (its data typed as `call` types it). */
export interface BhexCallResult<K extends BhexOperationId, D extends DecimalsMode = "exact"> {
  data: DecimalsAs<BhexData<K>, D>;
  /** The idempotency key sent, for operations that have one. */
  idempotencyKey: IdempotencyKey | undefined;
}

/**
 * `D`: the `decimals` option; with "string", decimal fields are typed `string | number` (the
 * BHEX spec writes every price and amount as a string already, so its types do not change).
 */
export interface BhexOrgClient<D extends DecimalsMode = "exact"> extends RestMethods<DecimalsAs<paths, D>> {
  /**
   * Call any operation by operationId (at run time also by "METHOD /path", untyped); resolves to the envelope's `data`.
   * `opts`: this call's `{ signal, timeoutMs }`.
   */
  call<K extends BhexOperationId>(operationId: K, ...params: [...ParamsArg<BhexCallParams<K>>, opts?: CallOptions]): Promise<DecimalsAs<BhexData<K>, D>>;
  /** Like `call`, also returning the idempotency key that was sent (generated or given). */
  callWithKey<K extends BhexOperationId>(operationId: K, ...params: [...ParamsArg<BhexCallParams<K>>, opts?: CallOptions]): Promise<BhexCallResult<K, D>>;
  /** `params` with the operation's idempotency key filled in, for callers who retry later themselves. */
  withIdempotencyKey<K extends BhexOperationId>(operationId: K, params: BhexCallParams<K>): BhexCallParams<K> & (K extends keyof BhexIdempotencyKeys ? { [Q in BhexIdempotencyKeys[K] & keyof BhexParams<K>]: BhexParams<K>[Q] } : unknown);
  /** Every record of a from_id/to_id-paged list, each exactly once, newest first. */
  paginate<K extends BhexPagedOperationId>(operationId: K, params: BhexCallParams<K>, options?: PaginateOptions): AsyncGenerator<DecimalsAs<BhexRecord<K>, D>, void, undefined>;
  /** Download a history .xlsx (statistics/download_data) to `filePath`; `opts`: this call's `{ signal, timeoutMs }`. */
  downloadData(params: BhexParams<"statisticsDownloadData">, filePath: string, opts?: CallOptions): Promise<DownloadedFile>;
  /** The HTTP transport every call of this client goes through. */
  readonly transport: HttpTransport;
  /** The rate limiter the client waits on (its own, or the one given as `rateLimit`); null when limiting is off. */
  readonly rateLimiter: RateLimiter | null;
}

/** A limiter with the spec's limits, to share between clients of the same key. */
export function createBhexRateLimiter(): RateLimiter {
  return new RateLimiter(meta.rateLimits);
}

/** Typed rows in `items` → the wire text for `data_type` (strings pass through). */
function encodeItemsParam(op: OperationMeta, params: Record<string, unknown>): Record<string, unknown> {
  const items = params.items;
  if (items === undefined || typeof items === "string" || !batchItemsSpec(op)) return params;
  const form = params.data_type;
  if (form !== "simple" && form !== "json") {
    throw new UsageError(`data_type must be "simple" or "json" to encode items rows, got ${shownValue(form)}`, { api: "bhex", operation: op.operationId });
  }
  return { ...params, items: encodeBatchItems(op.operationId as BhexBatchOperationId, items as never, form as BhexItemsForm) };
}

/**
 * The parameters as they will be sent (items rows encoded), checked as the request is built: a
 * UsageError before `onIdempotencyKey` hears a key, so it never records a call that cannot go out.
 */
function checkedParams(op: OperationMeta, params: Record<string, unknown>): Record<string, unknown> {
  const encoded = encodeItemsParam(op, params);
  buildRequest("bhex", op, encoded, "");
  return encoded;
}

/**
 * The gateway's {code,msg} error shape (documented with HTTP 400/500) arriving with a 200:
 * report the vendor's code, not a missing envelope field.
 */
function checkBhexBody(body: unknown, op: OperationMeta, _status: number, envelopeCheck: (body: unknown, op: OperationMeta) => void): void {
  if (body && typeof body === "object" && !Array.isArray(body)) {
    const b = body as Record<string, unknown>;
    const isCode = (v: unknown): v is string | number | bigint => typeof v === "number" || typeof v === "string" || typeof v === "bigint";
    // The gateway's {code, msg}; and for the four bare answers (x-envelope: false; `{"success":
    // true}`, an account, a list), the envelope's failure too: a transfer refused with
    // {"status": 31009, "msg"} resolved as if it had been made.
    const code =
      !("status" in b) && isCode(b.code) ? b.code
      : op.envelope === false && !("success" in b) && isCode(b.status) && String(b.status) !== "0" ? b.status
      : undefined;
    if (code !== undefined && typeof b.msg === "string") {
      throw apiErrorFromCode({ api: "bhex", operation: op.operationId, code: code as string | number, vendorMessage: b.msg, body }, meta.errorCodes);
    }
  }
  // JSON where the .xlsx file should be: refused here, in the transport, as checkFile refuses other
  // text (the error loses this call's own signed values).
  if (op.operationId === "statisticsDownloadData") expectXlsx(body);
  envelopeCheck(body, op);
}

/** The options only BHEX takes (the type checks that the list is whole). */
const BHEX_OPTIONS = {
  allAsPost: 1,
  signatureVariant: 1,
  newIdempotencyKey: 1,
  onIdempotencyKey: 1,
  idempotentRetry: 1,
} satisfies Record<Exclude<keyof BhexOrgClientOptions, keyof KeyedClientOptions>, 1>;

/**
 * A client of the BHEX broker Org API: `call(operationId, params)` for any operation (resolves
 * to the envelope's `data`, throws a typed TradeApiError), `callWithKey`, `paginate`,
 * `downloadData` and the openapi-fetch methods (`GET`, `POST` …). Operations with an
 * idempotency key get one generated when none is given, the same for every attempt. Options
 * that cannot work are a UsageError at once; a missing key is a CredentialsError at the first
 * signed call.
 *
 *   const bhex = createBhexOrgClient({ accessKey, secretKey, baseUrl: "https://your-broker-host" });
 *   const task = await bhex.call("financeGetBatchLockPositionResult", { client_order_id: "…" });
 */
export function createBhexOrgClient<D extends DecimalsMode = "exact">(options: BhexOrgClientOptions & { decimals?: D | undefined } = {}): BhexOrgClient<D> {
  const ctx = { api: "bhex" };
  checkOptionsObject(ctx, "options", options);
  options = ownFields(options, true); // (what the caller gave, never Object.prototype's)
  checkRetryOptions(options.idempotentRetry, "idempotentRetry", ctx);
  checkOption(ctx, "allAsPost", options.allAsPost, "boolean");
  checkOption(ctx, "signatureVariant", options.signatureVariant, BHEX_SIGNATURE_VARIANTS);
  checkOption(ctx, "newIdempotencyKey", options.newIdempotencyKey, "function");
  checkOption(ctx, "onIdempotencyKey", options.onIdempotencyKey, "function");
  const newKey = options.newIdempotencyKey ?? (() => newBhexClientOrderId());
  // (both held as they are now: a caller's later change to its objects changes nothing)
  const retryOpts: RetryOptions | undefined =
    options.idempotentRetry === true ? {} : options.idempotentRetry === false || options.idempotentRetry === undefined ? undefined : ownFields(options.idempotentRetry, true);
  const retryBase: RetryOptions = options.retry ? ownFields(options.retry, true) : {};

  const client = buildRestClient({
    api: "bhex",
    meta,
    name: "BhexOrgClient",
    options,
    credentials: keyCredentials(options),
    optionNames: BHEX_OPTIONS,
    sign: (req, { credential }) =>
      authorizeBhex(req, {
        accessKey: credential("accessKey"),
        secretKey: credential("secretKey"),
        variant: options.signatureVariant,
        allAsPost: options.allAsPost ?? false,
      }),
    // The idempotency key (made once per call, unless given) and typed batch rows.
    prepare: (op, params) => {
      // call() fills the key before (and reports it); the openapi-fetch methods get theirs here.
      const { params: filled, key } = fillIdempotencyKey(op, params, newKey);
      if (!key?.generated || !options.onIdempotencyKey) return encodeItemsParam(op, filled);
      const encoded = checkedParams(op, filled);
      const told: unknown = options.onIdempotencyKey(key);
      return isThenable(told) ? Promise.resolve(told).then(() => encoded) : encoded;
    },
    checkBody: checkBhexBody,
    // (in the transport: a refused file's error loses its own request's signed values)
    checkFile: (body, op) => void (op.operationId === "statisticsDownloadData" && expectXlsx(body)),
    // The key the request carried, on the error of every call handed to the transport (sent, or
    // given up while waiting its turn): `.POST` and friends too (call() marks it itself), so an
    // order whose outcome is unknown can be looked up by it.
    mapError: (op, e, sent) => {
      const mapped = documentedHttpError(op, e);
      const param = sent && idempotencyParamOf(op);
      const value = param ? sent[param] : undefined;
      return typeof value === "string" || typeof value === "number" || typeof value === "bigint" ? markIdempotencyKey(mapped, { param: param!, value: String(value) }) : mapped;
    },
    extend: (core) => {
      // The operation a reference names, its parameters checked to be an object before the key is filled in.
      const operationFor = (ref: string, params: unknown) => {
        const target = requireOperation(meta, ref);
        checkOptionsObject({ api: "bhex", operation: target.operationId }, "the parameters", params, "name → value");
        return target;
      };
      const callWithKey = async (ref: string, given: Record<string, unknown> = {}, callOptions?: CallOptions) => {
        const target = operationFor(ref, given);
        // What the caller gave, never Object.prototype's (ownFields); the items rows held as they
        // are now (heldValue): every attempt under the one key sends the same batch (the caller
        // may refill its list while the call runs).
        const params = heldParams(given);
        const opts = ownFields(callOptions);
        const { params: filled, key } = fillIdempotencyKey(target, params, newKey);
        // The call's signal and the client's end its waits at once: for the hook, between attempts.
        const abort = { signals: [opts?.signal, options.signal], error: (s: AbortSignal) => callerAborted({ api: "bhex", operation: target.operationId }, s.reason) };
        if (key && options.onIdempotencyKey) checkedParams(target, filled);
        const told: unknown = key ? options.onIdempotencyKey?.(key) : undefined;
        if (isThenable(told)) await unlessAborted(Promise.resolve(told), abort);
        const run = () => core.execute(ref, filled, opts);
        try {
          const { op, result } = key && retryOpts ? await withRetries(true, run, { ...retryBase, ...retryOpts }, abort) : await run();
          return { data: callData(meta, op, result.body), idempotencyKey: key };
        } catch (e) {
          // The id to look the order up by, on the error of the call that used it.
          throw key ? markIdempotencyKey(e, key) : e;
        }
      };
      const self = () => core.self() as unknown as BhexOrgClient;
      return {
        call: async (ref: string, params?: Record<string, unknown>, opts?: CallOptions) => (await callWithKey(ref, params, opts)).data,
        callWithKey,
        withIdempotencyKey: (ref: string, params: Record<string, unknown> = {}) => fillIdempotencyKey(operationFor(ref, params), ownFields(params), newKey).params,
        paginate: (ref: BhexPagedOperationId, params: never, opts?: PaginateOptions) => paginate(self(), ref, params, opts),
        downloadData: (params: BhexParams<"statisticsDownloadData">, filePath: string, opts?: CallOptions) =>
          downloadData(self(), params, filePath, opts).catch((e: unknown) => {
            // A JSON or text answer where the file was expected: its echo loses the signed values too.
            throw core.transport.redactor().error(e);
          }),
      };
    },
  });
  // The decimals option changes only what numbers decode to; DecimalsAs types that.
  return client as unknown as BhexOrgClient<D>;
}
