/**
 * redocly.yaml names every API once; everything else that lists APIs is checked against it
 * here, and each failure names what is missing (docs/adding-an-api.md lists the same steps):
 * the CLI registry, `package.json` `exports`, the README's API table, the root re-exports
 * (factory + the pure signers of src/auth/<api>.ts), and the library never naming an
 * environment variable (they live in src/cli/registry.ts only).
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { readApis, ROOT } from "../scripts/api-registry.js";
import { API_TABLE, parseApiArgs, REST_CALL_FLAGS } from "../src/cli/registry.js";
import * as root from "../src/index.js";

const APIS = readApis();
const PKG = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { exports: Record<string, unknown>; typesVersions: { "*": Record<string, string[]> } };
const README = readFileSync(join(ROOT, "README.md"), "utf8");

/** The README's API table: rows of the first table whose header starts with "| API |". */
function readmeApiRows(): string[][] {
  const lines = README.split("\n");
  const start = lines.findIndex((l) => /^\|\s*API\s*\|/.test(l));
  const rows: string[][] = [];
  for (let i = start + 2; i < lines.length && lines[i]!.startsWith("|"); i++) rows.push(lines[i]!.split("|").slice(1, -1).map((c) => c.trim()));
  return rows;
}

describe("every API of redocly.yaml is wired", () => {
  it("redocly.yaml names each API once, the five first ones among them (a new API is added there first)", () => {
    const names = APIS.map((a) => a.name);
    expect(new Set(names).size, `redocly.yaml names an API twice: ${names.join(", ")}`).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(["xt", "hubi", "quant-ws", "bhex", "xele"]));
  });

  it.each(APIS.map((a) => [a.name, a] as const))("%s: CLI registry entry", (name) => {
    expect(API_TABLE.map((e) => e.name), `src/cli/registry.ts has no entry "${name}"`).toContain(name);
  });

  // (the usage line and the README say these work on every REST API: an entry without them was "unknown flag --timeout")
  it.each(APIS.filter((a) => a.kind === "openapi").map((a) => [a.name, a] as const))("%s: `call` takes the REST flags (--timeout, --max-response-bytes)", (name) => {
    expect(REST_CALL_FLAGS.map((f) => f.name)).toEqual(["timeout", "max-response-bytes"]);
    const parse = () => parseApiArgs([name, "anyOperation", "--timeout", "2000", "--max-response-bytes", "1000"], [], (a) => a.callFlags);
    expect(parse, `src/cli/registry.ts: the entry "${name}" must take REST_CALL_FLAGS (leave its callFlags out, or list them: [..., ...REST_CALL_FLAGS])`).not.toThrow();
    expect(parse().flags).toMatchObject({ timeout: "2000", "max-response-bytes": "1000" });
  });

  it.each(APIS.map((a) => [a.name, a] as const))("%s: package.json exports and the subpath module", (name) => {
    const entry = PKG.exports[`./${name}`] as Record<string, string> | undefined;
    expect(entry, `package.json exports has no "./${name}"`).toEqual({
      types: `./dist/src/handwritten/${name}/index.d.ts`,
      default: `./dist/src/handwritten/${name}/index.js`,
    });
    expect(existsSync(join(ROOT, `src/handwritten/${name}/index.ts`)), `src/handwritten/${name}/index.ts is missing`).toBe(true);
    // TypeScript's node10 resolution (the default of "module": "commonjs") reads typesVersions, not exports.
    expect(PKG.typesVersions["*"][name], `package.json typesVersions has no "${name}"`).toEqual([`dist/src/handwritten/${name}/index.d.ts`]);
  });

  it.each(APIS.map((a) => [a.name, a] as const))("%s: a row in the README's API table", (name, api) => {
    const row = readmeApiRows().find((r) => r[1] === `\`${name}\``);
    expect(row, `README.md's API table has no row for \`${name}\``).toBeDefined();
    expect(row![2]).toBe(`\`tradeapi/${name}\``);
    expect(row![3]).toBe(`\`${api.root}\``);
  });

  it.each(APIS.map((a) => [a.name, a] as const))("%s: the root re-exports every error class of the subpath (one error tree)", async (name) => {
    const sub = (await import(pathToFileURL(join(ROOT, `src/handwritten/${name}/index.ts`)).href)) as Record<string, unknown>;
    const errors = Object.entries(sub).filter(([, v]) => typeof v === "function" && (v as { prototype?: unknown }).prototype instanceof root.TradeApiError).map(([k]) => k);
    const missing = errors.filter((k) => (root as Record<string, unknown>)[k] !== sub[k]);
    expect(missing, `src/index.ts does not re-export: ${missing.join(", ")}`).toEqual([]);
  });

  it.each(APIS.map((a) => [a.name, a] as const))("%s: the root re-exports its factory and its pure signers", async (name) => {
    const sub = (await import(pathToFileURL(join(ROOT, `src/handwritten/${name}/index.ts`)).href)) as Record<string, unknown>;
    const factories = Object.keys(sub).filter((k) => /^create\w*Client$/.test(k));
    expect(factories.length, `src/handwritten/${name}/index.ts exports no create…Client`).toBeGreaterThan(0);
    const signerFile = join(ROOT, `src/auth/${name}.ts`);
    const signers = existsSync(signerFile)
      ? Object.entries((await import(pathToFileURL(signerFile).href)) as Record<string, unknown>)
          .filter(([k, v]) => typeof v === "function" && /^(authorize|sign)[A-Z]/.test(k))
          .map(([k]) => k)
      : [];
    const missing = [...factories, ...signers].filter((k) => (root as Record<string, unknown>)[k] === undefined);
    expect(missing, `src/index.ts does not re-export: ${missing.join(", ")}`).toEqual([]);
    for (const k of factories) expect((root as Record<string, unknown>)[k], k).toBe(sub[k]);
  });

  // (docs/adding-an-api.md step 6: an emulator not exported there is one a service's tests cannot start)
  it.each(APIS.map((a) => [a.name, a] as const))("%s: its emulator (if any) is exported from tradeapi/mock (src/mock/index.ts), with its credentials", async (name) => {
    const cli = await API_TABLE.find((e) => e.name === name)!.load();
    const file = join(ROOT, `src/mock/${name}.ts`);
    if (!existsSync(file)) {
      expect(cli.startMock, `\`tradeapi mock ${name}\` starts an emulator, but src/mock/${name}.ts is missing`).toBeUndefined();
      return;
    }
    const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    const index = (await import("../src/mock/index.js")) as Record<string, unknown>;
    const wanted = Object.keys(mod).filter((k) => /^start\w*Mock$/.test(k) || /_MOCK_/.test(k));
    expect(wanted.filter((k) => /^start/.test(k)).length, `src/mock/${name}.ts exports no start…Mock`).toBeGreaterThan(0);
    const missing = wanted.filter((k) => index[k] !== mod[k]);
    expect(missing, `src/mock/index.ts does not export (from "./${name}.js"): ${missing.join(", ")}`).toEqual([]);
  });

  it("nothing lists an API that redocly.yaml does not name", () => {
    const names = new Set(APIS.map((a) => a.name));
    expect(API_TABLE.map((e) => e.name).filter((n) => !names.has(n))).toEqual([]);
    // (`tradeapi/mock`, the emulators, is the one subpath that is no API)
    expect(Object.keys(PKG.exports).filter((k) => k !== "." && k !== "./package.json" && k !== "./mock" && !names.has(k.slice(2)))).toEqual([]);
    expect(Object.keys(PKG.typesVersions["*"]).filter((k) => k !== "mock" && !names.has(k))).toEqual([]);
    expect(readmeApiRows().map((r) => r[1]!.replace(/`/g, "")).filter((n) => !names.has(n))).toEqual([]);
  });
});

describe("environment variable names live in the CLI registry only", () => {
  const envNames = API_TABLE.flatMap((a) => a.env.map((v) => v.name));
  function files(dir: string): string[] {
    return readdirSync(dir).flatMap((f) => {
      const p = join(dir, f);
      return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
    });
  }

  it("the README's variables table says what the registry says, API by API", () => {
    const lines = README.split("\n");
    const start = lines.findIndex((l) => /^\|\s*API\s*\|\s*variables\s*\|/.test(l));
    const documented: Record<string, string[]> = {};
    for (let i = start + 2; i < lines.length && lines[i]!.startsWith("|"); i++) {
      const [api, vars] = lines[i]!.split("|").slice(1, -1).map((c) => c.trim());
      documented[api!] = [...vars!.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]!);
    }
    // (docs/adding-an-api.md step 5: a new API's row lists its registry entry's variables, in order)
    expect(documented, "README.md's `| API | variables |` table must list each src/cli/registry.ts entry's variables").toEqual(Object.fromEntries(API_TABLE.map((a) => [a.name, a.env.map((v) => v.name)])));
  });

  it("no library file (src/handwritten, src/auth) names one", () => {
    const found: string[] = [];
    for (const file of [...files(join(ROOT, "src/handwritten")), ...files(join(ROOT, "src/auth"))]) {
      const text = readFileSync(file, "utf8");
      for (const name of envNames) if (new RegExp(`\\b${name}\\b`).test(text)) found.push(`${file.slice(ROOT.length + 1)}: ${name}`);
    }
    expect(found).toEqual([]);
  });
});

describe("the error tree from every subpath", () => {
  it("each API's subpath exports the root's shared error classes, the same classes (instanceof holds across imports)", async () => {
    const shared = Object.entries(root).filter(([name, v]) => /Error$/.test(name) && typeof v === "function" && (v === root.TradeApiError || (v as { prototype: unknown }).prototype instanceof root.TradeApiError));
    const core = await import("../src/handwritten/core/errors.js");
    const common = shared.filter(([name]) => name in core || name === "DecimalPrecisionError" || name === "NumberTooLongError");
    expect(common.length).toBeGreaterThanOrEqual(21);
    const subpaths: Record<string, Record<string, unknown>> = {
      xt: await import("../src/handwritten/xt/index.js"),
      hubi: await import("../src/handwritten/hubi/index.js"),
      bhex: await import("../src/handwritten/bhex/index.js"),
      xele: await import("../src/handwritten/xele/index.js"),
      "quant-ws": await import("../src/handwritten/quant-ws/index.js"),
    };
    for (const [sub, mod] of Object.entries(subpaths)) {
      for (const [name, cls] of common) expect(mod[name], `${sub} ${name}`).toBe(cls);
    }
  });
});
