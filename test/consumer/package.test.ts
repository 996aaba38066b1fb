/**
 * The package as another service gets it: `npm pack` → install the tarball into an empty
 * project → strict `tsc` (no skipLibCheck) under nodenext and bundler resolution, importing
 * every subpath with type tests (fixture/consumer.ts) → the installed CLI and library run a
 * call against the installed emulator.
 */
import { execFile, spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
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
  mkdirSync(join(app, "src"));
  copyFileSync(join(import.meta.dirname, "fixture/consumer.ts"), join(app, "src/consumer.ts"));
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
    // Every subpath export points at a file that is in the tarball.
    for (const [sub, target] of Object.entries(ROOT_PKG.exports)) {
      const paths = typeof target === "string" ? [target] : Object.values(target as Record<string, string>);
      for (const p of paths) expect(files, `${sub} → ${p}`).toContain(p.replace(/^\.\//, ""));
    }
  });
});

// node10: what `"module": "commonjs"` resolves with by default; it does not read `exports`,
// so the subpaths' types come from package.json's `typesVersions`.
describe.each(["nodenext", "bundler", "node10"] as const)("a strict TypeScript consumer (%s resolution)", (resolution) => {
  it("compiles every subpath import and the type tests without skipLibCheck", async () => {
    const tsconfig = {
      compilerOptions: {
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        target: "ES2022",
        lib: ["ES2023"],
        types: ["node"],
        module: resolution === "nodenext" ? "nodenext" : resolution === "node10" ? "commonjs" : "esnext",
        moduleResolution: resolution,
        ...(resolution === "node10" ? { esModuleInterop: true } : {}),
      },
      include: ["src"],
    };
    writeFileSync(join(app, `tsconfig.${resolution}.json`), JSON.stringify(tsconfig));
    const out = await run(process.execPath, [TSC, "-p", `tsconfig.${resolution}.json`], { cwd: app }).catch(
      (e: { stdout: string; stderr: string }) => ({ stdout: e.stdout, stderr: e.stderr, failed: true }),
    );
    expect(out.stdout + out.stderr).toBe("");
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
