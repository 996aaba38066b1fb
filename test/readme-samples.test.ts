/**
 * The README's TypeScript examples compile against the sources: each ```ts block is written out
 * as a module (the names it uses but does not define, such as `accessKey` or `signal`, declared
 * first) and type-checked with tsc, so a renamed option, method or operation breaks this test
 * instead of a newcomer's first try. A copy of the first block with a misspelt operation id
 * must fail, so the check can fail.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "../scripts/api-registry.js";
import { writeTsconfig } from "./docs/samples-typecheck.js";

const dir = mkdtempSync(join(ROOT, ".tmp-readme-samples-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The names the README's examples use without defining them, as a reader would supply them. */
const GIVEN: Record<string, string> = {
  accessKey: "declare const accessKey: string;",
  secretKey: "declare const secretKey: string;",
  username: "declare const username: string;",
  password: "declare const password: string;",
  accessToken: "declare const accessToken: string;",
  signal: "declare const signal: AbortSignal;",
  rows: "declare const rows: Parameters<typeof import(\"tradeapi/bhex\").encodeBatchItems<\"financeAirDrop\">>[1];",
  reconcile: "declare function reconcile(): Promise<void>;",
  xt: 'declare const xt: ReturnType<typeof import("tradeapi").createXtClient>;',
};

/** Each ```ts block of the README, unindented. */
function readmeBlocks(): string[] {
  const md = readFileSync(join(ROOT, "README.md"), "utf8");
  return [...md.matchAll(/^( *)```ts\n([\s\S]*?)^ *```/gm)].map((m) =>
    m[2]!
      .split("\n")
      .map((l) => l.slice(m[1]!.length))
      .join("\n"),
  );
}

/** The block as a module: its imports first, then the declarations of the names it uses and does not define. */
function asModule(block: string): string {
  const lines = block.split("\n");
  const imports = lines.filter((l) => /^import /.test(l));
  const body = lines.filter((l) => !/^import /.test(l)).join("\n");
  const given = Object.entries(GIVEN)
    .filter(([name]) => new RegExp(`\\b${name}\\b`).test(body) && !new RegExp(`\\b(const|let|function) ${name}\\b`).test(body))
    .map(([, decl]) => decl);
  return [...imports, ...given, body, "export {};"].join("\n");
}

describe("README examples", () => {
  it("every TypeScript block compiles (tsc --noEmit, strict), and a wrong one does not", async () => {
    const blocks = readmeBlocks();
    expect(blocks.length).toBeGreaterThanOrEqual(5);
    blocks.forEach((b, i) => writeFileSync(join(dir, `block${i}.ts`), asModule(b)));
    mkdirSync(join(dir, "canary"));
    const first = blocks.find((b) => b.includes('xt.call("getOrder"'))!;
    writeFileSync(join(dir, "canary", "getOrdr.ts"), asModule(first.replace('xt.call("getOrder"', 'xt.call("getOrdr"')));
    writeTsconfig(dir);
    const tsc = join(ROOT, "node_modules/.bin/tsc");
    const output = await promisify(execFile)(tsc, ["-p", join(dir, "tsconfig.json")], { cwd: dir, maxBuffer: 16 * 1024 * 1024 }).then(
      () => "",
      (e: { stdout?: string; message: string }) => e.stdout || e.message,
    );
    const errors = output.split("\n").filter((l) => /error TS/.test(l));
    expect(errors.filter((l) => !l.startsWith("canary/")), "README blocks that do not compile").toEqual([]);
    expect(errors.some((l) => l.startsWith("canary/getOrdr.ts") && l.includes("getOrdr"))).toBe(true);
  }, 120_000);
});
