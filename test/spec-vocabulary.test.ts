/**
 * The spec vocabulary is written down: every `x-` key that a spec uses, and every `x-` key
 * that the code reads, has a row in docs/spec-conventions.md's extension table.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { TYPED_EXTENSIONS } from "../scripts/openapi-meta.js";
import { documentedExtensions } from "../scripts/spec-rules.js";

const ROOT = resolve(import.meta.dirname, "..");
const doc = readFileSync(join(ROOT, "docs/spec-conventions.md"), "utf8");
/** The extension names in the table's first column (what the generator also takes as the vocabulary). */
const documented = documentedExtensions(ROOT);

function files(dir: string, ext: RegExp): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p, ext) : ext.test(name) ? [p] : [];
  });
}

function keysOf(node: unknown, out: Set<string>): Set<string> {
  if (Array.isArray(node)) for (const v of node) keysOf(v, out);
  else if (node && typeof node === "object") {
    for (const [k, v] of Object.entries(node)) {
      if (k.startsWith("x-")) out.add(k);
      keysOf(v, out);
    }
  }
  return out;
}

const specs = files(join(ROOT, "specs"), /\.ya?ml$/);
const specKeys = new Set<string>();
for (const f of [...specs, join(ROOT, "redocly.yaml")]) keysOf(parse(readFileSync(f, "utf8")), specKeys);

/** Header names the specs declare (X-API-Key, X-ACCESS-KEY, …): code mentions them as headers, not extensions. */
const headerNames = new Set<string>();
for (const f of specs) {
  const text = readFileSync(f, "utf8");
  for (const m of text.matchAll(/\b(X-[A-Za-z0-9-]+)/g)) headerNames.add(m[1]!.toLowerCase());
}
/** HTTP's own `x-` tokens the wire reads (the content coding `x-gzip`, RFC 9110's alias of gzip). */
headerNames.add("x-gzip");

describe("docs/spec-conventions.md lists the whole spec vocabulary", () => {
  it("finds the table", () => {
    expect(documented.size).toBeGreaterThan(20);
  });

  it("every x- key used in a spec is documented", () => {
    expect([...specKeys].filter((k) => !documented.has(k)).sort()).toEqual([]);
  });

  it("every x- key the code reads is documented", () => {
    const read = new Set<string>();
    for (const f of [...files(join(ROOT, "src"), /\.ts$/), ...files(join(ROOT, "scripts"), /\.ts$/)]) {
      for (const m of readFileSync(f, "utf8").matchAll(/["'`](x-[A-Za-z0-9-]+)["'`]/g)) {
        if (!headerNames.has(m[1]!.toLowerCase())) read.add(m[1]!);
      }
    }
    expect(read.size).toBeGreaterThan(10);
    expect([...read].filter((k) => !documented.has(k)).sort()).toEqual([]);
  });

  it("every typed key's row names the metadata field that carries it", () => {
    const rows = new Map([...doc.matchAll(/^\| `(x-[A-Za-z0-9-]+)`[^\n]*$/gm)].map((m) => [m[1]!, m[0]]));
    const unnamed = Object.entries(TYPED_EXTENSIONS).flatMap(([key, fields]) =>
      fields.filter((f) => !rows.get(key)?.includes(`\`${f}\``)).map((f) => `${key} → ${f}`),
    );
    expect(Object.keys(TYPED_EXTENSIONS).length).toBeGreaterThan(20);
    expect(unnamed).toEqual([]);
  });
});

/**
 * Code reads the typed fields of the generated metadata, never a raw `x-` key: only the spec
 * tools (which read spec files: check-doc, spec diff, the generator and the docs build) may.
 */
/** A raw read: an `["x-…"]` index, an `"x-…" in` test, or the docs metadata's `.extensions` bag (quotes, not comment backticks). */
const RAW_READ = /\[\s*["'](x-[A-Za-z0-9-]+)["']\s*\]|["'](x-[A-Za-z0-9-]+)["']\s+in\b|\.extensions\b/g;

describe("runtime code reads the typed vocabulary, not raw x- keys", () => {
  const SPEC_READERS = [/^src\/spec-tools\//, /^src\/cli\/spec-command\.ts$/];
  const runtime = files(join(ROOT, "src"), /\.ts$/)
    .map((f) => f.slice(ROOT.length + 1))
    .filter((f) => !SPEC_READERS.some((r) => r.test(f)));

  it("finds the runtime code", () => {
    expect(runtime.length).toBeGreaterThan(50);
  });

  it("no `[\"x-…\"]` index, `\"x-…\" in` test or `.extensions` bag outside the spec tools", () => {
    const raw: string[] = [];
    for (const f of runtime) {
      const text = readFileSync(join(ROOT, f), "utf8");
      for (const m of text.matchAll(RAW_READ)) {
        const key = m[1] ?? m[2];
        if (key && headerNames.has(key.toLowerCase())) continue;
        raw.push(`${f}: ${m[0]}`);
      }
    }
    expect(raw).toEqual([]);
  });

  it("the check sees a raw read (it is not vacuous)", () => {
    const sample = `const p = op.extensions["x-pagination"]; if ("x-no-condition" in s) {}`;
    expect([...sample.matchAll(RAW_READ)]).toHaveLength(3);
  });
});
