/**
 * The spec vocabulary is written down: every `x-` key that a spec uses, and every `x-` key
 * that the code reads, has a row in docs/spec-conventions.md's extension table.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const ROOT = resolve(import.meta.dirname, "..");
const doc = readFileSync(join(ROOT, "docs/spec-conventions.md"), "utf8");
/** The extension names in the table's first column. */
const documented = new Set(
  [...doc.matchAll(/^\| (`x-[^|]+) \|/gm)].flatMap((m) => [...m[1]!.matchAll(/`(x-[A-Za-z0-9-]+)`/g)].map((n) => n[1]!)),
);

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
});
