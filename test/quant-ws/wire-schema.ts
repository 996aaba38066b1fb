/**
 * The spec's payload schemas as a checker for frames (tests only): the JSON Schema subset the
 * spec uses (type incl. "null", const, enum, required, properties, items,
 * additionalProperties, allOf, if/then, minLength, $ref to components.schemas). A keyword
 * outside that subset throws, so a spec change cannot silently escape the check.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { ROOT } from "../../scripts/api-registry.js";

type Schema = Record<string, unknown>;
const ANNOTATIONS = new Set(["description", "examples", "format", "deprecated", "title", "x-known-values", "x-enum-descriptions", "x-enum-varnames", "x-doc-deviation", "x-doc-section"]);
const CHECKED = new Set(["type", "const", "enum", "required", "properties", "items", "additionalProperties", "allOf", "if", "then", "minLength", "minItems", "pattern", "anyOf", "$ref"]);

export interface WireSpec {
  /** Payload schema name of each message: by x-op (requests excluded) and, for notify, by topic. */
  serverMessage(frame: Record<string, unknown>): string;
  /** Problems of `value` against components.schemas[name] ([] when it conforms). */
  check(name: string, value: unknown): string[];
  /** Every message example of the spec: [message key, payload schema name, payload]. */
  examples(): Array<[string, string, unknown]>;
}

export function loadWireSpec(): WireSpec {
  const doc = parse(readFileSync(join(ROOT, "specs/asyncapi/quant-ws.yaml"), "utf8")) as {
    components: { schemas: Record<string, Schema>; messages: Record<string, Schema> };
  };
  const schemas = doc.components.schemas;
  const messages = doc.components.messages;
  const refName = (ref: unknown) => String(ref).replace("#/components/schemas/", "");
  const byWire = new Map<string, string>();
  for (const m of Object.values(messages)) {
    if (m["x-kind"] === "request") continue;
    const key = m["x-topic"] ? `notify:${String(m["x-topic"])}` : String(m["x-op"]);
    byWire.set(key, refName((m.payload as Schema).$ref));
  }

  const typeOk = (t: string, v: unknown) =>
    t === "null" ? v === null
    : t === "integer" ? (typeof v === "number" && Number.isInteger(v)) || typeof v === "bigint"
    : t === "number" ? typeof v === "number" || typeof v === "bigint"
    : t === "array" ? Array.isArray(v)
    : t === "object" ? v !== null && typeof v === "object" && !Array.isArray(v)
    : typeof v === t;

  function check(schema: Schema, v: unknown, at: string, out: string[]): void {
    for (const k of Object.keys(schema)) {
      if (!CHECKED.has(k) && !ANNOTATIONS.has(k)) throw new Error(`wire-schema: keyword ${k} at ${at} is not supported by this checker`);
    }
    if (schema.$ref) return check(schemas[refName(schema.$ref)]!, v, at, out);
    if (schema.type !== undefined) {
      const types = ([] as string[]).concat(schema.type as string | string[]);
      if (!types.some((t) => typeOk(t, v))) {
        out.push(`${at}: ${JSON.stringify(v)} is not ${types.join(" | ")}`);
        return;
      }
    }
    if ("const" in schema && v !== schema.const) out.push(`${at}: ${JSON.stringify(v)} is not ${JSON.stringify(schema.const)}`);
    if (schema.enum && !(schema.enum as unknown[]).includes(v)) out.push(`${at}: ${JSON.stringify(v)} is not one of ${(schema.enum as unknown[]).join(", ")}`);
    if (typeof schema.minLength === "number" && typeof v === "string" && v.length < schema.minLength) out.push(`${at}: shorter than ${schema.minLength}`);
    if (typeof schema.pattern === "string" && typeof v === "string" && !new RegExp(schema.pattern, "u").test(v)) out.push(`${at}: ${JSON.stringify(v)} does not match ${schema.pattern}`);
    for (const sub of (schema.allOf as Schema[] | undefined) ?? []) check(sub, v, at, out);
    if (schema.anyOf) {
      const tries = (schema.anyOf as Schema[]).map((sub) => {
        const probe: string[] = [];
        check(sub, v, at, probe);
        return probe;
      });
      if (!tries.some((t) => t.length === 0)) out.push(`${at}: ${JSON.stringify(v)} fits none of anyOf (${tries.map((t) => t.join("; ")).join(" | ")})`);
    }
    if (schema.if) {
      const probe: string[] = [];
      check(schema.if as Schema, v, at, probe);
      if (!probe.length && schema.then) check(schema.then as Schema, v, at, out);
    }
    if (typeof schema.minItems === "number" && Array.isArray(v) && v.length < schema.minItems) out.push(`${at}: fewer than ${schema.minItems} items`);
    if (Array.isArray(v) && schema.items) v.forEach((item, i) => check(schema.items as Schema, item, `${at}[${i}]`, out));
    if (v !== null && typeof v === "object" && !Array.isArray(v)) {
      const obj = v as Record<string, unknown>;
      for (const r of (schema.required as string[] | undefined) ?? []) if (!(r in obj)) out.push(`${at}: missing ${r}`);
      const props = (schema.properties as Record<string, Schema> | undefined) ?? {};
      for (const [k, val] of Object.entries(obj)) {
        if (props[k]) check(props[k], val, `${at}.${k}`, out);
        else if (schema.additionalProperties && typeof schema.additionalProperties === "object") check(schema.additionalProperties as Schema, val, `${at}.${k}`, out);
      }
    }
  }

  return {
    serverMessage(frame) {
      const key = frame.op === "notify" ? `notify:${String(frame.topic)}` : String(frame.op);
      const name = byWire.get(key);
      if (!name) throw new Error(`wire-schema: no server message for ${key}`);
      return name;
    },
    check(name, value) {
      const out: string[] = [];
      check({ $ref: `#/components/schemas/${name}` }, value, name, out);
      return out;
    },
    examples() {
      const out: Array<[string, string, unknown]> = [];
      for (const [key, m] of Object.entries(messages)) {
        for (const ex of (m.examples as Array<{ payload: unknown }> | undefined) ?? []) out.push([key, refName((m.payload as Schema).$ref), ex.payload]);
      }
      return out;
    },
  };
}
