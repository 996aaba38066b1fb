/**
 * Checking a Xele request against its closed schema from the spec. The counter rejects a
 * request with a missing field, an extra field or a wrong type (注意事项 A/B), so the client
 * checks before sending (a UsageError naming every problem) and the emulator checks what it
 * receives (answering 103 / 115 / 116 as the vendor doc's error table describes).
 *
 * Covers the JSON Schema subset the Xele spec uses: type (with null and integer), const, enum,
 * properties/required/additionalProperties, items/minItems/maxItems, minimum/maximum and
 * their exclusive forms, pattern, min/maxLength, not, allOf/anyOf/oneOf.
 */
import type { JsonSchema } from "./spec-info.js";

export type SchemaProblemKind =
  /** a required field is absent */
  | "missing"
  /** a field the closed schema does not list */
  | "unknown"
  /** the value has the wrong JSON type */
  | "type"
  /** right type, value outside enum/const/range/pattern */
  | "value";

export interface SchemaProblem {
  /** Dotted path from the request root, e.g. `data.order_price.min` or `data.prc[0].enable`. */
  path: string;
  kind: SchemaProblemKind;
  message: string;
}

function jsonType(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "bigint") return "integer";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

function typeMatches(v: unknown, t: string): boolean {
  switch (t) {
    case "null":
      return v === null;
    case "integer":
      return typeof v === "bigint" || (typeof v === "number" && Number.isInteger(v));
    case "number":
      return typeof v === "bigint" || (typeof v === "number" && Number.isFinite(v));
    case "string":
      return typeof v === "string";
    case "boolean":
      return typeof v === "boolean";
    case "array":
      return Array.isArray(v);
    case "object":
      return v !== null && typeof v === "object" && !Array.isArray(v);
    default:
      return true;
  }
}

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a === "bigint" || typeof b === "bigint") return String(a) === String(b);
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  return ka.length === kb.length && ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

const show = (v: unknown) => (typeof v === "bigint" ? String(v) : JSON.stringify(v));
const join = (path: string, key: string | number) =>
  typeof key === "number" ? `${path}[${key}]` : path ? `${path}.${key}` : key;

/** Every problem of `value` against `schema` (empty: valid). */
export function checkSchema(value: unknown, schema: JsonSchema, path = ""): SchemaProblem[] {
  const out: SchemaProblem[] = [];
  check(value, schema, path, out);
  return out;
}

function check(v: unknown, s: JsonSchema, path: string, out: SchemaProblem[]): void {
  const where = path || "request";
  for (const sub of s.allOf ?? []) check(v, sub, path, out);
  for (const [key, list] of [["anyOf", s.anyOf], ["oneOf", s.oneOf]] as const) {
    if (list && !list.some((sub) => checkSchema(v, sub, path).length === 0)) {
      out.push({ path: where, kind: "value", message: `${where} matches none of the allowed ${key} forms` });
    }
  }
  if (s.type !== undefined) {
    const types = ([] as string[]).concat(s.type);
    if (!types.some((t) => typeMatches(v, t))) {
      out.push({ path: where, kind: "type", message: `${where} must be ${types.join(" or ")}, got ${jsonType(v)}` });
      return;
    }
  }
  if ("const" in s && !sameJson(v, s.const)) {
    out.push({ path: where, kind: "value", message: `${where} must be ${show(s.const)}, got ${show(v)}` });
  }
  if (s.enum && !s.enum.some((e) => sameJson(v, e))) {
    out.push({ path: where, kind: "value", message: `${where} must be one of ${s.enum.map(show).join(", ")}, got ${show(v)}` });
  }
  if (s.not && checkSchema(v, s.not, path).length === 0) {
    out.push({ path: where, kind: "value", message: `${where} must not be ${show(v)}` });
  }
  if (typeof v === "number" || typeof v === "bigint") {
    const n = Number(v);
    const bad =
      (s.minimum !== undefined && n < s.minimum) ||
      (s.maximum !== undefined && n > s.maximum) ||
      (s.exclusiveMinimum !== undefined && n <= s.exclusiveMinimum) ||
      (s.exclusiveMaximum !== undefined && n >= s.exclusiveMaximum);
    if (bad) out.push({ path: where, kind: "value", message: `${where} is out of range: ${show(v)}` });
  }
  if (typeof v === "string") {
    if (s.pattern !== undefined && !new RegExp(s.pattern, "u").test(v)) {
      out.push({ path: where, kind: "value", message: `${where} must match ${s.pattern}, got ${show(v)}` });
    }
    if ((s.minLength !== undefined && v.length < s.minLength) || (s.maxLength !== undefined && v.length > s.maxLength)) {
      out.push({ path: where, kind: "value", message: `${where} has a length outside the allowed range` });
    }
  }
  if (Array.isArray(v)) {
    if ((s.minItems !== undefined && v.length < s.minItems) || (s.maxItems !== undefined && v.length > s.maxItems)) {
      out.push({
        path: where,
        kind: "value",
        message: `${where} must have ${s.minItems ?? 0}..${s.maxItems ?? "∞"} items, got ${v.length}`,
      });
    }
    if (s.items) v.forEach((item, i) => check(item, s.items!, join(path, i), out));
  }
  if (v !== null && typeof v === "object" && !Array.isArray(v)) {
    const obj = v as Record<string, unknown>;
    const props = s.properties ?? {};
    for (const name of s.required ?? []) {
      if (obj[name] === undefined) out.push({ path: join(path, name), kind: "missing", message: `missing field ${join(path, name)}` });
    }
    for (const [name, value] of Object.entries(obj)) {
      if (value === undefined) continue;
      const ps = props[name];
      if (ps) check(value, ps, join(path, name), out);
      else if (s.additionalProperties === false) {
        out.push({ path: join(path, name), kind: "unknown", message: `unknown field ${join(path, name)}` });
      } else if (s.additionalProperties && typeof s.additionalProperties === "object") {
        check(value, s.additionalProperties, join(path, name), out);
      }
    }
  }
}
