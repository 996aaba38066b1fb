/**
 * Extract `ApiMeta` (src/handwritten/core/meta.ts) from an OpenAPI document parsed with
 * big-int support: operations with their parameters, body fields, retry policy, rate
 * limits, security and examples (as exact JSON text).
 */
import type {
  ApiMeta,
  BodyMeta,
  EnvelopeMeta,
  HttpMethod,
  OperationMeta,
  ParamMeta,
  ResponseMeta,
  SchemaMeta,
} from "../src/handwritten/core/meta.js";
import { stringifyJson } from "../src/handwritten/core/json.js";
import type { RateLimitRule } from "../src/handwritten/core/rate-limit.js";

type Node = Record<string, unknown>;
const METHODS = ["get", "post", "put", "delete", "patch"] as const;

/** Resolve local `$ref`s (merging sibling keys, as OpenAPI 3.1 allows). */
export function deref(doc: Node, node: unknown, depth = 0): unknown {
  if (depth > 64) throw new Error("$ref nesting too deep (cycle?)");
  if (Array.isArray(node)) return node.map((n) => deref(doc, n, depth + 1));
  if (!node || typeof node !== "object") return node;
  const obj = node as Node;
  if (typeof obj.$ref === "string") {
    const target = resolvePointer(doc, obj.$ref);
    const { $ref: _ignored, ...rest } = obj;
    return deref(doc, { ...(target as Node), ...rest }, depth + 1);
  }
  const out: Node = {};
  for (const [k, v] of Object.entries(obj)) out[k] = deref(doc, v, depth + 1);
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

const SCHEMA_KEYS = ["type", "format", "enum", "default", "description", "contentEncoding", "contentMediaType", "minimum", "maximum", "pattern"];

function schemaMeta(s: unknown): SchemaMeta {
  const schema = (s ?? {}) as Node;
  const out: Node = {};
  for (const k of SCHEMA_KEYS) if (schema[k] !== undefined) out[k] = schema[k];
  if (out.type === undefined && Array.isArray(schema.enum)) out.type = typeof schema.enum[0] === "string" ? "string" : "integer";
  if (schema.const !== undefined && out.enum === undefined) out.enum = [schema.const];
  if (schema.items && typeof schema.items === "object") out.items = schemaMeta(schema.items);
  for (const [k, v] of Object.entries(schema)) if (k.startsWith("x-")) out[k] = v;
  return out as SchemaMeta;
}

function example(media: Node | undefined): string | null {
  if (!media) return null;
  const examples = media.examples as Record<string, Node> | undefined;
  const value = media.example ?? (examples ? Object.values(examples)[0]?.value : undefined) ?? (media.schema as Node | undefined)?.example;
  if (value === undefined) return null;
  return typeof value === "string" ? value : stringifyJson(value, 2);
}

function extensions(obj: Node, skip: string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (k.startsWith("x-") && !skip.includes(k)) out[k] = v;
  return out;
}

export function extractMeta(api: string, spec: string, raw: Node): ApiMeta {
  const doc = raw;
  const info = (doc.info ?? {}) as Node;
  const operations: OperationMeta[] = [];
  const paths = (doc.paths ?? {}) as Record<string, Node>;
  for (const [path, itemRaw] of Object.entries(paths)) {
    const item = deref(doc, itemRaw) as Node;
    const shared = (item.parameters as Node[]) ?? [];
    for (const m of METHODS) {
      const op = item[m] as Node | undefined;
      if (!op) continue;
      const byKey = new Map<string, Node>();
      for (const p of [...shared, ...((op.parameters as Node[]) ?? [])]) byKey.set(`${p.in}:${p.name}`, p);
      const params: ParamMeta[] = [...byKey.values()].map((p) => ({
        name: String(p.name),
        in: p.in as ParamMeta["in"],
        required: p.required === true,
        schema: schemaMeta(p.schema),
        ...(p.description ? { description: String(p.description) } : {}),
      }));
      let body: BodyMeta | null = null;
      const rb = op.requestBody as Node | undefined;
      if (rb?.content) {
        const [contentType, media] = Object.entries(rb.content as Record<string, Node>)[0]!;
        const schema = flattenObject((media.schema ?? {}) as Node);
        const properties: Record<string, SchemaMeta> = {};
        for (const [k, v] of Object.entries((schema.properties as Node) ?? {})) properties[k] = schemaMeta(v);
        body = {
          contentType,
          required: (schema.required as string[]) ?? [],
          properties,
          closed: schema.additionalProperties === false,
          ...(/json/i.test(contentType) ? { schema } : {}),
        };
      }
      const responses: Record<string, ResponseMeta> = {};
      for (const [code, r] of Object.entries((op.responses as Record<string, Node>) ?? {})) {
        const content = r.content as Record<string, Node> | undefined;
        const first = content ? Object.entries(content)[0] : undefined;
        const ext = extensions(r);
        responses[code] = {
          contentType: first?.[0] ?? null,
          example: example(first?.[1]),
          ...(Object.keys(ext).length ? { extensions: ext } : {}),
        };
      }
      const security = ((op.security ?? doc.security ?? []) as Array<Record<string, unknown>>).flatMap((req) => Object.keys(req));
      const envelope = op["x-envelope"] as EnvelopeMeta | false | undefined;
      const servers = (op.servers ?? item.servers) as OperationMeta["servers"] | undefined;
      operations.push({
        operationId: String(op.operationId ?? `${m.toUpperCase()} ${path}`),
        method: m.toUpperCase() as HttpMethod,
        path,
        summary: String(op.summary ?? ""),
        tags: (op.tags as string[]) ?? [],
        deprecated: op.deprecated === true,
        retryable: op["x-retryable"] === true,
        security: [...new Set(security)],
        rateLimit: (op["x-rate-limit"] as string[]) ?? [],
        ...(envelope !== undefined ? { envelope } : {}),
        params,
        body,
        responses,
        ...(servers ? { servers } : {}),
        extensions: extensions(op, ["x-retryable", "x-rate-limit", "x-envelope"]),
      });
    }
  }
  const rateLimits: Record<string, RateLimitRule> = {};
  for (const [name, r] of Object.entries((doc["x-rate-limits"] as Record<string, Node>) ?? {})) {
    rateLimits[name] = {
      limit: Number(r.limit),
      intervalMs: Number(r.intervalMs),
      ...(r.scope ? { scope: String(r.scope) } : {}),
      ...(r.description ? { description: String(r.description) } : {}),
    };
  }
  const components = (doc.components ?? {}) as Node;
  return {
    api,
    spec,
    title: String(info.title ?? api),
    version: String(info.version ?? ""),
    servers: (doc.servers as ApiMeta["servers"]) ?? [],
    envelope: (doc["x-envelope"] as EnvelopeMeta | undefined) ?? null,
    errorCodes: (doc["x-error-codes"] as ApiMeta["errorCodes"]) ?? {},
    rateLimits,
    securitySchemes: (deref(doc, components.securitySchemes ?? {}) as ApiMeta["securitySchemes"]) ?? {},
    operations,
    extensions: extensions(doc, ["x-envelope", "x-error-codes", "x-rate-limits"]),
  };
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
