/**
 * The root export's deprecated helpers (src/deprecated-exports.ts): until 1.0 a service that
 * imported one of the error module's helpers from `tradeapi` (published by an `export *` up to
 * 0.32.0) still gets the same function, and its editor shows it deprecated.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as root from "../../src/index.js";
import * as errors from "../../src/handwritten/core/errors.js";
import * as deprecated from "../../src/deprecated-exports.js";

const source = readFileSync(new URL("../../src/deprecated-exports.ts", import.meta.url), "utf8");

describe("the root export's deprecated helpers", () => {
  it("are the error module's own values, still exported from the root", () => {
    const names = Object.keys(deprecated);
    expect(names.length).toBeGreaterThan(15);
    for (const name of names) {
      expect((root as Record<string, unknown>)[name], name).toBe((errors as Record<string, unknown>)[name]);
      expect((errors as Record<string, unknown>)[name], name).toBeDefined();
    }
  });

  it("each carries a @deprecated doc comment", () => {
    for (const name of Object.keys(deprecated)) {
      const at = source.indexOf(`export const ${name} =`);
      expect(at, name).toBeGreaterThan(0);
      const comment = source.slice(source.lastIndexOf("/**", at), at);
      expect(comment, name).toMatch(/@deprecated .*leaves the root export in 1\.0/);
    }
  });

  it("nothing the error module exported through the root up to 0.32.0 went missing", () => {
    // Every value errors.ts exports is exported from the root: by name (public) or deprecated.
    const missing = Object.keys(errors).filter((k) => !(k in root));
    expect(missing).toEqual([]);
  });

  it("a public helper is not marked deprecated", () => {
    for (const name of ["redact", "snippet", "apiErrorFromCode", "retryAfterOf", "retryAfterMsOf", "markClockSkew", "Redactor", "RETRY_AFTER_HOLD"]) {
      expect(Object.keys(deprecated), name).not.toContain(name);
      expect(name in root, name).toBe(true);
    }
  });
});

describe("the subpaths' deprecated plumbing", () => {
  const cases = [
    {
      sub: "quant-ws",
      index: () => import("../../src/handwritten/quant-ws/index.js"),
      own: [() => import("../../src/handwritten/quant-ws/errors.js")],
      names: ["API", "loginStateError", "replyError"],
    },
    {
      sub: "bhex",
      index: () => import("../../src/handwritten/bhex/index.js"),
      own: [() => import("../../src/handwritten/bhex/download.js"), () => import("../../src/handwritten/bhex/idempotency.js")],
      names: ["documentedHttpError", "expectXlsx", "idempotencyParamOf", "fillIdempotencyKey"],
    },
  ];
  for (const c of cases) {
    it(`tradeapi/${c.sub}: every value its modules exported is still there, the plumbing deprecated`, async () => {
      const index = (await c.index()) as Record<string, unknown>;
      const text = readFileSync(new URL(`../../src/handwritten/${c.sub}/index.ts`, import.meta.url), "utf8");
      for (const load of c.own) {
        const mod = (await load()) as Record<string, unknown>;
        for (const [k, v] of Object.entries(mod)) expect(index[k], `${c.sub} ${k}`).toBe(v);
      }
      for (const name of c.names) {
        const at = text.indexOf(`export const ${name} =`);
        expect(at, name).toBeGreaterThan(0);
        expect(text.slice(text.lastIndexOf("/**", at), at), name).toMatch(/@deprecated .*leaves `tradeapi\/[a-z-]+` in 1\.0/);
      }
      // Only the names listed are deprecated.
      expect([...text.matchAll(/@deprecated[^\n]*\nexport const (\w+)/g)].map((m) => m[1]).sort()).toEqual([...c.names].sort());
    });
  }
});
