/**
 * `createXtClient`: the XT spot v1 client. Configuration of the shared REST factory
 * (core/rest-client.ts: transport, `call`, the openapi-fetch methods, rate limiting, typed
 * errors) with XT's pure signer (src/auth/xt.ts), plus what only XT has: the batch helpers.
 */
import type { components, operations, paths } from "../../../generated/xt-spot.js";
import { meta, type DataFields, type NoData } from "../../../generated/xt-spot.meta.js";
import { authorizeXt, XT_SIGNATURE_VARIANTS, xtNonce, type XtSignatureVariant } from "../../auth/xt.js";
import type { DecimalsAs } from "../core/decimals.js";
import type { CallOptions, HttpTransport } from "../core/http-transport.js";
import type { DecimalsMode } from "../core/json.js";
import type { CallData, DecimalIn, OperationParams, ParamsArg } from "../core/operation-call.js";
import { RateLimiter } from "../core/rate-limit.js";
import { buildRestClient, keyCredentials, type KeyedClientOptions, type RestMethods } from "../core/rest-client.js";
import { checkOption, checkOptionsObject, ownFields } from "../core/validate.js";
import { base64Fields } from "./base64-fields.js";
import { encodeXtBatchData } from "./batch.js";
import { checkXtAnswer } from "./batch-answer.js";

/** The XT spec's operations, by operationId (generated types). */
export type XtOperations = operations;
/** The name of an XT operation, as `call` takes it: "order", "getBalance", … */
export type XtOperationId = keyof operations;
/** The XT spec's paths (openapi-typescript's `paths`), as the `GET`/`POST` methods take them. */
export type XtPaths = paths;
/** One order of `batchOrder`: `price` and `amount` a number or a decimal's text (written into the batch as that number, digits as given). */
export type XtBatchOrderItem = DecimalIn<components["schemas"]["BatchOrderItem"]>;
/** An order id of the batch helpers: a number, a bigint or its decimal digits as text (ids pass 2^53). */
export type XtOrderId = number | bigint | string;
/**
 * What the batch operations' `data` takes in `call()` besides its base64 text: the list itself,
 * checked against the spec's item schema and encoded by the client (ids as numbers or bigints
 * there; the helpers `batchCancel`/`getBatchOrders` also take an id's digits as text).
 */
interface XtBatchLists {
  batchOrder: ReadonlyArray<XtBatchOrderItem>;
  batchCancel: ReadonlyArray<number | bigint>;
  getBatchOrders: ReadonlyArray<number | bigint>;
}
/**
 * The parameters of operation `K`, as `call(K, params)` takes them (one flat object). A batch
 * operation's `data` is the list (orders, or ids) or its base64 text.
 */
export type XtParams<K extends XtOperationId> = K extends keyof XtBatchLists
  ? Omit<OperationParams<operations[K]>, "data"> & { data: string | XtBatchLists[K] }
  : OperationParams<operations[K]>;
/** What `call(K)` resolves to; for a union of operations, the union of theirs (a typed mock of `call` takes any one). */
export type XtData<K extends XtOperationId> = K extends unknown ? CallData<operations[K], DataFields[K]> | NoData[K] : never;

/** The base URL a client uses without `baseUrl`: the spec's server, https://api.xt.com. */
export const XT_DEFAULT_BASE_URL = meta.servers[0]?.url ?? "https://api.xt.com";

/**
 * What `createXtClient` takes: the key pair (`accessKey`, `secretKey`), the options of every
 * REST client (`baseUrl`, `timeoutMs`, `retry`, `rateLimit`, `onEvent`, `decimals` …) and XT's
 * own signing options. Every option is optional; an unknown one is a UsageError.
 */
export interface XtClientOptions extends KeyedClientOptions {
  /**
   * What the signature covers for the batch endpoints' base64 `data`: the decoded JSON string
   * as the vendor doc says ("decoded", default), or the base64 text as the vendor SDKs do ("base64").
   */
  batchDataSigning?: "decoded" | "base64" | undefined;
  /**
   * Which vendor SDK's canonical string to sign (src/auth/xt.ts): "java" (default: raw values,
   * trimmed, lower-case hex), "python" (URL-encoded values, upper-case hex) or "raw".
   */
  signatureVariant?: XtSignatureVariant | undefined;
  /** Clock for the nonce (ms since the epoch; default Date.now): give one that adds an offset when this machine's clock is off. */
  now?: (() => number) | undefined;
}

/** `D`: the `decimals` option; with "string", decimal fields are typed `string | number`. */
export interface XtClient<D extends DecimalsMode = "exact"> extends RestMethods<DecimalsAs<paths, D>> {
  /**
   * Call any operation by operationId (at run time also by "METHOD /path", untyped); resolves to the envelope's `data`,
   * throws the typed error. `opts`: this call's `{ signal, timeoutMs }`.
   */
  call<K extends XtOperationId>(operationId: K, ...params: [...ParamsArg<XtParams<K>>, opts?: CallOptions]): Promise<DecimalsAs<XtData<K>, D>>;
  /** Place up to 100 limit orders at once (all or nothing). */
  batchOrder(market: string, orders: ReadonlyArray<XtBatchOrderItem>, opts?: CallOptions): Promise<DecimalsAs<XtData<"batchOrder">, D>>;
  /** Cancel up to 100 orders; each result item carries its own code (120 = cancelled). */
  batchCancel(market: string, ids: ReadonlyArray<XtOrderId>, opts?: CallOptions): Promise<DecimalsAs<XtData<"batchCancel">, D>>;
  /** Fetch up to 100 orders by id. */
  getBatchOrders(market: string, ids: ReadonlyArray<XtOrderId>, opts?: CallOptions): Promise<DecimalsAs<XtData<"getBatchOrders">, D>>;
  /** The HTTP transport every call of this client goes through. */
  readonly transport: HttpTransport;
  /** The rate limiter the client waits on (its own, or the one given as `rateLimit`); null when limiting is off. */
  readonly rateLimiter: RateLimiter | null;
}

/**
 * A limiter with XT's documented limits, to share between clients of the same key. Its `ip`
 * rule (1000 requests a minute from one IP address, whatever the key) is counted per limiter
 * too: clients of several keys on one host, each with its own limiter, each allow 1000 a
 * minute (two keys: 2000 from the IP). To keep the host within it, give the clients of every
 * key on the host one limiter; the per-key rules (`balance`, `user`) are then shared by those
 * keys as well, so each key gets less than its own rate.
 */
export function createXtRateLimiter(): RateLimiter {
  return new RateLimiter(meta.rateLimits);
}

/** The options only XT takes (the type checks that the list is whole). */
const XT_OPTIONS = { batchDataSigning: 1, signatureVariant: 1, now: 1 } satisfies Record<Exclude<keyof XtClientOptions, keyof KeyedClientOptions>, 1>;

/**
 * A client of the XT spot v1 API: `call(operationId, params)` for any operation (resolves to
 * the envelope's `data`, throws a typed TradeApiError), the openapi-fetch methods (`GET`,
 * `POST` …) and the batch helpers. Each signed call is signed afresh per attempt. Options that
 * cannot work are a UsageError at once; a missing key is a CredentialsError at the first
 * signed call. Nothing is sent until a call.
 *
 *   const xt = createXtClient({ accessKey, secretKey });
 *   const ticker = await xt.call("getTicker", { market: "btc_usdt" });
 */
export function createXtClient<D extends DecimalsMode = "exact">(options: XtClientOptions & { decimals?: D | undefined } = {}): XtClient<D> {
  const ctx = { api: "xt" };
  checkOptionsObject(ctx, "options", options);
  options = ownFields(options, true); // (what the caller gave, never Object.prototype's)
  checkOption(ctx, "batchDataSigning", options.batchDataSigning, ["decoded", "base64"]);
  checkOption(ctx, "signatureVariant", options.signatureVariant, XT_SIGNATURE_VARIANTS);
  checkOption(ctx, "now", options.now, "function");
  const now = options.now ?? Date.now;
  // Each call's nonce is later than the one before (by 1 ms when the clock has not moved on, or
  // went back less than a second): ten calls made in one millisecond sent six nonces. A clock set
  // back further (corrected: a `now` that added an offset, then a smaller one) is taken as it is:
  // counting on from a time an hour ahead had every call refused for an hour.
  let lastNonce = 0;
  const nextNonce = (): string => {
    const t = now();
    const ms = typeof t === "number" && Math.trunc(t) <= lastNonce && lastNonce - t < 1_000 ? lastNonce + 1 : t;
    const nonce = xtNonce(ms);
    lastNonce = Number(nonce);
    return nonce;
  };
  const signDecoded = (options.batchDataSigning ?? "decoded") === "decoded";
  const client = buildRestClient({
    api: "xt",
    meta,
    name: "XtClient",
    options,
    credentials: keyCredentials(options),
    optionNames: XT_OPTIONS,
    checkBody: checkXtAnswer,
    signingClock: now,
    sign: (req, { op, credential }) =>
      authorizeXt(req, {
        accessKey: credential("accessKey"),
        secretKey: credential("secretKey"),
        nonce: nextNonce(),
        variant: options.signatureVariant,
        decodeBase64: signDecoded ? base64Fields(op) : [],
      }),
    extend: ({ call, transport }) => {
      // A batch helper encodes before call(): its UsageError (an id shown as given) leaves
      // redacted by the client's redactor, as call()'s own do (a secret key or the proxy's
      // password passed as an order id by mistake).
      const encoded = (items: ReadonlyArray<unknown>, op: "batchOrder" | "batchCancel" | "getBatchOrders") => {
        try {
          return encodeXtBatchData(items as never, op);
        } catch (e) {
          throw transport.redactor().error(e);
        }
      };
      return {
        // async: a refused batch is a rejected promise, like every other failure of a call.
        batchOrder: async (market: string, orders: ReadonlyArray<XtBatchOrderItem>, opts?: CallOptions) =>
          call("batchOrder", { market, data: encoded(orders, "batchOrder") }, opts),
        batchCancel: async (market: string, ids: ReadonlyArray<XtOrderId>, opts?: CallOptions) =>
          call("batchCancel", { market, data: encoded(ids, "batchCancel") }, opts),
        getBatchOrders: async (market: string, ids: ReadonlyArray<XtOrderId>, opts?: CallOptions) =>
          call("getBatchOrders", { market, data: encoded(ids, "getBatchOrders") }, opts),
      };
    },
  });
  // The decimals option changes only what numbers decode to; DecimalsAs types that.
  return client as unknown as XtClient<D>;
}
