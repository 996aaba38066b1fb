import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { meta } from "../../generated/xt-spot.docs.js";
import { runCliCaptured, runCliProcess, spawnCliMock } from "../helpers/cli.js";
import { startXtMock, XT_MOCK_ACCESS_KEY, XT_MOCK_SECRET_KEY } from "../../src/mock/xt.js";
import type { HttpMock } from "../../src/mock/http-mock.js";
/** A balance no test order reaches (10^29, in digits: the emulator takes no exponent). */
const BIG = `1${"0".repeat(29)}`;

let mock: HttpMock;
beforeAll(async () => {
  mock = await startXtMock({ balances: { usdt: BIG, btc: BIG, eth: BIG } });
});
afterAll(() => mock.close());

const cli = (argv: string[], env: NodeJS.ProcessEnv = {}) =>
  runCliCaptured(argv, { XT_BASE_URL: mock.url, XT_ACCESS_KEY: XT_MOCK_ACCESS_KEY, XT_SECRET_KEY: XT_MOCK_SECRET_KEY, ...env });

describe("tradeapi CLI against the XT emulator", () => {
  it("list shows APIs and operations", async () => {
    const all = await cli(["list"]);
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(new RegExp(`^xt\\s+.*\\(${meta.operations.length} operations\\)`, "m"));
    const ops = await cli(["list", "xt"]);
    expect(ops.stdout.trim().split("\n")).toHaveLength(meta.operations.length);
    const first = meta.operations[0]!;
    expect(ops.stdout).toMatch(new RegExp(`^${first.operationId}\\s+${first.method}\\s+${first.path}`, "m"));
  });

  it("order → getOrder → cancel → getOrder, IDs above 2^53 printed with every digit", async () => {
    const placed = await cli(["call", "xt", "order", "market=btc_usdt", "price=5000", "number=0.002", "type=1", "entrustType=0"]);
    expect(placed.code).toBe(0);
    const id = /"id": (\d+)/.exec(placed.stdout)![1]!;
    expect(BigInt(id)).toBeGreaterThan(BigInt(Number.MAX_SAFE_INTEGER));
    const got = await cli(["call", "xt", "GET /trade/api/v1/getOrder", "market=btc_usdt", `id=${id}`]);
    expect(got.code).toBe(0);
    expect(got.stdout).toContain(`"id": ${id}`);
    expect(got.stdout).toContain('"status": 1');
    expect((await cli(["call", "xt", "cancel", "market=btc_usdt", `id=${id}`])).code).toBe(0);
    const after = await cli(["call", "xt", "getOrder", "market=btc_usdt", `id=${id}`]);
    expect(after.stdout).toContain('"status": 3');
    const again = await cli(["call", "xt", "cancel", "market=btc_usdt", `id=${id}`]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/xt cancel: code 122/);
  });

  it("batch order and batch cancel with JSON arrays on the command line", async () => {
    const placed = await cli(["call", "xt", "batchOrder", "market=eth_usdt", 'data=[{"price":100,"amount":1,"type":1},{"price":101,"amount":2,"type":0}]']);
    expect(placed.code).toBe(0);
    const ids = [...placed.stdout.matchAll(/"id": (\d+)/g)].map((m) => m[1]!);
    expect(ids).toHaveLength(2);
    const cancelled = await cli(["call", "xt", "batchCancel", "market=eth_usdt", "--json", `{"data":[${ids.join(",")},1]}`]);
    expect(cancelled.code).toBe(0);
    expect([...cancelled.stdout.matchAll(/"code": (\d+)/g)].map((m) => m[1])).toEqual(["120", "120", "121"]);
  });

  it("exit 1 with one line naming api, operation, code and message on an API error; no secret", async () => {
    const bad = await cli(["call", "xt", "getBalance"], { XT_SECRET_KEY: "wrong-secret-value" });
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split("\n")).toHaveLength(1);
    expect(bad.stderr).toMatch(/xt getBalance: code 308/);
    expect(bad.stderr).not.toContain("wrong-secret-value");
    const badKey = await cli(["call", "xt", "getBalance"], { XT_ACCESS_KEY: "nope" });
    expect(badKey.stderr).toMatch(/code 307/);
  });

  it("exit 1 on a transport error", async () => {
    const r = await cli(["call", "xt", "getTicker", "market=btc_usdt", "--base-url", "http://127.0.0.1:1"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ConnectionError|connection failed/);
  });

  it.each([
    { argv: ["call", "xt", "nope"], re: /unknown operation/ },
    { argv: ["call", "nope", "x"], re: /unknown api/ },
    { argv: ["call", "xt", "getOrder", "market=btc_usdt"], re: /missing required parameter "id"/ },
    { argv: ["call", "xt", "getOrder", "market"], re: /expected name=value/ },
    { argv: ["frobnicate"], re: /unknown command/ },
  ])("exit 2 on usage error: $argv", async ({ argv, re }) => {
    const r = await cli(argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(re);
  });

  it("exit 2 with a hint on a missing credential", async () => {
    const r = await cli(["call", "xt", "getBalance"], { XT_SECRET_KEY: undefined });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/XT_SECRET_KEY/);
  });

  it("public operations need no credentials", async () => {
    const r = await cli(["call", "xt", "getTicker", "market=btc_usdt"], { XT_ACCESS_KEY: undefined, XT_SECRET_KEY: undefined });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).high).toBe(11776.93);
  });
});

describe("the tradeapi bin, as a process", () => {
  it("runs `mock xt` and `call xt` as separate processes", async () => {
    const mockProcess = await spawnCliMock("xt");
    try {
      const { stdout } = await runCliProcess(["call", "xt", "getServerTime"], { XT_BASE_URL: mockProcess.url });
      expect(JSON.parse(stdout).serverTime).toBeGreaterThan(1_600_000_000_000);
    } finally {
      mockProcess.stop();
    }
  });
});
