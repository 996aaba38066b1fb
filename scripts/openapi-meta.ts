/**
 * Extract `ApiMeta` (src/handwritten/core/meta.ts) from an OpenAPI document parsed with
 * big-int support: operations with their parameters, body fields, retry policy, rate
 * limits, security and examples (as exact JSON text).
 */
import type {
  ApiMeta,
  BodyMeta,
  CompactBody,
  CompactMeta,
  CompactOperation,
  CompactParam,
  EnvelopeMeta,
  HttpMethod,
  LoginMeta,
  OperationMeta,
  PaginationMeta,
  ParamMeta,
  PipeRowsMeta,
  ResponseMeta,
  SchemaMeta,
  ServerMeta,
} from "../src/handwritten/core/meta.js";
import { stringifyJson } from "../src/handwritten/core/json.js";
import type { RateLimitRule } from "../src/handwritten/core/rate-limit.js";

type Node = Record<string, unknown>;
const METHODS = ["get", "post", "put", "delete", "patch"] as const;

/**
 * Resolve local `$ref`s (merging sibling keys, as OpenAPI 3.1 allows). The metadata holds
 * schemas resolved, so a recursive schema (a tree node whose `children` are tree nodes) cannot
 * be held: it is refused naming the `$ref`s of the cycle (docs/spec-conventions.md).
 */
export function deref(doc: Node, node: unknown, depth = 0, chain: readonly string[] = []): unknown {
  if (depth > 64) throw new Error(`$ref nesting deeper than 64 levels${chain.length ? ` (through ${chain.join(" → ")})` : ""}`);
  if (Array.isArray(node)) return node.map((n) => deref(doc, n, depth + 1, chain));
  if (!node || typeof node !== "object") return node;
  const obj = node as Node;
  if (typeof obj.$ref === "string") {
    if (chain.includes(obj.$ref)) {
      const cycle = [...chain.slice(chain.indexOf(obj.$ref)), obj.$ref];
      throw new Error(`recursive schema: $ref ${cycle.join(" → ")}; the generator does not support recursive schemas (docs/spec-conventions.md)`);
    }
    const target = resolvePointer(doc, obj.$ref);
    const { $ref: _ignored, ...rest } = obj;
    return deref(doc, { ...(target as Node), ...rest }, depth + 1, [...chain, obj.$ref]);
  }
  const out: Node = {};
  for (const [k, v] of Object.entries(obj)) out[k] = deref(doc, v, depth + 1, chain);
  return out;
}

function resolvePointer(doc: Node, ref: string): unknown {
  if (!ref.startsWith("#/")) throw new Error(`only local $refs are supported, got ${ref}`);
  let cur: unknown = doc;
  for (const raw of ref.slice(2).split("/")) {
    const key = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    cur = (cur as Node)?.[key];
    if (cur === undefined) throw new Error(`unresolved $ref ${ref}`);
  }
  return cur;
}

/** Merge allOf members into one object schema (properties, required, closedness). */
function flattenObject(schema: Node): Node {
  if (!Array.isArray(schema.allOf)) return schema;
  const props: Node = { ...((schema.properties as Node) ?? {}) };
  const required = new Set<string>((schema.required as string[]) ?? []);
  let closed = schema.additionalProperties === false;
  for (const part of schema.allOf as Node[]) {
    const flat = flattenObject(part);
    Object.assign(props, (flat.properties as Node) ?? {});
    for (const r of (flat.required as string[]) ?? []) required.add(r);
    if (flat.additionalProperties === false) closed = true;
  }
  return { ...schema, properties: props, required: [...required], additionalProperties: closed ? false : schema.additionalProperties };
}

/** The 200 answer's JSON schema, `$ref`s resolved (undefined: no JSON 200). */
function answerSchemaOf(doc: Node, op: Node): Node | undefined {
  const content = ((op.responses as Node | undefined)?.["200"] as Node | undefined)?.content as Node | undefined;
  const json = Object.entries(content ?? {}).find(([ct]) => /json/i.test(ct))?.[1] as Node | undefined;
  return json?.schema ? (deref(doc, json.schema) as Node) : undefined;
}

/**
 * The schema of what `call()` resolves to for the 200 JSON answer: the envelope's data field,
 * or the whole body without an envelope (undefined: no JSON 200 or no such field), `$ref`s
 * resolved. The transport checks an answer's value against it.
 */
function dataSchemaOf(doc: Node, op: Node, envelope: EnvelopeMeta | false | null): Node | undefined {
  const schema = answerSchemaOf(doc, op);
  if (!schema) return undefined;
  if (!envelope || !envelope.dataField) return schema;
  return (flattenObject(schema).properties as Node | undefined)?.[envelope.dataField] as Node | undefined;
}

/** Does the 200 answer's schema require the envelope's data field (XT order: `required: [data]`)? */
function dataFieldRequired(doc: Node, op: Node, envelope: EnvelopeMeta | false | null): boolean {
  const schema = answerSchemaOf(doc, op);
  if (!schema || !envelope || !envelope.dataField) return false;
  return ((flattenObject(schema).required as string[] | undefined) ?? []).includes(envelope.dataField);
}

/** The JSON type(s) a data schema (dataSchemaOf) gives (undefined: none). */
function dataTypeOf(schema: Node | undefined): string | string[] | undefined {
  if (!schema) return undefined;
  const flat = flattenObject(schema);
  return (flat.type ?? (flat.properties || flat.additionalProperties ? "object" : undefined)) as string | string[] | undefined;
}

/** JSON Schema keywords the runtime reads (the validator, the encoders, the emulators). */
const SCHEMA_KEYS = [
  "type", "format", "enum", "default", "contentEncoding", "contentMediaType",
  "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength",
  "minItems", "maxItems", "pattern", "required",
] as const;
/** Schema-level `x-` extensions the code reads → the typed field of SchemaMeta that carries them. */
export const SCHEMA_EXTENSIONS = {
  "x-comma-joined": "commaJoined",
  "x-no-condition": "noCondition",
  "x-row-field": "rowField",
  "x-row-values": "rowValues",
  "x-filter": "filter",
  "x-items-forms": "itemsForms",
  "x-items-simple-columns": "itemsSimpleColumns",
  "x-items-simple-format": "itemsSimpleFormat",
  "x-first-dates": "firstDates",
  "x-max-items": "maxBatchItems",
  "x-since": "since",
  "x-since-by-value": "sinceByValue",
} as const;

/**
 * The schema as the metadata carries it: the keywords above, nested schemas, the typed
 * extensions; with `docs`, descriptions too (the docs metadata, never the runtime one).
 */
export function schemaMeta(s: unknown, docs = false, depth = 0): SchemaMeta {
  if (depth > 64) throw new Error("schema nesting too deep");
  const schema = (s ?? {}) as Node;
  const out: Node = {};
  for (const k of SCHEMA_KEYS) if (schema[k] !== undefined) out[k] = schema[k];
  if (out.type === undefined && Array.isArray(schema.enum)) out.type = typeof schema.enum[0] === "string" ? "string" : "integer";
  // `const` is carried as a one-value `enum` (one keyword for the validator and the CLI).
  if (schema.const !== undefined && out.enum === undefined) out.enum = [schema.const];
  if (docs && typeof schema.description === "string") out.description = schema.description;
  const sub = (v: unknown) => schemaMeta(v, docs, depth + 1);
  if (schema.items && typeof schema.items === "object") out.items = sub(schema.items);
  if (Array.isArray(schema.prefixItems)) out.prefixItems = (schema.prefixItems as unknown[]).map(sub);
  // Read only where the client encodes a batch itself (x-max-items: XT's base64 `data`); Xele's
  // base64 `params` is checked against its x-request-schema instead.
  if (schema.contentSchema && typeof schema.contentSchema === "object" && "x-max-items" in schema) out.contentSchema = sub(schema.contentSchema);
  if (schema.not && typeof schema.not === "object") out.not = sub(schema.not);
  for (const k of ["allOf", "anyOf", "oneOf"] as const) if (Array.isArray(schema[k])) out[k] = (schema[k] as unknown[]).map(sub);
  if (schema.properties && typeof schema.properties === "object") {
    out.properties = Object.fromEntries(Object.entries(schema.properties as Node).map(([k, v]) => [k, sub(v)]));
  }
  if (typeof schema.additionalProperties === "boolean") out.additionalProperties = schema.additionalProperties;
  else if (schema.additionalProperties && typeof schema.additionalProperties === "object") out.additionalProperties = sub(schema.additionalProperties);
  for (const [ext, field] of Object.entries(SCHEMA_EXTENSIONS)) if (ext in schema) out[field] = schema[ext];
  if (schema["x-item-schema"] && typeof schema["x-item-schema"] === "object") out.itemSchema = sub(schema["x-item-schema"]);
  return out as SchemaMeta;
}

function example(media: Node | undefined): string | null {
  if (!media) return null;
  const examples = media.examples as Record<string, Node> | undefined;
  const value = media.example ?? (examples ? Object.values(examples)[0]?.value : undefined) ?? (media.schema as Node | undefined)?.example;
  if (value === undefined) return null;
  return typeof value === "string" ? value : stringifyJson(value, 2);
}

function extensions(obj: Node, skip: readonly string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (k.startsWith("x-") && !skip.includes(k)) out[k] = v;
  return out;
}

/** `x-pipe-rows` as the decoders read it: the layout and its columns (no row schema, no prose). */
function pipeRowsMeta(raw: unknown, docs: boolean): PipeRowsMeta | undefined {
  if (!raw || typeof raw !== "object") return undefined;
  const { rowSchema: _rowSchema, columns, ...rest } = raw as Node;
  const cols = ((columns as Node[] | undefined) ?? []).map((c) => {
    if (docs) return c;
    const { description: _d, sinceDoc: _s, ...col } = c;
    return col;
  });
  return { ...rest, columns: cols } as unknown as PipeRowsMeta;
}

/**
 * Every `x-` key the runtime reads → the typed metadata field(s) carrying it (schema, operation,
 * response, server and document level). docs/spec-conventions.md names the field in the key's
 * row (test/spec-vocabulary.test.ts checks it); code reads the field, never the raw key.
 */
export const TYPED_EXTENSIONS: Readonly<Record<string, readonly string[]>> = {
  ...Object.fromEntries(Object.entries(SCHEMA_EXTENSIONS).map(([k, v]) => [k, [v]])),
  "x-item-schema": ["itemSchema"],
  "x-retryable": ["retryable"],
  "x-rate-limit": ["rateLimit"],
  "x-rate-limits": ["rateLimits"],
  "x-envelope": ["envelope"],
  "x-error-codes": ["errorCodes"],
  "x-pagination": ["pagination"],
  "x-required-one-of": ["requiredOneOf"],
  "x-idempotency-key": ["idempotencyKey"],
  "x-since": ["since"],
  "x-server": ["server", "role"],
  "x-request-schema": ["requestSchema"],
  "x-get-body": ["getBody"],
  "x-pipe-rows": ["pipeRows"],
  "x-definite-failure": ["definiteFailure"],
  "x-common-request-fields": ["commonRequestFields"],
  "x-login": ["login"],
  "x-known-values": ["knownValues"],
};

/** Every operation-level `x-` key that becomes a typed OperationMeta field. */
const OPERATION_EXTENSIONS = [
  "x-retryable", "x-rate-limit", "x-envelope", "x-pagination", "x-required-one-of", "x-idempotency-key",
  "x-since", "x-server", "x-request-schema", "x-get-body",
] as const;

/**
 * A request body's rule over its fields together (`not`: Hubi's stop_loss_price and
 * trailing_stop never sent together), checked by the client before it sends; its description is
 * the UsageError's message, so the spec must give one. Any other keyword of the body schema as a
 * whole, which no client would check, fails the generation instead of being dropped.
 */
const BODY_KEYWORDS = new Set(["type", "required", "properties", "additionalProperties", "description", "title", "example", "examples", "allOf", "not"]);
function bodyRule(schema: Node, docs: boolean): Pick<BodyMeta, "not"> {
  // (at any depth of allOf: flattenObject merges nested parts too)
  const parts = (s: Node): Node[] => [s, ...((s.allOf as Node[] | undefined) ?? []).flatMap(parts)];
  for (const part of parts(schema)) {
    const unread = Object.keys(part).filter((k) => !BODY_KEYWORDS.has(k) && !k.startsWith("x-"));
    if (unread.length) throw new Error(`the request body's ${unread.join(", ")} would not be checked by the clients (only properties, required, additionalProperties and not are)`);
    if (part !== schema && part.not) throw new Error(`a request body's not inside allOf is not read; give it on the body schema itself`);
  }
  const not = schema.not as Node | undefined;
  if (!not) return {};
  if (typeof not.description !== "string" || not.description.trim() === "") {
    throw new Error(`the request body's not needs a description: it is the message a caller gets when the parameters break it`);
  }
  return { not: { schema: schemaMeta(not, docs), message: not.description.trim().replace(/\.$/, "") } };
}

function operationMeta(doc: Node, item: Node, op: Node, m: string, path: string, docs: boolean): OperationMeta {
  const shared = (item.parameters as Node[]) ?? [];
  const byKey = new Map<string, Node>();
  for (const p of [...shared, ...((op.parameters as Node[]) ?? [])]) byKey.set(`${p.in}:${p.name}`, p);
  const params: ParamMeta[] = [...byKey.values()].map((p) => ({
    name: String(p.name),
    in: p.in as ParamMeta["in"],
    required: p.required === true,
    schema: schemaMeta(p.schema, docs),
    ...(docs && p.description ? { description: String(p.description) } : {}),
  }));
  let body: BodyMeta | null = null;
  const rb = op.requestBody as Node | undefined;
  if (rb?.content) {
    const [contentType, media] = Object.entries(rb.content as Record<string, Node>)[0]!;
    const schema = flattenObject((media.schema ?? {}) as Node);
    const properties: Record<string, SchemaMeta> = {};
    for (const [k, v] of Object.entries((schema.properties as Node) ?? {})) properties[k] = schemaMeta(v, docs);
    body = {
      contentType,
      required: (schema.required as string[]) ?? [],
      properties,
      closed: schema.additionalProperties === false,
      ...bodyRule(schema, docs),
      ...(docs && /json/i.test(contentType) ? { schema } : {}),
    };
  }
  const responses: Record<string, ResponseMeta> = {};
  for (const [code, r] of Object.entries((op.responses as Record<string, Node>) ?? {})) {
    // The runtime reads the documented status codes only (the 200's content type, a 404's meaning).
    if (!docs && !/^\d{3}$/.test(code)) continue;
    // …and a 200 that answers JSON is the default (the transport assumes JSON when none is listed).
    const content = r.content as Record<string, Node> | undefined;
    const first = content ? Object.entries(content)[0] : undefined;
    const pipeRows = pipeRowsMeta(r["x-pipe-rows"], docs);
    const ext = extensions(r);
    if (!docs && code === "200" && !pipeRows && /json/i.test(first?.[0] ?? "")) continue;
    responses[code] = {
      contentType: first?.[0] ?? null,
      ...(pipeRows ? { pipeRows } : {}),
      ...(r["x-definite-failure"] === true ? { definiteFailure: true } : {}),
      ...(docs ? { example: example(first?.[1]) } : {}),
      ...(docs && Object.keys(ext).length ? { extensions: ext } : {}),
    };
  }
  const security = ((op.security ?? doc.security ?? []) as Array<Record<string, unknown>>).flatMap((req) => Object.keys(req));
  const envelope = op["x-envelope"] as EnvelopeMeta | false | undefined;
  const answerEnvelope = envelope === undefined ? ((doc["x-envelope"] as EnvelopeMeta | undefined) ?? null) : envelope;
  const dataSchema = dataSchemaOf(doc, op, answerEnvelope);
  const dataType = dataTypeOf(dataSchema);
  const dataRequired = op["x-retryable"] === false && dataFieldRequired(doc, op, answerEnvelope);
  const servers = (op.servers ?? item.servers) as Node[] | undefined;
  const opt = <T>(key: string, value: T | undefined) => (value === undefined ? {} : { [key]: value });
  // The name client.call(), the CLI and the docs use: never invented (scripts/spec-rules.ts refuses it first).
  if (typeof op.operationId !== "string" || op.operationId === "") throw new Error(`no operationId (every operation needs one: the name call() and the CLI take)`);
  return {
    operationId: op.operationId,
    method: m.toUpperCase() as HttpMethod,
    path,
    ...(docs ? { summary: String(op.summary ?? ""), tags: (op.tags as string[]) ?? [], deprecated: op.deprecated === true } : op.deprecated === true ? { deprecated: true } : {}),
    retryable: op["x-retryable"] === true,
    security: [...new Set(security)],
    rateLimit: (op["x-rate-limit"] as string[]) ?? [],
    ...opt("envelope", envelope),
    ...opt("dataType", dataType),
    ...(dataRequired ? { dataRequired: true as const } : {}),
    // Without descriptions in the docs metadata too: only the check reads it (the reference pages read the spec).
    ...opt("dataSchema", dataSchema && schemaMeta(dataSchema)),
    params,
    body,
    responses,
    ...(servers ? { servers: servers.map((s) => serverMeta(s, docs)) } : {}),
    ...opt("pagination", op["x-pagination"] as PaginationMeta | undefined),
    ...opt("requiredOneOf", op["x-required-one-of"] as string[][] | undefined),
    ...opt("idempotencyKey", op["x-idempotency-key"] as string | undefined),
    ...opt("since", op["x-since"] === undefined ? undefined : String(op["x-since"])),
    ...opt("server", op["x-server"] as string | undefined),
    ...opt("requestSchema", op["x-request-schema"] === undefined ? undefined : schemaMeta(op["x-request-schema"], docs)),
    ...opt("getBody", op["x-get-body"] as OperationMeta["getBody"] | undefined),
    ...(docs ? { extensions: extensions(op, OPERATION_EXTENSIONS) } : {}),
  } as OperationMeta;
}

function serverMeta(s: Node, docs: boolean): ServerMeta {
  const variables = s.variables as Record<string, Node> | undefined;
  return {
    url: String(s.url),
    ...(docs && s.description ? { description: String(s.description) } : {}),
    ...(variables
      ? {
          variables: Object.fromEntries(
            Object.entries(variables).map(([k, v]) => [
              k,
              { default: String(v.default), ...(v.enum ? { enum: v.enum as string[] } : {}), ...(docs && v.description ? { description: String(v.description) } : {}) },
            ]),
          ),
        }
      : {}),
    ...(typeof s["x-server"] === "string" ? { role: s["x-server"] } : {}),
  };
}

/**
 * The metadata of one OpenAPI document. `docs: false` (generated/<spec>.meta.ts): only what
 * the runtime reads; `docs: true` (generated/<spec>.docs.ts): that plus summaries, tags,
 * descriptions, examples, security schemes and every other `x-` key verbatim.
 */
export function extractMeta(api: string, spec: string, raw: Node, docs = true): ApiMeta {
  const doc = raw;
  const info = (doc.info ?? {}) as Node;
  const operations: OperationMeta[] = [];
  const paths = (doc.paths ?? {}) as Record<string, Node>;
  for (const [path, itemRaw] of Object.entries(paths)) {
    // (a problem is named by its operation: `GET /tree (getTree): recursive schema: …`)
    const where = (m?: string) => {
      const id = m ? ((itemRaw as Node | undefined)?.[m] as Node | undefined)?.operationId : undefined;
      return m ? `${m.toUpperCase()} ${path}${typeof id === "string" ? ` (${id})` : ""}` : `path ${path}`;
    };
    const named = <T>(m: string | undefined, f: () => T): T => {
      try {
        return f();
      } catch (e) {
        throw new Error(`${where(m)}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
      }
    };
    const present = METHODS.filter((m) => (itemRaw as Node | undefined)?.[m] !== undefined);
    const item = named(present.length === 1 ? present[0] : undefined, () => deref(doc, itemRaw) as Node);
    for (const m of METHODS) {
      const op = item[m] as Node | undefined;
      if (op) operations.push(named(m, () => operationMeta(doc, item, op, m, path, docs)));
    }
  }
  const rateLimits: Record<string, RateLimitRule> = {};
  for (const [name, r] of Object.entries((doc["x-rate-limits"] as Record<string, Node>) ?? {})) {
    rateLimits[name] = {
      limit: Number(r.limit),
      intervalMs: Number(r.intervalMs),
      ...(r.scope ? { scope: String(r.scope) } : {}),
      ...(docs && r.description ? { description: String(r.description) } : {}),
    };
  }
  const components = (doc.components ?? {}) as Node;
  const securitySchemes = (deref(doc, components.securitySchemes ?? {}) as Record<string, Node>) ?? {};
  const login = Object.values(securitySchemes).find((s) => s["x-login"])?.["x-login"] as LoginMeta | undefined;
  const common = doc["x-common-request-fields"] as ApiMeta["commonRequestFields"] | undefined;
  return {
    api,
    spec,
    title: String(info.title ?? api),
    version: String(info.version ?? ""),
    servers: ((doc.servers as Node[]) ?? []).map((s) => serverMeta(s, docs)),
    envelope: (doc["x-envelope"] as EnvelopeMeta | undefined) ?? null,
    errorCodes: errorCodes((doc["x-error-codes"] as ApiMeta["errorCodes"]) ?? {}, docs),
    rateLimits,
    operations,
    ...(common ? { commonRequestFields: common } : {}),
    ...(login ? { login } : {}),
    ...(docs ? { securitySchemes, extensions: extensions(doc, ["x-envelope", "x-error-codes", "x-rate-limits", "x-common-request-fields"]) } : {}),
  } as ApiMeta;
}

/**
 * `x-error-codes`. The runtime's errors carry the English `meaning` (or the vendor's `message`
 * where no meaning is written); the docs metadata keeps both.
 */
function errorCodes(table: ApiMeta["errorCodes"], docs: boolean): ApiMeta["errorCodes"] {
  if (docs) return table;
  return Object.fromEntries(Object.entries(table).map(([code, info]) => {
    const { message, ...rest } = info;
    return [code, rest.meaning === undefined && message !== undefined ? { ...rest, message } : rest];
  }));
}

/** Per operation: the component name of a `$ref` found at `pick(op)` (before dereferencing). */
export function refNames(raw: Node, pick: (op: Node) => unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of Object.values((raw.paths ?? {}) as Record<string, Node>)) {
    for (const m of METHODS) {
      const op = item[m] as Node | undefined;
      const ref = op ? (pick(op) as Node | undefined)?.$ref : undefined;
      if (op && typeof ref === "string") out[String(op.operationId)] = ref.split("/").pop()!;
    }
  }
  return out;
}

/**
 * YAML parsed with intAsBigInt gives every integer as a bigint: make safe ones numbers again
 * and write unsafe ones as decimal strings (metadata is emitted as a TS object literal).
 */
export function normalizeBigints(v: unknown): unknown {
  if (typeof v === "bigint") return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  if (Array.isArray(v)) return v.map(normalizeBigints);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalizeBigints(x)]));
  return v;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
/** What an operation field is when `generated/<spec>.meta.ts` leaves it out (core/meta.ts `expandMeta`). */
const OPERATION_DEFAULTS = { retryable: false, security: [], rateLimit: [], responses: {} } as const;
/** The fields that go into an operation's `x` (its policy, often the same for several operations). */
const POLICY_FIELDS: readonly string[] = ["retryable", "security", "rateLimit", "envelope", "deprecated", "server", "servers"];

function compactParam(p: ParamMeta): CompactParam | ParamMeta {
  if (Object.keys(p).some((k) => !["name", "in", "required", "schema"].includes(k))) return p;
  if (p.in !== "query") return [p.name, p.schema, p.required, p.in];
  return p.required ? [p.name, p.schema] : [p.name, p.schema, false];
}

function compactBody(b: BodyMeta): CompactBody {
  if (Object.keys(b).some((k) => !["contentType", "required", "properties", "closed", "not"].includes(k))) throw new Error(`body field not carried: ${Object.keys(b)}`);
  const all = same(b.required, Object.keys(b.properties));
  if (b.not) return [b.contentType, b.properties, b.required, b.closed, b.not];
  if (b.closed) return [b.contentType, b.properties, b.required, true];
  return all ? [b.contentType, b.properties] : [b.contentType, b.properties, b.required];
}

/**
 * The runtime metadata as `generated/<spec>.meta.ts` writes it (`CompactMeta`): what
 * `expandMeta` restores is left out (defaults; the API's most common retry policy, security
 * and rate limits go once into `d`), operations as `{ i: operationId, r: "METHOD /path", p, b, x, … }`
 * (`x`: what differs from `d` in retry policy, security, rate limits, envelope and servers)
 * with parameters and bodies as tuples, error codes with only a meaning and a kind as
 * `[meaning, kind]`. `expandMeta(compactMeta(m))` deep-equals `m` (test/meta-compact.test.ts).
 */
export function compactMeta(meta: ApiMeta): CompactMeta {
  const { servers, envelope, errorCodes, rateLimits, operations, ...rest } = meta;
  const d: Record<string, unknown> = {};
  for (const key of ["retryable", "security", "rateLimit"] as const) {
    const counts = new Map<string, number>();
    for (const op of operations) counts.set(JSON.stringify(op[key]), (counts.get(JSON.stringify(op[key])) ?? 0) + 1);
    const [common] = [...counts].sort((a, b) => b[1] - a[1])[0] ?? [];
    if (common !== undefined && common !== JSON.stringify(OPERATION_DEFAULTS[key])) d[key] = JSON.parse(common);
  }
  const ops = operations.map(({ operationId, method, path, params, body, ...fields }) => {
    // A "*" at the end stands for the operationId (so a path may not end with a "*" of its own).
    if (path.endsWith("*")) throw new Error(`${method} ${path}: a path ending with "*" cannot be written compactly`);
    const r = path.endsWith(`/${operationId}`) ? `${path.slice(0, -operationId.length)}*` : path;
    const out: Record<string, unknown> = { i: operationId, r: `${method} ${r}` };
    if (params.length) out.p = params.map(compactParam);
    if (body) out.b = compactBody(body);
    const policy: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(fields)) {
      if (v === undefined) continue;
      const dflt = k in d ? d[k] : (OPERATION_DEFAULTS as Record<string, unknown>)[k];
      if (POLICY_FIELDS.includes(k)) {
        if (!same(v, dflt)) policy[k] = v;
      } else if (!(k in OPERATION_DEFAULTS) || !same(v, dflt)) out[k] = v;
    }
    // Operations of one kind share their policy (e.g. every public market-data call): written once.
    if (Object.keys(policy).length) out.x = policy;
    return out as CompactOperation;
  });
  const codes = Object.fromEntries(
    Object.entries(errorCodes).map(([code, info]) => [code, same(Object.keys(info).sort(), ["kind", "meaning"]) ? [info.meaning, info.kind] : info]),
  );
  return {
    ...rest,
    ...(servers.length ? { servers } : {}),
    ...(envelope ? { envelope } : {}),
    ...(Object.keys(codes).length ? { errorCodes: codes } : {}),
    ...(Object.keys(rateLimits).length ? { rateLimits } : {}),
    ...(Object.keys(d).length ? { d } : {}),
    ops,
  } as CompactMeta;
}
