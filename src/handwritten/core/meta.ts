/**
 * The shape of `generated/<spec>.meta.ts` (runtime) and `generated/<spec>.docs.ts` (docs):
 * what scripts/generate.ts extracts from each spec so that clients, the CLI and the emulators
 * read paths, signing, retry policy, rate limits, error tables and examples from the spec
 * instead of restating them. Every `x-` extension the code reads is a typed field here.
 */
import type { ErrorCodeInfo } from "./errors.js";
import type { RateLimitRule } from "./rate-limit.js";

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE" | "PATCH";

/**
 * A JSON schema as the metadata carries it (dereferenced): the keywords the runtime reads and
 * the spec's schema-level `x-` extensions as typed fields (docs/spec-conventions.md).
 */
export interface SchemaMeta {
  type?: string | ReadonlyArray<string>;
  format?: string;
  /** `enum`, or a one-value list for `const`. */
  enum?: ReadonlyArray<unknown>;
  default?: unknown;
  contentEncoding?: string;
  contentMediaType?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  items?: SchemaMeta;
  /** `prefixItems`: the schemas of a tuple's first items, by place (`items` is the rest's). */
  prefixItems?: ReadonlyArray<SchemaMeta>;
  /** `contentSchema`: the schema of the JSON a `contentEncoding` string carries (XT's base64 batch `data`). */
  contentSchema?: SchemaMeta;
  properties?: Readonly<Record<string, SchemaMeta>>;
  required?: ReadonlyArray<string>;
  additionalProperties?: boolean | SchemaMeta;
  not?: SchemaMeta;
  allOf?: ReadonlyArray<SchemaMeta>;
  anyOf?: ReadonlyArray<SchemaMeta>;
  oneOf?: ReadonlyArray<SchemaMeta>;
  /** `x-comma-joined`: the caller may pass an array; it is sent comma-joined. */
  commaJoined?: boolean;
  /** `x-no-condition`: the value meaning "no condition" for a left-out filter (present even when null). */
  noCondition?: unknown;
  /** `x-row-field`: the record field a list filter compares; false: not a filter. */
  rowField?: string | false;
  /** `x-row-values`: the record's value for each condition value where they differ (a label → the code the records hold). */
  rowValues?: Readonly<Record<string, unknown>>;
  /** `x-filter`: how a list filter compares. */
  filter?: "fuzzy" | string;
  /** `x-item-schema`: the schema of one row of a batch `items` field. */
  itemSchema?: SchemaMeta;
  /** `x-items-forms`: the encodings the server takes for `items`. */
  itemsForms?: ReadonlyArray<string>;
  /** `x-items-simple-columns`: the column order of the `simple` form. */
  itemsSimpleColumns?: ReadonlyArray<string>;
  /** `x-items-simple-format`: separators and empty-cell treatment of the `simple` form. */
  itemsSimpleFormat?: {
    readonly fieldSeparator?: string;
    readonly rowSeparator?: string;
    readonly emptyOptional?: string;
    readonly omittableTrailing?: ReadonlyArray<string>;
    readonly booleans?: string;
    readonly note?: string;
  };
  /** `x-max-items`: most items an encoded batch field (XT's base64 `data`) may hold; the server ignores the rest. */
  maxBatchItems?: number;
  /** `x-first-dates`: per kind of file, the first day one exists (a `format: date` parameter). */
  firstDates?: Readonly<Record<string, string>>;
  /** `x-since` (Xele): the counter version that brought this field. */
  since?: string;
  /** `x-since-by-value` (Xele): per enum value, the counter version that brought it. */
  sinceByValue?: Readonly<Record<string, string>>;
  /** Docs metadata only. */
  description?: string;
}

export interface ParamMeta {
  name: string;
  in: "query" | "header" | "path" | "cookie";
  required: boolean;
  schema: SchemaMeta;
  /** Docs metadata only. */
  description?: string;
}

export interface BodyMeta {
  contentType: string;
  required: ReadonlyArray<string>;
  properties: Readonly<Record<string, SchemaMeta>>;
  /** Whole body schema is closed (additionalProperties: false). */
  closed: boolean;
  /**
   * The body's `not`: parameters that must not be given together (Hubi's stop_loss_price and
   * trailing_stop); `message`, its description, is the UsageError's.
   */
  not?: { readonly schema: SchemaMeta; readonly message: string };
  /** Docs metadata only: the full (dereferenced) body schema of a JSON body. */
  schema?: unknown;
}

/** One column of `x-pipe-rows.columns`. */
export interface PipeColumnMeta {
  readonly name: string;
  readonly type?: string;
  /** Counter version that introduced the column. */
  readonly since?: string;
  /** Other spellings of the name in headers. */
  readonly aliases?: ReadonlyArray<string>;
  /** Docs metadata only. */
  readonly description?: string;
  /** Docs metadata only: the doc version that added the column where no counter version is stated. */
  readonly sinceDoc?: string;
}

/** `x-pipe-rows`: the answer is "|"-separated rows laid out so. */
export interface PipeRowsMeta {
  /** Header kind (OrderQry, PosiQry, ...); null when not documented. */
  readonly kind?: string | null;
  /** Does the answer start with a header line? */
  readonly header?: boolean;
  /** Counter version from which the header is sent (older counters send rows only). */
  readonly headerSince?: string;
  /** false: the header's kind is not documented and is not checked. */
  readonly kindDocumented?: boolean;
  readonly location?: string;
  /** The first line is a file name (the client-system export). */
  readonly firstLineIsFileName?: boolean;
  /** false: lines are opaque records, not "|" columns. */
  readonly splitColumns?: boolean;
  readonly columns: ReadonlyArray<PipeColumnMeta>;
}

export interface ResponseMeta {
  contentType: string | null;
  /** `x-pipe-rows` */
  pipeRows?: PipeRowsMeta;
  /**
   * `x-definite-failure`: this status is the operation's documented failure answer (Hubi's
   * amend_order answers HTTP 500 with its error envelope): a vendor code read from it means the
   * request was refused, not a server failure whose outcome is unknown.
   */
  definiteFailure?: true;
  /** Docs metadata only: the spec's example as JSON text (every digit kept), or the raw example string for non-JSON. */
  example?: string | null;
  /** Docs metadata only: the response's `x-` extensions, verbatim. */
  extensions?: Readonly<Record<string, unknown>>;
}

/** Is `status` the operation's documented failure answer (`x-definite-failure`)? */
export const isDefiniteFailure = (op: OperationMeta, status: number): boolean => op.responses[status]?.definiteFailure === true;

export interface EnvelopeMeta {
  codeField: string;
  success: ReadonlyArray<string | number>;
  messageField?: string;
  dataField?: string;
}

export interface ServerMeta {
  url: string;
  variables?: Readonly<Record<string, { default: string; description?: string; enum?: ReadonlyArray<string> }>>;
  /** `x-server`: the server's role name (Xele `MA`, `MS`). */
  role?: string;
  /** Docs metadata only. */
  description?: string;
}

/** `x-pagination`: how a list pages (docs/spec-conventions.md, **Lists**). */
export interface PaginationMeta {
  readonly style: "from-id" | "page" | "since" | "newest" | string;
  readonly [key: string]: unknown;
}

/** `x-login` (on a security scheme): the login operation and where its token goes. */
export interface LoginMeta {
  operationId: string;
  tokenField: string;
  requestField: string;
  reloginOnCodes: ReadonlyArray<number>;
}

export interface OperationMeta {
  operationId: string;
  method: HttpMethod;
  path: string;
  /** Docs metadata: always; runtime metadata: only when true. */
  deprecated?: boolean;
  /** `x-retryable` */
  retryable: boolean;
  /** Security scheme names (empty: public, unsigned). */
  security: ReadonlyArray<string>;
  /** `x-rate-limit`: names of limits in ApiMeta.rateLimits */
  rateLimit: ReadonlyArray<string>;
  /** `x-envelope`: per-operation override; false = bare payload; undefined = the API's envelope. */
  envelope?: EnvelopeMeta | false;
  /**
   * The JSON type(s) of what `call()` resolves to (the 200 answer's data field, or the whole
   * body without an envelope), from its schema; the transport checks answers against it.
   */
  dataType?: string | ReadonlyArray<string>;
  /**
   * The operation changes state and its answer's schema requires the data field (XT `order`:
   * the new order's id): an answer without it, or with null, is refused (the id would be lost).
   */
  dataRequired?: true;
  /**
   * The schema of that value (the data field's, or the whole body's), `$ref`s resolved: the
   * transport refuses an answer whose value does not fit it, at any depth.
   */
  dataSchema?: SchemaMeta;
  params: ReadonlyArray<ParamMeta>;
  body: BodyMeta | null;
  /**
   * By status. Runtime metadata: the documented numeric statuses, without a 200 that answers
   * JSON (the default: `responses["200"]?.contentType ?? "application/json"`). Docs: all.
   */
  responses: Readonly<Record<string, ResponseMeta>>;
  /** Operation-level servers (Xele MA/MS). */
  servers?: ReadonlyArray<ServerMeta>;
  /** `x-pagination` */
  pagination?: PaginationMeta;
  /** `x-required-one-of`: groups of parameters of which at least one must be sent. */
  requiredOneOf?: ReadonlyArray<ReadonlyArray<string>>;
  /** `x-idempotency-key`: wire name of the client-generated request id. */
  idempotencyKey?: string;
  /** `x-since`: the counter version that introduced the operation. */
  since?: string;
  /** `x-server`: the role of the server the operation goes to. */
  server?: string;
  /** `x-request-schema`: the schema of the whole request (Xele). */
  requestSchema?: SchemaMeta;
  /** `x-get-body`: how a GET carries its body. */
  getBody?: "base64-params";
  /** Docs metadata only. */
  summary?: string;
  /** Docs metadata only. */
  tags?: ReadonlyArray<string>;
  /** Docs metadata only: every `x-` extension without a typed field, verbatim. */
  extensions?: Readonly<Record<string, unknown>>;
}

/** The runtime metadata of one API (`generated/<spec>.meta.ts`): only what the runtime reads. */
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
  operations: ReadonlyArray<OperationMeta>;
  /** `x-common-request-fields`: per server role, fields every request carries. */
  commonRequestFields?: Readonly<Record<string, { fields: ReadonlyArray<string>; values: Readonly<Record<string, unknown>> }>>;
  /** `x-login` of the API's token scheme. */
  login?: LoginMeta;
  /** Docs metadata only. */
  securitySchemes?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Docs metadata only: document-level `x-` extensions without a typed field, verbatim. */
  extensions?: Readonly<Record<string, unknown>>;
}

export interface ResponseDocMeta extends ResponseMeta {
  example: string | null;
}

export interface OperationDocMeta extends OperationMeta {
  summary: string;
  tags: ReadonlyArray<string>;
  deprecated: boolean;
  responses: Readonly<Record<string, ResponseDocMeta>>;
  extensions: Readonly<Record<string, unknown>>;
}

/**
 * The docs metadata of one API (`generated/<spec>.docs.ts`): the runtime metadata plus
 * summaries, tags, descriptions, examples and the rest of the spec's `x-` keys, for the CLI's
 * help, the emulators and the docs build. A library import never loads it.
 */
export interface ApiDocMeta extends ApiMeta {
  operations: ReadonlyArray<OperationDocMeta>;
  securitySchemes: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  extensions: Readonly<Record<string, unknown>>;
}

/** One request field of an AsyncAPI operation (`generated/<spec>.ts` `<api>Meta.operations[op].fields`). */
export interface AsyncFieldMeta {
  readonly type: string;
  readonly required: boolean;
  readonly enum?: ReadonlyArray<string | number>;
  /** `x-known-values`: values known to work on an open string (others may too). */
  readonly knownValues?: ReadonlyArray<string>;
  /** An array's item type (`string` for `symbols` and `order_nos`). */
  readonly items?: string;
}

/** One request message of an AsyncAPI spec, keyed by its wire `op` (`x-op`). */
export interface AsyncOperationMeta {
  readonly operationId: string;
  /** The reply's `x-op` (null: no reply). */
  readonly replyOp: string | null;
  /** `x-retryable` */
  readonly retryable: boolean;
  /** `x-envelope.dataField` of the reply (null: the whole reply). */
  readonly dataField: string | null;
  /** The JSON Schema `type` of that field in the reply's payload (null: none); the client checks it. */
  readonly dataType: string | ReadonlyArray<string> | null;
  /** That field's schema: what the client checks a reply's data against (types, enums, required fields). */
  readonly dataSchema: SchemaMeta | null;
  readonly summary: string;
  readonly tags: ReadonlyArray<string>;
  /** Request fields other than op/cid/token. */
  readonly fields: Readonly<Record<string, AsyncFieldMeta>>;
}

/** The metadata of an AsyncAPI spec (`generated/<spec>.ts` `<api>Meta`, checked with `satisfies`). */
export interface AsyncApiMeta {
  readonly name: string;
  readonly title: string;
  readonly version: string;
  readonly serverUrl: string;
  readonly channel: string;
  readonly envelope: { readonly resultField: string; readonly messageField: string };
  readonly operations: Readonly<Record<string, AsyncOperationMeta>>;
  /** `x-topic` of every notification. */
  readonly notificationTopics: ReadonlyArray<string>;
  /** Each notification's `data` schema, per topic: what the client checks it against. */
  readonly notificationSchemas: Readonly<Record<string, SchemaMeta>>;
  /** `x-error-messages`: known error texts → meaning and kind. */
  readonly errorMessages: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** The state codes (`x-enum-varnames`, `x-enum-descriptions` of the state enum). */
  readonly stateCodes: Readonly<Record<string, { readonly name: string | undefined; readonly description: string }>>;
}

/** operationId → operation, per metadata object (built on first lookup; metadata is not mutated). */
const BY_ID = new WeakMap<ApiMeta, Map<string, OperationMeta>>();

/** The operation of this operationId (a Map lookup; the first one when a spec repeats an id). */
export function operationById(meta: ApiMeta, operationId: string): OperationMeta | undefined {
  let ids = BY_ID.get(meta);
  if (!ids) {
    ids = new Map();
    for (const o of meta.operations) if (!ids.has(o.operationId)) ids.set(o.operationId, o);
    BY_ID.set(meta, ids);
  }
  return ids.get(operationId);
}

/** Find an operation by operationId (a Map lookup) or by "METHOD /path". */
export function findOperation(meta: ApiMeta, ref: string): OperationMeta | undefined {
  const byId = operationById(meta, ref);
  if (byId) return byId;
  const m = /^\s*([A-Za-z]+)\s+(\S+)\s*$/.exec(ref);
  if (!m) return undefined;
  const method = m[1]!.toUpperCase();
  return meta.operations.find((o) => o.method === method && o.path === m[2]);
}

/** The envelope that applies to an operation (null: bare payload). */
export function envelopeOf(meta: ApiMeta, op: OperationMeta): EnvelopeMeta | null {
  if (op.envelope === false) return null;
  return op.envelope ?? meta.envelope;
}

/**
 * What `call()` resolves to: the envelope's data field, or the whole body for answers without
 * one (undefined when an envelope's answer is not an object: its check refuses it first).
 */
export function unwrapData(meta: ApiMeta, op: OperationMeta, body: unknown): unknown {
  const field = envelopeOf(meta, op)?.dataField;
  if (!field) return body;
  return body !== null && typeof body === "object" && !Array.isArray(body) ? (body as Record<string, unknown>)[field] : undefined;
}

/**
 * What `call()` resolves to: the envelope's data (unwrapData), null where the operation has data
 * in its spec but the answer carries none (the transport has read "nothing" by then: see its
 * answer check), the whole body without an envelope.
 */
export function callData(meta: ApiMeta, op: OperationMeta, body: unknown): unknown {
  const data = unwrapData(meta, op, body);
  return data === undefined && op.dataType ? null : data;
}

/** A parameter as `generated/<spec>.meta.ts` writes it: `[name, schema, required = true, in = "query"]`. */
export type CompactParam = readonly [name: string, schema: SchemaMeta, required?: boolean, location?: ParamMeta["in"]];
/** A body as written: `[contentType, properties, required = every property, closed = false, not]`. */
export type CompactBody = readonly [contentType: string, properties: BodyMeta["properties"], required?: ReadonlyArray<string>, closed?: boolean, not?: BodyMeta["not"]];

/**
 * An operation as `generated/<spec>.meta.ts` writes it: `i` the operationId, `r` "METHOD /path"
 * (a `*` at the end of the path stands for the operationId), `p` its parameters, `b` its body, `x`
 * its policy, and only the other fields that differ from the defaults (`CompactMeta.d`, else: not retryable, no
 * security, no rate limit, no listed responses).
 */
export type CompactOperation = Partial<Omit<OperationMeta, "operationId" | "method" | "path" | "params" | "body">> & {
  readonly i: string;
  readonly r: string;
  readonly p?: ReadonlyArray<CompactParam | ParamMeta>;
  readonly b?: CompactBody;
  /** Where retry policy, security, rate limits, envelope or servers differ from `d` (shared by operations alike). */
  readonly x?: Partial<OperationMeta>;
};

/**
 * The runtime metadata as `generated/<spec>.meta.ts` writes it (scripts/openapi-meta.ts
 * `compactMeta`): fields equal to their default left out (no servers, no envelope, no error
 * codes, no rate limits), an error code that has only a meaning and a kind as `[meaning, kind]`,
 * operations as `CompactOperation`s with the API's most common retry/security/rate-limit
 * values in `d`. `expandMeta` gives back the `ApiMeta`.
 */
export interface CompactMeta extends Omit<ApiMeta, "servers" | "envelope" | "errorCodes" | "rateLimits" | "operations"> {
  servers?: ApiMeta["servers"];
  envelope?: EnvelopeMeta;
  errorCodes?: Readonly<Record<string, ErrorCodeInfo | readonly [meaning: string, kind: ErrorCodeInfo["kind"]]>>;
  rateLimits?: ApiMeta["rateLimits"];
  /** Operation defaults of this API. */
  d?: Partial<Pick<OperationMeta, "retryable" | "security" | "rateLimit">>;
  ops: ReadonlyArray<CompactOperation>;
}

/** The `ApiMeta` a `CompactMeta` stands for (run once, when the generated module loads). */
export function expandMeta({ ops, d, errorCodes = {}, ...api }: CompactMeta): ApiMeta {
  const codes: Record<string, ErrorCodeInfo> = {};
  for (const [code, c] of Object.entries(errorCodes)) codes[code] = Array.isArray(c) ? { meaning: c[0], kind: c[1] } : (c as ErrorCodeInfo);
  return {
    servers: [],
    envelope: null,
    rateLimits: {},
    ...api,
    errorCodes: codes,
    operations: ops.map(({ i, r, p = [], b, x, ...o }) => {
      const at = r.indexOf(" ");
      return {
        operationId: i,
        method: r.slice(0, at) as HttpMethod,
        path: r.slice(at + 1).replace(/\*$/, i),
        retryable: false,
        security: [],
        rateLimit: [],
        params: p.map((x) => ("name" in x ? x : { name: x[0], in: x[3] ?? "query", required: x[2] ?? true, schema: x[1] })),
        body: b ? { contentType: b[0], required: b[2] ?? Object.keys(b[1]), properties: b[1], closed: b[3] ?? false, ...(b[4] ? { not: b[4] } : {}) } : null,
        responses: {},
        ...d,
        ...x,
        ...o,
      };
    }),
  };
}
