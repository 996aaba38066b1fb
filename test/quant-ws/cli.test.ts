import { describe, expect, it } from "vitest";
import { createServer } from "node:net";
import { WebSocketServer } from "ws";
import { quantWsCli } from "../../src/cli/apis/quant-ws.js";
import { createQuantWsClient } from "../../src/handwritten/quant-ws/index.js";
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

  it("ws demo stopped by Ctrl-C or SIGTERM says so and exits 130 or 143 (not \"--seconds elapsed\", exit 1)", async () => {
    for (const [signal, exit] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
      let stop!: (s: "SIGINT" | "SIGTERM") => void;
      const stopped = new Promise<"SIGINT" | "SIGTERM">((r) => (stop = r));
      let stdout = "";
      const run = runCli(["ws", "demo", "--seconds", "30"], {
        stdout: (t) => {
          stdout += t;
          if (t.includes('"step":"ready"')) stop(signal);
        },
        stderr: () => undefined,
        env: {},
        untilStopped: () => stopped,
      });
      expect(await run).toBe(exit);
      expect(lines(stdout).find((l) => l.step === "stopped")).toMatchObject({ note: `stopped by ${signal} before the flow finished` });
    }
  });

  it("ws demo whose --seconds elapse before the flow finished: exit 1 with one line on stderr saying so (it was on stdout only)", async () => {
    const { code, stdout, stderr } = await cli(["ws", "demo", "--seconds", "0.2"]);
    expect(code).toBe(1);
    expect(stderr).toBe("tradeapi: error: ws demo: --seconds 0.2 elapsed before the flow finished\n");
    expect(lines(stdout).find((l) => l.step === "stopped")).toMatchObject({ note: "--seconds elapsed before the flow finished" });
  });

  it("ws demo stopped with an order in flight says it may have reached the gateway", async () => {
    const mock = await startMock();
    mock.loseAnswers("place_order");
    let stop!: (s: "SIGINT" | "SIGTERM") => void;
    const stopped = new Promise<"SIGINT" | "SIGTERM">((r) => (stop = r));
    let stdout = "";
    const run = runCli(["ws", "demo", "--seconds", "30"], {
      stdout: (t) => {
        stdout += t;
        if (t.includes('"step":"place_order"')) setTimeout(() => stop("SIGINT"), 50);
      },
      stderr: () => undefined,
      env: { QUANT_WS_URL: mock.url, QUANT_WS_ACCESS_KEY: "k", QUANT_WS_SECRET_KEY: "s", QUANT_WS_PLATFORM: "okex" },
      untilStopped: () => stopped,
    });
    expect(await run).toBe(130);
    expect(lines(stdout).find((l) => l.step === "stopped")).toMatchObject({
      note: "stopped by SIGINT before the flow finished: the place_order request was in flight; the request may have reached the server and taken effect: look it up before sending it again",
    });
    expect(framesOf(mock, "place_order")).toHaveLength(1);
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

  it("ws login and ws place: a logout without its answer is said on the logout line within 2 s (it waited 10 s and printed a logout done)", async () => {
    const mock = await startMock();
    mock.loseAnswers("logout", 2);
    const env = { QUANT_WS_URL: mock.url, QUANT_WS_ACCESS_KEY: "k", QUANT_WS_SECRET_KEY: "very-secret", QUANT_WS_PLATFORM: "okex" };
    for (const argv of [
      ["ws", "login", "--symbols", "ETH/USDT", "--seconds", "0.1"],
      ["ws", "place", "--symbol", "ETH/USDT", "--action", "BUY", "--type", "LIMIT", "--quantity", "1", "--price", "1", "--seconds", "0.1"],
    ]) {
      let stdout = "";
      const t0 = performance.now();
      expect(await runCli(argv, { stdout: (t) => (stdout += t), stderr: () => undefined, env }), argv[1]).toBe(0);
      expect(performance.now() - t0).toBeLessThan(5_000);
      const last = lines(stdout).find((l) => l.step === "logout")!;
      expect(last).toMatchObject({ step: "logout", ok: false });
      expect(String(last.note)).toMatch(/^the logout failed \(quant-ws logout: .*\); the gateway may hold the login until the socket closes$/);
    }
    expect(framesOf(mock, "logout")).toHaveLength(2);
  }, 15_000);

  it("ws login and ws place stopped during --seconds say so, log out and exit 130 or 143, as ws demo", async () => {
    const mock = await startMock();
    const env = { QUANT_WS_URL: mock.url, QUANT_WS_ACCESS_KEY: "k", QUANT_WS_SECRET_KEY: "s", QUANT_WS_PLATFORM: "okex" };
    const cases = [
      [["ws", "login", "--symbols", "ETH/USDT", "--seconds", "30"], '"step":"watching"', "SIGINT", 130],
      [["ws", "place", "--symbol", "ETH/USDT", "--action", "BUY", "--quantity", "1", "--price", "1", "--seconds", "30"], '"step":"placed"', "SIGTERM", 143],
    ] as const;
    for (const [argv, at, signal, exit] of cases) {
      let stop!: (s: "SIGINT" | "SIGTERM") => void;
      const stopped = new Promise<"SIGINT" | "SIGTERM">((r) => (stop = r));
      let stdout = "";
      const run = runCli([...argv], {
        stdout: (t) => {
          stdout += t;
          if (t.includes(at)) stop(signal);
        },
        stderr: () => undefined,
        env,
        untilStopped: () => stopped,
      });
      expect(await run).toBe(exit);
      expect(lines(stdout).map((l) => l.step).filter(Boolean).slice(-3)).toEqual(["stopped", "logout", "closed"]);
      expect(lines(stdout).find((l) => l.step === "stopped")).toMatchObject({ note: `stopped by ${signal}: logging out` });
    }
    expect(framesOf(mock, "logout")).toHaveLength(2);
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
    const env = { QUANT_WS_URL: mock.url, QUANT_WS_ACCESS_KEY: "k", QUANT_WS_PLATFORM: "okex" };
    const noSecret = await cli(["call", "quant-ws", "asset", "--symbols", "ETH/USDT"], env);
    expect(noSecret.code).toBe(2);
    expect(noSecret.stderr).toMatch(/QUANT_WS_SECRET_KEY/);
    const badNumber = await cli(["call", "quant-ws", "place_order", "symbol=ETH/USDT", "action=BUY", "price=abc", "quantity=1", "order_type=LIMIT"], { ...env, QUANT_WS_SECRET_KEY: "s" });
    expect(badNumber.code).toBe(2);
    expect(badNumber.stderr).toMatch(/quant-ws place_order: parameter "price" must be a number, got "abc"/);
    const badEnum = await cli(["call", "quant-ws", "place_order", "symbol=ETH/USDT", "action=HOLD", "price=1", "quantity=1", "order_type=LIMIT"], { ...env, QUANT_WS_SECRET_KEY: "s" });
    expect(badEnum.stderr).toMatch(/parameter "action" must be one of "BUY", "SELL"/);
    const unknown = await cli(["call", "quant-ws", "withdraw"], env);
    expect(unknown.code).toBe(2);
    // ws place names the flag that is missing or wrong, before connecting
    const place = (...flags: string[]) => cli(["ws", "place", "--platform", "okex", "--symbol", "ETH/USDT", ...flags], { ...env, QUANT_WS_SECRET_KEY: "s" });
    for (const [flags, message] of [
      [["--action", "BUY"], /^tradeapi: ws place needs --quantity \(e\.g\. 1\)\n/],
      [["--quantity", "1"], /^tradeapi: ws place needs --action BUY\|SELL\n/],
      [["--action", "BUY", "--quantity", "x"], /^tradeapi: ws place --quantity: parameter "quantity" must be a number, got "x"\n/],
      [["--action", "HOLD", "--quantity", "1"], /^tradeapi: ws place --action: parameter "action" must be one of "BUY", "SELL"/],
      [["--action", "BUY", "--quantity", "1", "--price", "cheap"], /^tradeapi: ws place --price: parameter "price" must be a number, got "cheap"/],
      // a LIMIT (the default type) or IOC order at price 0 went out and the gateway refused it
      [["--action", "BUY", "--quantity", "1"], /^tradeapi: ws place needs --price above 0 for LIMIT orders \(0 only for MARKET\)\n/],
      [["--action", "BUY", "--quantity", "1", "--type", "ioc"], /^tradeapi: ws place needs --price above 0 for IOC orders/],
      [["--action", "BUY", "--quantity", "1", "--price", "0"], /^tradeapi: ws place needs --price above 0 for LIMIT orders/],
    ] as const) {
      const r = await place(...flags);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    expect(mock.acceptedSockets).toBe(0);
  });

  it("asks for the platform (no default the gateway could refuse), naming the known ones", async () => {
    const mock = await startMock();
    const env = { QUANT_WS_URL: mock.url, QUANT_WS_ACCESS_KEY: "k", QUANT_WS_SECRET_KEY: "s" };
    const r = await cli(["call", "quant-ws", "asset", "--symbols", "ETH/USDT"], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/which platform\?.*QUANT_WS_PLATFORM.*okex, huobi, huobi_future, ftx/);
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
    expect(poor.stderr).toBe("tradeapi: error: quant-ws place_order: error_message \"Insufficient balance\"\n");
  });

  it("lists the request messages and parses the emulator's fault flags", async () => {
    const listed = await cli(["list", "quant-ws"]);
    expect(listed.stdout).toMatch(/^place_order\s+WS\s+\/ws\/v1\s+Submit a new order/m);
    expect(listed.stdout.trim().split("\n")).toHaveLength(9);
    const logs: string[] = [];
    const running = await quantWsCli.startMock!({ port: 0, flags: { "ready-delay": "5" }, log: (l) => logs.push(l) });
    expect(running.urls.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/ws\/v1$/);
    expect(running.hint).toContain(`QUANT_WS_URL=${running.urls.url} `);
    expect(running.hint).not.toMatch(/(^|[^x] )tradeapi /m);
    await running.close();
  });

  it("mock quant-ws --half-open-every: a login lingers after a half-open drop, and the client's re-login retries get through", async () => {
    const running = await quantWsCli.startMock!({ port: 0, flags: { "ready-delay": "5", "half-open-every": "1.5", "idle-timeout": "400" }, log: () => undefined });
    const client = createQuantWsClient({ url: running.urls.url!, pingIntervalMs: 50, maxMissedPongs: 2, reconnect: { baseDelayMs: 10, maxDelayMs: 20 }, repeatLogin: { baseDelayMs: 50, maxDelayMs: 100 } });
    try {
      const session = await client.login({ platform: "okex", symbols: ["ETH/USDT"], accessKey: "k", secretKey: "s" });
      const refused = client.next("reloginRetry", 5_000);
      const back = client.next("reconnected", 5_000);
      expect((await refused).error.code).toBe("Do not log in repeat");
      expect((await back).sessions.map((s) => s.session)).toEqual([session]);
      await expect(session.asset()).resolves.toHaveProperty("USDT");
    } finally {
      await client.close();
      await running.close();
    }
  });

  it("every command the emulator's hint prints works against it", async () => {
    const running = await quantWsCli.startMock!({ port: 0, flags: { "ready-delay": "5" }, log: () => undefined });
    try {
      const commands = running.hint!.split("\n").filter((l) => l.includes("npx tradeapi "));
      expect(commands.length).toBeGreaterThanOrEqual(2);
      for (const line of commands) {
        const [assignments, command] = line.replace(/^(try:)?\s*/, "").split(/\s*npx tradeapi /);
        const env = Object.fromEntries(assignments!.split(" ").filter(Boolean).map((a) => [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)]));
        const r = await cli(command!.split(" "), env);
        expect([line, r.code, r.stderr]).toEqual([line, 0, ""]);
      }
    } finally {
      await running.close();
    }
  });

  it("mock quant-ws: fault flags are checked (a bad number is exit 2, an unknown flag names the closest)", async () => {
    const bad = await cli(["mock", "quant-ws", "--ready-delay", "soon"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--ready-delay must be a non-negative number, got "soon"/);
    // A value past the emulator's bounds names the flag (it named the option: "reorderWindow must be …")
    for (const [flag, value, message] of [
      ["--reorder", "10001", /--reorder must be at most 10000, got "10001"/],
      ["--reorder", "2.5", /--reorder must be a whole number, got "2\.5"/],
      ["--reply-delay", "3000000000", /--reply-delay must be at most 2147483647, got "3000000000"/],
    ] as const) {
      const out = await cli(["mock", "quant-ws", flag, value]);
      expect(out.code, flag).toBe(2);
      expect(out.stderr, flag).toMatch(message);
    }
    const typo = await cli(["mock", "quant-ws", "--reply-dealy", "5"]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/unknown flag --reply-dealy; did you mean --reply-delay\?/);
    // A period longer than a timer holds (2^31-1 ms) would come round every millisecond.
    const often = await cli(["mock", "quant-ws", "--drop-every", "3000000"]);
    expect(often.code).toBe(2);
    expect(often.stderr).toMatch(/--drop-every must be at most 2147483, got "3000000"/);
    const long = await cli(["mock", "quant-ws", "--outage-every", "60", "--outage-ms", "3000000000"]);
    expect(long.code).toBe(2);
    expect(long.stderr).toMatch(/--outage-ms must be at most 2147483647, got "3000000000"/);
    const run = await cli(["ws", "login", "--platform", "okex", "--symbols", "ETH/USDT", "--seconds", "3000000"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--seconds must be at most 2147483, got "3000000"/);
  });

  it("no default platform: call and ws login ask for QUANT_WS_PLATFORM / --platform, and nothing is sent", async () => {
    const mock = await startMock();
    const env = { QUANT_WS_URL: mock.url, QUANT_WS_ACCESS_KEY: "k", QUANT_WS_SECRET_KEY: "s" };
    for (const argv of [["call", "quant-ws", "asset"], ["ws", "login", "--symbols", "ETH/USDT", "--seconds", "0.1"]]) {
      const r = await cli(argv, env);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/QUANT_WS_PLATFORM or pass --platform/);
    }
    expect(mock.acceptedSockets).toBe(0);
    const flagged = await cli(["call", "quant-ws", "asset", "--platform", "huobi", "--symbols", "ETH/USDT"], env);
    expect(flagged.code).toBe(0);
    expect(framesOf(mock, "login")[0]).toMatchObject({ platform: "huobi" });
  });

  it("ws send ping needs no login; ws send asset needs --symbols (the gateway refuses a login without one)", async () => {
    const mock = await startMock();
    const env = { QUANT_WS_URL: mock.url, QUANT_WS_ACCESS_KEY: "k", QUANT_WS_SECRET_KEY: "s", QUANT_WS_PLATFORM: "okex" };
    const ping = await cli(["ws", "send", "ping"], { QUANT_WS_URL: mock.url });
    expect(ping.stderr).toBe("");
    expect(ping.code).toBe(0);
    expect(ping.json()).toMatchObject({ rttMs: expect.any(Number) });
    expect(framesOf(mock, "login")).toHaveLength(0);
    // asset trades no symbol, but every adapter answers a login with none "param symbols miss":
    // exit 2 naming where to give them, nothing sent (it logged in with [] and the emulator took it).
    const asset = await cli(["ws", "send", "asset"], env);
    expect(asset.code).toBe(2);
    expect(asset.stderr).toMatch(/which symbols\? set QUANT_WS_SYMBOLS or pass --symbols/);
    expect(framesOf(mock, "login")).toHaveLength(0);
    const withSymbols = await cli(["ws", "send", "asset"], { ...env, QUANT_WS_SYMBOLS: "ETH/USDT" });
    expect(withSymbols.stderr).toBe("");
    expect(withSymbols.code).toBe(0);
    expect(withSymbols.json()).toMatchObject({ USDT: { total: 100_000 } });
    expect(framesOf(mock, "login")[0]).toMatchObject({ op: "login", platform: "okex", symbols: ["ETH/USDT"] });
  });

  it("ws --help and ws help print the usage and exit 0; bare ws exits 2", async () => {
    for (const argv of [["ws", "--help"], ["ws", "help"], ["ws", "demo", "-h"], ["help", "ws"]]) {
      const r = await cli(argv);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/tradeapi ws demo/);
      expect(r.stdout).toMatch(/QUANT_WS_PLATFORM/);
    }
    expect((await cli(["ws"])).code).toBe(2);
  });

  it("ws send <op> --help is the operation's help, as call quant-ws <op> --help", async () => {
    const viaSend = await cli(["ws", "send", "place_order", "--help"]);
    const viaCall = await cli(["call", "quant-ws", "place_order", "--help"]);
    expect(viaSend.code).toBe(0);
    expect(viaSend.stdout).toMatch(/order_type\s+frame\s+string\s+required/);
    expect(viaSend.stdout).toBe(viaCall.stdout);
  });

  it("operation names are looked up as own entries: constructor, toString, __proto__, valueOf are unknown", async () => {
    const mock = await startMock();
    const env = { QUANT_WS_URL: mock.url, QUANT_WS_ACCESS_KEY: "k", QUANT_WS_SECRET_KEY: "s", QUANT_WS_PLATFORM: "okex" };
    for (const op of ["constructor", "toString", "__proto__", "valueOf", "hasOwnProperty"]) {
      const r = await cli(["call", "quant-ws", op], env);
      expect(r.code, op).toBe(2);
      expect(r.stderr).toMatch(/unknown operation/);
    }
    expect(mock.acceptedSockets).toBe(0);
  });

  it("--json with a __proto__ key cannot smuggle fields in: it is an unknown parameter", async () => {
    const mock = await startMock();
    const env = { QUANT_WS_URL: mock.url, QUANT_WS_ACCESS_KEY: "k", QUANT_WS_SECRET_KEY: "s", QUANT_WS_PLATFORM: "okex" };
    const r = await cli(["call", "quant-ws", "open_orders", "--json", '{"__proto__":{"symbol":"ETH/USDT"},"id":1}'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown parameter "__proto__"/);
    expect(mock.acceptedSockets).toBe(0);
  });

  it("bad input is exit 2 before anything is sent: price=1e400, order_nos=[1, and a URL that is not ws://", async () => {
    const mock = await startMock();
    const env = { QUANT_WS_URL: mock.url, QUANT_WS_ACCESS_KEY: "k", QUANT_WS_SECRET_KEY: "s", QUANT_WS_PLATFORM: "okex" };
    const huge = await cli(["call", "quant-ws", "place_order", "symbol=ETH/USDT", "action=BUY", "price=1e400", "quantity=1", "order_type=LIMIT"], env);
    expect(huge.code).toBe(2);
    expect(huge.stderr).toMatch(/parameter "price" must be a finite number/);
    const inexact = await cli(["call", "quant-ws", "place_order", "symbol=ETH/USDT", "action=BUY", "price=0.12345678901234567891", "quantity=1", "order_type=LIMIT"], env);
    expect(inexact.code).toBe(2);
    expect(inexact.stderr).toMatch(/more digits than a JSON number keeps exactly/);
    const broken = await cli(["call", "quant-ws", "cancel_order", "symbol=ETH/USDT", "order_nos=[1,"], env);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/parameter "order_nos" looks like JSON but does not parse/);
    // Order numbers are strings: JSON numbers (a big one would lose digits) are refused before logging in.
    const numbers = await cli(["call", "quant-ws", "cancel_order", "symbol=ETH/USDT", "order_nos=[2510832677225473,5]"], env);
    expect(numbers.code).toBe(2);
    expect(numbers.stderr).toMatch(/cancel_order: field "order_nos\[0\]" must be a string, got 2510832677225473/);
    const typed = await cli(["call", "quant-ws", "open_orders", "--json", '{"symbol":5}'], env);
    expect(typed.code).toBe(2);
    expect(typed.stderr).toMatch(/open_orders: field "symbol" must be a string, got 5/);
    const notUrl = await cli(["call", "quant-ws", "asset"], { ...env, QUANT_WS_URL: "not a url" });
    expect(notUrl.code).toBe(2);
    expect(notUrl.stderr).toMatch(/QUANT_WS_URL is not a URL/);
    const http = await cli(["call", "quant-ws", "asset", "--url", "http://127.0.0.1:1/ws/v1"], env);
    expect(http.code).toBe(2);
    expect(http.stderr).toMatch(/--url must be a ws: or wss: URL/);
    expect(mock.acceptedSockets).toBe(0);
  });

  it("--timeout bounds the login too: a gateway that never answers ends the call in time (exit 1)", async () => {
    const silent = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await new Promise((r) => silent.once("listening", r));
    try {
      const url = `ws://127.0.0.1:${(silent.address() as { port: number }).port}/ws/v1`;
      const started = Date.now();
      const r = await cli(["call", "quant-ws", "asset", "--timeout", "300"], { QUANT_WS_URL: url, QUANT_WS_ACCESS_KEY: "k", QUANT_WS_SECRET_KEY: "s", QUANT_WS_PLATFORM: "okex", QUANT_WS_SYMBOLS: "ETH/USDT" });
      expect(r.code).toBe(1);
      // The CLI's bound or the login's own (both 300 ms) ends it: either names the login, not a request that was never sent.
      expect(r.stderr).toMatch(/^tradeapi: error: quant-ws (asset: the login did not reach READY within --timeout 300 ms: the asset request was not sent|login: no login reply within 300 ms)/);
      expect(r.stderr).not.toMatch(/quant-ws: quant-ws/);
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      for (const c of silent.clients) c.terminate();
      await new Promise((r) => silent.close(r));
    }
  });

  it("--timeout while still connecting (TCP taken, no WebSocket handshake) says so: not \"the login did not reach READY\", and for ping no login at all", async () => {
    const sockets: Array<import("node:net").Socket> = [];
    const mute = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => mute.listen(0, "127.0.0.1", r));
    try {
      const url = `ws://127.0.0.1:${(mute.address() as { port: number }).port}/ws/v1`;
      const env = { QUANT_WS_URL: url, QUANT_WS_ACCESS_KEY: "k", QUANT_WS_SECRET_KEY: "s", QUANT_WS_PLATFORM: "okex", QUANT_WS_SYMBOLS: "ETH/USDT" };
      const login = await cli(["ws", "login", "--timeout", "400"], env);
      expect(login.code).toBe(1);
      expect(login.stderr).toBe("tradeapi: error: quant-ws login: no connection to the gateway within --timeout 400 ms\n");
      const ping = await cli(["call", "quant-ws", "ping", "--timeout", "300"], env);
      expect(ping.code).toBe(1);
      expect(ping.stderr).toBe("tradeapi: error: quant-ws ping: no connection to the gateway within --timeout 300 ms: the ping request was not sent\n");
      // Any other call too (it blamed the login, which never started).
      const asset = await cli(["call", "quant-ws", "asset", "--timeout", "300"], env);
      expect(asset.code).toBe(1);
      expect(asset.stderr).toBe("tradeapi: error: quant-ws asset: no connection to the gateway within --timeout 300 ms: the asset request was not sent\n");
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => mute.close(r));
    }
  });

  it("ws place --timeout beyond 10 s gives the order what the login left (it was cut to 10 s, unlike call quant-ws)", async () => {
    const mock = await startMock();
    mock.loseAnswers("place_order");
    const env = { QUANT_WS_URL: mock.url, QUANT_WS_ACCESS_KEY: "k", QUANT_WS_SECRET_KEY: "s" };
    const r = await cli(["ws", "place", "--platform", "okex", "--symbol", "ETH/USDT", "--action", "BUY", "--quantity", "1", "--price", "1", "--timeout", "10400"], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("tradeapi: error: quant-ws place_order: no answer within --timeout 10400 ms; the request may have reached the server and taken effect: look it up before sending it again\n");
  }, 20_000);

  it("--timeout is the number the error names when READY never comes (the server keeps retrying CONNECT_FAILED)", async () => {
    const mock = await startMock();
    const env = { QUANT_WS_URL: mock.url, QUANT_WS_ACCESS_KEY: "fail-connect", QUANT_WS_SECRET_KEY: "s", QUANT_WS_PLATFORM: "okex", QUANT_WS_SYMBOLS: "ETH/USDT" };
    const r = await cli(["call", "quant-ws", "asset", "--timeout", "600"], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^tradeapi: error: quant-ws (asset: the login did not reach READY within --timeout 600 ms: the asset request was not sent|login: no READY state within 600 ms)/);
    expect(r.stderr).not.toMatch(/quant-ws: quant-ws/);
  });

  it("--timeout after the request went out: an order or a cancel may have reached the gateway (outcome unknown), a read may not", async () => {
    const mock = await startMock();
    const env = { QUANT_WS_URL: mock.url, QUANT_WS_ACCESS_KEY: "k", QUANT_WS_SECRET_KEY: "s", QUANT_WS_PLATFORM: "okex", QUANT_WS_SYMBOLS: "ETH/USDT" };
    mock.loseAnswers("place_order");
    const order = await cli(["call", "quant-ws", "place_order", "symbol=ETH/USDT", "action=BUY", "price=1", "quantity=1", "order_type=LIMIT", "--timeout", "600"], env);
    expect(order.code).toBe(1);
    expect(order.stderr).toBe("tradeapi: error: quant-ws place_order: no answer within --timeout 600 ms; the request may have reached the server and taken effect: look it up before sending it again\n");
    // It did: the gateway placed it; the session was logged out.
    expect(framesOf(mock, "place_order")).toHaveLength(1);
    expect(mock.tokens()).toEqual([]);
    mock.silence("cancel_order");
    const cancel = await cli(["call", "quant-ws", "cancel_order", "symbol=ETH/USDT", "order_nos=1", "--timeout", "600"], env);
    expect(cancel.stderr).toMatch(/^tradeapi: error: quant-ws cancel_order: no answer within --timeout 600 ms; the request may have reached the server/);
    mock.silence("open_orders");
    const read = await cli(["call", "quant-ws", "open_orders", "symbol=ETH/USDT", "--timeout", "600"], env);
    expect(read.stderr).toBe("tradeapi: error: quant-ws open_orders: no answer within --timeout 600 ms\n");
  });

  it("ws place --timeout bounds connect, login until READY and the order together; an order sent and unanswered may have reached the gateway", async () => {
    const mock = await startMock({ readyDelayMs: 1_000 });
    const env = { QUANT_WS_URL: mock.url, QUANT_WS_ACCESS_KEY: "k", QUANT_WS_SECRET_KEY: "s" };
    const place = (timeout: string) => cli(["ws", "place", "--platform", "okex", "--symbol", "ETH/USDT", "--action", "BUY", "--quantity", "1", "--price", "1", "--timeout", timeout], env);
    mock.loseAnswers("place_order");
    const r = await place("1500");
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("tradeapi: error: quant-ws place_order: no answer within --timeout 1500 ms; the request may have reached the server and taken effect: look it up before sending it again\n");
    // READY took 1 s: the order had what was left, not a --timeout of its own (2.5 s in all).
    const closed = lines(r.stdout).find((l) => l.step === "closed")!;
    expect(closed.t).toBeGreaterThanOrEqual(1_500);
    expect(closed.t).toBeLessThan(2_200);
    expect(framesOf(mock, "place_order")).toHaveLength(1);
    expect(framesOf(mock, "logout")).toHaveLength(1);
    // Ended before READY: nothing was sent, and it says so.
    const early = await place("500");
    expect(early.code).toBe(1);
    expect(early.stderr).toBe("tradeapi: error: quant-ws place_order: the login did not reach READY within --timeout 500 ms: the place_order request was not sent\n");
    expect(framesOf(mock, "place_order")).toHaveLength(1);
  });

  it("mock quant-ws on a port in use is exit 2 naming the port", async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, "127.0.0.1", () => r()));
    const port = (taken.address() as { port: number }).port;
    try {
      const r = await cli(["mock", "quant-ws", "--port", String(port)]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`port ${port} is already in use`);
    } finally {
      await new Promise((r) => taken.close(r));
    }
  });

  it("a failed login ends with exit 1 and one error line; nothing arriving during close() is printed as an event", async () => {
    const mock = await startMock();
    const env = { QUANT_WS_URL: mock.url, QUANT_WS_ACCESS_KEY: "fail-refused", QUANT_WS_SECRET_KEY: "s", QUANT_WS_PLATFORM: "okex" };
    // CONNECT_FAILED forever: the login ends at --timeout (the CLI's default is 15 s), the CLI's
    // bound or the login's own (the states it saw are on stdout).
    const r = await cli(["ws", "login", "--symbols", "ETH/USDT", "--seconds", "0.2", "--timeout", "700"], env);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/^tradeapi: error: quant-ws login: (the login did not reach READY within --timeout 700 ms|no READY state within 700 ms of the login)/);
    expect(lines(r.stdout).filter((l) => l.event === "state").map((l) => l.name)).toContain("CONNECT_FAILED");
    // The login the server still held was logged out before the socket closed.
    expect(framesOf(mock, "logout")).toHaveLength(1);
    expect(lines(r.stdout).filter((l) => l.event === "error")).toEqual([]);
    // Let a late logout reply arrive, as it does on a real gateway.
    await new Promise((res) => setTimeout(res, 100));
  });
});
