/**
 * The one place where command-line text becomes request values, for every API: each
 * `name=value` is read by the parameter's schema in the spec metadata (type, items, enum,
 * base64/comma-joined encodings) and by where it goes. Values that travel as text (query,
 * path, header, form) keep their exact digits; values that travel inside JSON (JSON bodies,
 * WebSocket frames, Xele `data`) become JSON numbers, booleans, arrays and objects — and a
 * number a double cannot hold exactly is refused, never rounded. User input only ever becomes
 * keys of null-prototype maps, and names are checked as own properties.
 */
import { DecimalPrecisionError, excessDigits, MAX_INTEGER_DIGITS, nestedDeeperThan, parseJson } from "../handwritten/core/json.js";
import type { SchemaMeta } from "../handwritten/core/meta.js";
import { CliUsageError, didYouMean, quotedValue, shortened } from "./args.js";

/** The deepest nesting a parameter's JSON may have (a value nested thousands deep overflowed the checks' recursion). */
const MAX_PARAM_DEPTH = 100;

/** Where a parameter goes: decides whether its value stays text or becomes JSON. */
export type ParamPlace = "query" | "path" | "header" | "cookie" | "form" | "body" | "frame" | "data";

export interface CliParam {
  name: string;
  in: ParamPlace;
  required: boolean;
  schema: SchemaMeta;
  description?: string;
}

export interface CliOperation {
  operationId: string;
  /** Other names the operation answers to (quant-ws: the wire op and the operationId). */
  aliases?: readonly string[];
  method: string;
  path: string;
  summary: string;
  description?: string;
  deprecated?: boolean;
  params: readonly CliParam[];
}

const TEXT_PLACES: ReadonlySet<ParamPlace> = new Set(["query", "path", "header", "cookie", "form"]);
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?$/;

function typesOf(schema: SchemaMeta | undefined): string[] {
  return ([] as string[]).concat(schema?.type ?? []);
}

/** Digits (no leading/trailing zeros) and exponent of a decimal text: equal pairs = equal values. */
function decimalKey(text: string): string {
  const m = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([-+]?\d+))?$/.exec(text);
  if (!m) return text;
  const digits = `${m[2] ?? ""}${m[3] ?? ""}`;
  const exp = Number(m[4] ?? 0) - (m[3] ?? "").length;
  const lead = digits.replace(/^0+/, "");
  if (!lead) return "0";
  const trimmed = lead.replace(/0+$/, "");
  return `${m[1]}${trimmed}e${exp + (lead.length - trimmed.length)}`;
}

/** True when the double `n` is exactly the decimal written in `text`. */
export function exactDouble(text: string, n: number): boolean {
  return decimalKey(text) === decimalKey(n.toString());
}


function fail(name: string, message: string): never {
  throw new CliUsageError(`parameter "${name}" ${message}`);
}

/**
 * A number a JSON number would round: one inside a JSON value (`where`: " at <path>", or ""
 * for the value itself), or, when `where` is undefined, the parameter's whole value.
 */
function inexact(name: string, text: string, double: number, where?: string): never {
  if (where !== undefined) fail(name, `the number ${shortened(text)}${where} does not fit a JSON number exactly; nothing was sent`);
  fail(name, `= ${shortened(text)} has more digits than a JSON number keeps exactly (it would be sent as ${double}); round it yourself`);
}

/**
 * A `--json` value (`text`: read with decimals as written; `double`: the same value read with
 * decimals as doubles). A JSON number in decimal notation is its double when that is exactly
 * the number written; otherwise, for a parameter that travels as text, the digits as written
 * (as `name=value` sends them), and for one that travels as JSON (a body, a frame, base64 JSON
 * in a form) a usage error: never rounded.
 */
function jsonValue(param: CliParam, text: unknown, double: unknown, path: string): unknown {
  if (typeof text === "string" && typeof double === "number") {
    const where = path ? ` at ${path}` : "";
    if (!Number.isFinite(double)) fail(param.name, `must be a finite number, got ${shortened(text)}${where}`);
    if (exactDouble(text, double)) return double;
    // Sent as text, except inside base64 JSON (XT's batch `data`), which is JSON again.
    if (TEXT_PLACES.has(param.in) && param.schema.contentEncoding !== "base64") return text;
    inexact(param.name, text, double, path ? where : undefined);
  }
  if (Array.isArray(text)) return text.map((v, i) => jsonValue(param, v, (double as unknown[])[i], `${path}[${i}]`));
  if (text !== null && typeof text === "object" && typeof text !== "bigint") {
    return Object.fromEntries(Object.entries(text).map(([k, v]) => [k, jsonValue(param, v, (double as Record<string, unknown>)[k], `${path}.${k}`)]));
  }
  return text;
}

/** Reject non-finite numbers anywhere inside a JSON value (`1e400` parses to Infinity). */
function checkFinite(name: string, value: unknown): void {
  if (typeof value === "number" && !Number.isFinite(value)) fail(name, `must be a finite number, got ${String(value)}`);
  if (value && typeof value === "object") for (const v of Object.values(value)) checkFinite(name, v);
}

function checkEnum(name: string, schema: SchemaMeta, value: unknown, raw: string): void {
  if (!schema.enum || Array.isArray(value) || value === null) return;
  if (schema.enum.some((e) => String(e) === String(value))) return;
  const options = schema.enum.map((e) => String(e));
  const shown = schema.enum.map((e) => (typeof e === "string" ? JSON.stringify(e) : String(e)));
  fail(name, `must be one of ${shown.join(", ")}, got ${quotedValue(raw)}${didYouMean(raw, options, (c) => JSON.stringify(c))}`);
}

/**
 * Where a JSON text (valid: parse it first) gives a member name twice in one object, at any
 * depth: `[0].price`, or undefined. JSON.parse keeps the last silently: a batch order's second
 * "price" replaced the first.
 */
export function repeatedKeyPath(text: string): string | undefined {
  // one frame per open object (its names, the name last read) or array (its index)
  const stack: Array<{ names: Set<string>; name?: string } | { index: number }> = [];
  const path = () => stack.map((f) => ("index" in f ? `[${f.index}]` : `.${f.name ?? ""}`)).join("").replace(/^\./, "");
  let expectName = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === "\\" ? 2 : 1;
      const top = stack[stack.length - 1];
      if (expectName && top && "names" in top) {
        const name = JSON.parse(text.slice(i, end + 1)) as string;
        if (top.names.has(name)) {
          top.name = name;
          return path();
        }
        top.names.add(name);
        top.name = name;
        expectName = false;
      }
      i = end;
    } else if (c === "{") {
      stack.push({ names: new Set() });
      expectName = true;
    } else if (c === "[") stack.push({ index: 0 });
    else if (c === "}" || c === "]") stack.pop();
    else if (c === ",") {
      const top = stack[stack.length - 1];
      if (top && "index" in top) top.index++;
      else expectName = true;
    }
  }
  return undefined;
}

/** One `name=value` text → the value the API takes, per the parameter's schema and place. */
export function coerceValue(param: Pick<CliParam, "name" | "in" | "schema">, raw: string): unknown {
  const { name, schema } = param;
  const types = typesOf(schema);
  const asText = TEXT_PLACES.has(param.in);
  const structured = schema.contentEncoding === "base64" || types.includes("array") || types.includes("object") || Boolean(schema.commaJoined);
  if (structured && /^\s*[[{]/.test(raw)) {
    // No vendor parameter nests more than a few levels; the checks below walk the value.
    if (nestedDeeperThan(raw, MAX_PARAM_DEPTH)) fail(name, `nests more than ${MAX_PARAM_DEPTH} arrays or objects inside one another; nothing was sent`);
    let value: unknown;
    try {
      value = parseJson(raw);
    } catch (e) {
      if (e instanceof DecimalPrecisionError) {
        const where = e.path === "$" ? "" : ` at ${e.path}`;
        if (Number.isFinite(Number(e.literal))) inexact(name, e.literal, Number(e.literal), where);
        fail(name, `the number ${e.literal}${where} is not finite; nothing was sent`);
      }
      fail(name, `looks like JSON but does not parse (${(e as Error).message})`);
    }
    const twice = repeatedKeyPath(raw);
    if (twice !== undefined) fail(name, `gives ${quotedValue(twice)} twice (JSON would keep the last); nothing was sent`);
    checkFinite(name, value);
    return value;
  }
  // A nullable list's `null` is null, as `--json` and the library send it (it was the list
  // ["null"]: Xele's "no condition" became a condition); '["null"]' is the one-item list.
  if (types.includes("null") && !types.includes("string") && raw === "null") return null;
  if (types.includes("array")) {
    // (nothing at all is the empty list; an empty item in a list is a mistake, not dropped:
    // Xele reads [] as "every investor")
    const items = raw.trim() === "" ? [] : raw.split(",").map((v) => v.trim());
    const empty = items.indexOf("");
    if (empty >= 0) fail(name, `has an empty item (item ${empty + 1} of ${quotedValue(raw)}): give each item, or '[""]' as JSON for an empty text; nothing was sent`);
    const itemSchema = schema.items ?? {};
    return items.map((item) => coerceValue({ name, in: param.in, schema: itemSchema }, item));
  }
  let value: unknown = raw;
  if (types.length === 0 || types.includes("string") || schema.contentEncoding === "base64") {
    value = raw;
  } else if (types.includes("null") && raw === "null") {
    value = null;
  } else if (types.includes("boolean") && (raw === "true" || raw === "false")) {
    value = raw === "true";
  } else if (types.includes("integer") && /^-?\d+$/.test(raw)) {
    const digits = excessDigits(raw);
    if (digits) fail(name, `an integer of ${digits} digits: more than the ${MAX_INTEGER_DIGITS} read`);
    const n = Number(raw);
    value = asText ? raw : Number.isSafeInteger(n) ? n : BigInt(raw);
  } else if (types.includes("number") && JSON_NUMBER.test(raw)) {
    const n = Number(raw);
    if (!Number.isFinite(n)) fail(name, `must be a finite number, got ${quotedValue(raw)}`);
    if (!asText && !exactDouble(raw, n)) {
      inexact(name, raw, n);
    }
    value = asText ? raw : n;
  } else {
    const want = types.filter((t) => t !== "null").map((t) => (t === "integer" ? "an integer" : t === "object" ? "a JSON object" : `a ${t}`));
    fail(name, `must be ${want.join(" or ")}, got ${quotedValue(raw)}`);
  }
  checkEnum(name, schema, value, raw);
  return value;
}

function findParam(op: CliOperation, name: string): CliParam | undefined {
  return op.params.find((p) => p.name === name);
}

function unknownParam(op: CliOperation, name: string): never {
  const names = op.params.map((p) => p.name);
  throw new CliUsageError(
    `unknown parameter ${quotedValue(name)}${didYouMean(name, names, (c) => JSON.stringify(c))}; it takes: ${names.join(", ") || "no parameters"}`,
  );
}

/**
 * `--json '{...}'` and `name=value` pairs → the call's parameters, a null-prototype map.
 * Unknown names, duplicates, values of the wrong type or outside the enum, non-finite or
 * inexact numbers and missing required parameters are usage errors.
 */
export function buildParams(apiName: string, op: CliOperation, pairs: readonly string[], jsonFlag: string | undefined): Record<string, unknown> {
  try {
    return collect(op, pairs, jsonFlag);
  } catch (e) {
    if (!(e instanceof CliUsageError)) throw e;
    const error = new CliUsageError(e.message, { api: apiName, operation: op.operationId });
    error.hint = `(\`tradeapi call ${apiName} ${op.operationId} --help\` lists its parameters)`;
    throw error;
  }
}

function collect(op: CliOperation, pairs: readonly string[], jsonFlag: string | undefined): Record<string, unknown> {
  const params: Record<string, unknown> = Object.create(null);
  if (jsonFlag !== undefined) {
    // Read twice: decimals as the text written (which a parse cannot fail on for its digits),
    // and as doubles, which tells a JSON number (text here, a double there) from a JSON string.
    let body: unknown;
    let doubles: unknown;
    // (one level more than a parameter's: the object that holds them)
    if (nestedDeeperThan(jsonFlag, MAX_PARAM_DEPTH + 1)) throw new CliUsageError(`--json nests more than ${MAX_PARAM_DEPTH} arrays or objects inside a parameter; nothing was sent`);
    try {
      body = parseJson(jsonFlag, { decimals: "string" });
      doubles = parseJson(jsonFlag, { decimals: "number" });
    } catch (e) {
      throw new CliUsageError(`--json is not valid JSON: ${(e as Error).message}`);
    }
    if (!body || typeof body !== "object" || Array.isArray(body)) throw new CliUsageError("--json must be a JSON object of parameters");
    const twice = repeatedKeyPath(jsonFlag);
    if (twice !== undefined) throw new CliUsageError(twice.includes(".") || twice.includes("[") ? `--json gives ${quotedValue(twice)} twice (JSON would keep the last); nothing was sent` : `--json gives parameter ${quotedValue(twice)} twice`);
    for (const name of Object.keys(body)) {
      const param = findParam(op, name) ?? unknownParam(op, name);
      params[name] = jsonValue(param, (body as Record<string, unknown>)[name], (doubles as Record<string, unknown>)[name], "");
    }
  }
  const given = new Set<string>();
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new CliUsageError(`expected name=value, got ${quotedValue(pair)}`);
    const name = pair.slice(0, eq);
    const param = findParam(op, name);
    if (!param) unknownParam(op, name);
    if (given.has(name)) throw new CliUsageError(`parameter ${quotedValue(name)} is given twice`);
    if (params[name] !== undefined) throw new CliUsageError(`parameter ${quotedValue(name)} is given twice (in --json and as ${shortened(name)}=…)`);
    given.add(name);
    params[name] = coerceValue(param, pair.slice(eq + 1));
  }
  for (const p of op.params) {
    if (p.required && params[p.name] === undefined) {
      throw new CliUsageError(`missing required parameter ${JSON.stringify(p.name)}${p.description ? ` (${p.description.split("\n")[0]!.slice(0, 80)})` : ""}`);
    }
  }
  return params;
}
