import { describe, expect, it } from "vitest";
import { mockOptions, quantWsCli } from "../../src/cli/apis/quant-ws.js";
import { runCli } from "../../src/cli/main.js";
import { runCliCaptured } from "../helpers/cli.js";
import { framesOf, startMock } from "./helpers.js";

const cli = (argv: string[], env: NodeJS.ProcessEnv = {}) => runCliCaptured(argv, env);

const lines = (text: string) => text.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);

describe("tradeapi CLI for quant-ws", () => {
  it("ws demo runs the whole flow against an in-process emulator and exits", async () => {
    const { code, stdout, stderr } = await cli(["ws", "demo", "--seconds", "15"]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const out = lines(stdout);
    const steps = out.map((l) => (l.step ?? `event:${String(l.event)}`) as string);
    // The order a newcomer should see: states during login, READY, then orders and their notifications.
    const at = (s: string) => steps.indexOf(s);
    expect(at("event:state")).toBeGreaterThan(at("login"));
    expect(at("ready")).toBeGreaterThan(at("event:state"));
    expect(at("event:fill")).toBeGreaterThan(at("ready"));
    for (const s of ["emulator", "connected", "symbol_info", "asset", "placed", "event:order", "event:position", "event:asset", "open_orders", "cancel_order", "logout", "closed"]) {
      expect(steps).toContain(s);
    }
    expect(out.find((l) => l.event === "state" && l.name === "READY")).toMatchObject({ code: 6, ready: true });
    expect(out.find((l) => l.step === "cancel_order")).toMatchObject({ failed: [] });
    expect(stdout).not.toMatch(/"token"|demo-secret-key/);
  });

  it("ws login prints READY and the states, then logs out when --seconds elapse", async () => {
    const mock = await startMock();
    const env = { QUANT_WS_URL: mock.url, QUANT_WS_ACCESS_KEY: "k", QUANT_WS_SECRET_KEY: "very-secret" };
    let stdout = "";
    let watching!: () => void;
    const isWatching = new Promise<void>((r) => (watching = r));
    const run = runCli(["ws", "login", "--platform", "okex", "--symbols", "BTC/USDT,ETH/USDT", "--seconds", "0.5"], {
      stdout: (t) => {
        stdout += t;
        if (t.includes('"step":"watching"')) watching();
      },
      stderr: () => undefined,
      env,
    });
    await isWatching;
    const [token] = mock.tokens();
    mock.outage(40);
    expect(await run).toBe(0);
    const out = lines(stdout);
    expect(out.filter((l) => l.event === "state").map((l) => l.name)).toEqual(["CONNECT_SUCCESS", "READY", "DISCONNECT", "RECONNECTING", "READY"]);
    expect(framesOf(mock, "login")[0]).toMatchObject({ platform: "okex", symbols: ["BTC/USDT", "ETH/USDT"] });
    expect(framesOf(mock, "logout")[0]).toMatchObject({ token });
    expect(stdout).not.toContain(token!);
    expect(stdout).not.toContain("very-secret");
  });

  it("call quant-ws <op> logs in, sends one request and prints its payload", async () => {
    const mock = await startMock();
    const env = { QUANT_WS_URL: mock.url, QUANT_WS_PLATFORM: "huobi", QUANT_WS_ACCESS_KEY: "k", QUANT_WS_SECRET_KEY: "s" };
    const asset = await cli(["call", "quant-ws", "asset", "--symbols", "ETH/USDT"], env);
    expect(asset.code).toBe(0);
    expect(JSON.parse(asset.stdout)).toMatchObject({ USDT: { total: 100_000 } });
    const placed = await cli(["call", "quant-ws", "placeOrder", "symbol=ETH/USDT", "action=BUY", "price=0", "quantity=1.5", "order_type=MARKET"], env);
    expect(placed.code).toBe(0);
    expect(JSON.parse(placed.stdout)).toMatch(/^\d+$/);
    expect(framesOf(mock, "place_order")[0]).toMatchObject({ quantity: 1.5, price: 0, action: "BUY" });
    const cancelled = await cli(["call", "quant-ws", "cancel_order", "symbol=ETH/USDT", "order_nos=1,2"], env);
    expect(JSON.parse(cancelled.stdout)).toHaveLength(2);
    // Every call logged out again.
    expect(mock.tokens()).toEqual([]);
  });

  it("refuses bad input with exit code 2 and a hint", async () => {
    const mock = await startMock();
    const env = { QUANT_WS_URL: mock.url, QUANT_WS_ACCESS_KEY: "k" };
    const noSecret = await cli(["call", "quant-ws", "asset", "--symbols", "ETH/USDT"], env);
    expect(noSecret.code).toBe(2);
    expect(noSecret.stderr).toMatch(/QUANT_WS_SECRET_KEY/);
    const badNumber = await cli(["call", "quant-ws", "place_order", "symbol=ETH/USDT", "action=BUY", "price=abc", "quantity=1", "order_type=LIMIT"], { ...env, QUANT_WS_SECRET_KEY: "s" });
    expect(badNumber.code).toBe(2);
    expect(badNumber.stderr).toMatch(/price must be a number/);
    const badEnum = await cli(["call", "quant-ws", "place_order", "symbol=ETH/USDT", "action=HOLD", "price=1", "quantity=1", "order_type=LIMIT"], { ...env, QUANT_WS_SECRET_KEY: "s" });
    expect(badEnum.stderr).toMatch(/action must be one of BUY, SELL/);
    const unknown = await cli(["call", "quant-ws", "withdraw"], env);
    expect(unknown.code).toBe(2);
    expect(mock.acceptedSockets).toBe(0);
  });

  it("asks for the platform (no default the gateway could refuse), naming the known ones", async () => {
    const mock = await startMock();
    const env = { QUANT_WS_URL: mock.url, QUANT_WS_ACCESS_KEY: "k", QUANT_WS_SECRET_KEY: "s" };
    const r = await cli(["call", "quant-ws", "asset", "--symbols", "ETH/USDT"], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/which platform\? pass --platform or set QUANT_WS_PLATFORM .*okex, huobi, huobi_future, ftx/);
    expect(mock.acceptedSockets).toBe(0);
  });

  it("a failed login exits 1 with the gateway's reason and no stray error event (the logout reply is awaited)", async () => {
    const mock = await startMock();
    const env = { QUANT_WS_URL: mock.url, QUANT_WS_ACCESS_KEY: "bad-key-cli", QUANT_WS_SECRET_KEY: "very-secret" };
    const r = await cli(["ws", "login", "--platform", "okex", "--symbols", "ETH/USDT", "--seconds", "0.2"], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/GENERAL_ERROR: Websocket connection authorized failed/);
    const out = lines(r.stdout);
    expect(out.filter((l) => l.event === "error")).toEqual([]);
    expect(out.at(-1)).toMatchObject({ step: "closed" });
    expect(framesOf(mock, "logout")).toHaveLength(1);
    expect(r.stdout + r.stderr).not.toContain("very-secret");
    const unknown = await cli(["ws", "login", "--platform", "binance", "--symbols", "ETH/USDT", "--seconds", "0.2"], { ...env, QUANT_WS_ACCESS_KEY: "k" });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/platform not found \(this gateway does not serve platform "binance"/);
    expect(lines(unknown.stdout).filter((l) => l.event === "error")).toEqual([]);
  });

  it("API errors exit 1 with one line", async () => {
    const mock = await startMock();
    const env = { QUANT_WS_URL: mock.url, QUANT_WS_PLATFORM: "huobi", QUANT_WS_ACCESS_KEY: "k", QUANT_WS_SECRET_KEY: "s" };
    const poor = await cli(["call", "quant-ws", "place_order", "symbol=ETH/USDT", "action=BUY", "price=0", "quantity=99999", "order_type=MARKET"], env);
    expect(poor.code).toBe(1);
    expect(poor.stderr).toBe("tradeapi: error: quant-ws place_order: code Insufficient balance\n");
  });

  it("lists the request messages and parses the emulator's fault flags", async () => {
    const listed = await cli(["list", "quant-ws"]);
    expect(listed.stdout).toMatch(/^place_order\s+WS\s+\/ws\/v1\s+Submit a new order/m);
    expect(listed.stdout.trim().split("\n")).toHaveLength(9);
    const parsed = mockOptions(["--port", "0", "--ready-delay", "5", "--reply-delay", "7", "--reorder", "3", "--no-pong", "--idle-timeout", "900", "--drop-every", "2"]);
    expect(parsed.options).toEqual({ readyDelayMs: 5, replyDelayMs: 7, reorderWindow: 3, answerPings: false, idleTimeoutMs: 900 });
    expect(parsed.dropEverySec).toBe(2);
    const running = await quantWsCli.startMock!({ port: 0, args: ["--ready-delay", "5"] });
    expect(running.urls.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/ws\/v1$/);
    expect(quantWsCli.mockHint!(running)).toContain(`tradeapi ws demo --url ${running.urls.url}`);
    await running.close();
  });
});
