/**
 * `createHubiClient`: the Hubi futures REST client. An openapi-fetch client typed by the
 * generated paths, whose `fetch` is the shared HttpTransport (per-attempt signing with a
 * fresh timestamp and the next seqNum, retries per x-retryable, lossless JSON, typed errors
 * from the spec's x-error-codes), plus `call(operationId, params)` and `cancelOrderBatch`.
 */
import createClient, { type Client } from "openapi-fetch";
import type { components, operations, paths } from "../../../generated/hubi-futures.js";
import { meta, type DataFields } from "../../../generated/hubi-futures.meta.js";
import { hubiTimestamp, signHubiRequest } from "../../auth/hubi.js";
import { requireCredential } from "../core/credentials.js";
import { describeAs, redactUrl } from "../core/redaction.js";
import { UsageError } from "../core/errors.js";
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
import { checkHubiBody, checkHubiErrorBody } from "./errors.js";

export type HubiOperations = operations;
export type HubiOperationId = keyof operations;
export type HubiPaths = paths;
export type HubiOrder = components["schemas"]["Order"];
export type HubiAccount = components["schemas"]["Account"];
export type HubiPosition = components["schemas"]["Position"];
/** Params of `call`; `order_nos` of cancelOrderBatch may also be an array (sent comma-joined). */
export type HubiParams<K extends HubiOperationId> = K extends "cancelOrderBatch"
  ? { order_nos: string | ReadonlyArray<string> }
  : OperationParams<operations[K]>;
/** What `call` resolves to: the bare answer of queries, the `result` of actions. */
export type HubiData<K extends HubiOperationId> = CallData<operations[K], DataFields[K]>;

export const HUBI_DEFAULT_BASE_URL = meta.servers[0]?.url ?? "https://api.hubi.com";

export interface HubiClientOptions extends TransportOptions {
  accessKey?: string;
  secretKey?: string;
  accessToken?: string;
  /** Default: the spec's server, https://api.hubi.com */
  baseUrl?: string;
  /** Clock for X-API-Timestamp (ms). */
  now?: () => number;
  /** First seqNum for the nonce (default: the current time in ms, so restarts do not repeat). */
  seqStart?: number;
  /**
   * How parameter values enter the signed text: "raw" (default; the vendor's example and Java
   * SDK) or "url-encoded" (the vendor Python SDK).
   */
  signatureValues?: "raw" | "url-encoded";
  /** Also send `X-API-Signature-Method: HmacSHA256`, as the vendor Java SDK does (default false). */
  signatureMethodHeader?: boolean;
}

/** `D`: the `decimals` option; with "string", decimal fields are typed `string | number`. */
export interface HubiClient<D extends DecimalsMode = "exact"> extends Client<DecimalsAs<paths, D>> {
  /** Call any operation by operationId (or "METHOD /path"); queries resolve to the answer, actions to `result`. */
  call<K extends HubiOperationId>(operationId: K, ...params: ParamsArg<HubiParams<K>>): Promise<DecimalsAs<HubiData<K>, D>>;
  /** Cancel several orders in one call (sent as `order_nos=a,b,c`). */
  cancelOrderBatch(orderNos: ReadonlyArray<string>): Promise<DecimalsAs<HubiData<"cancelOrderBatch">, D>>;
  readonly transport: HttpTransport;
}

/** Check order numbers before they are comma-joined: none empty, none holding a comma or space. */
export function hubiOrderNos(orderNos: ReadonlyArray<string>): string {
  const ctx = { api: "hubi", operation: "cancelOrderBatch" };
  if (orderNos.length === 0) throw new UsageError("cancelOrderBatch needs at least one order number", ctx);
  for (const no of orderNos) {
    if (typeof no !== "string" || !/^[^,\s]+$/.test(no)) {
      throw new UsageError(`order number ${JSON.stringify(no)} is empty or holds a comma or whitespace`, ctx);
    }
  }
  return orderNos.join(",");
}

export function createHubiClient<D extends DecimalsMode = "exact">(options: HubiClientOptions & { decimals?: D } = {}): HubiClient<D> {
  // The credentials stay in this closure: never spread into the transport or onto the client.
  const { accessKey: givenAccessKey, secretKey: givenSecretKey, accessToken: givenAccessToken, ...transportOptions } = options;
  const baseUrl = options.baseUrl ?? HUBI_DEFAULT_BASE_URL;
  const now = options.now ?? Date.now;
  let seqNum = options.seqStart ?? Date.now();

  const authorize = (req: OutgoingRequest, op: OperationMeta): OutgoingRequest => {
    if (op.security.length === 0) return req;
    const credential = (option: string, value: string | undefined, env: string) =>
      requireCredential("hubi", option, value, env, op.operationId);
    const accessKey = credential("accessKey", givenAccessKey, "HUBI_ACCESS_KEY");
    const secretKey = credential("secretKey", givenSecretKey, "HUBI_SECRET_KEY");
    const accessToken = credential("accessToken", givenAccessToken, "HUBI_ACCESS_TOKEN");
    // The signed params are exactly the params sent, in the order sent: the query of a GET,
    // the form of a POST (a POST carries no query parameters in this API, but would be signed
    // too, query first, as the wire shows them).
    const params = req.method === "GET" ? req.query : [...req.query, ...(req.form ?? [])];
    const headers = signHubiRequest({
      accessKey,
      secretKey,
      accessToken,
      path: req.path,
      params,
      timestamp: hubiTimestamp(now()),
      seqNum: seqNum++,
      valueEncoding: options.signatureValues ?? "raw",
    });
    return {
      ...req,
      headers: {
        ...req.headers,
        ...headers,
        ...(options.signatureMethodHeader ? { "X-API-Signature-Method": "HmacSHA256" } : {}),
      },
      // The nonce is md5(accessKey + timestamp + seqNum): derived from the key, so removed too.
      secrets: [accessKey, secretKey, accessToken, headers["X-API-Nonce"], headers["X-API-Signature"]],
    };
  };

  const transport = new HttpTransport({
    ...transportOptions,
    api: "hubi",
    meta,
    baseUrl,
    rateLimiter: options.rateLimiter ?? null,
    authorize,
    secrets: () => [givenAccessKey, givenSecretKey, givenAccessToken],
    checkBody: checkHubiBody,
    checkErrorBody: checkHubiErrorBody,
  });
  const client = createClient<paths>({ baseUrl, fetch: transport.asFetch(), bodySerializer: formBodySerializer });

  const call = (async (operationId: string, params: Record<string, unknown> = {}, opts?: CallOptions) => {
    const op = meta.operations.find((o) => o.operationId === operationId);
    const orderNos = params.order_nos;
    if (op?.operationId === "cancelOrderBatch" && Array.isArray(orderNos)) {
      params = { ...params, order_nos: hubiOrderNos(orderNos as string[]) };
    }
    return callOperation(transport, operationId, params, opts);
  }) as HubiClient["call"];

  describeAs(client, "HubiClient", () => ({
    api: "hubi",
    baseUrl: redactUrl(baseUrl),
    accessKey: givenAccessKey ? "[set]" : "[missing]",
    secretKey: givenSecretKey ? "[set]" : "[missing]",
    accessToken: givenAccessToken ? "[set]" : "[missing]",
  }));
  // The decimals option changes only what numbers decode to; DecimalsAs types that.
  return Object.assign(client as unknown as HubiClient<D>, {
    call,
    cancelOrderBatch: async (orderNos: ReadonlyArray<string>) => call("cancelOrderBatch", { order_nos: hubiOrderNos(orderNos) }),
    transport,
  });
}
