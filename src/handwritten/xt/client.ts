/**
 * `createXtClient`: the XT spot v1 client. An openapi-fetch client typed by the generated
 * paths, whose `fetch` is the shared HttpTransport (per-attempt signing, rate limits from the
 * spec, retries per x-retryable, lossless JSON, typed errors), plus `call(operationId, params)`
 * and the batch helpers.
 */
import createClient, { type Client } from "openapi-fetch";
import type { components, operations, paths } from "../../../generated/xt-spot.js";
import { meta, type DataFields } from "../../../generated/xt-spot.meta.js";
import { signXtParams, xtNonce, type XtSignatureVariant } from "../../auth/xt.js";
import { requireCredential } from "../core/credentials.js";
import { describeAs, redactUrl } from "../core/redaction.js";
import type { DecimalsAs } from "../core/decimals.js";
import { HttpTransport, type CallOptions, type OutgoingRequest, type TransportOptions } from "../core/http-transport.js";
import type { DecimalsMode } from "../core/json.js";
import type { OperationMeta } from "../core/meta.js";
import {
  callOperation,
  formBodySerializer,
  type CallData,
  type OperationParams,
  type ParamsArg,
} from "../core/operation-call.js";
import { RateLimiter } from "../core/rate-limit.js";
import { encodeXtBatchData } from "./batch.js";

export type XtOperations = operations;
export type XtOperationId = keyof operations;
export type XtPaths = paths;
export type XtBatchOrderItem = components["schemas"]["BatchOrderItem"];
export type XtOrderId = number | bigint | string;
export type XtParams<K extends XtOperationId> = OperationParams<operations[K]>;
export type XtData<K extends XtOperationId> = CallData<operations[K], DataFields[K]>;

export const XT_DEFAULT_BASE_URL = meta.servers[0]?.url ?? "https://api.xt.com";

export interface XtClientOptions extends TransportOptions {
  accessKey?: string;
  secretKey?: string;
  /** Default: the spec's server, https://api.xt.com */
  baseUrl?: string;
  /**
   * What the signature covers for the batch endpoints' base64 `data`: the decoded JSON string
   * as the vendor doc says ("decoded", default), or the base64 text as the vendor SDKs do ("base64").
   */
  batchDataSigning?: "decoded" | "base64";
  /**
   * Which vendor SDK's canonical string to sign (src/auth/xt.ts): "java" (default: raw values,
   * trimmed, lower-case hex), "python" (URL-encoded values, upper-case hex) or "raw".
   */
  signatureVariant?: XtSignatureVariant;
  /**
   * Client-side rate limiting from the spec's x-rate-limits. true (default): a limiter of this
   * client's own; a RateLimiter (createXtRateLimiter()): shared, e.g. by every client of one
   * key; false: off.
   */
  rateLimit?: boolean | RateLimiter;
  /** Clock for the nonce (ms). */
  now?: () => number;
}

/** `D`: the `decimals` option; with "string", decimal fields are typed `string | number`. */
export interface XtClient<D extends DecimalsMode = "exact"> extends Client<DecimalsAs<paths, D>> {
  /** Call any operation by operationId (or "METHOD /path"); resolves to the envelope's `data`. */
  call<K extends XtOperationId>(operationId: K, ...params: ParamsArg<XtParams<K>>): Promise<DecimalsAs<XtData<K>, D>>;
  /** Place up to 100 limit orders at once (all or nothing). */
  batchOrder(market: string, orders: ReadonlyArray<XtBatchOrderItem>): Promise<DecimalsAs<XtData<"batchOrder">, D>>;
  /** Cancel up to 100 orders; each result item carries its own code (120 = cancelled). */
  batchCancel(market: string, ids: ReadonlyArray<XtOrderId>): Promise<DecimalsAs<XtData<"batchCancel">, D>>;
  /** Fetch up to 100 orders by id. */
  getBatchOrders(market: string, ids: ReadonlyArray<XtOrderId>): Promise<DecimalsAs<XtData<"getBatchOrders">, D>>;
  readonly transport: HttpTransport;
  readonly rateLimiter: RateLimiter | null;
}

/** A limiter with XT's documented limits, to share between clients of the same key. */
export function createXtRateLimiter(): RateLimiter {
  return new RateLimiter(meta.rateLimits);
}

const AUTH_PARAMS = new Set(["accesskey", "nonce", "signature"]);

function isBase64Field(op: OperationMeta, name: string): boolean {
  const schema = op.body?.properties[name] ?? op.params.find((p) => p.name === name)?.schema;
  return schema?.contentEncoding === "base64";
}

export function createXtClient<D extends DecimalsMode = "exact">(options: XtClientOptions & { decimals?: D } = {}): XtClient<D> {
  // The credentials stay in this closure: never spread into the transport or onto the client.
  const { accessKey: givenAccessKey, secretKey: givenSecretKey, ...transportOptions } = options;
  const baseUrl = options.baseUrl ?? XT_DEFAULT_BASE_URL;
  const now = options.now ?? Date.now;
  const signDecoded = (options.batchDataSigning ?? "decoded") === "decoded";
  const rateLimiter =
    options.rateLimit instanceof RateLimiter ? options.rateLimit : options.rateLimit === false ? null : createXtRateLimiter();

  const authorize = (req: OutgoingRequest, op: OperationMeta): OutgoingRequest => {
    if (op.security.length === 0) return req;
    const accessKey = requireCredential("xt", "accessKey", givenAccessKey, "XT_ACCESS_KEY", op.operationId);
    const secretKey = requireCredential("xt", "secretKey", givenSecretKey, "XT_SECRET_KEY", op.operationId);
    // GET: everything in the query; POST: everything in the form body. Never both.
    const fields = req.method === "GET" ? req.query : [...(req.form ?? []), ...req.query];
    const target = fields.filter(([k]) => !AUTH_PARAMS.has(k));
    target.push(["accesskey", accessKey], ["nonce", xtNonce(now())]);
    const canonical: Record<string, string> = {};
    for (const [k, v] of target) {
      canonical[k] = signDecoded && isBase64Field(op, k) ? Buffer.from(v, "base64").toString("utf8") : v;
    }
    const signature = signXtParams(canonical, secretKey, { variant: options.signatureVariant });
    target.push(["signature", signature]);
    const secrets = [accessKey, secretKey, signature];
    return req.method === "GET" ? { ...req, query: target, secrets } : { ...req, query: [], form: target, secrets };
  };

  const transport = new HttpTransport({
    ...transportOptions,
    api: "xt",
    meta,
    baseUrl,
    rateLimiter,
    authorize,
    secrets: () => [givenAccessKey, givenSecretKey],
  });
  const client = createClient<paths>({ baseUrl, fetch: transport.asFetch(), bodySerializer: formBodySerializer });

  const call = ((operationId: string, params: Record<string, unknown> = {}, opts?: CallOptions) =>
    callOperation(transport, operationId, params, opts)) as XtClient["call"];

  describeAs(client, "XtClient", () => ({ api: "xt", baseUrl: redactUrl(baseUrl), accessKey: givenAccessKey ? "[set]" : "[missing]", secretKey: givenSecretKey ? "[set]" : "[missing]" }));
  // The decimals option changes only what numbers decode to; DecimalsAs types that.
  return Object.assign(client as unknown as XtClient<D>, {
    call,
    batchOrder: (market: string, orders: ReadonlyArray<XtBatchOrderItem>) =>
      call("batchOrder", { market, data: encodeXtBatchData(orders) }),
    batchCancel: (market: string, ids: ReadonlyArray<XtOrderId>) => call("batchCancel", { market, data: encodeXtBatchData(ids) }),
    getBatchOrders: (market: string, ids: ReadonlyArray<XtOrderId>) =>
      call("getBatchOrders", { market, data: encodeXtBatchData(ids) }),
    transport,
    rateLimiter,
  });
}
