/**
 * The package as another service gets it: `npm pack` → install the tarball into an empty
 * project → strict `tsc` (no skipLibCheck; exactOptionalPropertyTypes, noUncheckedIndexedAccess
 * and the other strict flags) under nodenext, bundler and node10 resolution, and under the
 * oldest TypeScript the README names and the newest 6.x and 7.x, importing every subpath with type tests
 * (fixture/consumer.ts) → the installed CLI and library run a call against the installed
 * emulator.
 */
import { execFile, spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, "../..");
const ROOT_PKG = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  exports: Record<string, unknown>;
  devDependencies: Record<string, string>;
};
const TSC = join(ROOT, "node_modules/typescript/bin/tsc");
const NPM_ENV = { ...process.env, npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" };

let dir: string;
let app: string;
let tarball: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "tradeapi-consumer-"));
  // prepack compiles dist/ afresh: a clean clone packs a working package.
  const packed = await run("npm", ["pack", "--pack-destination", dir, "--json"], { cwd: ROOT, env: NPM_ENV, maxBuffer: 64 << 20 });
  const info = JSON.parse(packed.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  tarball = join(dir, info[0]!.filename);
  files = info[0]!.files.map((f) => f.path);
  app = join(dir, "app");
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  await run(
    "npm",
    ["install", "--prefer-offline", "--no-package-lock", tarball, `@types/node@${ROOT_PKG.devDependencies["@types/node"]}`],
    { cwd: app, env: NPM_ENV, maxBuffer: 64 << 20 },
  );
  // tradeapi's own dependencies out of the consumer's reach, as a layout that does not hoist
  // them (pnpm) has it: only tradeapi resolves them, and the consumer names their types through it.
  mkdirSync(join(app, "node_modules/tradeapi/node_modules"), { recursive: true });
  for (const dep of ["openapi-fetch", "openapi-typescript-helpers"]) {
    if (existsSync(join(app, "node_modules", dep))) renameSync(join(app, "node_modules", dep), join(app, "node_modules/tradeapi/node_modules", dep));
  }
  mkdirSync(join(app, "src"));
  copyFileSync(join(import.meta.dirname, "fixture/consumer.ts"), join(app, "src/consumer.ts"));
  mkdirSync(join(app, "decl"));
  copyFileSync(join(import.meta.dirname, "fixture/declarations.ts"), join(app, "decl/declarations.ts"));
}, 600_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

let files: string[] = [];

describe("the packed tarball", () => {
  it("holds the compiled code, declarations, LICENSE and README, and no source maps", () => {
    expect(files).toContain("dist/src/index.js");
    expect(files).toContain("dist/src/index.d.ts");
    expect(files).toContain("LICENSE");
    expect(files).toContain("README.md");
    expect(files.filter((f) => f.endsWith(".map"))).toEqual([]);
    // The docs the README links to, and the list of APIs the spec commands read.
    for (const link of readFileSync(join(ROOT, "README.md"), "utf8").matchAll(/\]\((docs\/[\w-]+\.md)\)/g)) expect(files, link[1]).toContain(link[1]);
    expect(files).toContain("redocly.yaml");
    // Every subpath export points at a file that is in the tarball.
    for (const [sub, target] of Object.entries(ROOT_PKG.exports)) {
      const paths = typeof target === "string" ? [target] : Object.values(target as Record<string, string>);
      for (const p of paths) expect(files, `${sub} → ${p}`).toContain(p.replace(/^\.\//, ""));
    }
  });
});

/**
 * A strict consumer's tsconfig for `resolution`, written into the app; returns its file name.
 * node10: what `"module": "commonjs"` resolves with by default; it does not read `exports`,
 * so the subpaths' types come from package.json's `typesVersions`.
 */
function writeTsconfig(resolution: "nodenext" | "bundler" | "node10"): string {
  const tsconfig = {
    compilerOptions: {
      strict: true,
      // What the strictest consumers add: the package's declarations must hold under them too.
      exactOptionalPropertyTypes: true,
      noUncheckedIndexedAccess: true,
      noImplicitOverride: true,
      noPropertyAccessFromIndexSignature: true,
      ...(resolution === "node10" ? {} : { verbatimModuleSyntax: true }),
      noEmit: true,
      skipLibCheck: false,
      target: "ES2022",
      lib: ["ES2023"],
      // (bundler: no global types listed, as under pnpm, where @types/node is not hoisted: the
      // declarations bring Node's own, which they need, with them)
      types: resolution === "bundler" ? [] : ["node"],
      module: resolution === "nodenext" ? "nodenext" : resolution === "node10" ? "commonjs" : "esnext",
      moduleResolution: resolution,
      ...(resolution === "node10" ? { esModuleInterop: true } : {}),
    },
    include: ["src"],
  };
  const file = `tsconfig.${resolution}.json`;
  writeFileSync(join(app, file), JSON.stringify(tsconfig));
  return file;
}

describe.each(["nodenext", "bundler", "node10"] as const)("a strict TypeScript consumer (%s resolution)", (resolution) => {
  it("compiles every subpath import and the type tests without skipLibCheck", async () => {
    const file = writeTsconfig(resolution);
    const out = await run(process.execPath, [TSC, "-p", file], { cwd: app }).catch(
      (e: { stdout: string; stderr: string }) => ({ stdout: e.stdout, stderr: e.stderr, failed: true }),
    );
    expect(out.stdout + out.stderr).toBe("");
  }, 120_000);
});

describe("a consumer library that emits declarations", () => {
  it("names every type it infers from the clients through the subpaths (no TS2742)", async () => {
    const tsconfig = {
      compilerOptions: { strict: true, exactOptionalPropertyTypes: true, skipLibCheck: false, target: "ES2022", lib: ["ES2023"], types: ["node"], module: "nodenext", moduleResolution: "nodenext", declaration: true, emitDeclarationOnly: true, outDir: "decl-out" },
      include: ["decl"],
    };
    writeFileSync(join(app, "tsconfig.decl.json"), JSON.stringify(tsconfig));
    const out = await run(process.execPath, [TSC, "-p", "tsconfig.decl.json"], { cwd: app }).catch(
      (e: { stdout: string; stderr: string }) => ({ stdout: e.stdout, stderr: e.stderr, failed: true }),
    );
    expect(out.stdout + out.stderr).toBe("");
    const emitted = readFileSync(join(app, "decl-out/declarations.d.ts"), "utf8");
    expect(emitted).toContain('import("tradeapi/xt")');
    // Only through tradeapi: a package it depends on (openapi-fetch) is no dependency of the
    // consumer's, and is not there to name under a layout that does not hoist it (pnpm: TS2742).
    const packages = [...emitted.matchAll(/(?:import\(|from )"([^"]+)"/g)].map((m) => m[1]!).filter((p) => !/^(tradeapi(\/|$)|node:)/.test(p));
    expect(packages).toEqual([]);
  }, 120_000);
});

/**
 * The oldest TypeScript the declarations support (README; openapi-fetch's own need 5.4 too),
 * and the newest of each later major: 6.0, the last compiler written in TypeScript, and 7.0,
 * the native one (its binary is an npm package too), which consumers move to.
 */
const OTHER_TYPESCRIPTS = [
  ["oldest supported", "5.4.5"],
  ["6.0", "6.0.3"],
  ["7.0 (native)", "7.0.2"],
] as const;

describe.each(OTHER_TYPESCRIPTS)("a strict consumer on TypeScript %s (%s)", (_which, version) => {
  it("compiles every subpath import and the type tests without skipLibCheck (nodenext)", async () => {
    // In a folder of its own: its `tsc` must not replace the project's.
    const own = join(dir, `typescript-${version}`);
    mkdirSync(own);
    writeFileSync(join(own, "package.json"), JSON.stringify({ name: `typescript-${version}`, private: true }));
    await run("npm", ["install", "--prefer-offline", "--no-package-lock", `typescript@${version}`], { cwd: own, env: NPM_ENV, maxBuffer: 64 << 20 });
    const tsc = join(own, "node_modules/typescript/bin/tsc");
    const shown = await run(process.execPath, [tsc, "--version"]);
    expect(shown.stdout.trim()).toBe(`Version ${version}`);
    const out = await run(process.execPath, [tsc, "-p", writeTsconfig("nodenext")], { cwd: app }).catch(
      (e: { stdout: string; stderr: string }) => ({ stdout: e.stdout, stderr: e.stderr, failed: true }),
    );
    expect(out.stdout + out.stderr).toBe("");
  }, 180_000);
});

describe("a consumer's minified bundle", () => {
  it("keeps every error class's name (a minifier renames classes; logs and e.name checks read the name)", async () => {
    const entry = join(app, "names.mjs");
    const subpaths = Object.keys(ROOT_PKG.exports).filter((k) => k !== "./package.json").map((k) => `tradeapi${k.slice(1)}`);
    writeFileSync(
      entry,
      `${subpaths.map((p, i) => `import * as m${i} from ${JSON.stringify(p)};`).join("\n")}
const seen = {};
for (const mod of [${subpaths.map((_, i) => `m${i}`).join(", ")}]) {
  for (const [k, v] of Object.entries(mod)) if (typeof v === "function" && v.prototype instanceof Error) seen[k] = v.prototype.name;
}
const e = new m0.OrderNotFoundError({ api: "xt", operation: "getOrder", code: 404, kind: "not-found" });
console.log(JSON.stringify({ seen, instance: [e.name, String(e).split(":")[0]] }));
`,
    );
    const { build } = await import("esbuild");
    // CommonJS: undici and ws are CommonJS packages, which an ESM bundle for Node cannot require.
    await build({ entryPoints: [entry], bundle: true, minify: true, platform: "node", format: "cjs", outfile: join(app, "names.cjs"), logLevel: "silent" });
    const out = JSON.parse((await run(process.execPath, [join(app, "names.cjs")], { cwd: app })).stdout) as { seen: Record<string, string>; instance: string[] };
    expect(Object.keys(out.seen).length).toBeGreaterThan(30);
    for (const [exported, name] of Object.entries(out.seen)) expect(name, exported).toBe(exported);
    expect(out.instance).toEqual(["OrderNotFoundError", "OrderNotFoundError"]);
  }, 120_000);
});

describe("the installed CLI and library against the installed emulator", () => {
  it("`tradeapi mock xt`, then `tradeapi call xt getBalance` and createXtClient().call", async () => {
    const bin = join(app, "node_modules/.bin/tradeapi");
    expect(existsSync(bin)).toBe(true);
    const mock = spawn(bin, ["mock", "xt", "--port", "0"], { cwd: app, stdio: ["ignore", "pipe", "pipe"] });
    try {
      const banner = await new Promise<string>((resolveUrl, reject) => {
        let buf = "";
        mock.stdout.on("data", (d) => {
          buf += d;
          if (/http:\/\/127\.0\.0\.1:\d+/.test(buf) && /XT_SECRET_KEY=\S+/.test(buf)) resolveUrl(buf);
        });
        mock.once("exit", () => reject(new Error(`mock exited: ${buf}`)));
      });
      const url = /http:\/\/127\.0\.0\.1:\d+/.exec(banner)![0];
      const accessKey = /XT_ACCESS_KEY=(\S+)/.exec(banner)![1]!;
      const secretKey = /XT_SECRET_KEY=(\S+)/.exec(banner)![1]!;
      const env = { ...process.env, XT_BASE_URL: url, XT_ACCESS_KEY: accessKey, XT_SECRET_KEY: secretKey };

      const cli = await run(bin, ["call", "xt", "getBalance"], { cwd: app, env });
      expect(JSON.parse(cli.stdout)).toBeTypeOf("object");

      const script = join(app, "call.mjs");
      writeFileSync(
        script,
        `import { createXtClient } from "tradeapi/xt";
const xt = createXtClient({ baseUrl: process.env.XT_BASE_URL, accessKey: process.env.XT_ACCESS_KEY, secretKey: process.env.XT_SECRET_KEY });
const placed = await xt.call("order", { market: "btc_usdt", price: 5000, number: 0.002, type: 1, entrustType: 0 });
const order = await xt.call("getOrder", { market: "btc_usdt", id: placed.id });
console.log(JSON.stringify({ id: String(placed.id), same: String(order.id) === String(placed.id) }));
`,
      );
      const lib = await run(process.execPath, [script], { cwd: app, env });
      // The emulators from code (tradeapi/mock), as a service's own tests start them.
      const fromCode = join(app, "mock.mjs");
      writeFileSync(
        fromCode,
        `import { startXtMock, XT_MOCK_ACCESS_KEY, XT_MOCK_SECRET_KEY } from "tradeapi/mock";
import { createXtClient } from "tradeapi/xt";
const mock = await startXtMock();
const xt = createXtClient({ baseUrl: mock.url, accessKey: XT_MOCK_ACCESS_KEY, secretKey: XT_MOCK_SECRET_KEY });
mock.loseAnswers("order");
const lost = await xt.call("order", { market: "btc_usdt", price: 5000, number: 0.002, type: 1, entrustType: 0 }).catch((e) => e);
console.log(JSON.stringify({ outcomeUnknown: lost.outcomeUnknown, open: (await xt.call("getOpenOrders", { market: "btc_usdt" })).length }));
await mock.close();
`,
      );
      expect(JSON.parse((await run(process.execPath, [fromCode], { cwd: app })).stdout)).toEqual({ outcomeUnknown: true, open: 1 });
      const answer = JSON.parse(lib.stdout) as { id: string; same: boolean };
      expect(answer.id).toMatch(/^\d+$/);
      expect(answer.same).toBe(true);

      // A CommonJS consumer: require() of the ESM package (Node 20.19+, 22, 24 load it).
      const cjs = join(app, "call.cjs");
      writeFileSync(
        cjs,
        `const { createXtClient } = require("tradeapi/xt");
const { TradeApiError } = require("tradeapi");
const xt = createXtClient({ baseUrl: process.env.XT_BASE_URL, accessKey: process.env.XT_ACCESS_KEY, secretKey: process.env.XT_SECRET_KEY });
xt.call("getBalance").then((b) => console.log(JSON.stringify({ ok: typeof b === "object", errors: typeof TradeApiError })));
`,
      );
      const required = await run(process.execPath, [cjs], { cwd: app, env });
      expect(JSON.parse(required.stdout)).toEqual({ ok: true, errors: "function" });
    } finally {
      mock.kill("SIGTERM");
    }
  }, 120_000);
});
