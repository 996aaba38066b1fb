import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { meta as hubiMeta } from "../../generated/hubi-futures.docs.js";
import { runCli, type CliIo } from "../../src/cli/main.js";
import { runCliCaptured } from "../helpers/cli.js";
import {
  HUBI_MOCK_ACCESS_KEY,
  HUBI_MOCK_ACCESS_TOKEN,
  HUBI_MOCK_SECRET_KEY,
  startHubiMock,
  type HubiMock,
} from "../../src/mock/hubi.js";

let mock: HubiMock;
beforeAll(async () => {
  mock = await startHubiMock({ port: 0 });
});
afterAll(async () => {
  await mock.close();
});

const goodEnv = () => ({
  HUBI_ACCESS_KEY: HUBI_MOCK_ACCESS_KEY,
  HUBI_SECRET_KEY: HUBI_MOCK_SECRET_KEY,
  HUBI_ACCESS_TOKEN: HUBI_MOCK_ACCESS_TOKEN,
  HUBI_BASE_URL: mock.url,
});

const cli = (args: string[], env: NodeJS.ProcessEnv = goodEnv(), extra: Partial<CliIo> = {}) => runCliCaptured(args, env, extra);

const call = (op: string, ...pairs: string[]) => cli(["call", "hubi", op, ...pairs]);

describe("tradeapi call hubi against the emulator", () => {
  it("enter → query → amend → cancel", async () => {
    const entered = await call("enterOrder", "coin_code=USDT", "symbol=BTCUSD", "open_position=true", "quantity=2", "price=9000", "trade_direction=BUY", "order_type=LIMIT");
    expect(entered.stderr).toBe("");
    expect(entered.code).toBe(0);
    const id = entered.json() as string;
    expect(id).toMatch(/^O101-/);

    const queried = await call("queryOrderById", `order_no=${id}`);
    expect(queried.code).toBe(0);
    expect(queried.json()).toMatchObject({ id, ordStatus: "NEW", price: 9000, qty: 2 });

    expect((await call("amendOrder", `order_no=${id}`, "price=9050")).code).toBe(0);
    expect((await call("queryOrderById", `order_no=${id}`)).json()).toMatchObject({ price: 9050 });

    const cancelled = await call("cancelOrder", `order_no=${id}`);
    expect(cancelled).toMatchObject({ code: 0, stdout: "null\n" });
    expect((await call("queryOrderById", `order_no=${id}`)).json()).toMatchObject({ ordStatus: "CANCELED" });
  });

  it("enter → position → close", async () => {
    const entered = await call("enterOrder", "coin_code=USDT", "symbol=BTCUSD", "open_position=true", "quantity=4", "trade_direction=SELL", "order_type=MARKET");
    expect(entered.code).toBe(0);
    const positions = await call("queryPosition");
    expect(positions.code).toBe(0);
    expect(positions.json()).toEqual([expect.objectContaining({ symbol: "BTCUSD", side: "Short", qty: 4 })]);
    expect((await call("closePosition", "coin_code=USDT", "symbol=BTCUSD", "position_type=Short")).code).toBe(0);
    expect((await call("queryPosition")).json()).toEqual([]);
  });

  it("cancelOrderBatch takes a JSON array or the comma-joined text", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push((await call("enterOrder", "coin_code=USDT", "symbol=BTCUSD", "open_position=true", "quantity=1", "price=8000", "trade_direction=BUY", "order_type=LIMIT")).json() as string);
    }
    expect((await call("cancelOrderBatch", `order_nos=${JSON.stringify(ids.slice(0, 2))}`)).code).toBe(0);
    expect((await call("cancelOrderBatch", `order_nos=${ids[2]}`)).code).toBe(0);
    const active = (await call("queryActiveOrders", "symbol=BTCUSD")).json() as Array<{ id: string }>;
    expect(active.map((o) => o.id).filter((id) => ids.includes(id))).toEqual([]);
  });

  it("exit 1 with one line naming op, code and meaning for a vendor error", async () => {
    const r = await call("queryOrderById", "order_no=O-nope");
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("tradeapi: error: hubi queryOrderById: code 25005 订单未发现 (Order not found)\n");
  });

  it("exit 1 for a rejected signature, without the secret, token or signature", async () => {
    const env = { ...goodEnv(), HUBI_SECRET_KEY: "a-wrong-secret-key" };
    const r = await cli(["call", "hubi", "queryAccounts"], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^tradeapi: error: hubi queryAccounts: code ILLEGAL_SIGN \(X-API-Signature does not match/);
    expect(r.stderr).not.toContain("a-wrong-secret-key");
    expect(r.stderr).not.toContain(HUBI_MOCK_ACCESS_TOKEN);
  });

  it("exit 1 when the emulator is gone (connection refused)", async () => {
    const gone = await startHubiMock({ port: 0 });
    await gone.close();
    const r = await cli(["call", "hubi", "queryAccounts"], { ...goodEnv(), HUBI_BASE_URL: gone.url });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/hubi queryAccounts: after 3 attempts: connection failed/);
  });

  it.each([
    ["a missing credential", ["call", "hubi", "queryAccounts"], { HUBI_ACCESS_TOKEN: "" }, /missing accessToken: .*HUBI_ACCESS_TOKEN/],
    ["a missing parameter", ["call", "hubi", "cancelOrder"], {}, /hubi cancelOrder: missing required parameter "order_no"/],
    ["an unknown operation", ["call", "hubi", "fly"], {}, /unknown operation "fly" for hubi/],
    ["a value outside the enum", ["call", "hubi", "closePosition", "coin_code=USDT", "symbol=BTCUSD", "position_type=LONG"], {}, /position_type" must be one of/],
  ])("exit 2 for %s", async (_given, args, envPatch, message) => {
    const r = await cli(args, { ...goodEnv(), ...envPatch });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toContain(HUBI_MOCK_SECRET_KEY);
  });
});

describe("tradeapi list / mock hubi", () => {
  it("lists every operation of the spec", async () => {
    const r = await cli(["list", "hubi"], {});
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split("\n")).toHaveLength(hubiMeta.operations.length);
    expect(r.stdout).toMatch(/changePositionLeverage\s+POST\s+\/api\/futures\/change_position_leverage/);
  });

  it("`mock hubi` serves until stopped and prints how to reach it", async () => {
    let stop!: () => void;
    const stopped = new Promise<void>((r) => (stop = r));
    let printed = "";
    const running = runCli(["mock", "hubi", "--port", "0"], {
      stdout: (t) => {
        printed += t;
      },
      stderr: () => undefined,
      env: {},
      untilStopped: () => stopped,
    });
    await expect.poll(() => printed).toContain("try:");
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(printed)![1]!;
    expect(printed).toContain(`HUBI_SECRET_KEY=${HUBI_MOCK_SECRET_KEY}`);
    const r = await cli(["call", "hubi", "queryAccounts"], { ...goodEnv(), HUBI_BASE_URL: url });
    expect(r.code).toBe(0);
    expect(r.json()).toEqual([expect.objectContaining({ currency: "USDT", cash: 100000 })]);
    stop();
    await expect(running).resolves.toBe(0);
  });
});
