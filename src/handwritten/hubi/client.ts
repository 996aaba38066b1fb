/**
 * `createHubiClient`: the Hubi futures REST client. Configuration of the shared REST factory
 * (core/rest-client.ts) with Hubi's pure signer (src/auth/hubi.ts: a fresh timestamp and the
 * next seqNum per attempt) and its error answers (./errors.ts), plus `cancelOrderBatch`.
 */
import { randomInt } from "node:crypto";
import type { components, operations, paths } from "../../../generated/hubi-futures.js";
import { meta, type DataFields, type NoData } from "../../../generated/hubi-futures.meta.js";
import { authorizeHubi, hubiTimestamp } from "../../auth/hubi.js";
import { typeName, UsageError } from "../core/errors.js";
import type { DecimalsAs } from "../core/decimals.js";
import type { CallOptions, HttpTransport } from "../core/http-transport.js";
import type { DecimalsMode } from "../core/json.js";
import type { CallData, OperationParams, ParamsArg } from "../core/operation-call.js";
import type { RateLimiter } from "../core/rate-limit.js";
import { buildRestClient, keyCredentials, type KeyedClientOptions, type RestMethods } from "../core/rest-client.js";
import { checkOption, checkOptionsObject, ownFields } from "../core/validate.js";
import { checkHubiBody, checkHubiErrorBody } from "./errors.js";

/** The Hubi spec's operations, by operationId (generated types). */
export type HubiOperations = operations;
/** The name of a Hubi operation, as `call` takes it: "enterOrder", "queryOrderById", … */
export type HubiOperationId = keyof operations;
/** The Hubi spec's paths (openapi-typescript's `paths`), as the `GET`/`POST` methods take them. */
export type HubiPaths = paths;
/** An order, as the spec's `Order` schema describes it. */
export type HubiOrder = components["schemas"]["Order"];
/** An account, as the spec's `Account` schema describes it. */
export type HubiAccount = components["schemas"]["Account"];
/** A position, as the spec's `Position` schema describes it. */
export type HubiPosition = components["schemas"]["Position"];
/** Params of `call`; `order_nos` of cancelOrderBatch may also be an array (sent comma-joined). */
export type HubiParams<K extends HubiOperationId> = K extends "cancelOrderBatch"
  ? { order_nos: string | ReadonlyArray<string> }
  : OperationParams<operations[K]>;
/** What `call` resolves to: the bare answer of queries, the `result` of actions. */
/** What `call(K)` resolves to; for a union of operations, the union of theirs (a typed mock of `call` takes any one). */
export type HubiData<K extends HubiOperationId> = K extends unknown ? CallData<operations[K], DataFields[K]> | NoData[K] : never;

/** The base URL a client uses without `baseUrl`: the spec's server, https://api.hubi.com. */
export const HUBI_DEFAULT_BASE_URL = meta.servers[0]?.url ?? "https://api.hubi.com";

/**
 * What `createHubiClient` takes: the credentials (`accessKey`, `secretKey`, `accessToken`), the
 * options of every REST client (`baseUrl`, `timeoutMs`, `retry`, `onEvent`, `decimals` …) and
 * Hubi's own signing options. Every option is optional; an unknown one is a UsageError.
 * `rateLimit` as in every API (the spec lists no limits for Hubi, so it changes nothing until
 * it does); `rateLimiter` (deprecated) is still accepted.
 */
export interface HubiClientOptions extends KeyedClientOptions {
  /** The access token, sent as `Authorization: Bearer <token>` on signed calls. */
  accessToken?: string | undefined;
  /** Clock for X-API-Timestamp (ms). */
  now?: (() => number) | undefined;
  /**
   * First seqNum for the nonce; this client then counts up from it. Default: one counter shared
   * by every Hubi client of the process, started from the clock (µs) plus a random offset, so
   * neither two clients of one key nor a restart repeat a nonce.
   */
  seqStart?: number | undefined;
  /**
   * How parameter values enter the signed text: "raw" (default; the vendor's example and Java
   * SDK) or "url-encoded" (the vendor Python SDK).
   */
  signatureValues?: "raw" | "url-encoded" | undefined;
  /** Also send `X-API-Signature-Method: HmacSHA256`, as the vendor Java SDK does (default false). */
  signatureMethodHeader?: boolean | undefined;
}

/** `D`: the `decimals` option; with "string", decimal fields are typed `string | number`. */
export interface HubiClient<D extends DecimalsMode = "exact"> extends RestMethods<DecimalsAs<paths, D>> {
  /**
   * Call any operation by operationId (at run time also by "METHOD /path", untyped); queries resolve to the answer,
   * actions to `result`. `opts`: this call's `{ signal, timeoutMs }`.
   */
  call<K extends HubiOperationId>(operationId: K, ...params: [...ParamsArg<HubiParams<K>>, opts?: CallOptions]): Promise<DecimalsAs<HubiData<K>, D>>;
  /** Cancel several orders in one call (sent as `order_nos=a,b,c`). */
  cancelOrderBatch(orderNos: ReadonlyArray<string>, opts?: CallOptions): Promise<DecimalsAs<HubiData<"cancelOrderBatch">, D>>;
  /** The HTTP transport every call of this client goes through. */
  readonly transport: HttpTransport;
  /** The rate limiter the client waits on (its own, or the one given as `rateLimit`); null when limiting is off. */
  readonly rateLimiter: RateLimiter | null;
}

/** Check order numbers before they are comma-joined: none empty, none holding a comma or space. */
export function hubiOrderNos(orderNos: ReadonlyArray<string>): string {
  const ctx = { api: "hubi", operation: "cancelOrderBatch" };
  if (!Array.isArray(orderNos)) throw new UsageError(`the order numbers must be a list of strings, got ${typeName(orderNos)}`, ctx);
  if (orderNos.length === 0) throw new UsageError("cancelOrderBatch needs at least one order number", ctx);
  for (const no of orderNos) {
    if (typeof no !== "string" || !/^[^,\s]+$/.test(no)) {
      throw new UsageError(typeof no === "string" ? `order number ${JSON.stringify(no)} is empty or holds a comma or whitespace` : `an order number must be a string, got ${typeName(no)}`, ctx);
    }
  }
  return orderNos.join(",");
}

/**
 * The seqNum of every Hubi client of this process that was not given `seqStart`: one counter,
 * so two clients of one key signing in the same millisecond never make the same nonce (the
 * server refuses a repeated nonce with ILLEGAL_NONCE). It starts at the clock in µs plus a
 * random offset, so a restarted or a second process does not repeat it either.
 */
let sharedSeq = Date.now() * 1000 + randomInt(1000);

/** The options only Hubi takes, besides its accessToken (the type checks that the list is whole). */
const HUBI_OPTIONS = { now: 1, seqStart: 1, signatureValues: 1, signatureMethodHeader: 1 } satisfies Record<Exclude<keyof HubiClientOptions, keyof KeyedClientOptions | "accessToken">, 1>;

/**
 * A client of the Hubi futures REST API: `call(operationId, params)` for any operation
 * (queries resolve to the answer, actions to its `result`; failures are typed TradeApiErrors),
 * the openapi-fetch methods (`GET`, `POST` …) and `cancelOrderBatch`. Each signed call carries
 * the seven X-API-* headers, made afresh per attempt. Options that cannot work are a
 * UsageError at once; a missing credential is a CredentialsError at the first signed call.
 *
 *   const hubi = createHubiClient({ accessKey, secretKey, accessToken });
 *   const order = await hubi.call("queryOrderById", { order_no: "123" });
 */
export function createHubiClient<D extends DecimalsMode = "exact">(options: HubiClientOptions & { decimals?: D | undefined } = {}): HubiClient<D> {
  const ctx = { api: "hubi" };
  checkOptionsObject(ctx, "options", options);
  options = ownFields(options, true); // (what the caller gave, never Object.prototype's)
  checkOption(ctx, "now", options.now, "function");
  checkOption(ctx, "signatureValues", options.signatureValues, ["raw", "url-encoded"]);
  checkOption(ctx, "signatureMethodHeader", options.signatureMethodHeader, "boolean");
  checkOption(ctx, "seqStart", options.seqStart, { min: 0, max: Number.MAX_SAFE_INTEGER });
  const now = options.now ?? Date.now;
  let ownSeq = options.seqStart;
  const nextSeq = (): number => (ownSeq === undefined ? sharedSeq++ : ownSeq++);
  const client = buildRestClient({
    api: "hubi",
    meta,
    name: "HubiClient",
    options,
    credentials: { ...keyCredentials(options), accessToken: options.accessToken },
    optionNames: HUBI_OPTIONS,
    signingClock: now,
    sign: (req, { credential }) =>
      authorizeHubi(req, {
        accessKey: credential("accessKey"),
        secretKey: credential("secretKey"),
        accessToken: credential("accessToken"),
        timestamp: hubiTimestamp(now()),
        seqNum: nextSeq(),
        valueEncoding: options.signatureValues ?? "raw",
        signatureMethodHeader: options.signatureMethodHeader ?? false,
      }),
    // `order_nos` of cancelOrderBatch may be an array: checked and comma-joined.
    prepare: (op, params) =>
      op.operationId === "cancelOrderBatch" && Array.isArray(params.order_nos) ? { ...params, order_nos: hubiOrderNos(params.order_nos as string[]) } : params,
    checkBody: checkHubiBody,
    checkErrorBody: checkHubiErrorBody,
    extend: ({ call }) => ({
      cancelOrderBatch: async (orderNos: ReadonlyArray<string>, opts?: CallOptions) => call("cancelOrderBatch", { order_nos: hubiOrderNos(orderNos) }, opts),
    }),
  });
  // The decimals option changes only what numbers decode to; DecimalsAs types that.
  return client as unknown as HubiClient<D>;
}
