/**
 * fitsSchema is checkSchema's fast yes/no (no paths, no messages), which the quant-ws client
 * runs on every frame. Property: for any value, it says "fits" exactly when checkSchema finds
 * no problem. Values are drawn near the schemas (valid frames of the spec's payloads with one
 * field changed, removed or added) and anywhere (any JSON, bigints, decimal texts), against
 * every payload schema of the quant-ws spec and hand-written schemas with each keyword.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { meta as bhexDocs } from "../../generated/bhex-org.docs.js";
import { meta as hubiDocs } from "../../generated/hubi-futures.docs.js";
import { quantWsMeta } from "../../generated/quant-ws.js";
import { meta as xeleDocs } from "../../generated/xele-mgmt.docs.js";
import { meta as xtDocs } from "../../generated/xt-spot.docs.js";
import { parseJson } from "../../src/handwritten/core/json.js";
import { envelopeOf, type SchemaMeta } from "../../src/handwritten/core/meta.js";
import { checkSchema, fitsSchema } from "../../src/handwritten/core/validate.js";
import { payloads } from "../quant-ws/helpers.js";
import { fcSeed } from "../helpers/fc-seed.js";

const specSchemas: Array<[string, SchemaMeta]> = [
  ...Object.entries(quantWsMeta.operations).flatMap(([op, o]) => (o.dataSchema ? [[`${op} reply`, o.dataSchema as SchemaMeta] as [string, SchemaMeta]] : [])),
  ...Object.entries(quantWsMeta.notificationSchemas).map(([topic, s]) => [`${topic} notification`, s as SchemaMeta] as [string, SchemaMeta]),
];

/** The REST answers' schemas (what `call()` resolves to), with the data of the spec's JSON example where there is one. */
const restSchemas: Array<[string, SchemaMeta, unknown]> = [xtDocs, hubiDocs, bhexDocs, xeleDocs].flatMap((docs) =>
  docs.operations.flatMap((op) => {
    if (!op.dataSchema) return [];
    const r = op.responses["200"];
    const body = r?.example && /json/i.test(r.contentType ?? "") ? parseJson(r.example, { decimals: "string" }) : undefined;
    const field = envelopeOf(docs, op)?.dataField;
    const data = field && body && typeof body === "object" ? (body as Record<string, unknown>)[field] : body;
    return [[`${docs.api} ${op.operationId}`, op.dataSchema, data] as [string, SchemaMeta, unknown]];
  }),
);

const handWritten: SchemaMeta[] = [
  { type: "integer", minimum: 0, maximum: 10 },
  { type: "number", exclusiveMinimum: 0, exclusiveMaximum: 1 },
  { type: ["string", "null"], enum: ["a", "b", null] },
  { type: "string", pattern: "^[a-z]+$", minLength: 2, maxLength: 4 },
  { type: "array", minItems: 1, maxItems: 2, items: { type: "integer" } },
  { not: { type: "string" } },
  { anyOf: [{ type: "string" }, { type: "integer", minimum: 5 }] },
  { oneOf: [{ type: "boolean" }, { enum: [{ a: 1 }] }] },
  { type: "object", required: ["a"], properties: { a: { type: "integer" } }, additionalProperties: false },
  { type: "object", additionalProperties: { type: "number" } },
  { allOf: [{ type: "object", required: ["x"] }, { properties: { x: { type: "string" } } }] },
  { type: "object", anyOf: [{ required: ["a"] }, { required: ["x"] }] },
  { type: "array", items: { type: "object", properties: { a: { type: "integer" } } } },
  { type: ["object", "null"], properties: { a: { type: "string" } } },
];

const scalar = fc.oneof(
  fc.constantFrom(null, true, false, "", "0.5", "1e400", "12", "-3", "BUY", "SUBMITTED", "a", "ab", 0, -1, 1.5, 2 ** 60, Number.MAX_SAFE_INTEGER + 2),
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.bigInt(),
  fc.string({ maxLength: 6 }),
);
const anyValue = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: "small" }, scalar, fc.array(tie("value"), { maxLength: 3 }), fc.dictionary(fc.constantFrom("a", "x", "order_no", "price", "status", "USDT", "free", "__proto__"), tie("value"), { maxKeys: 3 })),
})).value;

/** A valid payload with one field changed, removed or added. */
function mutated(base: Record<string, unknown>) {
  const keys = Object.keys(base);
  return fc.tuple(fc.constantFrom(...keys, "extra"), fc.option(anyValue, { nil: undefined }), fc.boolean()).map(([k, v, remove]) => {
    const copy: Record<string, unknown> = { ...base };
    if (remove) delete copy[k];
    else copy[k] = v;
    return copy;
  });
}

function agree(v: unknown, s: SchemaMeta, decimalText: boolean): void {
  expect(fitsSchema(v, s, decimalText)).toBe(checkSchema(v, s, "", { decimalText, answer: true }).length === 0);
}

describe("fitsSchema ≡ checkSchema finds nothing", () => {
  it.each(specSchemas)("the %s schema, for any value", (_name, schema) => {
    fc.assert(fc.property(anyValue, fc.boolean(), (v, dt) => agree(v, schema, dt)), { numRuns: 300, seed: fcSeed(20261202) });
  });

  it("the notification schemas, for valid payloads with one field changed", () => {
    const schemas = quantWsMeta.notificationSchemas as Record<string, SchemaMeta>;
    for (const [topic, make] of [["order", payloads.order], ["fill", payloads.fill], ["position", payloads.position]] as const) {
      expect(fitsSchema(make(), schemas[topic]!)).toBe(true);
      fc.assert(fc.property(mutated(make()), fc.boolean(), (v, dt) => agree(v, schemas[topic]!, dt)), { numRuns: 300, seed: fcSeed(20261202) });
      fc.assert(fc.property(mutated(make()), (v) => agree([v], quantWsMeta.operations.open_orders.dataSchema as SchemaMeta, false)), { numRuns: 100, seed: fcSeed(7) });
    }
  });

  it("the REST answers' schemas, for any value and for the spec's example data with one field changed", () => {
    let near = 0;
    for (const [name, schema, data] of restSchemas) {
      fc.assert(fc.property(anyValue, fc.boolean(), (v, dt) => agree(v, schema, dt)), { numRuns: 20, seed: fcSeed(20261203) });
      const record = Array.isArray(data) ? data[0] : data;
      if (record === null || typeof record !== "object" || Array.isArray(record) || Object.keys(record).length === 0) continue;
      expect(fitsSchema(data, schema, true), name).toBe(true);
      near++;
      const wrap = (v: Record<string, unknown>) => (Array.isArray(data) ? [v] : v);
      fc.assert(fc.property(mutated(record as Record<string, unknown>), fc.boolean(), (v, dt) => agree(wrap(v), schema, dt)), { numRuns: 40, seed: fcSeed(20261203) });
    }
    expect(near).toBeGreaterThan(50);
  });

  it("the REST answers' schemas, for the example data with its fields in any order and one changed", () => {
    // fitsSchema tries the schema's next field first: another order must read the same.
    let tried = 0;
    for (const [name, schema, data] of restSchemas) {
      const record = Array.isArray(data) ? data[0] : data;
      if (record === null || typeof record !== "object" || Array.isArray(record) || Object.keys(record).length < 2) continue;
      tried++;
      const keys = Object.keys(record);
      const reordered = fc.shuffledSubarray(keys, { minLength: keys.length, maxLength: keys.length }).chain((order) => {
        const copy: Record<string, unknown> = {};
        for (const k of order) copy[k] = (record as Record<string, unknown>)[k];
        expect(fitsSchema(Array.isArray(data) ? [copy] : copy, schema, true), name).toBe(true);
        return fc.oneof(fc.constant(copy), mutated(copy));
      });
      fc.assert(fc.property(reordered, fc.boolean(), (v, dt) => agree(Array.isArray(data) ? [v, v] : v, schema, dt)), { numRuns: 30, seed: fcSeed(20261205) });
    }
    expect(tried).toBeGreaterThan(50);
  });

  it("a schema that is no object is named by checkSchema's UsageError", () => {
    for (const schema of [null, undefined, 7]) expect(() => fitsSchema({}, schema as never)).toThrow(/checkSchema takes a schema/);
  });

  it("a schema that refers to itself (a tree of any depth)", () => {
    const node: { type: string; required: string[]; properties: Record<string, SchemaMeta> } = { type: "object", required: ["id"], properties: { id: { type: "integer" } } };
    node.properties.child = node;
    node.properties.children = { type: "array", items: node };
    const tree = (depth: number): Record<string, unknown> => (depth === 0 ? { id: 0 } : { id: depth, child: tree(depth - 1), children: [tree(depth - 1 > 2 ? 2 : depth - 1)] });
    expect(fitsSchema(tree(50), node)).toBe(true);
    const bad = tree(50);
    let at = bad;
    for (let i = 0; i < 40; i++) at = at.child as Record<string, unknown>;
    at.id = "seven";
    expect(fitsSchema(bad, node)).toBe(false);
    fc.assert(fc.property(anyValue, fc.boolean(), (v, dt) => agree(v, node, dt)), { numRuns: 300, seed: fcSeed(20261205) });
  });

  it.each(handWritten.map((s) => [JSON.stringify(s), s] as const))("%s, for any value", (_name, schema) => {
    fc.assert(fc.property(anyValue, fc.boolean(), (v, dt) => agree(v, schema, dt)), { numRuns: 500, seed: fcSeed(20261202) });
  });
});
