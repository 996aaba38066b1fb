/**
 * The generator's check of the values of the spec vocabulary (the `x-` keys), before anything
 * is generated: what Redocly's lint cannot know (the keys are this project's) and the runtime
 * would otherwise take silently: a misspelt key (an operation then has no `x-retryable`), a
 * rate limit naming no limit (`RateLimiter` ignores unknown names: the call goes unlimited,
 * and XT locks an account for 10 minutes past a limit), an error kind that picks no class, an
 * envelope whose success codes are not a list. Each problem is one line naming its place.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { errorKinds } from "../src/handwritten/core/errors.js";
import { stringifyJson } from "../src/handwritten/core/json.js";
import { closest } from "../src/handwritten/core/validate.js";
import { deref, isDataKey, objectFields } from "../src/spec-tools/spec-model.js";

type Node = Record<string, unknown>;

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;

/** The `x-` keys docs/spec-conventions.md's extension table lists: the vocabulary. */
export function documentedExtensions(root: string): Set<string> {
  const doc = readFileSync(join(root, "docs/spec-conventions.md"), "utf8");
  return new Set([...doc.matchAll(/^\| (`x-[^|]+) \|/gm)].flatMap((m) => [...m[1]!.matchAll(/`(x-[A-Za-z0-9-]+)`/g)].map((n) => n[1]!)));
}

const isObject = (v: unknown): v is Node => v !== null && typeof v === "object" && !Array.isArray(v);
const isPositive = (v: unknown) => (typeof v === "number" || typeof v === "bigint") && Number(v) > 0 && Number.isFinite(Number(v));
/** A value as the spec gives it (YAML integers are read as bigints: every digit shown). */
const show = (v: unknown) => (v === undefined ? "nothing" : stringifyJson(v));
/** A JSON-pointer-like place: `paths./v4/order.post`. */
const at = (path: readonly string[]) => path.join(".");

/** Every `x-` key not in `known`, with the closest documented one; every `$ref` into another file. */
function unknownKeys(node: unknown, known: ReadonlySet<string>, path: string[], out: string[]): void {
  if (Array.isArray(node)) node.forEach((v, i) => unknownKeys(v, known, [...path, String(i)], out));
  else if (isObject(node)) {
    for (const [k, v] of Object.entries(node)) {
      // (a spec is one file: the metadata, spec diff and the docs read it alone)
      if (k === "$ref" && typeof v === "string" && v !== "" && !v.startsWith("#") && path[path.length - 1] !== "properties" && !path.some((p, i) => isDataKey(p, path.slice(0, i)))) {
        out.push(`${at(path)}: $ref ${JSON.stringify(v)} points into another file; a spec is one file (the metadata and spec diff read it alone): put what it names under components`);
      }
      if (k.startsWith("x-") && !known.has(k)) {
        const near = closest(k, [...known]);
        out.push(`${at([...path, k])}: unknown extension ${k}${near ? ` (did you mean ${near}?)` : ""}; docs/spec-conventions.md lists the vocabulary`);
      }
      unknownKeys(v, known, [...path, k], out);
    }
  }
}

/** The lists that go with an `enum` value by value, in its order. */
const ENUM_LISTS = ["x-enum-descriptions", "x-enum-varnames"] as const;

/**
 * `x-enum-descriptions` and `x-enum-varnames` go with the `enum` beside them by place: one
 * entry per value. A list of another length (a code inserted in the enum, its description
 * forgotten) shifts every later entry onto the wrong value: quant-ws's StateCode constants and
 * their descriptions, the references' tables. Refused, naming the place.
 */
function enumListProblems(node: unknown, path: string[], out: string[]): void {
  if (Array.isArray(node)) return node.forEach((v, i) => enumListProblems(v, [...path, String(i)], out));
  if (!isObject(node)) return;
  const values = node.enum;
  for (const key of ENUM_LISTS) {
    const list = node[key];
    if (list === undefined || path[path.length - 1] === "properties") continue;
    if (!Array.isArray(list)) out.push(`${at([...path, key])}: must be a list, one entry per enum value, got ${show(list)}`);
    else if (!Array.isArray(values)) out.push(`${at([...path, key])}: there is no enum beside it (${list.length} entries describe nothing)`);
    else if (list.length !== values.length) {
      out.push(`${at([...path, key])}: ${list.length} entries for the ${values.length} values of the enum beside it (one per value, in its order: every entry after a missing or extra one would go with the wrong value)`);
    }
  }
  for (const [k, v] of Object.entries(node)) if (!isDataKey(k, path) && !(ENUM_LISTS as readonly string[]).includes(k)) enumListProblems(v, [...path, k], out);
}

function envelopeProblems(env: unknown, place: string, out: string[], falseAllowed: boolean): void {
  if (env === undefined || (falseAllowed && env === false)) return;
  if (!isObject(env)) return void out.push(`${place}: x-envelope must be an object${falseAllowed ? " (or false)" : ""}, got ${show(env)}`);
  if (typeof env.codeField !== "string" || env.codeField === "") out.push(`${place}: x-envelope.codeField must be a field name, got ${show(env.codeField)}`);
  const ok = env.success;
  if (!Array.isArray(ok) || ok.length === 0 || !ok.every((c) => typeof c === "string" || typeof c === "number" || typeof c === "bigint")) {
    out.push(`${place}: x-envelope.success must be a list of the success codes, got ${show(ok)}`);
  }
  for (const f of ["messageField", "dataField"] as const) {
    if (env[f] !== undefined && (typeof env[f] !== "string" || env[f] === "")) out.push(`${place}: x-envelope.${f} must be a field name, got ${show(env[f])}`);
  }
}

/**
 * An operation's missing or empty `operationId` (Redocly's recommended ruleset only warns): the
 * name `client.call()`, the CLI and the docs give it, which nothing else may stand in for.
 */
export function operationIdProblem(op: Node, method: string, path: string): string | undefined {
  const id = op.operationId;
  if (typeof id === "string" && id.trim() !== "") return undefined;
  return `${method.toUpperCase()} ${path} has no operationId (got ${show(id)}); every operation needs one: it is the name client.call() and \`tradeapi call\` take`;
}

/** Every operation of an OpenAPI document without an operationId, as `<place>: <problem>`. */
export function operationIdProblems(doc: Node): string[] {
  const out: string[] = [];
  for (const [path, item] of Object.entries(isObject(doc.paths) ? doc.paths : {})) {
    if (!isObject(item)) continue;
    for (const m of METHODS) {
      const op = item[m];
      const problem = isObject(op) ? operationIdProblem(op, m, path) : undefined;
      if (problem) out.push(`paths.${path}.${m}: ${problem}`);
    }
  }
  return out;
}

/** The problems of one OpenAPI document's vocabulary values (empty: none). */
export function openapiProblems(doc: Node, known: ReadonlySet<string>): string[] {
  const out: string[] = [];
  unknownKeys(doc, known, [], out);
  enumListProblems(doc, [], out);
  const limits = doc["x-rate-limits"];
  const limitNames = isObject(limits) ? Object.keys(limits) : [];
  if (limits !== undefined && !isObject(limits)) out.push(`x-rate-limits must be an object of named limits, got ${show(limits)}`);
  for (const name of limitNames) {
    const rule = (limits as Node)[name];
    if (!isObject(rule) || !isPositive(rule.limit) || !Number.isInteger(Number(rule.limit)) || !isPositive(rule.intervalMs)) {
      out.push(`x-rate-limits.${name}: needs limit (a whole number above 0) and intervalMs (a number of ms above 0), got ${show(rule)}`);
    }
  }
  const codes = doc["x-error-codes"];
  if (codes !== undefined && !isObject(codes)) out.push(`x-error-codes must be an object of codes, got ${show(codes)}`);
  const kinds = errorKinds();
  for (const [code, info] of Object.entries(isObject(codes) ? codes : {})) {
    if (!isObject(info)) out.push(`x-error-codes.${code}: must be an object { meaning, kind, … }, got ${show(info)}`);
    else if (info.kind !== undefined && !kinds.includes(info.kind as never)) {
      const near = typeof info.kind === "string" ? closest(info.kind, kinds) : undefined;
      out.push(`x-error-codes.${code}.kind: ${show(info.kind)} is not an error kind${near ? ` (did you mean "${near}"?)` : ""}`);
    }
  }
  envelopeProblems(doc["x-envelope"], "x-envelope", out, false);
  // An operation's x-server names the role of one of the document's servers (the client picks
  // the server by it: a role no server has left it with no URL).
  const roles = (Array.isArray(doc.servers) ? doc.servers : []).filter(isObject).map((sv) => sv["x-server"]).filter((r): r is string => typeof r === "string");
  const plumbing = authPlumbing(doc);
  for (const [path, item] of Object.entries(isObject(doc.paths) ? doc.paths : {})) {
    if (!isObject(item)) continue;
    for (const m of METHODS) {
      const op = item[m];
      if (!isObject(op)) continue;
      const place = `paths.${path}.${m}`;
      const id = operationIdProblem(op, m, path);
      if (id) out.push(`${place}: ${id}`);
      const role = op["x-server"];
      if (role !== undefined && (typeof role !== "string" || !roles.includes(role))) {
        out.push(`${place}: x-server ${show(role)} is the role of none of the servers (${roles.map((r) => JSON.stringify(r)).join(", ") || "none has x-server"})`);
      }
      if (typeof op["x-retryable"] !== "boolean") out.push(`${place}: x-retryable (true or false) is required on every operation, got ${show(op["x-retryable"])}`);
      const rl = op["x-rate-limit"];
      if (rl !== undefined) {
        if (!Array.isArray(rl) || !rl.every((n) => typeof n === "string")) out.push(`${place}: x-rate-limit must be a list of limit names, got ${show(rl)}`);
        else for (const n of rl) if (!limitNames.includes(n)) out.push(`${place}: x-rate-limit names "${n}", which x-rate-limits does not define (${limitNames.join(", ") || "none"})`);
      }
      envelopeProblems(op["x-envelope"], `${place}.x-envelope`, out, true);
      paginationProblems(doc, item, op, place, out);
      parameterNameProblems(doc, item, op, place, out);
      plumbingProblems(doc, item, op, place, plumbing, out);
      serverCopyProblems(doc, op, place, out);
    }
  }
  return out;
}

/** Keys of a server (and its variables) that only document it: copies may word them differently. */
const SERVER_PROSE = new Set(["description", "title", "summary", "tags", "externalDocs"]);
const withoutProse = (v: unknown): unknown =>
  Array.isArray(v) ? v.map(withoutProse) : isObject(v) ? Object.fromEntries(Object.entries(v).filter(([k]) => !SERVER_PROSE.has(k)).map(([k, x]) => [k, withoutProse(x)])) : v;

/** Where two servers differ (url, a variable's default or values…), as `variables.msPort.default "8181" ≠ "9181"`. */
function serverDifferences(copy: unknown, root: unknown, path: string[] = []): string[] {
  if (isObject(copy) && isObject(root)) {
    return [...new Set([...Object.keys(copy), ...Object.keys(root)])].flatMap((k) => serverDifferences(copy[k], root[k], [...path, k]));
  }
  return stringifyJson(copy ?? null) === stringifyJson(root ?? null) ? [] : [`${at(path) || "value"} ${show(copy)} (the document's: ${show(root)})`];
}

/**
 * An operation's own `servers` (Xele copies its server onto each operation, for the readers of
 * the reference) must say what the document's server of the same role (`x-server`) says: a port
 * changed at the root and not in the copies left operations on the old one. Compared without
 * prose (description, title…).
 */
function serverCopyProblems(doc: Node, op: Node, place: string, out: string[]): void {
  if (!Array.isArray(op.servers)) return;
  const roots = (Array.isArray(doc.servers) ? doc.servers : []).filter(isObject);
  op.servers.forEach((copy, i) => {
    if (!isObject(copy)) return;
    const role = copy["x-server"] ?? op["x-server"];
    if (typeof role !== "string") return;
    const name = `${typeof op.operationId === "string" ? ` (${op.operationId})` : ""}: servers[${i}] (${role})`;
    const root = roots.find((sv) => sv["x-server"] === role);
    if (!root) return void out.push(`${place}${name}: no server of the document has x-server ${show(role)}`);
    const diff = serverDifferences(withoutProse(copy), withoutProse(root));
    if (diff.length) out.push(`${place}${name} differs from the document's ${role} server: ${diff.join("; ")} (make the operation's copy say what the root servers say)`);
  });
}

/**
 * Each `…Param` of an operation's x-pagination names one of its parameters (a query or path
 * parameter, a field of its form or JSON body, or with `in: data` a field of its x-request-schema's
 * data): the paginator sends the page, size or cursor under that name, and a name the operation
 * no longer has (a parameter renamed) would page nothing.
 */
/**
 * The keys of `x-pagination` per style, and the keys every style may have (a wrapped answer, a
 * time range): docs/spec-conventions.md, **Lists**. What the paginator (bhex/paginate.ts) and the
 * emulators (src/mock/query-rows.ts) read; a key they do not read is a misspelling there.
 */
export const PAGINATION_KEYS: Readonly<Record<string, readonly string[]>> = {
  "from-id": ["fromParam", "toParam", "limitParam", "idField", "idFieldType", "direction", "boundsExclusive", "defaultLimit", "maxLimit"],
  page: ["pageParam", "sizeParam", "defaultSize", "minSize", "maxSize"],
  since: ["cursorParam", "cursorField"],
  newest: ["limitParam"],
};
const PAGINATION_COMMON = ["style", "in", "itemsField", "startParam", "endParam", "timeField", "timeBounds"];
/** Keys of x-pagination whose value is one of a few words. */
const PAGINATION_VALUES: Readonly<Record<string, readonly string[]>> = { in: ["data"], timeBounds: ["inclusive", "exclusive"], direction: ["newer-to-older"] };

/** A misspelt style or key of an operation's x-pagination (the paginator and the emulators would not read it). */
function paginationShapeProblems(pg: Node, place: string, out: string[]): void {
  const styles = Object.keys(PAGINATION_KEYS);
  const style = pg.style;
  if (typeof style !== "string" || !styles.includes(style)) {
    const near = typeof style === "string" ? closest(style, styles) : undefined;
    return void out.push(`${place}: x-pagination.style ${show(style)} is not a style (${styles.join(", ")})${near ? ` (did you mean "${near}"?)` : ""}; docs/spec-conventions.md, Lists`);
  }
  const keys = [...PAGINATION_COMMON, ...PAGINATION_KEYS[style]!];
  for (const [key, value] of Object.entries(pg)) {
    if (!keys.includes(key)) {
      const near = closest(key, keys);
      const other = styles.filter((st) => PAGINATION_KEYS[st]!.includes(key));
      out.push(`${place}: x-pagination.${key} is no key of style ${style}${near ? ` (did you mean ${near}?)` : other.length ? ` (a key of style ${other.join(", ")})` : ""}; docs/spec-conventions.md, Lists`);
      continue;
    }
    const allowed = PAGINATION_VALUES[key];
    if (allowed && !allowed.includes(value as string)) {
      const near = typeof value === "string" ? closest(value, [...allowed]) : undefined;
      out.push(`${place}: x-pagination.${key} ${show(value)} is not one of ${allowed.map((v) => JSON.stringify(v)).join(", ")}${near ? ` (did you mean "${near}"?)` : ""}`);
    }
  }
}

/**
 * The names a caller passes to an operation: its query, path and header parameters and the
 * fields of its form or JSON body (with `inData`, the fields of its x-request-schema's data).
 */
function operationParamNames(doc: Node, item: Node, op: Node, inData = false): Set<string> {
  const resolved = (n: unknown) => deref(doc, n) as Node | undefined;
  const fieldNames = (schema: unknown) => Object.keys(objectFields(resolved(schema)).properties);
  const params = [...(Array.isArray(item.parameters) ? item.parameters : []), ...(Array.isArray(op.parameters) ? op.parameters : [])].map((p) => resolved(p)?.name).filter((n): n is string => typeof n === "string");
  const content = resolved(op.requestBody)?.content;
  const bodies = isObject(content) ? Object.values(content).flatMap((media) => (isObject(media) ? fieldNames(media.schema) : [])) : [];
  const data = inData ? fieldNames(objectFields(resolved(op["x-request-schema"])).properties.data) : [];
  return new Set([...params, ...bodies, ...data]);
}

/** `… names "x", which is no parameter of the operation (did you mean "y"?)` */
const noParam = (what: string, value: unknown, names: ReadonlySet<string>): string => {
  const near = typeof value === "string" ? closest(value, [...names]) : undefined;
  return `${what} names ${show(value)}, which is no parameter of the operation${near ? ` (did you mean "${near}"?)` : ""}`;
};

/**
 * `x-idempotency-key` names the parameter the client fills in (once per call, the same on
 * retries), and each `x-required-one-of` group names parameters of the operation: a name it
 * does not have made every callWithKey fail, blaming a parameter the caller never passed, and a
 * group that can never be met refused every call.
 */
function parameterNameProblems(doc: Node, item: Node, op: Node, place: string, out: string[]): void {
  const key = op["x-idempotency-key"];
  const groups = op["x-required-one-of"];
  if (key === undefined && groups === undefined) return;
  const names = operationParamNames(doc, item, op);
  if (key !== undefined && (typeof key !== "string" || !names.has(key))) out.push(`${place}: ${noParam("x-idempotency-key", key, names)}`);
  if (groups === undefined) return;
  if (!Array.isArray(groups) || !groups.every((g) => Array.isArray(g) && g.length > 0)) {
    return void out.push(`${place}: x-required-one-of must be a list of groups of parameter names ([[mobile, email]]), got ${show(groups)}`);
  }
  groups.forEach((group: unknown[], i) => {
    group.forEach((name, j) => {
      if (typeof name !== "string" || !names.has(name)) out.push(`${place}: ${noParam(`x-required-one-of[${i}][${j}]`, name, names)}`);
    });
  });
}

/**
 * What the signer adds to every signed request, by name, with where the spec says so: the
 * names `x-vendor-doc.ignoreParams` lists (the vendor doc's auth rows), each security scheme's
 * `name` and the headers it adds (`x-headers`), and the wire names in its `x-signature`
 * (`keyHeader`, `paramName`, `…Param`). `body`: whether a request body field of that name is
 * plumbing too (a scheme's `name` is not: Xele's token is a field of every request's data).
 */
function authPlumbing(doc: Node): Map<string, { body: boolean; from: string[] }> {
  const out = new Map<string, { body: boolean; from: string[] }>();
  const add = (name: unknown, from: string, body: boolean) => {
    if (typeof name !== "string" || name === "") return;
    const entry = out.get(name.toLowerCase()) ?? { body: false, from: [] };
    entry.body ||= body;
    entry.from.push(from);
    out.set(name.toLowerCase(), entry);
  };
  const vendorDoc = doc["x-vendor-doc"];
  if (isObject(vendorDoc) && Array.isArray(vendorDoc.ignoreParams)) for (const n of vendorDoc.ignoreParams) add(n, "x-vendor-doc.ignoreParams", true);
  const schemes = isObject(doc.components) && isObject(doc.components.securitySchemes) ? doc.components.securitySchemes : {};
  for (const [id, scheme] of Object.entries(schemes)) {
    if (!isObject(scheme)) continue;
    if (scheme.type === "apiKey") add(scheme.name, `security scheme ${id} (in ${String(scheme.in)})`, false);
    if (Array.isArray(scheme["x-headers"])) for (const h of scheme["x-headers"]) if (isObject(h)) add(h.name, `security scheme ${id} x-headers`, true);
    const sig = scheme["x-signature"];
    if (isObject(sig)) for (const [k, v] of Object.entries(sig)) if (k === "paramName" || k.endsWith("Param") || k.endsWith("Header")) add(v, `security scheme ${id} x-signature.${k}`, true);
  }
  return out;
}

/**
 * Auth plumbing listed as an operation's parameter (a required `signature` query parameter on
 * an XT call): the typed call then makes the caller pass it, and the client overwrites it.
 * docs/spec-conventions.md: "Do NOT list the auth plumbing that the signer adds".
 */
function plumbingProblems(doc: Node, item: Node, op: Node, place: string, plumbing: ReadonlyMap<string, { body: boolean; from: string[] }>, out: string[]): void {
  if (plumbing.size === 0) return;
  const resolved = (n: unknown) => deref(doc, n) as Node | undefined;
  const say = (what: string, from: string[]) =>
    out.push(`${place}: ${what} is auth plumbing the signer adds (${from.join("; ")}): leave it out of the operation, the security scheme says it (listed, the typed call would ask the caller for it and the client overwrite it)`);
  for (const p of [...(Array.isArray(item.parameters) ? item.parameters : []), ...(Array.isArray(op.parameters) ? op.parameters : [])].map(resolved)) {
    const hit = typeof p?.name === "string" ? plumbing.get(p.name.toLowerCase()) : undefined;
    if (hit) say(`parameter ${p!.name as string} (${String(p!.in)})`, hit.from);
  }
  const content = resolved(op.requestBody)?.content;
  const fields = new Set(isObject(content) ? Object.values(content).flatMap((media) => (isObject(media) ? Object.keys(objectFields(resolved(media.schema)).properties) : [])) : []);
  for (const f of fields) {
    const hit = plumbing.get(f.toLowerCase());
    if (hit?.body) say(`request body field ${f}`, hit.from);
  }
}

function paginationProblems(doc: Node, item: Node, op: Node, place: string, out: string[]): void {
  const pg = op["x-pagination"];
  if (pg === undefined) return;
  if (!isObject(pg)) return void out.push(`${place}: x-pagination must be an object, got ${show(pg)}`);
  paginationShapeProblems(pg, place, out);
  const names = operationParamNames(doc, item, op, pg.in === "data");
  for (const [key, value] of Object.entries(pg)) {
    if (!key.endsWith("Param")) continue;
    if (typeof value !== "string" || !names.has(value)) out.push(`${place}: ${noParam(`x-pagination.${key}`, value, names)}`);
  }
}

/** The problems of an AsyncAPI document's vocabulary: its `x-` keys and the messages' names (the parser checks the rest). */
export function asyncapiProblems(doc: Node, known: ReadonlySet<string>): string[] {
  const out: string[] = [];
  unknownKeys(doc, known, [], out);
  enumListProblems(doc, [], out);
  messageNameProblems(doc, out);
  return out;
}

const MESSAGE_KINDS = ["request", "reply", "notification", "error"];

/**
 * Every message of an AsyncAPI document (those under components.messages, and those written
 * inside a channel), by its place: `components.messages.orderNotification`.
 */
function asyncapiMessages(doc: Node): Array<[string, Node]> {
  const out: Array<[string, Node]> = [];
  const components = isObject(doc.components) && isObject(doc.components.messages) ? doc.components.messages : {};
  for (const [id, m] of Object.entries(components)) if (isObject(m) && m.$ref === undefined) out.push([`components.messages.${id}`, m]);
  for (const [ch, channel] of Object.entries(isObject(doc.channels) ? doc.channels : {})) {
    if (!isObject(channel) || !isObject(channel.messages)) continue;
    for (const [id, m] of Object.entries(channel.messages)) if (isObject(m) && m.$ref === undefined) out.push([`channels.${ch}.messages.${id}`, m]);
  }
  return out;
}

/**
 * The names the generated code keys messages by: a request's or a reply's `x-op` (the
 * `<Api>Requests` / `<Api>Replies` members, the metadata's operations), a notification's
 * `x-topic` (`<Api>Notifications`, the schema the client checks a push against). Two messages of
 * one kind under one name made a type with the member twice (TS2300) and metadata where the last
 * one won; a notification with no `x-topic` (and not the `x-op: state` one) was left out
 * without a word.
 */
function messageNameProblems(doc: Node, out: string[]): void {
  const seen = new Map<string, string>();
  const once = (key: string, place: string, what: string, kind: string) => {
    const first = seen.get(key);
    if (first === undefined) return void seen.set(key, place);
    out.push(`${place}: ${what} is also the ${what.split(" ")[0]} of the ${kind} ${first}; each ${kind} needs its own (the generated types would hold the name twice and the metadata keep only one)`);
  };
  for (const [place, m] of asyncapiMessages(doc)) {
    const kind = m["x-kind"];
    if (typeof kind !== "string" || !MESSAGE_KINDS.includes(kind)) {
      const near = typeof kind === "string" ? closest(kind, MESSAGE_KINDS) : undefined;
      out.push(`${place}: x-kind must be one of ${MESSAGE_KINDS.join(", ")}, got ${show(kind)}${near ? ` (did you mean "${near}"?)` : ""}`);
      continue;
    }
    const op = m["x-op"];
    const topic = m["x-topic"];
    if (op !== undefined && (typeof op !== "string" || op === "")) out.push(`${place}: x-op must be the frame's op value, got ${show(op)}`);
    if (topic !== undefined && (typeof topic !== "string" || topic === "")) out.push(`${place}: x-topic must be the notification's topic, got ${show(topic)}`);
    if (kind === "request" || kind === "reply") {
      if (typeof op !== "string" || op === "") {
        if (op === undefined) out.push(`${place}: a ${kind} needs x-op (the frame's op value)`);
      } else once(`${kind} op ${op}`, place, `x-op ${show(op)}`, kind);
    } else if (kind === "notification") {
      if (typeof topic === "string" && topic !== "") once(`topic ${topic}`, place, `x-topic ${show(topic)}`, kind);
      else if (topic === undefined && op === "state") once("state", place, `x-op "state"`, kind);
      else if (topic === undefined) out.push(`${place}: a notification needs x-topic (the topic a listener subscribes to), or x-op: state (the state notification); the generated code would leave it out`);
    }
  }
}
