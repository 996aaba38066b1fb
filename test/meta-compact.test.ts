/**
 * The runtime metadata is written compactly (generated/<spec>.meta.ts: defaults left out,
 * repeated parts declared once, operations as `{ i, r, … }`) and expanded once at load
 * (core/meta.ts `expandMeta`). What the runtime reads must be what the spec says: the expanded
 * metadata equals the extractor's, and agrees with the docs metadata field by field.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { transformSync } from "esbuild";
import fc from "fast-check";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { readApis, ROOT } from "../scripts/api-registry.js";
import { sharedLiteral } from "../scripts/js-literal.js";
import { compactMeta, extractMeta, normalizeBigints } from "../scripts/openapi-meta.js";
import { expandMeta, type ApiDocMeta, type ApiMeta, type OperationMeta } from "../src/handwritten/core/meta.js";

const APIS = readApis().filter((a) => a.kind === "openapi");

async function load(api: (typeof APIS)[number]) {
  const runtime = ((await import(join(ROOT, api.metaOutput))) as { meta: ApiMeta }).meta;
  const docs = ((await import(join(ROOT, api.metaOutput.replace(/\.meta\.ts$/, ".docs.ts")))) as { meta: ApiDocMeta }).meta;
  const spec = parse(readFileSync(join(ROOT, api.root), "utf8"), { intAsBigInt: true }) as Record<string, unknown>;
  return { runtime, docs, extracted: normalizeBigints(extractMeta(api.name, api.root, spec, false)) as ApiMeta };
}

/** The value without the prose the runtime metadata leaves out (descriptions, docs-only column notes). */
function withoutProse(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutProse);
  if (!v || typeof v !== "object") return v;
  return Object.fromEntries(Object.entries(v).filter(([k]) => k !== "description" && k !== "sinceDoc").map(([k, x]) => [k, withoutProse(x)]));
}

/** Evaluate generated source (TypeScript `as const` and all) and return the value of `expr`. */
function evaluate(declarations: readonly string[], expression: string): unknown {
  const js = transformSync(`${declarations.join("\n")}\nglobalThis.__value = ${expression};`, { loader: "ts" }).code;
  new Function(js)();
  const value = (globalThis as { __value?: unknown }).__value;
  delete (globalThis as { __value?: unknown }).__value;
  return value;
}

const OP_FIELDS = [
  "method", "path", "retryable", "security", "rateLimit", "envelope", "params", "servers", "pagination",
  "requiredOneOf", "idempotencyKey", "since", "server", "requestSchema", "getBody", "dataType", "dataSchema",
] as const satisfies ReadonlyArray<keyof OperationMeta>;

describe("compact runtime metadata", () => {
  it("covers every OpenAPI spec of redocly.yaml", () => {
    expect(APIS.map((a) => a.name).sort()).toEqual(readApis().filter((a) => a.kind === "openapi").map((a) => a.name).sort());
    expect(APIS.length).toBeGreaterThan(0);
  });

  for (const api of APIS) {
    describe(api.name, () => {
      it("expands to exactly what the extractor reads from the spec", async () => {
        const { runtime, extracted } = await load(api);
        expect(runtime).toEqual(extracted);
        expect(expandMeta(compactMeta(extracted))).toEqual(extracted);
        // Written compactly: no default left in an operation.
        const source = readFileSync(join(ROOT, api.metaOutput), "utf8");
        expect(source).not.toMatch(/"body": null|"responses": \{\}|"params": \[\]|"method":/);
        expect(source.match(/\{"i": /g)).toHaveLength(extracted.operations.length);
      });

      it("says what the docs metadata says, field by field", async () => {
        const { runtime, docs } = await load(api);
        for (const k of ["api", "spec", "title", "version", "envelope", "commonRequestFields", "login"] as const) expect(runtime[k], k).toEqual(docs[k]);
        expect(runtime.servers).toEqual(withoutProse(docs.servers));
        expect(runtime.rateLimits).toEqual(withoutProse(docs.rateLimits));
        expect(Object.keys(runtime.errorCodes)).toEqual(Object.keys(docs.errorCodes));
        for (const [code, info] of Object.entries(docs.errorCodes)) {
          const { message, ...rest } = info;
          expect(runtime.errorCodes[code], code).toEqual(rest.meaning === undefined && message !== undefined ? info : rest);
        }
        expect(runtime.operations.map((o) => o.operationId)).toEqual(docs.operations.map((o) => o.operationId));
        runtime.operations.forEach((op, i) => {
          const doc = docs.operations[i]!;
          for (const k of OP_FIELDS) expect(op[k], `${op.operationId} ${k}`).toEqual(withoutProse(doc[k]));
          expect(op.deprecated === true, `${op.operationId} deprecated`).toBe(doc.deprecated);
          if (doc.body === null) expect(op.body).toBeNull();
          else {
            const { schema: _docsOnly, ...body } = doc.body;
            expect(op.body, `${op.operationId} body`).toEqual(withoutProse(body));
          }
          for (const [code, r] of Object.entries(doc.responses)) {
            const numeric = /^\d{3}$/.test(code);
            const jsonOk = code === "200" && !r.pipeRows && /json/i.test(r.contentType ?? "");
            if (!numeric || jsonOk) expect(op.responses[code], `${op.operationId} ${code}`).toBeUndefined();
            else expect(op.responses[code], `${op.operationId} ${code}`).toEqual(withoutProse({ contentType: r.contentType, ...(r.pipeRows ? { pipeRows: r.pipeRows } : {}), ...(r.definiteFailure ? { definiteFailure: true } : {}) }));
          }
          expect(Object.keys(op.responses).every((c) => c in doc.responses)).toBe(true);
        });
      });
    });
  }
});

describe("sharedLiteral (scripts/js-literal.ts)", () => {
  it("writes any JSON value so that it reads back equal", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        const normal = JSON.parse(JSON.stringify(value)) as unknown;
        const { declarations, expression } = sharedLiteral(normal);
        expect(JSON.stringify(evaluate(declarations, expression))).toBe(JSON.stringify(normal));
      }),
      { numRuns: 200 },
    );
  });

  it("keeps a __proto__ key an own property, as JSON.parse does", () => {
    const value = JSON.parse('{"__proto__": {"a": 1}, "b": [{"__proto__": null}]}') as unknown;
    const { declarations, expression } = sharedLiteral(value);
    const back = evaluate(declarations, expression) as Record<string, unknown>;
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.hasOwn(back, "__proto__")).toBe(true);
    expect(JSON.stringify(back)).toBe(JSON.stringify(value));
  });

  it("declares a repeated part once and references it", () => {
    const param = { name: "market", in: "query", required: true, schema: { type: "string" } };
    const { declarations, expression } = sharedLiteral({ ops: [{ params: [param] }, { params: [param, param] }] });
    expect(declarations.filter((d) => d.includes('"market"'))).toHaveLength(1);
    expect(expression).not.toContain("market");
    const value = evaluate(declarations, expression) as { ops: Array<{ params: unknown[] }> };
    expect(value.ops[1]!.params[0]).toBe(value.ops[0]!.params[0]);
  });
});
