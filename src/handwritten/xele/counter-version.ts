/**
 * Requests for a counter of a given version. The vendor doc adds fields and values in later
 * counter versions (the spec's `x-since` on a field or an operation, `x-since-by-value` on an
 * enum: fund `order_commission` since 007, an auth code's `app_id` since 007P8, …), and a counter
 * refuses a field it does not know (注意事项 B). A client made with `counterVersion` therefore
 * sends only what that version knows:
 *
 * - an operation newer than the counter is a UsageError before anything is sent;
 * - a field or enum value the caller gives that is newer is a UsageError naming it and its version;
 * - a field the client would fill by itself (x-no-condition, default) that is newer is left out,
 *   and it is not required of the caller either (`schemaForCounter`).
 *
 * The emulator uses the same functions to refuse what its counter version does not know, and
 * to leave out of its answers what that version does not send.
 */
import type { JsonSchema } from "./spec-info.js";
import { compareCounterVersions } from "./pipe-rows.js";

/** A counter version as the vendor doc writes them: 003, 007, 007P7 (P and a number for the patches). */
export const COUNTER_VERSION_FORM = /^\d{3}(?:P\d{1,3})?$/;

/** The version of `since` is newer than `version` (nothing is newer without a version). */
export const newerThan = (since: unknown, version: string | undefined): since is string =>
  version !== undefined && typeof since === "string" && compareCounterVersions(since, version) > 0;

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** A field (or, with `value`, an enum value) of a request that came with counter `since`. */
export interface NewerPart {
  path: string;
  value?: string;
  since: string;
}

/** `data.order_commission came with counter 007`, `data.prc_type "LargeOrderCancel" came with counter 007`. */
export const describeNewer = (p: NewerPart): string =>
  `${p.path}${p.value === undefined ? "" : ` ${JSON.stringify(p.value)}`} came with counter ${p.since}`;

/** The schemas a value must also fit (allOf) or may fit (anyOf, oneOf): each is walked as the schema is. */
const partsOf = (s: JsonSchema): readonly JsonSchema[] => [...(s.allOf ?? []), ...(s.anyOf ?? []), ...(s.oneOf ?? [])];

/** The schema of member `name` of an object: its property, else additionalProperties'. */
function memberSchema(s: JsonSchema, name: string): JsonSchema | undefined {
  if (s.properties && Object.hasOwn(s.properties, name)) return s.properties[name];
  return typeof s.additionalProperties === "object" ? s.additionalProperties : undefined;
}

/** The schema of item `i` of a list: its prefixItems place, else items. */
const itemSchema = (s: JsonSchema, i: number): JsonSchema | undefined => s.prefixItems?.[i] ?? s.items;

/**
 * What in `value` a counter of `version` does not know: fields and enum values newer than it,
 * walking members (properties, additionalProperties), items (items, prefixItems) and the parts
 * of allOf, anyOf and oneOf.
 */
export function newerParts(value: unknown, schema: JsonSchema | undefined, version: string | undefined, path: string): NewerPart[] {
  if (!schema || version === undefined) return [];
  const out: NewerPart[] = [];
  const seen = new Set<string>();
  const push = (p: NewerPart) => {
    const key = `${p.path}\u0000${p.value ?? ""}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(p);
  };
  const walk = (v: unknown, s: JsonSchema, at: string): void => {
    for (const part of partsOf(s)) walk(v, part, at);
    const valueSince = typeof v === "string" && s.sinceByValue && Object.hasOwn(s.sinceByValue, v) ? s.sinceByValue[v] : undefined;
    if (newerThan(valueSince, version)) push({ path: at, value: v as string, since: valueSince });
    if (isPlainObject(v)) {
      for (const [name, item] of Object.entries(v)) {
        const sub = memberSchema(s, name);
        if (!sub || item === undefined) continue;
        const where = at === "" ? name : `${at}.${name}`;
        if (newerThan(sub.since, version)) push({ path: where, since: sub.since });
        else walk(item, sub, where);
      }
    }
    if (Array.isArray(v)) v.forEach((item, i) => {
      const sub = itemSchema(s, i);
      if (sub) walk(item, sub, `${at}[${i}]`);
    });
  };
  walk(value, schema, path);
  return out;
}

const trimmed = new WeakMap<JsonSchema, Map<string, JsonSchema>>();

/**
 * `schema` as a counter of `version` has it: without the fields newer than it (out of
 * `properties` and `required`) and without the enum values newer than it, at any depth. The
 * same object when nothing in it is newer; remembered per schema and version.
 */
export function schemaForCounter(schema: JsonSchema, version: string | undefined): JsonSchema {
  if (version === undefined) return schema;
  let byVersion = trimmed.get(schema);
  const known = byVersion?.get(version);
  if (known) return known;
  const out = trim(schema, version);
  if (!byVersion) trimmed.set(schema, (byVersion = new Map()));
  byVersion.set(version, out);
  return out;
}

type Editable = { -readonly [K in keyof JsonSchema]: JsonSchema[K] };

function trim(s: JsonSchema, version: string): JsonSchema {
  let out: Editable | undefined;
  const edit = () => (out ??= { ...s });
  if (s.enum && s.sinceByValue) {
    const byValue = s.sinceByValue;
    const kept = s.enum.filter((v) => !(typeof v === "string" && Object.hasOwn(byValue, v) && newerThan(byValue[v], version)));
    if (kept.length !== s.enum.length) edit().enum = kept;
  }
  // A whole object the client fills (x-no-condition, default) loses the newer fields too.
  for (const key of ["noCondition", "default"] as const) {
    const value = s[key];
    if (value === undefined) continue;
    const kept = trimValue(value, s, version);
    if (kept !== value) edit()[key] = kept;
  }
  if (s.properties) {
    const entries = Object.entries(s.properties).filter(([, sub]) => !newerThan(sub.since, version));
    const properties = Object.fromEntries(entries.map(([name, sub]) => [name, trim(sub, version)]));
    if (entries.length !== Object.keys(s.properties).length || entries.some(([name, sub]) => properties[name] !== sub)) {
      edit().properties = properties;
      if (s.required) edit().required = s.required.filter((name) => Object.hasOwn(properties, name));
    }
  }
  for (const key of ["items", "additionalProperties"] as const) {
    const sub = s[key];
    if (typeof sub !== "object") continue;
    const kept = trim(sub, version);
    if (kept !== sub) edit()[key] = kept;
  }
  for (const key of ["allOf", "anyOf", "oneOf", "prefixItems"] as const) {
    const list = s[key];
    if (!list) continue;
    const kept = list.map((p) => trim(p, version));
    if (kept.some((p, i) => p !== list[i])) edit()[key] = kept;
  }
  return out ?? s;
}

/** `value` without the members `schema` marks newer than `version`, at any depth (the same value when it has none). */
export function trimValue(value: unknown, s: JsonSchema, version: string): unknown {
  for (const part of partsOf(s)) value = trimValue(value, part, version);
  if (Array.isArray(value)) {
    const items = value.map((v, i) => {
      const sub = itemSchema(s, i);
      return sub ? trimValue(v, sub, version) : v;
    });
    return items.some((v, i) => v !== value[i]) ? items : value;
  }
  if (!isPlainObject(value)) return value;
  let changed = false;
  const out: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(value)) {
    const sub = memberSchema(s, name);
    if (sub && newerThan(sub.since, version)) {
      changed = true;
      continue;
    }
    const kept = sub ? trimValue(v, sub, version) : v;
    if (kept !== v) changed = true;
    // (a member named __proto__ stays a member, as the caller gave it)
    Object.defineProperty(out, name, { value: kept, enumerable: true, writable: true, configurable: true });
  }
  return changed ? out : value;
}
