/**
 * What the spec-tools read from an OpenAPI / AsyncAPI document: its operations with the
 * request fields a vendor doc documents, and the project's `x-doc-section` records.
 */
import { parseSpecYaml, SpecParseError } from "./spec-file.js";

export { SpecParseError };

export type Node = Record<string, unknown>;
const METHODS = ["get", "post", "put", "delete", "patch"] as const;

export function parseSpecText(text: string, where: string): Node {
  const doc = parseSpecYaml(text, where);
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) throw new SpecParseError(`${where} is not an OpenAPI/AsyncAPI document`);
  const d = doc as Node;
  if (typeof d.openapi !== "string" && typeof d.asyncapi !== "string") throw new SpecParseError(`${where} has neither an \`openapi\` nor an \`asyncapi\` version field`);
  const shapeError = structureProblem(d);
  if (shapeError) throw new SpecParseError(`${where} is not a usable ${typeof d.openapi === "string" ? "OpenAPI" : "AsyncAPI"} document: ${shapeError}`);
  return d;
}

const isMap = (v: unknown): v is Node => !!v && typeof v === "object" && !Array.isArray(v);

/** The first place where the document's skeleton is not what the spec tools walk (maps of maps). */
function structureProblem(d: Node): string | undefined {
  const maps = typeof d.openapi === "string" ? ["info", "paths", "components"] : ["info", "channels", "operations", "components", "servers"];
  for (const k of maps) if (d[k] !== undefined && d[k] !== null && !isMap(d[k])) return `\`${k}\` is not a map`;
  if (typeof d.openapi === "string") {
    for (const [path, item] of Object.entries((d.paths as Node | undefined) ?? {})) {
      if (!isMap(item)) return `path ${path} is not a map`;
      for (const m of METHODS) if (item[m] !== undefined && !isMap(item[m])) return `${m.toUpperCase()} ${path} is not a map`;
      for (const m of METHODS) {
        const params = (item[m] as Node | undefined)?.parameters;
        if (params !== undefined && !Array.isArray(params)) return `the parameters of ${m.toUpperCase()} ${path} are not a list`;
      }
    }
  } else {
    for (const [id, op] of Object.entries((d.operations as Node | undefined) ?? {})) if (!isMap(op)) return `operation ${id} is not a map`;
  }
  return undefined;
}

function pointer(doc: Node, ref: string): unknown {
  if (!ref.startsWith("#/")) return undefined;
  let cur: unknown = doc;
  for (const raw of ref.slice(2).split("/")) cur = (cur as Node | undefined)?.[decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~")];
  return cur;
}

/** Resolve local `$ref`s (siblings merged over the target); cycles stop at depth 40. */
export function deref(doc: Node, node: unknown, depth = 0): unknown {
  if (depth > 40 || !node || typeof node !== "object") return node;
  if (Array.isArray(node)) return node.map((n) => deref(doc, n, depth + 1));
  const obj = node as Node;
  if (typeof obj.$ref === "string") {
    const { $ref, ...rest } = obj;
    const target = pointer(doc, $ref as string);
    return deref(doc, { ...((target as Node) ?? {}), ...rest }, depth + 1);
  }
  const out: Node = {};
  for (const [k, v] of Object.entries(obj)) out[k] = deref(doc, v, depth + 1);
  return out;
}

/** Properties and required names of an object schema, allOf members merged. */
export function objectFields(schema: unknown): { properties: Record<string, Node>; required: Set<string> } {
  const properties: Record<string, Node> = {};
  const required = new Set<string>();
  const walk = (s: unknown) => {
    if (!s || typeof s !== "object") return;
    const n = s as Node;
    Object.assign(properties, (n.properties as Record<string, Node>) ?? {});
    for (const r of (n.required as string[]) ?? []) required.add(r);
    for (const part of (n.allOf as unknown[]) ?? []) walk(part);
  };
  walk(schema);
  return { properties, required };
}

export interface SpecField {
  name: string;
  required: boolean;
  /** JSON Schema type (first non-null) */
  type?: string;
  /** the field's `x-doc-deviation` (on the parameter, the property or its schema) */
  deviation?: Node;
  /** `x-vendor-doc-type`: the doc's type where the spec deliberately sends another */
  docType?: string;
}

export interface SpecOperation {
  id: string;
  /** "GET /path" or "op login" / "topic order" / "state" */
  key?: string;
  docSection?: { heading: string; sha256: string };
  /** x-doc-deviations on the operation: doc parameters the spec leaves out on purpose */
  deviations: Node[];
  fields: SpecField[];
  /** every property name anywhere in the request (for docs whose tables nest) */
  allNames: Set<string>;
  /** the fields of the request's `data` (an `x-request-schema` request: the JSON the doc's tables describe) */
  dataFields?: SpecField[];
  /** the operation object (to find where to write records) */
  node: Node;
}

function typeOf(schema: Node | undefined): string | undefined {
  if (!schema) return undefined;
  const t = ([] as unknown[]).concat(schema.type ?? []).find((x) => x !== "null");
  if (typeof t === "string") return t;
  if (schema.const !== undefined || Array.isArray(schema.enum)) {
    const v = schema.const ?? (schema.enum as unknown[])[0];
    return typeof v === "string" ? "string" : typeof v === "boolean" ? "boolean" : "integer";
  }
  return undefined;
}

function fieldOf(name: string, required: boolean, holder: Node, schema: Node | undefined): SpecField {
  const f: SpecField = { name, required, type: typeOf(schema) };
  const dev = (holder["x-doc-deviation"] ?? schema?.["x-doc-deviation"]) as Node | undefined;
  if (dev) f.deviation = dev;
  const docType = holder["x-vendor-doc-type"] ?? schema?.["x-vendor-doc-type"];
  if (typeof docType === "string") f.docType = docType;
  return f;
}

function collectNames(schema: unknown, into: Set<string>, depth = 0): void {
  if (!schema || typeof schema !== "object" || depth > 12) return;
  const n = schema as Node;
  for (const [k, v] of Object.entries((n.properties as Node) ?? {})) {
    into.add(k);
    collectNames(v, into, depth + 1);
  }
  for (const key of ["items", "contentSchema", "additionalProperties"]) collectNames(n[key], into, depth + 1);
  for (const key of ["allOf", "oneOf", "anyOf"]) for (const p of (n[key] as unknown[]) ?? []) collectNames(p, into, depth + 1);
}

function docSectionOf(node: Node): SpecOperation["docSection"] {
  const s = node["x-doc-section"] as Node | undefined;
  if (!s || typeof s.heading !== "string" || typeof s.sha256 !== "string") return undefined;
  return { heading: s.heading, sha256: s.sha256 };
}

export function openapiOperations(doc: Node): SpecOperation[] {
  const out: SpecOperation[] = [];
  for (const [path, rawItem] of Object.entries((doc.paths as Node) ?? {})) {
    const item = deref(doc, rawItem) as Node;
    for (const m of METHODS) {
      const op = item[m] as Node | undefined;
      if (!op) continue;
      const fields: SpecField[] = [];
      const allNames = new Set<string>();
      for (const p of [...((item.parameters as Node[]) ?? []), ...((op.parameters as Node[]) ?? [])]) {
        const schema = p.schema as Node | undefined;
        if (schema?.contentSchema) collectNames(schema.contentSchema, allNames); // Xele's base64 `params`: the JSON inside is the request
        fields.push(fieldOf(String(p.name), p.required === true, p, schema));
        allNames.add(String(p.name));
      }
      const content = ((op.requestBody as Node | undefined)?.content as Record<string, Node>) ?? {};
      for (const media of Object.values(content)) {
        const { properties, required } = objectFields(media.schema);
        for (const [name, s] of Object.entries(properties)) fields.push(fieldOf(name, required.has(name), s, s));
        collectNames(media.schema, allNames);
      }
      collectNames(op["x-request-schema"], allNames);
      const dataFields = requestDataFields(doc, op["x-request-schema"]);
      out.push({
        id: String(op.operationId ?? `${m.toUpperCase()} ${path}`),
        key: `${m.toUpperCase()} ${path}`,
        docSection: docSectionOf(op),
        deviations: ((op["x-doc-deviations"] as Node[]) ?? []).filter((d) => d && typeof d === "object"),
        fields,
        allNames,
        ...(dataFields ? { dataFields } : {}),
        node: op,
      });
    }
  }
  return out;
}

/** The fields of an `x-request-schema` request's `data` (an object, or an array of them). */
function requestDataFields(doc: Node, requestSchema: unknown): SpecField[] | undefined {
  if (!requestSchema) return undefined;
  const data = objectFields(deref(doc, requestSchema)).properties.data;
  if (!data) return undefined;
  const { properties, required } = objectFields(data.type === "array" ? data.items : data);
  return Object.entries(properties).map(([name, s]) => fieldOf(name, required.has(name), s, s));
}

/** AsyncAPI: `send` operations keyed by their request's wire op, notifications by topic, state. */
export function asyncapiOperations(doc: Node): SpecOperation[] {
  const out: SpecOperation[] = [];
  for (const [id, raw] of Object.entries((doc.operations as Node) ?? {})) {
    const op = deref(doc, raw) as Node;
    const message = ((op.messages as Node[]) ?? [])[0];
    if (!message) continue;
    let key: string | undefined;
    if (typeof message["x-topic"] === "string") key = `topic ${message["x-topic"]}`;
    else if (message["x-op"] === "state") key = "state";
    else if (op.action === "send" && typeof message["x-op"] === "string") key = `op ${message["x-op"]}`;
    const { properties, required } = objectFields(message.payload);
    const fields = op.action === "send" ? Object.entries(properties).map(([n, s]) => fieldOf(n, required.has(n), s, s)) : [];
    const allNames = new Set<string>();
    collectNames(message.payload, allNames);
    out.push({ id, key, docSection: docSectionOf(op), deviations: ((op["x-doc-deviations"] as Node[]) ?? []), fields, allNames, node: op });
  }
  return out;
}

export function specOperations(doc: Node): SpecOperation[] {
  return typeof doc.asyncapi === "string" ? asyncapiOperations(doc) : openapiOperations(doc);
}

/** AsyncAPI state codes: value → name, from the state message's `code` enum, and that schema's deviation record. */
export function specStateCodes(doc: Node): { codes: Map<number, string | undefined>; deviation?: Node } | undefined {
  for (const op of asyncapiOperations(doc)) {
    if (op.key !== "state") continue;
    const message = ((deref(doc, (doc.operations as Node)[op.id]) as Node).messages as Node[])[0]!;
    const code = objectFields(message.payload).properties.code;
    if (!code || !Array.isArray(code.enum)) return undefined;
    const names = (code["x-enum-varnames"] as string[]) ?? [];
    const codes = new Map<number, string | undefined>();
    (code.enum as unknown[]).forEach((v, i) => codes.set(Number(v), names[i]));
    return { codes, deviation: code["x-doc-deviation"] as Node | undefined };
  }
  return undefined;
}

/** A `$ref` that points at nothing here: the `$ref` and where it is (`paths./order.get.parameters.0.schema`). */
export interface DanglingRef {
  ref: string;
  at: string;
  /** it points into another file (`./common.yaml#/Order`) */
  outside?: true;
}

/**
 * Every `$ref` of the document that points at nothing in it: a local one (`#/...`) naming
 * nothing, e.g. a component that was renamed, and any to another file (the metadata, the spec
 * tools and the docs read one file per API: what it points at is not read).
 */
export function danglingRefs(doc: Node): DanglingRef[] {
  const out: DanglingRef[] = [];
  const walk = (node: unknown, path: string[]) => {
    if (Array.isArray(node)) node.forEach((v, i) => walk(v, [...path, String(i)]));
    else if (isMap(node)) {
      for (const [k, v] of Object.entries(node)) {
        // (`$ref` as a property name of a schema's `properties` is a field, not a reference)
        // (values are data, where a "$ref" key is text: an example's, a default, an enum's)
        if (isDataKey(k, path)) continue;
        if (k === "$ref" && typeof v === "string" && path[path.length - 1] !== "properties") {
          if (v !== "" && !v.startsWith("#")) out.push({ ref: v, at: path.join(".") || "(document)", outside: true });
          else if (resolvePointer(doc, v) === undefined) out.push({ ref: v, at: path.join(".") || "(document)" });
        } else walk(v, [...path, k]);
      }
    }
  };
  walk(doc, []);
  return out;
}

/** A key whose value is data, not spec (a `$ref` in it is text): example, default, enum, const, an Example Object's value. */
export const isDataKey = (key: string, path: readonly string[]): boolean =>
  path[path.length - 1] !== "properties" && (["example", "default", "enum", "const", "x-enum-descriptions"].includes(key) || (key === "value" && path[path.length - 2] === "examples"));

/** How a dangling `$ref` is told: `$ref "#/x" at paths.a points at nothing`. */
export const danglingText = (d: DanglingRef): string =>
  `$ref ${JSON.stringify(d.ref)} at ${d.at} ${d.outside ? "points into another file (a spec is one file: put what it names under components)" : "points at nothing"}`;

/** The node a local `$ref` points at (undefined: nothing there, or not a local pointer). */
function resolvePointer(doc: Node, ref: string): unknown {
  if (ref === "#") return doc;
  if (!ref.startsWith("#/")) return undefined;
  let cur: unknown = doc;
  for (const raw of ref.slice(2).split("/")) {
    let key: string;
    try {
      key = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    } catch {
      return undefined;
    }
    if (!cur || typeof cur !== "object" || !Object.prototype.hasOwnProperty.call(cur, key)) return undefined;
    cur = (cur as Node)[key];
  }
  return cur;
}
