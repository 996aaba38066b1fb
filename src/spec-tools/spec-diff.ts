/**
 * `tradeapi spec diff`: what changed between two versions of a spec, classified for a
 * TypeScript consumer of the generated client. api-smart-diff finds the changes (OpenAPI, and
 * AsyncAPI payload schemas as JSON Schema); the project's rules (docs/spec-diff-rules.md)
 * classify and describe them, correcting api-smart-diff where it is wrong for this project:
 * request parameter retypes, response retypes at path level, and `x-` extensions.
 */
import { someOf } from "../handwritten/core/redaction.js";
import { deref, type Node } from "./spec-model.js";

export type ChangeKind = "breaking" | "non-breaking" | "docs";

export interface SpecChange {
  api: string;
  kind: ChangeKind;
  operation?: string;
  message: string;
  /** the rule of docs/spec-diff-rules.md that classified it */
  rule: string;
  /**
   * What the change asks of code written by hand (a signing change: the signer and the
   * emulator's check, which the generator does not write), e.g. "implemented by hand in
   * src/auth/xt.ts and the emulator's signature check (src/mock/xt/auth.ts): update them and
   * their known-answer tests". Shown by the text output and the summary, not in CHANGELOG.md.
   */
  handWritten?: string;
}

interface RawDiff {
  path: Array<string | number>;
  action: "add" | "remove" | "replace" | "rename";
  before?: unknown;
  after?: unknown;
  type: string;
  description?: string;
  /** a `format` changed with the `type` beside it: its before and after (see mergeRetypes) */
  format?: [unknown, unknown];
  /** an `x-enum-descriptions` entry changed: the enum value it describes (see enumsAsSets) */
  enumValue?: unknown;
  /** a change of one `x-pipe-rows` column, matched by name, already classified (see pipeColumnsByName) */
  pipeColumn?: { kind: ChangeKind; message: string };
}

type Compare = (before: unknown, after: unknown) => { diffs: RawDiff[] };

let compareFn: Compare | undefined;
async function compare(): Promise<Compare> {
  if (!compareFn) {
    try {
      const mod = (await import("api-smart-diff")) as unknown as { apiCompare: Compare };
      compareFn = mod.apiCompare;
    } catch {
      throw new Error("spec diff needs the package api-smart-diff (a dev dependency of tradeapi): run it from a clone of the project after `npm ci`");
    }
  }
  return compareFn;
}

const METHODS = new Set(["get", "post", "put", "delete", "patch", "head", "options"]);
const DOCS_KEYS = new Set(["description", "summary", "title", "example", "examples", "x-enum-descriptions", "x-pipe-columns", "x-doc-section", "x-doc-deviation", "x-doc-deviations", "x-vendor-doc", "tags", "externalDocs", "x-vendor-doc-type", "x-transport-note", "x-method-source", "contact", "license", "termsOfService"]);

/** A local `$ref`'s keys (`#/components/schemas/a~1b` → components, schemas, a/b). */
const refKeys = (ref: string): string[] => ref.replace(/^#\//, "").split("/").map((k) => k.replace(/~1/g, "/").replace(/~0/g, "~"));

/** The node at `path` in `root`, following local `$ref`s on the way. */
function resolveAt(root: unknown, path: ReadonlyArray<string | number>): unknown {
  const follow = (v: unknown): unknown => {
    for (let i = 0; i < 32 && v && typeof v === "object" && typeof (v as Node).$ref === "string" && String((v as Node).$ref).startsWith("#/"); i++) {
      v = refKeys(String((v as Node).$ref)).reduce<unknown>((n, k) => (n as Node | undefined)?.[k], root);
    }
    return v;
  };
  let cur = follow(root);
  for (const k of path) cur = follow((cur as Node | undefined)?.[k as string]);
  return cur;
}

/** An OpenAPI document as written, by the one api-smart-diff compares (and rewrites). */
const AS_WRITTEN = new WeakMap<Node, Node>();

/** `x-` extensions whose value is a schema (BHEX's batch rows): changes inside follow the schema rules. */
const SCHEMA_EXTENSIONS = new Set(["x-item-schema"]);

/**
 * `x-signature` keys that are prose around the signing: notes, the vendor SDKs' variants (the
 * signers' `variant` options, each pinned by its own known-answer test), the vendor's worked
 * example. Every other key says how requests are signed (`algorithm`, `canonicalString`,
 * `keyHeader`, `nonceParam`, `batchDataSigning`…), a key added later too: a change to it is a
 * change to the hand-written signer.
 */
const SIGNATURE_PROSE_KEYS = new Set(["notes", "variants", "testVector", "description", "summary", "externalDocs"]);

/** An AsyncAPI message's `x-` keys that name it in the generated API, and what each names. */
const MESSAGE_NAMES: Readonly<Record<string, string>> = {
  "x-op": "the op's name in the generated request and reply types and the metadata",
  "x-topic": "the topic's name in the generated notification types and the metadata",
  "x-kind": "which generated map holds the message: requests, replies, notifications",
};

/** A value without its `description`s (to tell a reworded server from a moved one). */
/** Keys of a server (and its variables) that only document it: a change to them is a docs change. */
const DOC_ONLY_KEYS: ReadonlySet<string> = new Set(["description", "title", "summary", "tags", "externalDocs"]);
const withoutDescriptions = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(withoutDescriptions)
    : v && typeof v === "object"
      ? Object.fromEntries(Object.entries(v).filter(([k]) => !DOC_ONLY_KEYS.has(k)).map(([k, x]) => [k, withoutDescriptions(x)]))
      : v;
/** JSON.stringify's replacer for bigints (as their digits). */
const big = (_k: string, v: unknown) => (typeof v === "bigint" ? v.toString() : v);
const sameJson = (a: unknown, b: unknown) => JSON.stringify(a, big) === JSON.stringify(b, big);

/**
 * The YAML parser reads integers as bigints. api-smart-diff gets them as numbers where a number
 * holds them exactly, and beyond 2^53 as a marked string, so that no digit is lost (an int64
 * maximum changed in its last digit is a change); `json` prints the marked ones as the digits.
 */
const BIG_MARK = "\u0000bigint:";
const plain = (_k: string, x: unknown) => (typeof x === "bigint" ? (Number.isSafeInteger(Number(x)) ? Number(x) : `${BIG_MARK}${x}`) : x);
const unmark = (text: string) => text.replace(/"\\u0000bigint:(-?\d+)"/g, "$1").replace(/\u0000bigint:/g, "");
const json = (v: unknown): string => unmark(JSON.stringify(v, plain));

const show = (v: unknown): string => {
  if (v === undefined) return "(none)";
  const s = json(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
};

/** A text as it is, cut to 80 characters (a meaning quoted in a line). */
const cut = (text: string): string => (text.length > 80 ? `${text.slice(0, 77)}...` : text);

/**
 * `before → after`, each cut to 80 characters; when the cut-offs would read the same (a long
 * text changed past its start), both show the stretch around the first difference instead.
 */
function arrow(before: unknown, after: unknown): string {
  const b = show(before);
  const a = show(after);
  if (b !== a || before === undefined || after === undefined) return `${b} → ${a}`;
  const jb = json(before);
  const ja = json(after);
  let i = 0;
  while (i < jb.length && jb[i] === ja[i]) i++;
  const from = Math.max(0, i - 30);
  const cut = (s: string) => `${from > 0 ? "..." : ""}${s.slice(from, from + 74)}${s.length > from + 74 ? "..." : ""}`;
  return `${cut(jb)} → ${cut(ja)}`;
}

/** `integer (int64)`: a type and its format, as one text. */
const typeFormat = (type: unknown, format: unknown): string => `${show(type)}${format === undefined ? "" : ` (${show(format)})`}`;
const typesOf = (v: unknown): string[] => ([] as unknown[]).concat(v ?? []).map(String);

/** Where a change sits: in what a consumer sends, what it receives, or neither. */
function sideOf(path: Array<string | number>, fallback: "request" | "response" | "other"): "request" | "response" | "other" {
  if (path.includes("responses")) return "response";
  if (path.includes("parameters") || path.includes("requestBody")) return "request";
  return fallback;
}

/** The field a schema path points into: `a.b` of properties/items (`[5]`: a tuple's place, prefixItems), or the parameter name. */
function fieldName(path: Array<string | number>, doc: Node | undefined): string | undefined {
  const names: string[] = [];
  for (let i = 0; i < path.length; i++) {
    if (path[i] === "properties" && typeof path[i + 1] === "string") names.push(String(path[i + 1]));
    if (path[i] === "items" && path[i - 1] !== "properties") names.push("[]");
    if (path[i] === "prefixItems" && path[i - 1] !== "properties" && typeof path[i + 1] === "number") names.push(`[${path[i + 1]}]`);
  }
  if (names.length) return names.join(".").replace(/\.\[/g, "[");
  const pi = path.indexOf("parameters");
  if (pi >= 0 && doc) {
    // (through a `$ref`: a parameter shared in components.parameters is named too)
    const name = (resolveAt(doc, path.slice(0, pi + 2)) as Node | undefined)?.name;
    if (typeof name === "string") return name;
  }
  return undefined;
}

type Classified = { kind: ChangeKind; rule: string; message?: string };

/** classifyChange, a change inside a security scheme named by the scheme (`security scheme xtAccessKey: in "query" → "header"`). */
function classify(d: RawDiff, side: "request" | "response" | "other", before: Node | undefined, after: Node | undefined): Classified {
  const c = classifyChange(d, side, before, after);
  const scheme = d.path[0] === "components" && d.path[1] === "securitySchemes" && d.path[2] !== undefined ? String(d.path[2]) : undefined;
  return scheme === undefined ? c : { ...c, message: `security scheme ${scheme}: ${c.message ?? d.path.slice(3).join(".")}` };
}

function classifyChange(d: RawDiff, side: "request" | "response" | "other", before: Node | undefined, after: Node | undefined): Classified {
  const last = d.path[d.path.length - 1];
  const parent = d.path[d.path.length - 2];
  const field = fieldName(d.path, d.action === "add" ? after : before) ?? fieldName(d.path, after);
  // (an extension that holds a schema, such as `x-item-schema`, is classified as the schema it is)
  const ext = d.path.find((p, i): p is string => typeof p === "string" && p.startsWith("x-") && d.path[i - 1] !== "properties" && !(SCHEMA_EXTENSIONS.has(p) && i < d.path.length - 1));
  const where = side === "request" ? "request" : side === "response" ? "response" : "";
  // What a retyping names: a parameter's own schema is a parameter's type, not a field's (`parameter page type …`).
  const subject = isParameterSchema(d.path) && field ? `parameter ${field}` : `${where} ${field ? `field ${field}` : "schema"}`;

  // --- documentation only
  // a key is a keyword only where it is not a property name (a response field may be called `description`)
  const docAt = d.path.findIndex((p, i) => typeof p === "string" && DOCS_KEYS.has(p) && d.path[i - 1] !== "properties");
  const docKey = docAt < 0 ? undefined : d.path[docAt];
  if (docKey !== undefined) {
    // (a key added or removed inside an example, a list of tags…: the example changed, it is still there)
    const action = docAt < d.path.length - 1 ? "replace" : d.action;
    const of = [field, d.enumValue === undefined ? undefined : `value ${show(d.enumValue)}`].filter((x) => x !== undefined).join(", ");
    return { kind: "docs", rule: "docs-only", message: `${String(docKey)} ${action === "add" ? "added" : action === "remove" ? "removed" : "changed"}${of ? ` (${of})` : ""}` };
  }

  // --- project extensions (api-smart-diff gives them no description)
  if (ext) return classifyExtension(d, ext, before, after);

  // --- operations
  if (d.path[0] === "paths" && d.path.length === 3 && METHODS.has(String(last))) {
    return d.action === "remove" ? { kind: "breaking", rule: "operation-removed", message: "operation removed" } : { kind: "non-breaking", rule: "operation-added", message: "operation added" };
  }
  if (d.path[0] === "paths" && d.path.length === 2) {
    return d.action === "remove" ? { kind: "breaking", rule: "operation-removed", message: `path ${String(last)} removed` } : { kind: "non-breaking", rule: "operation-added", message: `path ${String(last)} added` };
  }
  const propName = parent === "properties";
  if (last === "deprecated" && !propName) return { kind: "non-breaking", rule: "deprecated", message: d.after ? "deprecated" : "no longer deprecated" };
  if (last === "operationId" && !propName) return { kind: "breaking", rule: "operation-renamed", message: `operationId ${arrow(d.before, d.after)}` };

  // --- servers, security
  const keyword = (k: string) => d.path.some((p, i) => p === k && d.path[i - 1] !== "properties");
  if (keyword("servers")) return classifyServer(d);
  if (keyword("securitySchemes")) {
    // (classify names the scheme) the field changed in it, or the scheme itself
    const tail = d.path.slice(d.path.indexOf("securitySchemes") + 2).join(".");
    return { kind: "breaking", rule: "security", message: tail ? `${tail} ${arrow(d.before, d.after)}` : d.action === "add" ? "added" : d.action === "remove" ? "removed" : `replaced: ${arrow(d.before, d.after)}` };
  }
  if (keyword("security")) {
    const tail = d.path.slice(d.path.lastIndexOf("security") + 1);
    if (tail.length === 1 && typeof tail[0] === "number" && d.action !== "replace") return { kind: "breaking", rule: "security", message: `security requirement ${show(d.action === "add" ? d.after : d.before)} ${d.action === "add" ? "added" : "removed"}` };
    return { kind: "breaking", rule: "security", message: `security requirements changed${tail.length ? ` (${tail.join(".")})` : ""}: ${arrow(d.before, d.after)}` };
  }

  // --- parameters and fields
  if (parent === "parameters" && typeof last === "number") {
    const p = (d.action === "add" ? d.after : d.before) as Node | undefined;
    const name = String(p?.name ?? field);
    if (d.action === "add") return p?.required ? { kind: "breaking", rule: "param-added-required", message: `required parameter ${name} added` } : { kind: "non-breaking", rule: "param-added-optional", message: `optional parameter ${name} added` };
    if (d.action === "remove") return { kind: "breaking", rule: "param-removed", message: `parameter ${name} removed` };
    if (d.action === "rename" || d.action === "replace") return { kind: "breaking", rule: "param-removed", message: `parameter ${String((d.before as Node)?.name)} replaced by ${String((d.after as Node)?.name)}` };
  }
  if (last === "name" && d.path.includes("parameters")) return { kind: "breaking", rule: "param-renamed", message: `parameter ${show(d.before)} renamed to ${show(d.after)}` };
  if (last === "required" && typeof d.before !== "object" && typeof d.after !== "object" && d.path.includes("parameters")) {
    return d.after === true ? { kind: "breaking", rule: "param-required", message: `parameter ${field} is now required` } : { kind: "non-breaking", rule: "param-optional", message: `parameter ${field} is now optional` };
  }
  if (parent === "required" && typeof last === "number") {
    // (named by its path, as a field added or removed is: `data.fee`, `data[].fee`)
    const own = String(d.action === "add" ? d.after : d.before);
    const name = field ? `${field}.${own}` : own;
    if (side === "request") return d.action === "add" ? { kind: "breaking", rule: "param-required", message: `request field ${name} is now required` } : { kind: "non-breaking", rule: "param-optional", message: `request field ${name} is now optional` };
    return d.action === "remove" ? { kind: "breaking", rule: "response-field-optional", message: `${where} field ${name} is no longer always present` } : { kind: "non-breaking", rule: "response-field-required", message: `${where} field ${name} is now always present` };
  }
  if (parent === "properties" || (last === "properties" && d.action !== "replace")) {
    const name = field ?? String(last);
    if (side === "request") {
      if (d.action === "remove") return { kind: "breaking", rule: "param-removed", message: `request field ${name} removed` };
      if (d.action === "add") {
        const required = isRequiredIn(after, d.path, String(last));
        return required ? { kind: "breaking", rule: "param-added-required", message: `required request field ${name} added` } : { kind: "non-breaking", rule: "param-added-optional", message: `optional request field ${name} added` };
      }
    } else {
      if (d.action === "remove") return { kind: "breaking", rule: "response-field-removed", message: `${where} field ${name} removed` };
      if (d.action === "add") return { kind: "non-breaking", rule: "response-field-added", message: `${where} field ${name} added` };
    }
  }
  if (last === "type" || last === "format" || last === "$ref" || (parent === "type" && typeof last === "number")) {
    const widened = side === "request" && widens(last, d.before, d.after) && (!d.format || widens("format", d.format[0], d.format[1]));
    const rule = side === "request" ? "param-retyped" : "response-field-retyped";
    const change = d.format ? `type ${typeFormat(d.before, d.format[0])} → ${typeFormat(d.after, d.format[1])}` : `${String(last)} ${arrow(d.before, d.after)}`;
    return { kind: widened ? "non-breaking" : "breaking", rule, message: `${subject} ${change}` };
  }
  // A form of a field's anyOf/oneOf added or removed (a `$ref` made nullable, a number that may
  // be text): an answer that may carry one more breaks a consumer's type; a request that takes
  // one more does not. Only where the anyOf is the whole schema, or the form is null: beside
  // `type` or `properties` its members constrain as well (api-smart-diff's words then).
  const member = (d.action === "add" ? d.after : d.before) as Node | undefined;
  const nullMember = member?.type === "null" && Object.keys(member).every((k) => k === "type" || DOCS_KEYS.has(k));
  const union = (doc: Node | undefined) => {
    const holder = resolveAt((doc && AS_WRITTEN.get(doc)) ?? doc, d.path.slice(0, -2)) as Node | undefined;
    return !!holder && typeof holder === "object" && !["type", "properties", "items", "allOf", "additionalProperties"].some((k) => k in holder);
  };
  if ((parent === "anyOf" || parent === "oneOf") && typeof last === "number" && (d.action === "add" || d.action === "remove") && member && (nullMember || union(d.action === "add" ? after : before))) {
    // (api-smart-diff gives a member with a description beside its type as an allOf of the two)
    const type = member.type ?? (Array.isArray(member.allOf) ? (member.allOf as Node[]).find((m) => m?.type !== undefined)?.type : undefined);
    const form = nullMember ? "null" : typeof member.$ref === "string" ? `a ${String(member.$ref).split("/").pop()}` : type !== undefined ? `of type ${show(type)}` : "of another schema";
    const what = subject.trim();
    const added = d.action === "add";
    const kind: ChangeKind = side === "request" ? (added ? "non-breaking" : "breaking") : added ? "breaking" : "non-breaking";
    return { kind, rule: side === "request" ? "param-retyped" : "response-field-retyped", message: added ? `${what} may now be ${form}` : `${what} can no longer be ${form}` };
  }
  if (parent === "enum" || last === "enum" || last === "const") {
    const removed = d.action === "remove" || d.action === "replace";
    if (removed && wholeEnumGone(after, d.path)) {
      // The whole enum gone (an open value now): every value a caller sends still fits; an
      // answer may now carry any value (a consumer's exhaustive switch must handle others).
      // (a parameter or a body field: two of one name are two lines, see wholeEnumsOnce)
      const what = isParameterSchema(d.path) && field ? `parameter ${field}` : `request ${field ? `field ${field}` : "body"}`;
      if (side === "request") return { kind: "non-breaking", rule: "enum-removed", message: `${what} enum value ${show(d.before)} removed with the whole enum (any value is taken now)` };
      return { kind: "breaking", rule: "response-enum-changed", message: `${where} ${field ?? ""} enum value ${show(d.before)} removed with the whole enum (any value may come now)`.replace(/\s+/g, " ") };
    }
    // (an enum's values are a set: enumsAsSets made an item replaced one removed and one added; a `const` replaced names both)
    const what = d.action === "replace" && d.after !== undefined ? `${show(d.before)} replaced by ${show(d.after)}` : removed ? `${show(d.before)} removed` : `${show(d.after)} added`;
    if (side === "request") return { kind: removed ? "breaking" : "non-breaking", rule: removed ? "enum-value-removed" : "enum-value-added", message: `${field ?? "request"} enum value ${what}` };
    return { kind: "breaking", rule: "response-enum-changed", message: `${where} ${field ?? ""} enum value ${what}`.replace(/\s+/g, " ") };
  }
  // A request schema closed (or its extra fields narrowed) refuses what it took: unknown fields
  // are a UsageError now. Opened again, or on the response side, nothing that worked breaks.
  // What a constraint line names: the parameter, the request or response field (or schema), or
  // (a component no operation uses) the field or schema.
  const constrained = isParameterSchema(d.path) && field ? `parameter ${field}` : where ? `${where} ${field ? `field ${field}` : "schema"}` : field ? `field ${field}` : "schema";
  if (last === "additionalProperties" && side === "request") {
    const closes = d.action !== "remove" && d.after !== true;
    return { kind: closes ? "breaking" : "non-breaking", rule: "constraint", message: `${constrained} additionalProperties ${arrow(d.before, d.after)}${closes && d.after === false ? " (fields it does not list are refused)" : ""}` };
  }
  if (["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "pattern", "maxItems", "minItems", "default", "multipleOf"].includes(String(last))) {
    // A range widened takes every value it took (a request keeps working) and may bring values it
    // did not (an answer, or an unused component as an answer, may carry one a consumer never
    // saw); narrowed, the reverse. Other changes (a pattern, a default): breaking in a request but
    // when removed, not elsewhere.
    const range = rangeChange(last, d);
    const kind: ChangeKind =
      range === "wider" ? (side === "request" ? "non-breaking" : "breaking") : range === "narrower" ? (side === "request" ? "breaking" : "non-breaking") : side === "request" && d.action !== "remove" ? "breaking" : "non-breaking";
    return { kind, rule: "constraint", message: `${constrained} ${String(last)} ${arrow(d.before, d.after)}` };
  }
  if (d.path.includes("responses") && typeof d.path[d.path.indexOf("responses") + 1] === "string" && d.path.length === d.path.indexOf("responses") + 2) {
    return { kind: d.action === "add" ? "non-breaking" : "breaking", rule: "response-status", message: `response ${String(last).replace(/^(\d)xx$/, "$1XX")} ${d.action === "add" ? "added" : "removed"}` };
  }
  // --- api-smart-diff's own classification for the rest
  const kind: ChangeKind = d.type === "breaking" ? "breaking" : d.type === "annotation" ? "docs" : "non-breaking";
  if (last === "schema" && parent !== "properties" && isParameterSchema(d.path) && field) {
    return { kind, rule: "generic", message: `parameter ${field} schema ${d.action === "add" ? "added" : d.action === "remove" ? "removed" : `changed: ${arrow(d.before, d.after)}`}` };
  }
  return { kind, rule: "generic", message: genericMessage(d, field) };
}

/** A change inside an `x-` extension (not one holding a schema): by the extension's rule. */
function classifyExtension(d: RawDiff, ext: string, before: Node | undefined, after: Node | undefined): Classified {
  const tail = d.path.slice(d.path.indexOf(ext) + 1).join(".");
  const what = `${ext}${tail ? `.${tail}` : ""}: ${arrow(d.before, d.after)}`;
  if (ext === "x-error-codes") {
    const rest = d.path.slice(d.path.indexOf(ext) + 1);
    if (rest.length === 0) return { kind: "breaking", rule: "x-error-codes", message: `error table replaced` };
    if (rest.length === 1 && d.action === "remove") return { kind: "breaking", rule: "x-error-codes", message: `error code ${rest[0]} removed (its error class no longer applies)` };
    if (rest.length === 1 && d.action === "add") {
      // (what a package user can act on: what the code means, and the error class it raises)
      const added = (d.after ?? {}) as Node;
      const meaning = [added.meaning, added.message].find((t): t is string => typeof t === "string" && t.trim() !== "");
      const kind = typeof added.kind === "string" ? `kind ${added.kind}` : "no kind";
      return { kind: "non-breaking", rule: "x-error-codes", message: `error code ${rest[0]} added${meaning ? `: ${cut(meaning.trim())}` : ""} (${kind})` };
    }
    if (rest[1] === "kind") return { kind: "breaking", rule: "x-error-codes", message: `error code ${rest[0]} kind ${arrow(d.before, d.after)} (raises another error class)` };
    return { kind: "docs", rule: "x-error-codes", message: `error code ${rest[0]} ${String(rest[1] ?? "")} ${arrow(d.before, d.after)}` };
  }
  if (ext === "x-enum-varnames") {
    // AsyncAPI state codes become exported constants (StateCode.READY): a name that goes away
    // breaks code using it. OpenAPI enums get no named constants from them: docs there.
    // (enumsAsSets gives one diff per list, whole lists before and after)
    const list = (v: unknown) => (Array.isArray(v) ? v : typeof v === "string" ? [v] : []);
    const message = `enum names ${what}`;
    const asyncapi = d.path[0] === "payload" || typeof after?.asyncapi === "string" || typeof before?.asyncapi === "string";
    if (!asyncapi) return { kind: "docs", rule: ext, message };
    // Each name's value (by place in the enum beside it): a name gone, or one that now stands for
    // another value (StateCode.READY meaning 7), breaks code using it; a name added does not.
    const schemaPath = d.path.slice(0, d.path.indexOf(ext));
    const valuesOf = (root: unknown, names: unknown[]) => {
      const values = (resolveAt(root, schemaPath) as Node | undefined)?.enum;
      return Array.isArray(values) && values.length === names.length ? values : undefined;
    };
    // (by place on both sides when either list does not line up with its enum)
    const [vb, va] = [valuesOf(before, list(d.before)), valuesOf(after, list(d.after))];
    const valueOf = (names: unknown[], values: unknown[] | undefined) => new Map(names.map((n, i) => [n, vb && va ? JSON.stringify(values![i], big) : String(i)]));
    const [was, now] = [valueOf(list(d.before), vb), valueOf(list(d.after), va)];
    const names = (ns: unknown[]) => ns.map(show).join(", ");
    const gone = [...was.keys()].filter((n) => !now.has(n));
    const moved = [...was.keys()].filter((n) => now.has(n) && now.get(n) !== was.get(n));
    const added = [...now.keys()].filter((n) => !was.has(n));
    const parts = [
      ...(gone.length ? [`${names(gone)} removed (a generated constant is gone)`] : []),
      ...(moved.length ? [`${names(moved)} now name${moved.length === 1 ? "s" : ""} another value`] : []),
      ...(added.length ? [`${names(added)} added`] : []),
    ];
    if (!parts.length) return { kind: "docs", rule: ext, message: "enum names (x-enum-varnames) reordered with their values" };
    return { kind: gone.length || moved.length ? "breaking" : "non-breaking", rule: ext, message: `enum names (x-enum-varnames): ${parts.join(", ")}` };
  }
  if (ext === "x-retryable") return { kind: "non-breaking", rule: "x-retryable", message: `x-retryable ${arrow(d.before, d.after)} (the client ${d.after === true ? "now retries" : "no longer retries"} this operation)` };
  if (ext === "x-rate-limit" && d.path[d.path.length - 1] === ext) {
    // (whole lists: enumsAsSets) the names gone and come, not a change by place
    const list = (v: unknown) => (Array.isArray(v) ? v : []);
    const [was, now] = [list(d.before), list(d.after)];
    const gone = was.filter((n) => !now.includes(n));
    const added = now.filter((n) => !was.includes(n));
    const parts = [...(gone.length ? [`${gone.map(show).join(", ")} removed`] : []), ...(added.length ? [`${added.map(show).join(", ")} added`] : [])];
    return { kind: "non-breaking", rule: "x-rate-limit", message: `rate limit x-rate-limit: ${parts.join(", ") || "reordered"}` };
  }
  if (ext === "x-rate-limit" || ext === "x-rate-limits") return { kind: "non-breaking", rule: "x-rate-limit", message: `rate limit ${what}` };
  if (ext === "x-pipe-rows" && d.pipeColumn) return { kind: d.pipeColumn.kind, rule: "x-pipe-rows", message: `pipe rows ${d.pipeColumn.message}` };
  if (ext === "x-pipe-rows") {
    const isColumnAdd = d.action === "add" && d.path.includes("columns");
    return { kind: isColumnAdd ? "non-breaking" : "breaking", rule: "x-pipe-rows", message: `pipe rows ${isColumnAdd ? `column added ${show(d.after)}` : what}` };
  }
  if (ext === "x-signature") {
    // The signing itself (algorithm, what is signed, where it goes, the names of the key,
    // nonce and signature) is breaking; the prose around it (notes, SDK variants, the vendor's
    // worked example) is documentation.
    const key = String(d.path[d.path.indexOf(ext) + 1] ?? "");
    const signing = key === "" || !SIGNATURE_PROSE_KEYS.has(key);
    return { kind: signing ? (d.action === "add" && key === "" ? "non-breaking" : "breaking") : "docs", rule: ext, message: what };
  }
  if (ext === "x-headers") {
    // The headers the signer adds (their names, fixed values, formats): written into the signer by hand.
    return { kind: "breaking", rule: "x-signature", message: `signed headers ${what}` };
  }
  if (MESSAGE_NAMES[ext] !== undefined) {
    // An AsyncAPI message's wire names: the op a client calls, the topic it listens to, whether
    // it is a request, a reply or a push (the generated maps and metadata are keyed by them).
    return { kind: d.action === "add" ? "non-breaking" : "breaking", rule: "asyncapi-message-names", message: `${what} (${MESSAGE_NAMES[ext]})` };
  }
  if (ext === "x-pagination" && d.action === "add" && d.path.indexOf(ext) < d.path.length - 1) {
    // A new key (e.g. a time range the list honours) adds to what paging knows.
    return { kind: "non-breaking", rule: ext, message: what };
  }
  if (ext === "x-idempotency-key" || ext === "x-pagination" || ext === "x-envelope" || ext === "x-signature" || ext === "x-login" || ext === "x-get-body" || ext === "x-request-schema") {
    return { kind: d.action === "add" && d.path.indexOf(ext) === d.path.length - 1 ? "non-breaking" : "breaking", rule: ext, message: what };
  }
  return { kind: "non-breaking", rule: "extension-other", message: what };
}

/** A number of a bound (an integer beyond 2^53 comes marked, see `plain`), or undefined. */
function boundOf(v: unknown): number | bigint | undefined {
  if (typeof v === "number" || typeof v === "bigint") return v;
  if (typeof v === "string" && v.startsWith(BIG_MARK)) return BigInt(v.slice(BIG_MARK.length));
  return undefined;
}

/** Whether a bound's change lets more values through (`wider`) or fewer (`narrower`); undefined: neither, or not a bound. */
function rangeChange(key: unknown, d: RawDiff): "wider" | "narrower" | undefined {
  const lower = ["minimum", "exclusiveMinimum", "minLength", "minItems"].includes(String(key));
  if (!lower && !["maximum", "exclusiveMaximum", "maxLength", "maxItems"].includes(String(key))) return undefined;
  const [b, a] = [boundOf(d.before), boundOf(d.after)];
  // (OpenAPI 3.0's boolean exclusiveMinimum/exclusiveMaximum: no direction read here)
  if ((d.before !== undefined && b === undefined) || (d.after !== undefined && a === undefined)) return undefined;
  if (b === undefined) return a === undefined ? undefined : "narrower";
  if (a === undefined) return "wider";
  if (a === b) return undefined;
  return (lower ? a < b : a > b) ? "wider" : "narrower";
}

/** A change of a server: docs when only what documents it changed (named by its keys), else where it is. */
function classifyServer(d: RawDiff): { kind: ChangeKind; rule: string; message: string } {
  if (d.action === "replace" && sameJson(withoutDescriptions(d.before), withoutDescriptions(d.after))) {
    const keys = [...DOC_ONLY_KEYS].filter((k) => !sameJson((d.before as Node | undefined)?.[k], (d.after as Node | undefined)?.[k]));
    if (keys.length && !(keys.length === 1 && keys[0] === "description")) return { kind: "docs", rule: "servers", message: `server ${keys.join(", ")} changed` };
    return { kind: "docs", rule: "servers", message: `server description changed: ${arrow(d.before, d.after)}` };
  }
  return { kind: d.action === "add" ? "non-breaking" : "breaking", rule: "servers", message: `server ${d.action === "add" ? "added" : d.action === "remove" ? "removed" : "changed"}: ${arrow(d.before, d.after)}` };
}

const ACTION_WORDS: Readonly<Record<string, string>> = { add: "added", remove: "removed", replace: "changed", rename: "renamed" };

/**
 * api-smart-diff's description of a change, or one written here when it names no subject (the
 * n-th member added to a oneOf is described as " in Request Body content (application/json)").
 */
function genericMessage(d: RawDiff, field: string | undefined): string {
  const text = d.description?.replace(/^\[(\w+)\]\s*/, (_m, a: string) => `${a.toLowerCase()} `).trim();
  if (text && !/^(?:\w+\s+)?in\s/.test(text)) return text;
  const last = d.path[d.path.length - 1];
  const parent = d.path[d.path.length - 2];
  const what = typeof last === "number" && typeof parent === "string" ? `${parent} member ${last + 1}` : String(last);
  const at = field ? ` of ${field}` : "";
  const place = text?.replace(/^(?:\w+\s+)?(?=in\s)/, "") ?? "";
  return `${what}${at} ${ACTION_WORDS[d.action] ?? d.action}${place ? ` ${place}` : ""}`;
}

/** Whether a path is in a parameter's own schema (not in the fields of an object it holds). */
/**
 * Does a request's `type` or `format` change take more than before? Every old type among the new
 * ones (an integer is a number), or a format that lets more through (int32 → int64: the type
 * grows to number | bigint; a format but int64 dropped: the type stays, the check loosens;
 * int64 dropped would take bigint away).
 */
function widens(key: unknown, before: unknown, after: unknown): boolean {
  if (key === "type") {
    const [b, a] = [typesOf(before), typesOf(after)];
    return b.every((t) => a.includes(t) || (t === "integer" && a.includes("number")));
  }
  return key === "format" && ((before === "int32" && after === "int64") || (after === undefined && before !== "int64"));
}

function isParameterSchema(path: Array<string | number>): boolean {
  const pi = path.indexOf("parameters");
  return pi >= 0 && path[pi + 2] === "schema" && !path.slice(pi + 3).some((k) => k === "properties" || k === "items" || k === "contentSchema");
}

function isRequiredIn(doc: Node | undefined, path: Array<string | number>, name: string): boolean {
  // (api-smart-diff's paths run through `$ref`s: follow them)
  const cur = resolveAt(doc, path.slice(0, -2));
  return Array.isArray((cur as Node | undefined)?.required) && ((cur as Node).required as unknown[]).includes(name);
}

function operationName(doc: Node | undefined, path: Array<string | number>): string | undefined {
  if (path[0] !== "paths" || path.length < 3 || !METHODS.has(String(path[2]))) return path[0] === "paths" && path[1] ? String(path[1]) : undefined;
  const op = ((doc?.paths as Node | undefined)?.[path[1] as string] as Node | undefined)?.[path[2] as string] as Node | undefined;
  return typeof op?.operationId === "string" ? op.operationId : `${String(path[2]).toUpperCase()} ${String(path[1])}`;
}

/** Changes api-smart-diff reports under `components` (but security schemes) are placed by placeComponentDiffs. */
const reportedElsewhere = (path: Array<string | number>) => path[0] === "components" && path[1] !== "securitySchemes";

type Side = "request" | "response" | "other";

/** `<type>\u0000<name>` of a local `#/components/<type>/<name>...` reference. */
function componentOf(ref: string): string | undefined {
  if (!ref.startsWith("#/components/")) return undefined;
  const [, type, name] = refKeys(ref);
  return type && name ? `${type}\u0000${name}` : undefined;
}

/** Every component a subtree references, under any key (`contentSchema`, `x-` extensions included). */
function refsIn(node: unknown, out: Set<string>): Set<string> {
  if (Array.isArray(node)) for (const v of node) refsIn(v, out);
  else if (node && typeof node === "object") {
    for (const [k, v] of Object.entries(node)) {
      if (k === "$ref" && typeof v === "string") {
        const c = componentOf(v);
        if (c) out.add(c);
      } else refsIn(v, out);
    }
  }
  return out;
}

/**
 * For each operation (`<path>\u0000<method>`), the components it uses, directly or through other
 * components, and on which side: what it sends (parameters, requestBody, x-request-schema), what
 * it receives (responses), or other.
 */
function componentUses(doc: Node): Map<string, Map<string, Set<Side>>> {
  const comps = (doc.components as Node | undefined) ?? {};
  const direct = new Map<string, Set<string>>();
  const refsOf = (c: string) => {
    let r = direct.get(c);
    if (!r) {
      const [type, name] = c.split("\u0000") as [string, string];
      direct.set(c, (r = new Set()));
      refsIn((comps[type] as Node | undefined)?.[name], r);
    }
    return r;
  };
  const out = new Map<string, Map<string, Set<Side>>>();
  for (const [p, item] of Object.entries((doc.paths as Record<string, Node> | undefined) ?? {})) {
    if (!item || typeof item !== "object") continue;
    const shared = [...Object.entries(item)].filter(([k]) => !METHODS.has(k));
    for (const m of Object.keys(item).filter((k) => METHODS.has(k))) {
      const op = item[m] as Node | undefined;
      const uses = new Map<string, Set<Side>>();
      for (const [k, v] of [...shared, ...Object.entries(op ?? {})]) {
        const side: Side = k === "parameters" || k === "requestBody" || k === "x-request-schema" ? "request" : k === "responses" ? "response" : "other";
        const todo = [...refsIn(v, new Set())];
        const seen = new Set(todo);
        while (todo.length) {
          const c = todo.pop()!;
          uses.set(c, (uses.get(c) ?? new Set()).add(side));
          for (const n of refsOf(c)) if (!seen.has(n)) seen.add(n), todo.push(n);
        }
      }
      out.set(`${p}\u0000${m}`, uses);
    }
  }
  return out;
}

/** The components whose `$ref`s the node at `path` is (following `$ref`s on the way there, as api-smart-diff's paths do). */
function refChainAt(root: unknown, path: ReadonlyArray<string | number>): Set<string> {
  const chain = new Set<string>();
  let cur = resolveAt(root, path.slice(0, -1));
  if (path.length) cur = (cur as Node | undefined)?.[path[path.length - 1] as string];
  for (let i = 0; i < 32 && cur && typeof cur === "object" && typeof (cur as Node).$ref === "string"; i++) {
    const ref = String((cur as Node).$ref);
    const c = componentOf(ref);
    if (!c || chain.has(c)) break;
    chain.add(c);
    cur = resolveAt(root, refKeys(ref));
    // (a reference into a component, not to it, ends the chain)
    if (ref.split("/").length > 4) break;
  }
  return chain;
}

/**
 * Whether `shown` (a diff at an operation, or a component diff kept for it) reports the change
 * `d` makes to component `comp`: the same change, at a place that is a `$ref` to `comp`.
 */
function covers(shown: RawDiff, d: RawDiff, comp: string, before: Node, after: Node): boolean {
  const tail = d.path.slice(3);
  if (shown === d || shown.action !== d.action || shown.path.length < tail.length) return false;
  const at = shown.path.length - tail.length;
  if (!tail.every((k, i) => String(shown.path[at + i]) === String(k))) return false;
  if (!sameJson(shown.before, d.before) || !sameJson(shown.after, d.after)) return false;
  const prefix = shown.path.slice(0, at);
  return refChainAt(shown.action === "remove" ? before : after, prefix).has(comp) || refChainAt(before, prefix).has(comp);
}

const COMPONENT_LABEL: Record<string, string> = { schemas: "schema", parameters: "parameter", responses: "response", requestBodies: "request body", headers: "header" };

/**
 * api-smart-diff reports a change to a component once under `components` and again at each
 * operation where it follows the `$ref`s to it; it does not follow those inside `contentSchema`
 * (Xele's base64 `params`, XT's base64 batch data) or `x-` extensions (BHEX's `x-item-schema`),
 * nor a few other JSON Schema keywords. Each component change is placed here: at every operation
 * (present before and after) that uses the component, on the side it uses it, unless a diff
 * there already shows it; at the component itself when no operation uses it.
 */
function placeComponentDiffs(api: string, diffs: RawDiff[], before: Node, after: Node): SpecChange[] {
  const compDiffs = diffs.filter((d) => reportedElsewhere(d.path) && d.path.length >= 3);
  if (!compDiffs.length) return [];
  const usesBefore = componentUses(before);
  const usesAfter = componentUses(after);
  // `covers` needs the same action and values and a path ending as the component diff's does:
  // diffs are looked up by those and the last one or two keys of their path (a big spec's
  // thousands of changes would otherwise each be compared with every other).
  const keys = new Map<RawDiff, string>();
  const coverKey = (x: RawDiff) => {
    let k = keys.get(x);
    if (k === undefined) keys.set(x, (k = `${x.action}\u0000${JSON.stringify(x.before, big)}\u0000${JSON.stringify(x.after, big)}\u0000${String(x.path[x.path.length - 1])}`));
    return k;
  };
  /** The keys a diff is filed under: its last key, and its last two keys. */
  const fileKeys = (x: RawDiff) => [coverKey(x), `${coverKey(x)}\u0000${String(x.path[x.path.length - 2])}`];
  /** The key to look a component diff up by: its last two keys when its path inside the component has two. */
  const lookupKey = (d: RawDiff) => (d.path.length >= 5 ? `${coverKey(d)}\u0000${String(d.path[d.path.length - 2])}` : coverKey(d));
  const add = <T>(index: Map<string, Map<string, T[]>>, op: string, key: string, v: T) => {
    let byKey = index.get(op);
    if (!byKey) index.set(op, (byKey = new Map()));
    const list = byKey.get(key);
    if (list) list.push(v);
    else byKey.set(key, [v]);
  };
  const shown = new Map<string, Map<string, RawDiff[]>>();
  // Per operation, the components of a parameter `$ref` the operation reports removed or added as
  // a whole (or renamed: pairRenamedParams): a change inside one is that line's, not another one
  // (a shared parameter renamed read twice per operation).
  const wholeRefs = new Map<string, Set<string>>();
  for (const d of diffs) {
    if (d.path[0] !== "paths" || d.path.length < 3) continue;
    const item = (((d.action === "remove" ? before : after).paths as Node | undefined)?.[d.path[1] as string] ?? {}) as Node;
    const methods = METHODS.has(String(d.path[2])) ? [String(d.path[2])] : Object.keys(item).filter((k) => METHODS.has(k));
    const whole = (d.action === "add" || d.action === "remove") && d.path[d.path.length - 2] === "parameters" ? refChainAt(d.action === "remove" ? before : after, d.path) : undefined;
    for (const m of methods) {
      const op = `${String(d.path[1])}\u0000${m}`;
      for (const k of fileKeys(d)) add(shown, op, k, d);
      if (whole?.size) wholeRefs.set(op, new Set([...(wholeRefs.get(op) ?? []), ...whole]));
    }
  }
  const out: SpecChange[] = [];
  // (the order api-smart-diff reported them in, looked up once: big specs have thousands)
  const position = new Map(compDiffs.map((d, i) => [d, i]));
  const byPosition = <T>(of: (x: T) => RawDiff) => (x: T, y: T) => position.get(of(x))! - position.get(of(y))!;
  const used = new Set([...usesBefore.values(), ...usesAfter.values()].flatMap((u) => [...u.keys()]));
  // outer components first: a change reached through a `$ref` inside another component is shown once, by the outermost
  const ordered = [...compDiffs].sort((x, y) => y.path.length - x.path.length);
  const kept = new Map<string, Array<{ d: RawDiff; side: Side }>>();
  const keptByKey = new Map<string, Map<string, Array<{ d: RawDiff; side: Side }>>>();
  const orphans: RawDiff[] = [];
  for (const d of ordered) {
    const comp = `${String(d.path[1])}\u0000${String(d.path[2])}`;
    const usedAnywhere = used.has(comp);
    if (d.path.length === 3 || !usedAnywhere) {
      // a whole component added or removed shows at the operations whose `$ref`s changed
      if (!usedAnywhere) orphans.push(d);
      continue;
    }
    for (const [op, ua] of usesAfter) {
      const ub = usesBefore.get(op);
      for (const side of ua.get(comp) ?? []) {
        if (!ub?.get(comp)?.has(side)) continue;
        const key = lookupKey(d);
        const seenHere =
          !!wholeRefs.get(op)?.has(comp) ||
          (shown.get(op)?.get(key) ?? []).some((x) => sideOf(x.path, "other") === side && covers(x, d, comp, before, after)) ||
          (keptByKey.get(op)?.get(key) ?? []).some((k) => k.side === side && covers(k.d, d, comp, before, after));
        if (!seenHere) {
          const entry = { d, side };
          const here = kept.get(op);
          if (here) here.push(entry);
          else kept.set(op, [entry]);
          for (const k of fileKeys(d)) add(keptByKey, op, k, entry);
        }
      }
    }
  }
  for (const [op, ds] of kept) {
    const [p, m] = op.split("\u0000") as [string, string];
    for (const { d, side } of ds.sort(byPosition((k) => k.d))) {
      const c = classify(d, side, before, after);
      out.push({ api, kind: c.kind, operation: operationName(after, ["paths", p, m]), message: `${(c.message ?? d.path.join(".")).replace(/\s+/g, " ").trim()} (in ${String(d.path[2])})`, rule: c.rule });
    }
  }
  for (const d of orphans.sort(byPosition((x) => x))) {
    const label = `${COMPONENT_LABEL[String(d.path[1])] ?? String(d.path[1])} ${String(d.path[2])}`;
    if (d.path.length === 3) {
      out.push(d.action === "add" ? { api, kind: "non-breaking", operation: label, message: "added (no operation uses it)", rule: "component-unused" } : d.action === "remove" ? { api, kind: "breaking", operation: label, message: "removed (no operation used it; its exported type is gone)", rule: "component-unused" } : { api, kind: "breaking", operation: label, message: `replaced: ${arrow(d.before, d.after)}`, rule: "component-unused" });
      continue;
    }
    const c = classify(d, "other", before, after);
    out.push({ api, kind: c.kind, operation: label, message: (c.message ?? d.path.join(".")).replace(/\s+/g, " ").trim(), rule: c.rule });
  }
  return out;
}

/** A parameter as its rename keeps it: everything but its name and its prose. */
function paramShape(doc: Node, p: unknown): string {
  const { name: _name, description: _d, example: _e, examples: _x, ...rest } = (deref(doc, p) ?? {}) as Node;
  return JSON.stringify(withoutDescriptions(rest), big);
}

/**
 * api-smart-diff reports a renamed parameter as one removed and one added. Where, in one
 * operation's parameter list, exactly one removed and one added parameter have the same shape
 * (location, required, schema), they are one rename: `parameter a renamed to b` (rule
 * param-renamed). Anything less certain stays removed + added (both are still reported).
 */
function pairRenamedParams(diffs: RawDiff[], before: Node, after: Node): { pairs: Array<[RawDiff, RawDiff]>; paired: Set<RawDiff> } {
  const isParam = (d: RawDiff) => d.path.length >= 2 && d.path[d.path.length - 2] === "parameters" && typeof d.path[d.path.length - 1] === "number";
  const groups = new Map<string, { removed: RawDiff[]; added: RawDiff[] }>();
  for (const d of diffs) {
    if (!isParam(d) || (d.action !== "add" && d.action !== "remove")) continue;
    const key = d.path.slice(0, -1).join("\u0000");
    const g = groups.get(key) ?? { removed: [], added: [] };
    (d.action === "remove" ? g.removed : g.added).push(d);
    groups.set(key, g);
  }
  const pairs: Array<[RawDiff, RawDiff]> = [];
  const paired = new Set<RawDiff>();
  for (const { removed, added } of groups.values()) {
    const shapes = new Map<RawDiff, string>([...removed.map((d) => [d, paramShape(before, d.before)] as const), ...added.map((d) => [d, paramShape(after, d.after)] as const)]);
    for (const r of removed) {
      const same = added.filter((a) => shapes.get(a) === shapes.get(r));
      if (same.length !== 1 || removed.filter((x) => shapes.get(x) === shapes.get(r)).length !== 1) continue;
      pairs.push([r, same[0]!]);
      paired.add(r).add(same[0]!);
    }
  }
  return { pairs, paired };
}

/**
 * api-smart-diff pairs response keys case-insensitively by their lower-case form and then
 * looks each up by that form, so a range key (`4XX`, `5XX`) was never found and a change
 * inside it went unreported. Its copies of the specs (fresh, from `jsonSafe`) get their
 * response keys in lower case; `4xx` and `4XX` mean the same in OpenAPI.
 */
function lowerResponseKeys(doc: Node): Node {
  for (const item of Object.values((doc.paths as Record<string, Node> | undefined) ?? {})) {
    for (const [method, op] of Object.entries(item ?? {})) {
      const responses = METHODS.has(method) ? (op as Node | undefined)?.responses : undefined;
      if (responses && typeof responses === "object" && !Array.isArray(responses)) {
        (op as Node).responses = Object.fromEntries(Object.entries(responses).map(([k, v]) => [k.toLowerCase(), v]));
      }
    }
  }
  return doc;
}

/**
 * api-smart-diff reports a field added as required twice: the property added, and its name
 * added to `required`; a required field removed likewise. The property's line says it
 * ("required request field x added", "response field x removed"): the `required` entry of a
 * property added or removed in the same diff is left out (one change, one line).
 */
function dropRequiredOfChangedFields(diffs: RawDiff[]): RawDiff[] {
  const key = (action: string, path: ReadonlyArray<string | number>) => `${action}\u0000${path.map(String).join("\u0000")}`;
  const changed = new Set(diffs.filter((d) => (d.action === "add" || d.action === "remove") && d.path[d.path.length - 2] === "properties").map((d) => key(d.action, d.path)));
  return diffs.filter((d) => {
    if (d.action !== "add" && d.action !== "remove") return true;
    const last = d.path[d.path.length - 1];
    const value = d.action === "add" ? d.after : d.before;
    const entry = d.path[d.path.length - 2] === "required" && typeof last === "number";
    const list = last === "required" && Array.isArray(value);
    if (!entry && !list) return true;
    const schema = d.path.slice(0, entry ? -2 : -1);
    const names = entry ? [value] : (value as unknown[]);
    return !names.every((n) => changed.has(key(d.action, [...schema, "properties", String(n)])));
  });
}

/** Is `k` at `i` a schema keyword (not a property named so)? */
const keywordAt = (path: ReadonlyArray<string | number>, i: number, k: string) => path[i] === k && path[i - 1] !== "properties";

/**
 * An enum is a set of values. api-smart-diff matches its items by value but pairs a value gone
 * with one new as a "replace" (`"30day"` → `"2hour"` read as a rename): it is one value removed
 * and one added, each by its rule. `x-enum-descriptions` runs parallel to the enum, and
 * api-smart-diff compares it by place: a value inserted shifted every description after it, one
 * line each. Where both lists line up with their enum on both sides, a description counts as
 * changed when the description of one value (present before and after) changed: one line per
 * such value; a value added or removed takes its description along. Else one line for the list.
 */
function enumsAsSets(diffs: RawDiff[], before: unknown, after: unknown): RawDiff[] {
  const out: RawDiff[] = [];
  const descriptions = new Map<string, RawDiff[]>();
  for (const d of diffs) {
    const n = d.path.length;
    if (d.action === "replace" && keywordAt(d.path, n - 2, "enum") && typeof d.path[n - 1] === "number" && d.before !== undefined && d.after !== undefined) {
      out.push({ ...d, action: "remove", after: undefined }, { ...d, action: "add", before: undefined });
      continue;
    }
    // x-enum-varnames name the enum's values by place too, and an operation's x-rate-limit is a
    // set of names: one diff for the list, whole lists before and after (classifyExtension
    // compares the names' values; a limit name removed is not the next one renamed).
    const names = d.path.findIndex((_p, i) => keywordAt(d.path, i, "x-enum-varnames") || keywordAt(d.path, i, "x-rate-limit"));
    if (names >= 0) {
      const path = d.path.slice(0, names + 1);
      const key = `names\u0000${JSON.stringify(path)}`;
      if (descriptions.has(key)) continue;
      descriptions.set(key, []);
      out.push({ ...d, path, action: d.path.length === path.length ? d.action : "replace", before: resolveAt(before, path), after: resolveAt(after, path) });
      continue;
    }
    const at = d.path.findIndex((_p, i) => keywordAt(d.path, i, "x-enum-descriptions"));
    if (at < 0) {
      out.push(d);
      continue;
    }
    const key = JSON.stringify(d.path.slice(0, at + 1));
    const group = descriptions.get(key);
    if (group) group.push(d);
    else {
      descriptions.set(key, [d]);
      out.push(d);
    }
  }
  if (![...descriptions.values()].some((g) => g.length)) return out;
  const perValue = new Map<RawDiff, RawDiff[]>();
  for (const group of descriptions.values()) {
    const first = group[0];
    if (!first) continue;
    const schemaPath = first.path.slice(0, first.path.findIndex((_p, i) => keywordAt(first.path, i, "x-enum-descriptions")));
    const described = (root: unknown): Map<string, [unknown, unknown]> | undefined => {
      const schema = resolveAt(root, schemaPath) as Node | undefined;
      const [values, texts] = [schema?.enum, schema?.["x-enum-descriptions"]];
      if (!Array.isArray(values) || !Array.isArray(texts) || values.length !== texts.length) return undefined;
      return new Map(values.map((v, i) => [JSON.stringify(v, big), [v, texts[i]]]));
    };
    const [b, a] = [described(before), described(after)];
    if (!b || !a) {
      // (not parallel to the enum: one line for the list)
      perValue.set(first, [{ ...first, path: first.path.slice(0, schemaPath.length + 1), action: "replace" }]);
      continue;
    }
    const changed: RawDiff[] = [];
    for (const [k, [v, text]] of b) {
      const now = a.get(k);
      if (now && !sameJson(text, now[1])) changed.push({ ...first, path: [...schemaPath, "x-enum-descriptions"], action: "replace", before: text, after: now[1], enumValue: v });
    }
    perValue.set(first, changed);
  }
  return out.flatMap((d) => perValue.get(d) ?? [d]);
}

/** A pipe-rows column's name (the specs write objects `{ name, type, … }`; a bare name is read as one). */
const columnName = (c: unknown): string => String(typeof c === "object" && c !== null ? (c as Node).name : c);
/** Column keys that only document it (the runtime metadata leaves them out). */
const COLUMN_PROSE = new Set(["description", "sinceDoc"]);

/** The names of `a` kept in place: a longest common subsequence of `a` and `b` (the others moved). */
function keptInPlace(a: string[], b: string[]): Set<string> {
  const len = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) for (let j = b.length - 1; j >= 0; j--) len[i]![j] = a[i] === b[j] ? len[i + 1]![j + 1]! + 1 : Math.max(len[i + 1]![j]!, len[i]![j + 1]!);
  const kept = new Set<string>();
  for (let i = 0, j = 0; i < a.length && j < b.length; ) {
    if (a[i] === b[j]) (kept.add(a[i]!), i++, j++);
    else if (len[i + 1]![j]! >= len[i]![j + 1]!) i++;
    else j++;
  }
  return kept;
}

/** The changes between two column lists of one `x-pipe-rows`, by name (see pipeColumnsByName). */
function pipeColumnChanges(was: unknown[], now: unknown[], layout: Node | undefined): Array<{ kind: ChangeKind; message: string }> {
  const [bn, an] = [was.map(columnName), now.map(columnName)];
  // Rows whose header line names the columns (always: `header: true` without `headerSince`) are
  // read by name; rows without one (some counters, or all) are read by position.
  const byHeader = layout?.header === true && layout.headerSince === undefined;
  const how = byHeader ? "the header line names the columns" : "rows without a header line are read by position";
  const out: Array<{ kind: ChangeKind; message: string }> = [];
  for (const [i, name] of bn.entries()) if (!an.includes(name)) out.push({ kind: "breaking", message: `column ${show(name)} removed (was at position ${i + 1})` });
  for (const [i, name] of an.entries()) {
    if (bn.includes(name)) continue;
    const since = (now[i] as Node | undefined)?.since;
    const after = i === 0 ? "first" : `after ${show(an[i - 1])}`;
    // (a column with `since` is left out of the rows of counters before it: they still decode)
    const kind: ChangeKind = byHeader || since !== undefined ? "non-breaking" : "breaking";
    out.push({ kind, message: `column ${show(name)} added at position ${i + 1} (${after}; ${since !== undefined && !byHeader ? `since counter ${show(since)}` : how})` });
  }
  const common = bn.filter((n) => an.includes(n));
  const kept = keptInPlace(common, an.filter((n) => bn.includes(n)));
  for (const name of common) {
    if (!kept.has(name)) out.push({ kind: byHeader ? "non-breaking" : "breaking", message: `column ${show(name)} moved from position ${bn.indexOf(name) + 1} to ${an.indexOf(name) + 1} (${how})` });
    const [x, y] = [was[bn.indexOf(name)], now[an.indexOf(name)]];
    const [ox, oy] = [typeof x === "object" && x ? (x as Node) : {}, typeof y === "object" && y ? (y as Node) : {}];
    for (const k of new Set([...Object.keys(ox), ...Object.keys(oy)])) {
      if (k === "name" || sameJson(ox[k], oy[k])) continue;
      out.push({ kind: COLUMN_PROSE.has(k) ? "docs" : "breaking", message: `column ${show(name)} ${k} ${arrow(ox[k], oy[k])}` });
    }
  }
  return out;
}

/**
 * `x-pipe-rows.columns` compared by name, not by place (api-smart-diff's way: a column inserted
 * mid-row read as every later column renamed): a column added, removed or moved is one line,
 * and so is each change of a named column (its type). See pipeColumnChanges for the kinds.
 */
function pipeColumnsByName(diffs: RawDiff[], before: unknown, after: unknown): RawDiff[] {
  const done = new Set<string>();
  return diffs.flatMap((d) => {
    const at = d.path.findIndex((p, i) => keywordAt(d.path, i, "x-pipe-rows") && d.path[i + 1] === "columns");
    if (at < 0) return [d];
    const path = d.path.slice(0, at + 2);
    const key = JSON.stringify(path);
    if (done.has(key)) return [];
    done.add(key);
    const list = (root: unknown) => {
      const v = resolveAt(root, path);
      return Array.isArray(v) ? (v as unknown[]) : [];
    };
    const layout = resolveAt(after, path.slice(0, -1)) as Node | undefined;
    return pipeColumnChanges(list(before), list(after), layout).map((c) => ({ ...d, path, action: "replace" as const, pipeColumn: c }));
  });
}

/**
 * A schema's `type` and `format` changed together (`integer`/`int64` → `string`) are one change:
 * one diff at `type` carrying the format's before and after, shown as one line.
 */
function mergeRetypes(diffs: RawDiff[]): RawDiff[] {
  const parent = (d: RawDiff) => d.path.slice(0, -1).map(String).join("\u0000");
  // Only a schema's own keywords: not inside a value (default, enum, example, const) or an `x-`
  // extension that is no schema, where "type" and "format" are data.
  const inSchema = (d: RawDiff) =>
    !d.path.some((p, i) => typeof p === "string" && d.path[i - 1] !== "properties" && (["default", "enum", "example", "examples", "const"].includes(p) || (p.startsWith("x-") && !SCHEMA_EXTENSIONS.has(p))));
  const formats = new Map(diffs.filter((d) => d.path[d.path.length - 1] === "format" && inSchema(d)).map((d) => [parent(d), d]));
  const merged = new Set<RawDiff>();
  const out = diffs.map((d) => {
    const f = d.path[d.path.length - 1] === "type" && d.path[d.path.length - 2] !== "properties" && inSchema(d) ? formats.get(parent(d)) : undefined;
    if (!f) return d;
    merged.add(f);
    return { ...d, action: "replace" as const, format: [f.before, f.after] as [unknown, unknown] };
  });
  return out.filter((d) => !merged.has(d));
}

/**
 * The changes between two `servers` lists. A server with an `x-server` role (Xele's MA and MS,
 * which operations name) is matched by its role wherever it is in the list; the others by their
 * place among those without one (the first is a client's default base URL).
 */
function serverChanges(b: unknown, a: unknown): Array<Pick<SpecChange, "kind" | "message" | "rule">> {
  const list = (v: unknown) => (Array.isArray(v) ? v : []).filter((s): s is Node => !!s && typeof s === "object");
  const role = (s: Node | undefined) => (typeof s?.["x-server"] === "string" ? s["x-server"] : undefined);
  const [bl, al] = [list(b), list(a)];
  const pairs: Array<[Node | undefined, Node | undefined]> = [];
  // (by role, and by their order among the servers of one role: a second MA added is an addition)
  const ofRole = (list: Node[], r: string) => list.filter((x) => role(x) === r);
  for (const r of new Set([...bl, ...al].map(role).filter((x): x is string => x !== undefined))) {
    const [rb, ra] = [ofRole(bl, r), ofRole(al, r)];
    for (let i = 0; i < Math.max(rb.length, ra.length); i++) pairs.push([rb[i], ra[i]]);
  }
  const [br, ar] = [bl.filter((s) => role(s) === undefined), al.filter((s) => role(s) === undefined)];
  for (let i = 0; i < Math.max(br.length, ar.length); i++) pairs.push([br[i], ar[i]]);
  const out: Array<Pick<SpecChange, "kind" | "message" | "rule">> = [];
  for (const [x, y] of pairs) {
    const s = (y ?? x)!;
    const name = `server${role(s) ? ` ${role(s)}` : ""}`;
    const which = `${role(s) ? `${role(s)} ` : ""}${show(s.url)}`;
    if (!y) out.push({ kind: "breaking", rule: "servers", message: `server removed: ${which}` });
    else if (!x) out.push({ kind: "non-breaking", rule: "servers", message: `server added: ${which}` });
    else if (!sameJson(withoutDescriptions(x), withoutDescriptions(y))) out.push(...serverFieldChanges(name, x, y));
    else if (!sameJson(x, y)) out.push({ kind: "docs", rule: "servers", message: `${name} description changed` });
  }
  return out;
}

/** A server changed in more than its prose (OpenAPI's or AsyncAPI's): each field that changed, `<name> changed: url "…" → "…"`. */
function serverFieldChanges(name: string, x: Node, y: Node): Array<Pick<SpecChange, "kind" | "message" | "rule">> {
  const out: Array<Pick<SpecChange, "kind" | "message" | "rule">> = [];
  const changed = (what: string, u: unknown, v: unknown) => out.push({ kind: "breaking", rule: "servers", message: `${name} changed: ${what} ${arrow(u, v)}` });
  for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) {
    if (DOC_ONLY_KEYS.has(k) || sameJson(withoutDescriptions(x[k]), withoutDescriptions(y[k]))) continue;
    const [vx, vy] = [x[k] as Node | undefined, y[k] as Node | undefined];
    if (k !== "variables" || !vx || !vy || typeof vx !== "object" || typeof vy !== "object") changed(k, vx, vy);
    // (a variable's own change: `variable maPort default "8899" → "9999"`)
    else for (const n of new Set([...Object.keys(vx), ...Object.keys(vy)])) {
      const [u, v] = [vx[n] as Node | undefined, vy[n] as Node | undefined];
      if (sameJson(withoutDescriptions(u), withoutDescriptions(v))) continue;
      if (!u || !v || typeof u !== "object" || typeof v !== "object") changed(`variable ${n}`, u, v);
      else for (const f of new Set([...Object.keys(u), ...Object.keys(v)])) if (!DOC_ONLY_KEYS.has(f) && !sameJson(u[f], v[f])) changed(`variable ${n} ${f}`, u[f], v[f]);
    }
  }
  // (what only documents it, changed in the same edit: one docs line)
  const prose = [...DOC_ONLY_KEYS].filter((k) => !sameJson(x[k], y[k]));
  if (prose.length) out.push({ kind: "docs", rule: "servers", message: `${name} ${prose.join(", ")} changed` });
  return out;
}

/**
 * The server changes of a document, its paths and operations (see serverChanges), taken out of
 * both documents: api-smart-diff compares servers by their place in the list, so two servers
 * swapped read as both changed, their variables removed and added.
 */
function takeServerChanges(api: string, before: Node, after: Node): SpecChange[] {
  const out: SpecChange[] = [];
  const take = (b: Node | undefined, a: Node | undefined, operation: string | undefined) => {
    for (const c of serverChanges(b?.servers, a?.servers)) out.push({ api, operation, ...c });
    if (b && typeof b === "object") delete b.servers;
    if (a && typeof a === "object") delete a.servers;
  };
  take(before, after, undefined);
  const paths = (doc: Node) => (doc.paths && typeof doc.paths === "object" ? (doc.paths as Record<string, Node | undefined>) : {});
  for (const p of new Set([...Object.keys(paths(before)), ...Object.keys(paths(after))])) {
    const [ib, ia] = [paths(before)[p], paths(after)[p]];
    if (!ib || !ia || typeof ib !== "object" || typeof ia !== "object") continue;
    take(ib, ia, p);
    for (const m of Object.keys(ia).filter((k) => METHODS.has(k))) {
      const [ob, oa] = [ib[m] as Node | undefined, ia[m] as Node | undefined];
      if (ob && typeof ob === "object" && oa && typeof oa === "object") take(ob, oa, operationName(after, ["paths", p, m]));
    }
  }
  return out;
}

/**
 * An operation at another method or path under the same operationId is moved, in `before` (a
 * fresh copy), to where it is now, so that the comparison lists its other changes there (a
 * required parameter added with the move). Only where nothing was at the new place before; the
 * moves made, as lines of rule operation-moved (the others are found by movedOperations).
 */
function relocateMoved(api: string, before: Node, after: Node): SpecChange[] {
  const paths = (doc: Node) => (doc.paths && typeof doc.paths === "object" && !Array.isArray(doc.paths) ? (doc.paths as Record<string, Node | undefined>) : {});
  const places = (doc: Node) => {
    const at = new Map<string, [string, string]>();
    for (const [p, item] of Object.entries(paths(doc))) {
      if (!item || typeof item !== "object") continue;
      for (const m of Object.keys(item).filter((k) => METHODS.has(k))) {
        const id = (item[m] as Node | undefined)?.operationId;
        if (typeof id === "string") at.set(id, [p, m]);
      }
    }
    return at;
  };
  const [was, now] = [places(before), places(after)];
  const out: SpecChange[] = [];
  for (const [id, [p, m]] of was) {
    const to = now.get(id);
    if (!to || (to[0] === p && to[1] === m)) continue;
    const [np, nm] = to;
    const [from, target] = [paths(before)[p]!, paths(before)[np]];
    if (target?.[nm] !== undefined) continue;
    const item: Node = target ?? Object.fromEntries(Object.entries(from).filter(([k]) => !METHODS.has(k)));
    item[nm] = from[m];
    delete from[m];
    (before.paths as Node)[np] = item;
    if (!Object.keys(from).some((k) => METHODS.has(k)) && paths(after)[p] === undefined) delete (before.paths as Node)[p];
    out.push({ api, kind: "breaking", operation: id, message: `operation moved: ${m.toUpperCase()} ${p} → ${nm.toUpperCase()} ${np} (call("${id}") sends it to the new place)`, rule: "operation-moved" });
  }
  return out;
}

async function diffOpenapi(api: string, before: Node, after: Node): Promise<SpecChange[]> {
  lowerResponseKeys(before);
  lowerResponseKeys(after);
  const out: SpecChange[] = relocateMoved(api, before, after);
  out.push(...takeServerChanges(api, before, after));
  // (before the comparison, which rewrites a body's `$ref` as an allOf in the documents)
  const sameBody = sameRequestBodies(before, after);
  // (and moves a schema's own keywords into the members of its oneOf: classifyChange's union check reads copies)
  AS_WRITTEN.set(before, structuredClone(before));
  AS_WRITTEN.set(after, structuredClone(after));
  const diffs = pipeColumnsByName(enumsAsSets(mergeRetypes(dropRequiredOfChangedFields((await compare())(before, after).diffs)), before, after), before, after);
  const { pairs, paired } = pairRenamedParams(diffs, before, after);
  for (const [r, a] of pairs) {
    const name = (doc: Node, p: unknown) => String(((deref(doc, p) ?? {}) as Node).name);
    out.push({ api, kind: "breaking", operation: operationName(before, r.path) ?? operationName(after, a.path), message: `parameter ${name(before, r.before)} renamed to ${name(after, a.after)}`, rule: "param-renamed" });
  }
  for (const d of diffs) {
    if (reportedElsewhere(d.path) || paired.has(d) || sameBody(d.path)) continue;
    const c = classify(d, sideOf(d.path, "other"), before, after);
    const operation = operationName(d.action === "add" ? after : before, d.path) ?? operationName(after, d.path);
    out.push({ api, kind: c.kind, operation, message: c.message ?? d.description ?? d.path.join("."), rule: c.rule });
  }
  out.push(...placeComponentDiffs(api, diffs, before, after));
  return out;
}

/** JSON.stringify's replacer writing an object's keys sorted (a schema moved into components may list them in another order). */
const sortedKeys = (k: string, v: unknown): unknown =>
  v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.keys(v).sort().map((key) => [key, (v as Node)[key]])) : big(k, v);

/**
 * Is a raw diff inside an operation's request body that means the same on both sides once its
 * `$ref`s are followed? (api-smart-diff reads a body schema moved into `components`, or inlined
 * from there, as the inline one removed and an `allOf` added: "breaking" for no change at all.)
 */
function sameRequestBodies(before: Node, after: Node): (path: ReadonlyArray<string | number>) => boolean {
  const same = new Set<string>();
  const paths = (doc: Node) => (doc.paths && typeof doc.paths === "object" ? (doc.paths as Node) : {});
  for (const [p, item] of Object.entries(paths(before))) {
    if (!item || typeof item !== "object") continue;
    for (const m of Object.keys(item as Node)) {
      if (!METHODS.has(m)) continue;
      const where = ["paths", p, m, "requestBody"];
      const b = resolveAt(before, where);
      const a = resolveAt(after, where);
      if (b === undefined || a === undefined || sameJson(b, a)) continue;
      if (JSON.stringify(deref(before, b), sortedKeys) === JSON.stringify(deref(after, a), sortedKeys)) same.add(JSON.stringify(where));
    }
  }
  return (path) => path[0] === "paths" && path[3] === "requestBody" && same.has(JSON.stringify(path.slice(0, 4)));
}

/** The last `$ref` of a chain (`#/channels/gateway/messages/x` → `#/components/messages/x`): its final name; undefined for an inline value. */
function refName(doc: Node, v: unknown): string | undefined {
  let last: string | undefined;
  for (let i = 0; i < 32 && v && typeof v === "object" && typeof (v as Node).$ref === "string"; i++) {
    last = String((v as Node).$ref);
    const keys = refKeys(last);
    v = (resolveAt(doc, keys.slice(0, -1)) as Node | undefined)?.[keys[keys.length - 1]!];
  }
  return last === undefined ? undefined : refKeys(last).pop();
}

/**
 * An AsyncAPI operation's `messages`, `reply` and `channel`, compared by what they point at (a
 * `$ref` rewritten to the same message is no change). A message of a send operation removed or
 * swapped breaks the call, one added does not; any change to what a receive operation or a reply
 * delivers breaks (the handler's union type changes), as does another channel or reply channel.
 */
function asyncRouting(key: string, b: unknown, a: unknown, before: Node, after: Node, action: "send" | "receive"): Array<Omit<SpecChange, "api" | "operation">> {
  const names = (doc: Node, list: unknown) => (Array.isArray(list) ? list : []).map((m) => refName(doc, m) ?? String((deref(doc, m) as Node | undefined)?.name ?? show(m)));
  // a channel is the one its `$ref` names (its own address change is reported at the channel), or an inline one by its content
  const channel = (doc: Node, ch: unknown) => {
    const c = deref(doc, ch) as Node | undefined;
    return ch === undefined ? undefined : `${refName(doc, ch) ?? `(inline) ${JSON.stringify(c, big)}`}${typeof c?.address === "string" ? ` (${c.address})` : ""}`;
  };
  const sameChannel = (x: unknown, y: unknown) => (refName(before, x) !== undefined || refName(after, y) !== undefined ? refName(before, x) === refName(after, y) : sameJson(deref(before, x), deref(after, y)));
  if (key === "messages") {
    const [nb, na] = [names(before, b), names(after, a)];
    if (sameJson(nb, na)) return [];
    const removed = nb.some((n) => !na.includes(n));
    const kind: ChangeKind = removed || action === "receive" ? "breaking" : "non-breaking";
    return [{ kind, message: `messages ${arrow(nb, na)}`, rule: "asyncapi-messages" }];
  }
  if (key === "channel") {
    return sameChannel(b, a) ? [] : [{ kind: "breaking", message: `channel ${arrow(channel(before, b), channel(after, a))}`, rule: "asyncapi-channel" }];
  }
  // reply
  const rb = deref(before, b) as Node | undefined;
  const ra = deref(after, a) as Node | undefined;
  if (!rb || !ra) return [{ kind: "breaking", message: `reply ${rb ? "removed" : "added"}`, rule: "asyncapi-messages" }];
  const out: Array<Omit<SpecChange, "api" | "operation">> = [];
  const raw = (doc: Node, r: unknown) => ((r as Node | undefined)?.$ref ? (deref(doc, r) as Node) : (r as Node)) ?? {};
  const [xb, xa] = [raw(before, b), raw(after, a)];
  const [mb, ma] = [names(before, xb.messages), names(after, xa.messages)];
  if (!sameJson(mb, ma)) out.push({ kind: "breaking", message: `reply messages ${arrow(mb, ma)}`, rule: "asyncapi-messages" });
  if (!sameChannel(xb.channel, xa.channel)) out.push({ kind: "breaking", message: `reply channel ${arrow(channel(before, xb.channel), channel(after, xa.channel))}`, rule: "asyncapi-channel" });
  for (const k of new Set([...Object.keys(rb), ...Object.keys(ra)])) {
    if (k === "messages" || k === "channel" || sameJson(rb[k], ra[k])) continue;
    out.push({ kind: DOCS_KEYS.has(k) ? "docs" : "breaking", message: `reply ${k} ${arrow(rb[k], ra[k])}`, rule: DOCS_KEYS.has(k) ? "docs-only" : "asyncapi-messages" });
  }
  return out;
}

/** An AsyncAPI document's `components.messages`. */
const componentMessages = (d: Node): Node => ((d.components as Node | undefined)?.messages as Node | undefined) ?? {};

/** AsyncAPI 3 (api-smart-diff reads AsyncAPI 2 only): operations and messages by key, payloads as JSON Schema. */
async function diffAsyncapi(api: string, before: Node, after: Node): Promise<SpecChange[]> {
  const out: SpecChange[] = [];
  const ops = (d: Node) => (d.operations as Node | undefined) ?? {};
  for (const id of new Set([...Object.keys(ops(before)), ...Object.keys(ops(after))])) {
    const b = ops(before)[id] as Node | undefined;
    const a = ops(after)[id] as Node | undefined;
    if (!a) out.push({ api, kind: "breaking", operation: id, message: "operation removed", rule: "operation-removed" });
    else if (!b) out.push({ api, kind: "non-breaking", operation: id, message: "operation added", rule: "operation-added" });
    else {
      for (const key of new Set([...Object.keys(b), ...Object.keys(a)])) {
        if (sameJson(b[key], a[key])) continue;
        if (key === "messages" || key === "reply" || key === "channel") {
          for (const c of asyncRouting(key, b[key], a[key], before, after, a.action === "receive" ? "receive" : "send")) out.push({ api, operation: id, ...c });
          continue;
        }
        if (key === "action") {
          // send ↔ receive: who sends the frame turns around (a client's request becomes a frame it must handle)
          out.push({ api, kind: "breaking", operation: id, message: `action ${arrow(b[key], a[key])}`, rule: "asyncapi-messages" });
          continue;
        }
        const c = classify({ path: ["operations", id, key], action: b[key] === undefined ? "add" : a[key] === undefined ? "remove" : "replace", before: b[key], after: a[key], type: "unclassified" }, "other", before, after);
        out.push({ api, kind: c.kind, operation: id, message: c.message ?? key, rule: c.rule });
      }
    }
  }
  // channels: the address a client connects to, the messages and servers of each
  const chans = (d: Node) => (d.channels as Node | undefined) ?? {};
  for (const id of new Set([...Object.keys(chans(before)), ...Object.keys(chans(after))])) {
    const b = deref(before, chans(before)[id]) as Node | undefined;
    const a = deref(after, chans(after)[id]) as Node | undefined;
    const label = `channel ${id}`;
    if (!a || typeof a !== "object") out.push({ api, kind: "breaking", operation: label, message: "channel removed", rule: "asyncapi-channel" });
    else if (!b || typeof b !== "object") out.push({ api, kind: "non-breaking", operation: label, message: "channel added", rule: "asyncapi-channel" });
    else {
      const rb = chans(before)[id] as Node;
      const ra = chans(after)[id] as Node;
      for (const key of new Set([...Object.keys(b), ...Object.keys(a)])) {
        if (sameJson(b[key], a[key]) && sameJson(rb?.[key], ra?.[key])) continue;
        if (key === "messages" || key === "servers") {
          // by name: a message (server) of the channel removed or pointing elsewhere / added
          const named = (doc: Node, raw: unknown): Map<string, string> => {
            const entries: Array<[string, unknown]> = Array.isArray(raw) ? raw.map((v) => [refName(doc, v) ?? show(v), v]) : Object.entries((raw as Node | undefined) ?? {});
            return new Map(entries.map(([k, v]) => [k, refName(doc, v) ?? JSON.stringify(deref(doc, v), big)]));
          };
          const [nb, na] = [named(before, rb?.[key]), named(after, ra?.[key])];
          for (const [k, v] of nb) {
            if (!na.has(k)) out.push({ api, kind: "breaking", operation: label, message: `${key === "messages" ? "message" : "server"} ${k} removed`, rule: "asyncapi-channel" });
            else if (na.get(k) !== v) out.push({ api, kind: "breaking", operation: label, message: `${key === "messages" ? "message" : "server"} ${k} now ${key === "messages" ? "is" : "points at"} ${refName(after, (ra[key] as Node)[k]) ?? "another one"}`, rule: "asyncapi-channel" });
          }
          for (const [k, v] of na) {
            // (a message new in components is reported once, as `message <name>: message added`)
            if (nb.has(k) || (key === "messages" && componentMessages(before)[v] === undefined && componentMessages(after)[v] !== undefined)) continue;
            out.push({ api, kind: "non-breaking", operation: label, message: `${key === "messages" ? "message" : "server"} ${k} added`, rule: "asyncapi-channel" });
          }
          continue;
        }
        const action = b[key] === undefined ? "add" : a[key] === undefined ? "remove" : "replace";
        if (key === "address") {
          out.push({ api, kind: "breaking", operation: label, message: `address ${arrow(b[key], a[key])}`, rule: "asyncapi-channel" });
          continue;
        }
        const c = classify({ path: ["channels", id, key], action, before: b[key], after: a[key], type: "unclassified" }, "other", before, after);
        // parameters, bindings: how a client connects (breaking); prose: docs; extensions: their rules
        out.push(c.rule === "generic" ? { api, kind: "breaking", operation: label, message: `${key} ${arrow(b[key], a[key])}`, rule: "asyncapi-channel" } : { api, kind: c.kind, operation: label, message: c.message ?? key, rule: c.rule });
      }
    }
  }
  // document level: servers, the envelope, error tables and other extensions, info (docs)
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (["operations", "components", "channels", "asyncapi", "id", "defaultContentType"].includes(key)) continue;
    if (sameJson(before[key], after[key])) continue;
    if (key === "info") {
      out.push({ api, kind: "docs", message: "info changed", rule: "docs-only" });
      continue;
    }
    const b = before[key] as Node | undefined;
    const a = after[key] as Node | undefined;
    const plain = (v: unknown) => !v || typeof v !== "object" || Array.isArray(v);
    const subkeys = plain(b) || plain(a) ? [undefined] : [...new Set([...Object.keys(b!), ...Object.keys(a!)])];
    for (const sub of subkeys) {
      const bv = sub === undefined ? b : b![sub];
      const av = sub === undefined ? a : a![sub];
      if (sameJson(bv, av)) continue;
      if (key === "servers" && sub !== undefined) {
        // a server by its name: the fields that changed (`server gateway changed: host "…" → "…"`), or where it was / is
        const [x, y] = [deref(before, bv) as Node | undefined, deref(after, av) as Node | undefined];
        const where = (s: Node) => show(`${String(s.host ?? "")}${String(s.pathname ?? "")}`);
        if (plain(x) || plain(y)) {
          const s = (y ?? x) as Node | undefined;
          if (s && !plain(s)) {
            out.push(x ? { api, kind: "breaking", message: `server ${sub} removed: ${where(x)}`, rule: "servers" } : { api, kind: "non-breaking", message: `server ${sub} added: ${where(y!)}`, rule: "servers" });
            continue;
          }
        } else if (!sameJson(withoutDescriptions(x), withoutDescriptions(y))) {
          for (const c of serverFieldChanges(`server ${sub}`, x!, y!)) out.push({ api, ...c });
          continue;
        }
      }
      const path = sub === undefined ? [key] : [key, sub];
      const c = classify({ path, action: bv === undefined ? "add" : av === undefined ? "remove" : "replace", before: bv, after: av, type: "unclassified" }, "other", before, after);
      out.push({ api, kind: c.kind, message: c.message ?? path.join("."), rule: c.rule });
    }
  }
  const msgs = componentMessages;
  const cmp = await compare();
  for (const id of new Set([...Object.keys(msgs(before)), ...Object.keys(msgs(after))])) {
    const b = deref(before, msgs(before)[id]) as Node | undefined;
    const a = deref(after, msgs(after)[id]) as Node | undefined;
    const side = ((a ?? b)?.["x-kind"] === "request" ? "request" : "response") as "request" | "response";
    const label = `message ${id}`;
    if (!a) {
      out.push({ api, kind: "breaking", operation: label, message: "message removed", rule: "operation-removed" });
      continue;
    }
    if (!b) {
      out.push({ api, kind: "non-breaking", operation: label, message: "message added", rule: "operation-added" });
      continue;
    }
    for (const key of new Set([...Object.keys(b), ...Object.keys(a)])) {
      if (key === "payload" || sameJson(b[key], a[key])) continue;
      const c = classify({ path: ["message", key], action: b[key] === undefined ? "add" : a[key] === undefined ? "remove" : "replace", before: b[key], after: a[key], type: "unclassified" }, "other", before, after);
      out.push({ api, kind: c.kind, operation: label, message: c.message ?? key, rule: c.rule });
    }
    // (fresh copies to look values up in: the comparison may rewrite its own)
    const diffs = enumsAsSets(mergeRetypes(dropRequiredOfChangedFields(cmp(jsonSafe(b.payload), jsonSafe(a.payload)).diffs)), jsonSafe(b.payload), jsonSafe(a.payload));
    for (const d of diffs) {
      const c = classify({ ...d, path: ["payload", ...d.path] }, side, { payload: b.payload } as Node, { payload: a.payload } as Node);
      out.push({ api, kind: c.kind, operation: label, message: `payload ${c.message ?? d.description ?? d.path.join(".")}`, rule: c.rule });
    }
  }
  return out;
}

const jsonSafe = (v: unknown): unknown => (v === undefined ? {} : JSON.parse(JSON.stringify(v, plain)));

/** Classified changes between two versions of one API's spec (undefined: the spec did not exist). */
export async function diffSpec(api: string, before: Node | undefined, after: Node | undefined): Promise<SpecChange[]> {
  if (!after) return before ? [{ api, kind: "breaking", message: "API removed", rule: "api-removed" }] : [];
  if (!before) {
    const n = typeof after.asyncapi === "string" ? Object.keys((after.operations as Node | undefined) ?? {}).length : Object.values((after.paths as Record<string, Node> | undefined) ?? {}).reduce((k, item) => k + Object.keys(item ?? {}).filter((m) => METHODS.has(m)).length, 0);
    return [{ api, kind: "non-breaking", message: `API added (${n} operations)`, rule: "api-added" }];
  }
  const changes = typeof after.asyncapi === "string" || typeof before.asyncapi === "string" ? await diffAsyncapi(api, before, after) : movedOperations(await diffOpenapi(api, jsonSafe(before) as Node, jsonSafe(after) as Node), before, after);
  // (a big integer that reached a message some other way than `show`: its digits)
  return onceEach(wholeEnumsOnce(changes.map((c) => (c.message.includes(BIG_MARK) ? { ...c, message: unmark(c.message) } : c))));
}

/** A change to how requests are signed: in a security scheme, and more than its prose. */
export const isSigningChange = (c: SpecChange): boolean => c.kind !== "docs" && c.operation === undefined && c.message.startsWith("security scheme ");

/**
 * The signing changes marked with the code that implements the signing by hand (`files`: the
 * API's signer, src/auth/<api>.ts, and its emulator's check, src/mock/<api>/auth.ts, those that
 * exist): the generator does not write them, and their known-answer tests pin the old signing,
 * so nothing else would fail.
 */
export function markHandWritten(changes: SpecChange[], files: (api: string) => ReadonlyArray<string>): SpecChange[] {
  return changes.map((c) => {
    if (!isSigningChange(c)) return c;
    const found = files(c.api);
    const signer = found.filter((f) => !f.startsWith("src/mock/"));
    const mock = found.filter((f) => f.startsWith("src/mock/"));
    if (!found.length) return c;
    const parts = [...(signer.length ? [signer.join(", ")] : []), ...(mock.length ? [`the emulator's signature check (${mock.join(", ")})`] : [])];
    const several = found.length > 1;
    return { ...c, handWritten: `implemented by hand in ${parts.join(" and ")}: update ${several ? "them and their" : "it and its"} known-answer tests` };
  });
}

/**
 * Each change once: a component several answers of an operation use (an envelope shared by its
 * 200, 4XX and default answers) changes each of them, and the lines, which name no status,
 * would be the same line two or three times (and counted so).
 */
function onceEach(changes: SpecChange[]): SpecChange[] {
  const seen = new Set<string>();
  return changes.filter((c) => {
    const key = JSON.stringify([c.api, c.kind, c.operation ?? null, c.message, c.rule]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** "… enum value X removed with the whole enum (…)": one per value until wholeEnumsOnce. */
const WHOLE_ENUM = /^(.*) enum value (.+) removed with the whole enum \((.*)\)$/s;

/**
 * An enum removed whole (a code made open) is one change per field, not one per value: a list
 * of 50 codes made open read as 50 breaking lines per operation. The values are named, the
 * first five of them.
 */
function wholeEnumsOnce(changes: SpecChange[]): SpecChange[] {
  const groups = new Map<string, { at: number; where: string; why: string; values: string[] }>();
  const out: SpecChange[] = [];
  for (const c of changes) {
    const m = WHOLE_ENUM.exec(c.message);
    if (!m) {
      out.push(c);
      continue;
    }
    const [, where, value, why] = m as unknown as [string, string, string, string];
    const key = JSON.stringify([c.api, c.kind, c.operation ?? null, c.rule, where, why]);
    const group = groups.get(key);
    if (group) group.values.push(value);
    else groups.set(key, { at: out.push(c) - 1, where, why, values: [value] });
  }
  for (const { at, where, why, values } of groups.values()) {
    if (values.length > 1) out[at] = { ...out[at]!, message: `${where} enum of ${values.length} values (${someOf(values)}) removed whole (${why})` };
  }
  return out;
}

const ORDER: Record<ChangeKind, number> = { breaking: 0, "non-breaking": 1, docs: 2 };

/*
 * Messages and operation names carry spec text (property names, error-code keys, paths,
 * operationIds). Printed, it must stay one line of text: a line break in a property name must
 * not start a `## <version>` heading in CHANGELOG.md.
 */
/** Control characters, Unicode line separators and bidi overrides. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const ESCAPES: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };
/** Spec text on one line: control characters as escapes (`\n`, `\u0007`). */
const oneLine = (text: string): string => text.replace(CONTROL, (c) => ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
/** Markdown text that renders as itself: no HTML (`<`), no inline link or image (`](`), no emphasis (`*`). */
const mdInline = (text: string): string => oneLine(text).replace(/</g, "&lt;").replace(/\]\(/g, "]\\(").replace(/\*/g, "\\*");
/** The same at the start of a list item: no heading, quote, list, fence, rule or link definition there either. */
const mdItem = (text: string): string =>
  mdInline(text)
    .replace(/^( {0,3})(?:([#>+*_[-]|```|~~~)|(\d+)([.)]))/, (_m, sp: string, mark?: string, num?: string, dot?: string) => (mark ? `${sp}\\${mark}` : `${sp}${num}\\${dot}`))
    .replace(/^ {4}/, "&#32;   ");
/** A code span around any text: a backtick fence longer than any run of backticks in it. */
function mdCode(text: string): string {
  const t = oneLine(text);
  const longest = Math.max(0, ...(t.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  const pad = /^`|`$/.test(t) || /^ .*[^ ].* $/.test(t) ? " " : "";
  return `${fence}${pad}${t}${pad}${fence}`;
}

/** Human-readable text, grouped per API and operation, breaking first. */
export function formatText(changes: SpecChange[]): string {
  if (!changes.length) return "no spec changes\n";
  const lines: string[] = [];
  for (const api of [...new Set(changes.map((c) => c.api))]) {
    const mine = changes.filter((c) => c.api === api);
    const count = (k: ChangeKind) => mine.filter((c) => c.kind === k).length;
    lines.push(`${oneLine(api)}: ${count("breaking")} breaking, ${count("non-breaking")} non-breaking, ${count("docs")} docs`);
    const groups = new Map<string, SpecChange[]>();
    for (const c of mine) groups.set(c.operation ?? "(document)", [...(groups.get(c.operation ?? "(document)") ?? []), c]);
    for (const [op, cs] of groups) {
      lines.push(`  ${oneLine(op)}`);
      for (const c of [...cs].sort((x, y) => ORDER[x.kind] - ORDER[y.kind])) lines.push(`    ${c.kind.padEnd(12)} ${oneLine(c.message)}${c.handWritten ? ` (${oneLine(c.handWritten)})` : ""}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

/** Markdown for CHANGELOG.md: `### <api>` sections, breaking changes first. */
export function formatMarkdown(changes: SpecChange[], options: { docs?: "list" | "summary" } = {}): string {
  const out: string[] = [];
  for (const api of [...new Set(changes.map((c) => c.api))]) {
    out.push(`### ${mdInline(api)}`, "");
    for (const kind of ["breaking", "non-breaking", "docs"] as ChangeKind[]) {
      const cs = changes.filter((c) => c.api === api && c.kind === kind);
      if (!cs.length) continue;
      out.push(`**${kind === "breaking" ? "Breaking" : kind === "non-breaking" ? "Non-breaking" : "Docs"}**`, "");
      if (kind === "docs" && options.docs === "summary") {
        // A changelog names where the documentation changed; `spec diff` has every line.
        const ops = [...new Set(cs.flatMap((c) => (c.operation ? [c.operation] : [])))];
        const general = cs.filter((c) => !c.operation).length;
        if (ops.length) out.push(`- ${ops.length} operation${ops.length === 1 ? "" : "s"}: ${ops.map(mdCode).join(", ")}`);
        if (general) out.push(`- ${general} change${general === 1 ? "" : "s"} to the API's own description, servers or tables`);
        out.push("");
        continue;
      }
      for (const c of cs) out.push(`- ${c.operation ? `${mdCode(c.operation)}: ${mdInline(c.message)}` : mdItem(c.message)}`);
      out.push("");
    }
  }
  return out.join("\n");
}

/** The few lines `npm run generate` ends with: counts per API, then every breaking change. */
export function formatSummary(changes: SpecChange[], base: string): string {
  if (!changes.length) return `spec diff vs ${base}: no spec changes\n`;
  const lines = [`spec diff vs ${base}:`];
  for (const api of [...new Set(changes.map((c) => c.api))]) {
    const mine = changes.filter((c) => c.api === api);
    const n = (k: ChangeKind) => mine.filter((c) => c.kind === k).length;
    lines.push(`  ${oneLine(api)}: ${n("breaking")} breaking, ${n("non-breaking")} non-breaking, ${n("docs")} docs`);
  }
  for (const c of changes.filter((x) => x.kind === "breaking")) lines.push(oneLine(`  BREAKING ${c.api}${c.operation ? ` ${c.operation}` : ""}: ${c.message}${c.handWritten ? ` (${c.handWritten})` : ""}`));
  lines.push("  (details: npx tradeapi spec diff; rules: docs/spec-diff-rules.md)");
  return `${lines.join("\n")}\n`;
}

/** Is the enum a diff path points into gone from the new spec (api-smart-diff makes a removed enum an empty one)? */
function wholeEnumGone(after: unknown, path: ReadonlyArray<string | number>): boolean {
  const at = path.lastIndexOf("enum");
  const schema = at > 0 ? (resolveAt(after, path.slice(0, at)) as Node | undefined) : undefined;
  return !!schema && typeof schema === "object" && (schema.enum === undefined || (Array.isArray(schema.enum) && schema.enum.length === 0));
}

/** Where an operation lives: "GET /path", or undefined. */
function locationOf(doc: Node, operationId: string): string | undefined {
  for (const [path, item] of Object.entries((doc.paths as Record<string, Node> | undefined) ?? {})) {
    for (const [m, op] of Object.entries(item ?? {})) if (METHODS.has(m) && (op as Node | null)?.operationId === operationId) return `${m.toUpperCase()} ${path}`;
  }
  return undefined;
}

/**
 * An operation removed at one method and path and added at another under the same operationId
 * is one change, the move (it read as "operation removed" and "operation added", the move unnamed).
 * relocateMoved took the others; these are the moves to a place another operation had before.
 */
function movedOperations(changes: SpecChange[], before: Node, after: Node): SpecChange[] {
  const added = new Map(changes.filter((c) => c.rule === "operation-added" && c.operation).map((c) => [c.operation!, c]));
  const gone = new Set<SpecChange>();
  const out = changes.map((c) => {
    const twin = c.rule === "operation-removed" && c.operation ? added.get(c.operation) : undefined;
    const [from, to] = twin ? [locationOf(before, c.operation!), locationOf(after, c.operation!)] : [];
    if (!twin || !from || !to || from === to) return c;
    gone.add(twin);
    return { ...c, rule: "operation-moved", message: `operation moved: ${from} → ${to} (call("${c.operation}") sends it to the new place; its other changes are not listed)` };
  });
  return gone.size ? out.filter((c) => !gone.has(c)) : out;
}
