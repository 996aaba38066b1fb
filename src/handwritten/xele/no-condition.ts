/**
 * Completing a Xele request from what the caller gave. The counter rejects a request with a
 * missing field (注意事项 A), yet treats empty/null query conditions as "no condition" (2.1,
 * 7.1). The spec marks every such filter with `x-no-condition: <value>`; this fills each one
 * the caller left out with that value, so callers write only the conditions they mean:
 *
 *   { investor_id: ["777001"] }  →  { investor_id: ["777001"], content: "", order_price: {min: null, max: null}, ... }
 *
 * Rules, applied recursively along the schema:
 * - a field the caller left out gets its `x-no-condition` value, else — if it is required — its
 *   documented `default` (e.g. sync_flag 1), else stays out (the schema check then names a
 *   required one as missing; optional fields are only sent when given);
 * - a partial object (e.g. `order_price: {min: 400}`) is completed the same way (`max: null`);
 * - a left-out object without its own value is built from its properties' values when that
 *   yields every required property (e.g. `option_scale`: all column flags true);
 * - fields the schema does not know are kept, so the schema check reports them;
 * - properties come out in the schema's order (the order of the vendor doc's tables).
 * Values are copied: the spec's defaults are never shared with the request.
 */
import type { JsonSchema } from "./spec-info.js";

const copy = <T>(v: T): T => (v === null || typeof v !== "object" ? v : (structuredClone(v) as T));

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

function isObjectSchema(s: JsonSchema): boolean {
  return !!s.properties && ([] as string[]).concat(s.type ?? "object").includes("object");
}

/** The request `value` with every left-out "no condition" field filled in (see the module doc). */
export function fillNoCondition(schema: JsonSchema | undefined, value: unknown, required = true): unknown {
  if (!schema || typeof schema !== "object") return value;
  if (value === undefined) {
    if ("noCondition" in schema) return copy(schema.noCondition);
    if (!required) return undefined;
    if ("default" in schema) return copy(schema.default);
    if (isObjectSchema(schema)) {
      const built = fillNoCondition(schema, {}) as Record<string, unknown>;
      return (schema.required ?? []).every((k) => built[k] !== undefined) ? built : undefined;
    }
    return undefined;
  }
  if (isPlainObject(value) && isObjectSchema(schema)) {
    const out: Record<string, unknown> = {};
    const required = new Set(schema.required ?? []);
    for (const [name, sub] of Object.entries(schema.properties!)) {
      // (own fields: a field on Object.prototype is one the caller left out)
      const filled = fillNoCondition(sub, Object.hasOwn(value, name) ? value[name] : undefined, required.has(name));
      if (filled !== undefined) out[name] = filled;
    }
    // Own keys only: a key every object inherits (`constructor`, `toString`) or a `__proto__` of
    // the caller's own is kept as a field (the schema check refuses it), not dropped or made a prototype.
    for (const [name, v] of Object.entries(value)) {
      if (!Object.hasOwn(out, name) && v !== undefined) Object.defineProperty(out, name, { value: v, enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  if (Array.isArray(value) && schema.items) {
    const items = schema.items;
    return value.map((item) => (isPlainObject(item) ? fillNoCondition(items, item) : item));
  }
  return value;
}
