/**
 * The emulators' `loseAnswers(operationId, count)`: the request is handled (the order is
 * placed) and its answer never sent, so a service can test its handling of an error whose
 * `outcomeUnknown` is true against the emulator: the order is there when it looks it up.
 */
import { describe, expect, it, onTestFinished } from "vitest";
import { ConnectionError, TimeoutError, UsageError, type TradeApiError } from "../../src/handwritten/core/errors.js";
import { createBhexOrgClient } from "../../src/handwritten/bhex/client.js";
import { createHubiClient } from "../../src/handwritten/hubi/client.js";
import { createXeleClient } from "../../src/handwritten/xele/client.js";
import { createXtClient } from "../../src/handwritten/xt/client.js";
import { BHEX_MOCK_ACCESS_KEY, BHEX_MOCK_SECRET_KEY, startBhexMock } from "../../src/mock/bhex.js";
import { HUBI_MOCK_ACCESS_KEY, HUBI_MOCK_ACCESS_TOKEN, HUBI_MOCK_SECRET_KEY, startHubiMock } from "../../src/mock/hubi.js";
import { startXeleMock, XELE_MOCK_PASSWORD, XELE_MOCK_USERNAME } from "../../src/mock/xele.js";
import { startXtMock, XT_MOCK_ACCESS_KEY, XT_MOCK_SECRET_KEY } from "../../src/mock/xt.js";
import { runCli } from "../../src/cli/main.js";
import { runCliCaptured } from "../helpers/cli.js";
import { rejection, thrown } from "../helpers/rejection.js";
import { creds, ETH, setup } from "../quant-ws/helpers.js";

describe("loseAnswers", () => {
  it("XT: the lost order is placed, its call fails with outcomeUnknown, and getOpenOrders finds it; the next answers come", async () => {
    const lines: string[] = [];
    const mock = await startXtMock({ log: (l) => lines.push(l) });
    onTestFinished(() => mock.close());
    const xt = createXtClient({ baseUrl: mock.url, accessKey: XT_MOCK_ACCESS_KEY, secretKey: XT_MOCK_SECRET_KEY, rateLimit: false });
    const open = async () => ((await xt.call("getOpenOrders", { market: "btc_usdt", page: 1, pageSize: 100 })) ?? []).map((o) => String(o.id));
    const before = await open();
    mock.loseAnswers("order", 2);
    for (let i = 0; i < 2; i++) {
      const e = (await rejection(xt.call("order", { market: "btc_usdt", price: 5000, number: 0.002, type: 1, entrustType: 0 }))) as TradeApiError;
      expect(e).toBeInstanceOf(ConnectionError);
      expect(e.outcomeUnknown).toBe(true);
    }
    const after = await open();
    expect(after.length).toBe(before.length + 2);
    const placed = await xt.call("order", { market: "btc_usdt", price: 5000, number: 0.002, type: 1, entrustType: 0 });
    expect(await open()).toContain(String(placed.id));
    expect(lines.filter((l) => l.includes("answer lost (loseAnswers)"))).toHaveLength(2);
  });

  it("Hubi, BHEX and Xele (the counter server) lose answers the same way", async () => {
    const hubiMock = await startHubiMock();
    onTestFinished(() => hubiMock.close());
    const hubi = createHubiClient({ baseUrl: hubiMock.url, accessKey: HUBI_MOCK_ACCESS_KEY, secretKey: HUBI_MOCK_SECRET_KEY, accessToken: HUBI_MOCK_ACCESS_TOKEN });
    hubiMock.loseAnswers("enterOrder");
    const gone = (await rejection(hubi.call("enterOrder", { coin_code: "USDT", symbol: "ETHUSD", open_position: true, quantity: 1, price: 9000, trade_direction: "BUY", order_type: "LIMIT" }))) as TradeApiError;
    expect(gone.outcomeUnknown).toBe(true);
    expect((await hubi.call("queryActiveOrders", { symbol: "ETHUSD" })).length).toBe(1);

    const bhexMock = await startBhexMock();
    onTestFinished(() => bhexMock.close());
    const keys: string[] = [];
    const bhex = createBhexOrgClient({ baseUrl: bhexMock.url, accessKey: BHEX_MOCK_ACCESS_KEY, secretKey: BHEX_MOCK_SECRET_KEY, rateLimit: false, onIdempotencyKey: (k) => void keys.push(k.value) });
    const user = 83214971450163200n;
    bhexMock.loseAnswers("orderCreate");
    const e = (await rejection(bhex.call("orderCreate", { user_id: user, exchange_id: 301, symbol_id: "ATUSDT", type: "limit", side: "buy", price: "0.1668", quantity: "10" }))) as TradeApiError;
    expect(e.outcomeUnknown).toBe(true);
    // Looked up by the key the client generated and reported before sending: the order is there.
    expect(((await bhex.call("orderOpenOrders", { user_id: user })) ?? []).map((o) => o.clientOrderId)).toEqual(keys);

    const xeleMock = await startXeleMock();
    onTestFinished(() => xeleMock.close());
    const xele = createXeleClient({ maUrl: xeleMock.maUrl, msUrl: xeleMock.msUrl, username: XELE_MOCK_USERNAME, password: XELE_MOCK_PASSWORD, retry: false });
    xeleMock.ms.loseAnswers("createCashInOut");
    const lost = (await rejection(xele.call("createCashInOut", { investor_id: "777001", direction: "1", amount: 1 }))) as TradeApiError;
    expect(lost).toBeInstanceOf(ConnectionError);
    expect(lost.outcomeUnknown).toBe(true);
    expect(xeleMock.received.filter((r) => r.operationId === "createCashInOut")).toHaveLength(1);
    await expect(xele.call("createCashInOut", { investor_id: "777001", direction: "1", amount: 1 })).resolves.not.toThrow();
  });

  it("an operation the spec does not have, or a count that is not a whole number from 1, is a UsageError", async () => {
    const mock = await startXtMock();
    onTestFinished(() => mock.close());
    const unknown = thrown(() => mock.loseAnswers("ordr"));
    expect(unknown).toBeInstanceOf(UsageError);
    expect((unknown as Error).message).toBe('xt loseAnswers: no operation "ordr" (did you mean "order"?)');
    for (const count of [0, -1, 1.5, Number.NaN, "2" as unknown as number]) expect(thrown(() => mock.loseAnswers("order", count))).toBeInstanceOf(UsageError);
  });

  it("tradeapi mock xt --lose-answers order:1 (and xele, whose operation is on MS): the first order's answer is lost, the next one comes", async () => {
    for (const [api, flag, call] of [
      ["xt", "order:1", async (url: string) => {
        const xt = createXtClient({ baseUrl: url, accessKey: XT_MOCK_ACCESS_KEY, secretKey: XT_MOCK_SECRET_KEY, rateLimit: false });
        return () => xt.call("order", { market: "btc_usdt", price: 5000, number: 0.002, type: 1, entrustType: 0 });
      }],
      ["xele", "createCashInOut", async (_url: string, out: string) => {
        const [ma, ms] = [/MA listening on (\S+)/.exec(out)![1]!, /MS listening on (\S+)/.exec(out)![1]!];
        const xele = createXeleClient({ maUrl: ma, msUrl: ms, username: XELE_MOCK_USERNAME, password: XELE_MOCK_PASSWORD, retry: false });
        return () => xele.call("createCashInOut", { investor_id: "777001", direction: "1", amount: 1 });
      }],
    ] as const) {
      let out = "";
      let stop!: () => void;
      const stopped = new Promise<void>((r) => (stop = r));
      let listening!: () => void;
      const ready = new Promise<void>((r) => (listening = r));
      const lines: string[] = [];
      const done = runCli(["mock", api, "--lose-answers", flag], {
        stdout: (t) => {
          out += t;
          if (/credentials:/.test(out)) listening();
        },
        stderr: (t) => void lines.push(t),
        env: {},
        untilStopped: () => stopped,
      });
      await ready;
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)![1]!;
      const send = await call(url, out);
      const lost = (await rejection(send())) as TradeApiError;
      expect(lost, api).toBeInstanceOf(ConnectionError);
      expect(lost.outcomeUnknown).toBe(true);
      await send(); // the next one is answered
      stop();
      expect(await done).toBe(0);
      expect(lines.join("").match(/answer lost \(loseAnswers\)/g), api).toHaveLength(1);
    }
  });

  it("--lose-answers with an operation the API does not have, a count of 0, or a quant-ws request it does not have: exit 2 before anything listens", async () => {
    for (const [args, message] of [
      [["mock", "xt", "--lose-answers", "ordr"], /--lose-answers: no operation "ordr" \(did you mean "order"\?\)/],
      [["mock", "bhex", "--lose-answers", "orderCreate:0"], /--lose-answers takes OPERATION or OPERATION:N \(N a whole number from 1\), got "orderCreate:0"/],
      [["mock", "hubi", "--lose-answers", "enterOrder:9999999"], /^tradeapi: --lose-answers: count must be a whole number from 1 to 1000000, got 9999999\n/],
      [["mock", "quant-ws", "--lose-answers", "place_ordr"], /--lose-answers: no request "place_ordr" \(did you mean "place_order"\?\); the requests are login, place_order/],
    ] as const) {
      const run = await runCliCaptured([...args], {});
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stdout).toBe("");
    }
  });

  it("quant-ws: the lost place_order is placed (its order notification comes, open_orders lists it), the request ends outcomeUnknown", async () => {
    const { mock, client } = await setup();
    const session = await client.login(creds());
    const notified = new Promise<unknown>((r) => session.on("order", r));
    mock.loseAnswers("place_order");
    const lost = (await rejection(session.placeOrder({ symbol: ETH, action: "BUY", price: 1, quantity: 1, order_type: "LIMIT" }, { timeoutMs: 300 }))) as TradeApiError;
    expect(lost).toBeInstanceOf(TimeoutError);
    expect(lost.outcomeUnknown).toBe(true);
    const order = (await notified) as { order_no: string };
    expect((await session.openOrders(ETH)).map((o) => o.order_no)).toContain(order.order_no);
    await expect(session.placeOrder({ symbol: ETH, action: "BUY", price: 1, quantity: 1, order_type: "LIMIT" })).resolves.toMatch(/^\d+$/);
    expect(thrown(() => mock.loseAnswers("place_order", 0))).toBeInstanceOf(UsageError);
  });
});
