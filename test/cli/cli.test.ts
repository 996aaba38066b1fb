/**
 * The CLI's own contract, in-process: strict flags, help for every command and operation,
 * --output, usage errors (exit 2) for bad input before anything is sent, emulator hints, and
 * environment variable names read from the registry only.
 */
import { createServer, type Server } from "node:http";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMMANDS } from "../../src/cli/commands.js";
import { API_TABLE } from "../../src/cli/registry.js";
import { startXtMock, XT_MOCK_ACCESS_KEY, XT_MOCK_SECRET_KEY } from "../../src/mock/xt.js";
import type { HttpMock } from "../../src/mock/http-mock.js";
import { runCliCaptured } from "../helpers/cli.js";

const ROOT = resolve(import.meta.dirname, "../..");

/** A server that only counts requests: proves a usage error sent nothing. */
let counter: Server;
let hits = 0;
let counterUrl: string;
let xt: HttpMock;
beforeAll(async () => {
  counter = createServer((_req, res) => {
    hits++;
    res.end("{}");
  });
  await new Promise<void>((r) => counter.listen(0, "127.0.0.1", () => r()));
  counterUrl = `http://127.0.0.1:${(counter.address() as { port: number }).port}`;
  xt = await startXtMock();
});
afterAll(async () => {
  await new Promise((r) => counter.close(r));
  await xt.close();
});

const xtEnv = () => ({ XT_BASE_URL: xt.url, XT_ACCESS_KEY: XT_MOCK_ACCESS_KEY, XT_SECRET_KEY: XT_MOCK_SECRET_KEY });
const cli = (argv: string[], env: NodeJS.ProcessEnv = {}) => runCliCaptured(argv, env);

describe("strict flags", () => {
  it.each([
    { argv: ["call", "xt", "getBalance", "--bse-url", "http://127.0.0.1:1"], flag: "--bse-url", near: "--base-url" },
    { argv: ["mock", "xt", "--prot", "9999"], flag: "--prot", near: "--port" },
    { argv: ["call", "bhex", "basicTime", "--all-as-pots"], flag: "--all-as-pots", near: "--all-as-post" },
    { argv: ["call", "xele", "getSystemInfo", "--ma-ulr", "http://127.0.0.1:1"], flag: "--ma-ulr", near: "--ma-url" },
    { argv: ["list", "--verbose"], flag: "--verbose", near: undefined },
    { argv: ["call", "--jsn", "{}", "xt", "getBalance"], flag: "--jsn", near: "--json" },
  ])("$argv → exit 2 naming $flag and $near", async ({ argv, flag, near }) => {
    const r = await cli(argv, { XT_BASE_URL: counterUrl, XT_ACCESS_KEY: "a", XT_SECRET_KEY: "s" });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`unknown flag ${flag}`);
    if (near) expect(r.stderr).toContain(`did you mean ${near}?`);
    expect(r.stdout).toBe("");
    // (the usage shown names every flag the command takes: mock's --lose-answers was left out)
    if (argv[0] === "mock") expect(r.stderr).toContain("usage: tradeapi mock <api> [--port N] [--json] [--lose-answers OPERATION[:N]] [flags of the api]");
  });

  it("no command (tradeapi, tradeapi ws, tradeapi spec) is exit 2 with the usage on stderr, nothing on stdout; --help is stdout, exit 0", async () => {
    for (const argv of [[], ["ws"], ["spec"]]) {
      const r = await cli(argv);
      expect(r.code, argv.join(" ")).toBe(2);
      expect(r.stdout, argv.join(" ")).toBe("");
      expect(r.stderr, argv.join(" ")).toMatch(/usage/);
    }
    const help = await cli(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage:/);
  });

  it("a base URL variable set but empty is exit 2, before anything is sent (it meant the exchange itself: XT_BASE_URL=$MOCK_URL, MOCK_URL unset)", async () => {
    for (const [api, op, env] of [["xt", "getBalance", { XT_BASE_URL: "", XT_ACCESS_KEY: "a", XT_SECRET_KEY: "s" }], ["hubi", "queryAccounts", { HUBI_BASE_URL: "" }], ["bhex", "basicTime", { BHEX_BASE_URL: "" }]] as const) {
      const r = await cli(["call", api, op], env);
      expect(r.code, api).toBe(2);
      expect(r.stderr, api).toContain(`${api.toUpperCase()}_BASE_URL is set but empty: give a URL, or unset it to use the default server`);
    }
  });

  it("a base URL of 100 000 characters is shown by its start and its length, not whole", async () => {
    const r = await cli(["call", "xt", "getBalance"], { XT_BASE_URL: `http://${"a".repeat(100_000)}:99999`, XT_ACCESS_KEY: "a", XT_SECRET_KEY: "s" });
    expect(r.code).toBe(2);
    expect(r.stderr.length).toBeLessThan(1_000);
    expect(r.stderr).toContain("(100013 characters)");
  });

  it("a flag given twice with two values is exit 2 naming both (the second replaced the first); the same value twice is taken", async () => {
    const before = hits;
    const r = await cli(["call", "xt", "getOrder", "--json", '{"market":"btc_usdt","id":1}', "--json", '{"market":"eth_usdt","id":2}'], { ...xtEnv(), XT_BASE_URL: counterUrl });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`flag --json is given twice ("{\\"market\\":\\"btc_usdt\\",\\"id\\":1}" and "{\\"market\\":\\"eth_usdt\\",\\"id\\":2}"): give it once`);
    expect(hits).toBe(before);
    expect((await cli(["call", "xt", "getServerTime", "--timeout", "5000", "--timeout=5000"], xtEnv())).code).toBe(0);
  });

  it("a secret flag given twice names neither value, not even its start; another flag's long values are cut with a … marker", async () => {
    const first = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghij";
    const second = `zzz${"y".repeat(50)}`;
    const r = await cli(["call", "quant-ws", "asset", "--secret-key", first, "--secret-key", second], {});
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^tradeapi: flag --secret-key is given twice with two values \(not shown: it is a credential\): give it once\n/);
    for (const part of [first.slice(0, 10), second.slice(0, 10)]) expect(r.stderr).not.toContain(part);
    // (the same in ws, whose flags hold quant-ws's; and a secret value that looks like a flag)
    const ws = await cli(["ws", "login", "--secret-key", first, `--secret-key=${second}`], {});
    expect([ws.code, ws.stderr.includes(first.slice(0, 10))]).toEqual([2, false]);
    const dash = await cli(["call", "quant-ws", "asset", "--secret-key", `-${"q".repeat(100)}`], {});
    expect(dash.code).toBe(2);
    expect(dash.stderr).toContain("flag --secret-key needs a value, got a flag-like one (not shown: it is a credential)");
    expect(dash.stderr).not.toContain("qqqqqqqqqq");
    const long = await cli(["call", "xt", "getTicker", "--json", `{"market":"${"a".repeat(200)}"}`, "--json", `{"market":"${"b".repeat(200)}"}`], xtEnv());
    expect(long.code).toBe(2);
    expect(long.stderr).toContain(`flag --json is given twice ("{\\"market\\":\\"${"a".repeat(49)}"… (213 characters) and "{\\"market\\":\\"${"b".repeat(49)}"… (213 characters)): give it once`);
    // A URL's password is not shown either.
    const url = await cli(["call", "xt", "getTicker", "--base-url", "http://u:pw-first-1@127.0.0.1:1", "--base-url", "http://u:pw-second-2@127.0.0.1:2"], {});
    expect(url.stderr).toContain('flag --base-url is given twice ("http://[redacted]@127.0.0.1:1" and "http://[redacted]@127.0.0.1:2")');
  });

  it.each([
    { argv: ["ws", "login", "--seconds", "0.5", "--output", "/tmp/x.json"], flag: "--output", near: undefined },
    { argv: ["ws", "login", "--price", "5", "--action", "BUY"], flag: "--price", near: undefined },
    { argv: ["ws", "watch", "--quantity", "1"], flag: "--quantity", near: undefined },
    { argv: ["ws", "place", "--symbol", "ETH/USDT", "--action", "BUY", "--type", "MARKET", "--quantity", "1", "--json", '{"a":1}'], flag: "--json", near: undefined },
    { argv: ["ws", "place", "--symbols", "ETH/USDT", "--action", "BUY", "--quantity", "1"], flag: "--symbols", near: "--symbol" },
    { argv: ["ws", "demo", "--price", "5"], flag: "--price", near: undefined },
    { argv: ["ws", "login", "--secnds", "5"], flag: "--secnds", near: "--seconds" },
    { argv: ["ws", "send", "asset", "--seconds", "5"], flag: "--seconds", near: undefined },
  ])("ws: $argv → exit 2 naming $flag (each subcommand takes only its own flags), nothing connected", async ({ argv, flag, near }) => {
    const r = await cli(argv, { QUANT_WS_URL: "ws://127.0.0.1:1/ws/v1", QUANT_WS_PLATFORM: "huobi", QUANT_WS_ACCESS_KEY: "a", QUANT_WS_SECRET_KEY: "s", QUANT_WS_SYMBOLS: "ETH/USDT" });
    expect([r.code, r.stdout]).toEqual([2, ""]);
    expect(r.stderr).toMatch(new RegExp(`^tradeapi: unknown flag ${flag}${near ? `; did you mean ${near}\\?` : "\\n"}`));
    if (argv[1] !== "send") expect(r.stderr).toContain(`(ws ${argv[1] === "watch" ? "login" : argv[1]} takes --url, `);
  });

  it("an unknown flag that is a parameter of the operation says how to write it (market=btc_usdt); nothing sent", async () => {
    hits = 0;
    for (const [argv, pair] of [
      [["call", "xt", "getOrder", "--market", "btc_usdt", "id=1"], "market=btc_usdt"],
      [["call", "xt", "getOrder", "id=1", "--market=btc_usdt"], "market=btc_usdt"],
      [["call", "xt", "getOrder", "market=btc_usdt", "--id", "-5"], "id=-5"],
      [["call", "xt", "getOrder", "market=btc_usdt", "--id"], "id=…"],
    ] as const) {
      const r = await cli([...argv], { ...xtEnv(), XT_BASE_URL: counterUrl });
      expect(r.code, argv.join(" ")).toBe(2);
      expect(r.stderr, argv.join(" ")).toMatch(new RegExp(`^tradeapi: unknown flag --(market|id): \\1 is a parameter of getOrder, written name=value: ${pair.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\n\\(\`tradeapi call xt getOrder --help\` lists its parameters\\)\n$`));
    }
    expect(hits).toBe(0);
    // Not a parameter: the plain message.
    expect((await cli(["call", "xt", "getOrder", "--markt", "x"])).stderr).toMatch(/^tradeapi: unknown flag --markt\nusage:/);
  });

  it("a flag of another API is unknown for this one; a string flag needs its value; a boolean takes none", async () => {
    const other = await cli(["call", "xt", "getServerTime", "--all-as-post"], xtEnv());
    expect(other.code).toBe(2);
    expect(other.stderr).toContain("unknown flag --all-as-post");
    const noValue = await cli(["call", "xt", "getServerTime", "--base-url"], xtEnv());
    expect(noValue.code).toBe(2);
    expect(noValue.stderr).toContain("flag --base-url needs a value");
    for (const argv of [["--output="], ["--output", ""], ["--base-url="]]) {
      const empty = await cli(["call", "xt", "getServerTime", ...argv], xtEnv());
      expect(empty.code, argv.join(" ")).toBe(2);
      expect(empty.stderr).toContain(`flag ${argv[0]!.replace("=", "")} needs a value (got an empty one)`);
      expect(empty.stdout).toBe("");
    }
    const valued = await cli(["call", "bhex", "basicTime", "--all-as-post=yes"], {});
    expect(valued.code).toBe(2);
    expect(valued.stderr).toContain("flag --all-as-post takes no value");
  });

  it("nothing is sent when a flag is wrong (the misspelt --base-url is not silently replaced by XT_BASE_URL)", async () => {
    hits = 0;
    const r = await cli(["call", "xt", "getServerTime", "--bse-url", xt.url], { XT_BASE_URL: counterUrl });
    expect(r.code).toBe(2);
    expect(hits).toBe(0);
    // Spelt right, the flag wins over XT_BASE_URL (the counter answers no XT envelope: exit 1).
    const good = await cli(["call", "xt", "getServerTime", "--base-url", counterUrl], { XT_BASE_URL: xt.url });
    expect(good.code).toBe(1);
    expect(hits).toBeGreaterThanOrEqual(1);
  });

  it("flags may come before or after the positionals, and as --name=value", async () => {
    const a = await cli(["call", "--base-url", xt.url, "xt", "getServerTime"], {});
    const b = await cli(["call", "xt", "getServerTime", `--base-url=${xt.url}`], {});
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    expect(JSON.parse(a.stdout)).toHaveProperty("serverTime");
  });
});

describe("--version and --timeout", () => {
  it("tradeapi --version (and -V) prints the package's version; exit 0", async () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
    for (const flag of ["--version", "-V"]) expect(await cli([flag])).toMatchObject({ code: 0, stdout: `tradeapi ${version}\n`, stderr: "" });
    // Something after it is a mistake, not ignored; `--help <command>` is `help <command>`.
    expect(await cli(["--version", "list"])).toMatchObject({ code: 2, stdout: "", stderr: expect.stringMatching(/^tradeapi: --version takes nothing after it, got "list"\n/) });
    const [viaFlag, viaCommand] = [await cli(["--help", "list"]), await cli(["help", "list"])];
    expect([viaFlag.code, viaFlag.stdout, viaFlag.stderr]).toEqual([viaCommand.code, viaCommand.stdout, viaCommand.stderr]);
    expect((await cli(["--help", "list"])).stdout).toMatch(/^usage: tradeapi list/);
    // help about help (or the version) is the top help: `help help` recursed until the stack overflowed
    const top = await cli(["--help"]);
    for (const argv of [["help", "help"], ["help", "--help"], ["--help", "help"], ["-h", "-h"], ["help", "--version"]]) {
      expect(await cli(argv), argv.join(" ")).toMatchObject({ code: 0, stdout: top.stdout, stderr: "" });
    }
    // every word after help is the command's: `help call xt order` is `call xt order --help`
    expect((await cli(["help", "call", "xt", "order"])).stdout).toBe((await cli(["call", "xt", "order", "--help"])).stdout);
    expect((await cli(["help", "call", "xt"])).stdout).toMatch(/^xt: /);
    // An option before the command is named as an option, not "unknown command".
    const early = await cli(["--verbose", "list"]);
    expect(early.code).toBe(2);
    expect(early.stderr).toMatch(/^tradeapi: unknown option "--verbose" before the command: options go after it/);
  });

  it("call <REST api> --timeout MS bounds each attempt's wait (exit 1 naming it); a bad value is exit 2, nothing sent", async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", () => r()));
    try {
      const url = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
      const started = performance.now();
      const r = await cli(["call", "xt", "getServerTime", "--timeout", "200"], { ...xtEnv(), XT_BASE_URL: url });
      expect(r.code).toBe(1);
      expect(r.stderr).toBe("tradeapi: error: xt getServerTime: after 3 attempts: no answer within 200 ms\n");
      expect(performance.now() - started).toBeLessThan(5_000);
    } finally {
      silent.closeAllConnections();
      await new Promise((r) => silent.close(r));
    }
    for (const api of ["xt", "hubi", "bhex", "xele"]) {
      const before = hits;
      const r = await cli(["call", api, "--help"]);
      expect(r.stdout, api).toContain("--timeout <MS>");
      // Every flag call takes is listed with the API's own.
      for (const flag of ["--json <", "--base-url <URL>", "--output <FILE>", "--decimals <"]) {
        // (xele's two servers have --ma-url and --ms-url: it refuses --base-url, so its help does not offer it)
        if (api === "xele" && flag === "--base-url <URL>") expect(r.stdout).not.toContain(flag);
        else expect(r.stdout, `${api} ${flag}`).toContain(flag);
      }
      const bad = await cli(["call", "xt", "getServerTime", "--timeout", "0"], { ...xtEnv(), XT_BASE_URL: counterUrl });
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/^tradeapi: --timeout must be a whole number of milliseconds above 0/);
      expect(hits).toBe(before);
    }
    // Numbers as written on a command line: "0x10" (16 ms to Number()), "1e3", " 5" are refused.
    // A fraction is refused (the client rounds it up: 0.4 was a timeout of 1 ms, 300.7 one of 301).
    for (const odd of ["0x10", "1e3", " 5", "5 ", "+5", "Infinity", "0.4", "300.7", "2500.5"]) {
      const r = await cli(["call", "xt", "getServerTime", "--timeout", odd], { ...xtEnv(), XT_BASE_URL: counterUrl });
      expect(r.code, odd).toBe(2);
      expect(r.stderr).toContain(`--timeout must be a whole number of milliseconds above 0 and at most`);
    }
    // A call within it goes through.
    expect((await cli(["call", "xt", "getServerTime", "--timeout", "5000"], xtEnv())).code).toBe(0);
    // quant-ws reads --timeout with the same rule (its own meaning: the whole call), before connecting.
    const wsEnv = { QUANT_WS_URL: "ws://127.0.0.1:1/ws/v1", QUANT_WS_PLATFORM: "huobi", QUANT_WS_ACCESS_KEY: "a", QUANT_WS_SECRET_KEY: "s", QUANT_WS_SYMBOLS: "ETH/USDT" };
    for (const argv of [["call", "quant-ws", "asset", "--timeout", "3000000000"], ["ws", "login", "--timeout=0"]]) {
      const r = await cli(argv, wsEnv);
      expect(r.code, argv.join(" ")).toBe(2);
      expect(r.stderr).toMatch(/^tradeapi: --timeout must be a whole number of milliseconds above 0 and at most 2147483647/);
    }
  });

  it("call <REST api> --max-response-bytes N is the client's maxResponseBytes: a larger answer is exit 1 naming the flag; a bad value is exit 2, nothing sent", async () => {
    const r = await cli(["call", "xt", "getServerTime", "--max-response-bytes", "10"], xtEnv());
    expect([r.code, r.stdout]).toEqual([1, ""]);
    // The library's hint names its option; the CLI's names the flag (the CLI takes no options).
    expect(r.stderr).toBe("tradeapi: error: xt getServerTime: the answer is larger than 10 bytes: not read further (--max-response-bytes N raises the limit)\n");
    expect((await cli(["call", "xt", "getServerTime", "--max-response-bytes", "100000"], xtEnv())).code).toBe(0);
    const before = hits;
    for (const odd of ["0", "-1", "1.5", "1e3", "0x10", " 5", "Infinity", "99999999999999999"]) {
      const bad = await cli(["call", "xt", "getServerTime", `--max-response-bytes=${odd}`], { ...xtEnv(), XT_BASE_URL: counterUrl });
      expect(bad.code, odd).toBe(2);
      expect(bad.stderr, odd).toMatch(/^tradeapi: --max-response-bytes must be a whole number of bytes from 1 to 9007199254740991, got /);
    }
    expect(hits).toBe(before);
    for (const api of ["xt", "hubi", "bhex", "xele"]) expect((await cli(["call", api, "--help"])).stdout, api).toContain("--max-response-bytes <N>");
    expect((await cli(["call", "--help"])).stdout).toMatch(/--max-response-bytes <N>\s+the largest answer read, in bytes/);
    // quant-ws has no such client option: the flag is unknown there.
    expect((await cli(["call", "quant-ws", "asset", "--max-response-bytes", "10"])).stderr).toMatch(/^tradeapi: unknown flag --max-response-bytes/);
  });
});

describe("help", () => {
  it("tradeapi --help lists every command (ws too), every API and every environment variable; exit 0", async () => {
    for (const argv of [["--help"], ["-h"], ["help"]]) {
      const r = await cli(argv);
      expect(r.code).toBe(0);
      for (const c of COMMANDS) expect(r.stdout).toContain(`tradeapi ${c.name}`);
      expect(r.stdout).toContain("tradeapi ws");
      for (const a of API_TABLE) for (const v of a.env) expect(r.stdout).toContain(v.name);
      // every exit code the CLI uses, the signals' too
      expect(r.stdout).toContain("exit codes: 0 ok; 1 API or transport error; 2 usage error; 130 stopped by Ctrl-C (SIGINT), 143 by SIGTERM, 129 by SIGHUP (a closed terminal or ssh session); mock, which runs until stopped, exits 0 then");
    }
    const bare = await cli([]);
    expect(bare.code).toBe(2);
  });

  it("every command prints its usage with --help and exits 0 (no `unknown api \"\"`)", async () => {
    for (const c of COMMANDS) {
      for (const argv of [[c.name, "--help"], ["help", c.name]]) {
        const r = await cli(argv);
        expect(r.code, argv.join(" ")).toBe(0);
        expect(r.stdout).toMatch(/usage/);
        expect(r.stderr).toBe("");
      }
    }
  });

  it("every subcommand prints its usage with --help or -h and exits 0 (spec check-doc, spec diff, ws …)", async () => {
    for (const argv of [
      ["spec", "check-doc", "--help"],
      ["spec", "check-doc", "xt", "-h"],
      ["spec", "diff", "--help"],
      ["spec", "diff", "xt", "--json", "-h"],
      ["spec", "-h"],
      ["ws", "demo", "--help"],
      ["ws", "send", "-h"],
    ]) {
      const r = await cli(argv);
      expect(r.code, argv.join(" ")).toBe(0);
      expect(r.stdout, argv.join(" ")).toMatch(/usage/);
      expect(r.stderr, argv.join(" ")).toBe("");
    }
    expect((await cli(["spec", "check-doc", "--help"])).stdout).toMatch(/tradeapi spec check-doc <api> <vendor-doc-file>/);
    expect((await cli(["spec", "diff", "--help"])).stdout).toMatch(/tradeapi spec diff \[api\]/);
  });

  it("call <api> --help and mock <api> --help show the API's operations, flags and environment", async () => {
    const call = await cli(["call", "bhex", "--help"]);
    expect(call.code).toBe(0);
    expect(call.stdout).toMatch(/--all-as-post/);
    expect(call.stdout).toMatch(/BHEX_SECRET_KEY/);
    expect(call.stdout).toMatch(/^ {2}orderCreate\s+Place a spot order/m);
    const mock = await cli(["mock", "xele", "--help"]);
    expect(mock.code).toBe(0);
    expect(mock.stdout).toMatch(/--ms-port <N>/);
    expect(mock.stdout).toMatch(/--rows-in/);
  });

  it.each(API_TABLE.map((a) => a.name))("%s: list and call --help: each column starts at one place on every line (ids up to 35 characters)", async (api) => {
    const starts = (lines: string[], re: RegExp) => new Set(lines.map((l) => re.exec(l)!.index));
    const list = (await cli(["list", api])).stdout.trimEnd().split("\n");
    expect(list.length).toBeGreaterThan(1);
    expect(starts(list, / (GET|POST|PUT|DELETE|WS) /)).toHaveLength(1);
    expect(starts(list, / \/\S* +\S/)).toHaveLength(1);
    const help = (await cli(["call", api, "--help"])).stdout.split("operations (")[1]!.trimEnd().split("\n").slice(1);
    // (a summary wrapped at 80 columns goes on in the same column)
    const column = (l: string) => (/^ {2}\S/.test(l) ? /(?<=^ {2}\S+ +)\S/ : /\S/).exec(l)!.index;
    expect(new Set(help.map(column))).toHaveLength(1);
    expect(Math.max(...help.map((l) => [...l].length))).toBeLessThanOrEqual(80);
  });

  it("call xt order --help lists its parameters (where, type, required, enum, description), needs no credentials, exits 0", async () => {
    const r = await cli(["call", "xt", "order", "--help"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^xt order — POST \/trade\/api\/v1\/order/);
    expect(r.stdout).toMatch(/^ {2}market\s+form\s+string\s+required$/m);
    expect(r.stdout).toMatch(/^ {2}type\s+form\s+integer\s+required\n\s+one of: 0, 1\n\s+交易类型/m);
    expect(r.stdout).toMatch(/usage: tradeapi call xt order market=… price=… number=… type=… entrustType=…/);
  });

  it("every operation of every API prints its help with every parameter, exit 0", async () => {
    let count = 0;
    for (const entry of API_TABLE) {
      const api = await entry.load();
      for (const op of api.operations) {
        const r = await cli(["call", entry.name, op.operationId, "--help"]);
        expect(r.code, `${entry.name} ${op.operationId}`).toBe(0);
        for (const p of op.params) expect(r.stdout).toMatch(new RegExp(`^ {2}${p.name.replace(/[$[\]]/g, "\\$&")}\\s+${p.in}\\s`, "m"));
        count++;
      }
    }
    expect(count).toBeGreaterThan(150);
  });

  it("an enum's empty-string member (Xele's no-condition value) shows as \"\" in help", async () => {
    const r = await cli(["call", "xele", "queryOrders", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ {2}direction\s+data\s+string\s+optional\n\s+one of: "", 买, 卖$/m);
  });

  it("the idempotency key BHEX generates is optional in help and on the command line", async () => {
    const r = await cli(["call", "bhex", "orderCreate", "--help"]);
    expect(r.stdout).toMatch(/^ {2}client_order_id\s+form\s+string\s+optional\n(.*\n)*?\s+\(generated by the client when left out\)/m);
  });
});

describe("--output", () => {
  it("writes a JSON answer to the file and prints where it went", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tradeapi-out-"));
    try {
      const file = join(dir, "ticker.json");
      const r = await cli(["call", "xt", "getTicker", "market=btc_usdt", "--output", file], xtEnv());
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      const written = readFileSync(file, "utf8");
      expect(JSON.parse(written)).toMatchObject({ high: 11776.93 });
      expect(JSON.parse(r.stdout)).toEqual({ savedTo: file, bytes: Buffer.byteLength(written) });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!existsSync("/dev/full"))("a JSON answer whose --output fails to be written (/dev/full) is printed on stdout instead (an order's id is not lost), exit 1 saying so", async () => {
    const r = await cli(["call", "xt", "getServerTime", "--output", "/dev/full"], xtEnv());
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toHaveProperty("serverTime");
    expect(r.stderr).toMatch(/^tradeapi: could not write --output \/dev\/full \(.*ENOSPC.*\); the answer is on stdout\n$/);
  });

  it("an unwritable --output is exit 2 before the call is sent", async () => {
    hits = 0;
    const r = await cli(["call", "xt", "getServerTime", "--output", "/nonexistent-dir/x.json"], { XT_BASE_URL: counterUrl });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--output .*does not exist or is not writable/);
    expect(hits).toBe(0);
  });
});

describe("usage errors (exit 2, nothing sent) instead of unexpected errors", () => {
  it.each([
    { argv: ["call", "xt", "getServerTime", "--base-url", "javascript:alert(1)"], env: {}, re: /--base-url must be a http: or https: URL, got "javascript:alert\(1\)"/ },
    { argv: ["call", "xt", "getServerTime"], env: { XT_BASE_URL: "not a url" }, re: /XT_BASE_URL is not a URL/ },
    { argv: ["call", "xt", "order", "market=btc_usdt", "price=1e400", "number=1", "type=1", "entrustType=0"], env: {}, re: /xt order: parameter "price" must be a finite number/ },
    { argv: ["call", "xt", "getOrder", "market=btc_usdt", "id=12x"], env: {}, re: /parameter "id" must be an integer, got "12x"/ },
    // The library's refusal says the range, and the hint where the parameters are listed, as the CLI's own errors do.
    { argv: ["call", "xt", "getOrder", "market=btc_usdt", "id=-1"], env: {}, re: /^tradeapi: xt getOrder: parameter "id" is out of range: "-1" \(minimum 0\)\n\(`tradeapi call xt getOrder --help` lists its parameters\)\n$/ },
    { argv: ["call", "xt", "order", "market=btc_usdt", "price=1", "number=1", "type=7", "entrustType=0"], env: {}, re: /parameter "type" must be one of 0, 1, got "7"/ },
    { argv: ["call", "xt", "getServerTime", "--json", '{"__proto__":{"market":"eth_usdt"}}'], env: {}, re: /unknown parameter "__proto__"/ },
    { argv: ["call", "xt", "getTicker", "--json", '{"market":"btc_usdt","constructor":1}'], env: {}, re: /unknown parameter "constructor"/ },
    { argv: ["call", "xt", "constructor"], env: {}, re: /unknown operation "constructor"/ },
    { argv: ["call", "xt", "__proto__"], env: {}, re: /unknown operation "__proto__"/ },
    { argv: ["call", "xt", "getTickr"], env: {}, re: /unknown operation "getTickr" for xt; did you mean getTicker\?/ },
    { argv: ["call", "xt", "getTicker", "market=a", "market=b"], env: {}, re: /parameter "market" is given twice/ },
    { argv: ["call", "xt", "getTicker", "--json", '{"market":"a","market":"b"}'], env: {}, re: /--json gives parameter "market" twice/ },
    { argv: ["call", "xt", "getTicker", "--json", '{"market":"a","\\u006darket":"b"}'], env: {}, re: /--json gives parameter "market" twice/ },
    { argv: ["call", "xt", "getTicker", "--json", '{"market":"a"}', "market=b"], env: {}, re: /parameter "market" is given twice \(in --json and as market=…\)/ },
    { argv: ["call", "xt", "batchOrder", "market=eth_usdt", "data=[1,"], env: {}, re: /parameter "data" looks like JSON but does not parse/ },
    { argv: ["call", "xt", "getTicker", "markt=btc_usdt"], env: {}, re: /unknown parameter "markt"; did you mean "market"\?/ },
    { argv: ["call", "xt", "batchOrder", "market=eth_usdt", 'data=[{"price":1000,"price":1,"amount":1,"type":1}]'], env: {}, re: /parameter "data" gives "\[0\]\.price" twice/ },
    { argv: ["call", "xt", "getServerTime", "--output", "-"], env: {}, re: /--output - : the answer goes to stdout without --output; give a file name/ },
    { argv: ["call", "quant-ws", "asset", "--base-url", "ws://u:pw-secret-1@127.0.0.1:1", "--url", "ws://127.0.0.1:2"], env: {}, re: /--base-url and --url set the same thing to two values \("ws:\/\/\[redacted\]@127\.0\.0\.1:1" and "ws:\/\/127\.0\.0\.1:2"\): give one/ },
    { argv: ["call", "quant-ws", "asset", "--symbols", "BTC/USDT", "--symbol", "ETH/USDT"], env: {}, re: /--symbols and --symbol set the same thing to two values/ },
    { argv: ["call", "quant-ws", "asset", "--url", "wss:/bob:Tr0ub4dor@gw.example", "--base-url", "wss://gw2.example"], env: {}, re: /--base-url and --url set the same thing to two values \("wss:\/\/gw2\.example" and "\[redacted\]@gw\.example"\)/ },
    { argv: ["mock", "xt", "--port", "70000"], env: {}, re: /--port must be a port number 0-65535, got "70000"/ },
    { argv: ["mock", "xt", "--port", " 80"], env: {}, re: /--port must be a port number 0-65535, got " 80"/ },
    { argv: ["mock", "xele", "--ms-port", "abc"], env: {}, re: /--ms-port must be a port number 0-65535, got "abc"/ },
    { argv: ["mock", "xele", "--ms-port", "70000"], env: {}, re: /--ms-port must be a port number/ },
    { argv: ["mock", "xele", "--rows-in", "header"], env: {}, re: /--rows-in must be result or body/ },
    { argv: ["mock", "xele", "--port", "18300", "--ms-port", "18300"], env: {}, re: /^tradeapi: --port and --ms-port are both 18300: each server needs a port of its own \(0 = any free port\)/ },
    { argv: ["mock", "xele", "--counter-version", "999"], env: {}, re: /--counter-version takes a version the emulator knows: 003, 007, 007P7, 007P8, 007P9; got "999"/ },
    { argv: ["call", "xele", "exportClientSystemInfo", "trading_day=20240105", "--overwrite"], env: {}, re: /^tradeapi: --overwrite replaces the file --save-dir writes: give --save-dir DIR too/ },
    { argv: ["call", "xele", "getSystemInfo", "--save-dir", "."], env: {}, re: /^tradeapi: --save-dir writes the export of exportClientSystemInfo; getSystemInfo answers on stdout \(--output FILE writes it to a file\)/ },
    { argv: ["mock", "xele", "--orders", "99999999999999999999"], env: {}, re: /--orders must be at most 9007199254740991, got "99999999999999999999"/ },
    // The emulator's refusal of the option a flag sets is the flag's (it said "xele: orders must be …").
    { argv: ["mock", "xele", "--orders", "99999999999"], env: {}, re: /^tradeapi: --orders must be a whole number from 0 to 10000000, got 99999999999\n/ },
    { argv: ["mock", "quant-ws", "--reorder", "1.5"], env: {}, re: /^tradeapi: --reorder must be a whole number, got "1\.5"\n/ },
    { argv: ["mock", "quant-ws", "--ready-delay", "99999999999"], env: {}, re: /^tradeapi: --ready-delay must be at most 2147483647, got "99999999999"\n/ },
    { argv: ["frobnicate"], env: {}, re: /unknown command "frobnicate"/ },
    { argv: ["lst"], env: {}, re: /did you mean list\?/ },
    { argv: ["list", "xtt"], env: {}, re: /unknown api "xtt"; did you mean xt\?/ },
    // Every misspelt name says the closest the same way: APIs, subcommands, options before a command.
    { argv: ["call", "bhx", "basicTime"], env: {}, re: /unknown api "bhx"; did you mean bhex\?; known: / },
    { argv: ["list", "hbi"], env: {}, re: /unknown api "hbi"; did you mean hubi\?/ },
    { argv: ["list", "xelle"], env: {}, re: /unknown api "xelle"; did you mean xele\?/ },
    { argv: ["mock", "quantws"], env: {}, re: /unknown api "quantws"; did you mean quant-ws\?/ },
    { argv: ["call", "quant_ws", "asset"], env: {}, re: /unknown api "quant_ws"; did you mean quant-ws\?/ },
    // (a word of one or two letters: what it begins, never `xt` for being two edits away)
    { argv: ["call", "hu", "x"], env: {}, re: /unknown api "hu"; did you mean hubi\?/ },
    { argv: ["call", "q", "x"], env: {}, re: /unknown api "q"; did you mean quant-ws\?/ },
    { argv: ["call", "ab", "x"], env: {}, re: /unknown api "ab"; known: / },
    { argv: ["list", "quant"], env: {}, re: /unknown api "quant"; did you mean quant-ws\?/ },
    { argv: ["ws", "lgin"], env: {}, re: /unknown ws command "lgin"; did you mean login\?; one of: demo, login, place, send, help/ },
    { argv: ["ws", "sned"], env: {}, re: /unknown ws command "sned"; did you mean send\?/ },
    { argv: ["spec", "dif"], env: {}, re: /unknown spec command "dif"; did you mean diff\?; one of: check-doc, diff, help/ },
    { argv: ["spec", "check-doc", "xtt", "doc.md"], env: {}, re: /unknown api "xtt"; did you mean xt\?; known: / },
    { argv: ["spec", "diff", "xtt"], env: {}, re: /unknown api "xtt"; did you mean xt\?; known: / },
    { argv: ["spec", "diff", "--jsn"], env: {}, re: /unknown flag --jsn; did you mean --json\?/ },
    { argv: ["spec", "check-doc", "xt", "doc.md", "--recrod"], env: {}, re: /unknown flag --recrod; did you mean --record\?/ },
    { argv: ["--verison"], env: {}, re: /^tradeapi: unknown option "--verison"; did you mean --version\?/ },
    { argv: ["--hlep"], env: {}, re: /^tradeapi: unknown option "--hlep"; did you mean --help\?/ },
  ])("$argv", async ({ argv, env, re }) => {
    hits = 0;
    const r = await cli(argv, { XT_BASE_URL: counterUrl, XT_ACCESS_KEY: "a", XT_SECRET_KEY: "s", ...env });
    expect(r.stderr).toMatch(re);
    expect(r.stderr).not.toMatch(/unexpected error/);
    expect(r.code).toBe(2);
    expect(hits).toBe(0);
  });

  it("a name or value of 120 000 characters (operation, API, command, flag, parameter, --decimals …) is shown by its start and its length, not whole", async () => {
    const long = "a".repeat(120_000);
    for (const argv of [
      ["call", "xt", long],
      ["call", long, "getTicker"],
      [long],
      [`--${long}`],
      ["list", long],
      ["ws", long],
      ["spec", long],
      ["call", "xt", "getTicker", `--${long}`],
      ["ws", "login", `--${long}`],
      ["call", "xt", "getTicker", `${long}=1`],
      ["call", "xt", "getTicker", "--json", `{"${long}":1}`],
      ["call", "xt", "getTicker", "--json", `{"market":"a","${long}":1,"${long}":2}`],
      ["call", "xt", "getTicker", "--decimals", long],
      ["call", "xt", "getTicker", "market=btc_usdt", "--timeout", long],
      ["call", "xt", "getTicker", "market=btc_usdt", "--output", `/tmp/${long}/x.json`],
      ["mock", "xt", "--port", long],
      ["--version", long],
    ]) {
      const r = await cli(argv);
      const what = argv.map((a) => a.slice(0, 20)).join(" ");
      expect(r.code, what).toBe(2);
      expect(r.stderr.length, what).toBeLessThan(1_000);
      expect(r.stderr, what).toMatch(/… \(1200\d\d characters\)/);
    }
  });

  it("a password in a base URL is not printed", async () => {
    const r = await cli(["call", "xt", "getServerTime", "--base-url", "ftp://user:hunter2-pw@example.com/"]);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain("hunter2-pw");
  });

  it("a port in use is exit 2 naming the port", async () => {
    const port = Number(new URL(xt.url).port);
    const r = await cli(["mock", "hubi", "--port", String(port)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`port ${port} is already in use; pick another --port (0 = any free port)`);
    // Xele's two servers: the flag that asked for the port.
    const ms = await cli(["mock", "xele", "--ms-port", String(port)]);
    expect(ms.code).toBe(2);
    expect(ms.stderr).toContain(`port ${port} is already in use; pick another --ms-port (0 = any free port)`);
  });

  it("numbers in query and form parameters keep their digits; big IDs are sent as written, up to 64 bits", async () => {
    const r = await cli(["call", "xt", "getOrder", "market=btc_usdt", "id=9223372036854775807"], xtEnv());
    expect(r.stderr).not.toMatch(/parameter "id"/);
    const over = await cli(["call", "xt", "getOrder", "market=btc_usdt", "id=9223372036854775808"], xtEnv());
    expect(over.code).toBe(2);
    expect(over.stderr).toContain('xt getOrder: parameter "id" is out of range: "9223372036854775808" (format int64)');
  });
});

describe("emulator hints", () => {
  it.each(API_TABLE.map((a) => a.name))("mock %s prints its URL and `npx tradeapi …` commands that can be pasted", async (api) => {
    const r = await runCliCaptured(["mock", api, "--port", "0"], {}, { untilStopped: () => Promise.resolve() });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/listening on (http|ws):\/\/127\.0\.0\.1:\d+/);
    const commands = r.stdout.split("\n").filter((l) => /\btradeapi /.test(l));
    expect(commands.length).toBeGreaterThan(0);
    for (const line of commands) expect(line.replace(/npx tradeapi /g, "")).not.toMatch(/\btradeapi /);
  });
});

describe("environment variable names live in the registry", () => {
  it("no CLI module but src/cli/registry.ts writes a variable name", () => {
    const names = API_TABLE.flatMap((a) => a.env.map((v) => v.name));
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (p.endsWith(".ts")) files.push(p);
      }
    };
    walk(join(ROOT, "src/cli"));
    const hits: string[] = [];
    for (const f of files) {
      if (f.endsWith("registry.ts")) continue;
      const text = readFileSync(f, "utf8");
      for (const n of names) if (new RegExp(`\\b${n}\\b`).test(text)) hits.push(`${f.slice(ROOT.length + 1)}: ${n}`);
    }
    expect(hits).toEqual([]);
  });
});

describe("README", () => {
  it("the CLI section's variable table lists exactly the registry's names, per API", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    for (const a of API_TABLE) {
      const row = new RegExp(`^\\| ${a.name} \\| (.*) \\|$`, "m").exec(readme);
      expect(row, a.name).not.toBeNull();
      const listed = [...row![1]!.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]);
      expect(listed, a.name).toEqual(a.env.map((v) => v.name));
    }
  });
});
