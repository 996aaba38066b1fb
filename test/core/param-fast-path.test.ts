/**
 * checkParam passes a plain value (a string for a plain string schema, a safe integer for a plain
 * integer one) without running checkSchema. Property: for every parameter schema of the four REST
 * APIs' runtime metadata and hand-written ones at the edges of that fast path (int32, a decimal
 * string, a pattern, an enum, a bound, a base64 field…), checkParam refuses a value exactly when
 * checkSchema finds a problem with it (the base64 content check aside, which only checkParam does).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { meta as bhex } from "../../generated/bhex-org.meta.js";
import { meta as hubi } from "../../generated/hubi-futures.meta.js";
import { meta as xele } from "../../generated/xele-mgmt.meta.js";
import { meta as xt } from "../../generated/xt-spot.meta.js";
import { UsageError } from "../../src/handwritten/core/errors.js";
import type { SchemaMeta } from "../../src/handwritten/core/meta.js";
import { checkParam, checkSchema } from "../../src/handwritten/core/validate.js";
import { fcSeed } from "../helpers/fc-seed.js";

const SEED = 20261205;
const ctx = { api: "test", operation: "op" };

const specSchemas: SchemaMeta[] = [xt, hubi, bhex, xele].flatMap((m) =>
  m.operations.flatMap((op) => [...op.params.map((p) => p.schema), ...Object.values(op.body?.properties ?? {})]),
);

const handWritten: SchemaMeta[] = [
  { type: "string" },
  { type: "string", description: "d", default: "x" },
  { type: "string", format: "decimal" },
  { type: "string", format: "date" },
  { type: "string", pattern: "^[a-z]+$" },
  { type: "string", minLength: 2, maxLength: 4 },
  { type: "string", enum: ["a", "b"] },
  { type: "integer" },
  { type: "integer", format: "int32" },
  { type: "integer", format: "int64" },
  { type: "integer", format: "int32", description: "d" },
  { type: "integer", minimum: 0 },
  { type: "integer", maximum: 10 },
  { type: "integer", enum: [1, 2] },
  { type: ["integer", "null"] },
  { type: "number" },
  { type: "boolean" },
  { type: "string", contentEncoding: "base64" },
  { type: "array", items: { type: "string" }, commaJoined: true },
  { not: { type: "string" } },
];
const schemas = [...new Set([...specSchemas, ...handWritten])];

const EDGES = [0, -1, 1, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), -(2 ** 31) - 1, 2 ** 53 - 1, 2 ** 53, -(2 ** 53), 1.5, -0, NaN, Infinity];
const values = fc.oneof(
  fc.string(),
  fc.constantFrom("", "1", "-1", "1.5", "1e3", "a", "abc", "abcde", "true", "2147483648", "9007199254740993"),
  fc.integer(),
  fc.maxSafeInteger(),
  fc.constantFrom(...EDGES),
  fc.double(),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
);

function refused(value: unknown, schema: SchemaMeta): boolean {
  try {
    checkParam(ctx, "p", value, schema);
    return false;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    return true;
  }
}

describe("checkParam's fast path for plain values", () => {
  it(`covers the spec's parameters (${specSchemas.length} schemas) and the hand-written edges`, () => {
    expect(specSchemas.length).toBeGreaterThan(300);
    // Most spec parameters are plain strings or integers: the fast path is the usual one.
    const plain = specSchemas.filter((s) => (s.type === "string" || s.type === "integer") && Object.keys(s).every((k) => ["type", "format", "description", "default"].includes(k)));
    expect(plain.length).toBeGreaterThan(specSchemas.length / 2);
  });

  it("refuses a value exactly when checkSchema finds a problem (property)", () => {
    fc.assert(
      fc.property(fc.constantFrom(...schemas), values, (schema, value) => {
        if (schema.contentEncoding !== undefined) return; // checkParam also checks the base64 content
        const problems = checkSchema(value, schema, "p", { text: true });
        expect(refused(value, schema)).toBe(problems.length > 0);
      }),
      { seed: fcSeed(SEED), numRuns: 20_000 },
    );
  });

  it("a schema that is no object is named by checkSchema's UsageError (not a TypeError from the fast path's cache)", () => {
    for (const schema of [null, undefined, "string"]) {
      expect(() => checkParam(ctx, "p", "v", schema as never)).toThrow(UsageError);
      expect(() => checkParam(ctx, "p", 1, schema as never)).toThrow(/checkSchema takes a schema/);
    }
  });

  it("int32 ends at ±2^31, a decimal string must be digits, an int64 takes any safe integer", () => {
    const int32: SchemaMeta = { type: "integer", format: "int32" };
    expect(refused(2 ** 31 - 1, int32)).toBe(false);
    expect(refused(-(2 ** 31), int32)).toBe(false);
    expect(refused(2 ** 31, int32)).toBe(true);
    expect(refused(-(2 ** 31) - 1, int32)).toBe(true);
    expect(refused(2 ** 53 - 1, { type: "integer", format: "int64" })).toBe(false);
    expect(refused(2 ** 53, { type: "integer", format: "int64" })).toBe(true);
    expect(refused("12.5", { type: "string", format: "decimal" })).toBe(false);
    expect(refused("abc", { type: "string", format: "decimal" })).toBe(true);
    expect(refused(1.5, { type: "integer" })).toBe(true);
    expect(refused("x", { type: "integer" })).toBe(true);
  });
});
