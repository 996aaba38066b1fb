/**
 * `tradeapi call` (and the `ws` commands) behind a proxy: HTTPS_PROXY / HTTP_PROXY / NO_PROXY (and their lower-case
 * forms) read as curl and Go read them, loopback always direct, a bad value a usage error that
 * names the variable and hides its password; end to end through a tunnelling proxy to
 * emulators named `*.invalid` (reachable only through it).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CliUsageError } from "../../src/cli/args.js";
import { proxyFor, proxyForAll, proxySecrets } from "../../src/cli/proxy-env.js";
import { Redactor } from "../../src/handwritten/core/errors.js";
import { startQuantWsMock } from "../../src/mock/quant-ws.js";
import { startXeleMock, XELE_MOCK_PASSWORD, XELE_MOCK_USERNAME } from "../../src/mock/xele.js";
import { startXtMock, XT_MOCK_ACCESS_KEY, XT_MOCK_SECRET_KEY } from "../../src/mock/xt.js";
import type { HttpMock } from "../../src/mock/http-mock.js";
import { runCliCaptured } from "../helpers/cli.js";
import { startProxy } from "../helpers/proxy.js";

const P = "http://proxy.corp:3128";

describe("proxyFor: which proxy the environment gives a server", () => {
  it.each<[string, NodeJS.ProcessEnv, string | undefined]>([
    ["https://api.xt.com", { HTTPS_PROXY: P }, P],
    ["https://api.xt.com", { https_proxy: P, HTTPS_PROXY: "http://other:1" }, P],
    ["http://api.xt.com", { HTTPS_PROXY: P }, undefined],
    ["http://api.xt.com", { HTTP_PROXY: P }, P],
    ["http://api.xt.com", { http_proxy: P }, P],
    ["https://api.xt.com", { HTTP_PROXY: P }, undefined],
    ["https://api.xt.com", { HTTPS_PROXY: "proxy.corp:3128" }, "http://proxy.corp:3128"],
    ["https://api.xt.com", { HTTPS_PROXY: "  " }, undefined],
    // NO_PROXY: names and their subdomains, in each spelling
    ["https://api.xt.com", { HTTPS_PROXY: P, NO_PROXY: "xt.com" }, undefined],
    ["https://xt.com", { HTTPS_PROXY: P, NO_PROXY: ".xt.com" }, undefined],
    ["https://api.xt.com", { HTTPS_PROXY: P, NO_PROXY: "*.xt.com" }, undefined],
    ["https://API.XT.COM", { HTTPS_PROXY: P, no_proxy: "Xt.Com" }, undefined],
    ["https://badxt.com", { HTTPS_PROXY: P, NO_PROXY: "xt.com" }, P],
    ["https://api.xt.com", { HTTPS_PROXY: P, NO_PROXY: "other.com, xt.com" }, undefined],
    ["https://api.xt.com", { HTTPS_PROXY: P, NO_PROXY: "other.com xt.com" }, undefined],
    ["https://api.xt.com", { HTTPS_PROXY: P, NO_PROXY: "*" }, undefined],
    // ports
    ["https://api.xt.com", { HTTPS_PROXY: P, NO_PROXY: "api.xt.com:443" }, undefined],
    ["https://api.xt.com:8443", { HTTPS_PROXY: P, NO_PROXY: "api.xt.com:443" }, P],
    ["http://api.xt.com", { HTTP_PROXY: P, NO_PROXY: "api.xt.com:80" }, undefined],
    // addresses and ranges
    ["http://10.1.2.3:8181", { HTTP_PROXY: P, NO_PROXY: "10.0.0.0/8" }, undefined],
    ["http://11.1.2.3:8181", { HTTP_PROXY: P, NO_PROXY: "10.0.0.0/8" }, P],
    ["http://192.168.1.5", { HTTP_PROXY: P, NO_PROXY: "168.1.5" }, P],
    ["http://192.168.1.5", { HTTP_PROXY: P, NO_PROXY: "192.168.1.5" }, undefined],
    ["http://[2001:db8::1]:8899", { HTTP_PROXY: P, NO_PROXY: "2001:db8::/32" }, undefined],
    ["http://[2001:db8::1]:8899", { HTTP_PROXY: P, NO_PROXY: "[2001:db8::1]:8899" }, undefined],
    ["http://[2001:db8::1]:8899", { HTTP_PROXY: P, NO_PROXY: "[2001:db8::1]:1" }, P],
    ["http://[2001:db9::1]", { HTTP_PROXY: P, NO_PROXY: "2001:db8::/32" }, P],
    // loopback: always direct
    ["http://127.0.0.1:8899", { HTTP_PROXY: P }, undefined],
    ["http://127.8.9.1:8899", { HTTP_PROXY: P }, undefined],
    ["http://localhost:8181", { HTTP_PROXY: P }, undefined],
    ["http://emulator.localhost:8181", { HTTP_PROXY: P }, undefined],
    ["http://[::1]:8181", { HTTP_PROXY: P }, undefined],
    ["http://[::ffff:127.0.0.1]:8181", { HTTP_PROXY: P }, undefined],
    // WebSocket URLs go as their HTTP scheme does
    ["ws://gateway.example/ws/v1", { HTTP_PROXY: P }, P],
    ["wss://gateway.example/ws/v1", { HTTPS_PROXY: P }, P],
    ["wss://gateway.example/ws/v1", { HTTP_PROXY: P }, undefined],
    ["wss://gateway.example/ws/v1", { HTTPS_PROXY: P, NO_PROXY: "gateway.example:443" }, undefined],
    ["ws://127.0.0.1:9878/ws/v1", { HTTP_PROXY: P }, undefined],
    ["ftp://files.example", { HTTP_PROXY: P, HTTPS_PROXY: P }, undefined],
  ])("%s with %j: %s", (target, env, want) => {
    expect(proxyFor(target, env)).toBe(want);
  });

  it("a value that is not an http(s) proxy URL is a usage error naming the variable, its password hidden", () => {
    for (const [env, name] of [
      [{ HTTPS_PROXY: "socks5://ops:hunter22@proxy.corp:1080" }, "HTTPS_PROXY"],
      [{ https_proxy: "http://ops:hunter22@proxy corp" }, "https_proxy"],
      [{ HTTPS_PROXY: "ops:hunter22@proxy corp:3128" }, "HTTPS_PROXY"],
      [{ HTTPS_PROXY: "ops:hun@ter22@proxy corp:3128" }, "HTTPS_PROXY"],
    ] as const) {
      let error: unknown;
      try {
        proxyFor("https://api.xt.com", env);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(CliUsageError);
      expect((error as Error).message).toMatch(new RegExp(`^${name} is not an http:// or https:// proxy URL: "[a-z0-9]+://\\[redacted\\]@proxy`));
      expect((error as Error).message).not.toMatch(/hun|ter22/);
    }
  });

  it("proxySecrets gives the password of a proxy variable that is not a URL too (the CLI's prints hide it)", () => {
    expect(proxySecrets({ HTTPS_PROXY: "http://ops:hun ter22@proxy corp:3128" })).toEqual(["hun ter22"]);
    expect(proxySecrets({ https_proxy: "ops:hun@ter%zz@proxy.corp" })).toEqual(["hun@ter%zz"]);
    expect(proxySecrets({ HTTP_PROXY: "http://ops:s3cret@proxy.corp:3128" })).toContain("s3cret");
    expect(proxySecrets({ HTTP_PROXY: "proxy.corp:3128", NO_PROXY: "x" })).toEqual([]);
    // a password with an unescaped "/": parsed as host "ops" and a path, or not at all (the CLI's prints printed it)
    expect(proxySecrets({ HTTPS_PROXY: "http://ops:Xk9/vQ2m@proxy.corp:3128" })).toEqual(["Xk9/vQ2m"]);
    expect(proxySecrets({ HTTPS_PROXY: "http://ops:2024/vQ2m@proxy.corp:3128" })).toEqual(["2024/vQ2m"]);
    expect(new Redactor(proxySecrets({ HTTPS_PROXY: "ops:hun ter22@proxy corp" })).text("echo hun ter22 back")).toBe("echo [redacted] back");
  });

  it("one call's servers sent two ways is a usage error", () => {
    expect(() => proxyForAll(["http://ma.corp:8899", "http://ms.corp:8181"], { HTTP_PROXY: P, NO_PROXY: "ms.corp" })).toThrow(
      /send "http:\/\/ma\.corp:8899" and "http:\/\/ms\.corp:8181" different ways/,
    );
    expect(proxyForAll(["http://ma.corp:8899", "http://ms.corp:8181"], { HTTP_PROXY: P })).toBe(P);
  });
});

describe("the help names the variables", () => {
  it("tradeapi --help explains each; call <api> --help names them for every API", async () => {
    const top = await runCliCaptured(["--help"], {});
    for (const name of ["HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY"]) expect(top.stdout).toMatch(new RegExp(`^    ${name} +\\S`, "m"));
    for (const api of ["xt", "hubi", "bhex", "xele", "quant-ws"]) {
      const help = await runCliCaptured(["call", api, "--help"], {});
      expect(help.stdout, api).toContain("  HTTPS_PROXY, HTTP_PROXY, NO_PROXY: the proxy, as curl reads them\n  (`tradeapi --help`)");
    }
  });
});

describe("tradeapi call through the proxy", () => {
  let xt: HttpMock;
  let base: string;
  beforeAll(async () => {
    xt = await startXtMock();
    base = `http://xt.invalid:${xt.port}`;
  });
  afterAll(() => xt.close());
  const creds = { XT_ACCESS_KEY: XT_MOCK_ACCESS_KEY, XT_SECRET_KEY: XT_MOCK_SECRET_KEY };

  it("HTTP_PROXY carries a signed call; --base-url is matched as XT_BASE_URL is", async () => {
    const proxy = await startProxy();
    const run = await runCliCaptured(["call", "xt", "getBalance", "--base-url", base], { ...creds, HTTP_PROXY: proxy.url });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.json()).toBeTypeOf("object");
    expect(new Set(proxy.connects)).toEqual(new Set([`xt.invalid:${xt.port}`]));
  });

  it("NO_PROXY sends it directly (and xt.invalid does not resolve)", async () => {
    const proxy = await startProxy();
    const run = await runCliCaptured(["call", "xt", "getServerTime", "--timeout", "2000"], { XT_BASE_URL: base, HTTP_PROXY: proxy.url, NO_PROXY: "localhost,.invalid" });
    expect(run.code).toBe(1);
    // The name does not resolve (or, on a machine whose resolver is unreachable, not within the timeout).
    expect(run.stderr).toMatch(
      /^tradeapi: error: xt getServerTime: after 3 attempts: (connection failed \([A-Z_]+\); is the base URL http:\/\/xt\.invalid:\d+ reachable\?|no answer within 2000 ms.*)\n$/,
    );
    expect(proxy.connects).toEqual([]);
  });

  it("an emulator on loopback is reached directly whatever the proxy variables say", async () => {
    const run = await runCliCaptured(["call", "xt", "getServerTime"], { XT_BASE_URL: xt.url, HTTP_PROXY: "http://127.0.0.1:9", HTTPS_PROXY: "http://127.0.0.1:9" });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
  });

  it("a proxy that refuses the credentials: exit 1, the proxy's status named, its password nowhere", async () => {
    const proxy = await startProxy({ auth: "Basic never" });
    const run = await runCliCaptured(["call", "xt", "getServerTime"], { XT_BASE_URL: base, http_proxy: `ops:hunter22@127.0.0.1:${proxy.port}` });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`the proxy answered 407 to CONNECT xt.invalid:${xt.port}`);
    expect(run.stderr + run.stdout).not.toContain("hunter22");
    expect(proxy.auths[0]).toBe(`Basic ${Buffer.from("ops:hunter22").toString("base64")}`);
  });

  it("a bad proxy value is exit 2 before anything is sent", async () => {
    const run = await runCliCaptured(["call", "xt", "getServerTime"], { XT_BASE_URL: base, HTTP_PROXY: "socks5://ops:hunter22@127.0.0.1:1080" });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^tradeapi: HTTP_PROXY is not an http:\/\/ or https:\/\/ proxy URL/);
    expect(run.stderr).not.toContain("hunter22");
  });

  it.each([
    ["HTTP_PROXY", "user:hunter2 secret@proxy:1080", /holds a space, line break or control character/],
    ["http_proxy", "http://ops:hunter22@proxy.corp:3128/some/path", /has a path, query or fragment/],
    ["HTTP_PROXY", "http://ops:hunter%zz@proxy.corp:3128", /has a % in its user:password that is no %XX escape/],
  ])("a proxy URL the client would refuse (%s=%s) is a usage error naming the variable, with a hint, its password hidden", async (name, value, problem) => {
    const run = await runCliCaptured(["call", "xt", "getServerTime"], { XT_BASE_URL: "http://xt.invalid:1", [name]: value });
    expect([run.code, run.stdout]).toEqual([2, ""]);
    expect(run.stderr).toMatch(new RegExp(`^tradeapi: ${name} = "http://\\[redacted\\]@proxy`));
    expect(run.stderr).toMatch(problem);
    expect(run.stderr).toMatch(/\nusage: tradeapi call /);
    expect(run.stderr).not.toMatch(/hunter|secret/);
  });

  it.each([
    [{ XT_BASE_URL: "http://xt.invalid:1", HTTP_PROXY: "socks5://ops:hun@ter22@127.0.0.1:1080" }, []],
    [{}, ["--base-url", "ftp://ops:hun@ter22@host/"]],
    [{ XT_BASE_URL: "h ttp://ops:hun@ter22@host/" }, []],
    [{ XT_BASE_URL: "h ttp://ops:hun ter22@host/" }, []],
    [{ XT_BASE_URL: "http://ops:hun ter22@host/" }, []],
    [{ XT_BASE_URL: "http://xt.invalid:1", HTTP_PROXY: "http://ops:hun ter22@127.0.0.1:1" }, []],
    [{ XT_BASE_URL: "http://xt.invalid:1", HTTP_PROXY: 'http://ops:hun"ter22@127.0.0.1:1/path' }, []],
  ])("a password with an unencoded @, a space or a quote is hidden whole (%j %j)", async (env, flags) => {
    const run = await runCliCaptured(["call", "xt", "getServerTime", ...flags], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/\/\/(\*\*\*|ops:\*\*\*|\[redacted\])@(127\.0\.0\.1|host)/);
    expect(run.stderr).not.toMatch(/ter22|hun/);
    expect(run.stdout).toBe("");
  });

  it.each([
    [["call", "xt", "getServerTime"], { XT_BASE_URL: "ops:hunter22@api.xt.com" }, /XT_BASE_URL must be a http: or https: URL, got "\[redacted\]@api\.xt\.com"/],
    [["call", "xt", "getServerTime", "--base-url", "htps//ops:hunter22@api.xt.com"], {}, /--base-url is not a URL: "htps\/\/\[redacted\]@api\.xt\.com"/],
    [["ws", "login"], { QUANT_WS_URL: "ops:hunter22@gw.corp" }, /QUANT_WS_URL must be a ws: or wss: URL, got "\[redacted\]@gw\.corp"/],
  ])("a URL setting written without its scheme (or with a mistyped one) hides its password too: %j", async (args, env, message) => {
    const run = await runCliCaptured(args, env);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr + run.stdout).not.toContain("hunter22");
  });

  it("quant-ws: `call` and `ws login` connect through HTTP_PROXY to a ws:// gateway", async () => {
    const mock = await startQuantWsMock({ readyDelayMs: 20 });
    try {
      const proxy = await startProxy();
      const gw = `gw.invalid:${new URL(mock.url).port}`;
      const env = { QUANT_WS_URL: `ws://${gw}/ws/v1`, QUANT_WS_ACCESS_KEY: "k", QUANT_WS_SECRET_KEY: "s", QUANT_WS_PLATFORM: "okex", HTTP_PROXY: proxy.url };
      const call = await runCliCaptured(["call", "quant-ws", "asset", "--symbols", "ETH/USDT"], env);
      expect(call.stderr).toBe("");
      expect(call.code).toBe(0);
      const login = await runCliCaptured(["ws", "login", "--symbols", "ETH/USDT", "--seconds", "0.2"], env);
      expect(login.stderr).toBe("");
      expect(login.code).toBe(0);
      expect(proxy.connects).toEqual([gw, gw]);
    } finally {
      await mock.close();
    }
  });

  it("Xele's two servers go through it", async () => {
    const xele = await startXeleMock();
    try {
      const proxy = await startProxy();
      const ma = `ma.invalid:${new URL(xele.maUrl).port}`;
      const ms = `ms.invalid:${new URL(xele.msUrl).port}`;
      const run = await runCliCaptured(["call", "xele", "queryOrders"], {
        XELE_MA_URL: `http://${ma}`,
        XELE_MS_URL: `http://${ms}`,
        XELE_USERNAME: XELE_MOCK_USERNAME,
        XELE_PASSWORD: XELE_MOCK_PASSWORD,
        HTTP_PROXY: proxy.url,
      });
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      expect(new Set(proxy.connects)).toEqual(new Set([ma, ms]));
    } finally {
      await xele.close();
    }
  });
});
