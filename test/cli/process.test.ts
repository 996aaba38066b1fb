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
import { tmpdir } from "node:os";
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
  it("exits once its output is written, whatever timers are left running (undici's own held it about half a second after every call)", async () => {
    const { createServer: createHttpServer } = await import("node:http");
    const server = createHttpServer((req, res) => {
      req.resume();
      req.on("end", () => res.writeHead(200, { "content-type": "application/json" }).end('{"code":200,"info":"ok","data":{"serverTime":1700000000000}}'));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const env = { ...process.env, XT_BASE_URL: `http://127.0.0.1:${(server.address() as { port: number }).port}`, XT_ACCESS_KEY: "ak-exit-1", XT_SECRET_KEY: "sk-exit-1" };
      // (a timer that never ends, as a stand-in for any left running: the process exits all the same)
      const hold = `data:text/javascript,${encodeURIComponent("setInterval(() => {}, 60000);")}`;
      const child = spawn(process.execPath, ["--import", hold, entry, "call", "xt", "getServerTime"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      child.stdout.on("data", (d) => (stdout += d));
      const code = await Promise.race([new Promise<number | null>((r) => child.once("exit", (c) => r(c))), new Promise<string>((r) => setTimeout(() => r("still running"), 15_000))]);
      child.kill("SIGKILL"); // (a process that does not exit ignores a SIGTERM its command no longer listens for)
      expect([code, JSON.parse(stdout)]).toEqual([0, { serverTime: 1700000000000 }]);
    } finally {
      server.close();
    }
  }, 30_000);

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

  it("--output naming where standard output goes (/dev/stdout, or the file stdout is sent to), or a relative path in a removed working directory: exit 2, nothing sent", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tradeapi-out-"));
    try {
      const env = { ...process.env, XT_BASE_URL: "http://127.0.0.1:9", XT_ACCESS_KEY: "ak-out-1", XT_SECRET_KEY: "sk-out-1" };
      const same = spawnSync("sh", ["-c", `"${process.execPath}" "${entry}" call xt getBalance --output /dev/stdout > "${join(dir, "a.json")}"`], { cwd: ROOT, encoding: "utf8", env });
      expect([same.status, same.stderr]).toEqual([2, expect.stringMatching(/^tradeapi: --output \/dev\/stdout is where standard output goes: leave --output out to print the answer, or name another file\n/)]);
      const file = spawnSync("sh", ["-c", `"${process.execPath}" "${entry}" call xt getBalance --output a.json > a.json`], { cwd: dir, encoding: "utf8", env });
      expect(file.status).toBe(2);
      // (a device is fine: --output /dev/null > /dev/null gets as far as the call, here refused: exit 1)
      const devNull = spawnSync("sh", ["-c", `"${process.execPath}" "${entry}" call xt getBalance --output /dev/null > /dev/null`], { cwd: dir, encoding: "utf8", env });
      expect([devNull.status, devNull.stderr]).toEqual([1, expect.stringMatching(/ECONNREFUSED/)]);
      const gone = join(dir, "gone");
      mkdirSync(gone);
      const removed = spawnSync("sh", ["-c", `cd "${gone}" && rmdir "${gone}" && "${process.execPath}" "${entry}" call xt getBalance --output rel.json`], { encoding: "utf8", env });
      expect([removed.status, removed.stderr]).toEqual([2, expect.stringMatching(/^tradeapi: --output rel\.json: the working directory cannot be read \(ENOENT\): give the file's absolute path\n/)]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
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

  /** A server that reads requests and never answers; resolves `arrived` at the first request's end of headers. */
  async function deafServer() {
    let arrived!: () => void;
    const first = new Promise<void>((r) => (arrived = r));
    const sockets = new Set<import("node:net").Socket>();
    const server = createServer((c) => {
      sockets.add(c);
      c.on("error", () => undefined);
      let text = "";
      c.on("data", (d) => {
        text += d;
        if (text.includes("\r\n\r\n")) arrived();
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, first, close: () => new Promise((r) => (sockets.forEach((c) => c.destroy()), server.close(r))) };
  }

  it.each([
    ["SIGINT", 130, ["order", "market=btc_usdt", "price=5000", "number=0.002", "type=1", "entrustType=0"], /^tradeapi: stopped by SIGINT: xt order: request aborted by the caller.*may have reached the server/],
    ["SIGTERM", 143, ["getBalance"], /^tradeapi: stopped by SIGTERM: xt getBalance: request aborted by the caller\n$/],
    // (a closed terminal or ssh session: it was killed with no word, exit 129)
    ["SIGHUP", 129, ["order", "market=btc_usdt", "price=5000", "number=0.002", "type=1", "entrustType=0"], /^tradeapi: stopped by SIGHUP: xt order: request aborted by the caller.*may have reached the server/],
  ] as const)("%s during a call aborts it: one line saying so (an order's outcome unknown), exit %i, no silent exit", async (signal, exitCode, call, message) => {
    const server = await deafServer();
    try {
      const env = { ...process.env, XT_BASE_URL: server.url, XT_ACCESS_KEY: "ak-stop-1", XT_SECRET_KEY: "sk-stop-1" };
      const child = spawn(process.execPath, [entry, "call", "xt", ...call, "--timeout", "30000"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
      let stderr = "";
      child.stderr.on("data", (d) => (stderr += d));
      await server.first;
      child.kill(signal);
      const code = await new Promise<number | null>((r) => child.once("exit", (c) => r(c)));
      expect([code, stderr]).toEqual([exitCode, expect.stringMatching(message)]);
      expect(stderr.trim().split("\n")).toHaveLength(1);
      expect(stderr).not.toMatch(/sk-stop-1/);
    } finally {
      await server.close();
    }
  });

  it("--json - reads the parameters from standard input (a fund password then shows in no process list); not UTF-8 or over 1 MiB: exit 2", async () => {
    const { createServer: createHttpServer } = await import("node:http");
    const seen: string[] = [];
    const server = createHttpServer((req, res) => {
      let body = "";
      req.on("data", (d) => (body += d));
      req.on("end", () => {
        seen.push(`${req.url} ${body}`);
        res.writeHead(200, { "content-type": "application/json" }).end('{"code":200,"info":"ok","data":{}}');
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const run = (args: string[], input: string | Buffer) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const env = { ...process.env, XT_BASE_URL: url, XT_ACCESS_KEY: "ak-stdin-1", XT_SECRET_KEY: "sk-stdin-1" };
        const child = spawn(process.execPath, [entry, "call", "xt", ...args], { cwd: ROOT, env, stdio: ["pipe", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.stderr.on("data", (d) => (stderr += d));
        child.stdin.on("error", () => undefined);
        child.stdin.end(input);
        child.once("exit", (code) => resolve({ code, stdout, stderr }));
      });
    try {
      // (the server's empty data is not an order: exit 1 after the request, which is what is checked)
      expect(await run(["getOrder", "--json", "-"], '{"market":"btc_usdt","id":9007199254740993}')).toMatchObject({ code: 1, stderr: expect.not.stringMatching(/usage/) });
      expect(seen.at(-1)).toMatch(/^\/trade\/api\/v1\/getOrder\?.*\bid=9007199254740993\b/);
      expect(await run(["withdraw", "coin=usdt", "address=TXabc", "amount=1", "--json", "-"], '{"safePwd":"739155"}')).toMatchObject({ stderr: expect.not.stringMatching(/usage|739155/) });
      expect(seen.at(-1)).toMatch(/safePwd=739155/);
      expect(await run(["getOrder", "--json", "-"], Buffer.from([0x7b, 0xff, 0x7d]))).toMatchObject({ code: 2, stderr: expect.stringMatching(/^tradeapi: --json -: standard input is not UTF-8 text/) });
      expect(await run(["getOrder", "--json", "-"], `{"market":"${"x".repeat(1024 * 1024)}"}`)).toMatchObject({ code: 2, stderr: expect.stringMatching(/^tradeapi: --json -: standard input holds more than 1048576 bytes/) });
      expect(await run(["getOrder", "--json", "-"], "")).toMatchObject({ code: 2, stderr: expect.stringMatching(/^tradeapi: --json -: standard input is empty/) });
      expect(seen).toHaveLength(2);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it("quant-ws: SIGINT while logging in says nothing was sent; after place_order went out, that its outcome is unknown", async () => {
    const { startQuantWsMock } = await import("../../src/mock/quant-ws.js");
    const run = async (mock: { url: string }, op: string[], until: () => Promise<unknown>) => {
      const env = { ...process.env, QUANT_WS_URL: mock.url, QUANT_WS_ACCESS_KEY: "k", QUANT_WS_SECRET_KEY: "s", QUANT_WS_PLATFORM: "okex", QUANT_WS_SYMBOLS: "ETH/USDT" };
      const child = spawn(process.execPath, [entry, "call", "quant-ws", ...op], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
      let stderr = "";
      child.stderr.on("data", (d) => (stderr += d));
      await until();
      child.kill("SIGINT");
      const code = await new Promise<number | null>((r) => child.once("exit", (c) => r(c)));
      return { code, stderr };
    };
    const slow = await startQuantWsMock({ port: 0, readyDelayMs: 60_000 });
    try {
      const r = await run(slow, ["asset"], () => slow.waitForFrame((f) => typeof f.frame === "object" && f.frame.op === "login", 10_000));
      expect(r).toEqual({ code: 130, stderr: "tradeapi: stopped by SIGINT: quant-ws asset: stopped before the login reached READY: the asset request was not sent\n" });
    } finally {
      await slow.close();
    }
    const deaf = await startQuantWsMock({ port: 0 });
    deaf.loseAnswers("place_order");
    try {
      const r = await run(deaf, ["place_order", "symbol=ETH/USDT", "action=BUY", "price=1", "quantity=1", "order_type=LIMIT"], () => deaf.waitForFrame((f) => typeof f.frame === "object" && f.frame.op === "place_order", 10_000));
      expect(r.code).toBe(130);
      expect(r.stderr).toMatch(/^tradeapi: stopped by SIGINT: quant-ws place_order: aborted after the request was sent; the request may have reached the server and taken effect/);
    } finally {
      await deaf.close();
    }
  }, 30_000);

  it("ws place and ws login: a signal before the wait is a call's stop (exit 130 or 143, one line: not sent, or may have reached the gateway), and the login is logged out", async () => {
    const { startQuantWsMock } = await import("../../src/mock/quant-ws.js");
    const mock = await startQuantWsMock({ port: 0, readyDelayMs: 20 });
    const ops = (op: string) => mock.received.filter((f) => typeof f.frame === "object" && f.frame.op === op);
    // Signalled once stdout shows `until`: the order was sent (it is printed just before), or a
    // state of the login came (its reply did: the gateway holds the login).
    const run = async (args: string[], accessKey: string, until: string, signal: "SIGINT" | "SIGTERM") => {
      const env = { ...process.env, QUANT_WS_URL: mock.url, QUANT_WS_ACCESS_KEY: accessKey, QUANT_WS_SECRET_KEY: "s", QUANT_WS_PLATFORM: "okex" };
      const child = spawn(process.execPath, [entry, "ws", ...args], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
      let stderr = "";
      child.stderr.on("data", (d) => (stderr += d));
      await new Promise<void>((resolve) => {
        let stdout = "";
        child.stdout.on("data", (d) => {
          stdout += d;
          if (stdout.includes(until)) resolve();
        });
      });
      child.kill(signal);
      const code = await new Promise<number | null>((r) => child.once("exit", (c) => r(c)));
      return { code, stderr };
    };
    const place = ["place", "--symbol", "ETH/USDT", "--action", "BUY", "--quantity", "1", "--price", "1"];
    try {
      mock.loseAnswers("place_order");
      const r = await run(place, "k", '"step":"place_order"', "SIGINT");
      expect(r.code).toBe(130);
      expect(r.stderr).toMatch(/^tradeapi: stopped by SIGINT: quant-ws place_order: aborted after the request was sent; the request may have reached the server and taken effect/);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(ops("logout")).toHaveLength(1);
      // "fail…" keys: CONNECT_FAILED over and over, READY never comes.
      const early = await run(place, "fail-stop-1", '"event":"state"', "SIGTERM");
      expect(early).toEqual({ code: 143, stderr: "tradeapi: stopped by SIGTERM: quant-ws place_order: stopped before the login reached READY: the place_order request was not sent\n" });
      const watching = await run(["login", "--symbols", "ETH/USDT"], "fail-stop-2", '"event":"state"', "SIGINT");
      expect(watching).toEqual({ code: 130, stderr: "tradeapi: stopped by SIGINT: quant-ws login: stopped before the login reached READY\n" });
      // The gateway held both logins (answered, not READY): both were logged out.
      expect(ops("logout")).toHaveLength(3);
      expect(ops("place_order")).toHaveLength(1);
    } finally {
      await mock.close();
    }
  }, 30_000);

  it("a second signal ends the process at once: Ctrl-C after a SIGTERM whose logout gets no answer", async () => {
    const { startQuantWsMock } = await import("../../src/mock/quant-ws.js");
    const mock = await startQuantWsMock({ port: 0, readyDelayMs: 20 });
    try {
      mock.loseAnswers("logout");
      const env = { ...process.env, QUANT_WS_URL: mock.url, QUANT_WS_ACCESS_KEY: "k", QUANT_WS_SECRET_KEY: "s", QUANT_WS_PLATFORM: "okex" };
      const child = spawn(process.execPath, [entry, "ws", "login", "--symbols", "ETH/USDT", "--seconds", "60"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
      const exited = new Promise<[number | null, string | null]>((r) => child.once("exit", (c, s) => r([c, s])));
      let stdout = "";
      await new Promise<void>((resolve) => {
        child.stdout.on("data", (d) => {
          stdout += d;
          if (stdout.includes('"step":"ready"')) resolve();
        });
      });
      child.kill("SIGTERM");
      // The logout goes out and waits for its lost answer.
      for (let i = 0; i < 200 && !mock.received.some((f) => typeof f.frame === "object" && f.frame.op === "logout"); i++) await new Promise((r) => setTimeout(r, 10));
      const sent = Date.now();
      child.kill("SIGINT");
      expect(await exited).toEqual([null, "SIGINT"]);
      expect(Date.now() - sent).toBeLessThan(2_000);
    } finally {
      await mock.close();
    }
  }, 30_000);

  it("xele: SIGINT during the login ends the process at once, --save-dir too (the login was a call of its own, and went on to its timeout)", async () => {
    const { startXeleMock, XELE_MOCK_PASSWORD, XELE_MOCK_USERNAME } = await import("../../src/mock/xele.js");
    const mock = await startXeleMock({ latencyMs: 60_000 });
    const dir = mkdtempSync(join(tmpdir(), "tradeapi-sigint-"));
    try {
      for (const extra of [[], ["--save-dir", dir]]) {
        const env = { ...process.env, XELE_MA_URL: mock.maUrl, XELE_MS_URL: mock.msUrl, XELE_USERNAME: XELE_MOCK_USERNAME, XELE_PASSWORD: XELE_MOCK_PASSWORD };
        const before = mock.stats.requests.MA ?? 0;
        const child = spawn(process.execPath, [entry, "call", "xele", "exportClientSystemInfo", "trading_day=20240105", "--timeout", "20000", ...extra], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
        let stderr = "";
        child.stderr.on("data", (d) => (stderr += d));
        while ((mock.stats.requests.MA ?? 0) === before) await new Promise((r) => setTimeout(r, 10));
        const sent = performance.now();
        child.kill("SIGINT");
        const code = await new Promise<number | null>((r) => child.once("exit", (c) => r(c)));
        expect([code, stderr]).toEqual([130, "tradeapi: stopped by SIGINT: xele exportClientSystemInfo: request aborted by the caller\n"]);
        expect(performance.now() - sent).toBeLessThan(5_000);
      }
    } finally {
      await mock.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it.each(["SIGINT", "SIGTERM", "SIGHUP"] as const)("mock stopped by %s exits 0 (a signal is how an emulator ends: scripts kill it and wait), as its help says", async (signal) => {
    const child = spawn(process.execPath, [entry, "mock", "xt", "--port", "0"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
    try {
      await new Promise<void>((r) => child.stdout.on("data", (d: Buffer) => void (d.includes("listening on") && r())));
      child.kill(signal);
      expect(await exited).toBe(0);
      expect(stderr).toBe("");
    } finally {
      child.kill("SIGKILL");
    }
    const help = spawnSync(process.execPath, [entry, "mock", "--help"], { cwd: ROOT, encoding: "utf8" });
    expect(help.stdout).toContain("(runs until Ctrl-C, SIGTERM or SIGHUP: exit 0;");
  });

  it("mock whose parent process is gone stops by itself (an `npx tradeapi mock … &` whose npx was killed, a shell that died, left it listening)", async () => {
    const pidFile = join(out, "mock.pid");
    // The shell starts it in the background, writes its pid, lives on a while (the emulator is
    // up, its parent noted) and exits: the emulator's parent is gone.
    spawnSync("sh", ["-c", `"${process.execPath}" "${entry}" mock xt --port 0 --json > /dev/null 2>&1 & echo $! > "${pidFile}"; sleep 2`], { cwd: ROOT });
    const pid = Number(readFileSync(pidFile, "utf8"));
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    try {
      const started = performance.now();
      while (alive() && performance.now() - started < 5_000) await new Promise((r) => setTimeout(r, 100));
      expect(alive()).toBe(false);
    } finally {
      if (alive()) process.kill(pid, "SIGKILL");
    }
  }, 20_000);

  it("a call started in the background by a script that then ends runs to its end (an order placed so must not be cut off)", async () => {
    const { createServer: createHttpServer } = await import("node:http");
    const server = createHttpServer((req, res) => {
      req.resume();
      setTimeout(() => res.writeHead(200, { "content-type": "application/json" }).end('{"code":200,"info":"ok","data":{"serverTime":1700000000000}}'), 2_500);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const answer = join(out, "background-call.json");
    try {
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      spawnSync("sh", ["-c", `"${process.execPath}" "${entry}" call xt getServerTime > "${answer}" 2>&1 & sleep 0.5`], { cwd: ROOT, env: { ...process.env, XT_BASE_URL: url } });
      const started = performance.now();
      while (!readFileSync(answer, "utf8").includes("1700000000000") && performance.now() - started < 8_000) await new Promise((r) => setTimeout(r, 100));
      expect(readFileSync(answer, "utf8")).toContain('"serverTime": 1700000000000');
    } finally {
      server.closeAllConnections();
      server.close();
    }
  }, 20_000);

  it("ws login whose output's reader went away (`| head -1`) logs out and exits 141, saying so on stderr (it exited 0 at once, the login held)", async () => {
    const { startQuantWsMock } = await import("../../src/mock/quant-ws.js");
    const mock = await startQuantWsMock({ port: 0, readyDelayMs: 50 });
    try {
      const env = { ...process.env, QUANT_WS_URL: mock.url, QUANT_WS_ACCESS_KEY: "k", QUANT_WS_SECRET_KEY: "s", QUANT_WS_PLATFORM: "okex" };
      const child = spawn(process.execPath, [entry, "ws", "login", "--symbols", "ETH/USDT", "--seconds", "20"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
      let stderr = "";
      child.stderr.on("data", (d) => (stderr += d));
      const exited = new Promise<number | null>((r) => child.once("exit", (c) => r(c)));
      // The login held (READY printed), then the reader goes (as `head` does) and the next line
      // (a state the gateway sends) cannot be written.
      let stdout = "";
      await new Promise<void>((r) => child.stdout.on("data", (d) => void ((stdout += d).includes('"step":"ready"') && r())));
      child.stdout.destroy();
      mock.sendState(6, "ready again");
      expect(await exited).toBe(141);
      expect(stderr).toBe("tradeapi: stopped by SIGPIPE (the output's reader went away): logging out\n");
      const logouts = () => mock.received.filter((f) => typeof f.frame === "object" && f.frame.op === "logout").length;
      for (let i = 0; i < 100 && logouts() === 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(logouts()).toBe(1);
    } finally {
      await mock.close();
    }
  }, 30_000);

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
