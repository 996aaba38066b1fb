/**
 * The CLI as a real process, where only a process shows it: start-up time (each command loads
 * only the API it names) and a reader that goes away (`tradeapi list bhex | head -1`).
 *
 * The sources are transpiled file by file (TypeScript's transpileModule: the same module
 * graph as `npm run build` writes to dist/) into a temporary folder in the repo, so the test
 * needs no prior build.
 */
import { spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasVendorDocs, VENDOR_DOCS } from "../helpers/vendor-docs.js";

const ROOT = resolve(import.meta.dirname, "../..");
let out: string;
let entry: string;

beforeAll(async () => {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith(".ts") && !p.endsWith(".d.ts")) files.push(p);
    }
  };
  walk(join(ROOT, "src"));
  walk(join(ROOT, "generated"));
  out = mkdtempSync(join(ROOT, ".tmp-cli-"));
  for (const file of files) {
    const { outputText } = ts.transpileModule(readFileSync(file, "utf8"), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      fileName: file,
    });
    const target = join(out, relative(ROOT, file)).replace(/\.ts$/, ".js");
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, outputText);
  }
  entry = join(out, "src/cli/main-entry.js");
}, 180_000);
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** Wall-clock ms of one run. */
function timeRun(args: string[]): number {
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"], cwd: ROOT });
  if (r.status !== 0) throw new Error(`${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

describe("tradeapi as a process", () => {
  it("list, list <api> and --help start within 5x a bare `node -e 0`", () => {
    // Interleaved runs, one warm-up each; the fastest run of each is the one least disturbed
    // by other work on the machine, so the ratio of minima is what the code costs.
    const cases: Record<string, string[]> = {
      "node -e 0": ["-e", "0"],
      "list": [entry, "list"],
      "list xt": [entry, "list", "xt"],
      "--help": [entry, "--help"],
    };
    const best: Record<string, number> = {};
    for (let round = 0; round < 5; round++) {
      for (const [name, args] of Object.entries(cases)) {
        const ms = timeRun(args);
        if (round > 0) best[name] = Math.min(best[name] ?? Infinity, ms);
      }
    }
    const base = best["node -e 0"]!;
    const ratios = Object.fromEntries(Object.entries(best).map(([k, v]) => [k, +(v / base).toFixed(2)]));
    console.log("start-up, fastest of 4 runs (ms):", best, "ratio to node -e 0:", ratios);
    for (const name of ["list", "list xt", "--help"]) expect(ratios[name], name).toBeLessThanOrEqual(5);
  }, 120_000);

  it("a command loads only what it names: no client, transport, emulator or other API's metadata", () => {
    // A loader hook writes every module URL the process loads to a file.
    writeFileSync(join(out, "hooks.mjs"), `import { appendFileSync } from "node:fs";
export async function load(url, context, next) { appendFileSync(process.env.LOADED_LOG, url + "\\n"); return next(url, context); }`);
    writeFileSync(join(out, "register.mjs"), `import { register } from "node:module"; register("./hooks.mjs", import.meta.url);`);
    const loaded = (args: string[]): string[] => {
      const log = join(out, `loaded-${args.join("_").replace(/\W/g, "")}.txt`);
      writeFileSync(log, "");
      const r = spawnSync(process.execPath, ["--import", join(out, "register.mjs"), entry, ...args], { cwd: ROOT, env: { ...process.env, LOADED_LOG: log }, stdio: "ignore" });
      expect(r.status).toBe(0);
      return readFileSync(log, "utf8").split("\n").filter(Boolean).map((u) => u.replace(`file://${out}/`, "").replace(/^file:\/\/.*node_modules\//, "npm:"));
    };
    const heavy = /handwritten\/[^/]+\/client|http-transport|src\/mock\/|npm:(ws|openapi-fetch|undici|lossless-json)\//;
    const help = loaded(["--help"]);
    expect(help.filter((u) => heavy.test(u) || u.startsWith("generated/"))).toEqual([]);
    const listXt = loaded(["list", "xt"]);
    expect(listXt.filter((u) => heavy.test(u))).toEqual([]);
    expect(listXt.filter((u) => u.startsWith("generated/"))).toEqual(["generated/xt-spot.docs.js"]);
    const list = loaded(["list"]);
    expect(list.filter((u) => heavy.test(u))).toEqual([]);
    // call reads JSON (lossless-json), but help loads no client until a call is made.
    const opHelp = loaded(["call", "xt", "order", "--help"]);
    expect(opHelp.filter((u) => heavy.test(u) && !u.startsWith("npm:lossless-json/"))).toEqual([]);
    expect(opHelp.filter((u) => u.startsWith("generated/"))).toEqual(["generated/xt-spot.docs.js"]);
  });

  it("a closed stdout ends quietly: `list bhex | head -1` exits 0 with nothing on stderr", async () => {
    const child = spawn(process.execPath, [entry, "list", "bhex"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    // Like `head -1`: read the first chunk, then close the pipe.
    await new Promise<void>((r) => child.stdout.once("data", () => r()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((r) => child.once("exit", (c) => r(c)));
    expect(stderr).toBe("");
    expect(code).toBe(0);
  });

  it.runIf(existsSync("/dev/full"))("output that cannot be written (> /dev/full): one line on stderr, exit 1, no stack", () => {
    const r = spawnSync("sh", ["-c", `"${process.execPath}" "${entry}" list bhex > /dev/full`], { cwd: ROOT, encoding: "utf8" });
    expect([r.status, r.stderr]).toEqual([1, "tradeapi: error: cannot write the output (ENOSPC)\n"]);
  });

  it("the same through a shell pipe into head: one line, no stack", () => {
    const r = spawnSync("sh", ["-c", `"${process.execPath}" "${entry}" list bhex | head -1`], { cwd: ROOT, encoding: "utf8" });
    expect(r.stderr).toBe("");
    expect(r.stdout.trim().split("\n")).toHaveLength(1);
  });

  it.skipIf(!hasVendorDocs)("spec: exit 0 when the doc agrees, 1 when it differs, 2 on bad input, with no stack", () => {
    const seeds = VENDOR_DOCS;
    const xtDoc = join(seeds, readdirSync(seeds).find((f) => readFileSync(join(seeds, f), "utf8").includes("/trade/api/v1/"))!);
    const edited = join(out, "xt-edited.md");
    writeFileSync(edited, readFileSync(xtDoc, "utf8").replace("page | integer | false |", "page | integer | true |"));
    const run = (...args: string[]) => spawnSync(process.execPath, [entry, "spec", ...args], { cwd: ROOT, encoding: "utf8" });
    const agree = run("check-doc", "xt", xtDoc);
    expect([agree.status, agree.stderr, agree.stdout.trim().split("\n").pop()]).toEqual([0, "", "xt: 0 differences, 0 acknowledged"]);
    const differ = run("check-doc", "xt", edited, "--json");
    expect(differ.status).toBe(1);
    expect(JSON.parse(differ.stdout).differences).toContainEqual(expect.objectContaining({ kind: "required-differs", operation: "getOpenOrders", parameter: "page" }));
    for (const args of [["check-doc", "nope", xtDoc], ["check-doc", "xt", join(out, "no-such.md")], ["check-doc", "xt", process.execPath], ["diff", "--base", "no-such-ref"], ["diff", "nope"]]) {
      const r = run(...args);
      expect(r.status, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(/^tradeapi spec: /);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it("mock on a port in use: exit 2 naming the port, no stack", async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, "127.0.0.1", () => r()));
    const port = (taken.address() as { port: number }).port;
    try {
      const r = await new Promise<{ code: number | null; stderr: string }>((res) => {
        const child = spawn(process.execPath, [entry, "mock", "xt", "--port", String(port)], { cwd: ROOT, stdio: ["ignore", "ignore", "pipe"] });
        let stderr = "";
        child.stderr.on("data", (d) => (stderr += d));
        child.once("exit", (code) => res({ code, stderr }));
      });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^tradeapi: port ${port} is already in use`));
      expect(r.stderr).not.toMatch(/\n\s+at /);
    } finally {
      await new Promise((r) => taken.close(r));
    }
  });
});
