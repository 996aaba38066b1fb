/**
 * The shape of `generated/<api>.meta.ts`: what scripts/generate.ts extracts from each spec so
 * that clients, the CLI and the emulators read paths, signing, retry policy, rate limits,
 * error tables and examples from the spec instead of restating them.
 */
import type { ErrorCodeInfo } from "./errors.js";
import type { RateLimitRule } from "./rate-limit.js";

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE" | "PATCH";

export interface SchemaMeta {
  type?: string | string[];
  format?: string;
  enum?: ReadonlyArray<unknown>;
  default?: unknown;
  description?: string;
  contentEncoding?: string;
  contentMediaType?: string;
  items?: SchemaMeta;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  [ext: `x-${string}`]: unknown;
}

export interface ParamMeta {
  name: string;
  in: "query" | "header" | "path" | "cookie";
  required: boolean;
  schema: SchemaMeta;
  description?: string;
}

export interface BodyMeta {
  contentType: string;
  required: ReadonlyArray<string>;
  properties: Readonly<Record<string, SchemaMeta>>;
  /** Whole body schema is closed (additionalProperties: false). */
  closed: boolean;
  /** The full (dereferenced) body schema, for JSON bodies with nested objects. */
  schema?: unknown;
}

export interface ResponseMeta {
  contentType: string | null;
  /** The spec's example as JSON text (every digit kept), or the raw example string for non-JSON. */
  example: string | null;
  /** The response's `x-` extensions (e.g. x-pipe-rows), verbatim. */
  extensions?: Readonly<Record<string, unknown>>;
}

export interface EnvelopeMeta {
  codeField: string;
  success: ReadonlyArray<string | number>;
  messageField?: string;
  dataField?: string;
}

export interface ServerMeta {
  url: string;
  description?: string;
  variables?: Readonly<Record<string, { default: string; description?: string; enum?: ReadonlyArray<string> }>>;
  [ext: `x-${string}`]: unknown;
}

export interface OperationMeta {
  operationId: string;
  method: HttpMethod;
  path: string;
  summary: string;
  tags: ReadonlyArray<string>;
  deprecated: boolean;
  /** `x-retryable` */
  retryable: boolean;
  /** Security scheme names (empty: public, unsigned). */
  security: ReadonlyArray<string>;
  /** `x-rate-limit`: names of limits in ApiMeta.rateLimits */
  rateLimit: ReadonlyArray<string>;
  /** Per-operation envelope override: false = bare payload; undefined = the API's envelope. */
  envelope?: EnvelopeMeta | false;
  params: ReadonlyArray<ParamMeta>;
  body: BodyMeta | null;
  responses: Readonly<Record<string, ResponseMeta>>;
  /** Operation-level servers (Xele MA/MS), and every other `x-` extension, verbatim. */
  servers?: ReadonlyArray<ServerMeta>;
  extensions: Readonly<Record<string, unknown>>;
}

export interface ApiMeta {
  /** CLI name of the API */
  api: string;
  spec: string;
  title: string;
  version: string;
  servers: ReadonlyArray<ServerMeta>;
  envelope: EnvelopeMeta | null;
  errorCodes: Readonly<Record<string, ErrorCodeInfo>>;
  rateLimits: Readonly<Record<string, RateLimitRule>>;
  securitySchemes: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  operations: ReadonlyArray<OperationMeta>;
  extensions: Readonly<Record<string, unknown>>;
}

/** operationId → operation, per metadata object (built on first lookup; metadata is not mutated). */
const BY_ID = new WeakMap<ApiMeta, Map<string, OperationMeta>>();

/** Find an operation by operationId (a Map lookup) or by "METHOD /path". */
export function findOperation(meta: ApiMeta, ref: string): OperationMeta | undefined {
  let ids = BY_ID.get(meta);
  if (!ids) {
    ids = new Map();
    for (const o of meta.operations) if (!ids.has(o.operationId)) ids.set(o.operationId, o);
    BY_ID.set(meta, ids);
  }
  const byId = ids.get(ref);
  if (byId) return byId;
  const m = /^\s*([A-Za-z]+)\s+(\S+)\s*$/.exec(ref);
  if (!m) return undefined;
  const method = m[1]!.toUpperCase();
  return meta.operations.find((o) => o.method === method && o.path === m[2]);
}

/** Build a (method, path) → operation index for transports and emulators. */
export function indexOperations(meta: ApiMeta): Map<string, OperationMeta> {
  const map = new Map<string, OperationMeta>();
  for (const op of meta.operations) map.set(`${op.method} ${op.path}`, op);
  return map;
}

/** The envelope that applies to an operation (null: bare payload). */
export function envelopeOf(meta: ApiMeta, op: OperationMeta): EnvelopeMeta | null {
  if (op.envelope === false) return null;
  return op.envelope ?? meta.envelope;
}
